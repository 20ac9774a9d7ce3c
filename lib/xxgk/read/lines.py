"""A report's lines as the parser sees them: a label and the numeric cells that follow it.

Two layouts reach us as text. Delimited rows — tab-separated exports, markdown pipe tables, OCR tables, and
the HTML and PDF table rows our readers produce — keep each cell in its column, empty cells included, so a
row's numbers can be aligned by position. Space-separated extractions (pdftotext) lose the empty cells, so
numbers can only be read in order.
Both become a :class:`Line` with a ``label`` (its text cells, white space removed) and ``cells`` (the
numeric region after the label, ``None`` for an empty cell).

(Longer than most modules: everything that decides what a token on a line is — a number, a "/" mark, an
odd token, a page number, and where it stands — is kept together, so that every reader decides it alike.)
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, lru_cache
from typing import NamedTuple

from xxgk.contract import codes
from xxgk.contract.checks import Issue
from xxgk.read.text import compact, decode, footnote_marks, has_marks, normalize_cell, same_length_nfkc

# A printed number: plain, with thousands separators (1,774) or a decimal (9116.36); a sign for 增/减.
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
# A number may carry its unit in the cell ("251000元", "9116.36万元"); ``raw`` keeps it.
_NUMBER_UNIT = re.compile(rf"(?P<n>{_NUMBER.pattern})(?:万?元)?")
# Printed "not applicable" marks: kept apart from 0 and from NA (docs/missing.md lists them from here).
NOT_APPLICABLE = frozenset({"/", "//", "—", "——", "-", "--", "无", "不适用", "—/—"})

# Page furniture: a line that only numbers its page ("— 5 —", "- 5 -", "第 5 页 共 12 页", "5 / 12"), in raw or
# normalised text. A bare number alone on a line is not one: pdftotext prints a row's vertically centred
# total, or every cell of a row, on a line of its own, so a lone number is data (an identity catches a page
# number read as a cell). The PDF reader, which knows where tables are, also drops bare numbers outside them.
_DASHES = "-—–‒―－~～·•"
PAGE_NUMBER = re.compile(
    rf"\s*(?:[{_DASHES}]+\s*\d{{1,4}}\s*[{_DASHES}]+"
    # (a little noise before the page count is still a footer: "第 11 页 共 约19 页" from a damaged scan)
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/／]?\s*共\D{0,3}\d{1,4}\s*页)?"
    r"|共\s*\d{1,4}\s*页\s*[,，/／]?\s*第\s*\d{1,4}\s*页"
    r"|(?P<page>\d{1,4})\s*[/／]\s*(?P<pages>\d{1,4})"
    r"|[Pp]age\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?)\s*"
)


def is_page_number(text: str) -> bool:
    """A line that only numbers its page (page furniture, never a row of a table).

    >>> [is_page_number(t) for t in ("— 5 —", "-5-", "第 5 页 共 12 页", "5 / 12", "12 / 5", "5", "0 0 0")]
    [True, True, True, True, False, False, False]
    """
    m = PAGE_NUMBER.fullmatch(text) if len(text) <= 24 else None
    if m is None:
        return False
    if m.group("page"):  # "5 / 12": a page of a document, never 0 / n nor past the last page
        return 1 <= int(m.group("page")) <= int(m.group("pages"))
    return True


# A cell printed as a number with something that makes it not one (issue 10, "one odd token spoils one
# cell"): a unit (15件, 15%), an approximation (约15), a range (3-5). Such a token stands where a number
# would and is a cell of its own: NA, with an issue quoting it, never the number inside it.
_APPROX = "约|大约|近|将近|超过?|逾|不足|不到|多于|少于|至少|≈|~"
_UNITS = "件|个|条|项|次|人次|人|份|宗|起|家|篇|户|余|多|万|亿|左右|以上|以下|%|‰"
_NUM = r"\d[\d,.]*"
_ODD = re.compile(
    rf"(?:{_APPROX}){_NUM}(?:[-~至到]{_NUM})?(?:{_UNITS})*"
    rf"|{_NUM}[-~至到]{_NUM}(?:{_UNITS})*"
    rf"|{_NUM}(?:{_UNITS})+"
)
# Shapes that are odd only among numbers (before them they are a label's ordinal: "1.", "三"): a number with a
# stray point or comma (15., 1,2), a count in Chinese numerals (二十一; 〇 is OCR's zero).
_ODD_AMONG_NUMBERS = re.compile(r"[\d,.]*\d[\d,.]*|[零〇一二两三四五六七八九十百千万]+")
# Inside one delimited cell: a number spaced in thousands (1 234) is one odd cell, not the cells 1 and 234;
# a sign spaced from its number (- 1) is that signed number, not "-" (not applicable) and 1.
_SPACED_THOUSANDS = re.compile(r"[1-9]\d{0,2}(?: \d{3})+")
_SPACED_SIGN = re.compile(r"[-+] \d[\d,]*(?:\.\d+)?")


def odd_value(token: str, line: int, among_numbers: bool) -> Value | None:
    """A token printed where a number stands but not a number (NA, kept with what was printed), or None.

    ``among_numbers``: the token follows a number on its line (then "15." and "二十一" are cells too).

    >>> odd_value("15件", 1, False).raw, odd_value("约15", 1, False).status, odd_value("1.", 1, False)
    ('15件', 'missing', None)
    >>> odd_value("15.", 1, True).raw, odd_value("其他", 1, True)
    ('15.', None)
    """
    if _ODD.fullmatch(token) or (among_numbers and _ODD_AMONG_NUMBERS.fullmatch(token)):
        return Value(None, line, token)
    return None


class Value(NamedTuple):
    """One numeric cell as printed: a number, or None for a not-applicable mark.

    A named tuple: a report holds hundreds of them and most are copies of a cached line's cells, so they
    must be cheap to make (and, being tuples, they cannot be changed after the fact).

    A count printed as plain digits (most cells) is an ``int``; anything else printed (a sign, a decimal
    point, thousands separators, a unit) a ``Decimal``. The two compare and add exactly with each other;
    ints make the identities' sums and the output columns several times cheaper than Decimal arithmetic.
    """

    number: int | Decimal | None
    line: int
    raw: str
    derived: bool = False  # placed by the identities (a glued digit run split, a scrambled row paired)
    # Where on its line: a text line's 1-based character column where the printed token starts (a flattened
    # one-line page too); a table-grid row's (HTML, DOCX, PDF) 1-based grid column. 0: not known.
    col: int = 0
    ocr: bool = False  # read from a page image by OCR (xxgk.read.ocr), not from printed text

    @property
    def status(self) -> str:
        if self.derived:
            return "derived"
        if self.number is not None:
            return "ocr" if self.ocr else "printed"
        return "not_applicable" if self.raw in NOT_APPLICABLE else "missing"

    @property
    def unreadable(self) -> bool:
        """Printed where a number stands but not a number (15件, 约15, 二十一): NA, with an issue."""
        return self.number is None and self.raw not in NOT_APPLICABLE and not self.ocr


def is_whole(number: int | Decimal) -> bool:
    """A whole number: an int (a count printed as plain digits), or a Decimal without a fraction.

    >>> is_whole(3), is_whole(Decimal("12.0")), is_whole(Decimal("1.5"))
    (True, True, False)
    """
    return type(number) is int or number == number.to_integral_value()


class Line:
    """One line as the parser sees it (slots, not a dataclass: a corpus makes millions of them)."""

    __slots__ = (
        "no",
        "text",
        "label",
        "last_label",
        "_cells",
        "_shared",
        "_values",
        "delimited",
        "grid",
        "trailing_text",
        "trimmed",
        "marks",
        "furniture",
    )

    def __init__(
        self,
        no: int,
        text: str,
        label: str,
        last_label: str,
        cells: list[Value | None] | None = None,
        delimited: bool = False,
        grid: bool = False,
        trailing_text: bool = False,
        trimmed: bool = False,
        marks: str = "",
        furniture: bool = False,
    ):
        self.no = no  # 1-based line number in the file (HTML: block; PDF: through the document)
        self.text = text  # the normalised line, cells joined by a space
        self.label = label  # text cells before the numbers, white space removed
        self.last_label = last_label  # the last text cell or token alone (for "3.其他" after a group label)
        self._cells = cells if cells is not None else []
        self._shared = False  # _cells are a cached line's: renumbered when first read
        self._values: list[Value] | None = None
        self.delimited = delimited  # cells came from a tab/pipe/HTML/PDF table row, not a space-split line
        self.grid = grid  # every cell of the table row is here, blanks included (HTML, PDF, pipe)
        self.trailing_text = trailing_text  # text after the numbers (a header fragment or OCR noise)
        self.trimmed = trimmed  # empty cells at the end of a tab row were dropped: its width is unknown
        self.marks = marks  # footnote marks printed beside its numbers (left out of them: 66² is 66)
        self.furniture = furniture  # a page number ("— 5 —"): no label, no cells, never a row

    @property
    def cells(self) -> list[Value | None]:
        """The numeric region after the label, None for an empty cell."""
        if self._shared:
            no = self.no
            self._cells = [
                None if c is None else _new_value(Value, (c[0], no, c[2], c[3], c[4], c[5]))
                for c in self._cells
            ]
            self._shared = False
        return self._cells

    @property
    def values(self) -> list[Value]:
        """The cells that hold a number or a not-applicable mark (computed once: the parser asks often)."""
        if self._values is None:
            self._values = [c for c in self.cells if c is not None]
        return self._values

    @property
    def pure_values(self) -> bool:
        """Numbers and nothing else: a table line with no label (table 四, or a wrapped row's numbers)."""
        return bool(self.values) and not self.label and not self.trailing_text

    def __repr__(self) -> str:
        return f"Line({self.no}, {self.text!r}, label={self.label!r}, cells={self.cells!r})"


def parse_value(token: str, line: int) -> Value | None:
    """A cell or token as a Value, or None when it is text.

    >>> parse_value("1,774", 3).number
    Decimal('1774')
    >>> parse_value("/", 3).status
    'not_applicable'
    >>> parse_value("1.", 3) is None
    True
    """
    token = token.strip()
    if token.isdigit() and token.isascii():  # most cells: a plain count, kept as an int (see Value)
        return _new_value(Value, (int(token), line, token, False, 0, False))  # (Value(...), without a call)
    if token in NOT_APPLICABLE:
        return Value(None, line, token)
    m = _NUMBER_UNIT.fullmatch(token)
    if m:
        return Value(Decimal(m.group("n").replace(",", "")), line, token)
    return None


def split_line(raw: str, no: int) -> Line:
    """Turn one raw line into a Line.

    Table rows and headers recur across a corpus ("1.属于国家秘密 0 0 0 0 0 0 0" in most reports): a short
    line is split once and later copies only renumbered. Prose lines are longer and not cached.

    >>> ln = split_line("\\t(二)\\t部分公开(区分处理的,只计\\t\\t0\\t0\\t0\\t0\\t0\\t0\\t", 44)
    >>> ln.label, [c.number if c else None for c in ln.cells][:3]
    ('(二)部分公开(区分处理的,只计', [None, 0, 0])
    >>> split_line("1.属于国家秘密 0 0 0 0 0 0 0", 1).label
    '1.属于国家秘密'
    """
    if len(raw) > _CACHED_LENGTH:
        return _split_line(raw, no)
    if "\t" in raw:  # a tab row: through its template (the row read whole is not cached: counts differ)
        return _from_template(raw, no, False, True)
    return _renumbered(_split_short(raw), no)


def _renumbered(proto: Line, no: int) -> Line:
    """A copy of a cached line (numbered 0) as line ``no``; its cells are renumbered only when read."""
    return _like(proto, no, proto.text, proto._cells, bool(proto._cells))


def _like(proto: Line, no: int, text: str, cells: list, shared: bool) -> Line:
    """Line ``no`` with ``proto``'s label and flags, and this text and these cells (``shared``: they are
    the cached line's own, renumbered when first read)."""
    line = _new_line(Line)
    line.no, line.text, line.label, line.last_label = no, text, proto.label, proto.last_label
    line._cells, line._shared, line._values = cells, shared, None
    line.delimited, line.grid, line.trailing_text, line.trimmed, line.marks, line.furniture = (
        proto.delimited,
        proto.grid,
        proto.trailing_text,
        proto.trimmed,
        proto.marks,
        proto.furniture,
    )
    return line


_new_line = object.__new__
_new_value = tuple.__new__


#: Lines up to this length are cached by :func:`split_line` (a table row; prose lines are longer).
_CACHED_LENGTH = 120


def _split_line(raw: str, no: int) -> Line:
    if "\t" in raw:
        if len(raw) <= _CACHED_ROW_CHARS:
            return _from_template(raw, no, False, True)
        return line_from_cells(raw.split("\t"), no, raw=raw)
    stripped = raw.strip()
    if stripped.startswith("|") and stripped.count("|") >= 3:
        cells = stripped.strip("|").split("|")
        if all(_PIPE_RULE.fullmatch(c) for c in cells):
            return Line(no, "", "", "", [], delimited=True, grid=True)  # |---|---| under a markdown header
        return line_from_cells(cells, no, grid=True, raw=raw)  # "|  |" is a blank cell
    text = normalize_cell(raw)
    if is_page_number(text) or is_page_number(raw):  # (raw: "- 5 -" normalises like a list item, "5 -")
        return Line(no, text, "", "", [], furniture=True)
    tokens = [part for tok in (text.split(" ") if text else []) for part in _unglue(tok)]
    values = [parse_value(tok, no) for tok in tokens]
    # An odd token (15件, 约15) is a cell only on a line that prints a number or a mark: prose says "15件" too.
    odd_ok = any(v is not None for v in values)
    labels, cells, trailing = [], [], False
    for tok, value in zip(tokens, values, strict=True):
        if value is None and odd_ok:
            value = odd_value(tok, no, bool(cells))
        if value is not None:
            cells.append(value)
        elif cells:
            trailing = True
            labels.append(tok)
        else:
            labels.append(tok)
    if cells:
        if (
            not trailing
            and len(tokens) == text.count(" ") + 1
            and same_length_nfkc(raw) == text
            and not _OTHER_SPACE.search(text)  # a token's value is stripped of these: its length would differ
        ):
            cells = _at_line_end(text, cells)
        else:
            cells = at_columns(raw, cells)
    return Line(
        no,
        text,
        compact("".join(labels)),
        compact(labels[-1]) if labels else "",
        cells,
        trailing_text=trailing,
        marks=footnote_marks(raw),
    )


def _at_line_end(text: str, cells: list[Value]) -> list[Value]:
    """The values of a line whose cells are its last tokens, each a whole token one space from the next,
    with ``col`` set to where each starts: when the line as printed is its normalised text (positions
    kept), that is exactly where :func:`at_columns`' search from the line's end finds each (only a space
    lies between them, and a token holds none)."""
    out = []
    end = len(text)
    for v in reversed(cells):
        end -= len(v[2])
        out.append(_new_value(Value, (v[0], v[1], v[2], v[3], end + 1, v[5])))
        end -= 1
    out.reverse()
    return out


#: White space other than the space, which a normalised line may keep (\r, \x1f, \u2028…).
_OTHER_SPACE = re.compile(r"[^\S ]")
_split_short = lru_cache(maxsize=1 << 15)(lambda raw: _split_line(raw, 0))
_PIPE_RULE = re.compile(r"\s*:?-{2,}:?\s*")
# A label glued to the digits after it ("规章000", "1.属于国家秘密0000000"): web text that lost its cells.
_GLUED = re.compile(r"^(?P<label>.*[\u3400-\u9fff)\"])(?P<digits>\d[\d,.]*)$")
_APPROX_END = re.compile(rf"(?:{_APPROX})$")


def _unglue(token: str) -> list[str]:
    """Split a label from digits glued to its end; a table label never ends in a digit.

    An approximation stays with its number (约15 is not 15).

    >>> _unglue("规章000"), _unglue("2022年"), _unglue("行政事业性收费9116.36")
    (['规章', '000'], ['2022年'], ['行政事业性收费', '9116.36'])
    >>> _unglue("约15"), _unglue("本年新收约15")
    (['约15'], ['本年新收', '约15'])
    """
    m = None if token.isdigit() else _GLUED.match(token)  # (most cells: digits alone, no label)
    if m is None:
        return [token]
    label, digits = m.group("label"), m.group("digits")
    approx = _APPROX_END.search(label)
    if approx is None:
        return [label, digits]
    head = label[: approx.start()]
    return [head, label[approx.start() :] + digits] if head else [token]


def line_from_cells(cells: list[str], no: int, grid: bool = False, raw: str | None = None) -> Line:
    """A delimited row: label cells, then the numeric region aligned by position (empty cell = None).

    Trailing empty cells are dropped for text exports (a trailing tab is layout); a ``grid`` row (HTML,
    PDF, markdown pipes) keeps them, since there a blank total cell is a blank, not nothing.
    ``raw``: the text line the cells were split from (tab and pipe rows): each value's ``col`` is then its
    character column in it; without it (a table reader's row) ``col`` is the value's 1-based grid column.

    A short table reader's row (no ``raw``) is read through its template (:func:`_from_template`): table
    rows and headers recur across reports, with other counts in them.
    """
    if raw is None:
        joined = "\t".join(cells)
        # (a cell holding a tab, as a PDF's may, would make the joined row ambiguous: read whole)
        if len(joined) < _CACHED_ROW_CHARS + len(cells) and joined.count("\t") == len(cells) - 1:
            return _from_template(joined, no, grid, False)
    return _line_from_cells(cells, no, grid, raw)


#: A row up to this many characters is read through its template by :func:`line_from_cells` (a table row;
#: a page-frame row read as one cell holds a paragraph and is not).
_CACHED_ROW_CHARS = 240


def _from_template(joined: str, no: int, grid: bool, tab: bool) -> Line:
    """A short row (its cells joined by tabs) read through its template: the row with every cell of plain
    ASCII digits printed as "0".

    Rows recur across a corpus with other counts in them ("规章 0 0 808", "规章 1 9 10"): what a row's
    label, marks, kinds of cell and numeric region are does not depend on which digits a plain-count cell
    holds (such a cell is always one count, never a label, a mark or a page number, and normalises to
    itself), so the template is read once (:func:`_row`, cached) and each row only puts its own counts,
    and for a tab row (``tab``: ``joined`` is the line) their columns, in. A tab row whose numbers are not
    placed at their cells' starts (a mark, a unit, text after them: the line is searched) is read whole.
    """
    parts = _COUNT_CELL.split(joined)  # text, count, text, count, …, text
    template = _template("0".join(parts[0::2]), grid, tab)
    if template is None:
        return _line_from_cells(joined.split("\t"), no, grid, joined)
    proto, recipe, text = template
    if recipe is None:  # no count in the row: the template is the row (a header, a row of marks)
        return _renumbered(proto, no)
    printed = parts[1::2]  # the counts, in the order of the line's values
    out: list[Value | None] = []
    shift = n = 0  # (a tab row: how much longer than "0" the counts before this value are)
    for r in recipe:
        if r is None:
            out.append(None)
        elif r.__class__ is int:  # a count, at this column in the template
            c = printed[n]
            n += 1
            out.append(_new_value(Value, (int(c), no, c, False, r + shift, False)))
            if tab:
                shift += len(c) - 1
        else:
            out.append(_new_value(Value, (r[0], no, r[2], r[3], r[4] + shift, r[5])))
    return _like(proto, no, text % tuple(printed), out, False)


@lru_cache(maxsize=1 << 15)
def _template(key: str, grid: bool, tab: bool) -> tuple[Line, tuple | None, str] | None:
    """A row template read once (line 0), with what its rows put in: the ``recipe`` of its cells (None for
    a blank, a count's column in the template, or the Value printed there; None when the row holds no
    count) and its text as a %-format with a ``%s`` for each count. None: a tab row that is searched."""
    cells = key.split("\t")
    proto, located = _row(cells, 0, grid, key if tab else None)
    if tab and proto._cells and not located:
        return None
    starts = []  # where each cell starts: a tab row's value col is in its cell; a grid row's col is the cell
    at = 0
    for c in cells:
        starts.append(at)
        at += len(c) + 1
    recipe = tuple(
        v if v is None or cells[bisect_right(starts, v[4] - 1) - 1 if tab else v[4] - 1] != "0" else v[4]
        for v in proto._cells
    )
    texts = [normalize_cell(c) for c in cells]
    text = " ".join(
        "%s" if c == "0" else n.replace("%", "%%") for c, n in zip(cells, texts, strict=True) if n
    )
    return proto, recipe if "0" in cells else None, text


# A cell of plain ASCII digits (a count) in a row joined by tabs.
_COUNT_CELL = re.compile(r"(?<![^\t])([0-9]+)(?![^\t])")


def _line_from_cells(cells: list[str], no: int, grid: bool, raw: str | None) -> Line:
    return _row(cells, no, grid, raw)[0]


def _row(cells: list[str], no: int, grid: bool, raw: str | None) -> tuple[Line, bool]:
    """The row as a Line, and whether its numbers were placed at their cells' starts (a tab row)."""
    printed = cells
    joined = "\t".join(cells)  # most rows hold no mark at all: one look at the whole row says so
    marks = "".join(footnote_marks(c) for c in cells) if "<" in joined or has_marks(joined) else ""
    cells_raw = [normalize_cell(c) for c in cells]
    width = len(cells_raw)
    while cells_raw and not cells_raw[-1] and not grid:
        cells_raw.pop()
    nonempty = {c for c in cells_raw if c}
    if len(nonempty) == 1 and is_page_number(next(iter(nonempty))):  # a page number, alone or spanned
        return Line(no, next(iter(nonempty)), "", "", [], delimited=True, grid=grid, furniture=True), False
    kinds = (
        [_cell_kind_0(cell) for cell in cells_raw]
        if no == 0
        else [_cell_kind(cell, no) for cell in cells_raw]
    )
    first_value = next((i for i, (k, _) in enumerate(kinds) if k in _STARTS_CELLS), len(kinds))
    label_cells = [cells_raw[i] for i in range(first_value) if kinds[i][0] in _LABEL_KINDS]
    last_text_before = max((i for i in range(first_value) if kinds[i][0] in _LABEL_KINDS), default=-1)
    cells: list[Value | None] = []
    trailing = False
    for i, (kind, values) in enumerate(kinds[last_text_before + 1 :], last_text_before + 2):
        if kind == "empty":
            cells.append(None)
        elif kind == "text":
            cells.append(None)
            trailing = True
        elif raw is None:
            cells.extend(_new_value(Value, (v[0], v[1], v[2], v[3], i, v[5])) for v in values)
        else:
            cells.extend(values)
    if raw is not None and cells:
        # a tab row of plain counts and blanks: each number stands at its cell's start (what at_columns
        # would find, without searching); anything else is searched for
        located = (
            _at_cell_starts(printed, last_text_before + 1, cells) if joined == raw and not trailing else None
        )
        cells = located if located is not None else at_columns(raw, cells)
    else:
        located = None
    if not any(c is not None for c in cells) and not (grid and label_cells):
        cells = []  # a grid row's blank cells after a label are kept: a row printed blank, not absent
    line = Line(
        no,
        " ".join(c for c in cells_raw if c),
        compact("".join(label_cells)),
        compact(label_cells[-1]) if label_cells else "",
        cells,
        delimited=True,
        grid=grid,
        trailing_text=trailing,
        trimmed=len(cells_raw) < width,
        marks=marks,
    )
    return line, located is not None


def _at_cell_starts(printed: list[str], first: int, cells: list[Value | None]) -> list[Value | None] | None:
    """The cells of a tab row with ``col`` set to where each printed number starts, when the numeric region
    (from cell ``first`` on) is plain counts, one a cell, and blanks: then :func:`at_columns`, searching
    back from the line's end, finds each number exactly there (only white space and tabs lie between
    them). None when the region holds anything else (a mark, a unit, two numbers in a cell…)."""
    out: list[Value | None] = []
    start = sum(len(c) + 1 for c in printed[:first])  # where cell ``first`` starts in the line
    k = 0
    for cell in printed[first:]:
        token = cell.strip()
        v = cells[k] if k < len(cells) else _PAST_END
        if not token and v is None:  # a blank cell
            out.append(None)
        elif not token and v is _PAST_END:  # a blank cell the row's end dropped
            pass
        elif v is not None and v is not _PAST_END and v[2] == token and token.isdigit() and token.isascii():
            out.append(
                _new_value(Value, (v[0], v[1], token, v[3], start + len(cell) - len(cell.lstrip()) + 1, v[5]))
            )
        else:
            return None
        k += v is not _PAST_END
        start += len(cell) + 1
    return out if k == len(cells) else None


_PAST_END = object()


# A cached line's cells are read as line 0 (renumbered when a copy is read): each distinct cell ("0", "/",
# a label) is read once per corpus. (The values are tuples, and callers copy the list.)
_cell_kind_0 = lru_cache(maxsize=1 << 16)(lambda cell: _cell_kind(cell, 0))

_STARTS_CELLS = frozenset({"values", "odd"})  # kinds of cell that open a row's numeric region
_LABEL_KINDS = frozenset({"text", "loose"})  # kinds of cell that are label text before that region


def _cell_kind(cell: str, no: int) -> tuple[str, list[Value]]:
    """One delimited cell: empty, values (a cell holding "0 0" is two cells run together), odd (a number with
    a unit or an approximation), loose (odd only after a number: "15.", "二十一"), or text.

    >>> [_cell_kind(c, 1)[0] for c in ("", "0 0", "15件", "1 234", "15.", "其他")]
    ['empty', 'values', 'odd', 'odd', 'loose', 'text']
    >>> _cell_kind("- 1", 1)[1][0].number
    Decimal('-1')
    """
    if not cell:
        return "empty", []
    if " " not in cell:
        value = parse_value(cell, no)
        if value is not None:
            return "values", [value]
    else:
        if _SPACED_SIGN.fullmatch(cell):
            return "values", [Value(Decimal(cell.replace(" ", "").replace(",", "")), no, cell)]
        if _SPACED_THOUSANDS.fullmatch(cell):
            return "odd", [Value(None, no, cell)]
        values = [parse_value(p, no) for p in cell.split(" ")]
        if all(v is not None for v in values):
            return "values", values
    if _ODD.fullmatch(cell):
        return "odd", [Value(None, no, cell)]
    if _ODD_AMONG_NUMBERS.fullmatch(cell):
        return "loose", [Value(None, no, cell)]
    return "text", []


# Where a flattened table breaks into rows: before an ordinal (一、 (一) 1.属于…) or a table-二 item block
# (第二十条); and after a section heading's last word.
_ROW_START = re.compile(
    r"(?=[一二三四五六七八九十]、)|(?=\([一二三四五六七八九十]\))|(?=[1-9]\.[\u3400-\u9fff])|(?=第二十条)"
)
_HEADING_END = re.compile(r"^[一二三四五六]、.{2,36}?(?:情况|事项)")
#: A line this long with this many row ordinals is a whole table (or document) flattened into one line.
STREAM_MIN_CHARS, STREAM_MIN_ORDINALS = 300, 8


@cache
def _item_starts() -> re.Pattern:
    """Table-二 item labels (from the alias table), longest first so 行政规范性文件 is not cut at 规范性文件."""
    words = {a.alias for a in codes.aliases() if a.table == "proactive"} | {
        c.zh for c in codes.PROACTIVE_ITEMS
    }
    words = sorted(words, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words)))


