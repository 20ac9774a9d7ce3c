"""Sections and tables, anchored on labels.

Every number is placed by the label it stands beside (or, for a wrapped row, the label that opened the row),
never by its rank in a stream of numbers: a row lost in extraction leaves its own cells NA and moves nothing.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache

from xxgk.contract import codes
from xxgk.parse.recover import MAX_RUN, splits
from xxgk.parse.report import Report, Table3
from xxgk.read.lines import Line, Value
from xxgk.read.text import compact, normalize_cell

WIDTH = len(codes.APPLICANTS)  # table 三: seven columns
TABLE4_WIDTH = len(codes.PROCEEDINGS) * len(codes.OUTCOMES)  # 15

# Section headings (after normalisation, white space removed). Headings are short lines; the length limits
# keep a prose sentence that mentions a heading's words from being taken for it.
_HEADINGS = {
    "一": (re.compile(r"总体情况$"), 16),
    "二": (re.compile(r"主动公开政府信息(?:的)?情况$"), 24),
    "三": (re.compile(r"收到和处理政府信息公开申请(?:的)?情况$"), 30),
    "四": (re.compile(r"行政.?复议.{0,12}行政诉讼(?:的)?情况$"), 40),
    "五": (re.compile(r"存在的?主要问题"), 30),
    "六": (re.compile(r"其他需要报告的?事项$"), 20),
}
SECTION_ORDER = tuple(_HEADINGS)
_HEADING_ENDS = frozenset("况项")
# Leading ordinals: 一、 (三) 3. and OCR slips of them (_, for 二、).
_ORDINAL = re.compile(
    r"^(?:[一二三四五六七八九十]+[、,.]|\([一二三四五六七八九十\d]+\)|\d+[.、]|[_\-,.、:])+"
)


def strip_ordinal(label: str) -> str:
    """A label without its leading ordinals.

    >>> strip_ordinal("(七)总计"), strip_ordinal("3.其他"), strip_ordinal("_,上年结转")
    ('总计', '其他', '上年结转')
    """
    return _ORDINAL.sub("", label)


def find_sections(lines: list[Line]) -> dict[str, int]:
    """Index of each section heading's line (0-based into ``lines``), in document order."""
    found: dict[str, int] = {}
    for i, line in enumerate(lines):
        # Every heading ends in 情况 or 事项, or holds 主要问题: most lines are none of these.
        if line.text[-1:] not in _HEADING_ENDS and "题" not in line.text:
            continue
        key = strip_ordinal(compact(line.text))
        if not key or line.values and not line.label:
            continue
        for section, (pattern, limit) in _HEADINGS.items():
            if section not in found and len(key) <= limit and pattern.search(key):
                found[section] = i
                break
    return found


@dataclass(frozen=True)
class _Alias:
    code: str
    text: str
    exact: bool


@cache
def _aliases(table: str) -> tuple[_Alias, ...]:
    return tuple(
        _Alias(a.code, compact(normalize_cell(a.alias)), a.match == "exact")
        for a in codes.aliases()
        if a.table == table
    )


@lru_cache(maxsize=1 << 16)  # labels recur across the reports of a corpus: match each once
def match_label(table: str, label: str, last_label: str = "", has_values: bool = False) -> str | None:
    """The code whose alias a label carries; where several match, the one whose alias ends last.

    >>> match_label("requests", "(六)其他处理1.申请人无正当理由逾期不补正")
    'other_overdue_correction'
    >>> match_label("requests", "3.其他", has_values=True), match_label("requests", "3.其他")
    ('other_other', None)
    """
    best, best_end, best_len = None, -1, 0
    for alias in _aliases(table):
        if alias.exact:
            if has_values and alias.text in (strip_ordinal(label), strip_ordinal(last_label)):
                end = len(label)
            else:
                continue
        else:
            pos = label.rfind(alias.text)
            if pos < 0:
                continue
            end = pos + len(alias.text)
        if end > best_end or (end == best_end and len(alias.text) > best_len):
            best, best_end, best_len = alias.code, end, len(alias.text)
    return best


@lru_cache(maxsize=1 << 14)
def is_header(label: str) -> bool:
    return any(a.text in label for a in _aliases("header"))


def _numbers(cells: list[Value | None]) -> list:
    return [None if c is None else c.number for c in cells]


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
    for text, note in _variants().get(code, ()):
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


@cache
def _variants() -> dict[str, list[tuple[str, str]]]:
    """Table-三 aliases recorded as misprints or OCR slips, by row code: (compacted text, note)."""
    out: dict[str, list[tuple[str, str]]] = {}
    for alias in codes.aliases():
        if alias.table == "requests" and alias.note.startswith(("published typo", "OCR")):
            out.setdefault(alias.code, []).append((compact(normalize_cell(alias.alias)), alias.note))
    return out


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
        if len(values) == 1 and _is_digit_run(values[0].raw):
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


def _is_digit_run(raw: str) -> bool:
    return raw.isdigit() and (len(raw) >= WIDTH or (len(raw) > 1 and raw.startswith("0")))


def _row_full(table: Table3, code: str) -> bool:
    return all(c is not None for c in table.rows.get(code, [None]))


def _fill_new(line: Line, report: Report, code: str) -> list[Value | None]:
    row: list[Value | None] = [None] * WIDTH
    _merge(row, line, report, code)
    return row


