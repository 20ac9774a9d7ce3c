"""Web pages: paragraphs become lines, each report table becomes a grid of rows.

Tables are expanded to a grid before any row is matched: a cell with rowspan/colspan fills every position
it covers (text is repeated there, so a group label such as 三、本年度办理结果 reaches each row it spans; a
number stands only at its first position, so it is never counted twice). Blank and &nbsp; cells stay blank
(NA), never 0. A table that holds other tables is page layout and is read as text around them.

Provenance: HTML lines are numbered as *blocks* in reading order (each paragraph, heading, list item or
table row is one), since a page is often a single physical line.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import unquote

import lxml.etree
import lxml.html

from xxgk.contract.checks import Issue
from xxgk.read.lines import Document, Line, line_from_cells, odd_value, parse_value, split_line
from xxgk.read.text import UnreadableFile, as_mark, decode

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
        [[_cell(cell) for cell in tr.iterchildren("td", "th")] for tr in table.iter("tr") if _own(tr, table)]
    )


def _cell(cell) -> tuple[str, int, int]:
    """A cell's text (white space folded), rowspan and colspan."""
    text = _cell_text(cell)
    if not cell.attrib:  # most cells: no attribute, no span
        return " ".join(text.split()), 1, 1
    return " ".join(text.split()), _span(cell.get("rowspan")), _span(cell.get("colspan"))


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
            if spans:  # (most tables: no span from above pending)
                c = _covered(spans, r, c, row)
            if rowspan == colspan == 1:  # most cells: nothing to spread
                row.append(text)
                c += 1
                continue
            # Numbers are never duplicated, nor a number printed with a unit (15件: one cell, NA).
            repeat = "" if parse_value(text, 0) is not None or odd_value(text, 0, False) else text
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
        if spans:
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
    """A cell's text like ``text_content()``, but with a space where a break or a nested cell stands.

    Iterative, not recursive: a cell inside hundreds of unclosed tags is still read whole."""
    if not len(el):  # most cells: text and no element inside
        return el.text or ""
    parts = [el.text or ""]
    stack: list = [(child, None) for child in reversed(el)]
    while stack:
        child, closing = stack.pop()
        if closing is not None:  # the end of an element whose content is read: its separator, then its tail
            parts += [closing, child.tail or ""]
            continue
        mark = _footnote(child)
        if mark is not None:
            parts.append(mark)
        elif isinstance(child.tag, str):  # comments and processing instructions hold no cell text
            sep = " " if child.tag in _CELL_BREAKS else ""
            parts += [sep, child.text or ""]
            stack.append((child, sep))
            stack.extend((grandchild, None) for grandchild in reversed(child))
            continue
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
    if value is None:  # most cells
        return 1
    try:
        return max(1, min(int(value or 1), 200))
    except ValueError:
        return 1


def html_lines(
    text: str,
    notes: list[Issue] | None = None,
    line_cells: dict[int, tuple[int, int]] | None = None,
    folder: Path | None = None,
) -> list[Line]:
    """The page as Lines: text blocks through :func:`split_line`, leaf tables as grid rows.

    Parsed with limits that fit real pages (``huge_tree``: deep nesting and long text nodes kept). If text
    is still lost (tags nested past even that limit), the page is read again with inline formatting tags
    dropped and div as line breaks (what the reader makes of them is the same); text lost all the same
    is reported in ``notes`` (``html_truncated``), never dropped silently. ``line_cells`` is given each
    table row's line number -> (table, row), 1-based, tables counted in document order. With the page's
    ``folder``, an ``<img>`` whose file is there (a table saved as a picture) is read by OCR in its place.
    """
    doc = _parse(text)
    lost = _lost(text, doc)
    if lost:
        doc, note = _read_flat(text, doc, lost)
        if notes is not None:
            notes.append(note)
    page = _Page(folder, notes if notes is not None else [])
    page.walk(doc.body if doc.find("body") is not None else doc)
    page.flush()
    if line_cells is not None:
        line_cells.update(page.line_cells)
    lines = page.lines
    title = doc.findtext(".//title")
    if title and not any("报告" in ln.text for ln in lines[:5]):
        lines.insert(0, split_line(title, 0))  # the page title names the report when the body does not
    return lines


