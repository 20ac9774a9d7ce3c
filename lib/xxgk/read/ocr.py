"""Scans and images: the table grid recovered from the page image, and each cell read by OCR.

A scanned report (an image-only PDF, a ``.png``/``.jpg`` page) has no text to read. Each page image is
turned straight (the angle whose row profile of ink is sharpest: ruled tables and text lines make it peak),
its ruling lines are found (long thin runs of ink, by morphology), and the same grid builder as for PDFs
(:func:`xxgk.read.pdf_grid.tables`) makes the cells. The OCR engine finds the text boxes on the page once;
each box is cut at the cell walls it crosses and each piece is recognised on its own, so a number is read
inside its cell and never run together with its neighbour. Rows then go through the PDF reader's row rules
(:func:`xxgk.read.pdf._table_rows`) and :func:`xxgk.read.lines.line_from_cells`, so the parser sees what it
sees for a PDF.

Every value read here has ``cell_status = "ocr"`` (:attr:`xxgk.read.lines.Value.ocr`). A number the engine
reads with a confidence below :data:`MIN_CONFIDENCE` is not guessed: it is NA, and the check
``ocr_low_confidence`` names it. The engine is RapidOCR (PP-OCRv4 models in ONNX, inside its wheel: nothing
is downloaded at run time), installed by the ``ocr`` extra (``pip install 'xxgk[ocr]'``); without it a scan
is a failed report whose message gives that command (check ``needs_converter``).
"""

from __future__ import annotations

import math
import re
import threading
from functools import cache

from xxgk.contract.checks import Issue
from xxgk.read.lines import Document, Line, Value, _cell_kind, line_from_cells, split_line
from xxgk.read.text import UnreadableFile, normalize_cell

INSTALL = "pip install 'xxgk[ocr]'"
#: A number read with a lower confidence (the engine's, 0 to 1, for the whole cell) is NA with an issue.
MIN_CONFIDENCE = 0.9
#: A page image is read at this width in points (A4); distances below are in points, as in a PDF.
PAGE_WIDTH = 595.0
#: Angles (degrees) searched when turning a page straight: a scan is off by a degree or two.
MAX_TURN = 5.0
#: A ruling is ink at least this long (points) and at most this thick.
_MIN_RULING, _MAX_THICK = 20.0, 3.0
#: Text boxes are found on the page shrunk to this many pixels on its long side (they are read at full size).
_DET_SIDE = 1400
_NUMERIC = re.compile(r"[\d,.\s/\-—–]+")

_LOCK = threading.Lock()


class NeedsOcr(UnreadableFile):
    """A scan or an image, and the ``ocr`` extra is not installed."""

    check = "needs_converter"


@cache
def _engine():
    try:
        import cv2  # noqa: F401
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as err:
        raise NeedsOcr(
            f"the file is a scan or an image: its text is read by OCR, which is not installed ({err.name}); "
            f"install it with `{INSTALL}` and parse again"
        ) from err
    return RapidOCR()


def require() -> None:
    """Raise :class:`NeedsOcr` (with the install command) unless the ``ocr`` extra is installed."""
    _engine()


def read_image(data: bytes) -> Document:
    """The reader of page images (.png, .jpg, .jpeg, .tif, .bmp): one page."""
    _engine()
    import cv2
    import numpy as np

    grey = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_GRAYSCALE)
    if grey is None:
        raise UnreadableFile("the image cannot be decoded (damaged, or not an image)")
    return ocr_pages([grey])


def ocr_pages(pages: list, first_page: int = 1) -> Document:
    """Page images (grey numpy arrays) as one document: lines numbered through it, the page of each."""
    lines: list[Line] = []
    line_pages: dict[int, int] = {}
    notes: list[Issue] = []
    for page_no, grey in enumerate(pages, first_page):
        for kind, payload, confident in _page_items(grey, page_no, notes):
            no = len(lines) + 1
            if kind == "cells":
                line = _ocr_line(payload, confident, no)
                for raw in _doubtful(line):
                    notes.append(_low_confidence(page_no, no, raw))
            else:
                line = split_line(payload, no)
                line._cells = [_as_ocr(v) for v in line.cells]
                line._values = None
            lines.append(line)
            line_pages[no] = page_no
    if not any(line.text for line in lines):
        raise UnreadableFile("OCR found no text on the page images")
    return Document(lines, line_pages=line_pages, notes=notes)


def _low_confidence(page_no: int, no: int, raw: str) -> Issue:
    return Issue(
        "ocr_low_confidence",
        "warning",
        f"Page {page_no}, line {no}: OCR read {raw!r} with low confidence; the cell is NA, not a guess",
        f"page {page_no}",
    )


def _as_ocr(value: Value | None) -> Value | None:
    return None if value is None else value._replace(ocr=True)


