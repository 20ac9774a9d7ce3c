"""The report's own arithmetic (FORMAT.md identities), completeness and prose-vs-table, as issues.

Nothing here changes a number: a broken identity is reported with what was expected and what is printed.
An identity is checked only where every cell it needs is printed; missing cells are reported once, by the
completeness checks.
"""

from __future__ import annotations

from decimal import Decimal

from xxgk.contract import codes
from xxgk.parse.report import Issue, Report

_APPLICANTS = codes.codes(codes.APPLICANTS)
_OUTCOMES = codes.codes(codes.OUTCOMES)


def _num(cell) -> Decimal | None:
    return None if cell is None else cell.number


def _any_none(numbers) -> bool:
    """``None in numbers`` without comparing: Decimal == None goes through the numbers ABCs, 50× slower."""
    return any(n is None for n in numbers)


def _fmt(n: Decimal) -> str:
    return format(n.normalize(), "f") if n == n.to_integral() else str(n)


def validate(report: Report) -> None:
    """Append every identity, completeness and prose-vs-table issue to ``report.issues``."""
    _completeness(report)
    report.issues.extend(identity_failures(report.requests, report.request_rows, report.template))
    _review_blocks(report)
    _prose_vs_table(report)


def _completeness(report: Report) -> None:
    rows = report.request_rows
    present = [r for r in rows if any(c is not None for c in report.requests.get(r, [None]))]
    if not present:
        report.issue("table_missing", "error", "Table 三 (applications received and handled) was not found")
    else:
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
            line = max(c.line for c in report.requests[rows[last]] if c is not None)
            report.issue(
                "table_truncated",
                "error",
                f"Table 三 stops after row {rows[last]} (line {line}); the {len(after)} later rows "
                f"({', '.join(after)}) are not in the document and are NA",
                f"line {line}",
                expected=len(rows),
                actual=last + 1,
            )
        for code in present:
            cells = report.requests[code]
            gaps = [_APPLICANTS[i] for i, c in enumerate(cells) if c is None]
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
        if report.requests[code][-1] is None and any(c is not None for c in report.requests[code][:-1])
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
    if not any(c is not None for block in report.reviews.values() for c in block):
        if not any(i.check.startswith("table4") for i in report.issues):
            report.issue("table_missing", "error", "Table 四 (reviews and litigation) was not found")
    elif not any(i.check == "table4_incomplete" for i in report.issues):
        for proceeding, cells in report.reviews.items():
            gaps = [_OUTCOMES[i] for i, c in enumerate(cells) if c is None]
            if gaps:
                report.issue(
                    "cell_missing",
                    "error",
                    f"Table 四, {proceeding} has no number for {', '.join(gaps)}: blank in the document "
                    "or lost in extraction (NA)",
                    f"table 四, {proceeding}",
                )
    if not any(v is not None for v in report.proactive.values()):
        report.issue("table_missing", "error", "Table 二 (proactive disclosure) was not found")
    else:
        for (item, measure), cell in report.proactive.items():
            if cell is None:
                report.issue(
                    "cell_missing",
                    "error",
                    f"Table 二 has no printed value for {item} / {measure} (NA)",
                    f"table 二, {item}",
                )


def identity_failures(requests: dict, rows: list[str], template: str) -> list[Issue]:
    """The table-三 identities that fail, evaluated wherever every cell they need is printed.

    Used by :func:`validate` and, on trial placements, by :mod:`xxgk.parse.recover`.
    """
    numbers = {code: [None if c is None else c.number for c in cells] for code, cells in requests.items()}
    return _row_totals(requests, numbers, rows) + _column_identities(numbers, rows, template)


def _row_totals(requests: dict, numbers: dict, rows: list[str]) -> list[Issue]:
    issues = []
    for code in rows:
        nums = numbers.get(code, ())
        if len(nums) != len(_APPLICANTS) or _any_none(nums):
            continue
        expected = sum(nums[:-1])
        if expected != nums[-1]:
            line = requests[code][-1].line
            issues.append(
                Issue(
                    "identity_row_total",
                    "error",
                    f"In row {code} the six applicant columns sum to {_fmt(expected)} but the total "
                    f"column prints {_fmt(nums[-1])}",
                    f"line {line}",
                    _fmt(expected),
                    _fmt(nums[-1]),
                )
            )
    return issues


_NO_ROW = (None,) * len(_APPLICANTS)