def _read_flat(text: str, doc, lost: int):
    """A page that lost text, read again flattened: the better parse, and the issue saying what happened."""
    flat = _FLATTEN_DIV.sub("<br>", _INLINE.sub("", text))
    flat_doc = _parse(flat)
    flat_lost = _lost(flat, flat_doc)
    if not flat_lost:
        return flat_doc, Issue(
            "html_flattened",
            "info",
            f"The page nests tags deeper than the HTML parser keeps ({lost} characters of text were lost); it "
            "was read again without inline formatting tags and with div as line breaks, and nothing was lost",
        )
    if flat_lost < lost:
        doc, text, lost = flat_doc, flat, flat_lost
    total = _visible(text)
    return doc, Issue(
        "html_truncated",
        "warning",
        f"{lost} of the page's {total} characters of text did not survive HTML parsing (tags nested past the "
        "parser's limit, or an unclosed comment): cells in that part are NA",
        expected=str(total),
        actual=str(total - lost),
    )


def _parse(text: str):
    # A parser per page: lxml parsers keep state and are not shared between threads. Every element is a
    # plain HtmlElement: lxml.html's default picks a class per tag (forms, inputs…) by a Python call for
    # each element the walk touches, a tenth of the time spent reading a page, and nothing here uses them.
    parser = lxml.html.HTMLParser(huge_tree=True)
    parser.set_element_class_lookup(_ONE_CLASS)
    return lxml.html.document_fromstring(text, parser=parser)


_ONE_CLASS = lxml.etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement,
    comment=lxml.html.HtmlComment,
    pi=lxml.html.HtmlProcessingInstruction,
    entity=lxml.html.HtmlEntity,
)


# Text a browser does not show, markup, and white space: what is left is the page's visible text.
_HIDDEN = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)
_MARKUP = re.compile(r"<[^>]*>")
# Tags that only format text (their content reads the same without them), and blocks that only break lines.
_INLINE = re.compile(
    r"</?(?:font|span|b|i|u|em|strong|small|big|a|ins|nobr|o:p|st1:\w+)\b[^<>]*>", re.IGNORECASE
)
_FLATTEN_DIV = re.compile(r"</?(?:div|section|article)\b[^<>]*>", re.IGNORECASE)


def _visible(text: str) -> int:
    """Non-space characters of the page's visible text, from the markup alone (tags dropped, entities
    decoded): what a parse that loses nothing keeps."""
    return _solid(html.unescape(_MARKUP.sub("", _HIDDEN.sub("", text))))


def _lost(text: str, doc) -> int:
    """Characters of visible text the parse lost (0 when it kept everything)."""
    kept = _solid(doc.xpath("string()")) - sum(_solid(el.text or "") for el in doc.iter("script", "style"))
    lost = _visible(text) - kept
    return lost if lost > _LOSS_TOLERANCE else 0


def _solid(text: str) -> int:
    """Characters that are not white space."""
    return len("".join(text.split()))


#: Characters the comparison may be off by on a page that lost nothing (a ">" inside an attribute value is
#: taken for the end of its tag): on the test corpus, every page that lost nothing gave 0.
_LOSS_TOLERANCE = 10


