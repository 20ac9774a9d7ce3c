"""Scans and images: the table grid recovered from the page image, and each cell read by OCR.

A scanned report (an image-only PDF, a ``.png``/``.jpg`` page, an ``<img>`` table of a saved web page) has
no text to read. Each page image goes through these stages, each a short function:

1. :func:`_straighten`: the page turned straight (the angle whose row profile of ink is sharpest: ruled
   tables and text lines make it peak);
2. :func:`_rulings`: its ruling lines (long thin runs of ink, by morphology), which become the grid by
   the same builder as for PDFs (:func:`xxgk.read.pdf_grid.tables`), and are then wiped from the image so
   that a cell's wall is never read as a 1;
3. :func:`_pieces`: the text the engine finds on the page, cut at the cell walls it crosses (one piece per
   cell), plus every cell with ink where the engine found nothing (a lone small digit is easily missed);
4. the engine reads every piece on its own (:class:`Engine`), so a number is read inside its cell and never
   run together with its neighbour;
5. :func:`_table_items`: each table's rows over the table's full set of columns (a cell merged over rows
   or columns leaves the slots it covers blank, so the numbers of every row stay in their columns), and the
   text outside the tables as lines.

Rows then become lines through :func:`xxgk.read.lines.line_from_cells`, so the parser sees what it sees
for a PDF, and every number names its page and its cell (``t:r:c``, tables counted through the document).

Every value read here has ``cell_status = "ocr"`` (:attr:`xxgk.read.lines.Value.ocr`). A number is not
guessed: a numeric cell the engine reads with a confidence below :data:`MIN_CONFIDENCE`, or whose text is
not a number (``1O``, ``7?``), is NA, and the check ``ocr_low_confidence`` names its page and cell. The
engine is RapidOCR (PP-OCRv4 models in ONNX, inside its wheel: nothing is downloaded at run time),
installed by the ``ocr`` extra (``pip install 'xxgk[ocr]'``); without it a scan is a failed report whose
message gives that command (check ``needs_converter``). Tesseract (``chi_sim``) is the other engine of
:data:`ENGINES`, compared with it in ``bench/ocr.py`` (README: why RapidOCR).
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from xxgk.contract.checks import Issue
from xxgk.read.lines import Document, Line, Value, is_page_number, line_from_cells, split_line
from xxgk.read.text import UnreadableFile, normalize_cell

INSTALL = "pip install 'xxgk[ocr]'"
#: A number read with a lower confidence (the engine's, 0 to 1: for RapidOCR the mean of its characters'
#: probabilities) is NA with an issue. Measured on damaged scans of the corpus PDFs (bench/ocr.py): the
#: cells read right score 0.95 and over but for a few; the wrong reads seen scored below 0.9.
MIN_CONFIDENCE = 0.9
#: A page image is read at this width in points (A4); distances below are in points, as in a PDF.
PAGE_WIDTH = 595.0
#: Angles (degrees) searched when turning a page straight: a scan is off by a degree or two.
MAX_TURN = 5.0
#: A ruling is ink at least this long (points) and at most this thick.
_MIN_RULING, _MAX_THICK = 20.0, 3.0
#: Grey levels darker than this are ink, rulings and text alike (paper is near 255, print near 0). A thin
#: ruling or digit at 150 dpi is antialiased and JPEG-smudged to 110-200: at 160, a 2 in the corpus scans
#: kept 18 pixels (51 at 200), and the rulings of a 150-dpi scan broke into pieces (58 cells found of 117);
#: paper with noise of 12 grey levels is under 200 at 4.6 sd, specks the ruling and line filters drop.
_INK = 200
#: Text boxes are found on the page shrunk to this many pixels on its long side (they are read at full size).
_DET_SIDE = 1400
#: Points inside a cell's walls where its text is cut out: clear of a ruling's anti-aliased edge.
_INSET = 1.5
#: What a numeric cell may hold: digits, separators and the marks for "not applicable".
_NUMERIC = re.compile(r"[\d,.\s/\-—–]+")
_DIGIT = re.compile(r"\d")

_LOCK = threading.Lock()  # the engines are not thread-safe

Box = tuple[float, float, float, float]  # x0, top, x1, bottom, in points from the page's top-left corner


class NeedsOcr(UnreadableFile):
    """A scan or an image, and the ``ocr`` extra is not installed."""

    check = "needs_converter"


# The engines -----------------------------------------------------------------------------------------------


class Engine:
    """An OCR engine: finds the text boxes on a page and reads cut-out pieces of it (grey numpy images)."""

    name = ""

    def boxes(self, grey) -> list[tuple[float, float, float, float]]:
        """Text boxes on the page, upright, in pixels (x0, top, x1, bottom)."""
        raise NotImplementedError

    def read(self, crops: list) -> list[tuple[str, float]]:
        """The text of each crop and the engine's confidence in it (0 to 1)."""
        raise NotImplementedError

    def version(self) -> str:
        raise NotImplementedError


