"""PDFs with a text layer: ruled-table rows as cells, the rest as text lines (pypdfium2).

Reader choice (README, "PDF"): pdfium (through pypdfium2, BSD/Apache) parses a page in C; the table grid
is rebuilt here from the ruling paths, the way pdfplumber's "lines" finder does it (snap, join, intersect,
smallest cells), and text is assembled from character boxes with pdfplumber's word rules. Same cells as
pdfplumber on the corpus PDFs, 15 to 20 times faster; PyMuPDF would be as fast but is AGPL.

Each page is read top to bottom. A table row that holds more than one filled cell becomes a grid row (blank
cells stay blank, NA; a slot covered by a merged cell reads as blank too, so numbers never shift); a row
with a single filled cell is usually a paragraph inside a page-frame table, so its whole row box is read
as text instead. Text outside tables is read line by line. Lines are numbered through the document;
``pages`` maps each to its page.
"""

from __future__ import annotations

import ctypes
import re
import threading
from bisect import bisect_right
from operator import itemgetter
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from xxgk.read.lines import Document, Line, is_page_number, line_from_cells, split_line
from xxgk.read.pdf_grid import bbox, rulings, tables
from xxgk.read.pdfium_calls import char_matrix, font_size, get_unicode, glyph_box, is_generated, loose_box
from xxgk.read.text import UnreadableFile

# Page headers/footers that only number the page ("- 3 -", "第 3 页", "3 / 6": one pattern for every format,
# xxgk.read.lines.is_page_number), and here also a number alone: outside a ruled table it is the page's
# number (in text formats a lone number may be a table's cell, so there it is not furniture).
_BARE_NUMBER = re.compile(r"[-—–\s]*\d{1,4}[-—–\s]*")

# Distances in points, pdfplumber's defaults: characters further apart than this on a line start a new
# word; characters whose bottoms are closer than this share a line.
_X_TOLERANCE = 3
_Y_TOLERANCE = 3

# pdfium is not thread-safe; a PDF is read by one thread at a time.
_LOCK = threading.Lock()


def read(data: bytes) -> Document:
    """The reader of PDFs: lines with the page of each."""
    lines, pages = pdf_lines(data)
    return Document(lines, line_pages=pages)


def pdf_lines(source: str | Path | bytes) -> tuple[list[Line], dict[int, int]]:
    """The document (a path, or the file's bytes) as Lines, and the page of each line number."""
    lines: list[Line] = []
    pages: dict[int, int] = {}
    with _LOCK:
        try:
            doc = pdfium.PdfDocument(source if isinstance(source, bytes) else str(source))
        except pdfium.PdfiumError as err:
            raise UnreadableFile(f"the PDF cannot be opened ({err})") from err
        try:
            if len(doc) == 0:
                raise UnreadableFile("the PDF cannot be opened (it has no pages: damaged or cut off)")
            for page_no in range(1, len(doc) + 1):
                try:
                    page = doc[page_no - 1]
                except pdfium.PdfiumError as err:
                    raise UnreadableFile(f"page {page_no} of the PDF cannot be read ({err})") from err
                for kind, payload in _page_items(page):
                    no = len(lines) + 1
                    lines.append(
                        line_from_cells(payload, no, grid=True)
                        if kind == "cells"
                        else split_line(payload, no)
                    )
                    pages[no] = page_no
                page.close()
        finally:
            doc.close()
    if not any(line.text for line in lines):
        raise UnreadableFile("the PDF has no text layer (a scan): it needs OCR first")
    return lines, pages


# A character: (text, x0, top, x1, bottom, x centre, y centre), in points from the page's top-left corner.
Char = tuple[str, float, float, float, float, float, float]