class _Page:
    """The page read in document order: text gathers in a buffer until a block ends; leaf tables are grids."""

    def __init__(self, folder: Path | None = None, notes: list[Issue] | None = None) -> None:
        self.lines: list[Line] = []
        self.buffer: list[str] = []
        self.line_cells: dict[int, tuple[int, int]] = {}  # a table row's line -> (table, row)
        self.folder = folder  # the page's folder: images beside the page are read by OCR
        self.notes = notes if notes is not None else []

    def image(self, el) -> None:
        """An ``<img>`` whose file is beside the page (under its folder): read by OCR in its place, its
        tables numbered on from the page's; an image that cannot be read is named in an issue."""
        src = _local_image(el.get("src") or "", self.folder)
        if src is None:
            return
        from xxgk.read import ocr  # an optional extra: imported only for a page with images

        self.flush()
        first = len(self.lines) + 1
        try:
            grey = ocr.decode_image(src.read_bytes())
            doc = Document(self.lines, line_cells=self.line_cells, notes=self.notes)
            ocr.add_pages(doc, [grey])
        except (OSError, UnreadableFile) as err:
            self.notes.append(
                Issue(
                    "html_image", "warning", f"The image {src.name} on the page was not read: {err}", src.name
                )
            )
            return
        self.notes.append(
            Issue(
                "html_image",
                "info",
                f"The image {src.name} on the page was read by OCR (lines {first}-{len(self.lines)})",
                src.name,
            )
        )

    def flush(self) -> None:
        """End the text block gathered so far: each of its non-blank lines becomes a Line."""
        joined = "".join(self.buffer).strip()
        self.buffer.clear()
        for piece in joined.splitlines():
            if piece.strip():
                self.lines.append(split_line(piece, len(self.lines) + 1))

    def walk(self, root) -> None:
        """Read an element and everything in it in document order: skip scripts and comments, read a leaf
        table as a grid, and otherwise its text and children, a block ending the text around it.

        Iterative, not recursive: a page nested thousands deep (unclosed tags) cannot exhaust Python's stack.
        """
        stack: list = [(root, False)]
        while stack:
            el, closing = stack.pop()
            if closing:
                if el.tag in _BLOCKS:
                    self.flush()
                elif el.tag in ("td", "th"):
                    self.buffer.append("\t")  # a cell outside any table (broken markup) still ends its cell
            else:
                mark = _footnote(el)
                if mark is not None:
                    self.buffer.append(mark)
                elif not isinstance(el.tag, str) or el.tag in _SKIP:
                    pass
                elif el.tag == "img" and self.folder is not None:
                    self.image(el)
                elif el.tag == "table" and not any(True for t in el.iter("table") if t is not el):
                    self.flush()
                    table = len({t for t, _ in self.line_cells.values()}) + 1
                    for r, row in enumerate(grid(el), 1):
                        self.lines.append(line_from_cells(row, len(self.lines) + 1, grid=True))
                        self.line_cells[len(self.lines)] = (table, r)
                else:
                    if el.tag in _BLOCKS:
                        self.flush()
                    if el.text:
                        self.buffer.append(el.text)
                    stack.append((el, True))  # its end, after its children: the tail comes then
                    stack.extend((child, False) for child in reversed(el))
                    continue
            if el.tail:
                self.buffer.append(el.tail)


#: Image files an ``<img>`` may name to be read (what a browser's "save page" writes beside the page).
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff"})


def _local_image(src: str, folder: Path | None) -> Path | None:
    """The file an ``<img src>`` names under the page's folder, or None: a web address, a data URI, a path
    out of the folder or a file that is not there is not read (nothing is fetched)."""
    if folder is None or not src or re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:|//", src):
        return None
    path = (folder / unquote(src.split("?")[0].split("#")[0])).resolve()
    root = folder.resolve()
    if root not in path.parents or path.suffix.lower() not in IMAGE_SUFFIXES or not path.is_file():
        return None
    return path


def read(data: bytes, path: Path | None = None) -> Document:
    """The reader of web pages: decoded like text, then read as HTML (with the page's ``path``, the table
    images saved beside it are read by OCR)."""
    decoded = decode(data)
    notes: list[Issue] = []
    line_cells: dict[int, tuple[int, int]] = {}
    lines = html_lines(decoded.text, notes, line_cells, Path(path).parent if path is not None else None)
    return Document(
        lines, encoding=decoded.encoding, replaced=decoded.replaced, notes=notes, line_cells=line_cells
    )
