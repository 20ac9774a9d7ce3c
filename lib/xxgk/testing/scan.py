"""Scans made from PDFs: pages rasterised with the damage a scanner and a photocopier do.

A scanned report is a PDF of page images (or the images themselves): grey, 150 to 200 dpi, turned by a
degree or so, speckled with noise, and JPEG-compressed. :func:`scan_pages` makes such pages from a PDF with
a text layer, so the OCR reader (:mod:`xxgk.read.ocr`) is tested on the corpus's own tables, whose values are
known; :func:`image_pdf` binds them into an image-only PDF, as a scanner would. Needs the ``ocr`` extra
(OpenCV) and pypdfium2.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ScanDamage:
    """How a page is scanned: resolution (dpi), turn (degrees, clockwise positive), noise (standard
    deviation in grey levels) and JPEG quality."""

    dpi: int = 170
    angle: float = 1.0
    noise: float = 8.0
    jpeg: int = 60

    @classmethod
    def random(cls, rng: random.Random) -> ScanDamage:
        """Damage drawn from the range the issue names: 150-200 dpi, up to 1.5°, some noise, JPEG 50-80."""
        return cls(
            dpi=rng.randint(150, 200),
            angle=round(rng.uniform(-1.5, 1.5), 2),
            noise=round(rng.uniform(2, 12), 1),
            jpeg=rng.randint(50, 80),
        )


def damage(grey, damage: ScanDamage, seed: int = 0) -> bytes:
    """A grey page image (numpy uint8) scanned: turned, noised and JPEG-encoded (the file's bytes)."""
    import cv2
    import numpy as np

    h, w = grey.shape
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), -damage.angle, 1.0)
    img = cv2.warpAffine(grey, turn, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
    if damage.noise:
        rng = np.random.default_rng(seed)
        img = np.clip(img.astype(np.float32) + rng.normal(0, damage.noise, img.shape), 0, 255).astype(
            np.uint8
        )
    ok, encoded = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, damage.jpeg])
    if not ok:
        raise ValueError("the page image could not be JPEG-encoded")
    return encoded.tobytes()


def scan_pages(pdf: str | Path | bytes, damage_of=ScanDamage(), pages=None) -> list[bytes]:
    """Each page of a PDF (or the pages listed, 1-based) rasterised in grey at the damage's resolution and
    damaged: JPEG bytes per page. ``damage_of`` is one :class:`ScanDamage` or a function of the page number."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf if isinstance(pdf, bytes) else str(pdf))
    out = []
    try:
        for no in pages or range(1, len(doc) + 1):
            how = damage_of(no) if callable(damage_of) else damage_of
            page = doc[no - 1]
            bitmap = page.render(scale=how.dpi / 72, grayscale=True)
            grey = _grey(bitmap)
            out.append(damage(grey, how, seed=no))
            page.close()
    finally:
        doc.close()
    return out


def _grey(bitmap):
    import numpy as np

    array = bitmap.to_numpy()
    if array.ndim == 3:
        array = array[..., :3].mean(axis=2)
    return np.ascontiguousarray(array, dtype=np.uint8)


def image_pdf(images: list[bytes], dpi: int = 170) -> bytes:
    """An image-only PDF (no text layer), one JPEG page image a page, as a scanner makes."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument.new()
    try:
        for data in images:
            image = pdfium.PdfImage.new(doc)
            image.load_jpeg(io.BytesIO(data), inline=True)
            width, height = image.get_px_size()
            w, h = width * 72 / dpi, height * 72 / dpi
            image.set_matrix(pdfium.PdfMatrix().scale(w, h))
            page = doc.new_page(w, h)
            page.insert_obj(image)
            page.gen_content()
            page.close()
        buffer = io.BytesIO()
        doc.save(buffer)
        return buffer.getvalue()
    finally:
        doc.close()