def _page_items(page: pdfium.PdfPage) -> list[tuple[str, object]]:
    """The page's table rows ("cells") and text lines ("text"), top to bottom."""
    height = page.get_mediabox()[3]  # PDF y runs up from the media box's bottom; ours down from its top
    chars = _chars(page, height)
    if not chars:
        return []
    items: list[tuple[float, str, object]] = []
    boxes = []
    for cells in tables(rulings(page, height)):
        boxes.append(bbox(cells))
        items += _table_rows(cells, chars)
    outside = chars
    for x0, top, x1, bottom in boxes:
        outside = [c for c in outside if not (x0 <= c[5] <= x1 and top <= c[6] <= bottom)]
    for top, text in _text_lines(outside):
        if not (_BARE_NUMBER.fullmatch(text) or is_page_number(text)):
            items.append((top, "text", text))
    items.sort(key=lambda item: item[0])  # stable: a table row before a text line at the same height
    return [(kind, payload) for _, kind, payload in items if kind == "cells" or payload.strip()]


# Characters ------------------------------------------------------------------------------------------------


def _chars(page: pdfium.PdfPage, height: float) -> list[Char]:
    """Every character the PDF draws (not the spaces and line breaks pdfium adds), with its box."""
    textpage = page.get_textpage()
    handle = ctypes.c_void_p(ctypes.cast(textpage.raw, ctypes.c_void_p).value)
    n = pdfium_c.FPDFText_CountChars(textpage.raw)
    text = _page_text(textpage.raw, n)
    box = pdfium_c.FS_RECTF()
    box_ref = ctypes.byref(box)
    chars: list[Char] = []
    for i, ch in enumerate(text):
        if ch in _SKIP and (ch != " " or is_generated(handle, i)):
            continue  # a space pdfium inferred from a gap: words are split by our own gap rule below
        # The loose box spans the advance width and the font's ascent to descent: the width tells word
        # gaps apart from letter spacing, and the bottom is the same for every character of a line.
        loose_box(handle, i, box_ref)
        left, top, right, bottom = box.left, height - box.top, box.right, height - box.bottom
        if bottom - top > 40:  # a box far taller than text ever is: check it (below)
            left, top, right, bottom = _checked_box(handle, i, height, (left, top, right, bottom))
        chars.append((ch, left, top, right, bottom, (left + right) / 2, (top + bottom) / 2))
    textpage.close()
    return chars


# Not characters the page draws: pdfium's line breaks, and codes for glyphs it could not map. A space is
# skipped only when pdfium added it.
_SKIP = frozenset(" \r\n\x00\ufffe\uffff")


def _page_text(textpage, n: int) -> str:
    """The page's characters in one call, index for index (one per character pdfium counts)."""
    buffer = ctypes.create_string_buffer(4 * (n + 1))  # room for surrogate pairs
    units = pdfium_c.FPDFText_GetText(textpage, 0, n, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)))
    text = buffer.raw[: 2 * max(units - 1, 0)].decode("utf-16-le", errors="replace")
    if len(text) != n:  # a character pdfium could not express index for index: ask one at a time
        handle = ctypes.c_void_p(ctypes.cast(textpage, ctypes.c_void_p).value)
        text = "".join(chr(get_unicode(handle, i)) for i in range(n))
    return text


def _checked_box(handle, i: int, height: float, loose: tuple) -> tuple:
    """pdfium builds the loose box of a vertical-writing CID font from the unscaled font size (WPS draws
    vertical group labels at size 199 scaled by 0.05): a box 20 times too big, whose centre falls rows
    away from the character's cell. Use the glyph's own box when the loose box is taller than twice the
    font's effective size."""
    matrix = pdfium_c.FS_MATRIX()
    char_matrix(handle, i, ctypes.byref(matrix))
    size = font_size(handle, i) * abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5
    if loose[3] - loose[1] <= 2 * size:
        return loose
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    glyph_box(handle, i, ctypes.byref(left), ctypes.byref(right), ctypes.byref(bottom), ctypes.byref(top))
    return left.value, height - top.value, right.value, height - bottom.value


def _centred_in(chars: list[Char], box: tuple) -> list[Char]:
    x0, top, x1, bottom = box
    return [c for c in chars if x0 <= c[5] < x1 and top <= c[6] < bottom]


