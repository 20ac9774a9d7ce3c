"""The identities (勾稽关系) a published report satisfies, declared once and evaluated on numbers.

They are part of the data contract: the template prints the first in its own header (第一项加第二项之和，
等于第三项加第四项之和), and the others follow from its tables. :data:`IDENTITIES` declares each with the
check that reports it, for the documentation; the functions below evaluate them on a report's cells. Both
the validation (:mod:`xxgk.validate`) and the recovery of lost cells (:mod:`xxgk.parse.recover`, which
only accepts a placement when every identity holds) use these same functions, so the parser and the checks
can never disagree on what "adds up" means.

An identity is evaluated only where every cell it needs is printed: a missing cell is reported once, by
the completeness checks, not again as a broken identity.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from xxgk.contract import codes
from xxgk.contract.checks import Issue

_APPLICANTS = codes.codes(codes.APPLICANTS)


@dataclass(frozen=True)
class Identity:
    """An identity: the check that reports it, where it applies, and its formula in words."""

    check: str
    table: str
    applies_to: str
    formula: str
    zh: str
    hint: bool = False  # a hint, not a law: broken legitimately at times (reported as a warning)


IDENTITIES: tuple[Identity, ...] = (
    Identity(
        "identity_balance",
        "三",
        "every applicant column",
        "new_received + carried_over = total_processed + carried_forward",
        "第一项加第二项之和，等于第三项加第四项之和",
    ),
    Identity(
        "identity_outcomes",
        "三",
        "every applicant column",
        "total_processed = the sum of the outcome rows (granted … other_other: 21 rows; 2019 template: granted … "
        "other_processed, 19 rows)",
        "（七）总计 = 各项办理结果之和",
    ),
    Identity(
        "identity_row_total",
        "三",
        "every row",
        "natural_person + commercial + research + social_welfare + legal_services + other_org = total",
        "各类申请人之和 = 总计",
    ),
    Identity(
        "identity_review_block",
        "四",
        "every proceeding (review, litigation_direct, litigation_after_review)",
        "upheld + corrected + other + pending = total",
        "结果维持 + 结果纠正 + 其他结果 + 尚未审结 = 总计",
    ),
    Identity(
        "cross_year",
        "三",
        "every applicant column, consecutive years of one agency",
        "carried_over(t) = carried_forward(t − 1)",
        "本年上年结转 = 上年结转下年度",
    ),
    Identity(
        "cross_year",
        "二",
        "regulations and normative_documents, consecutive years of one agency",
        "in_force(t) = in_force(t − 1) + issued(t) − repealed(t)",
        "本年现行有效 = 上年现行有效 + 本年制发 − 本年废止",
        hint=True,
    ),
)


def number(cell) -> Decimal | None:
    """A cell's number: None for a cell not in the document (None) or printed as "/" (no number)."""
    return None if cell is None else cell.number


def any_none(numbers) -> bool:
    """``None in numbers`` without comparing: Decimal == None goes through the numbers ABCs, 50× slower."""
    return any(n is None for n in numbers)


def fmt(n: int | Decimal) -> str:
    """A number as an issue prints it: whole numbers without a decimal point.

    >>> fmt(Decimal("12.0")), fmt(Decimal("1.50")), fmt(7)
    ('12', '1.50', '7')
    """
    if type(n) is int:  # a count read from plain digits, or a sum of them
        return str(n)
    return format(n.normalize(), "f") if n == n.to_integral() else str(n)


def identity_failures(requests: dict, rows: list[str], template: str) -> list[Issue]:
    """The table-三 identities that fail, evaluated wherever every cell they need is printed.

    Used by :func:`validate` and, on trial placements, by :mod:`xxgk.parse.recover`.
    """
    numbers = {code: [number(c) for c in cells] for code, cells in requests.items()}
    return _row_totals(requests, numbers, rows) + _column_identities(numbers, rows, template)


def _row_totals(requests: dict, numbers: dict, rows: list[str]) -> list[Issue]:
    issues = []
    for code in rows:
        nums = numbers.get(code, ())
        if len(nums) != len(_APPLICANTS) or any_none(nums):
            continue
        expected = sum(nums[:-1])
        if expected != nums[-1]:
            line = requests[code][-1].line
            issues.append(
                Issue(
                    "identity_row_total",
                    "error",
                    f"In row {code} the six applicant columns sum to {fmt(expected)} but the total "
                    f"column prints {fmt(nums[-1])}",
                    f"line {line}",
                    fmt(expected),
                    fmt(nums[-1]),
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
        if not any_none((new, over, total, forward)) and new + over != total + forward:
            issues.append(
                Issue(
                    "identity_balance",
                    "error",
                    f"Column {column}: new_received + carried_over = {fmt(new + over)} but "
                    f"total_processed + carried_forward = {fmt(total + forward)}",
                    f"table 三, column {column}",
                    fmt(new + over),
                    fmt(total + forward),
                )
            )
        outcomes = [row[i] for row in outcome_rows]
        if total is not None and outcomes and not any_none(outcomes) and sum(outcomes) != total:
            issues.append(
                Issue(
                    "identity_outcomes",
                    "error",
                    f"Column {column}: the outcome rows sum to {fmt(sum(outcomes))} but "
                    f"total_processed prints {fmt(total)}",
                    f"table 三, column {column}",
                    fmt(sum(outcomes)),
                    fmt(total),
                )
            )
    return issues


def review_block_failure(proceeding: str, cells: list) -> Issue | None:
    """The table-四 identity of one proceeding, where its five cells are printed (None when it holds)."""
    nums = [number(c) for c in cells]
    if any_none(nums) or sum(nums[:4]) == nums[4]:
        return None
    return Issue(
        "identity_review_block",
        "error",
        f"Table 四, {proceeding}: upheld + corrected + other + pending = {fmt(sum(nums[:4]))} but "
        f"total prints {fmt(nums[4])}",
        f"line {cells[4].line}",
        fmt(sum(nums[:4])),
        fmt(nums[4]),
    )


# ---------------------------------------------------------------------------------------------------------
# The column identities of table 三 as linear equations, for solving cells jointly (xxgk.parse.runs)


@dataclass(frozen=True)
class Equation:
    """One column identity of table 三 on one applicant column: the sum of ``plus`` rows equals the sum of
    ``minus`` rows (cells are (row, column index) pairs)."""

    check: str
    column: int
    plus: tuple[str, ...]
    minus: tuple[str, ...]


def column_equations(rows: list[str], template: str) -> list[Equation]:
    """The column identities of table 三 (balance and outcomes) on every applicant column, as equations.

    The same identities :func:`identity_failures` evaluates: both are declared in :data:`IDENTITIES`, and a
    test checks that the two agree on random numbers.

    >>> [e.check for e in column_equations(codes.request_rows("2021"), "2021")][:2]
    ['identity_balance', 'identity_outcomes']
    """
    outcome_rows = tuple(r for r in codes.outcome_rows(template) if r in rows)
    equations = []
    for i in range(len(_APPLICANTS)):
        equations.append(
            Equation(
                "identity_balance",
                i,
                ("new_received", "carried_over"),
                ("total_processed", "carried_forward"),
            )
        )
        if outcome_rows:
            equations.append(Equation("identity_outcomes", i, outcome_rows, ("total_processed",)))
    return equations
