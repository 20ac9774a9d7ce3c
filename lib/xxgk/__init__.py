"""xxgk: China's government information disclosure annual reports as validated, tidy tables.

``parse(path)`` reads one report; ``parse_many(paths)`` a corpus; both return a dict of DataFrames named
as in :mod:`xxgk.contract.schema` (reports, requests, reviews, proactive, facts, issues).
"""

from xxgk.output.files import load_tables, write_tables
from xxgk.run.pipeline import parse, parse_many
from xxgk.run.stream import write_corpus

__all__ = ["parse", "parse_many", "write_tables", "load_tables", "write_corpus"]
