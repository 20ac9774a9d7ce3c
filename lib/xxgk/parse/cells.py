"""One line's numbers into a table-三 row's seven cells.

Two layouts reach the parser (:mod:`xxgk.read.lines`). A delimited row keeps each cell in its column,
blanks included, so its numbers are aligned by position; a space-separated extraction loses the blanks, so a
short run of numbers is a wrapped row's fragment and can only be filled in order (and is trusted only once
the row is complete: :mod:`xxgk.parse.table3` settles that). A line that fits neither way is refused, never
fitted by a guess.
"""

from __future__ import annotations

from xxgk.contract import codes
from xxgk.parse.report import Report
from xxgk.read.lines import Line, Value

WIDTH = len(codes.APPLICANTS)  # table 三: seven columns


def merge(
    row: list[Value | None], line: Line, report: Report, code: str, sequential: set[str] | None = None
) -> bool:
    """Given a row's cells and a line of its numbers, put the numbers in. False when they do not fit.

    A line whose numeric region is as wide as the table, or has gaps, is aligned by position (right-aligned:
    the total is the last column). A short region with no gaps is a wrapped row's numbers, filled in order;
    the row's code is then added to ``sequential``. The caller reports a line that does not fit.
    """
    cells = line.cells
    if len(line.values) > WIDTH:
        cells = _without_subtotal_column(line, report)
        if cells is None:
            return False
    if line.trimmed and len(cells) < WIDTH and None in cells:
        _refuse_trimmed(line, cells, report, code)
        return True
    if len(cells) >= WIDTH or None in cells:
        return _fill_aligned(row, cells, report, code)
    return _fill_in_order(row, line.values, code, sequential)


def subtotal_dropped(values: list[Value]) -> list[Value] | None:
    """Eight numbers where the second is the 法人或其他组织 subtotal of the next five: drop it.

    >>> from decimal import Decimal as D
    >>> vals = [Value(D(n), 1, str(n)) for n in (5, 3, 1, 1, 0, 1, 0, 8)]
    >>> [v.number for v in subtotal_dropped(vals)]
    [Decimal('5'), Decimal('1'), Decimal('1'), Decimal('0'), Decimal('1'), Decimal('0'), Decimal('8')]
    """
    if len(values) != WIDTH + 1 or any(v.number is None for v in values):
        return None
    n = [v.number for v in values]
    if n[1] == sum(n[2:7]) and n[7] == n[0] + n[1]:
        return [values[0], *values[2:]]
    return None


def _without_subtotal_column(line: Line, report: Report) -> list[Value | None] | None:
    """Given a line wider than the table: its cells without a checked subtotal column, else None."""
    dropped = subtotal_dropped(line.values)
    if dropped is None:
        return None
    report.issue(
        "subtotal_column",
        "info",
        "A 法人或其他组织 subtotal column was checked and dropped",
        f"line {line.no}",
        actual=" ".join(v.raw for v in line.values),
    )
    return list(dropped)


def _refuse_trimmed(line: Line, cells: list[Value | None], report: Report, code: str) -> None:
    """Given a tab row with a gap whose trailing empty cells were dropped: it is not used, with an issue.

    Such a row may end in any column, so right-aligning it could put a number in the wrong cell.
    """
    report.issue(
        "orphan_values",
        "warning",
        f"Row {code}: a tab-separated row with a blank cell and blank cells at its end cannot say "
        "which column each number is in; its numbers were not used (NA)",
        f"line {line.no}",
        actual=" ".join(c.raw if c else "_" for c in cells),
    )


def _fill_aligned(row: list[Value | None], cells: list[Value | None], report: Report, code: str) -> bool:
    """Given a delimited region: each number to its column; a cell already read keeps its first number."""
    if len(cells) == WIDTH and not any(row):  # (most rows: as wide as the table, into a row still empty)
        row[:] = cells
        return True
    aligned = align(list(cells))  # a copy: align trims it, and the cells are the line's own
    if aligned is None:
        return False
    for i, cell in enumerate(aligned):
        if cell is None:
            continue
        if row[i] is None:
            row[i] = cell
        elif row[i].number != cell.number:
            report.issue(
                "conflicting_values",
                "warning",
                f"Row {code}, column {codes.APPLICANTS[i].code} is printed as {row[i].raw} on line "
                f"{row[i].line} and as {cell.raw} on line {cell.line}; the first is kept",
                f"line {cell.line}",
                expected=row[i].raw,
                actual=cell.raw,
            )
    return True


def _fill_in_order(
    row: list[Value | None], values: list[Value], code: str, sequential: set[str] | None
) -> bool:
    """Given a gapless fragment: its numbers fill the row's empty cells in order."""
    empty = [i for i, c in enumerate(row) if c is None]
    if len(values) > len(empty):
        return same_as_tail(row, values)
    for i, value in zip(empty, values, strict=False):
        row[i] = value
    if sequential is not None:
        sequential.add(code)
    return True


def align(cells: list[Value | None]) -> list[Value | None] | None:
    """Fit a delimited numeric region to the table's width.

    Blank cells beyond the width are layout (a label spanning an extra column, a trailing cell of a wider
    header): trailing ones are trimmed first, then leading ones. A shorter region with gaps is
    right-aligned, since the total is the last column. None when numbers would have to be dropped.
    """
    while len(cells) > WIDTH and cells[-1] is None:
        cells.pop()
    while len(cells) > WIDTH and cells[0] is None:
        cells.pop(0)
    if len(cells) > WIDTH:
        return None
    return [None] * (WIDTH - len(cells)) + cells


def same_as_tail(row: list[Value | None], values: list[Value]) -> bool:
    """A repeated fragment of a row already read (OCR prints a wrapped row's total twice) is harmless."""
    tail = [c.number for c in row[-len(values) :] if c is not None]
    return tail == [v.number for v in values]