class RapidOcr(Engine):
    """RapidOCR 1.x (PaddleOCR's PP-OCRv4 detection and Chinese recognition models on ONNX Runtime)."""

    name = "rapidocr"

    def __init__(self) -> None:
        try:
            import cv2  # noqa: F401
            from rapidocr_onnxruntime import RapidOCR
        except ImportError as err:
            raise NeedsOcr(
                f"the file is a scan or an image: its text is read by OCR, which is not installed ({err.name}); "
                f"install it with `{INSTALL}` and parse again"
            ) from err
        self._ocr = RapidOCR()

    def boxes(self, grey):
        import cv2

        shrink = min(1.0, _DET_SIDE / max(grey.shape))  # finding boxes needs less detail than reading them
        small = (
            cv2.resize(grey, None, fx=shrink, fy=shrink, interpolation=cv2.INTER_AREA) if shrink < 1 else grey
        )
        with _LOCK:
            found, _ = self._ocr(
                cv2.cvtColor(small, cv2.COLOR_GRAY2BGR), use_det=True, use_cls=False, use_rec=False
            )
        out = []
        for quad in found or []:
            xs, ys = [p[0] / shrink for p in quad], [p[1] / shrink for p in quad]
            out.append((min(xs), min(ys), max(xs), max(ys)))
        return out

    def read(self, crops):
        import cv2

        if not crops:
            return []
        with _LOCK:
            read, _ = self._ocr.text_rec([cv2.cvtColor(c, cv2.COLOR_GRAY2BGR) for c in crops])
        return [(text, float(score)) for text, score in read]

    def version(self) -> str:
        from importlib.metadata import version

        return f"rapidocr-onnxruntime {version('rapidocr-onnxruntime')}, onnxruntime {version('onnxruntime')}"


