"""The derived measures researchers use, declared once with the cells they are computed from.

A *rate* is one sum of cells over another (:class:`Rate`); a *mix* splits a whole into parts, each part over
the sum of the parts (:class:`Mix`). :mod:`xxgk.analysis.measures` computes them from these declarations,
``docs/measures.md`` is generated from them, and the charts take their labels and order from here.
(These are not the table-二 *measures* of :data:`xxgk.contract.codes.MEASURES`, which are printed columns.)

A rate reads table-三 cells by row code, in one applicant column (``total`` unless asked otherwise), and
table-四 cells by (proceeding, outcome). A cell that is NA (missing, or printed "/") makes the rate NA: it
is never counted as 0.
"""

from __future__ import annotations

from dataclasses import dataclass

from xxgk.contract.codes import (
    APPLICANTS,
    OUTCOME_GROUPS,
    OUTCOMES,
    PROCEEDINGS,
    REQUEST_ROWS,
    Code,
    codes,
    group_rows,
)

#: The small-N guard, a rule of the data contract since its first version: "rates over tiny denominators
#: (under about 30) are shown with their counts and not ranked" (docs/measures.md states it from here).
#: Why about 30: at n = 30 the standard error of a proportion can reach 9 percentage points
#: (√(0.25/30) ≈ 0.09), too coarse to put agencies in order.
SMALL_N = 30

#: A cell a rate reads: a table-三 row code (in the applicant column asked for), or a table-四
#: (proceeding, outcome) pair.
Cell = str | tuple[str, str]


def _cell_name(cell: Cell) -> str:
    return cell if isinstance(cell, str) else ".".join(cell)


def _sum_text(cells: tuple[Cell, ...], less: tuple[Cell, ...] = ()) -> str:
    text = " + ".join(map(_cell_name, cells)) + "".join(f" − {_cell_name(c)}" for c in less)
    return f"({text})" if len(cells) + len(less) > 1 else text


@dataclass(frozen=True)
class Rate(Code):
    """A rate: the sum of the ``numerator`` cells over the sum of the ``denominator`` cells.

    ``denominator_less`` holds cells subtracted from the denominator (pending reviews have no result yet);
    ``meaning`` says in words what the rate tells.

    >>> Rate("r", "率", "R", ("granted",), ("new_received", "carried_over"), meaning="").formula
    'granted / (new_received + carried_over)'
    """

    numerator: tuple[Cell, ...]
    denominator: tuple[Cell, ...]
    denominator_less: tuple[Cell, ...] = ()
    meaning: str = ""

    def __post_init__(self) -> None:
        rows, reviews = (
            set(codes(REQUEST_ROWS)),
            {(p, o) for p in codes(PROCEEDINGS) for o in codes(OUTCOMES)},
        )
        for cell in self.cells:
            if cell not in (rows if isinstance(cell, str) else reviews):
                raise ValueError(f"rate {self.code}: {cell!r} is not a table-三 row or a table-四 cell")

    @property
    def cells(self) -> tuple[Cell, ...]:
        """Every cell the rate reads: if any is NA, so is the rate."""
        return (*self.numerator, *self.denominator, *self.denominator_less)

    @property
    def formula(self) -> str:
        """The formula, written from the cells (so it cannot disagree with what is computed)."""
        return f"{_sum_text(self.numerator)} / {_sum_text(self.denominator, self.denominator_less)}"


#: The rates, in the order tables and charts show them.
RATES: tuple[Rate, ...] = (
    Rate(
        "substantive_disclosure_rate",
        "实质公开率",
        "Substantive disclosure rate",
        numerator=("granted", "partially_granted"),
        denominator=("total_processed",),
        meaning="Share of the requests handled that were granted in full or in part",
    ),
    Rate(
        "not_held_rate",
        "不掌握信息比例",
        "Not-held rate",
        numerator=("unable_not_held",),
        denominator=("total_processed",),
        meaning="Share of the requests handled that the agency answered by saying it does not hold the "
        "information (本机关不掌握相关政府信息)",
    ),
    Rate(
        "review_correction_rate",
        "复议纠错率",
        "Review correction rate",
        numerator=(("review", "corrected"),),
        denominator=(("review", "total"),),
        denominator_less=(("review", "pending"),),
        meaning="Share of the administrative reviews decided (pending ones left out) whose result was "
        "corrected",
    ),
    Rate(
        "litigation_rate",
        "被诉率",
        "Litigation rate",
        numerator=(("litigation_direct", "total"), ("litigation_after_review", "total")),
        denominator=("new_received",),
        meaning="Lawsuits of both kinds (direct, and after review) per new request",
    ),
    Rate(
        "backlog",
        "结转率",
        "Backlog",
        numerator=("carried_forward",),
        denominator=("new_received", "carried_over"),
        meaning="Share of the year's caseload (new and carried over) left to next year",
    ),
)


#: The outcome groups whose rows are reasons (不予公开, 无法提供, 不予处理, 其他处理): each has a reason mix.
REASON_GROUPS = ("denied", "unable", "not_processed", "other")


@dataclass(frozen=True)
class Mix(Code):
    """A mix: a whole split into parts, each part over the sum of the parts, so a report's shares add up to 1.

    ``categories`` are the codes the ``category`` column takes; ``part`` says what one category counts.
    """

    categories: tuple[str, ...]
    part: str


#: The mixes, in the order the notebooks show them.
MIXES: tuple[Mix, ...] = (
    Mix(
        "outcome_mix",
        "办理结果构成",
        "Outcome mix",
        OUTCOME_GROUPS,
        "The table-三 rows of one outcome group added up (the rows of the report's own template)",
    ),
    Mix(
        "reason_mix",
        "理由构成",
        "Reason mix",
        tuple(row for group in REASON_GROUPS for row in group_rows(group)),
        "One row of the group asked for: denied (the refusal mix: each denied_* row over the sum of the "
        "denied_* rows), unable, not_processed or other (2019: the single other_processed row)",
    ),
    Mix(
        "applicant_mix",
        "申请人构成",
        "Applicant mix",
        tuple(a for a in codes(APPLICANTS) if a != "total"),
        "One table-三 row (new_received unless asked otherwise) in one applicant column; the six columns "
        "without total",
    ),
)
