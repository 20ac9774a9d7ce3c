"""Across years of one agency: what one report carries forward, the next carries over."""

from __future__ import annotations

from xxgk.contract import codes
from xxgk.contract.identities import fmt, number
from xxgk.parse.report import Report

_APPLICANTS = codes.codes(codes.APPLICANTS)


def cross_year(reports: list[Report]) -> None:
    """Consecutive years of one agency: carried_over(t) = carried_forward(t−1) per column (an error when
    broken), and in_force(t) = in_force(t−1) + issued(t) − repealed(t) for table 二 (a warning: a
    reorganisation legitimately breaks it). Issues go to the later report."""
    by_key = {}
    for r in reports:
        agency, year = (r.meta or {}).get("agency"), (r.meta or {}).get("year")
        if agency and year and not r.failed:
            by_key.setdefault((agency, year), []).append(r)
    for (agency, year), later_reports in by_key.items():
        for earlier in by_key.get((agency, year - 1), []):
            for later in later_reports:
                _carry(earlier, later, year)
                _in_force(earlier, later, year)


def _carry(earlier: Report, later: Report, year: int) -> None:
    before = earlier.requests.get("carried_forward") or []
    now = later.requests.get("carried_over") or []
    for i, column in enumerate(_APPLICANTS):
        a = number(before[i]) if i < len(before) else None
        b = number(now[i]) if i < len(now) else None
        if a is not None and b is not None and a != b:
            later.issue(
                "cross_year",
                "error",
                f"Column {column}: carried_over {year} = {fmt(b)} but {earlier.report_id} "
                f"({year - 1}) carried forward {fmt(a)}",
                f"table 三, row carried_over, column {column}",
                expected=fmt(a),
                actual=fmt(b),
            )


def _in_force(earlier: Report, later: Report, year: int) -> None:
    for item in ("regulations", "normative_documents"):
        prev = number(earlier.proactive.get((item, "in_force")))
        cur, issued, repealed = (
            number(later.proactive.get((item, m))) for m in ("in_force", "issued", "repealed")
        )
        if None in (prev, cur, issued, repealed):
            continue
        expected = prev + issued - repealed
        if expected != cur:
            later.issue(
                "cross_year",
                "warning",
                f"Table 二 {item}: in_force {year - 1} ({fmt(prev)}) + issued ({fmt(issued)}) − repealed "
                f"({fmt(repealed)}) = {fmt(expected)}, but {year} prints in_force {fmt(cur)} (a hint: "
                "reorganisations break it)",
                f"table 二, {item}",
                expected=fmt(expected),
                actual=fmt(cur),
            )