class Tesseract(Engine):
    """Tesseract 5 with the ``chi_sim`` data (Debian: ``tesseract-ocr tesseract-ocr-chi-sim``), through its
    command line: one call finds the page's text lines, one reads all pieces, stacked into one image."""

    name = "tesseract"
    _GAP = 24  # white pixels between stacked pieces

    def __init__(self) -> None:
        self._exe = shutil.which("tesseract")
        if self._exe is None:
            raise NeedsOcr(
                "the Tesseract engine needs the tesseract program: "
                "`apt-get install -y tesseract-ocr tesseract-ocr-chi-sim` (Debian/Ubuntu)"
            )

    def _tsv(self, image, psm: int) -> list[dict]:
        import cv2

        with tempfile.TemporaryDirectory(prefix="xxgk-tess-") as scratch:
            path = Path(scratch) / "page.png"
            cv2.imwrite(str(path), image)
            done = subprocess.run(
                [self._exe, str(path), "stdout", "-l", "chi_sim", "--psm", str(psm), "tsv"],
                capture_output=True,
                timeout=300,
                check=False,
            )
        rows = done.stdout.decode("utf-8", "replace").splitlines()
        if not rows:
            return []
        head = rows[0].split("\t")
        return [
            dict(zip(head, r.split("\t"), strict=False)) for r in rows[1:] if r.count("\t") == len(head) - 1
        ]

    def boxes(self, grey):
        out = []
        for w in self._tsv(grey, 11):  # sparse text: every word of the page, table cells included
            if w["level"] == "5" and w["text"].strip():
                x, y, width, height = (int(w[k]) for k in ("left", "top", "width", "height"))
                out.append((x, y, x + width, y + height))
        return out

    def read(self, crops):
        import numpy as np

        if not crops:
            return []
        width = max(c.shape[1] for c in crops) + 2 * self._GAP
        spans, strips, y = [], [], self._GAP
        for crop in crops:
            h, w = crop.shape
            strip = np.full((h + self._GAP, width), 255, dtype=np.uint8)
            strip[:h, self._GAP : self._GAP + w] = crop
            strips.append(strip)
            spans.append((y, y + h))
            y += h + self._GAP
        stack = np.vstack([np.full((self._GAP, width), 255, dtype=np.uint8), *strips])
        words: list[list[tuple[int, int, str, float]]] = [[] for _ in crops]
        starts = [s for s, _ in spans]
        import bisect

        for w in self._tsv(stack, 6):
            if w["level"] != "5" or not w["text"].strip():
                continue
            cy = int(w["top"]) + int(w["height"]) / 2
            k = bisect.bisect_right(starts, cy) - 1
            if 0 <= k < len(crops) and cy < spans[k][1] + self._GAP / 2:
                words[k].append((int(w["top"]), int(w["left"]), w["text"], float(w["conf"]) / 100))
        out = []
        for found in words:  # in Tesseract's reading order (sorting by top scrambles a Chinese line)
            text = "".join(t for _, _, t, _ in found)
            out.append((text, min((c for *_, c in found), default=0.0)))
        return out

    def version(self) -> str:
        done = subprocess.run([self._exe, "--version"], capture_output=True, check=False)
        return done.stdout.decode().splitlines()[0] + " chi_sim"


#: The engines by name; the first is the default (README: why).
ENGINES: dict[str, type[Engine]] = {"rapidocr": RapidOcr, "tesseract": Tesseract}


#: Environment variable naming the engine when none is passed (``tesseract`` to use Tesseract; ``none`` for no
#: OCR at all: a quick first pass over a large corpus, scans then failed reports and scanned pages warnings).
ENGINE_VARIABLE = "XXGK_OCR_ENGINE"


def engine(name: str | None = None) -> Engine:
    """The engine of that name, else the one ``$XXGK_OCR_ENGINE`` names, else the first of :data:`ENGINES`."""
    return _make(name or os.environ.get(ENGINE_VARIABLE) or next(iter(ENGINES)))


@cache
def _make(name: str) -> Engine:
    """The engine of that name, made once: loading its models takes a second."""
    if name == "none":
        raise NeedsOcr(f"the file is a scan or an image, and OCR is switched off ({ENGINE_VARIABLE}=none)")
    if name not in ENGINES:
        raise ValueError(f"unknown OCR engine {name!r}: one of {', '.join(ENGINES)}")
    return ENGINES[name]()


def require() -> None:
    """Raise :class:`NeedsOcr` (with the install command) unless the engine can be made."""
    engine()


# The document ----------------------------------------------------------------------------------------------


def read_image(data: bytes) -> Document:
    """The reader of page images (.png, .jpg, .jpeg, .tif, .bmp): one page."""
    return ocr_pages([decode_image(data)])


def decode_image(data: bytes):
    """An image file's bytes as a grey numpy image (raises :class:`UnreadableFile` when it is not one)."""
    require()
    import cv2
    import numpy as np

    grey = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_GRAYSCALE)
    if grey is None:
        raise UnreadableFile("the image cannot be decoded (damaged, or not an image)")
    return grey


