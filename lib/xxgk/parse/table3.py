"""Table 三 (收到和处理政府信息公开申请情况), anchored on labels.

Every number is placed by the label it stands beside (or, for a wrapped row, the label that opened the row),
never by its rank in a stream of numbers: a row lost in extraction leaves its own cells NA and moves nothing.

The table is read one line at a time by :class:`_Reader`, which names each case a line can be (a header, a
group subtotal, a row label, part of a wrapped label, numbers) and gives each its own step, in the manner
of pdfplumber's ``table.py``. Between lines it carries only what a wrapped row needs: the row open for
continuation, how that row was opened, and the text of a label wrapped before its key words.
"""

from __future__ import annotations

from xxgk.contract import codes
from xxgk.parse.cells import WIDTH, merge, same_as_tail
from xxgk.parse.labels import is_header, match_label, variants
from xxgk.parse.report import Report, Table3
from xxgk.parse.runs import as_run, is_glued, zero_led_run
from xxgk.read.lines import Line

#: A key phrase wrapped over two lines is short: only this much of the unmatched label text is kept.
_PENDING_TAIL = 24


def parse_table3(lines: list[Line], report: Report) -> Table3:
    """Read table 三 from its region: rows anchored on labels, wrapped rows continued, headers skipped.

    A numbers-only line continues the row opened above it when it can (a wrapped row); a full row of
    numbers with no label and no open row to take it is kept aside in document order, for
    :func:`xxgk.parse.recover.pair_orphan_rows` to place only if every identity confirms it.
    """
    reader = _Reader(report)
    for line in lines:
        if line.label or line.cells:
            reader.read(line)
    return reader.finish()


class _Reader:
    """Table 三 read line by line: one method per kind of line, the state between lines in three slots."""

    __slots__ = ("table", "report", "current", "opened_plain", "pending")

    def __init__(self, report: Report):
        """Nothing read yet: an empty table, no row open."""
        self.table = Table3()
        self.report = report
        self.current: str | None = None  # the row open for continuation by the lines below it
        self.opened_plain = False  # the current row was opened by a plain (not delimited) label-only line
        # Text of the label-only lines above that matched no row: a label wrapped before its key words.
        self.pending = ""

    def read(self, line: Line) -> None:
        """Given a line with a label or cells: classify it and take the step for its kind."""
        code, group = self.classify(line)
        if code is None and group is None and line.label and is_header(line.label):
            self.close()
        elif group and line.values:
            self.subtotal(line, group)
        elif code is not None:
            if self.open_row(line, code) and line.values:
                self.numbers(line, code)
        elif line.values:
            self.numbers(line, None)
        else:
            self.wrapped_label(line)

    def classify(self, line: Line) -> tuple[str | None, str | None]:
        """Given a line: the table-三 row its label names, else the row group (a subtotal), else neither.

        Generic labels (其他, 总计) name a row only beside numbers or a grid row's blank cells (a row printed
        blank), and a header row's last word (其他, 总计) is not a row. A label that names no row is tried
        again after the text of the label-only lines above it.
        """
        has_cells = bool(line.values) or (bool(line.cells) and not is_header(line.label))
        code = match_label("requests", line.label, line.last_label, has_cells)
        if code is None and self.pending and line.label:
            code = match_label("requests", self.pending + line.label, line.last_label, has_cells)
        if code is not None:
            return code, None
        return None, match_label("groups", line.label, line.last_label, has_cells)

    def close(self) -> None:
        """Given a header line (or a subtotal): no row stays open below it, and no wrapped label."""
        self.current, self.pending = None, ""

    def subtotal(self, line: Line, group: str) -> None:
        """Given a row group's printed subtotal (（六）其他处理 and its numbers): kept aside to be checked."""
        row = [None] * WIDTH
        merge(row, line, self.report, group)
        self.table.group_subtotals[group] = row
        self.close()

    def open_row(self, line: Line, code: str) -> bool:
        """Given a row's label: open the row for the lines below. False for a row already read elsewhere."""
        self.pending = ""
        table = self.table
        if code in table.rows and code != self.current and any(c is not None for c in table.rows[code]):
            self._repeated_row(line, code)
            self.current = None
            return False
        self.current, self.opened_plain = code, not line.delimited and not line.values
        table.rows.setdefault(code, [None] * WIDTH)
        table.label_lines.setdefault(code, line.no)
        self._note_variant(line, code)
        return True

    def wrapped_label(self, line: Line) -> None:
        """Given a label-only line that names no row: keep its text, maybe a label wrapped before its key words.

        ("2.其他法律行政法规禁" / "止公开"); only the tail is kept, since a key phrase is short.
        """
        self.pending = (self.pending + line.label)[-_PENDING_TAIL:]

    def numbers(self, line: Line, code: str | None) -> None:
        """Given a line's numbers: into the row its label opened, the row still open above it, or aside."""
        if code is None and not line.label and self._no_row_takes(line):
            self._keep_orphan(line)
        elif self.current is None:  # numbers beside a label we do not know, and no row open to continue
            self._unknown_label(line)
        else:
            self._fill(line, code, self.current)

    def _fill(self, line: Line, code: str | None, current: str) -> None:
        """Given numbers for the open row ``current`` (``code`` is the line's own row, if it names one)."""
        row = self.table.rows[current]
        if code is None and line.label and _holds_run(row, labelled=True):
            self._unknown_label(line)  # a run is a whole row: a labelled line below is not its continuation
        elif code is None and line.label and None not in row:
            # A labelled line after a complete row: a wrapped fragment that repeats the row (OCR) is
            # harmless; other numbers belong to a label we do not know.
            if not same_as_tail(row, line.values):
                self._unknown_label(line)
        elif merge(row, line, self.report, current, self.table.sequential):
            self.table.last_line = max(self.table.last_line, line.no)
        elif line.label and code is None:
            self._unknown_label(line)
        elif len(line.values) <= WIDTH + 1:
            self._issue(
                line, "orphan_values", f"Numbers after row {current} do not fit its cells and were not used"
            )

    def finish(self) -> Table3:
        """Given the whole region read: settle the rows filled in order, and list the labels left empty."""
        table = self.table
        _settle_sequential_rows(table, self.report)
        table.unfilled = [
            code
            for code in sorted(table.label_lines, key=table.label_lines.get)
            if all(c is None for c in table.rows[code]) and code not in table.glued
        ]
        return table

    def _no_row_takes(self, line: Line) -> bool:
        """Given a label-less line of numbers: True when no open row can continue with it.

        A full row takes nothing more, and a delimited row does not continue a row whose label stood alone on
        a plain line (two layouts in one table: the delimited row is a row of its own, label lost). Nor does a
        row that holds a run of glued digits: web text prints a row's run in one piece.
        """
        current = self.current
        return (
            current is None
            or _row_full(self.table, current)
            or (self.opened_plain and line.delimited)
            or _holds_run(self.table.rows[current])
        )

    def _keep_orphan(self, line: Line) -> None:
        """Given a label-less line no row takes: a full row is kept aside for pairing; other numbers are not used."""
        table, values = self.table, line.values
        if len(values) == WIDTH and (len(line.cells) == WIDTH or None not in line.cells):
            table.orphan_rows.append(list(values))
            table.last_line = max(table.last_line, line.no)
        elif len(values) <= WIDTH + 1:
            self._issue(line, "orphan_values", "Numbers with no row label to anchor them were not used")

    def _repeated_row(self, line: Line, code: str) -> None:
        """Given a row's label seen again with other numbers: the first reading is kept, with an issue."""
        if line.values and not same_as_tail(self.table.rows[code], line.values):
            self._issue(
                line,
                "conflicting_values",
                f"Row {code} appears again on line {line.no} with other numbers; the first is kept",
            )

    def _unknown_label(self, line: Line) -> None:
        """Given numbers beside a label that names no row: not used, with an issue."""
        self._issue(
            line,
            "unknown_label",
            f"The label {line.label!r} matches no row of table 三; its numbers were not used",
        )

    def _issue(self, line: Line, check: str, message: str) -> None:
        """A warning about a line's numbers, which were not used."""
        self.report.issue(
            check, "warning", message, f"line {line.no}", actual=" ".join(v.raw for v in line.values)
        )

    def _note_variant(self, line: Line, code: str) -> None:
        """A label matched through an alias recorded as a misprint or OCR slip is named in the issues."""
        for text, note in variants().get(code, ()):
            if text in line.label:
                self.report.issue(
                    "label_variant",
                    "info",
                    f"Row {code} is printed as {line.label!r} ({note}); read as {code}, the text is "
                    "not corrected",
                    f"line {line.no}",
                    expected=codes.by_code(codes.REQUEST_ROWS)[code].zh,
                    actual=line.label,
                )
                return


