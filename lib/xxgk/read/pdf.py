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
from bisect import bisect_left, bisect_right
from operator import itemgetter
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from xxgk.read.lines import Document, Line, line_from_cells, split_line
from xxgk.read.text import UnreadableFile

# Page headers/footers that only number the page: "- 3 -", "— 3 —", "第 3 页", "3 / 6".
_PAGE_NUMBER = re.compile(
    r"[-—–\s]*\d{1,4}[-—–\s]*|第\s*\d{1,4}\s*页(?:\s*共\s*\d+\s*页)?|\d{1,4}\s*/\s*\d{1,4}"
)

# Distances in points, pdfplumber's defaults: characters further apart than this on a line start a new
# word; characters whose bottoms are closer than this share a line; rulings closer than this are one
# ruling, and shorter ones are none.
_X_TOLERANCE = 3
_Y_TOLERANCE = 3
_SNAP = 3
_MIN_RULING = 3

# pdfium is not thread-safe; a PDF is read by one thread at a time.
_LOCK = threading.Lock()


def _untyped(function, restype=ctypes.c_int):
    """A pdfium function without ctypes argument conversion: per-character calls are most of the time
    spent, and conversion triples their cost. Arguments must be ints, floats or ctypes pointers."""
    return ctypes.CFUNCTYPE(restype)(ctypes.cast(function, ctypes.c_void_p).value)


_loose_box = _untyped(pdfium_c.FPDFText_GetLooseCharBox)
_glyph_box = _untyped(pdfium_c.FPDFText_GetCharBox)
_char_matrix = _untyped(pdfium_c.FPDFText_GetMatrix)
_font_size = _untyped(pdfium_c.FPDFText_GetFontSize, ctypes.c_double)
_is_generated = _untyped(pdfium_c.FPDFText_IsGenerated)
_get_unicode = _untyped(pdfium_c.FPDFText_GetUnicode, ctypes.c_uint)
_count_objects = _untyped(pdfium_c.FPDFPage_CountObjects)
# Object handles come back as opaque pointers that go straight into the next call.
_HANDLE = ctypes.POINTER(ctypes.c_byte)
_get_object = _untyped(pdfium_c.FPDFPage_GetObject, _HANDLE)
_form_count = _untyped(pdfium_c.FPDFFormObj_CountObjects)
_form_object = _untyped(pdfium_c.FPDFFormObj_GetObject, _HANDLE)
_object_type = _untyped(pdfium_c.FPDFPageObj_GetType)
_object_matrix = _untyped(pdfium_c.FPDFPageObj_GetMatrix)
_bounds = _untyped(pdfium_c.FPDFPageObj_GetBounds)
_draw_mode = _untyped(pdfium_c.FPDFPath_GetDrawMode)
_fill_color = _untyped(pdfium_c.FPDFPageObj_GetFillColor)
_stroke_color = _untyped(pdfium_c.FPDFPageObj_GetStrokeColor)
_count_segments = _untyped(pdfium_c.FPDFPath_CountSegments)
_get_segment = _untyped(pdfium_c.FPDFPath_GetPathSegment, _HANDLE)
_segment_point = _untyped(pdfium_c.FPDFPathSegment_GetPoint)
_segment_type = _untyped(pdfium_c.FPDFPathSegment_GetType)
_segment_close = _untyped(pdfium_c.FPDFPathSegment_GetClose)


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
    for cells in _tables(_rulings(page, height)):
        boxes.append(_bbox(cells))
        items += _table_rows(cells, chars)
    outside = chars
    for x0, top, x1, bottom in boxes:
        outside = [c for c in outside if not (x0 <= c[5] <= x1 and top <= c[6] <= bottom)]
    for top, text in _text_lines(outside):
        if not _PAGE_NUMBER.fullmatch(text):
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
        if ch in _SKIP and (ch != " " or _is_generated(handle, i)):
            continue  # a space pdfium inferred from a gap: words are split by our own gap rule below
        # The loose box spans the advance width and the font's ascent to descent: the width tells word
        # gaps apart from letter spacing, and the bottom is the same for every character of a line.
        _loose_box(handle, i, box_ref)
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
        text = "".join(chr(_get_unicode(handle, i)) for i in range(n))
    return text


def _checked_box(handle, i: int, height: float, loose: tuple) -> tuple:
    """pdfium builds the loose box of a vertical-writing CID font from the unscaled font size (WPS draws
    vertical group labels at size 199 scaled by 0.05): a box 20 times too big, whose centre falls rows
    away from the character's cell. Use the glyph's own box when the loose box is taller than twice the
    font's effective size."""
    matrix = pdfium_c.FS_MATRIX()
    _char_matrix(handle, i, ctypes.byref(matrix))
    size = _font_size(handle, i) * abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5
    if loose[3] - loose[1] <= 2 * size:
        return loose
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    _glyph_box(handle, i, ctypes.byref(left), ctypes.byref(right), ctypes.byref(bottom), ctypes.byref(top))
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