def ocr_pages(pages: list, first_page: int = 1, engine_name: str | None = None) -> Document:
    """Page images (grey numpy arrays) as one document: lines numbered through it, the page of each line,
    and the table and row of each table row (tables counted through the document)."""
    doc = Document([], notes=[])
    add_pages(doc, pages, first_page, engine_name)
    if not any(line.text for line in doc.lines):
        raise UnreadableFile("OCR found no text on the page images")
    return doc


def add_pages(doc: Document, pages: list, first_page: int = 1, engine_name: str | None = None) -> None:
    """Append the lines read from page images to ``doc`` (its numbering, pages and table rows go on)."""
    reader = engine(engine_name)
    tables_before = max((t for t, _ in doc.line_cells.values()), default=0)  # numbers may skip some
    for page_no, grey in enumerate(pages, first_page):
        page = _read_page(grey, page_no, reader, doc.notes)
        for item in page:
            no = len(doc.lines) + 1
            if item.cells is None:
                line = split_line(item.text, no)
                line._cells, line._values = [_as_ocr(v) for v in line.cells], None
            else:
                line = _ocr_row(item, no, page_no, tables_before, doc.notes)
                doc.line_cells[no] = (tables_before + item.table, item.row)
            doc.lines.append(line)
            doc.line_pages[no] = page_no
        tables_before += max((item.table for item in page), default=0)


def _as_ocr(value: Value | None) -> Value | None:
    return None if value is None else value._replace(ocr=True)


def _ocr_row(item: Item, no: int, page_no: int, tables_before: int, notes: list) -> Line:
    """A table row read by OCR: a numeric cell read without confidence, or not as a number, is blank (NA)
    with an ``ocr_low_confidence`` issue naming it; every value is marked as read by OCR."""
    texts = list(item.cells)
    for c, (text, score) in enumerate(zip(item.cells, item.scores, strict=True), 1):
        why = _doubt(text, score)
        if why is None:
            continue
        texts[c - 1] = ""
        cell = f"t{tables_before + item.table}:r{item.row}:c{c}"
        where = f"page {page_no}, line {no}, cell {cell}"
        notes.append(
            Issue(
                "ocr_low_confidence",
                "warning",
                f"Page {page_no}, line {no}, cell {cell}: {why}; the cell is NA, not a guess",
                where,
                actual=text,
            )
        )
    line = line_from_cells(texts, no, grid=True)
    line._cells, line._values = [_as_ocr(v) for v in line.cells], None
    return line


def _doubt(text: str, score: float) -> str | None:
    """Why a cell's reading is not trusted as a number, or None (a trusted number, or a label)."""
    if score == LEANS:
        return f"OCR read {text.strip()!r} but the stroke {'leans like a /' if '1' in text else 'stands like a 1'}"
    if "\n" in text:
        return (
            f"OCR read numbers on several lines of one cell ({' / '.join(text.split())}): a ruling was lost"
        )
    text = normalize_cell(text)
    if not text:
        return None if score >= MIN_CONFIDENCE else "OCR found ink in the cell but read nothing"
    if not _DIGIT.search(text):
        return None  # a label, or a "/" read as it is
    if _NUMERIC.fullmatch(text):
        return None if score >= MIN_CONFIDENCE else f"OCR read {text!r} with confidence {score:.2f}"
    if _looks_numeric(text):
        return f"OCR read {text!r}, not a number"
    return None  # a label with a digit in it (1.属于国家秘密)


def _looks_numeric(text: str) -> bool:
    """A cell that is mostly digits with a slip in it (``1O``, ``7?``, ``3l``): a misread number."""
    digits = len(_DIGIT.findall(text))
    return digits >= max(1, len(text.replace(" ", "")) - 1)


# The page --------------------------------------------------------------------------------------------------


