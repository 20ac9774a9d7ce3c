"""The pdfium functions the PDF reader calls per page, per character and per path, bound without ctypes
conversion.

pypdfium2's own wrappers convert every argument; the reader makes millions of these calls on a corpus,
and the conversion tripled their cost (BENCHMARKS.md, PDF).
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import warnings
from pathlib import Path

import pypdfium2.raw as pdfium_c


def untyped(function, restype=ctypes.c_int):
    """A pdfium function without ctypes argument conversion: per-character calls are most of the time
    spent, and conversion triples their cost. Arguments must be ints, floats or ctypes pointers."""
    return ctypes.CFUNCTYPE(restype)(ctypes.cast(function, ctypes.c_void_p).value)


loose_box = untyped(pdfium_c.FPDFText_GetLooseCharBox)
glyph_box = untyped(pdfium_c.FPDFText_GetCharBox)
char_matrix = untyped(pdfium_c.FPDFText_GetMatrix)
font_size = untyped(pdfium_c.FPDFText_GetFontSize, ctypes.c_double)
is_generated = untyped(pdfium_c.FPDFText_IsGenerated)
get_unicode = untyped(pdfium_c.FPDFText_GetUnicode, ctypes.c_uint)
get_text = untyped(pdfium_c.FPDFText_GetText)
count_objects = untyped(pdfium_c.FPDFPage_CountObjects)
# Object handles come back as opaque pointers that go straight into the next call.
HANDLE = ctypes.POINTER(ctypes.c_byte)
get_object = untyped(pdfium_c.FPDFPage_GetObject, HANDLE)
form_count = untyped(pdfium_c.FPDFFormObj_CountObjects)
form_object = untyped(pdfium_c.FPDFFormObj_GetObject, HANDLE)
object_type = untyped(pdfium_c.FPDFPageObj_GetType)
object_matrix = untyped(pdfium_c.FPDFPageObj_GetMatrix)
bounds = untyped(pdfium_c.FPDFPageObj_GetBounds)
draw_mode = untyped(pdfium_c.FPDFPath_GetDrawMode)
fill_color = untyped(pdfium_c.FPDFPageObj_GetFillColor)
stroke_color = untyped(pdfium_c.FPDFPageObj_GetStrokeColor)
count_segments = untyped(pdfium_c.FPDFPath_CountSegments)
get_segment = untyped(pdfium_c.FPDFPath_GetPathSegment, HANDLE)
segment_point = untyped(pdfium_c.FPDFPathSegment_GetPoint)
segment_type = untyped(pdfium_c.FPDFPathSegment_GetType)
segment_close = untyped(pdfium_c.FPDFPathSegment_GetClose)
# Pages and text pages, opened and closed by the reader itself: pypdfium2's page objects register a
# finalizer and a weak reference per page, which cost as much as a small page's own reading.
load_page = untyped(pdfium_c.FPDF_LoadPage, ctypes.c_void_p)
close_page = untyped(pdfium_c.FPDF_ClosePage, None)
load_textpage = untyped(pdfium_c.FPDFText_LoadPage, ctypes.c_void_p)
close_textpage = untyped(pdfium_c.FPDFText_ClosePage, None)
count_chars = untyped(pdfium_c.FPDFText_CountChars)
media_box = untyped(pdfium_c.FPDFPage_GetMediaBox)


def compiled_core():
    """The compiled loops of the reader (:mod:`xxgk.read._pdfcore`) bound to these pdfium functions, or None:
    when the extension was not built (no compiler at install time), or ``XXGK_PURE_PYTHON=1`` asks for the
    Python loops (they are the specification; tests and bench/speed.py compare the two)."""
    if os.environ.get("XXGK_PURE_PYTHON") == "1":
        return None
    try:
        from xxgk.read import _pdfcore
    except ImportError:
        return None
    source = Path(__file__).with_name("_pdfcore.pyx")  # in a checkout (an installed wheel has no .pyx)
    built_from = getattr(_pdfcore, "SOURCE", "")
    if source.exists() and hashlib.sha256(source.read_bytes()).hexdigest()[:16] != built_from:
        warnings.warn(
            f"{Path(_pdfcore.__file__).name} was built from another version of _pdfcore.pyx: PDFs are read "
            "by the pure-Python code (same results, slower) until it is rebuilt (pip install -e .)",
            stacklevel=2,
        )
        return None
    functions = {
        "get_text": get_text,
        "loose_box": loose_box,
        "is_generated": is_generated,
        "count_objects": count_objects,
        "get_object": get_object,
        "form_count": form_count,
        "form_object": form_object,
        "object_type": object_type,
        "object_matrix": object_matrix,
        "bounds": bounds,
        "draw_mode": draw_mode,
        "fill_color": fill_color,
        "stroke_color": stroke_color,
        "count_segments": count_segments,
        "get_segment": get_segment,
        "segment_point": segment_point,
        "segment_type": segment_type,
        "segment_close": segment_close,
    }
    constants = {
        "path": pdfium_c.FPDF_PAGEOBJ_PATH,
        "form": pdfium_c.FPDF_PAGEOBJ_FORM,
        "moveto": pdfium_c.FPDF_SEGMENT_MOVETO,
        "lineto": pdfium_c.FPDF_SEGMENT_LINETO,
    }
    _pdfcore.init({name: ctypes.cast(f, ctypes.c_void_p).value for name, f in functions.items()}, constants)
    return _pdfcore


#: The compiled core, or None (pure Python): the one switch every dispatch in pdf.py and pdf_grid.py reads.
core = compiled_core()