# Rulings and the table grid ----------------------------------------------------------------------------

# An edge: ("h", y, x0, x1) or ("v", x, top, bottom).


def _rulings(page: pdfium.PdfPage, height: float) -> list[tuple[str, float, float, float]]:
    """The horizontal and vertical edges of every painted path on the page (lines, rectangles, and each
    side of a path with several segments), in points from the top-left corner."""
    edges: list[tuple[str, float, float, float]] = []
    handle = ctypes.c_void_p(ctypes.cast(page.raw, ctypes.c_void_p).value)
    stack = [(handle, _count_objects, _get_object, (1, 0, 0, 1, 0, 0))]
    while stack:
        parent, count, get, outer = stack.pop()
        for j in range(count(parent)):
            obj = get(parent, j)
            kind = _object_type(obj)
            if kind == _PATH:
                _path_edges(obj, outer, height, edges)
            elif kind == _FORM:  # a form XObject: its own objects, placed by its matrix
                stack.append((obj, _form_count, _form_object, _compose(_matrix(obj), outer)))
    return edges


_PATH, _FORM = pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_FORM


def _matrix(obj) -> tuple:
    m = pdfium_c.FS_MATRIX()
    _object_matrix(obj, ctypes.byref(m))
    return m.a, m.b, m.c, m.d, m.e, m.f


def _compose(inner: tuple, outer: tuple) -> tuple:
    """The matrix that applies ``inner``, then ``outer`` (PDF row-vector convention)."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _is_white(getter, obj) -> bool:
    """White, or fully transparent: not seen on the page, so no ruling."""
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    getter(obj, ctypes.byref(r), ctypes.byref(g), ctypes.byref(b), ctypes.byref(a))
    return (r.value, g.value, b.value) == (255, 255, 255) or a.value == 0


def _path_edges(obj, outer: tuple, height: float, edges: list) -> None:
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    _draw_mode(obj, ctypes.byref(fill), ctypes.byref(stroke))
    filled = fill.value and not _is_white(_fill_color, obj)
    stroked = stroke.value and not _is_white(_stroke_color, obj)
    if not (filled or stroked):
        return  # unpainted, or painted white on white: WPS puts a white box behind every paragraph
    # A thin path is one ruling whatever its segments (a line, a hairline box): its bounds say where.
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    _bounds(obj, ctypes.byref(left), ctypes.byref(bottom), ctypes.byref(right), ctypes.byref(top))
    corners = [_apply(outer, x, y) for x in (left.value, right.value) for y in (bottom.value, top.value)]
    x0, x1 = min(p[0] for p in corners), max(p[0] for p in corners)
    y0, y1 = height - max(p[1] for p in corners), height - min(p[1] for p in corners)
    if x1 - x0 <= _THIN and y1 - y0 >= 1:
        edges.append(("v", (x0 + x1) / 2, y0, y1))
        return
    if y1 - y0 <= _THIN and x1 - x0 >= 1:
        edges.append(("h", (y0 + y1) / 2, x0, x1))
        return
    a, b, c, d, e, f = _compose(_matrix(obj), outer)
    x, y = ctypes.c_float(), ctypes.c_float()
    start = current = None
    for k in range(_count_segments(obj)):
        segment = _get_segment(obj, k)
        _segment_point(segment, ctypes.byref(x), ctypes.byref(y))
        point = (a * x.value + c * y.value + e, height - (b * x.value + d * y.value + f))
        kind = _segment_type(segment)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            start = point
        elif kind == pdfium_c.FPDF_SEGMENT_LINETO and current is not None:
            _edge(current, point, edges)
        # a Bézier segment is no ruling; the path goes on from its end point
        current = point
        if _segment_close(segment) and start is not None:
            _edge(current, start, edges)
            current = start


def _apply(m: tuple, x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


# A path no wider (or taller) than this is a line, whatever its shape (pdfplumber's hairline rectangles
# become two edges that its snapping then merges into one; this is the same result, sooner).
_THIN = 2


def _edge(p: tuple, q: tuple, edges: list) -> None:
    """A straight segment as a horizontal or vertical edge; slanted ones are no ruling, and ones under a
    point long (the ends of a hairline box) would only pull a real ruling's snapped position."""
    if abs(p[0] - q[0]) < 0.5 and abs(p[1] - q[1]) >= 1:
        edges.append(("v", (p[0] + q[0]) / 2, min(p[1], q[1]), max(p[1], q[1])))
    elif abs(p[1] - q[1]) < 0.5 and abs(p[0] - q[0]) >= 1:
        edges.append(("h", (p[1] + q[1]) / 2, min(p[0], q[0]), max(p[0], q[0])))


