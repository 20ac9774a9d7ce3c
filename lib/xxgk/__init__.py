"""xxgk: China's government information disclosure annual reports as validated, tidy tables.

``parse(path)`` reads one report; ``parse_many(paths)`` a corpus; both return a dict of DataFrames named
as in :mod:`xxgk.contract.schema` (reports, requests, reviews, proactive, facts, issues).
``write_tables``/``load_tables`` write and read them back; ``write_corpus`` streams a large corpus to disk.
"""

from importlib.metadata import PackageNotFoundError, version

from xxgk.output.files import MixedTablesError, load_tables, write_tables
from xxgk.run.pipeline import parse, parse_many
from xxgk.run.stream import write_corpus

try:
    __version__ = version("xxgk")
except PackageNotFoundError:  # imported from a source tree that was never installed (PYTHONPATH=lib)
    __version__ = "0+unknown"

__all__ = [
    "__version__",
    "parse",
    "parse_many",
    "write_tables",
    "load_tables",
    "write_corpus",
    "MixedTablesError",
]