def _ocr_line(texts: list[str], confident: list[bool], no: int) -> Line:
    """A table row read by OCR: its values marked as OCR'd, and a number read without confidence NA."""
    line = line_from_cells(texts, no, grid=True)
    doubtful: list[bool] = []  # per value of the numeric region, in order
    started = False
    for text, sure in zip(texts, confident, strict=True):
        kind, values = _cell_kind(normalize_cell(text), no)
        started = started or kind in ("values", "odd")
        if started and kind != "text":
            doubtful.extend([not sure] * max(len(values), 1))
    cells = []
    values = iter(doubtful[-len(line.cells) :] if doubtful else [])
    for cell in line.cells:
        unsure = next(values, False)
        if cell is None:
            cells.append(None)
        elif unsure and cell.number is not None:
            cells.append(Value(None, cell.line, cell.raw, ocr=True))
        else:
            cells.append(cell._replace(ocr=True))
    line._cells, line._values = cells, None
    return line


def _doubtful(line: Line) -> list[str]:
    return [c.raw for c in line.cells if c is not None and c.ocr and c.number is None and c.raw]


# The page --------------------------------------------------------------------------------------------------


def _page_items(grey, page_no: int, notes: list) -> list[tuple[str, object, object]]:
    """The page's rows ("cells": texts and whether each was read with confidence) and text lines."""
    from xxgk.read import pdf
    from xxgk.read.pdf_grid import GridTooComplex, bbox, tables

    scale = PAGE_WIDTH / grey.shape[1]  # points per pixel
    angle = _skew(grey)
    if abs(angle) > 0.05:
        grey = _turn(grey, angle)
        notes.append(
            Issue(
                "pdf_skewed",
                "info",
                f"Page {page_no}: the scan is turned by {abs(angle):.2f}°: it was turned back before reading",
                f"page {page_no}",
            )
        )
    ink = grey < 160
    edges = _rulings(ink, scale)
    try:
        found = tables(edges)
    except GridTooComplex:
        found = []
    boxes = _text_boxes(grey, scale)
    cells_all = [c for t in found for c in t]
    pieces = _cut(boxes, cells_all, scale)
    found_pieces = len(pieces)
    pieces += _missed(ink, cells_all, pieces, scale)
    read = _recognise(grey, pieces, scale)
    for k in range(found_pieces, len(read)):  # a cell read whole is kept only as a number
        if not _NUMERIC.fullmatch(read[k][0].strip() or "x"):
            read[k] = ("", 0.0)
    # pseudo characters: one per piece, its text at the piece's place; its confidence beside it
    chars, sure = [], {}
    for (x0, top, x1, bottom), (text, score) in zip(pieces, read, strict=True):
        text = text.strip()
        if not text:
            continue
        char = (text, x0, top, x1, bottom, (x0 + x1) / 2, (top + bottom) / 2)
        chars.append(char)
        sure[char] = score >= MIN_CONFIDENCE or not _NUMERIC.fullmatch(text)
    height = grey.shape[0] * scale
    items = []
    table_boxes = [bbox(t) for t in found]
    for table in found:
        rows = pdf._table_rows(table, chars, [], height)
        cell_chars = pdf._chars_by_cell(table, pdf._centred_in(chars, bbox(table)))
        confident_cells = {cell: all(sure[c] for c in cs) for cell, cs in cell_chars.items()}
        row_cells = _row_cells(table)
        for top, _, kind, payload in rows:
            if kind == "cells":
                row = row_cells[top]
                payload = (payload, [confident_cells.get(c, True) if c else True for c in row])
            items.append((top, kind, payload))
    outside = [
        c for c in chars if not any(b[0] <= c[5] <= b[2] and b[1] <= c[6] <= b[3] for b in table_boxes)
    ]
    for top, _, text in pdf._text_lines(outside):
        if not (pdf._BARE_NUMBER.fullmatch(text) or pdf.is_page_number(text)):
            items.append((top, "text", text))
    items.sort(key=lambda item: item[0])
    out = []
    for _, kind, payload in items:
        if kind == "cells":
            out.append(("cells", payload[0], payload[1]))
        elif payload.strip():
            out.append(("text", payload, None))
    return out


def _row_cells(table: list[tuple]) -> dict[float, list]:
    columns = sorted({c[0] for c in table})
    rows: dict[float, dict[float, tuple]] = {}
    for cell in table:
        rows.setdefault(cell[1], {})[cell[0]] = cell
    return {top: [rows[top].get(x) for x in columns] for top in rows}