def _merge(edges: list) -> tuple[list, list]:
    """Rulings drawn a little apart are one (snapped to their mean position), collinear pieces that touch
    or nearly touch are joined, and short ones (tick marks, a thin box's ends) dropped."""
    merged = {}
    for orientation in ("h", "v"):
        group = sorted((e for e in edges if e[0] == orientation), key=lambda e: e[1])
        clusters: list[list] = []
        for edge in group:
            if clusters and edge[1] <= clusters[-1][-1][1] + _SNAP:
                clusters[-1].append(edge)
            else:
                clusters.append([edge])
        out = []
        for cluster in clusters:
            position = sum(e[1] for e in cluster) / len(cluster)
            pieces = sorted((e[2], e[3]) for e in cluster)
            lo, hi = pieces[0]
            for start, end in pieces[1:]:
                if start <= hi + _SNAP:
                    hi = max(hi, end)
                else:
                    out.append((position, lo, hi))
                    lo, hi = start, end
            out.append((position, lo, hi))
        merged[orientation] = [e for e in out if e[2] - e[1] >= _MIN_RULING]
    return merged["h"], merged["v"]


def _tables(edges: list) -> list[list[tuple]]:
    """Table cells from the rulings (pdfplumber's lines strategy): the corners where a horizontal and a
    vertical ruling meet, each corner's smallest cell closed by rulings on all four sides, and the cells
    grouped into tables by shared corners. A cell without an inner ruling is a merged cell."""
    if not edges:
        return []
    h_edges, v_edges = _merge(edges)
    corners: dict[tuple, tuple[set, set]] = {}
    h_positions = [e[0] for e in h_edges]  # _merge returns them top to bottom
    for vi, (x, top, bottom) in enumerate(v_edges):
        for hi in range(bisect_left(h_positions, top - _SNAP), bisect_right(h_positions, bottom + _SNAP)):
            y, x0, x1 = h_edges[hi]
            if x0 - _SNAP <= x <= x1 + _SNAP:
                v_ids, h_ids = corners.setdefault((x, y), (set(), set()))
                v_ids.add(vi)
                h_ids.add(hi)
    points = sorted(corners)
    by_x: dict[float, list] = {}  # each column of corners top to bottom, each row left to right
    by_y: dict[float, list] = {}
    after: dict[tuple, tuple[int, int]] = {}  # where a corner's column goes on below it, its row right of it
    for point in points:
        column = by_x.setdefault(point[0], [])
        row = by_y.setdefault(point[1], [])
        column.append(point)
        row.append(point)
    for column in by_x.values():
        for i, point in enumerate(column):
            after[point] = (i + 1, 0)
    for row in by_y.values():
        for i, point in enumerate(row):
            after[point] = (after[point][0], i + 1)
    cells = []
    for x, y in points:
        v_ids, h_ids = corners[(x, y)]
        next_below, next_right = after[(x, y)]
        # the first corner below and the first to the right nearly always close the cell: look lazily
        below = (p for p in by_x[x][next_below:] if not v_ids.isdisjoint(corners[p][0]))
        right = [p for p in by_y[y][next_right:] if not h_ids.isdisjoint(corners[p][1])]
        cell = next(
            (
                (x, y, r[0], b[1])
                for b in below
                for r in right
                if (r[0], b[1]) in corners
                and not corners[(r[0], b[1])][0].isdisjoint(corners[r][0])
                and not corners[(r[0], b[1])][1].isdisjoint(corners[b][1])
            ),
            None,
        )
        if cell:
            cells.append(cell)
    return _group(cells)


def _group(cells: list[tuple]) -> list[list[tuple]]:
    """Cells that share a corner belong to one table; tables top to bottom, single cells dropped."""
    parent = list(range(len(cells)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[tuple, int] = {}
    for i, (x0, top, x1, bottom) in enumerate(cells):
        for corner in ((x0, top), (x0, bottom), (x1, top), (x1, bottom)):
            if corner in owner:
                parent[root(i)] = root(owner[corner])
            else:
                owner[corner] = i
    groups: dict[int, list] = {}
    for i, cell in enumerate(cells):
        groups.setdefault(root(i), []).append(cell)
    tables = [g for g in groups.values() if len(g) > 1]
    return sorted(tables, key=lambda t: min((c[1], c[0]) for c in t))


def _bbox(cells: list[tuple]) -> tuple:
    return (
        min(c[0] for c in cells),
        min(c[1] for c in cells),
        max(c[2] for c in cells),
        max(c[3] for c in cells),
    )


def _table_rows(cells: list[tuple], chars: list[Char]) -> list[tuple[float, str, object]]:
    """One item per row of cells: ("cells", texts) when more than one cell holds text, else the row's
    box read as text. A slot covered by a merged cell from above or the left reads as blank."""
    table_box = _bbox(cells)
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
            box = _bbox([c for c in row if c])
            items.append((top, "text", _text(_centred_in(inside, box))))
    return items