def _text_lines(chars: list[Char]) -> list[tuple[float, str]]:
    """Characters as text lines, top to bottom, each with its top."""
    return [(min(c[2] for c in line), text) for line in _lines(chars) if (text := _line_text(line))]


def _text(chars: list[Char]) -> str:
    """The characters of one cell or box as a single line (its wrapped lines run together)."""
    if len(chars) == 1:  # most numeric cells: a single digit
        return chars[0][0].strip()
    return "".join(_line_text(line) for line in _lines(chars))


def _lines(chars: list[Char]) -> list[list[Char]]:
    """Characters grouped into lines (pdfplumber's extract_text rules), each line left to right.

    A line is a run of characters whose bottoms are within the tolerance of the previous one. (pdfplumber
    compares tops, but its top is the bottom less the font size; pdfium's top is the font's own ascent,
    which differs between the body and the bold heading fonts of one line. The bottom, baseline plus
    descent, is the same in both.)
    """
    if not chars:
        return []
    chars = sorted(chars, key=_BOTTOM)
    lines = []
    line = [chars[0]]
    for char in chars[1:]:
        if char[4] > line[-1][4] + _Y_TOLERANCE:
            lines.append(line)
            line = [char]
        else:
            line.append(char)
    lines.append(line)
    for line in lines:
        if len(line) > 1:
            line.sort(key=_LEFT)
    return lines


def _line_text(line: list[Char]) -> str:
    """A line's words joined by one space: a word ends at a space character, or where the next character
    starts left of the previous one's start or further than the tolerance right of its end."""
    out = []
    prev = None
    for char in line:
        if char[0].isspace():
            out.append(" ")
            prev = None
            continue
        if prev is not None and (
            char[1] < prev[1] or char[1] > prev[3] + _X_TOLERANCE or abs(char[4] - prev[4]) > _Y_TOLERANCE
        ):
            out.append(" ")
        out.append(char[0])
        prev = char
    return " ".join("".join(out).split())


_BOTTOM = itemgetter(4)
_LEFT = itemgetter(1, 3)


def _table_rows(cells: list[tuple], chars: list[Char]) -> list[tuple[float, str, object]]:
    """One item per row of cells: ("cells", texts) when more than one cell holds text, else the row's
    box read as text. A slot covered by a merged cell from above or the left reads as blank."""
    table_box = bbox(cells)
    inside = _centred_in(chars, table_box)
    # Each character goes to the cell its centre falls in: cells tile the table, so find its slot
    # between the distinct cell edges and look the slot's cell up.
    xs = sorted({c[0] for c in cells} | {c[2] for c in cells})
    ys = sorted({c[1] for c in cells} | {c[3] for c in cells})
    slot_cell: dict[tuple[int, int], tuple] = {}
    for cell in cells:
        for i in range(xs.index(cell[0]), xs.index(cell[2])):
            for j in range(ys.index(cell[1]), ys.index(cell[3])):
                slot_cell[(i, j)] = cell
    cell_chars: dict[tuple, list[Char]] = {}
    for char in inside:
        slot = (bisect_right(xs, char[5]) - 1, bisect_right(ys, char[6]) - 1)
        cell = slot_cell.get(slot)
        if cell is not None:
            cell_chars.setdefault(cell, []).append(char)
    columns = sorted({c[0] for c in cells})
    rows: dict[float, dict[float, tuple]] = {}
    for cell in cells:
        rows.setdefault(cell[1], {})[cell[0]] = cell
    items = []
    for top in sorted(rows):
        row = [rows[top].get(x) for x in columns]
        texts = [_text(cell_chars.get(cell, [])) if cell else "" for cell in row]
        if sum(1 for t in texts if t.strip()) > 1:
            items.append((top, "cells", texts))
        else:
            box = bbox([c for c in row if c])
            items.append((top, "text", _text(_centred_in(inside, box))))
    return items
