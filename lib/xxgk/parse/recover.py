"""Placing numbers whose cells the document lost, only where the report's identities leave one answer.

Two kinds of damage are repaired here, and nothing else:

- **glued digit runs** — web text that dropped the cell separators ("640020470" for 64 0 0 2 0 4 70). A
  run is split into the row's seven cells; a split must give every part without leading zeros and make the
  six applicant columns sum to the total. The runs of all rows are then solved together against the column
  identities of table 三 (:mod:`xxgk.parse.runs`, which also says what is bounded and why cells the
  identities force are not filled); a run that still has more than one reading stays NA with an issue
  listing them.
- **scrambled rows** — extractions that print some value rows away from their labels. Value rows left
  without a label are given to the labels left without values, in document order, only when the result
  satisfies every identity of the table; otherwise they stay unplaced, with an issue.

Every cell placed here has ``cell_status = derived`` and an info issue saying how it was placed.
"""

from __future__ import annotations

from collections.abc import Iterator

from xxgk.contract import codes
from xxgk.contract.identities import column_equations, identity_failures, number
from xxgk.parse import runs
from xxgk.parse.report import Report, Table3
from xxgk.parse.runs import (
    Run,
    Solution,
    Variable,
    as_values,
    block_splits,
    has_marks,
    plain_readings,
    solve,
)
from xxgk.read.lines import Value

WIDTH = len(codes.APPLICANTS)
#: Longest run we try to split (C(39, 6) ≈ 3.3 M compositions before pruning; real rows are ≤ 25 digits).
MAX_RUN = 40


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


def _place_marked(report: Report, code: str, run: Run) -> None:
    """Given a row's run that holds a "/": its row identity cannot be evaluated, so the run is placed only
    when it has a single reading as seven cells (one digit a cell, say), else NA."""
    readings = plain_readings(run, WIDTH)
    if readings is not None and len(readings) == 1:
        report.requests[code] = list(as_values(readings[0], run))
        report.issue(
            "glued_digits",
            "info",
            f"Row {code} is printed as one run of digits and marks {run.raw}; read as "
            f"{' '.join('/' if n is None else str(n) for n in readings[0])} (its only reading as seven cells; "
            'its "/" leaves the row identity unevaluated); marked derived',
            f"line {run.line}",
            actual=run.raw,
        )
        return
    report.issue(
        "glued_digits",
        "error",
        f"Row {code} is printed as one run of digits and marks {run.raw} that has "
        f'{"no reading" if readings == [] else "more than one reading"} as seven cells, and its "/" leaves the '
        "row identity unevaluated: the row is NA",
        f"line {run.line}",
        actual=run.raw,
    )


def split_glued_rows(report: Report, table: Table3) -> None:
    """Split every glued run of table 三, solving them all at once against the column identities
    (:mod:`xxgk.parse.runs`); a run is placed only when every solution gives it the same reading."""
    if not table.glued:
        return
    variables = []
    for code, run in table.glued.items():
        if has_marks(run):
            _place_marked(report, code, run)
            continue
        options = block_splits(run, 1, WIDTH - 1)
        if options is None:
            _report_bound(report, code, run)
        else:
            variables.append(Variable(code, options, tuple((code, i) for i in range(WIDTH))))
    known = {(code, i): number(c) for code, cells in report.requests.items() for i, c in enumerate(cells)}
    equations = [
        (e.check, [(r, e.column) for r in e.plus], [(r, e.column) for r in e.minus])
        for e in column_equations(report.request_rows, report.template)
    ]
    # A run with no split is no variable: its cells are NA, and the identities it is in are left out.
    solution = solve([v for v in variables if v.candidates], equations, known)
    for variable in variables:
        _place_run(report, table.glued[variable.key], variable, solution)


def _place_run(report: Report, run: Run, variable: Variable, solution: Solution) -> None:
    """Given a row's run and what the search found: the row placed (derived) with an info issue naming the
    identities that fixed it, or NA with an error listing its candidates."""
    code, options = variable.key, variable.candidates
    seen = sorted(solution.seen.get(code, ()))
    used = sorted(solution.used.get(code, ()))
    if len(options) == 1 or (solution.complete and len(seen) == 1):
        numbers = options[0] if len(options) == 1 else options[seen[0]]
        report.requests[code] = list(as_values(numbers, run))
        how = (
            "the only split whose six applicant columns sum to its total"
            if len(options) == 1
            else f"the only one of its {len(options)} splits that satisfies identity_row_total together with "
            f"{', '.join(used)} and the other rows"
        )
        report.issue(
            "glued_digits",
            "info",
            f"Row {code} is printed as one run of digits {run.raw}; split as "
            f"{' '.join(map(str, numbers))} ({how}); marked derived",
            f"line {run.line}",
            actual=run.raw,
        )
        return
    if not options:
        why, listed = "no split makes its six applicant columns sum to its total", []
    elif not solution.complete:
        why = f"the joint search over every run stopped at its bound of {runs.MAX_NODES} steps"
        listed = options
    elif not seen:
        why = f"none of its splits satisfies {', '.join(used)} together with the other rows"
        listed = options
    else:
        why = f"{len(seen)} of its splits satisfy every identity together with the other rows"
        listed = [options[i] for i in seen]
    report.issue(
        "glued_digits",
        "error",
        f"Row {code} is printed as one run of digits {run.raw} that cannot be split with certainty: {why}"
        f" (candidates: {_listed(listed)}); the row is NA",
        f"line {run.line}",
        actual=run.raw,
    )


def _listed(options: list[tuple[int, ...]], most: int = 10) -> str:
    """Candidates as an issue lists them: at most ``most``, then how many more."""
    text = "; ".join(" ".join(map(str, o)) for o in options[:most]) or "none"
    return text + (f"; … {len(options) - most} more" if len(options) > most else "")


def _report_bound(report: Report, code: str, run: Run) -> None:
    """Given a row's run with too many splits to solve: an error; the row is NA."""
    report.issue(
        "glued_digits",
        "error",
        f"Row {code} is printed as one run of digits {run.raw} with more than {runs.MAX_CANDIDATES} splits "
        "(or too many to list): it is not solved, and the row is NA",
        f"line {run.line}",
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
