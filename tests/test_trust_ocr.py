"""Scans and images (issue 11, part 3): OCR of page images, the ``ocr`` extra, and the OCR cell status."""

from __future__ import annotations

import builtins
import importlib.util
from pathlib import Path

import pytest

from xxgk.read import ocr
from xxgk.read.formats import format_for
from xxgk.run.pipeline import parse_file

ROOT = Path(__file__).resolve().parents[1]
HAS_OCR = importlib.util.find_spec("rapidocr_onnxruntime") is not None and importlib.util.find_spec("cv2")


@pytest.fixture
def no_ocr_extra(monkeypatch):
    """The ``ocr`` extra as if not installed: its imports fail."""
    real = builtins.__import__

    def fake(name, *args, **kwargs):
        if name.split(".")[0] in ("rapidocr_onnxruntime", "cv2"):
            raise ImportError(f"No module named {name!r}", name=name)
        return real(name, *args, **kwargs)

    ocr._make.cache_clear()
    monkeypatch.setattr(builtins, "__import__", fake)
    yield
    ocr._make.cache_clear()


def _scan_pdf(tmp_path: Path) -> Path:
    """An image-only PDF: one blank page image (no text layer), as a scanner makes."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument.new()
    doc.new_page(595, 842)
    path = tmp_path / "scan.pdf"
    doc.save(str(path))
    return path


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.mark.parametrize("name, data", [("page.png", PNG), ("page.jpg", JPEG), ("page.txt", PNG)])
def test_images_are_read_as_images(name, data):
    assert format_for(Path(name), data).name == "image"


@pytest.mark.parametrize("kind", ["png", "jpg", "pdf"])
def test_without_the_extra_a_scan_fails_with_the_install_command(tmp_path, no_ocr_extra, kind):
    if kind == "pdf":
        path = _scan_pdf(tmp_path)
    else:
        path = tmp_path / f"page.{kind}"
        path.write_bytes(PNG if kind == "png" else JPEG)
    report = parse_file(path)
    assert report.failed
    issue = report.issues[0]
    assert issue.check == "needs_converter"
    assert "pip install 'xxgk[ocr]'" in issue.message
