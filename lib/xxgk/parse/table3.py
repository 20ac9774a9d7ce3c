"""Table 三 (收到和处理政府信息公开申请情况), anchored on labels.

Every number is placed by the label it stands beside (or, for a wrapped row, the label that opened the row),
never by its rank in a stream of numbers: a row lost in extraction leaves its own cells NA and moves nothing.
"""

from __future__ import annotations

from xxgk.contract import codes
from xxgk.parse.labels import is_header, match_label, variants
from xxgk.parse.recover import is_digit_run
from xxgk.parse.report import Report, Table3
from xxgk.read.lines import Line, Value

WIDTH = len(codes.APPLICANTS)  # seven columns


def _subtotal_dropped(values: list[Value]) -> list[Value] | None:
    """Eight numbers where the second is the 法人或其他组织 subtotal of the next five: drop it.

    >>> from decimal import Decimal as D
    >>> vals = [Value(D(n), 1, str(n)) for n in (5, 3, 1, 1, 0, 1, 0, 8)]
    >>> [v.number for v in _subtotal_dropped(vals)]
    [Decimal('5'), Decimal('1'), Decimal('1'), Decimal('0'), Decimal('1'), Decimal('0'), Decimal('8')]
    """
    if len(values) != WIDTH + 1 or any(v.number is None for v in values):
        return None
    n = [v.number for v in values]
    if n[1] == sum(n[2:7]) and n[7] == n[0] + n[1]:
        return [values[0], *values[2:]]
    return None


def _merge(
    row: list[Value | None], line: Line, report: Report, code: str, table: Table3 | None = None
) -> bool:
    """Put a line's numbers into a row's cells. Returns False when they do not fit (caller reports it).

    A line whose numeric region is as wide as the table, or has gaps, is aligned by position (right-aligned:
    the total is the last column). A short region with no gaps is a wrapped row's numbers, filled in order.
    """
    cells = line.cells
    values = line.values
    if len(values) > WIDTH:
        dropped = _subtotal_dropped(values)
        if dropped is None:
            return False
        report.issue(
            "subtotal_column",
            "info",
            "A 法人或其他组织 subtotal column was checked and dropped",
            f"line {line.no}",
            actual=" ".join(v.raw for v in values),
        )
        cells = list(dropped)
    if line.trimmed and len(cells) < WIDTH and None in cells:
        # A tab row with a gap whose trailing empty cells were dropped: it may end in any column, so
        # right-aligning it (as below) could put a number in the wrong cell.
        report.issue(
            "orphan_values",
            "warning",
            f"Row {code}: a tab-separated row with a blank cell and blank cells at its end cannot say "
            "which column each number is in; its numbers were not used (NA)",
            f"line {line.no}",
            actual=" ".join(c.raw if c else "_" for c in cells),
        )
        return True
    if len(cells) >= WIDTH or None in cells:
        aligned = _align(list(cells))
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
    empty = [i for i, c in enumerate(row) if c is None]
    if len(values) > len(empty):
        return _same_as_tail(row, values)
    for i, value in zip(empty, values, strict=False):
        row[i] = value
    if table is not None:
        table.sequential.add(code)
    return True


def _align(cells: list[Value | None]) -> list[Value | None] | None:
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


def _same_as_tail(row: list[Value | None], values: list[Value]) -> bool:
    """A repeated fragment of a row already read (OCR prints a wrapped row's total twice) is harmless."""
    tail = [c.number for c in row[-len(values) :] if c is not None]
    return tail == [v.number for v in values]