def split_stream(raw: str) -> list[str]:
    """Break a flattened web-page text (all cells on one line) into one piece per row or heading.

    >>> split_stream("三、收到和处理政府信息公开申请情况一、本年新收 713000074二、上年结转 1000001")
    ['三、收到和处理政府信息公开申请情况', '一、本年新收 713000074', '二、上年结转 1000001']
    >>> split_stream("信息内容本年处理决定数量行政处罚2113行政强制0")
    ['信息内容本年处理决定数量', '行政处罚2113', '行政强制0']
    """
    text = normalize_cell(raw)
    cuts = sorted(
        {
            0,
            *(m.start() for m in _ROW_START.finditer(text)),
            *(m.start() for m in _item_starts().finditer(text)),
        }
    )
    pieces = []
    for piece in (text[a:b] for a, b in zip(cuts, [*cuts[1:], len(text)], strict=False)):
        heading = _HEADING_END.match(piece)
        if heading and heading.end() < len(piece):
            pieces += [piece[: heading.end()], piece[heading.end() :]]
        elif piece.strip():
            pieces.append(piece)
    return [p.strip() for p in pieces if p.strip()]


def _is_stream(raw: str) -> bool:
    return (
        len(raw) >= STREAM_MIN_CHARS
        and len(_ROW_START.findall(raw)) >= STREAM_MIN_ORDINALS
        and "\t" not in raw
    )


