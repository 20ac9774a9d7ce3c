"""xxgk: China's government information disclosure annual reports as validated, tidy tables.

``parse(path)`` reads one report; ``parse_many(paths)`` a corpus; both return a dict of DataFrames named
as in :mod:`xxgk.contract.schema` (reports, requests, reviews, proactive, facts, issues).
"""

from xxgk.pipeline import load_tables, parse, parse_many, write_tables

__all__ = ["parse", "parse_many", "write_tables", "load_tables"]