def parse_table3(lines: list[Line], report: Report) -> Table3:
    """Read table 三 from its region: rows anchored on labels, wrapped rows continued, headers skipped.

    A numbers-only line continues the row opened above it when it can (a wrapped row); a full row of
    numbers with no label and no open row to take it is kept aside in document order, for
    :func:`xxgk.parse.recover.pair_orphan_rows` to place only if every identity confirms it.
    """
    table = Table3()
    current: str | None = None
    opened_plain = False  # the current row was opened by a plain (not delimited) label-only line
    pending = ""  # label text of unmatched label-only lines, for a label wrapped before its key words
    for line in lines:
        cells = line.cells
        if not line.label and not cells:
            continue
        values = [c for c in cells if c is not None]
        has_values = bool(values)
        # Numbers, or a grid row's blank cells (a row printed blank): generic labels (其他, 总计) need one or
        # the other, and a header row's last word (其他, 总计) is not a row.
        has_cells = has_values or (bool(cells) and not is_header(line.label))
        code = match_label("requests", line.label, line.last_label, has_cells)
        if code is None and pending and line.label:
            code = match_label("requests", pending + line.label, line.last_label, has_cells)
        group = None if code else match_label("groups", line.label, line.last_label, has_cells)
        if code is None and group is None and line.label and is_header(line.label):
            current, pending = None, ""
            continue
        if group and has_values:
            table.group_subtotals[group] = _fill_new(line, report, group)
            current, pending = None, ""
            continue
        if code is not None:
            pending = ""
            if code in table.rows and code != current and any(c is not None for c in table.rows[code]):
                if has_values and not _same_as_tail(table.rows[code], values):
                    report.issue(
                        "conflicting_values",
                        "warning",
                        f"Row {code} appears again on line {line.no} with other numbers; the first is kept",
                        f"line {line.no}",
                        actual=" ".join(v.raw for v in values),
                    )
                current = None
                continue
            current, opened_plain = code, not line.delimited and not has_values
            table.rows.setdefault(code, [None] * WIDTH)
            table.label_lines.setdefault(code, line.no)
            _note_variant(code, line, report)
        elif not has_values:
            # A label wrapped before its key words ("2.其他法律行政法规禁" / "止公开"): keep the text, tail
            # only, since a key phrase wrapped over two lines is short.
            pending = (pending + line.label)[-24:]
            continue
        if not has_values:
            continue
        orphan = (
            code is None
            and not line.label
            and (current is None or _row_full(table, current) or (opened_plain and line.delimited))
        )
        if orphan:
            _keep_orphan(table, line, report)
            continue
        if current is None:  # numbers beside a label we do not know, and no row open to continue
            report.issue(
                "unknown_label",
                "warning",
                f"The label {line.label!r} matches no row of table 三; its numbers were not used",
                f"line {line.no}",
                actual=" ".join(v.raw for v in values),
            )
            continue
        row = table.rows[current]
        if code is None and line.label and None not in row:
            # A labelled line after a complete row: a wrapped fragment that repeats the row (OCR) is
            # harmless; other numbers belong to a label we do not know.
            if not _same_as_tail(row, values):
                report.issue(
                    "unknown_label",
                    "warning",
                    f"The label {line.label!r} matches no row of table 三; its numbers were not used",
                    f"line {line.no}",
                    actual=" ".join(v.raw for v in values),
                )
            continue
        if not _merge(row, line, report, current, table):
            where = f"line {line.no}"
            if line.label and code is None:
                report.issue(
                    "unknown_label",
                    "warning",
                    f"The label {line.label!r} matches no row of table 三; its numbers were not used",
                    where,
                    actual=" ".join(v.raw for v in values),
                )
            elif len(values) <= WIDTH + 1:
                report.issue(
                    "orphan_values",
                    "warning",
                    f"Numbers after row {current} do not fit its cells and were not used",
                    where,
                    actual=" ".join(v.raw for v in values),
                )
            continue
        table.last_line = max(table.last_line, line.no)
    _settle_sequential_rows(table, report)
    table.unfilled = [
        code
        for code in sorted(table.label_lines, key=table.label_lines.get)
        if all(c is None for c in table.rows[code]) and code not in table.glued
    ]
    return table


def _note_variant(code: str, line: Line, report: Report) -> None:
    """A label matched through an alias recorded as a misprint or OCR slip is named in the issues."""
    for text, note in variants().get(code, ()):
        if text in line.label:
            report.issue(
                "label_variant",
                "info",
                f"Row {code} is printed as {line.label!r} ({note}); read as {code}, the text is "
                "not corrected",
                f"line {line.no}",
                expected=codes.by_code(codes.REQUEST_ROWS)[code].zh,
                actual=line.label,
            )
            return


def _keep_orphan(table: Table3, line: Line, report: Report) -> None:
    cells = line.cells
    if len(line.values) == WIDTH and (len(cells) == WIDTH or None not in cells):
        table.orphan_rows.append(list(line.values))
        table.last_line = max(table.last_line, line.no)
    elif len(line.values) <= WIDTH + 1:
        report.issue(
            "orphan_values",
            "warning",
            "Numbers with no row label to anchor them were not used",
            f"line {line.no}",
            actual=" ".join(v.raw for v in line.values),
        )


def _settle_sequential_rows(table: Table3, report: Report) -> None:
    """Rows filled from plain fragments must end complete; otherwise which cell is which is a guess.

    A row holding a single run of at least seven digits (or a run with a leading zero, like 0000000) is a
    glued run, split later by the identities. Any other incomplete row gives its numbers back (an issue
    names them) and stays NA.
    """
    for code in sorted(table.sequential):
        cells = table.rows[code]
        if None not in cells:
            continue
        values = [c for c in cells if c is not None]
        if len(values) == 1 and is_digit_run(values[0].raw):
            table.glued[code] = values[0]
        elif values:
            report.issue(
                "orphan_values",
                "warning",
                f"After the label of row {code}, plain lines give only {len(values)} of {WIDTH} numbers "
                "with no column positions; which cell each belongs to cannot be told, so they were not "
                "used",
                f"line {values[0].line}",
                expected=WIDTH,
                actual=" ".join(v.raw for v in values),
            )
        table.rows[code] = [None] * WIDTH


def _row_full(table: Table3, code: str) -> bool:
    return all(c is not None for c in table.rows.get(code, [None]))


def _fill_new(line: Line, report: Report, code: str) -> list[Value | None]:
    row: list[Value | None] = [None] * WIDTH
    _merge(row, line, report, code)
    return row