# A number's printed token stands alone: no digit or separator just before it, and no digit just after it
# nor the mark of an ordinal ("1.属于", "1、", "1)"): a label's ordinal is never taken for the cell.
_NOT_BEFORE = frozenset("0123456789.,")
_NOT_AFTER = frozenset("0123456789.、)")


def at_columns(raw: str, cells: list[Value | None]) -> list[Value | None]:
    """The cells with ``col`` set to the 1-based character column of ``raw`` where each printed token starts.

    Found from the end of the line backwards (the cells follow the label), each token before the one after
    it; full-width forms count as what they normalise to. A token not found as printed keeps ``col`` 0.

    >>> [c.col for c in at_columns("1.属于国家秘密 1 10 ０", split_line("1.属于国家秘密 1 10 ０", 1).cells)]
    [10, 12, 15]
    """
    hay = same_length_nfkc(raw)
    out = list(cells)
    end = len(hay)
    for k in range(len(out) - 1, -1, -1):
        v = out[k]
        if v is None or not v[2]:
            continue
        tok = v[2]  # raw
        pos = hay.rfind(tok, 0, end)
        while pos >= 0 and not _stands_alone(hay, pos, pos + len(tok)):
            pos = hay.rfind(tok, 0, pos + len(tok) - 1)
        if pos >= 0:
            out[k] = _new_value(Value, (v[0], v[1], tok, v[3], pos + 1, v[5]))
            end = pos
    return out