def parse_table4(lines: list[Line], report: Report, heading: Line | None) -> dict[str, list[Value | None]]:
    """Table 四: the numbers-only lines of its region, in order; 15 numbers fill three blocks of five.

    With fewer than 15, the first five are 行政复议 (the template's first block) only when they satisfy
    their block identity; the rest cannot be placed and stay NA. ``heading`` is the table's heading line,
    None when the lines were found without one.
    """
    values: list[Value | None] = []
    first_line = None
    for line in lines:
        # Numbers-only lines; or a header flattened onto the numbers' line ("…尚未审结总计 0 1 1 0 2 …").
        if line.pure_values or (
            len(line.values) >= len(codes.OUTCOMES) and not line.trailing_text and None not in line.cells
        ):
            # A grid row keeps its blank cells in place (blank = NA); a text line's gaps are layout.
            values.extend(line.cells[-TABLE4_WIDTH:] if line.grid else line.values)
            first_line = first_line or line.no
        if len(values) >= TABLE4_WIDTH:
            break
    blocks = {p.code: [None] * len(codes.OUTCOMES) for p in codes.PROCEEDINGS}
    if not values:
        if heading is not None:
            report.issue(
                "table_missing",
                "error",
                "Table 四 has a heading but no line of numbers",
                f"line {heading.no}",
            )
        return blocks
    where = f"line {first_line}"
    if heading is None:
        report.issue(
            "table4_unanchored",
            "warning",
            "Table 四's heading is not in the document; the line of 15 numbers that stands between "
            "table 三 and section 五 was read as table 四",
            where,
        )
    size = len(codes.OUTCOMES)
    if len(values) >= TABLE4_WIDTH:
        for b, proceeding in enumerate(codes.PROCEEDINGS):
            blocks[proceeding.code] = list(values[b * size : (b + 1) * size])
        return blocks
    first = values[:size]
    numbers = [v.number if v is not None else None for v in first]
    placed = len(first) == size and None not in numbers and sum(numbers[:4]) == numbers[4]
    if placed:
        blocks["review"] = list(first)
    report.issue(
        "table4_incomplete",
        "error",
        f"Table 四 prints {len(values)} of 15 numbers; "
        + (
            "the first five satisfy the 行政复议 identity and are read as 行政复议; the litigation cells "
            "are not in the document (NA)"
            if placed
            else "they cannot be placed with certainty, so every cell of table 四 is NA"
        ),
        where,
        expected="15",
        actual=" ".join(v.raw if v else "_" for v in values),
    )
    return blocks


def find_table4_fallback(lines: list[Line]) -> list[Line]:
    """Without a table-四 heading: the first numbers-only line wide enough to be table 四 (≥ 10 numbers)."""
    for i, line in enumerate(lines):
        if line.pure_values and len(line.values) >= 2 * len(codes.OUTCOMES):
            return lines[i : i + 1]
    return []


def parse_table2(lines: list[Line], report: Report) -> tuple[dict[tuple[str, str], Value | None], set[str]]:
    """Table 二: items anchored on labels; their numbers go to the measures of the header above them.

    Returns the cells and the set of template versions the measure headers show (for template detection).
    """
    cells: dict[tuple[str, str], Value | None] = {}
    header: list[str] = []
    versions: set[str] = set()
    measure_templates = {m.code: m.templates for m in codes.MEASURES}
    for line in lines:
        measures = _measures_in(line.label)
        item = match_label("proactive", line.label, line.last_label, bool(line.values))
        if measures and not item:
            header = measures
            for m in measures:
                if len(measure_templates[m]) == 1:
                    versions |= measure_templates[m]
            continue
        if not item or not line.values:
            continue
        values = line.values
        version = "2019" if versions == {"2019"} else "2021"
        targets = header if len(header) == len(values) else codes.item_measures(item, version)
        if len(values) == 1 and len(targets) != 1 and _is_digit_run(values[0].raw):
            targets = header or targets
            values = _split_glued_item(item, targets, values[0], report)
            if values is None:
                continue
        if len(targets) != len(values):
            report.issue(
                "unknown_label",
                "warning",
                f"Table 二 item {item} prints {len(values)} numbers where its header has "
                f"{len(targets)} columns; they were not used",
                f"line {line.no}",
                expected=len(targets),
                actual=" ".join(v.raw for v in values),
            )
            continue
        for measure, value in zip(targets, values, strict=False):
            cells.setdefault((item, measure), value)
    return cells, versions


def _split_glued_item(item: str, measures: list[str], run: Value, report: Report) -> list[Value] | None:
    """A table-二 row printed as one digit run: usable only when a single split exists (e.g. 000).

    Table 二 has no identity inside a year, so any run with more than one split stays NA.
    """
    # A run longer than any real row, or an item with no measures (2019 item in a 2021 table), is not split:
    # the recursion would run out of stack.
    options = (
        list(itertools.islice(splits(run.raw, len(measures)), 50))
        if measures and len(run.raw) <= MAX_RUN
        else []
    )
    if len(options) == 1:
        report.issue(
            "glued_digits",
            "info",
            f"Table 二 item {item} is printed as one run of digits {run.raw}; "
            f"split as {' '.join(map(str, options[0]))} (the only split); marked derived",
            f"line {run.line}",
            actual=run.raw,
        )
        return [Value(Decimal(n), run.line, str(n), derived=True) for n in options[0]]
    listed = "; ".join(" ".join(map(str, o)) for o in options[:10])
    report.issue(
        "glued_digits",
        "error",
        f"Table 二 item {item} is printed as one run of digits {run.raw} "
        f"that cannot be split into {', '.join(measures)} with certainty (candidates: {listed}"
        f"{' …' if len(options) > 10 else ''}); NA",
        f"line {run.line}",
        actual=run.raw,
    )
    return None


@lru_cache(maxsize=1 << 14)  # header labels recur across a corpus
def _measures_in(label: str) -> tuple[str, ...]:
    found = []
    for alias in _aliases("measures"):
        pos = label.find(alias.text)
        if pos >= 0:
            found.append((pos, alias.code))
    ordered = []
    for _, code in sorted(found):
        if code not in ordered:
            ordered.append(code)
    return tuple(ordered)
