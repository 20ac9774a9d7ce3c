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

What a page prints around its data is not data: page numbers ("- 5 -", "第5页", "5/12"), in or out of a
table, and running headers and footers (a line in the page's top or bottom tenth that recurs, digits aside,
at the same height on other pages) are dropped; a footnote mark drawn as a small raised digit after a
number is read as a superscript (66², which the shared normalisation reads as 66 with a mark). A page
turned by up to 5° (a scan, some exports) is turned back, from the direction its text runs, before
anything is read; a steeper one is not read. A budget (:data:`MAX_PAGES`, :data:`MAX_SECONDS`,
:data:`MAX_PAGE_CHARS`, and the grid's in :mod:`xxgk.read.pdf_grid`) keeps a crafted file from taking
minutes. What was done to a page is in ``Document.notes`` (checks ``pdf_skewed``, ``pdf_too_complex``).

The hot loops (each character's box, the skew, the footnote-mark scan, lines and their text, each
character's cell, table rows) have compiled twins in :mod:`xxgk.read._pdfcore`, taken when it is built:
a function ``X`` here is the compiled one or ``X_py``, its Python specification (the dispatch block after
``_line_text_py``; ``XXGK_PURE_PYTHON=1`` takes the Python ones). Both give identical results
(tests/test_pdf_core.py).

(Longer than most modules: a page is read in one order — budget, skew, characters, grid, rows, furniture —
and each step needs the page geometry of the one before; the grid builder itself is :mod:`.pdf_grid`.)
"""

from __future__ import annotations

import ctypes
import math
import re
import struct
import threading
import time
from bisect import bisect_left, bisect_right
from operator import itemgetter
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from xxgk.contract.checks import Issue
from xxgk.read.lines import Document, Line, is_page_number, line_from_cells, split_line
from xxgk.read.pdf_grid import GridTooComplex, bbox, rulings, tables
from xxgk.read.pdfium_calls import (
    char_matrix,
    close_page,
    close_textpage,
    core,
    count_chars,
    count_objects,
    font_size,
    form_count,
    form_object,
    get_object,
    get_text,
    get_unicode,
    glyph_box,
    is_generated,
    load_page,
    load_textpage,
    loose_box,
    media_box,
    object_type,
)
from xxgk.read.text import UnreadableFile

# Page numbers are recognised by the one pattern every reader uses (xxgk.read.lines.is_page_number: "- 3 -",
# "— 3 —", "第 3 页", "3 / 6"); in a PDF a number alone is one too where it cannot be a cell: outside a
# ruled table, or in a page's top or bottom band.
_BARE_NUMBER = re.compile(r"[-—–\s]*\d{1,4}[-—–\s]*")

# Distances in points, pdfplumber's defaults: characters further apart than this on a line start a new
# word; characters whose bottoms are closer than this share a line.
_X_TOLERANCE = 3
_Y_TOLERANCE = 3

# pdfium is not thread-safe; a PDF is read by one thread at a time.
_LOCK = threading.Lock()


def read(data: bytes) -> Document:
    """The reader of PDFs: lines with the page of each, and what the reader noted about pages."""
    return pdf_document(data)


def pdf_lines(source: str | Path | bytes) -> tuple[list[Line], dict[int, int]]:
    """The document (a path, or the file's bytes) as Lines, and the page of each line number."""
    document = pdf_document(source)
    return document.lines, document.line_pages


class PdfTooComplex(UnreadableFile):
    """The PDF is past the reading budget of a report (:data:`MAX_PAGES`, :data:`MAX_SECONDS`)."""

    check = "pdf_too_complex"


#: The reading budget of one PDF. The corpus PDFs have 5 and 6 pages and read in 0.06 s; an annual report
#: of the 2021 template runs to some 5 to 30 pages (its tables take two or three), so 200 pages is far
#: past any report and still reads in a few seconds. Past either limit the file is not read.
MAX_PAGES = 200
MAX_SECONDS = 30  # CPU time of the reading thread, so a busy machine does not refuse a file
#: Characters a page may draw: an A4 page of 5-point type holds some 17,000 (the corpus pages 200 to
#: 800). A page past this is not read (a crafted page, or a text dump of something else).
MAX_PAGE_CHARS = 50_000


def pdf_document(source: str | Path | bytes) -> Document:
    """The document (a path, or the file's bytes) as a :class:`Document`: its Lines, the page of each,
    and notes on pages read otherwise than as drawn (turned back, grid not rebuilt, not read)."""
    notes: list[Issue] = []
    deadline = time.thread_time() + MAX_SECONDS

    def check_time() -> None:
        if time.thread_time() > deadline:
            raise PdfTooComplex(f"reading the PDF took over the budget of {MAX_SECONDS} s (CPU time)")

    with _LOCK:
        try:
            doc = pdfium.PdfDocument(source if isinstance(source, bytes) else str(source))
        except pdfium.PdfiumError as err:
            raise UnreadableFile(f"the PDF cannot be opened ({err})") from err
        try:
            if len(doc) == 0:
                raise UnreadableFile("the PDF cannot be opened (it has no pages: damaged or cut off)")
            if len(doc) > MAX_PAGES:
                raise PdfTooComplex(
                    f"the PDF has {len(doc)} pages, over the budget of {MAX_PAGES} for a report"
                )
            read = []  # each page's number, height and items
            pictures = []  # pages that are only an image (scanned pages of a PDF that has text elsewhere)
            handle = ctypes.c_void_p(ctypes.cast(doc.raw, ctypes.c_void_p).value)
            for page_no in range(1, len(doc) + 1):
                check_time()
                page = load_page(handle, page_no - 1)  # pdfium's page handle (an address), or None
                if not page:  # pypdfium2's words for it, as when doc[i] was used
                    raise UnreadableFile(f"page {page_no} of the PDF cannot be read (Failed to load page.)")
                try:
                    box = _media_box(page)
                    items = _page_items(page, box, page_no, notes, check_time)
                    read.append((page_no, box[3], items))
                    if not items and _only_an_image(page):
                        pictures.append(page_no)
                finally:
                    close_page(ctypes.c_void_p(page))
        finally:
            doc.close()
    running = _running_lines(read)
    document = _assemble(read, running, {}, notes)
    if not any(line.text for line in document.lines) and not notes:
        return _scanned(source)
    if pictures:
        greys = _read_pictures(source, pictures, notes)
        if greys:  # numbered again, the pages read by OCR in their place
            document = _assemble(read, running, greys, notes)
    return document


def _assemble(read: list[tuple], running: set, greys: dict, notes: list[Issue]) -> Document:
    """The Lines of the pages, numbered through the document: each page's items, but its running lines,
    and on the scanned pages in ``greys`` (page number -> grey image) what OCR reads there; ``notes`` are
    the document's, and OCR adds its own to them."""
    document = Document([], line_pages={}, notes=notes, line_cells={})
    lines, pages, cells = document.lines, document.line_pages, document.line_cells
    tables: dict[tuple[int, int], int] = {}  # (page, table on the page) -> table in the document
    count = 0  # tables so far in the document, OCR's included
    for page_no, _, items in read:
        if page_no in greys:
            _ocr_page(document, greys[page_no], page_no)
            count = max((t for t, _ in cells.values()), default=0)  # OCR's table numbers may skip some
            continue
        for k, (_, _, kind, payload, *at) in enumerate(items):
            if (page_no, k) in running:
                continue
            no = len(lines) + 1
            lines.append(
                line_from_cells(payload, no, grid=True) if kind == "cells" else split_line(payload, no)
            )
            pages[no] = page_no
            if at:  # a table row: (row in its table, table on its page)
                if (page_no, at[1]) not in tables:
                    count += 1
                    tables[page_no, at[1]] = count
                cells[no] = (tables[page_no, at[1]], at[0])
    return document


def _read_pictures(source: str | Path | bytes, pictures: list[int], notes: list[Issue]) -> dict:
    """The scanned pages of a PDF with text elsewhere, as grey images for OCR; without the ``ocr`` extra
    none, and each page a warning in ``notes`` that it was not read."""
    from xxgk.read import ocr

    try:
        ocr.require()
    except ocr.NeedsOcr as err:
        notes += [_note("pdf_scanned_page", "warning", k, _PICTURE_PAGE.format(why=err)) for k in pictures]
        return {}
    return dict(zip(pictures, _greys(source, pictures), strict=True))


def _ocr_page(document: Document, grey, page_no: int) -> None:
    """A scanned page's lines read by OCR onto the end of ``document``, and a note saying so; if OCR fails
    on it, the page is left out with a warning saying why, and the rest of the document is kept."""
    from xxgk.read import ocr

    lines, notes = len(document.lines), len(document.notes)
    try:
        ocr.add_pages(document, [grey], page_no)
    except Exception as err:  # an engine's own error (onnxruntime, OpenCV): this page only is lost
        del document.lines[lines:], document.notes[notes:]
        for added in (document.line_pages, document.line_cells):
            for no in [no for no in added if no > lines]:
                del added[no]
        why = f"OCR failed on it: {type(err).__name__}: {err}"
        document.notes.append(_note("pdf_scanned_page", "warning", page_no, _PICTURE_PAGE.format(why=why)))
        return
    document.notes.append(_note("pdf_scanned_page", "info", page_no, _PICTURE_READ))


_PICTURE_READ = (
    "the page is an image without a text layer (a scanned page) in a PDF whose other pages have text: it was "
    "read by OCR (its numbers have cell_status ocr)"
)
_PICTURE_PAGE = (
    "the page is an image without a text layer (a scanned page) in a PDF whose other pages have text: it was "
    "not read, and any number printed on it is not in the tables ({why})"
)


def _only_an_image(page: int) -> bool:
    """A page (pdfium's handle) that draws no character and at least one image: a scanned page."""
    textpage = _load_textpage(page)
    try:
        if count_chars(ctypes.c_void_p(textpage)):
            return False
    finally:
        close_textpage(ctypes.c_void_p(textpage))
    return _has_image(ctypes.c_void_p(page), count_objects, get_object, 0)


def _has_image(parent, count, get, level: int) -> bool:
    """An image among the objects of the page or form ``parent``, or of the forms drawn in it, as deep as
    pypdfium2's ``get_objects`` looks (15 levels), with its errors."""
    n = count(parent)
    if n < 0:
        raise pdfium.PdfiumError("Failed to get number of pageobjects.")
    for i in range(n):
        obj = get(parent, i)
        if not obj:
            raise pdfium.PdfiumError("Failed to get pageobject.")
        kind = object_type(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            return True
        if (
            kind == pdfium_c.FPDF_PAGEOBJ_FORM
            and level < 14
            and _has_image(obj, form_count, form_object, level + 1)
        ):
            return True
    return False


def _media_box(page: int) -> tuple:
    """The page's media box (left, bottom, right, top) as pypdfium2's ``get_mediabox`` gives it: pdfium's
    floats, or US Letter (0, 0, 612, 792) when the page defines none."""
    box = [ctypes.c_float() for _ in range(4)]
    if not media_box(ctypes.c_void_p(page), *(ctypes.byref(v) for v in box)):
        return (0, 0, 612, 792)
    return tuple(v.value for v in box)


def _load_textpage(page: int) -> int:
    """The text page of a page (pdfium's handles): the caller closes it (:func:`close_textpage`)."""
    textpage = load_textpage(ctypes.c_void_p(page))
    if not textpage:
        raise pdfium.PdfiumError("Failed to load text page.")  # pypdfium2's error, as with get_textpage()
    return textpage


#: A page without a text layer is rasterised at this resolution for OCR (scans are 150 to 300 dpi).
SCAN_DPI = 200


def _scanned(source: str | Path | bytes) -> Document:
    """A PDF without a text layer (a scan): every page rasterised in grey and read by OCR
    (:mod:`xxgk.read.ocr`, the ``ocr`` extra; without it the message gives the install command)."""
    from xxgk.read import ocr

    ocr.require()
    return ocr.ocr_pages(_greys(source))


def _greys(source: str | Path | bytes, pages: list[int] | None = None) -> list:
    """The pages (numbers from 1; all by default) rasterised in grey at :data:`SCAN_DPI`, as OCR reads them."""
    import numpy as np

    greys = []
    with _LOCK:
        doc = pdfium.PdfDocument(source if isinstance(source, bytes) else str(source))
        try:
            for no in pages or range(1, len(doc) + 1):
                page = doc[no - 1]
                array = page.render(scale=SCAN_DPI / 72, grayscale=True).to_numpy()
                if array.ndim == 3:
                    array = array[..., :3].mean(axis=2)
                greys.append(np.ascontiguousarray(array, dtype=np.uint8))
                page.close()
        finally:
            doc.close()
    return greys


# A character: (text, x0, top, x1, bottom, x centre, y centre), in points from the page's top-left corner.
Char = tuple[str, float, float, float, float, float, float]


def _page_items(page: int, box: tuple, page_no: int, notes: list, check_time) -> list[tuple]:
    """The table rows ("cells") and text lines ("text") of the page (pdfium's handle; ``box`` its media
    box), top to bottom: (top, bottom, kind, payload)."""
    # PDF y runs up from the media box's bottom; ours down from its top
    left, _, right, height = box
    chars = _chars(page, height)
    if chars is None:
        notes.append(_note("pdf_too_complex", "error", page_no, _TOO_MANY_CHARS.format(MAX_PAGE_CHARS)))
        return []
    if not chars:
        return []
    angle = _skew(chars)
    turn = None
    if abs(angle) > MAX_SKEW:
        notes.append(_note("pdf_skewed", "error", page_no, _TOO_SKEWED.format(angle=_degrees(angle))))
        return []
    if abs(angle) > _SKEW_NOISE:
        turn = Turn(angle, (left + right) / 2, height / 2)
        chars = turn.chars(chars)
        notes.append(_note("pdf_skewed", "info", page_no, _TURNED.format(angle=_degrees(angle))))
    chars = _raised_marks(chars)
    try:
        items, boxes = _tables(rulings(page, height, turn), chars, height, check_time)
    except GridTooComplex as err:
        notes.append(_note("pdf_too_complex", "warning", page_no, _NO_GRID.format(reason=err)))
        items, boxes = [], []
    outside = chars
    for box in boxes:
        outside = _outside(outside, box)
    for top, bottom, text in _text_lines(outside):
        if not (_BARE_NUMBER.fullmatch(text) or is_page_number(text)):
            items.append((top, bottom, "text", text))
    items.sort(key=_TOP)  # stable: a table row before a text line at the same height
    return [item for item in items if item[2] == "cells" or item[3].strip()]


def _tables(edges: list, chars: list[Char], height: float, check_time) -> tuple[list, list]:
    """The rows of the page's ruled tables, and each table's box. A table drawn inside another (a report
    table inside a page frame) owns its characters: the outer table's rows do not read them again, and
    a text row around it is read in parts, above and below it. A page number inside a table (a frame's
    footer band) is page furniture, not a row."""
    found = tables(edges, check_time)
    boxes = [bbox(cells) for cells in found]
    items = []
    for t, (cells, box) in enumerate(zip(found, boxes, strict=True)):
        inner = [b for b in boxes if b is not box and _within(b, box)]
        own = chars
        for inner_box in inner:
            own = _outside(own, inner_box)
        for item in _table_rows(cells, own, inner, height):
            if item[2] == "text" and _is_page_number(item[3], item[0], item[1], height):
                continue
            items.append(item if item[2] == "text" else (*item, t))
    return items, boxes


def _within(inner: tuple, outer: tuple) -> bool:
    return outer[0] <= inner[0] and inner[2] <= outer[2] and outer[1] <= inner[1] and inner[3] <= outer[3]


#: The top and bottom bands of a page (share of its height) where running headers, footers and page
#: numbers are printed: a body set in the usual margins (2.5 cm; 3.7 and 3.5 cm in official documents)
#: starts below the top band and ends above the bottom one.
_BAND = 0.1


def _in_band(top: float, bottom: float, height: float) -> bool:
    return bottom < _BAND * height or top > (1 - _BAND) * height


def _is_page_number(text: str, top: float, bottom: float, height: float) -> bool:
    """A page number inside a table: decorated ("- 5 -", "第5页", "5/12") anywhere, or a bare number in
    the page's top or bottom band (a bare number in the body of a table is a cell, not furniture)."""
    if is_page_number(text):
        return True
    return bool(_BARE_NUMBER.fullmatch(text)) and _in_band(top, bottom, height)


def _running_lines(pages: list[tuple[int, float, list]]) -> set[tuple[int, int]]:
    """Running headers and footers: a text line in a page's top or bottom band whose text, digits aside,
    recurs at the same height (within 3 points) on other pages. A header is kept on the first page (it
    may be the only title the report prints), nowhere else: (page, item index) of each line to drop."""
    seen: dict[tuple[str, str], list[tuple[int, int, float]]] = {}
    for page_no, height, items in pages:
        for k, (top, bottom, kind, text, *_) in enumerate(items):
            if kind == "text" and _in_band(top, bottom, height):
                band = "top" if bottom < _BAND * height else "bottom"
                seen.setdefault((band, _DIGIT_RUN.sub("#", text)), []).append((page_no, k, top))
    drop = set()
    for (band, _), places in seen.items():
        if len({p for p, _, _ in places}) < 2:
            continue
        tops = sorted(t for _, _, t in places)
        middle = tops[len(tops) // 2]
        recurring = [(p, k) for p, k, t in places if abs(t - middle) <= 3]
        if len({p for p, _ in recurring}) < 2:
            continue
        keep_first = band == "top" and recurring[0][0] == pages[0][0]  # the document's first line
        drop.update(recurring[1:] if keep_first else recurring)
    return drop


_DIGIT_RUN = re.compile(r"\d+")


_TOO_MANY_CHARS = "it draws more than {} characters, the budget of a page; the page was not read"
_TOO_SKEWED = (
    "its text lines run {angle} off the horizontal, more than a page is turned back; the page was not "
    "read (its rows cannot be told apart safely)"
)
_TURNED = "the page is turned by {angle}: its text and rulings were turned back before reading"
_NO_GRID = "its table grid was not rebuilt ({reason}); the page was read as text lines"


def _note(check: str, severity: str, page_no: int, message: str) -> Issue:
    return Issue(check, severity, f"Page {page_no}: {message}", f"page {page_no}")


def _degrees(angle: float) -> str:
    """An angle of the page (radians, y down) as a reader sees it: 3.00° clockwise."""
    return f"{abs(math.degrees(angle)):.2f}° {'clockwise' if angle > 0 else 'anticlockwise'}"


# Skew ------------------------------------------------------------------------------------------------------

#: Pages turned by up to this much (radians; scans and some exports are off by a degree or three) are
#: turned back; a page whose text runs at a steeper angle is not read.
MAX_SKEW = math.radians(5)
#: Below this a page is read as drawn: text set straight gives exactly 0; 0.05° moves a ruling across
#: the page by under half a point.
_SKEW_NOISE = math.radians(0.05)
#: Neighbouring characters needed to measure a page's angle, and about as many as are looked at.
_MIN_PAIRS, _PAIRS = 20, 300


def _skew_py(chars: list[Char]) -> float:
    """The angle the page's text lines run at (radians, positive when they fall to the right): the median
    direction from one character's centre to the next one's, in the order the page draws them, over
    neighbours (centres 0.3 to 2 character heights apart). Jumps between lines and cells are longer; the
    few characters of a vertical label do not move the median. A page turned a quarter turn or upside
    down gives about ±90° or 180°.
    """
    angles = []
    atan2 = math.atan2
    step = max(1, len(chars) // _PAIRS)  # a few hundred pairs spread over the page measure it
    for k in range(0, len(chars) - 1, step):
        a, b = chars[k], chars[k + 1]
        dx, dy = b[5] - a[5], b[6] - a[6]
        size = a[4] - a[2]
        if 0.09 * size * size < dx * dx + dy * dy < 4 * size * size:
            angles.append(atan2(dy, dx))
    if len(angles) < _MIN_PAIRS:
        return 0.0
    angles.sort()
    return angles[len(angles) // 2]


class Turn:
    """Turning a page back by its skew, about its centre, in points from the top-left corner."""

    def __init__(self, angle: float, cx: float, cy: float):
        self.angle, self.cos, self.sin, self.cx, self.cy = angle, math.cos(angle), math.sin(angle), cx, cy

    def __call__(self, x: float, y: float) -> tuple[float, float]:
        dx, dy = x - self.cx, y - self.cy
        return self.cx + dx * self.cos + dy * self.sin, self.cy - dx * self.sin + dy * self.cos

    def chars(self, chars: list[Char]) -> list[Char]:
        """:meth:`chars_py`, compiled when the core is built."""
        if core:
            return core.turn_chars(chars, self.cos, self.sin, self.cx, self.cy)
        return self.chars_py(chars)

    def chars_py(self, chars: list[Char]) -> list[Char]:
        """The characters turned back: each box's centre turned, its size the character's own (pdfium's
        box of a turned character is the upright box around it)."""
        cos, sin = self.cos, abs(self.sin)
        scale = 1 / (cos * cos - sin * sin)
        out = []
        for ch, x0, top, x1, bottom, _, _ in chars:
            width, height = x1 - x0, bottom - top
            half_w = max((width * cos - height * sin) * scale, 0) / 2
            half_h = max((height * cos - width * sin) * scale, 0) / 2
            cx, cy = self((x0 + x1) / 2, (top + bottom) / 2)
            out.append((ch, cx - half_w, cy - half_h, cx + half_w, cy + half_h, cx, cy))
        return out


# Footnote marks --------------------------------------------------------------------------------------------

#: Characters that, drawn smaller and raised right after another, are a footnote mark ("66" and a small
#: raised "2" is 66 with mark ², not 662).
_MARKABLE = frozenset("0123456789*＊†‡※§")
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
#: A mark's box is under this share of its neighbour's height, and its bottom this share of that height
#: above the neighbour's bottom (a superscript is some 60 % of the size, raised by a third of it).
_SMALLER, _RAISED = 0.8, 0.15
#: How far (points) a mark may start from its neighbour's right edge.
_TOUCHING = 1.5


def _raised_marks(chars: list[Char]) -> list[Char]:
    """The characters with each footnote mark a PDF draws as a small raised digit (or * † ※) right after a
    character turned into its superscript form, and set on its neighbour's line: "66" then a small raised
    "2" reads 66², which the shared normalisation reads as 66 with a footnote mark. A run of such digits
    ("12" as a mark) follows the first one."""
    candidates = _mark_candidates(chars)
    if not candidates:
        return chars
    ends: dict[int, list[int]] = {}  # characters by the whole point their right edge falls in
    for k, c in enumerate(chars):
        ends.setdefault(math.floor(c[3]), []).append(k)
    out = chars
    base_of: dict[int, Char] = {}  # a mark found, and the character it is raised above
    for k in sorted(candidates, key=lambda k: chars[k][1]):
        base = _mark_base(chars, k, ends, base_of)
        if base is not None:
            if out is chars:
                out = list(chars)
            c = chars[k]
            base_of[k] = base
            out[k] = (c[0].translate(_SUPERSCRIPT), c[1], base[2], c[3], base[4], c[5], base[6])
    return out


def _mark_candidates_py(chars: list[Char]) -> list[int]:
    """The index of each character that may be a footnote mark: a markable one, smaller than the page's
    usual text."""
    heights = sorted(c[4] - c[2] for c in chars)
    small = _SMALLER * heights[len(heights) // 2]
    return [k for k, c in enumerate(chars) if c[0] in _MARKABLE and c[4] - c[2] < small]


def _mark_base(chars: list[Char], k: int, ends: dict, base_of: dict) -> Char | None:
    """The character ``chars[k]`` is a footnote mark of: one it follows closely, taller and lower, or a
    mark of the same size it follows."""
    c = chars[k]
    height = c[4] - c[2]
    for bucket in range(math.floor(c[1] - _TOUCHING), math.floor(c[1] + _TOUCHING) + 1):
        for m in ends.get(bucket, ()):
            n = chars[m]
            if m == k or not (n[3] - _TOUCHING <= c[1] <= n[3] + _TOUCHING and n[2] <= c[6] <= n[4]):
                continue
            if m in base_of:
                if abs(n[4] - c[4]) < 0.5 and abs(n[4] - n[2] - height) < 0.5:
                    return base_of[m]
                continue
            size = n[4] - n[2]
            if height < _SMALLER * size and c[4] < n[4] - _RAISED * size:
                return n
    return None


# Characters ------------------------------------------------------------------------------------------------


def _chars(page: int, height: float) -> list[Char] | None:
    """Every character the page (pdfium's handle) draws (not the spaces and line breaks pdfium adds), with
    its box; None when the page draws more than :data:`MAX_PAGE_CHARS`."""
    textpage = _load_textpage(page)
    try:
        n = count_chars(ctypes.c_void_p(textpage))
        if n > MAX_PAGE_CHARS:
            return None
        return _char_boxes(textpage, _page_text(textpage, n), height, _checked_box)
    finally:
        close_textpage(ctypes.c_void_p(textpage))


def _char_boxes_py(textpage: int, text: str, height: float, checked) -> list[Char]:
    """The characters of ``text`` (the text page's, index for index) the PDF draws, each with its box;
    ``checked`` (:func:`_checked_box`) looks again at a box taller than text ever is. (Compiled as
    :func:`xxgk.read._pdfcore.char_boxes`; this is its specification.)"""
    handle = ctypes.c_void_p(textpage)
    box = pdfium_c.FS_RECTF()
    box_ref = ctypes.byref(box)
    chars: list[Char] = []
    append, skip = chars.append, _SKIP
    for i, ch in enumerate(text):
        if ch in skip and (ch != " " or is_generated(handle, i)):
            continue  # a space pdfium inferred from a gap: words are split by our own gap rule below
        # The loose box spans the advance width and the font's ascent to descent: the width tells word
        # gaps apart from letter spacing, and the bottom is the same for every character of a line.
        loose_box(handle, i, box_ref)
        left, top, right, bottom = _RECT(box)  # one read of the struct (left, top, right, bottom)
        top, bottom = height - top, height - bottom
        if bottom - top > 40:  # a box far taller than text ever is: check it (below)
            left, top, right, bottom = checked(textpage, i, height, (left, top, right, bottom))
        append((ch, left, top, right, bottom, (left + right) / 2, (top + bottom) / 2))
    return chars


# pdfium's FS_RECTF, four C floats: read at once rather than field by field (a read per character).
_RECT = struct.Struct("4f").unpack_from


# Not characters the page draws: pdfium's line breaks, and codes for glyphs it could not map. A space is
# skipped only when pdfium added it.
_SKIP = frozenset(" \r\n\x00\ufffe\uffff")


def _page_text(textpage: int, n: int) -> str:
    """The page's characters (of the text page at that address) in one call, index for index (one per
    character pdfium counts)."""
    text = _all_text(textpage, n)
    if len(text) != n:  # a character pdfium could not express index for index: ask one at a time
        handle = ctypes.c_void_p(textpage)
        text = "".join(chr(get_unicode(handle, i)) for i in range(n))
    return text


def _all_text_py(textpage: int, n: int) -> str:
    """The text page's first ``n`` characters in one call (pdfium's UTF-16, decoded)."""
    buffer = ctypes.create_string_buffer(4 * (n + 1))  # room for surrogate pairs
    units = get_text(ctypes.c_void_p(textpage), 0, n, buffer)
    return buffer.raw[: 2 * max(units - 1, 0)].decode("utf-16-le", errors="replace")


def _checked_box(textpage: int, i: int, height: float, loose: tuple) -> tuple:
    """pdfium builds the loose box of a vertical-writing CID font from the unscaled font size (WPS draws
    vertical group labels at size 199 scaled by 0.05): a box 20 times too big, whose centre falls rows
    away from the character's cell. Use the glyph's own box when the loose box is taller than twice the
    font's effective size."""
    handle = ctypes.c_void_p(textpage)
    matrix = pdfium_c.FS_MATRIX()
    char_matrix(handle, i, ctypes.byref(matrix))
    size = font_size(handle, i) * abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5
    if loose[3] - loose[1] <= 2 * size:
        return loose
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    glyph_box(handle, i, ctypes.byref(left), ctypes.byref(right), ctypes.byref(bottom), ctypes.byref(top))
    return left.value, height - top.value, right.value, height - bottom.value


def _centred_in_py(chars: list[Char], box: tuple) -> list[Char]:
    """The characters whose centre is in the box (x0, top, x1, bottom), its right and bottom edges open."""
    x0, top, x1, bottom = box
    return [c for c in chars if x0 <= c[5] < x1 and top <= c[6] < bottom]


def _outside_py(chars: list[Char], box: tuple) -> list[Char]:
    """The characters whose centre is not in the box (x0, top, x1, bottom), its edges closed."""
    x0, top, x1, bottom = box
    return [c for c in chars if not (x0 <= c[5] <= x1 and top <= c[6] <= bottom)]


def _text_lines_py(chars: list[Char]) -> list[tuple[float, float, str]]:
    """Characters as text lines, top to bottom, each with its top and bottom."""
    return [
        (min(c[2] for c in line), max(c[4] for c in line), text)
        for line in _lines_py(chars)
        if (text := _line_text_py(line))
    ]


def _text_py(chars: list[Char]) -> str:
    """The characters of one cell or box as a single line (its wrapped lines run together)."""
    if len(chars) == 1:  # most numeric cells: a single digit
        return chars[0][0].strip()
    return "".join(_line_text_py(line) for line in _lines_py(chars))


def _lines_py(chars: list[Char]) -> list[list[Char]]:
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
    line = []
    last = chars[0][4]
    for char in chars:
        if char[4] > last + _Y_TOLERANCE:  # (bottoms are sorted: the previous character's is the line's last)
            lines.append(line)
            line = []
        line.append(char)
        last = char[4]
    lines.append(line)
    for line in lines:
        if len(line) > 1:
            line.sort(key=_LEFT)
    return lines


def _line_text_py(line: list[Char]) -> str:
    """A line's words joined by one space: a word ends at a space character, or where the next character
    starts left of the previous one's start or further than the tolerance right of its end."""
    out = []
    append = out.append
    prev_left = prev_right = prev_bottom = None
    for ch, left, _, right, bottom, _, _ in line:
        if ch.isspace():
            append(" ")
            prev_left = None
            continue
        if prev_left is not None and (
            left < prev_left or left > prev_right + _X_TOLERANCE or abs(bottom - prev_bottom) > _Y_TOLERANCE
        ):
            append(" ")
        append(ch)
        prev_left, prev_right, prev_bottom = left, right, bottom
    return " ".join("".join(out).split())


_BOTTOM = itemgetter(4)
_TOP = itemgetter(0)
_LEFT = itemgetter(1, 3)

# The compiled twins (xxgk.read._pdfcore) when the core is built; these Python functions are their
# specification, and the path taken with XXGK_PURE_PYTHON=1.
if core:
    core.configure(_X_TOLERANCE, _Y_TOLERANCE, _PAIRS, _MIN_PAIRS, _SMALLER, _MARKABLE, _BAND)
_all_text = core.all_text if core else _all_text_py
_char_boxes = core.char_boxes if core else _char_boxes_py
_skew = core.skew if core else _skew_py
_mark_candidates = core.mark_candidates if core else _mark_candidates_py
_outside = core.outside if core else _outside_py
_centred_in = core.centred_in if core else _centred_in_py
_lines = core.lines if core else _lines_py
_line_text = core.line_text if core else _line_text_py
_text = core.text if core else _text_py
_text_lines = core.text_lines if core else _text_lines_py


def _table_rows(
    cells: list[tuple], chars: list[Char], inner: list[tuple] = (), height: float = 0
) -> list[tuple]:
    """:func:`_table_rows_py`, compiled when the core is built."""
    if core:
        return core.table_rows(cells, chars, inner, height, MAX_SLOTS)
    return _table_rows_py(cells, chars, inner, height)


def _table_rows_py(
    cells: list[tuple], chars: list[Char], inner: list[tuple] = (), height: float = 0
) -> list[tuple]:
    """One item per row of cells, (top, bottom, kind, payload): ("cells", texts) when more than one cell
    holds text, else the row's box read as text ("text", one line; in parts above and below any table
    drawn inside the row, ``inner``; line by line in the top and bottom bands of a page of ``height``,
    where a frame prints its running lines and page numbers). A slot covered by a merged cell from above
    or the left reads as blank."""
    table_box = bbox(cells)
    inside = _centred_in(chars, table_box)
    cell_chars = _chars_by_cell(cells, inside)
    columns = sorted({c[0] for c in cells})
    rows: dict[float, dict[float, tuple]] = {}
    for cell in cells:
        rows.setdefault(cell[1], {})[cell[0]] = cell
    # a row read as text takes the characters centred in its box: look up the band of its height
    by_centre = sorted(range(len(inside)), key=lambda k: inside[k][6])
    centres = [inside[k][6] for k in by_centre]
    items = []
    for r, top in enumerate(sorted(rows), 1):
        row = [rows[top].get(x) for x in columns]
        texts = [_text(cell_chars.get(cell, [])) if cell else "" for cell in row]
        x0, y0, x1, y1 = bbox([c for c in row if c])
        if sum(1 for t in texts if t.strip()) > 1:
            items.append((top, y1, "cells", texts, r))  # r: the row in the table's grid
            continue
        nested = sorted(b for b in inner if x0 <= b[0] and b[2] <= x1 and y0 <= b[1] and b[3] <= y1)
        parts = [y0, *(y for b in nested for y in (b[1], b[3])), y1]  # above, between and below them
        for start, stop in zip(parts[::2], parts[1::2], strict=True):
            band = sorted(by_centre[bisect_left(centres, start) : bisect_left(centres, stop)])  # page order
            part = [c for k in band if x0 <= (c := inside[k])[5] < x1]
            if height and _in_band(start, stop, height):  # a frame's header or footer band: line by line
                items += [(t, b, "text", text) for t, b, text in _text_lines(part)]
                continue
            text = _text(part)
            if text or not nested:
                items.append((start, stop, "text", text))
    return items


def _chars_by_cell(cells: list[tuple], chars: list[Char]) -> dict[tuple, list[Char]]:
    """:func:`_chars_by_cell_py`, compiled when the core is built."""
    return core.chars_by_cell(cells, chars, MAX_SLOTS) if core else _chars_by_cell_py(cells, chars)


def _chars_by_cell_py(cells: list[tuple], chars: list[Char]) -> dict[tuple, list[Char]]:
    """Each character in the cell its centre falls in: cells tile the table, so find its slot between
    the distinct cell edges and look the slot's cell up (where cells overlap, the later one's)."""
    xs = sorted({c[0] for c in cells} | {c[2] for c in cells})
    ys = sorted({c[1] for c in cells} | {c[3] for c in cells})
    x_at = {x: i for i, x in enumerate(xs)}
    y_at = {y: j for j, y in enumerate(ys)}
    spans = [(x_at[c[0]], x_at[c[2]], y_at[c[1]], y_at[c[3]]) for c in cells]
    slots = sum((i1 - i0) * (j1 - j0) for i0, i1, j0, j1 in spans)
    if slots > MAX_SLOTS:
        raise GridTooComplex(f"cells over {slots} grid slots, over the budget of {MAX_SLOTS}")
    slot_cell: dict[tuple[int, int], tuple] = {}
    for cell, (i0, i1, j0, j1) in zip(cells, spans, strict=True):
        for i in range(i0, i1):
            for j in range(j0, j1):
                slot_cell[(i, j)] = cell
    cell_chars: dict[tuple, list[Char]] = {}
    for char in chars:
        cell = slot_cell.get((bisect_right(xs, char[5]) - 1, bisect_right(ys, char[6]) - 1))
        if cell is not None:
            cell_chars.setdefault(cell, []).append(char)
    return cell_chars


#: Slots (cells between distinct cell edges) a table may span: a ruled grid fills about one slot a cell;
#: cells staggered row against row can make far more, and past this the page's grid is not rebuilt.
MAX_SLOTS = 1_000_000