def _stands_alone(hay: str, start: int, stop: int) -> bool:
    if start > 0 and hay[start].isdigit() and hay[start - 1] in _NOT_BEFORE:
        return False
    return not (stop < len(hay) and hay[stop - 1].isdigit() and hay[stop] in _NOT_AFTER)


def _located_stream(raw: str, no: int) -> list[Line]:
    """A flattened line's pieces, each value's ``col`` its column in the whole physical line."""
    lines = [split_line(piece, no) for piece in split_stream(raw)]
    located = iter(at_columns(raw, [c for line in lines for c in line.cells]))
    for line in lines:
        if line.cells:
            line._cells = [next(located) for _ in line.cells]
            line._values = None
    return lines


def split_lines(text: str) -> list[Line]:
    """The document's lines, numbered from 1 as in the file (pieces of a flattened line share its number).

    Blank lines are left out: they carry nothing, and pdftotext prints one after every other line.
    """
    out = []
    for i, raw in enumerate(text.splitlines(), 1):
        if not raw or raw.isspace():
            continue
        if len(raw) >= STREAM_MIN_CHARS and _is_stream(normalize_cell(raw)):
            out.extend(_located_stream(raw, i))
        else:
            out.append(split_line(raw, i))
    return out


@dataclass
class Document:
    """What a reader (:mod:`xxgk.read.formats`) makes of a file: its lines, and where they came from."""

    lines: list[Line]
    line_pages: dict[int, int] = field(default_factory=dict)  # paged formats: line number -> page
    line_cells: dict[int, tuple[int, int]] = field(
        default_factory=dict
    )  # table readers: line -> (table, row)
    encoding: str = ""  # text formats: the encoding the bytes were decoded from
    replaced: int = 0  # byte sequences that did not decode and were replaced
    notes: list[Issue] = field(default_factory=list)  # what the reader found about the file (html_truncated…)
    # Text formats: the decoded lines as printed, where a prose number is found again (:func:`column_of`).
    raw_lines: list[str] = field(default_factory=list)


def read(data: bytes) -> Document:
    """The reader of plain text and markdown: decoded (:func:`xxgk.read.text.decode`), then split into lines."""
    decoded = decode(data)
    return Document(
        split_lines(decoded.text),
        encoding=decoded.encoding,
        replaced=decoded.replaced,
        raw_lines=decoded.text.splitlines(),
    )


# A number as printed in prose: with thousands separators or plain, not part of a longer digit run.
_PROSE_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,])|\d+(?:\.\d+)?(?![\d.])")


def column_of(raw: str, value: Decimal) -> int | None:
    """The 1-based column of ``raw`` where ``value`` is printed, when it is printed there exactly once.

    A number printed twice on the line (or not as digits: 无, 零) has no column: it is not guessed.

    >>> column_of("本年度共受理申请１，０９８件，办结1097件。", Decimal(1098))
    9
    >>> column_of("受理3件，办结3件", Decimal(3)) is None
    True
    """
    hay = same_length_nfkc(raw)
    hits = [
        m.start() + 1
        for m in _PROSE_NUMBER.finditer(hay)
        if (m.start() == 0 or not hay[m.start() - 1].isdigit())
        and Decimal(m.group().replace(",", "")) == value
    ]
    return hits[0] if len(hits) == 1 else None