def _skew(grey) -> float:
    """The page's turn in degrees (clockwise positive): the angle at which the rows of ink are sharpest."""
    import cv2
    import numpy as np

    small = cv2.resize(grey, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    ink = (255 - small).astype(np.float32)

    def sharpness(angle: float) -> float:
        profile = _turn(ink, angle, border=0).sum(axis=1)
        return float(np.square(np.diff(profile)).sum())

    best = max(np.arange(-MAX_TURN, MAX_TURN + 1e-9, 0.25), key=sharpness)
    fine = max(np.arange(best - 0.25, best + 0.25 + 1e-9, 0.05), key=sharpness)
    return float(fine)


def _turn(image, angle: float, border: int = 255):
    import cv2

    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(image, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=border)


def _rulings(ink, scale: float) -> list[tuple[str, float, float, float]]:
    """Horizontal and vertical ruling lines (long thin runs of ink) as the grid builder's edges, in points."""
    import cv2
    import numpy as np

    mask = ink.astype(np.uint8) * 255
    length = max(int(_MIN_RULING / scale), 10)
    edges: list[tuple[str, float, float, float]] = []
    for orientation, kernel in (("h", (length, 1)), ("v", (1, length))):
        lines = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, kernel))
        n, _, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
        for x, y, w, h, _ in stats[1:n]:
            if orientation == "h" and h * scale <= _MAX_THICK * 2:
                edges.append(("h", (y + h / 2) * scale, x * scale, (x + w) * scale))
            elif orientation == "v" and w * scale <= _MAX_THICK * 2:
                edges.append(("v", (x + w / 2) * scale, y * scale, (y + h) * scale))
    return edges


def _text_boxes(grey, scale: float) -> list[tuple[float, float, float, float]]:
    """The engine's text boxes on the page (upright boxes, in points)."""
    import cv2

    shrink = min(1.0, _DET_SIDE / max(grey.shape))  # finding boxes needs less detail than reading them
    small = cv2.resize(grey, None, fx=shrink, fy=shrink, interpolation=cv2.INTER_AREA) if shrink < 1 else grey
    with _LOCK:
        found, _ = _engine()(
            cv2.cvtColor(small, cv2.COLOR_GRAY2BGR), use_det=True, use_cls=False, use_rec=False
        )
    boxes = []
    scale = scale / shrink
    for quad in found or []:
        xs, ys = [p[0] for p in quad], [p[1] for p in quad]
        boxes.append((min(xs) * scale, min(ys) * scale, max(xs) * scale, max(ys) * scale))
    return boxes


def _cut(boxes: list, cells: list, scale: float) -> list[tuple[float, float, float, float]]:
    """Each text box cut at the walls of the table cells it crosses: one piece per cell (a box outside the
    tables is kept whole)."""
    pieces = []
    inset = 1.5  # points inside a cell's wall, so the ruling is not read as a 1
    for box in boxes:
        cy = (box[1] + box[3]) / 2
        row = [c for c in cells if c[1] <= cy < c[3] and c[0] < box[2] and box[0] < c[2]]
        if not row:
            pieces.append(box)
            continue
        for c in sorted(row):
            x0, x1 = max(box[0], c[0] + inset), min(box[2], c[2] - inset)
            top, bottom = max(box[1], c[1] + inset), min(box[3], c[3] - inset)
            if x1 - x0 > 2 and bottom - top > 2:
                pieces.append((x0, top, x1, bottom))
    return pieces


def _missed(ink, cells: list, pieces: list, scale: float) -> list[tuple[float, float, float, float]]:
    """Cells with ink in them where the engine found no text box (a lone small digit is easily missed):
    each read whole, so a printed 0 is not lost."""
    inset = 3.0
    out = []
    for x0, top, x1, bottom in cells:
        if any(x0 <= (p[0] + p[2]) / 2 < x1 and top <= (p[1] + p[3]) / 2 < bottom for p in pieces):
            continue
        box = (x0 + inset, top + inset, x1 - inset, bottom - inset)
        if box[2] - box[0] < 3 or box[3] - box[1] < 3:
            continue
        a, b, c, d = (int(v / scale) for v in (box[1], box[3], box[0], box[2]))
        if ink[a:b, c:d].sum() >= 12:  # a few strokes, not a speck of noise
            out.append(box)
    return out


def _recognise(grey, pieces: list, scale: float) -> list[tuple[str, float]]:
    """The text and confidence of each piece of the page, recognised piece by piece (in batches)."""
    import cv2

    crops = []
    h, w = grey.shape
    for x0, top, x1, bottom in pieces:
        pad = 2
        a, b = max(int(top / scale) - pad, 0), min(math.ceil(bottom / scale) + pad, h)
        c, d = max(int(x0 / scale) - pad, 0), min(math.ceil(x1 / scale) + pad, w)
        crops.append(cv2.cvtColor(grey[a:b, c:d], cv2.COLOR_GRAY2BGR))
    if not crops:
        return []
    with _LOCK:
        read, _ = _engine().text_rec(crops)
    return [(text, float(score)) for text, score in read]
