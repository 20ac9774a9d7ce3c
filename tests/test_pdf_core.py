"""The compiled PDF core (xxgk.read._pdfcore) gives exactly what the pure-Python reader gives.

The Python functions of xxgk.read.pdf and xxgk.read.pdf_grid are the specification; the core is their
compiled twin, taken when it is built and ``XXGK_PURE_PYTHON`` is not 1. Here both read every PDF the tests
have or make (the two corpus reports with their vertical group labels; turned pages, turned back or refused;
footnote marks; split tables with page furniture, inside a page frame or not; forms within forms; pages past
each budget): the Documents must be identical in every Line field, line_pages, line_cells and notes, and
each page's characters and ruling edges identical value for value (the same doubles, not close ones).

The pure side runs in a child process with ``XXGK_PURE_PYTHON=1`` (the switch is read once, at import), so
the switch itself is tested too. Without the extension built the tests are skipped, saying so, except under
``CI=true``, where the extension must be built (CI's machine has a compiler) and its absence fails.
"""

from __future__ import annotations

import ctypes
import hashlib
import itertools
import os
import pickle
import random
import subprocess
import sys
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from conftest import RAW
from test_trust_pdf import (
    NEW,
    OVER,
    _broken_grid,
    _draw,
    _hatched,
    _nested_forms,
    _raw_pdf,
    _report_page,
    _ruling_grid,
    _split_table,
    _text,
    _turned,
)
from xxgk.read import pdf, pdf_grid, pdfium_calls
from xxgk.read.pdfium_calls import core

PDFS = ["huaian_city_2024", "huaian_hongze_district_2024"]


@pytest.fixture(autouse=True)
def _needs_core():
    if os.environ.get("XXGK_PURE_PYTHON") == "1":
        pytest.skip(
            "XXGK_PURE_PYTHON=1: this run reads PDFs in pure Python, there is no compiled path to compare"
        )
    if core is None:
        if os.environ.get("CI") == "true":
            pytest.fail(
                "the compiled PDF core (xxgk.read._pdfcore) is not built, or stale; CI has a compiler"
            )
        pytest.skip(
            "the compiled PDF core (xxgk.read._pdfcore) is not built (no compiler at install), or stale"
        )


