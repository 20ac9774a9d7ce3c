"""Web pages: paragraphs become lines, each report table becomes a grid of rows.

Tables are expanded to a grid before any row is matched: a cell with rowspan/colspan fills every position
it covers (text is repeated there, so a group label such as 三、本年度办理结果 reaches each row it spans; a
number stands only at its first position, so it is never counted twice). Blank and &nbsp; cells stay blank
(NA), never 0. A table that holds other tables is page layout and is read as text around them.

Provenance: HTML lines are numbered as *blocks* in reading order (each paragraph, heading, list item or
table row is one), since a page is often a single physical line.
"""

from __future__ import annotations

import lxml.html

from xxgk.read.lines import Document, Line, line_from_cells, parse_value, split_line
from xxgk.read.text import as_mark, decode

# Elements that end a line of text (their content is a paragraph of its own).
_BLOCKS = frozenset(
    {
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "section",
        "article",
        "header",
        "footer",
        "blockquote",
        "pre",
        "title",
        "tr",
        "table",
        "dd",
        "dt",
    }
)
_SKIP = frozenset({"script", "style", "noscript", "head", "template"})


def grid(table) -> list[list[str]]:
    """Expand one table's rowspan/colspan into a rectangular list of rows of cell texts."""
    return expand_spans(
        [
            [
                (" ".join(_cell_text(cell).split()), _span(cell.get("rowspan")), _span(cell.get("colspan")))
                for cell in tr
                if cell.tag in ("td", "th")
            ]
            for tr in table.iter("tr")
            if _own(tr, table)
        ]
    )


def expand_spans(table: list[list[tuple[str, int, int]]], widen: bool = True) -> list[list[str]]:
    """Rows of (text, rowspan, colspan) cells, each row listing only the cells that start in it, as a
    rectangular grid: text repeated over its span (a group label reaches each row it spans), a number only
    at its first position (never counted twice), blanks kept blank. Shared by the HTML and Word readers.

    With ``widen=False`` a cell wider than one column is still one cell (Word's grid columns are where any
    row has a cell edge, so a plain cell often spans two of them: it is one printed cell, not two).

    >>> expand_spans([[("合计", 2, 1), ("3", 1, 2)], [("4", 1, 1), ("", 1, 1)]])
    [['合计', '3', ''], ['合计', '4', '']]
    >>> expand_spans([[("合计", 2, 1), ("3", 1, 2)], [("4", 1, 2)]], widen=False)
    [['合计', '3'], ['合计', '4']]
    """
    rows: list[list[str | None]] = []
    spans: dict[tuple[int, int], str | None] = {}  # (row, col) covered by a span from above (None: no cell)
    for r, cells in enumerate(table):
        row: list[str | None] = []
        c = 0
        for text, rowspan, colspan in cells:
            c = _covered(spans, r, c, row)
            repeat = "" if parse_value(text, 0) is not None else text  # numbers are never duplicated
            for dr in range(rowspan):
                for dc in range(colspan):
                    if dr == 0 and dc == 0:
                        row.append(text)
                    elif dr == 0:
                        if widen:
                            row.append(repeat)
                    else:
                        spans[(r + dr, c + dc)] = repeat if widen or dc == 0 else None
            c += colspan
        _covered(spans, r, c, row)
        rows.append(row)
    width = max((len(r) for r in rows), default=0)
    return [[cell or "" for cell in r] + [""] * (width - len(r)) for r in rows]


def _covered(spans: dict, r: int, c: int, row: list) -> int:
    """Fill the positions from column ``c`` on that spans from above cover; the next free column."""
    while (r, c) in spans:
        text = spans.pop((r, c))
        if text is not None:
            row.append(text)
        c += 1
    return c


# Inside a cell, these break the text: "1<br>2" is two numbers, and a cell that swallowed the next cells
# (a damaged tag, parsed as nesting) keeps them apart.
_CELL_BREAKS = frozenset({"td", "th", "tr", "br", "p", "div", "li", "table"})


def _cell_text(el) -> str:
    """A cell's text like ``text_content()``, but with a space where a break or a nested cell stands."""
    parts = [el.text or ""]
    for child in el:
        mark = _footnote(child)
        if mark is not None:
            parts.append(mark)
        elif isinstance(child.tag, str):  # comments and processing instructions hold no cell text
            sep = " " if child.tag in _CELL_BREAKS else ""
            parts += [sep, _cell_text(child), sep]
        parts.append(child.tail or "")
    return "".join(parts)


def _footnote(el) -> str | None:
    """A <sup>/<sub> that holds a footnote mark, as the mark ("2" → "²"): never a digit of the number before."""
    if el.tag not in ("sup", "sub"):
        return None
    return as_mark(el.text_content())


def _own(tr, table) -> bool:
    """A row of this table, not of a table nested in it."""
    parent = tr.getparent()
    while parent is not None and parent.tag != "table":
        parent = parent.getparent()
    return parent is table


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 200))
    except ValueError:
        return 1


def html_lines(text: str) -> list[Line]:
    """The page as Lines: text blocks through :func:`split_line`, leaf tables as grid rows."""
    doc = lxml.html.document_fromstring(text)
    page = _Page()
    page.walk(doc.body if doc.find("body") is not None else doc)
    page.flush()
    lines = page.lines
    title = doc.findtext(".//title")
    if title and not any("报告" in ln.text for ln in lines[:5]):
        lines.insert(0, split_line(title, 0))  # the page title names the report when the body does not
    return lines


class _Page:
    """The page read in document order: text gathers in a buffer until a block ends; leaf tables are grids."""

    def __init__(self) -> None:
        self.lines: list[Line] = []
        self.buffer: list[str] = []

    def flush(self) -> None:
        """End the text block gathered so far: each of its non-blank lines becomes a Line."""
        joined = "".join(self.buffer).strip()
        self.buffer.clear()
        for piece in joined.splitlines():
            if piece.strip():
                self.lines.append(split_line(piece, len(self.lines) + 1))

    def walk(self, el) -> None:
        """Given an element: skip it (scripts, comments), read it as a grid (a leaf table), or descend."""
        mark = _footnote(el)
        if mark is not None:
            self.buffer.append(mark)
        elif not isinstance(el.tag, str) or el.tag in _SKIP:
            pass
        elif el.tag == "table" and not any(True for t in el.iter("table") if t is not el):
            self.flush()
            for row in grid(el):
                self.lines.append(line_from_cells(row, len(self.lines) + 1, grid=True))
        else:
            self._descend(el)
        if el.tail:
            self.buffer.append(el.tail)

    def _descend(self, el) -> None:
        """Given a block or inline element: its text and children, a block ending the text around it."""
        if el.tag in _BLOCKS:
            self.flush()
        if el.text:
            self.buffer.append(el.text)
        for child in el:
            self.walk(child)
        if el.tag in _BLOCKS:
            self.flush()
        elif el.tag in ("td", "th"):
            self.buffer.append("\t")  # a cell outside any table (broken markup) still ends its cell


def read(data: bytes) -> Document:
    """The reader of web pages: decoded like text, then read as HTML."""
    decoded = decode(data)
    return Document(html_lines(decoded.text), encoding=decoded.encoding, replaced=decoded.replaced)
