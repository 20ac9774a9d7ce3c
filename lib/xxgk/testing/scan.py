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
    pages = scan_pages(pdf, damage_of, pages)
    how = damage_of(1) if callable(damage_of) else damage_of
    with tempfile.TemporaryDirectory(prefix="xxgk-scan-") as scratch:
        path = Path(scratch) / pdf.name  # the same name: the report id the golden file names
        path.write_bytes(image_pdf(pages, dpi=how.dpi))
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
    return ScanScore(pdf.name, name, how, len(pages), score, left, wall, cpu)


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