def _pdfs(folder) -> list:
    """Every kind of PDF the PDF tests read, written into ``folder``."""
    paths = [RAW / f"{name}.pdf" for name in PDFS]

    def write(name: str, data: bytes):
        path = folder / name
        path.write_bytes(data)
        paths.append(path)

    for name in PDFS:
        for degrees in (0.5, 3, -2, 7):  # turned back (0.5° is under the noise: read as drawn), or refused
            path = folder / f"{name}_turned_{degrees}.pdf"
            _turned(RAW / f"{name}.pdf", path, degrees)
            paths.append(path)
        path = folder / f"{name}_form_3.pdf"
        _turned(RAW / f"{name}.pdf", path, 3, as_form=True)
        paths.append(path)
    path = folder / "hatched.pdf"
    _hatched(RAW / f"{PDFS[0]}.pdf", path, 3, pdf_grid.MAX_SEGMENTS + 10)
    paths.append(path)
    write("forms.pdf", _nested_forms(3, 50))
    write("forms_small.pdf", _nested_forms(2, 5))
    hatch = "0.1 w\n" + "\n".join(f"{10 + k % 500} 10 m {10 + k % 500} 20 l" for k in range(60_000)) + "\nS"
    for name, content in [
        ("segments", hatch),
        ("crossings", _ruling_grid(600, step=9)),
        ("rulings", _ruling_grid(1000, step=9)),
        ("grid", _ruling_grid(60, step=12)),
    ]:
        write(f"{name}.pdf", _raw_pdf([content + "\n" + _text(30, 40, "total 12 3 15")], size=(9100, 9100)))
    crowded = "\n".join(_text(10, 10 + k, "1" * 10_001, size=1) for k in range(pdf.MAX_PAGE_CHARS // 10_000))
    write("crowded.pdf", _raw_pdf([crowded, _text(72, 700, "total 25")]))
    rise = "BT /F1 10 Tf 0 Ts 110 705 Td (398) Tj /F1 6 Tf 4 Ts (1) Tj ET\n" + _ruling_grid(
        3, step=30, origin=60
    )
    write("rise.pdf", _raw_pdf([rise]))
    rows = [[NEW, ("66", "2"), "0", "0", "0", "0", "0", "66"], [OVER, *["0"] * 7]]
    path = folder / "marks.pdf"
    rows_2 = [[NEW, ("12", "†"), "0", "0", "0", "0", "0", "12"], [OVER, *["0"] * 7]]
    _draw(path, [_report_page(rows, ("本年度共收到政府信息公开申请5", "12")), _report_page(rows_2)])
    paths.append(path)
    for layout in ("ruled", "unruled", "framed"):
        path = folder / f"split_{layout}.pdf"
        _draw(path, _split_table(layout))
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    return _pdfs(tmp_path_factory.mktemp("pdfcore"))


def _snapshot(document) -> tuple:
    """Everything a Document holds, as plain values (a Line has slots and no ==)."""
    lines = [
        (
            line.no,
            line.text,
            line.label,
            line.last_label,
            [None if c is None else tuple(c) for c in line.cells],
            line.delimited,
            line.grid,
            line.trailing_text,
            line.trimmed,
            line.marks,
            line.furniture,
        )
        for line in document.lines
    ]
    notes = [(n.check, n.severity, n.message, n.location) for n in document.notes]
    return lines, document.line_pages, document.line_cells, notes


_PURE = (
    "import pickle, sys\n"
    "from xxgk.read import pdfium_calls\n"
    "from xxgk.read.pdf import pdf_document\n"
    "assert pdfium_calls.core is None, 'XXGK_PURE_PYTHON=1 did not switch the core off'\n"
    "sys.stdout.buffer.write(pickle.dumps([pdf_document(p) for p in sys.argv[1:]]))\n"
)


def test_the_compiled_and_the_python_reader_give_identical_documents(pdfs):
    compiled = [_snapshot(pdf.pdf_document(path)) for path in pdfs]
    env = {**os.environ, "XXGK_PURE_PYTHON": "1"}
    done = subprocess.run(
        [sys.executable, "-c", _PURE, *map(str, pdfs)], env=env, capture_output=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr.decode()
    pure = [_snapshot(document) for document in pickle.loads(done.stdout)]
    for path, a, b in zip(pdfs, compiled, pure, strict=True):
        assert a == b, path.name
    # the PDFs reach every path of the core: pages turned back or refused, each budget, footnote marks,
    # table rows
    notes = [n[2] for _, _, _, ns in compiled for n in ns]
    for said in ("turned by 3.00°", "turned by 2.00°", "run 7.00°", "characters, the budget", "crossings"):
        assert any(said in n for n in notes), said
    assert sum("drawing operations" in n for n in notes) == 3  # nested forms, a hatched page, a long path
    assert sum("rulings, over" in n for n in notes) == 1
    assert any(line[9] for lines, _, _, _ in compiled for line in lines)  # a footnote mark read
    assert sum(len(cells) for _, _, cells, _ in compiled) > 300  # table rows


def _exact(value):
    """Floats as their exact bits (float.hex: == would take -0.0 for 0.0), inside lists and tuples."""
    if isinstance(value, float):
        return value.hex()
    if isinstance(value, list | tuple):
        return type(value)(_exact(v) for v in value)
    return value


def _outcome(function, *args):
    """What a call gives, exactly: its value, or the type and message of what it raised."""
    try:
        return _exact(function(*args))
    except pdf_grid.GridTooComplex as err:
        return type(err), str(err)


def test_each_page_gives_identical_characters_and_rulings(pdfs):
    """Per page: the characters (their boxes, the tall-box check of the vertical labels included) and the
    ruling edges, as drawn and turned back by the page's skew; and the skew itself."""
    pages = turned = 0
    for path in pdfs:
        doc = pdfium.PdfDocument(str(path))
        for i in range(len(doc)):
            page = doc[i]
            left, _, right, height = page.get_mediabox()
            textpage = page.get_textpage()
            n = textpage.count_chars()
            if n <= pdf.MAX_PAGE_CHARS:
                address = ctypes.cast(textpage.raw, ctypes.c_void_p).value
                text = pdf._all_text_py(address, n)
                assert core.all_text(address, n) == text
                text = pdf._page_text(address, n)
                chars = pdf._char_boxes_py(address, text, height, pdf._checked_box)
                got = core.char_boxes(address, text, height, pdf._checked_box)
                assert _exact(got) == _exact(chars), (path.name, i)
                angle = pdf._skew_py(chars)
                assert core.skew(chars).hex() == angle.hex()
                turns = [None]
                if chars and abs(angle) > pdf._SKEW_NOISE:
                    turns.append(pdf.Turn(angle, (left + right) / 2, height / 2))
                    assert _exact(turns[-1].chars(chars)) == _exact(turns[-1].chars_py(chars)), (path.name, i)
                    turned += 1
                address = ctypes.cast(page.raw, ctypes.c_void_p).value
                for turn in turns:
                    expected = _outcome(pdf_grid._rulings_py, page, height, turn)
                    got = _outcome(core.rulings, address, height, turn, pdf_grid.MAX_SEGMENTS)
                    assert got == expected, (path.name, i, turn)
                pages += 1
            textpage.close()
            page.close()
        doc.close()
    assert pages > 60 and turned > 10


def _whole_point_grid(rng: random.Random) -> list:
    """Rulings in pieces at whole points, so a ruling's reach (its end plus the snap) ties with a corner."""
    xs, ys = sorted(rng.sample(range(0, 60, 3), 5)), sorted(rng.sample(range(0, 60, 3), 5))
    edges = []
    for kind, positions, across in (("h", ys, xs), ("v", xs, ys)):
        for p in positions:
            a, b = sorted(rng.sample(across, 2))
            edges.append((kind, float(p), float(a + rng.randint(-3, 3)), float(b + rng.randint(-3, 3))))
    return edges


def test_the_grid_twins_find_the_same_cells_and_tables():
    """Corners, cells and tables of broken grids (pieces missing, positions a little off): the same lists
    in the same order, and the cell search looks at the clock as often."""
    rng = random.Random(14)
    for k in range(600):
        edges = _broken_grid(rng) if k % 2 else _whole_point_grid(rng)
        h_edges, v_edges = pdf_grid._merge_py(edges)
        assert _exact(core.merge(edges)) == _exact((h_edges, v_edges))
        corners = pdf_grid._corners_py(h_edges, v_edges)
        assert _exact(list(core.corners(h_edges, v_edges).items())) == _exact(list(corners.items()))
        cells = pdf_grid._cells_py(corners)
        assert _exact(core.cells(corners, None)) == _exact(cells)
        assert _exact(core.group(cells)) == _exact(pdf_grid._group_py(cells))
        if cells:
            assert _exact(core.bbox(cells)) == _exact(pdf_grid.bbox_py(cells))
    edges = [("h", 20.0 + 10 * k, 20, 2020) for k in range(201)] + [
        ("v", 20.0 + 10 * k, 20, 2020) for k in range(201)
    ]
    corners = pdf_grid._corners_py(*pdf_grid._merge(edges))
    calls = {"py": 0, "core": 0}
    for name, cells in (("py", pdf_grid._cells_py), ("core", core.cells)):
        cells(corners, lambda name=name: calls.__setitem__(name, calls[name] + 1))
    assert calls["py"] == calls["core"] > 5


def _random_chars(rng: random.Random, n: int) -> list[tuple]:
    """Characters on a coarse grid of positions (halves of a point), so that boxes touch, gaps equal the
    word-gap tolerance and bottoms tie: the boundaries where a > for a >= would show."""
    chars = []
    for _ in range(n):
        x0, top = rng.randrange(0, 120) / 2, rng.randrange(0, 80) / 2
        width, height = rng.choice([0.0, 1.5, 3.0, 5.0, 6.0]), rng.choice([3.0, 6.0, 10.0, 10.5])
        ch = rng.choice("12 3０,第\u3000²")
        x1, bottom = x0 + width, top + height
        chars.append((ch, x0, top, x1, bottom, (x0 + x1) / 2, (top + bottom) / 2))
    return chars


def test_the_text_twins_agree_at_every_boundary(monkeypatch):
    """Lines, their text, boxes, cells and table rows of random characters on a coarse grid: the same as
    the Python functions give, value for value. (The Python _table_rows is given its Python helpers.)"""
    rng = random.Random(4)
    for name in ("_text", "_text_lines", "_centred_in", "_chars_by_cell"):
        monkeypatch.setattr(pdf, name, getattr(pdf, f"{name}_py"))
    for _ in range(400):
        chars = _random_chars(rng, rng.choice([rng.randint(1, 40), rng.randint(60, 120)]))  # a cell, a page
        assert _exact(core.lines(chars)) == _exact(pdf._lines_py(chars))
        for line in pdf._lines_py(chars):
            assert core.line_text(line) == pdf._line_text_py(line)
        assert core.text(chars) == pdf._text_py(chars)
        assert _exact(core.text_lines(chars)) == _exact(pdf._text_lines_py(chars))
        box = (rng.randrange(0, 60) / 2, rng.randrange(0, 40) / 2, rng.randrange(60, 120) / 2, 40.0)
        assert core.outside(chars, box) == pdf._outside_py(chars, box)
        assert core.centred_in(chars, box) == pdf._centred_in_py(chars, box)
        assert core.mark_candidates(chars) == pdf._mark_candidates_py(chars)
        turn = pdf.Turn(rng.choice([-1, 1]) * rng.random() * pdf.MAX_SKEW, 30.0, rng.choice([20.0, 0.0]))
        assert _exact(turn.chars(chars)) == _exact(turn.chars_py(chars))  # (zero-width boxes: max(-0.0, 0))
        xs, ys = sorted(rng.sample(range(0, 60, 3), 4)), sorted(rng.sample(range(0, 40, 2), 4))
        cells = [
            (float(x0), float(y0), float(x1), float(y1))
            for x0, x1 in itertools.pairwise(xs)
            for y0, y1 in itertools.pairwise(ys)
        ]
        cells.append((float(xs[0]), float(ys[0]), float(xs[2]), float(ys[1])))  # a merged cell over two
        if rng.random() < 0.3:  # a cell drawn twice: an equal tuple, another object
            cells.append(tuple(list(cells[rng.randrange(len(cells))])))
        assert core.chars_by_cell(cells, chars, 10**6) == pdf._chars_by_cell_py(cells, chars)
        height = rng.choice([0, 20.0, 45.0, 400.0])  # 20: a cell edge on the band's edge
        assert _exact(core.table_rows(cells, chars, [], height, 10**6)) == _exact(
            pdf._table_rows_py(cells, chars, [], height)
        )
    monkeypatch.setattr(pdf, "MAX_SLOTS", 3)
    expected = _outcome(pdf._table_rows_py, cells, chars)
    assert _outcome(core.table_rows, cells, chars, (), 0, 3) == expected and "slots" in expected[1]


def test_the_medians_are_picked_as_python_sorts_them():
    """The skew and the footnote marks' size take a median picked without sorting: the same value as the
    Python sort gives whatever order the values come in (ascending, descending, all equal, organ pipe,
    shuffled), and of a +0 and a -0 angle the one the stable sort puts in the middle."""
    rng = random.Random(11)
    for k in range(400):
        n = rng.choice([25, 61, 700, 2999])
        heights = [float(h) for h in range(1, n + 1)]
        order = k % 5
        if order == 1:
            heights.reverse()
        elif order == 2:
            heights = [7.0] * n
        elif order == 3:
            heights = heights[::2] + heights[1::2][::-1]
        elif order == 4:
            rng.shuffle(heights)
        chars = [("1", 0.0, 0.0, 1.0, h, 0.5, h / 2) for h in heights]
        assert core.mark_candidates(chars) == pdf._mark_candidates_py(chars)
        # a line of characters 5 points apart whose centres are +0, -0 or a little off: many angles of
        # either zero (a -0 angle comes from a -0 centre after a +0 one)
        ys = [rng.choice([0.0, -0.0, 0.0, -0.0, 0.5, -0.5]) for _ in range(n)]
        line = [("x", 5.0 * i, y - 5, 5.0 * i + 5, y + 5, 5.0 * i + 2.5, y) for i, y in enumerate(ys)]
        assert core.skew(line).hex() == pdf._skew_py(line).hex()


def test_a_row_read_as_text_around_overlapping_inner_tables():
    """A row read as text in parts around the tables drawn inside it: where two of them overlap, the part
    between them runs upwards and is empty, as a Python slice is (the compiled band must not run wild)."""
    chars = [
        ("字", 10.0 + i, y, 11.0 + i, y + 2, 10.5 + i, y + 1) for i in range(0, 80, 4) for y in (5, 25, 45)
    ]
    cells = [(0.0, 0.0, 100.0, 60.0), (0.0, 60.0, 50.0, 70.0), (50.0, 60.0, 100.0, 70.0)]
    inner = [(10.0, 10.0, 90.0, 30.0), (10.0, 20.0, 90.0, 40.0)]  # the second starts above the first's end
    expected = _exact(pdf._table_rows_py(cells, chars, inner, 0))
    assert _exact(core.table_rows(cells, chars, inner, 0, 10**6)) == expected
    # above the first, below the second (none between them), and the row below
    assert [item[0] for item in expected] == ["0x0.0p+0", "0x1.4000000000000p+5", "0x1.e000000000000p+5"]


def test_a_core_built_from_another_version_of_its_source_is_not_used(monkeypatch):
    """An in-place build left from an older .pyx would read PDFs with old code: the core carries the hash of
    the source it was built from, and a checkout whose .pyx differs reads in pure Python, saying why."""
    source = Path(pdfium_calls.__file__).with_name("_pdfcore.pyx")
    assert hashlib.sha256(source.read_bytes()).hexdigest()[:16] == core.SOURCE
    monkeypatch.setattr(core, "SOURCE", "0" * 16)
    with pytest.warns(UserWarning, match="built from another version of _pdfcore.pyx"):
        assert pdfium_calls.compiled_core() is None