def _column_identities(numbers: dict, rows: list[str], template: str) -> list[Issue]:
    issues = []
    outcome_rows = [numbers.get(r) or _NO_ROW for r in codes.outcome_rows(template) if r in rows]
    balance = [
        numbers.get(r) or _NO_ROW
        for r in ("new_received", "carried_over", "total_processed", "carried_forward")
    ]
    for i, column in enumerate(_APPLICANTS):
        new, over, total, forward = (row[i] for row in balance)
        if not _any_none((new, over, total, forward)) and new + over != total + forward:
            issues.append(
                Issue(
                    "identity_balance",
                    "error",
                    f"Column {column}: new_received + carried_over = {_fmt(new + over)} but "
                    f"total_processed + carried_forward = {_fmt(total + forward)}",
                    f"table 三, column {column}",
                    _fmt(new + over),
                    _fmt(total + forward),
                )
            )
        outcomes = [row[i] for row in outcome_rows]
        if total is not None and outcomes and not _any_none(outcomes) and sum(outcomes) != total:
            issues.append(
                Issue(
                    "identity_outcomes",
                    "error",
                    f"Column {column}: the outcome rows sum to {_fmt(sum(outcomes))} but "
                    f"total_processed prints {_fmt(total)}",
                    f"table 三, column {column}",
                    _fmt(sum(outcomes)),
                    _fmt(total),
                )
            )
    return issues


def _review_blocks(report: Report) -> None:
    for proceeding, cells in report.reviews.items():
        nums = [_num(c) for c in cells]
        if any(n is None for n in nums):
            continue
        if sum(nums[:4]) != nums[4]:
            report.issue(
                "identity_review_block",
                "error",
                f"Table 四, {proceeding}: upheld + corrected + other + pending = {_fmt(sum(nums[:4]))} but "
                f"total prints {_fmt(nums[4])}",
                f"line {cells[4].line}",
                expected=_fmt(sum(nums[:4])),
                actual=_fmt(nums[4]),
            )


def table_value(report: Report, fact_code: str) -> tuple[Decimal | None, str]:
    """The table cell a prose fact describes, and a name for it (litigation sums both proceedings)."""
    if fact_code in codes.FACT_TABLE_CELLS:
        table, row, column = codes.FACT_TABLE_CELLS[fact_code]
        if table == "requests":
            cells = report.requests.get(row)
            value = _num(cells[_APPLICANTS.index(column)]) if cells else None
        else:
            value = _num(report.reviews.get(row, [None] * 5)[_OUTCOMES.index(column)])
        return value, f"{table} {row}/{column}"
    if fact_code.startswith("litigation_"):
        outcome = fact_code.removeprefix("litigation_")
        parts = [
            _num(report.reviews.get(p, [None] * 5)[_OUTCOMES.index(outcome)])
            for p in codes.LITIGATION_PROCEEDINGS
        ]
        value = None if None in parts else sum(parts)
        return value, f"reviews litigation_direct + litigation_after_review / {outcome}"
    return None, ""


def _prose_vs_table(report: Report) -> None:
    for fact in report.facts:
        value, where = table_value(report, fact["fact_code"])
        if not where:
            continue
        stated = Decimal(str(fact["value"]))
        if value is None:
            report.issue(
                "prose_vs_table",
                "warning",
                f"The prose states {fact['fact_code']} = {_fmt(stated)} but the table cell ({where}) is "
                f"not in the document",
                f"line {fact['source_line']}",
                expected=_fmt(stated),
                actual="NA",
            )
        elif value != stated:
            report.issue(
                "prose_vs_table",
                "warning",
                f"The prose states {fact['fact_code']} = {_fmt(stated)} but the table ({where}) prints "
                f"{_fmt(value)}",
                f"line {fact['source_line']}",
                expected=_fmt(stated),
                actual=_fmt(value),
            )


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
        a = _num(before[i]) if i < len(before) else None
        b = _num(now[i]) if i < len(now) else None
        if a is not None and b is not None and a != b:
            later.issue(
                "cross_year",
                "error",
                f"Column {column}: carried_over {year} = {_fmt(b)} but {earlier.report_id} "
                f"({year - 1}) carried forward {_fmt(a)}",
                f"table 三, row carried_over, column {column}",
                expected=_fmt(a),
                actual=_fmt(b),
            )


def _in_force(earlier: Report, later: Report, year: int) -> None:
    for item in ("regulations", "normative_documents"):
        prev = _num(earlier.proactive.get((item, "in_force")))
        cur, issued, repealed = (
            _num(later.proactive.get((item, m))) for m in ("in_force", "issued", "repealed")
        )
        if None in (prev, cur, issued, repealed):
            continue
        expected = prev + issued - repealed
        if expected != cur:
            later.issue(
                "cross_year",
                "warning",
                f"Table 二 {item}: in_force {year - 1} ({_fmt(prev)}) + issued ({_fmt(issued)}) − repealed "
                f"({_fmt(repealed)}) = {_fmt(expected)}, but {year} prints in_force {_fmt(cur)} (a hint: "
                "reorganisations break it)",
                f"table 二, {item}",
                expected=_fmt(expected),
                actual=_fmt(cur),
            )