def with_scanned_pages(pdf: str | Path, images: dict[int, bytes], dpi: int = 170) -> bytes:
    """The PDF with some pages (number from 1 -> JPEG bytes) replaced by those images, image-only, in their
    places: a report printed with a page or two scanned in, the other pages keeping their text layer."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    scans = pdfium.PdfDocument(image_pdf(list(images.values()), dpi=dpi))
    try:
        for k, no in enumerate(images):
            doc.del_page(no - 1)
            doc.import_pages(scans, pages=[k], index=no - 1)
        buffer = io.BytesIO()
        doc.save(buffer)
        return buffer.getvalue()
    finally:
        scans.close()
        doc.close()


# Scoring scans against the golden values --------------------------------------------------------------------


@dataclass
class ScanScore:
    """One PDF scanned with damage, read by OCR and scored against its golden values: cells right, wrong,
    missing and invented, the wrong or missing cells that no issue points at (``unflagged``), and the time
    (wall clock and CPU, this process and its children, such as Tesseract)."""

    file: str
    engine: str
    damage: ScanDamage
    pages: int
    score: object  # xxgk.testing.score.Score
    unflagged: list[str]
    seconds: float
    cpu_seconds: float

    def row(self) -> dict:
        s = self.score
        return {
            "file": self.file,
            "engine": self.engine,
            "dpi": self.damage.dpi,
            "angle": self.damage.angle,
            "noise": self.damage.noise,
            "jpeg": self.damage.jpeg,
            "cells": s.cells,
            "right": s.correct,
            "wrong": len(s.wrong),
            "missing": len(s.missing),
            "invented": len(s.invented),
            "unflagged": len(self.unflagged),
            "s_per_page": round(self.seconds / self.pages, 2),
            "cpu_s_per_page": round(self.cpu_seconds / self.pages, 2),
        }


def score_scan(
    pdf: str | Path,
    expected: str | Path,
    damage_of=ScanDamage(),
    engine: str | None = None,
    pages: list[int] | None = None,
) -> ScanScore:
    """Scan ``pdf`` with damage into an image-only PDF, parse it (OCR with ``engine``, default the
    library's), and score it against the golden JSON ``expected``. ``pages`` (1-based): scan only those
    (the ones holding the tables, for a quicker test); cells on other pages then count as missing."""
    import json
    import os
    import resource
    import tempfile
    import time

    from xxgk.read import ocr
    from xxgk.run.pipeline import parse
    from xxgk.testing.score import score_report

    pdf = Path(pdf)
    images = scan_pages(pdf, damage_of, pages)
    how = damage_of(1) if callable(damage_of) else damage_of
    with tempfile.TemporaryDirectory(prefix="xxgk-scan-") as scratch:
        path = Path(scratch) / pdf.name  # the same name: the report id the golden file names
        path.write_bytes(image_pdf(images, dpi=how.dpi))
        before = os.environ.get(ocr.ENGINE_VARIABLE)
        if engine:
            os.environ[ocr.ENGINE_VARIABLE] = engine
        try:
            ocr.require()  # the engine loads its models before the clock starts
            wall, cpu, children = time.perf_counter(), time.process_time(), _children_cpu(resource)
            tables = parse(path)
            wall, cpu = (
                time.perf_counter() - wall,
                time.process_time() - cpu + _children_cpu(resource) - children,
            )
            name = ocr.engine().name
        finally:
            if before is None:
                os.environ.pop(ocr.ENGINE_VARIABLE, None)
            else:
                os.environ[ocr.ENGINE_VARIABLE] = before
    truth = json.loads(Path(expected).read_text(encoding="utf-8"))
    score = score_report(tables, path.stem, truth)
    left = unflagged(tables, path.stem, score.wrong + score.invented)
    return ScanScore(pdf.name, name, how, len(images), score, left, wall, cpu)


def _children_cpu(resource) -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def unflagged(tables: dict, report_id: str, cells: list[str]) -> list[str]:
    """The scored cells (``score.wrong`` entries: "requests <row>/<column>: …", "reviews …", "proactive
    …") that no issue flags: none on the cell's row (an identity of the row, an ``ocr_low_confidence`` on
    its line, a check naming the row) nor on its block (a column identity of table 三, table 四's block)."""
    import re

    issues = tables["issues"][tables["issues"]["report_id"] == report_id]
    said = [
        f"{loc} | {msg}" for loc, msg in zip(issues["location"].fillna(""), issues["message"], strict=True)
    ]
    lines = _row_lines(tables, report_id)
    out = []
    for entry in cells:
        table, key = entry.split(":")[0].split(" ", 1)
        row, column = key.split("/")
        marks = [rf"\brow {row}\b"]
        if (table, row) in lines:
            marks.append(rf"\bline {lines[(table, row)]}\b")
        if table == "requests":
            marks.append(rf"table 三, column {column}\b")  # a column identity of table 三
        if table == "reviews":
            marks.append(rf"Table 四, {row}\b")  # the block's identity
        if not any(re.search(m, text) for m in marks for text in said):
            out.append(entry)
    return out


def _row_lines(tables: dict, report_id: str) -> dict[tuple[str, str], int]:
    """The source line of each printed row: (table, row code) -> line."""
    keys = {"requests": "row_code", "reviews": "proceeding", "proactive": "item_code"}
    out = {}
    for table, key in keys.items():
        frame = tables[table]
        frame = frame[(frame["report_id"] == report_id) & frame["source_line"].notna()]
        for code, line in zip(frame[key], frame["source_line"], strict=True):
            out.setdefault((table, code), int(line))
    return out


# Synthetic scans: a random report's tables drawn as page images ---------------------------------------------

#: Drawing in points on an A4 page (595 × 842), as a PDF would; the font is Noto Sans CJK SC (the mpl-font
#: wheel the charts use, so it is there offline).
_A4 = (595, 842)
_HEADERS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
_OUTCOME_HEADS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")


def render_scan(truth, dpi: int = 170) -> list:
    """A synthetic report (:class:`xxgk.testing.synth.Truth`) printed as two grey page images (numpy): the
    title and table 三 (group rows, "/" and blank cells as the truth has them) on the first, table 四 on
    the second, ruled as the template prints them. Damage them with :func:`damage`."""
    from xxgk.testing import synth

    first = _Page(dpi)
    first.text(60, 56, f"{truth.agency}{truth.year}年政府信息公开工作年度报告", 13)
    first.text(60, 92, "三、收到和处理政府信息公开申请情况", 11)
    rows = [[("申请人情况", 1)] + [(h, 1) for h in _HEADERS]]
    for code in truth.request_rows:
        group = synth._groups_before(code, truth.template)
        if group:
            rows.append([(group, 1)] + [("", 1)] * 7)
        rows.append([(synth._ROWS[code].zh, 1)] + [(_cell(c), 1) for c in truth.requests[code]])
    first.table(40, 112, [190] + [48] * 7, rows, 19 if len(rows) > 34 else 21)
    second = _Page(dpi)
    second.text(60, 60, "四、政府信息公开行政复议、行政诉讼情况", 11)
    values = [_cell(c) for p in synth._PROCEEDINGS for c in truth.reviews[p]]
    head = [
        [("行政复议", 5), ("行政诉讼", 10)],
        [(h, 1) for h in _OUTCOME_HEADS] + [("未经复议直接起诉", 5), ("复议后起诉", 5)],
        [("", 1)] * 5 + [(h, 1) for h in _OUTCOME_HEADS * 2],
    ]
    second.table(30, 80, [35.6] * 15, [*head, [(v, 1) for v in values]], 30)
    return [first.grey(), second.grey()]


def _cell(value) -> str:
    return "" if value is None else str(value)


class _Page:
    """A white A4 page drawn on in points (PIL, at ``dpi``)."""

    def __init__(self, dpi: int) -> None:
        from PIL import Image, ImageDraw

        self.k = dpi / 72
        self.image = Image.new("L", (round(_A4[0] * self.k), round(_A4[1] * self.k)), 255)
        self.draw = ImageDraw.Draw(self.image)

    def font(self, size: float):
        from importlib import resources

        from PIL import ImageFont

        path = resources.files("mpl_font").joinpath("fonts/noto/NotoSansCJKsc-Regular.otf")
        return ImageFont.truetype(str(path), max(6, round(size * self.k)))

    def text(self, x: float, y: float, text: str, size: float, per_line: int = 0) -> None:
        """Text from (x, y), its top; wrapped every ``per_line`` characters if given."""
        font = self.font(size)
        per_line = per_line or len(text) or 1
        for k in range(0, len(text), per_line):
            self.draw.text(
                (x * self.k, (y + k // per_line * size * 1.25) * self.k), text[k : k + per_line], 0, font
            )

    def table(
        self, x: float, y: float, widths: list[float], rows: list[list[tuple[str, int]]], height: float
    ) -> None:
        """A ruled table: each row's cells (text, columns spanned), text centred (a long one wrapped)."""
        size = 7.5
        for r, row in enumerate(rows):
            top, left, column = y + r * height, x, 0
            for text, span in row:
                w = sum(widths[column : column + span])
                column += span
                box = [left * self.k, top * self.k, (left + w) * self.k, (top + height) * self.k]
                self.draw.rectangle(box, outline=0, width=1)
                advance = size * (0.55 if text.isascii() else 1)  # digits are about half as wide
                per_line = max(1, int((w - 6) / advance))
                lines = -(-len(text) // per_line) if text else 1
                shown = min(len(text), per_line) * advance
                self.text(
                    left + (w - shown) / 2, top + (height - lines * size * 1.25) / 2, text, size, per_line
                )
                left += w

    def grey(self):
        import numpy as np

        return np.asarray(self.image, dtype=np.uint8).copy()


def compare_scan(tables: dict, truth) -> tuple[int, list[str], list[str]]:
    """A synthetic scan's table 三 and 四 cells against its truth: how many are right (the number, or NA
    for a "/" or blank cell), the *wrong* ones (a number that is not the truth's, or a number where the
    truth has none: OCR must never give one) and the *missing* ones (NA where the truth prints a number:
    allowed, each with an issue)."""
    import pandas as pd

    from xxgk.testing import synth

    right, wrong, missing = 0, [], []
    got = {(r.row_code, r.applicant_code): r.count for r in tables["requests"].itertuples()}
    got |= {(r.proceeding, r.outcome): r.count for r in tables["reviews"].itertuples()}
    cells = [
        ("requests", (row, a), c)
        for row in truth.request_rows
        for a, c in zip(synth._APPLICANTS, truth.requests[row], strict=True)
    ]
    cells += [
        ("reviews", (p, o), c)
        for p in synth._PROCEEDINGS
        for o, c in zip(synth._OUTCOMES, truth.reviews[p], strict=True)
    ]
    for table, key, cell in cells:
        value = got.get(key)
        expected = cell if isinstance(cell, int) else None
        where = f"{table} {key[0]}/{key[1]}"  # as xxgk.testing.score names cells (for unflagged)
        if value is None or pd.isna(value):
            if expected is None:
                right += 1
            else:
                missing.append(f"{where}: expected {expected}, got NA")
        elif expected is not None and int(value) == expected:
            right += 1
        else:
            wrong.append(f"{where}: expected {expected}, got {value}")
    return right, wrong, missing


def synthetic_scan(seed: int) -> tuple[object, dict, ScanDamage]:
    """A random report (:func:`xxgk.testing.synth.draw`) drawn as page images, damaged by a random
    :class:`ScanDamage`, bound into an image-only PDF and parsed: (truth, tables, damage)."""
    import tempfile

    from xxgk.run.pipeline import parse
    from xxgk.testing import synth

    rng = random.Random(seed)
    truth = synth.draw(rng)
    how = ScanDamage.random(rng)
    pages = [damage(page, how, seed=seed + k) for k, page in enumerate(render_scan(truth, how.dpi))]
    with tempfile.TemporaryDirectory(prefix="xxgk-scan-") as scratch:
        path = Path(scratch) / "synthetic_scan.pdf"
        path.write_bytes(image_pdf(pages, dpi=how.dpi))
        return truth, parse(path), how


def scan_problems(seed: int) -> tuple[int, int, list[str]]:
    """A synthetic scan checked: (cells, cells right, problems). A problem is a wrong number (OCR must
    never give one), or a number lost (NA) with no issue on its row or block."""
    truth, tables, how = synthetic_scan(seed)
    right, wrong, missing = compare_scan(tables, truth)
    cells = right + len(wrong) + len(missing)
    lost = unflagged(tables, "synthetic_scan", missing)
    return (
        cells,
        right,
        [f"scan {seed} ({how}): wrong {w}" for w in wrong]
        + [f"scan {seed} ({how}): NA without an issue {m}" for m in lost],
    )