def _settle_sequential_rows(table: Table3, report: Report) -> None:
    """Rows filled from plain fragments must end complete; otherwise which cell is which is a guess.

    A row whose numbers are digit tokens on one line, at least one of them glued (a run of seven digits or
    more, or one with a leading zero, like 0000000 or 00606: :func:`xxgk.parse.runs.as_run`), is a glued
    run, split later by the identities. A run with a leading zero is never a count, so a row holding one is
    not complete even when it has seven numbers. Any other incomplete row gives its numbers back (an issue
    names them) and stays NA.
    """
    for code in sorted(table.sequential):
        cells = table.rows[code]
        values = [c for c in cells if c is not None]
        zero_led = any(zero_led_run(v.raw) for v in values)
        if None not in cells and not zero_led:
            continue
        run = as_run(values, WIDTH)
        if run is not None:
            table.glued[code] = run
        elif values:
            given = (
                f"{len(values)} numbers, some of them digits run together,"
                if zero_led
                else f"only {len(values)} of {WIDTH} numbers"
            )
            report.issue(
                "orphan_values",
                "warning",
                f"After the label of row {code}, plain lines give {given} with no column positions; which "
                "cell each belongs to cannot be told, so they were not used",
                f"line {values[0].line}",
                expected=WIDTH,
                actual=" ".join(v.raw for v in values),
            )
        table.rows[code] = [None] * WIDTH


def _holds_run(row: list, labelled: bool = False) -> bool:
    """The row holds a run of glued digits, web text's whole row: a run with a leading zero (never a count),
    or, before a labelled line, a single run of seven digits or more (a count that large is printed with
    the row's other numbers, not alone above another label)."""
    values = [c for c in row if c is not None]
    return any(zero_led_run(c.raw) for c in values) or (
        labelled and len(values) == 1 and is_glued(values[0].raw)
    )


def _row_full(table: Table3, code: str) -> bool:
    """Every cell of the row holds a number or a mark (a row not yet opened is not full)."""
    return all(c is not None for c in table.rows.get(code, [None]))
