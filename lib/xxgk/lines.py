"""A report's lines as the parser sees them: a label and the numeric cells that follow it.

Two layouts reach us as text. Tab-separated exports (and OCR tables, and PDF/HTML tables turned into tab
rows) keep each cell in its column, empty cells included, so a row's numbers can be aligned by position.
Space-separated extractions (pdftotext) lose the empty cells, so numbers can only be read in order.
Both become a :class:`Line` with a ``label`` (its text cells, white space removed) and ``cells`` (the
numeric region after the label, ``None`` for an empty cell).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from xxgk.text import compact, normalize_cell

# A printed number: plain, with thousands separators (1,774) or a decimal (9116.36); a sign for 增/减.
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
# Printed "not applicable" marks (FORMAT.md: "/", "—", "-", "无", "不适用"): kept apart from 0 and from NA.
NOT_APPLICABLE = frozenset({"/", "//", "—", "——", "-", "--", "无", "不适用", "—/—"})


@dataclass(frozen=True)
class Value:
    """One numeric cell as printed: a number, or None for a not-applicable mark."""

    number: Decimal | None
    line: int
    raw: str

    @property
    def status(self) -> str:
        return "printed" if self.number is not None else "not_applicable"


@dataclass
class Line:
    no: int                       # 1-based line number in the file (or PDF page+line, see source)
    text: str                     # the normalised line, cells joined by a space
    label: str                    # text cells before the numbers, white space removed
    last_label: str               # the last text cell or token alone (for "3.其他" after a group label)
    cells: list[Value | None] = field(default_factory=list)
    tabbed: bool = False
    trailing_text: bool = False   # text after the numbers (a header fragment or OCR noise)

    @property
    def values(self) -> list[Value]:
        return [c for c in self.cells if c is not None]

    @property
    def pure_values(self) -> bool:
        """Numbers and nothing else: a table line with no label (table 四, or a wrapped row's numbers)."""
        return bool(self.values) and not self.label and not self.trailing_text


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
    if token in NOT_APPLICABLE:
        return Value(None, line, token)
    if _NUMBER.fullmatch(token):
        return Value(Decimal(token.replace(",", "")), line, token)
    return None


def split_line(raw: str, no: int) -> Line:
    """Turn one raw line into a Line.

    >>> ln = split_line("\\t(二)\\t部分公开(区分处理的,只计\\t\\t0\\t0\\t0\\t0\\t0\\t0\\t", 44)
    >>> ln.label, [c.number if c else None for c in ln.cells]
    ('(二)部分公开(区分处理的,只计', [None, Decimal('0'), Decimal('0'), Decimal('0'), Decimal('0'), Decimal('0'), Decimal('0')])
    >>> split_line("1.属于国家秘密 0 0 0 0 0 0 0", 1).label
    '1.属于国家秘密'
    """
    if "\t" in raw:
        return _split_tabbed(raw, no)
    text = normalize_cell(raw)
    tokens = text.split(" ") if text else []
    labels, cells, trailing = [], [], False
    for tok in tokens:
        value = parse_value(tok, no)
        if value is not None:
            cells.append(value)
        elif cells:
            trailing = True
            labels.append(tok)
        else:
            labels.append(tok)
    return Line(no, text, compact("".join(labels)), compact(labels[-1]) if labels else "", cells, False,
                trailing)


def _split_tabbed(raw: str, no: int) -> Line:
    cells_raw = [normalize_cell(c) for c in raw.split("\t")]
    while cells_raw and not cells_raw[-1]:
        cells_raw.pop()
    kinds: list[tuple[str, list[Value]]] = []
    for cell in cells_raw:
        if not cell:
            kinds.append(("empty", []))
            continue
        parts = cell.split(" ")
        values = [parse_value(p, no) for p in parts]
        if all(v is not None for v in values):
            kinds.append(("values", values))  # a cell holding "0 0" is two cells run together
        else:
            kinds.append(("text", []))
    first_value = next((i for i, (k, _) in enumerate(kinds) if k == "values"), len(kinds))
    label_cells = [cells_raw[i] for i in range(first_value) if kinds[i][0] == "text"]
    last_text_before = max((i for i in range(first_value) if kinds[i][0] == "text"), default=-1)
    cells: list[Value | None] = []
    trailing = False
    for kind, values in kinds[last_text_before + 1:]:
        if kind == "values":
            cells.extend(values)
        elif kind == "empty":
            cells.append(None)
        else:
            cells.append(None)
            trailing = True
    if not any(c is not None for c in cells):
        cells = []
    return Line(no, " ".join(c for c in cells_raw if c), compact("".join(label_cells)),
                compact(label_cells[-1]) if label_cells else "", cells, True, trailing)


def split_lines(text: str) -> list[Line]:
    """All lines of a decoded document, numbered from 1."""
    return [split_line(raw, i) for i, raw in enumerate(text.splitlines(), 1)]