@dataclass
class Item:
    """One thing on a page, top to bottom: a table row (``cells``, the engine's ``scores`` per cell, its
    ``table`` on the page and ``row`` in the table, 1-based) or a line of text (``text``)."""

    top: float
    text: str = ""
    cells: list[str] | None = None
    scores: list[float] | None = None
    table: int = 0
    row: int = 0


def _read_page(grey, page_no: int, reader: Engine, notes: list) -> list[Item]:
    """The page's table rows and text lines, top to bottom."""
    from xxgk.read.pdf_grid import GridTooComplex, bbox, tables

    scale = PAGE_WIDTH / grey.shape[1]  # points per pixel
    grey = _straighten(grey, page_no, notes)
    ink = grey < _INK
    edges, lines = _rulings(ink, scale)
    try:
        found = tables(edges)
    except GridTooComplex:
        found = []
    clean = grey.copy()
    clean[lines] = 255  # the rulings wiped: a wall is never read as a 1
    boxes = [tuple(v * scale for v in b) for b in reader.boxes(clean)]
    cells = [c for t in found for c in t]
    pieces = _pieces(boxes, cells, [bbox(t) for t in found], ink & ~lines, scale)
    crops = [_crop(clean, p.box, scale) for p in pieces]
    read = _check_strokes(crops, _second_look(reader, crops, reader.read(crops)))
    texts: dict[tuple, list[tuple[Piece, str, float]]] = {}
    outside = []
    for piece, (text, score) in zip(pieces, read, strict=True):
        text = text.strip()
        if piece.cell is not None:  # ink read as nothing is kept: an empty text without confidence
            texts.setdefault(piece.cell, []).append((piece, text, score if text else 0.0))
        elif text:
            outside.append((piece.box, text))
    items = []
    for t, table in enumerate(found, 1):
        items += _table_items(table, t, texts)
    items += _text_items(outside)
    items.sort(key=lambda item: item.top)  # stable: a table row before a text line at the same height
    return items


