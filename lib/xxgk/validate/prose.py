"""Prose against tables: a number the text states should equal the table cell it describes."""

from __future__ import annotations

from decimal import Decimal

from xxgk.contract import codes
from xxgk.contract.identities import fmt, number
from xxgk.parse.report import Report

_APPLICANTS = codes.codes(codes.APPLICANTS)
_OUTCOMES = codes.codes(codes.OUTCOMES)


def table_value(report: Report, fact_code: str) -> tuple[Decimal | None, str]:
    """The table cell a prose fact describes, and a name for it (litigation sums both proceedings)."""
    if fact_code in codes.FACT_TABLE_CELLS:
        table, row, column = codes.FACT_TABLE_CELLS[fact_code]
        if table == "requests":
            cells = report.requests.get(row)
            value = number(cells[_APPLICANTS.index(column)]) if cells else None
        else:
            value = number(report.reviews.get(row, [None] * 5)[_OUTCOMES.index(column)])
        return value, f"{table} {row}/{column}"
    if fact_code.startswith("litigation_"):
        outcome = fact_code.removeprefix("litigation_")
        parts = [
            number(report.reviews.get(p, [None] * 5)[_OUTCOMES.index(outcome)])
            for p in codes.LITIGATION_PROCEEDINGS
        ]
        value = None if None in parts else sum(parts)
        return value, f"reviews litigation_direct + litigation_after_review / {outcome}"
    return None, ""


def check_prose(report: Report) -> None:
    for fact in report.facts:
        value, where = table_value(report, fact["fact_code"])
        if not where:
            continue
        stated = Decimal(str(fact["value"]))
        if value is None:
            printed = _refused(report, fact["fact_code"])
            report.issue(
                "prose_vs_table",
                "warning",
                f"The prose states {fact['fact_code']} = {fmt(stated)} but the table cell ({where}) is "
                + (f"printed as {printed!r}, not a number (NA)" if printed else "not in the document"),
                f"line {fact['source_line']}",
                expected=fmt(stated),
                actual="NA",
            )
        elif value != stated:
            report.issue(
                "prose_vs_table",
                "warning",
                f"The prose states {fact['fact_code']} = {fmt(stated)} but the table ({where}) prints "
                f"{fmt(value)}",
                f"line {fact['source_line']}",
                expected=fmt(stated),
                actual=fmt(value),
            )


def _refused(report: Report, fact_code: str) -> str:
    """What the table cell a fact describes prints, when the parser refused it (15件, -1); else ""."""
    if fact_code not in codes.FACT_TABLE_CELLS:
        return ""
    table, row, column = codes.FACT_TABLE_CELLS[fact_code]
    if table == "requests":
        return report.refused.get(("三", row, _APPLICANTS.index(column)), "")
    return report.refused.get(("四", row, _OUTCOMES.index(column)), "")
