"""Reports into the output tables of :mod:`xxgk.contract.schema`, built column-wise once per corpus."""

from __future__ import annotations

import pandas as pd

from xxgk.contract import codes, schema
from xxgk.output.agencies import agencies_table, resolve_duplicates
from xxgk.parse.agency import identify
from xxgk.parse.report import Issue, Report
from xxgk.read.formats import unique_ids
from xxgk.validate import cross_year


class TableColumns:
    """Every output table as lists of column values, filled report by report.

    A corpus's tables are built column-wise and turned into DataFrames once (``frames``): a dict per row
    and a DataFrame per report would cost more than parsing.
    """

    def __init__(self) -> None:
        self.columns = {name: {c.name: [] for c in cols} for name, cols in schema.TABLES.items()}

    def add(self, report: Report) -> None:
        rid = report.report_id
        meta = report.meta or {}
        errors = sum(1 for i in report.issues if i.severity == "error")
        incomplete = any(i.check in _INCOMPLETE for i in report.issues)
        _append(
            self.columns["reports"],
            {
                "report_id": rid,
                "source_file": report.source_file,
                "sha256": report.sha256 or None,
                "agency": meta.get("agency"),
                "year": meta.get("year"),
                **identify(meta.get("agency"), meta.get("manifest_agency")),
                "template": report.template,
                "input_format": report.input_format,
                "encoding": report.encoding or None,
                "status": "failed" if report.failed else "incomplete" if incomplete else "ok",
                "n_issues": len(report.issues),
                "n_errors": errors,
                **{k: meta.get(k) for k in _PROVENANCE},
                "listed": bool(meta.get("listed")),
            },
        )
        if not report.failed:
            pages = report.line_pages
            rows = report.request_rows
            cells = [cell for row in rows for cell in report.requests[row]]
            _extend_cells(
                self.columns["requests"],
                "count",
                cells,
                report,
                rid,
                row_code=[row for row in rows for _ in _APPLICANT_CODES],
                applicant_code=_APPLICANT_CODES * len(rows),
            )
            cells = [cell for block in report.reviews.values() for cell in block]
            _extend_cells(
                self.columns["reviews"],
                "count",
                cells,
                report,
                rid,
                proceeding=[p for p in report.reviews for _ in _OUTCOME_CODES],
                outcome=_OUTCOME_CODES * len(report.reviews),
            )
            _extend_cells(
                self.columns["proactive"],
                "value",
                list(report.proactive.values()),
                report,
                rid,
                item_code=[item for item, _ in report.proactive],
                measure=[measure for _, measure in report.proactive],
            )
            for fact in report.facts:
                _append(
                    self.columns["facts"],
                    {"report_id": rid, **fact, "source_page": pages.get(fact["source_line"])},
                )
        for i in report.issues:
            _append(self.columns["issues"], issue_record(rid, i))

    def frames(self) -> dict[str, pd.DataFrame]:
        return {name: schema.frame_from_columns(name, columns) for name, columns in self.columns.items()}


_INCOMPLETE = frozenset(
    {
        "table_missing",
        "table_truncated",
        "row_missing",
        "cell_missing",
        "table4_incomplete",
        "not_a_count",
        "not_a_number",
    }
)
_PROVENANCE = ("manifest_agency", "source_url", "published_date")
_APPLICANT_CODES = codes.codes(codes.APPLICANTS)
_OUTCOME_CODES = codes.codes(codes.OUTCOMES)


def _append(columns: dict[str, list], record: dict) -> None:
    for name, values in columns.items():
        values.append(record.get(name))


def _extend_cells(
    columns: dict[str, list], value_column: str, cells: list, report: Report, rid: str, **keys: list
) -> None:
    """Append one table's cells: the key columns as given, then value, status and provenance per cell."""
    columns["report_id"].extend([rid] * len(cells))
    for name, values in keys.items():
        columns[name].extend(values)
    # (Most cells are a printed count, an int: they take the short branch of each expression. Value fields
    # are read by index, c[0] number, c[1] line, c[3] derived, c[4] col, c[5] ocr: a named field is a call.)
    columns[value_column].extend(
        [None if c is None else n if (n := c[0]).__class__ is int or n is None else _count(n) for c in cells]
    )
    columns["cell_status"].extend(
        [
            "missing" if c is None else "printed" if c[0] is not None and not (c[3] or c[5]) else c.status
            for c in cells
        ]
    )
    lines = [None if c is None else c[1] for c in cells]
    columns["source_line"].extend(lines)
    pages, grid = report.line_pages, report.line_cells
    columns["source_page"].extend(list(map(pages.get, lines)) if pages else [None] * len(cells))
    if not grid:
        columns["source_column"].extend([c[4] or None if c is not None else None for c in cells])
        columns["source_cell"].extend([None] * len(cells))
        return
    at = [None if line is None else grid.get(line) for line in lines]
    columns["source_column"].extend(
        [c[4] or None if c is not None and a is None else None for c, a in zip(cells, at, strict=True)]
    )
    columns["source_cell"].extend(
        [
            f"t{a[0]}:r{a[1]}:c{c[4]}" if a is not None and c[4] else None
            for c, a in zip(cells, at, strict=True)
        ]
    )


def _count(number):
    """A number as an int when whole (counts), else a float (fees in 10k yuan); None stays None."""
    if number is None or type(number) is int:  # (most cells: read as an int from plain digits)
        return number
    return int(number) if number == number.to_integral() else float(number)


def issue_record(report_id: str, issue: Issue) -> dict:
    """An issue as a row of the issues table."""
    return {
        "report_id": report_id,
        "check": issue.check,
        "severity": issue.severity,
        "expected": issue.expected or None,
        "actual": issue.actual or None,
        "location": issue.location or None,
        "message": issue.message,
        "text": issue.text or None,
    }


def _unique_ids(reports: list[Report]) -> None:
    """Reports parsed one by one (not through ``parse_many``) may share an id: made unique by the corpus rule
    (:func:`xxgk.read.formats.unique_ids`), told apart by their file names. Ids already unique stay."""
    ids = unique_ids([r.report_id for r in reports], [r.source_file for r in reports])
    for r, rid in zip(reports, ids, strict=True):
        r.report_id = rid


def to_tables(reports: list[Report]) -> dict[str, pd.DataFrame]:
    """Build every table once for a corpus (not per report: concatenating frames is the slow part)."""
    _unique_ids(reports)
    cross_year(reports)
    builder = TableColumns()
    for report in reports:
        builder.add(report)
    return across_reports(builder.frames())


def across_reports(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """What needs the whole corpus: duplicates resolved (their issues appended) and the agencies table."""
    reports, issues = resolve_duplicates(tables["reports"])
    tables["reports"] = reports
    if issues:
        tables["issues"] = pd.concat([tables["issues"], schema.frame("issues", issues)], ignore_index=True)
    tables["agencies"] = agencies_table(reports)
    return tables
