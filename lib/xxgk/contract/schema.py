"""The output tables: names, columns, dtypes and meanings, declared once.

`xxgk parse` writes these tables as CSV and Parquet; notebooks and users read them by these names. The
README's data dictionary is generated from this module and from :mod:`xxgk.contract.codes`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pyarrow as pa


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str
    meaning: str


# Every cell of tables 二, 三 and 四 says what kind of value it is and where it stands in the document.
_CELL_PROVENANCE = (
    Column("cell_status", "string", "printed, not_applicable, derived or missing"),
    Column(
        "source_line",
        "Int64",
        "Line of the file the number was read from (HTML: block; PDF: line through the document)",
    ),
    Column("source_page", "Int64", "PDF page of that line (NA for text and HTML)"),
)

TABLES: dict[str, tuple[Column, ...]] = {
    "reports": (
        Column("report_id", "string", "Identifier of the report: the file name without its extension"),
        Column("source_file", "string", "The file name as given"),
        Column("sha256", "string", "SHA-256 of the file's bytes"),
        Column("agency", "string", "Agency name as printed in the title"),
        Column("year", "Int64", "Report year (the year reported on, not the year published)"),
        Column("province", "string", "Province, where the agency name states it"),
        Column("city", "string", "City, where the agency name states it"),
        Column("district", "string", "District or county, where the agency name states it"),
        Column("agency_kind", "string", "government (人民政府, 管委会) or department"),
        Column("template", "string", "2021, 2019 (trial format), hybrid or unknown"),
        Column("input_format", "string", "text, markdown, html or pdf"),
        Column("encoding", "string", "The encoding the file was decoded with"),
        Column("status", "string", "ok, incomplete (cells missing) or failed (not read)"),
        Column("n_issues", "Int64", "Number of rows for this report in the issues table"),
        Column("n_errors", "Int64", "Number of those with severity error"),
    ),
    "requests": (
        Column("report_id", "string", "See reports"),
        Column("row_code", "string", "Table-三 row (see the row codes)"),
        Column("applicant_code", "string", "Table-三 column (see the applicant codes)"),
        Column("count", "Int64", "The number printed; empty (NA) when the document does not hold it"),
        *_CELL_PROVENANCE,
    ),
    "reviews": (
        Column("report_id", "string", "See reports"),
        Column("proceeding", "string", "review, litigation_direct or litigation_after_review"),
        Column("outcome", "string", "upheld, corrected, other, pending or total"),
        Column("count", "Int64", "The number printed; NA when the document does not hold it"),
        *_CELL_PROVENANCE,
    ),
    "proactive": (
        Column("report_id", "string", "See reports"),
        Column("item_code", "string", "Table-二 item"),
        Column("measure", "string", "Table-二 column of that item"),
        Column("value", "Float64", "The number printed (fees in 10k yuan may be decimals); NA when absent"),
        *_CELL_PROVENANCE,
    ),
    "facts": (
        Column("report_id", "string", "See reports"),
        Column("fact_code", "string", "What the prose states (see the fact codes)"),
        Column("value", "Float64", "The number stated"),
        Column("unit", "string", "件, 条 or 元"),
        Column("sentence", "string", "The sentence the number was read from"),
        Column("source_line", "Int64", "Line of the file the number stands on"),
        Column("source_page", "Int64", "PDF page of that line (NA for text and HTML)"),
    ),
    "issues": (
        Column("report_id", "string", "See reports"),
        Column("check", "string", "Which check found it (see the check codes)"),
        Column("severity", "string", "error (a number is wrong or missing), warning or info"),
        Column("expected", "string", "What the check expected, where it applies"),
        Column("actual", "string", "What the document holds"),
        Column("location", "string", "Where: line N, or a row/column of a table"),
        Column("message", "string", "The problem in plain words"),
    ),
}


def empty(table: str) -> pd.DataFrame:
    """An empty DataFrame with the table's columns and dtypes."""
    return frame(table, [])


def frame(table: str, records: list[dict]) -> pd.DataFrame:
    """Build a table from records, with exactly the declared columns and dtypes.

    >>> frame("facts", [{"report_id": "r", "fact_code": "new_received", "value": 3, "unit": "件"}]).dtypes["value"]
    Float64Dtype()
    """
    return frame_from_columns(table, {c.name: [r.get(c.name) for r in records] for c in TABLES[table]})


def frame_from_columns(table: str, columns: dict[str, list]) -> pd.DataFrame:
    """Build a table from lists of column values (all of the declared columns, equal lengths).

    >>> frame_from_columns("facts", {c.name: [] for c in TABLES["facts"]}).shape
    (0, 7)
    """
    return pd.DataFrame({c.name: _array(columns[c.name], c.dtype) for c in TABLES[table]})


def _array(values: list, dtype: str):
    if dtype == "string":
        try:  # through Arrow: four times faster than pandas' own conversion of a list of str
            return pd.array(pa.array(values, type=pa.large_string()), dtype=dtype)
        except (pa.ArrowTypeError, pa.ArrowInvalid):  # a value that is not a str: let pandas convert it
            pass
    return pd.array(values, dtype=dtype)