def _second_look(reader: Engine, crops: list, read: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """A number read without confidence is read again from the crop enlarged twice and made black and
    white (another view of the same ink): when both reads give the same text and the second is
    confident, the number stands. The engine's score for a lone digit is low and scattered (a right 0
    scores 0.85 to 0.99), so one read alone would throw away many right cells; two views agreeing is the
    evidence, and anything else stays NA with an issue."""
    import cv2

    doubtful = [
        k
        for k, (text, score) in enumerate(read)
        if score < MIN_CONFIDENCE and _NUMERIC.fullmatch(text.strip() or "x")
    ]
    views = []
    for k in doubtful:
        big = cv2.resize(crops[k], None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
        views.append(cv2.threshold(big, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[1])
    out = list(read)
    for k, (text, score) in zip(doubtful, reader.read(views), strict=True):
        if text.strip() == read[k][0].strip() and score >= MIN_CONFIDENCE:
            out[k] = (read[k][0], score)
    return out


#: The score given to a lone 1 whose ink leans like a "/" (or a "/" standing upright like a 1): the reading
#: contradicts the stroke, so the cell is NA with an issue saying so.
LEANS = -1.0
#: Slope of a stroke (x per y, on the straightened page) past which it leans like a "/". Measured on damaged
#: corpus and synthetic scans: every "/" from -0.29 to -0.31, every 1 from 0.01 to 0.06 (its flag leans right).
_SLASH_SLOPE = -0.15


def _check_strokes(crops: list, read: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """A lone "1" and a lone "/" look alike to the recogniser at 150 dpi (synthetic scans: 35 of 96 "/"
    first read as 1); the stroke's lean tells them apart, and a reading the lean contradicts is not kept."""
    import numpy as np

    out = list(read)
    for k, (text, _) in enumerate(read):
        if text.strip() not in ("1", "/"):
            continue
        ys, xs = np.nonzero(crops[k] < _INK)
        if len(ys) < 5 or np.ptp(ys) == 0:
            continue
        leans = float(np.polyfit(ys, xs, 1)[0]) < _SLASH_SLOPE
        if leans == (text.strip() == "1"):
            out[k] = (text, LEANS)
    return out


def _straighten(grey, page_no: int, notes: list):
    angle = _skew(grey)
    if abs(angle) <= 0.05:
        return grey
    notes.append(
        Issue(
            "pdf_skewed",
            "info",
            f"Page {page_no}: the scan is turned by {abs(angle):.2f}°: it was turned back before reading",
            f"page {page_no}",
        )
    )
    return _turn(grey, angle)


def _table_items(table: list[tuple], t: int, texts: dict) -> list[Item]:
    """A table's rows over its full set of columns: a slot a merged cell covers (from above or the left)
    is blank. A row with text in one cell only is a line of text (a heading row inside the table)."""
    columns = sorted({c[0] for c in table})
    rows: dict[float, dict[float, tuple]] = {}
    for cell in table:
        rows.setdefault(cell[1], {})[cell[0]] = cell
    items = []
    for r, top in enumerate(sorted(rows), 1):
        row = [rows[top].get(x) for x in columns]
        read = [_cell_text(texts.get(cell, [])) if cell else ("", 1.0) for cell in row]
        if sum(1 for text, _ in read if text) > 1:
            items.append(Item(top, cells=[x for x, _ in read], scores=[s for _, s in read], table=t, row=r))
        elif any(text for text, _ in read):
            items.append(Item(top, text=next(text for text, _ in read if text)))
    return items


def _cell_text(pieces: list[tuple[Piece, str, float]]) -> tuple[str, float]:
    """A cell's pieces as one text (lines top to bottom, each left to right) and the lowest confidence."""
    if not pieces:
        return "", 1.0
    lines = _group_lines([(p.box, text) for p, text, _ in pieces if text])
    if not lines:
        return "", 0.0  # ink, but nothing read
    texts = [_join(line) for line in lines]
    # numbers on several lines of one cell: a ruling between rows was lost, and "95" over "0" is not 950
    glue = "\n" if len(texts) > 1 and all(_NUMERIC.fullmatch(t) for t in texts) else ""
    return glue.join(texts), min(score for *_, score in pieces)


def _text_items(outside: list[tuple[Box, str]]) -> list[Item]:
    """Text outside the tables as lines; a bare number or a page number alone on its line is furniture."""
    items = []
    for line in _group_lines(outside):
        text = _join(line)
        if re.fullmatch(r"[-—–\s]*\d{1,4}[-—–\s]*", text) or is_page_number(text):
            continue
        items.append(Item(min(b[1] for b, _ in line), text=text))
    return items


def _group_lines(boxes: list[tuple[Box, str]]) -> list[list[tuple[Box, str]]]:
    """Boxes into lines: a box whose middle lies within the previous line's height joins it."""
    lines: list[list[tuple[Box, str]]] = []
    for box, text in sorted(boxes, key=lambda b: (b[0][1] + b[0][3]) / 2):
        middle = (box[1] + box[3]) / 2
        if lines and lines[-1][-1][0][1] <= middle <= lines[-1][-1][0][3]:
            lines[-1].append((box, text))
        else:
            lines.append([(box, text)])
    return [sorted(line, key=lambda b: b[0][0]) for line in lines]


def _join(line: list[tuple[Box, str]]) -> str:
    """A line's texts left to right, a space where the gap is wider than half the line's height."""
    out = line[0][1]
    for (prev, _), (box, text) in zip(line, line[1:], strict=False):
        gap = box[0] - prev[2]
        out += (" " if gap > (box[3] - box[1]) / 2 else "") + text
    return out


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


def _rulings(ink, scale: float) -> tuple[list[tuple[str, float, float, float]], object]:
    """Horizontal and vertical ruling lines (long thin runs of ink) as the grid builder's edges, in points,
    and the mask of their pixels (to wipe them before reading)."""
    import cv2
    import numpy as np

    mask = ink.astype(np.uint8) * 255
    length = max(int(_MIN_RULING / scale), 10)
    edges: list[tuple[str, float, float, float]] = []
    wiped = np.zeros_like(mask)
    for orientation, kernel in (("h", (length, 1)), ("v", (1, length))):
        lines = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, kernel))
        n, labels, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
        for k, (x, y, w, h, _) in enumerate(stats[1:n], 1):
            if orientation == "h" and h * scale <= _MAX_THICK * 2:
                edges.append(("h", (y + h / 2) * scale, x * scale, (x + w) * scale))
            elif orientation == "v" and w * scale <= _MAX_THICK * 2:
                edges.append(("v", (x + w / 2) * scale, y * scale, (y + h) * scale))
            else:
                continue
            wiped[y : y + h, x : x + w] |= (labels[y : y + h, x : x + w] == k).astype(np.uint8)
    wiped = cv2.dilate(wiped, np.ones((3, 3), np.uint8))  # the ruling's grey fringe too
    return edges, wiped.astype(bool)


@dataclass(frozen=True)
class Piece:
    """A part of the page to read: its box (points), and the table cell it lies in (None outside)."""

    box: Box
    cell: tuple | None = None


def _pieces(boxes: list[Box], cells: list[tuple], tables: list[Box], ink, scale: float) -> list[Piece]:
    """What to read on the page: in each table cell, each line of its ink (found on the page itself, not
    by the engine's text finder, which misses a lone small digit and cuts boxes loosely at this size);
    outside the tables, the engine's text boxes."""
    pieces = [
        Piece(box)
        for box in boxes
        if not any(
            t[0] <= (box[0] + box[2]) / 2 <= t[2] and t[1] <= (box[1] + box[3]) / 2 <= t[3] for t in tables
        )
    ]
    for cell in cells:
        pieces += [Piece(box, cell) for box in _ink_lines(ink, cell, scale)]
    return pieces


#: Ink closer than this (points, vertically) is one line of text; printed lines are further apart.
_LINE_GAP = 1.5
#: A line of ink lower than this (points) or with fewer pixels is a speck of noise or a ruling's remnant.
_MIN_LINE, _MIN_INK = 3.0, 12


def _ink_lines(ink, cell: tuple, scale: float) -> list[Box]:
    """The lines of ink inside a cell (its walls left out), each as the box around its ink."""
    import numpy as np

    x0, top, x1, bottom = (int(v / scale) for v in cell)
    edge = math.ceil(2 * _INSET / scale)
    a, b, c, d = top + edge, bottom - edge, x0 + edge, x1 - edge
    if b - a < 3 or d - c < 3:
        return []
    region = ink[a:b, c:d]
    if region.sum() < _MIN_INK:
        return []
    rows = region.any(axis=1)
    gap = max(1, round(_LINE_GAP / scale))
    out = []
    start = None
    blank = 0
    for y, has in enumerate(np.append(rows, [False] * (gap + 1))):
        if has:
            start = y if start is None else start
            blank = 0
        elif start is not None:
            blank += 1
            if blank > gap:
                end = y - blank + 1
                out.append(_ink_box(region[start:end], start, a, c, scale))
                start = None
    return [box for box in out if box is not None]


def _ink_box(band, start: int, a: int, c: int, scale: float) -> Box | None:
    import numpy as np

    if band.shape[0] * scale < _MIN_LINE or band.sum() < _MIN_INK:
        return None
    xs = np.flatnonzero(band.any(axis=0))
    return (
        (c + xs[0]) * scale,
        (a + start) * scale,
        (c + xs[-1] + 1) * scale,
        (a + start + band.shape[0]) * scale,
    )


def _crop(grey, box: Box, scale: float, pad: int = 4):
    h, w = grey.shape
    x0, top, x1, bottom = box
    a, b = max(int(top / scale) - pad, 0), min(math.ceil(bottom / scale) + pad, h)
    c, d = max(int(x0 / scale) - pad, 0), min(math.ceil(x1 / scale) + pad, w)
    return grey[a:b, c:d]
