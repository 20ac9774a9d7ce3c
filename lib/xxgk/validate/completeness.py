"""Completeness: which tables, rows and cells of the template the document does not hold.

Each missing piece is reported once, here; the identities skip what is missing instead of reporting it
again as a broken sum. A cell that is printed but refused (15件, -1: ``Report.refused``, reported by the
parser with what it prints) is not missing, and is never called blank here.
"""

from __future__ import annotations

from xxgk.contract import codes
from xxgk.parse.report import Report

_APPLICANTS = codes.codes(codes.APPLICANTS)
_OUTCOMES = codes.codes(codes.OUTCOMES)
_TOTAL = len(_APPLICANTS) - 1  # the total column's index


def check_completeness(report: Report) -> None:
    """Report every table, row and cell of the template that the document does not hold."""
    present = [r for r in report.request_rows if _printed(report, "三", r, report.requests.get(r, [None]))]
    if not present:
        report.issue("table_missing", "error", "Table 三 (applications received and handled) was not found")
    else:
        _table3_rows(report, present)
        _table3_cells(report, present)
    _table4(report)
    _table2(report)


def _table3_rows(report: Report, present: list[str]) -> None:
    """Given the rows that print a number: rows missing before the last of them, or cut off after it."""
    rows = report.request_rows
    last = max(rows.index(r) for r in present)
    for code in rows[:last]:
        if code in present:
            continue
        if code in report.row_labels:
            report.issue(
                "cell_missing",
                "error",
                f"Row {code} of table 三 is printed with every cell blank (NA)",
                f"line {report.row_labels[code]}",
            )
        else:
            report.issue(
                "row_missing",
                "error",
                f"Row {code} of table 三 is not in the document; its cells are NA",
                f"table 三, row {code}",
            )
    if last < len(rows) - 1:
        after = rows[last + 1 :]
        line = max(
            (c.line for c in report.requests[rows[last]] if c is not None),
            default=report.row_labels.get(rows[last], 0),
        )
        report.issue(
            "table_truncated",
            "error",
            f"Table 三 stops after row {rows[last]} (line {line}); the {len(after)} later rows "
            f"({', '.join(after)}) are not in the document and are NA",
            f"line {line}",
            expected=len(rows),
            actual=last + 1,
        )


def _table3_cells(report: Report, present: list[str]) -> None:
    """Given the rows that print a number: their blank cells, and a total column left blank."""
    for code in present:
        gaps = _blank(report, "三", code, report.requests[code], _APPLICANTS)
        if gaps:
            report.issue(
                "cell_missing",
                "error",
                f"Row {code} of table 三 has no number for {', '.join(gaps)}: blank in the document or "
                "lost in extraction (NA)",
                f"table 三, row {code}",
            )
    blank_totals = [
        code
        for code in present
        if report.requests[code][-1] is None
        and ("三", code, _TOTAL) not in report.refused
        and any(c is not None for c in report.requests[code][:-1])
    ]
    if len(blank_totals) >= 2:
        report.issue(
            "blank_total",
            "warning",
            f"The total column is blank in {len(blank_totals)} rows that print other numbers "
            f"({', '.join(blank_totals)}); left NA, so their row identity cannot be checked",
            "table 三, column total",
            actual=len(blank_totals),
        )


def _table4(report: Report) -> None:
    """Table 四 missing, or its blank cells (unless the reader already said it is incomplete)."""
    if not any(_printed(report, "四", p, cells) for p, cells in report.reviews.items()):
        if not any(i.check.startswith("table4") for i in report.issues):
            report.issue("table_missing", "error", "Table 四 (reviews and litigation) was not found")
        return
    if any(i.check == "table4_incomplete" for i in report.issues):
        return
    for proceeding, cells in report.reviews.items():
        gaps = _blank(report, "四", proceeding, cells, _OUTCOMES)
        if gaps:
            report.issue(
                "cell_missing",
                "error",
                f"Table 四, {proceeding} has no number for {', '.join(gaps)}: blank in the document "
                "or lost in extraction (NA)",
                f"table 四, {proceeding}",
            )


def _table2(report: Report) -> None:
    """Table 二 missing, or its measures without a printed value."""
    if not any(v is not None or ("二", *key) in report.refused for key, v in report.proactive.items()):
        report.issue("table_missing", "error", "Table 二 (proactive disclosure) was not found")
        return
    for (item, measure), cell in report.proactive.items():
        if cell is None and ("二", item, measure) not in report.refused:
            report.issue(
                "cell_missing",
                "error",
                f"Table 二 has no printed value for {item} / {measure} (NA)",
                f"table 二, {item}",
            )


def _printed(report: Report, table: str, key: str, cells: list) -> bool:
    """A row prints something: a number or mark, or a cell refused for what it prints."""
    if not report.refused:  # (most reports)
        return any(c is not None for c in cells)
    return any(c is not None or (table, key, i) in report.refused for i, c in enumerate(cells))


def _blank(report: Report, table: str, key: str, cells: list, columns: tuple[str, ...]) -> list[str]:
    """The columns of a row with nothing in them (NA and not refused for what they print)."""
    if None not in cells:  # (most rows)
        return []
    return [columns[i] for i, c in enumerate(cells) if c is None and (table, key, i) not in report.refused]
