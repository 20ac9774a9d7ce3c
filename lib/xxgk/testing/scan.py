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
