"""Placing numbers whose cells the document lost, only where the report's identities leave one answer.

Two kinds of damage are repaired here, and nothing else:

- **glued digit runs** — web text that dropped the cell separators ("640020470" for 64 0 0 2 0 4 70). A
  run is split into the row's seven cells; a split must give every part without leading zeros and make the
  six applicant columns sum to the total. When several splits pass, the column identities of table 三
  choose among them; a run that still has more than one reading stays NA with an issue listing them.
- **scrambled rows** — extractions that print some value rows away from their labels. Value rows left
  without a label are given to the labels left without values, in document order, only when the result
  satisfies every identity of the table; otherwise they stay unplaced, with an issue.

Every cell placed here has ``cell_status = derived`` and an info issue saying how it was placed.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from decimal import Decimal

from xxgk.contract import codes
from xxgk.contract.identities import identity_failures
from xxgk.parse.report import Report, Table3
from xxgk.read.lines import Value

WIDTH = len(codes.APPLICANTS)
#: Longest run we try to split (C(39, 6) ≈ 3.3 M compositions before pruning; real rows are ≤ 25 digits).
MAX_RUN = 40
#: Most combinations of ambiguous rows we test against the column identities.
MAX_COMBINATIONS = 20_000


def is_digit_run(raw: str) -> bool:
    """A printed number that may be cells glued together: seven digits or more, or a run with a leading zero.

    >>> is_digit_run("640020470"), is_digit_run("0000"), is_digit_run("0"), is_digit_run("1234")
    (True, True, False, False)
    """
    return raw.isdigit() and (len(raw) >= WIDTH or (len(raw) > 1 and raw.startswith("0")))


def splits(digits: str, parts: int) -> Iterator[list[int]]:
    """Every way to cut a digit run into ``parts`` numbers printed without leading zeros.

    >>> list(splits("1000", 2))
    [[100, 0]]
    >>> len(list(splits("0000000", 7)))
    1
    """
    n = len(digits)
    if parts == 1:
        if digits and (digits == "0" or digits[0] != "0"):
            yield [int(digits)]
        return
    if digits[:1] == "0":
        for rest in splits(digits[1:], parts - 1):
            yield [0, *rest]
        return
    for cut in range(1, n - parts + 2):
        for rest in splits(digits[cut:], parts - 1):
            yield [int(digits[:cut]), *rest]


def row_splits(digits: str) -> list[list[int]]:
    """Splits of a table-三 row's run where the six applicant columns sum to the total.

    >>> row_splits("640020470")
    [[64, 0, 0, 2, 0, 4, 70]]
    """
    if len(digits) < WIDTH or len(digits) > MAX_RUN:
        return []
    return [s for s in splits(digits, WIDTH) if sum(s[:-1]) == s[-1]]


def _values(numbers: list[int], source: Value) -> list[Value | None]:
    """A split's numbers as cells, on the run's line, marked derived."""
    return [Value(Decimal(n), source.line, str(n), derived=True) for n in numbers]


def split_glued_rows(report: Report, table: Table3) -> None:
    """Split every glued run; resolve ambiguous ones jointly by the column identities."""
    if not table.glued:
        return
    candidates = {code: row_splits(run.raw) for code, run in table.glued.items()}
    ambiguous = {code: c for code, c in candidates.items() if len(c) > 1}
    for code, options in candidates.items():
        if len(options) == 1:
            report.requests[code] = _values(options[0], table.glued[code])
    if ambiguous:
        passing = _passing_combinations(report, table, ambiguous)
        if len(passing) == 1:
            for code, numbers in zip(ambiguous, passing[0], strict=False):
                report.requests[code] = _values(numbers, table.glued[code])
                candidates[code] = [numbers]
    for code, run in table.glued.items():
        _report_split(report, code, run, candidates[code], code in ambiguous)


def _passing_combinations(
    report: Report, table: Table3, ambiguous: dict[str, list[list[int]]]
) -> list[tuple]:
    """Given rows with several splits each: every combination of their splits under which the identities hold.

    None are tried (an empty list) when there are more than MAX_COMBINATIONS.
    """
    combos = list(itertools.islice(itertools.product(*ambiguous.values()), MAX_COMBINATIONS + 1))
    if len(combos) > MAX_COMBINATIONS:
        return []
    passing = []
    for combo in combos:
        trial = dict(report.requests)
        for code, numbers in zip(ambiguous, combo, strict=False):
            trial[code] = _values(numbers, table.glued[code])
        if not identity_failures(trial, report.request_rows, report.template):
            passing.append(combo)
    return passing


def _report_split(report: Report, code: str, run: Value, options: list[list[int]], ambiguous: bool) -> None:
    """Given a glued run after splitting: an info issue naming the split placed, or an error listing the
    candidates when none was."""
    where = f"line {run.line}"
    first = report.requests[code][0]
    if first is not None and first.derived:
        how = (
            "the only split"
            if len(options) == 1 and not ambiguous
            else "the only split that also satisfies the column identities"
        )
        report.issue(
            "glued_digits",
            "info",
            f"Row {code} is printed as one run of digits {run.raw}; split as "
            f"{' '.join(map(str, options[0]))} ({how}); marked derived",
            where,
            actual=run.raw,
        )
    else:
        listed = "; ".join(" ".join(map(str, o)) for o in options[:10]) or "none"
        report.issue(
            "glued_digits",
            "error",
            f"Row {code} is printed as one run of digits {run.raw} that cannot be split with "
            f"certainty (candidates: {listed}); the row is NA",
            where,
            actual=run.raw,
        )


def pair_orphan_rows(report: Report, table: Table3) -> None:
    """Give label-less value rows to value-less labels, in document order, if every identity then holds."""
    labels = [code for code in table.unfilled if code in report.request_rows]
    rows = table.orphan_rows
    if not rows and not labels:
        return
    if labels and len(rows) == len(labels) and _pair(report, labels, rows):
        return
    for cells in rows:
        report.issue(
            "orphan_values",
            "warning",
            "A row of numbers with no label was not placed: pairing such rows with the "
            f"{len(labels)} labels left without numbers ({', '.join(labels) or 'none'}) is not confirmed "
            "by the identities",
            f"line {cells[0].line}",
            actual=" ".join(c.raw for c in cells if c),
        )


def _pair(report: Report, labels: list[str], rows: list[list[Value | None]]) -> bool:
    """Given as many label-less rows as value-less labels: pair them in order if every identity then holds."""
    trial = dict(report.requests)
    for code, cells in zip(labels, rows, strict=False):
        trial[code] = [c._replace(derived=True) if c is not None else None for c in cells]
    if identity_failures(trial, report.request_rows, report.template) or not _paired_rows_checked(
        trial, labels, report
    ):
        return False
    report.requests.update({code: trial[code] for code in labels})
    pairs = ", ".join(f"{code} ← line {cells[0].line}" for code, cells in zip(labels, rows, strict=False))
    report.issue(
        "rows_paired",
        "info",
        f"{len(rows)} value rows printed away from their labels were paired with them in document "
        f"order; every identity of table 三 holds with them; marked derived: {pairs}",
        f"lines {rows[0][0].line}-{rows[-1][0].line}",
    )
    return True


def _paired_rows_checked(trial: dict, labels: list[str], report: Report) -> bool:
    """Each paired row must take part in a column identity that could be evaluated (all its cells printed)."""
    balance = ("new_received", "carried_over", "total_processed", "carried_forward")
    outcome = codes.outcome_rows(report.template)
    for code in labels:
        rows = outcome + ["total_processed"] if code in outcome else list(balance)
        for i in range(WIDTH):
            if any(
                trial.get(r) is None or trial[r][i] is None or trial[r][i].number is None
                for r in rows
                if r in report.request_rows
            ):
                return False
    return True
