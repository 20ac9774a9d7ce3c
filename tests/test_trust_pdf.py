"""Trust under attack, in PDFs: a crafted file cannot take minutes, a turned page is turned back or refused,
a footnote digit is never part of a number, and page furniture never becomes a cell.

The PDFs are made here: raw PDF bytes for the budgets (they only need rulings and ASCII digits), the corpus
PDFs turned by pdfium for the skew, and matplotlib pages (CJK labels, as tests/test_pdf.py draws them) for
footnote marks and page furniture. Expected values are the ones drawn, or the hand-checked corpus values
(tests/golden/corpus), never the parser's output.
"""

from __future__ import annotations

import json
import math
import random
import time
from bisect import bisect_left, bisect_right

import pandas as pd
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

import xxgk
from conftest import GOLDEN, RAW
from xxgk.contract import codes
from xxgk.read import pdf, pdf_grid
from xxgk.read.pdf import pdf_document
from xxgk.testing.score import score_report

PDFS = ["huaian_city_2024", "huaian_hongze_district_2024"]


def _raw_pdf(pages: list[str], size: tuple[float, float] = (595, 842)) -> bytes:
    """A PDF of the given content streams, one a page, with Helvetica as /F1."""
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{' '.join(f'{4 + 2 * i} 0 R' for i in range(len(pages)))}] "
        f"/Count {len(pages)} >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for i, content in enumerate(pages):
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {size[0]} {size[1]}] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>"
        )
        objects.append(f"<< /Length {len(content)} >>\nstream\n{content}\nendstream")
    return _pdf_file(objects)


def _text(x: float, y: float, text: str, size: float = 10) -> str:
    return f"BT /F1 {size} Tf {x} {y} Td ({text}) Tj ET"


def _ruling_grid(n: int, step: float = 10, origin: float = 20) -> str:
    """n × n cells ruled by n + 1 horizontal and n + 1 vertical lines, each its own path."""
    end = origin + n * step
    lines = []
    for k in range(n + 1):
        p = origin + k * step
        lines += [f"{origin} {p} m {end} {p} l S", f"{p} {origin} m {p} {end} l S"]
    return "0.5 w\n" + "\n".join(lines)


def _issues(tables, check: str):
    issues = tables["issues"]
    return issues[issues["check"] == check]


# 12. A budget: a tiny crafted PDF cannot take minutes --------------------------------------------------------


def _exhaustive_cells(edges: list) -> list[tuple]:
    """pdfplumber's cell search as the reader did it before the budget (every corner's full row of
    candidates, quartic on a dense grid): the reference the fast search must agree with."""
    h_edges, v_edges = pdf_grid._merge(edges)
    corners: dict[tuple, tuple[set, set]] = {}
    h_positions = [e[0] for e in h_edges]
    snap = pdf_grid._SNAP
    for vi, (x, top, bottom) in enumerate(v_edges):
        for hi in range(bisect_left(h_positions, top - snap), bisect_right(h_positions, bottom + snap)):
            y, x0, x1 = h_edges[hi]
            if x0 - snap <= x <= x1 + snap:
                v_ids, h_ids = corners.setdefault((x, y), (set(), set()))
                v_ids.add(vi)
                h_ids.add(hi)
    points = sorted(corners)
    cells = []
    for x, y in points:
        v_ids, h_ids = corners[(x, y)]
        below = [p for p in points if p[0] == x and p[1] > y and not v_ids.isdisjoint(corners[p][0])]
        right = [p for p in points if p[1] == y and p[0] > x and not h_ids.isdisjoint(corners[p][1])]
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
    return pdf_grid._group(cells)


def _broken_grid(rng: random.Random) -> list:
    """Rulings of a grid drawn in pieces, some missing (merged cells, gaps), positions a little off."""
    xs = sorted(rng.sample(range(0, 400, 7), rng.randint(2, 10)))
    ys = sorted(rng.sample(range(0, 400, 7), rng.randint(2, 10)))
    edges = []
    for kind, positions, across in (("h", ys, xs), ("v", xs, ys)):
        for p in positions:
            cuts = sorted(rng.sample(across, rng.randint(2, len(across))))
            for a, b in zip(cuts, cuts[1:], strict=False):
                if rng.random() < 0.8:
                    jitter = rng.uniform(-3.5, 3.5)
                    edges.append((kind, p + rng.random() * 2.5, a + jitter, b + rng.uniform(-3.5, 3.5)))
    return edges


def test_the_fast_cell_search_finds_the_cells_of_the_exhaustive_one():
    rng = random.Random(10)
    grids = [_broken_grid(rng) for _ in range(300)]
    for name in PDFS:
        doc = pdfium.PdfDocument(str(RAW / f"{name}.pdf"))
        grids += [pdf_grid.rulings(doc[i], doc[i].get_mediabox()[3]) for i in range(len(doc))]
        doc.close()
    assert sum(len(t) for e in grids for t in _exhaustive_cells(e)) > 1000  # the grids do hold cells
    for edges in grids:
        assert pdf_grid.tables(edges) == _exhaustive_cells(edges)


def test_a_dense_ruling_grid_is_read_in_seconds_not_minutes():
    """400 × 400 ruled cells took 28 s (80 s on a slower machine), growing as n⁴; now about one second."""
    content = _ruling_grid(400) + "\n" + _text(22, 4012, "17", size=6) + "\n" + _text(32, 4012, "5", size=6)
    started = time.process_time()
    document = pdf_document(_raw_pdf([content], size=(4040, 4040)))
    assert time.process_time() - started < 10
    assert [(line.grid, [int(c.number) for c in line.cells if c]) for line in document.lines] == [
        (True, [17, 5])
    ]
    assert document.notes == []


def test_the_cell_search_looks_at_the_clock():
    calls = []

    def out_of_time():
        calls.append(1)
        if len(calls) > 3:
            raise pdf.PdfTooComplex("over time")

    edges = [("h", 20 + 10 * k, 20, 2020) for k in range(201)] + [
        ("v", 20 + 10 * k, 20, 2020) for k in range(201)
    ]
    with pytest.raises(pdf.PdfTooComplex):
        pdf_grid.tables(edges, check_time=out_of_time)


def test_a_pdf_past_the_page_budget_is_refused_with_its_reason(tmp_path):
    path = tmp_path / "many_pages.pdf"
    path.write_bytes(_raw_pdf([_text(72, 700, f"page {i}") for i in range(pdf.MAX_PAGES + 1)]))
    tables = xxgk.parse(path)
    assert tables["reports"]["status"].iloc[0] == "failed"
    refused = _issues(tables, "pdf_too_complex")
    assert len(refused) == 1 and refused["severity"].iloc[0] == "error"
    assert f"{pdf.MAX_PAGES + 1} pages" in refused["message"].iloc[0]


def test_a_pdf_past_the_time_budget_is_refused_with_its_reason(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "MAX_SECONDS", -1)
    tables = xxgk.parse(RAW / "huaian_city_2024.pdf")
    assert tables["reports"]["status"].iloc[0] == "failed"
    assert "CPU time" in _issues(tables, "pdf_too_complex")["message"].iloc[0]
    assert tables["requests"]["count"].isna().all()


def test_a_page_past_the_character_budget_is_not_read_and_the_others_are():
    crowded = "\n".join(_text(10, 10 + k, "1" * 10_001, size=1) for k in range(pdf.MAX_PAGE_CHARS // 10_000))
    document = pdf_document(_raw_pdf([crowded, _text(72, 700, "total 25")]))
    assert [line.text for line in document.lines] == ["total 25"]
    assert [(n.check, n.severity, n.location) for n in document.notes] == [
        ("pdf_too_complex", "error", "page 1")
    ]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (
            "0.1 w\n" + "\n".join(f"{10 + k % 500} 10 m {10 + k % 500} 20 l" for k in range(60_000)) + "\nS",
            "drawing operations",
        ),
        (_ruling_grid(600, step=9), "crossings"),
        (_ruling_grid(1000, step=9), "rulings"),
    ],
    ids=["drawing operations", "crossings", "rulings"],
)
def test_a_page_past_the_grid_budget_is_read_as_text(content, reason):
    page = content + "\n" + _text(30, 40, "total 12 3 15")
    document = pdf_document(_raw_pdf([page], size=(9100, 9100)))
    assert [line.text for line in document.lines] == ["total 12 3 15"] and not document.lines[0].grid
    assert [(n.check, n.severity) for n in document.notes] == [("pdf_too_complex", "warning")]
    assert reason in document.notes[0].message


def _nested_forms(depth: int, fan: int) -> bytes:
    """A PDF of a few kilobytes whose page draws a form that draws another form ``fan`` times, ``depth``
    deep, the last one a short line: fan ** depth lines for pdfium and the reader to go through."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>"]
    objects.append(
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        f"/Resources << /XObject << /X 5 0 R >> /Font << /F1 {6 + depth} 0 R >> >> >>"
    )
    content = "/X Do " + _text(72, 700, "total 12")
    objects.append(f"<< /Length {len(content)} >>\nstream\n{content}\nendstream")
    for k in range(depth + 1):
        body = (
            " ".join(f"q 1 0 0 1 {i / 10} 0 cm /X Do Q" for i in range(fan))
            if k < depth
            else "10 10 m 20 10 l S"
        )
        resources = f"<< /XObject << /X {6 + k} 0 R >> >>" if k < depth else "<< >>"
        objects.append(
            f"<< /Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources {resources} "
            f"/Length {len(body)} >>\nstream\n{body}\nendstream"
        )
    objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    return _pdf_file(objects)


def test_forms_drawn_within_forms_count_against_the_budget():
    """125,000 lines from a 5 KB file (a form drawn 50 times within forms, 3 deep): the reader stops at the
    budget. (pdfium itself still expands the forms when it loads the page: 6 deep and 10 a level is
    about 5 s in C that the budget cannot interrupt.)"""
    data = _nested_forms(3, 50)
    assert len(data) < 6000
    document = pdf_document(data)
    assert [line.text for line in document.lines] == ["total 12"]
    assert [(n.check, n.severity) for n in document.notes] == [("pdf_too_complex", "warning")]


def test_a_table_whose_cells_span_too_many_slots_is_read_as_text(monkeypatch):
    monkeypatch.setattr(pdf, "MAX_SLOTS", 3)
    page = _ruling_grid(2, step=40) + "\n" + _text(30, 30, "12") + "\n" + _text(70, 30, "3")
    document = pdf_document(_raw_pdf([page]))
    assert [line.text for line in document.lines] == ["12 3"] and not document.lines[0].grid
    assert "slots" in document.notes[0].message


def _hatched(src, dst, page_index: int, segments: int) -> None:
    """The PDF with one path of ``segments`` short strokes drawn over a page (a hatch, a crafted drawing)."""
    doc = pdfium.PdfDocument(str(src))
    page = doc[page_index]
    path = pdfium_c.FPDFPageObj_CreateNewPath(10, 10)
    for k in range(segments // 2):
        pdfium_c.FPDFPath_MoveTo(path, 10 + k % 500, 10)
        pdfium_c.FPDFPath_LineTo(path, 10 + k % 500, 14)
    pdfium_c.FPDFPath_SetDrawMode(path, 0, 1)
    pdfium_c.FPDFPageObj_SetStrokeColor(path, 0, 0, 0, 255)
    pdfium_c.FPDFPage_InsertObject(page.raw, path)
    assert pdfium_c.FPDFPage_GenerateContent(page.raw)
    page.close()
    doc.save(str(dst))
    doc.close()


@pytest.mark.parametrize("name", PDFS)
def test_a_table_page_read_as_text_gives_right_numbers_or_na(tmp_path, name):
    """A corpus PDF whose table-三 pages draw a hatch past the budget: their grids are not rebuilt, the
    rows are read as text lines, and every cell is right or NA, never wrong."""
    path = tmp_path / f"{name}.pdf"
    _hatched(RAW / f"{name}.pdf", path, 3, pdf_grid.MAX_SEGMENTS + 10)
    tables = xxgk.parse(path)
    warned = _issues(tables, "pdf_too_complex")
    assert list(warned["location"]) == ["page 4"] and set(warned["severity"]) == {"warning"}
    score = _score(tables, name)
    assert score.wrong == [] and score.invented == []


# 12. A turned page is turned back, or refused with a reason --------------------------------------------------


def _turned(src, dst, degrees: float, as_form: bool = False) -> None:
    """The PDF with every page's content turned by ``degrees`` (anticlockwise) about the page centre: each
    object turned by pdfium, or (``as_form``) the whole page placed as one turned form XObject."""
    t = math.radians(degrees)
    cos, sin = math.cos(t), math.sin(t)
    doc = pdfium.PdfDocument(str(src))
    for i in range(len(doc)):
        page = doc[i]
        w, h = page.get_size()
        e = w / 2 - cos * w / 2 + sin * h / 2
        f = h / 2 - sin * w / 2 - cos * h / 2
        if as_form:
            xobject = pdfium_c.FPDF_NewXObjectFromPage(doc.raw, doc.raw, i)
            form = pdfium_c.FPDF_NewFormObjectFromXObject(xobject)
            while pdfium_c.FPDFPage_CountObjects(page.raw):
                obj = pdfium_c.FPDFPage_GetObject(page.raw, 0)
                pdfium_c.FPDFPage_RemoveObject(page.raw, obj)
                pdfium_c.FPDFPageObj_Destroy(obj)
            pdfium_c.FPDFPageObj_Transform(form, cos, sin, -sin, cos, e, f)
            pdfium_c.FPDFPage_InsertObject(page.raw, form)
            pdfium_c.FPDF_CloseXObject(xobject)
        else:
            for j in range(pdfium_c.FPDFPage_CountObjects(page.raw)):
                obj = pdfium_c.FPDFPage_GetObject(page.raw, j)
                pdfium_c.FPDFPageObj_Transform(obj, cos, sin, -sin, cos, e, f)
        assert pdfium_c.FPDFPage_GenerateContent(page.raw)
        page.close()
    doc.save(str(dst))
    doc.close()


def _score(tables, name: str):
    expected = json.loads((GOLDEN / "corpus" / f"{name}.json").read_text(encoding="utf-8"))
    return score_report(tables, tables["reports"]["report_id"].iloc[0], expected)


@pytest.mark.parametrize("degrees", [-3, -2, -1, -0.3, 0.5, 1.5, 3, 4.5])
@pytest.mark.parametrize("name", PDFS)
def test_a_turned_page_is_turned_back_and_reads_as_printed(tmp_path, name, degrees):
    """Before: at 3° the rulings were slanted (no grid) and rows ran into each other: 9 numbers wrong and
    160 missing in the two corpus PDFs, the carried-forward row read as the total."""
    path = tmp_path / f"{name}.pdf"
    _turned(RAW / f"{name}.pdf", path, degrees)
    tables = xxgk.parse(path)
    score = _score(tables, name)
    assert (score.wrong, score.invented, score.missing) == ([], [], [])
    turned = _issues(tables, "pdf_skewed")
    assert set(turned["severity"]) == {"info"} and f"{abs(degrees):.2f}°" in turned["message"].iloc[0]
    clockwise = "anticlockwise" if degrees > 0 else "clockwise"
    assert turned["message"].str.contains(f" {clockwise}").all()


@pytest.mark.parametrize("name", PDFS)
def test_a_page_turned_as_one_form_is_turned_back(tmp_path, name):
    path = tmp_path / f"{name}.pdf"
    _turned(RAW / f"{name}.pdf", path, 2.5, as_form=True)
    score = _score(xxgk.parse(path), name)
    assert (score.wrong, score.invented, score.missing) == ([], [], [])


@pytest.mark.parametrize("degrees", [6, -12, 30, 60, 90])
@pytest.mark.parametrize("name", PDFS)
def test_a_page_turned_too_far_is_refused_not_misread(tmp_path, name, degrees):
    path = tmp_path / f"{name}.pdf"
    _turned(RAW / f"{name}.pdf", path, degrees)
    tables = xxgk.parse(path)
    score = _score(tables, name)
    assert score.wrong == [] and score.invented == []
    refused = _issues(tables, "pdf_skewed")
    assert len(refused) == len(pdfium.PdfDocument(str(path))) and set(refused["severity"]) == {"error"}
    assert "not read" in refused["message"].iloc[0]


def test_a_straight_page_is_read_as_drawn():
    for name in PDFS:
        assert pdf_document((RAW / f"{name}.pdf").read_bytes()).notes == []


def test_pdf_checks_are_declared():
    from xxgk.contract.checks import BY_CODE

    assert BY_CODE["pdf_too_complex"].severities == ("error", "warning")
    assert BY_CODE["pdf_skewed"].severities == ("info", "error")


# Pages drawn with matplotlib: CJK labels, ruled tables, marks and furniture where a test puts them ----------

TITLE = "某县教育局2022年政府信息公开工作年度报告"
HEADING = "三、收到和处理政府信息公开申请情况"
NEW = "一、本年新收政府信息公开申请数量"
OVER = "二、上年结转政府信息公开申请数量"
HEADER = ["申请人情况", "自然人", "商业企业", "科研机构", "社会公益", "法律服务", "其他", "总计"]
WIDTHS = [200, 45, 45, 45, 45, 45, 45, 45]


def _draw(path, pages: list[list[tuple]]) -> None:
    """A PDF of A4 pages, each a list of ("text", x, baseline, text, size[, ha]) and ("table", left, top,
    row height, rows) items, in points from the top-left corner. A table cell is a string, or a (number,
    mark) pair: the number, then the mark drawn at 60 % of the size and raised by a third of the size
    (a footnote as word processors print it)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    from xxgk.analysis.plotting import FONT_FAMILY, register_fonts

    register_fonts()
    with plt.rc_context({"pdf.fonttype": 42, "font.family": [FONT_FAMILY]}), PdfPages(path) as out:
        for items in pages:
            fig = plt.figure(figsize=(595 / 72, 842 / 72))
            ax = fig.add_axes([0, 0, 1, 1])
            ax.set_xlim(0, 595)
            ax.set_ylim(842, 0)
            ax.axis("off")
            for item in items:
                if item[0] == "text":
                    _, x, y, text, size, *ha = item
                    _draw_text(ax, x, y, text, size, ha[0] if ha else "left")
                elif item[0] == "frame":  # a ruled page frame: header band, body, footer band
                    _draw_frame(ax)
                else:
                    _draw_table(ax, *item[1:])
            out.savefig(fig)
            plt.close(fig)


def _draw_frame(ax) -> None:
    from matplotlib.patches import Rectangle

    ax.add_patch(Rectangle((30, 25), 555, 795, fill=False, lw=0.75, edgecolor="black"))
    for y in (60, 785):
        ax.plot([30, 585], [y, y], lw=0.75, color="black")


def _draw_text(ax, x: float, y: float, text, size: float, ha: str) -> None:
    if isinstance(text, tuple):  # (text, mark): the mark small and raised, right after the text
        text, mark = text
        ax.text(x, y, text, fontsize=size, ha="right", va="baseline")
        ax.text(x, y - size / 3, mark, fontsize=size * 0.6, ha="left", va="baseline")
    else:
        ax.text(x, y, text, fontsize=size, ha=ha, va="baseline")


def _draw_table(ax, left: float, top: float, row_height: float, rows: list[list]) -> None:
    from matplotlib.patches import Rectangle

    xs = [left + sum(WIDTHS[:k]) for k in range(len(WIDTHS) + 1)]
    for r, row in enumerate(rows):
        y = top + r * row_height
        for c, cell in enumerate(row):
            ax.add_patch(Rectangle((xs[c], y), WIDTHS[c], row_height, fill=False, lw=0.75, edgecolor="black"))
            if cell:
                baseline = y + row_height / 2 + 4
                if isinstance(cell, tuple):
                    _draw_text(ax, xs[c + 1] - 8, baseline, cell, 10, "right")
                else:
                    _draw_text(ax, (xs[c] + xs[c + 1]) / 2, baseline, cell, 10, "center")


def _report_page(rows: list[list], prose: str | tuple = "本年度共收到申请件数见下表。") -> list[tuple]:
    return [
        ("text", 72, 80, TITLE, 14),
        ("text", 72, 120, "一、总体情况", 12),
        ("text", 72, 145, prose, 11) if isinstance(prose, str) else ("text", 240, 145, prose, 11),
        ("text", 72, 185, HEADING, 12),
        ("table", 60, 200, 24, [HEADER, *rows]),
    ]


def _requests(tables, row: str) -> list:
    req = tables["requests"]
    return [None if pd.isna(v) else int(v) for v in req[req["row_code"] == row]["count"].tolist()]


# 1. A footnote mark beside a number is never a digit of it ---------------------------------------------------

MARKS = [("2", "²"), ("12", "¹²"), ("*", "*"), ("†", "†")]


@pytest.mark.parametrize(("drawn", "mark"), MARKS, ids=[m[0] for m in MARKS])
def test_a_small_raised_mark_after_a_number_in_a_cell_is_not_a_digit(tmp_path, drawn, mark):
    """Before: "66" with a small raised "2" read as 662 (the mark's centre still in the number's cell)."""
    path = tmp_path / "marked.pdf"
    rows = [[NEW, ("66", drawn), "0", "0", "0", "0", "0", "66"], [OVER, *["0"] * 7]]
    _draw(path, [_report_page(rows)])
    tables = xxgk.parse(path)
    assert _requests(tables, "new_received") == [66, 0, 0, 0, 0, 0, 66]
    noted = _issues(tables, "footnote_mark")
    assert list(noted["actual"]) == [mark]


@pytest.mark.parametrize(("drawn", "mark"), MARKS[:2], ids=[m[0] for m in MARKS[:2]])
def test_a_small_raised_mark_after_a_number_in_the_prose_is_not_a_digit(tmp_path, drawn, mark):
    path = tmp_path / "marked_prose.pdf"
    rows = [[NEW, *["5"] + ["0"] * 5 + ["5"]], [OVER, *["0"] * 7]]
    prose = ("本年度共收到政府信息公开申请5", drawn)
    _draw(path, [[*_report_page(rows, prose), ("text", 248, 145, "件。", 11)]])
    tables = xxgk.parse(path)
    facts = tables["facts"]
    assert facts[facts["fact_code"] == "new_received"]["value"].tolist() == [5]
    assert list(_issues(tables, "footnote_mark")["actual"]) == [mark]


def test_a_number_in_a_smaller_size_on_its_line_stays_a_number(tmp_path):
    """Smaller but not raised (a second run of the number in another size, a subscript-free change of
    font): still the digits of the number."""
    path = tmp_path / "sizes.pdf"
    rows = [[NEW, *["0"] * 7], [OVER, *["0"] * 7]]
    page = _report_page(rows)
    page[4] = ("table", 60, 200, 24, [HEADER, [NEW, "", "0", "0", "0", "0", "0", "66"], rows[1]])
    x = 60 + sum(WIDTHS[:2]) - 8
    page += [("text", x - 12, 236, "6", 10, "left"), ("text", x - 6, 236, "6", 6, "left")]
    _draw(path, [page])
    tables = xxgk.parse(path)
    assert _requests(tables, "new_received") == [66, 0, 0, 0, 0, 0, 66]
    assert _issues(tables, "footnote_mark").empty


def test_a_text_rise_mark_in_one_text_object_is_not_a_digit():
    """The mark drawn in the same text object as the number, smaller and raised with Ts (as Word exports a
    superscript): read as a mark too, in a ruled cell and in a line of text."""
    cell = "BT /F1 10 Tf 0 Ts 110 705 Td (398) Tj /F1 6 Tf 4 Ts (1) Tj ET"
    line = "BT /F1 10 Tf 0 Ts 72 600 Td (total 25) Tj /F1 6 Tf 4 Ts (3) Tj 0 Ts /F1 10 Tf ( cases) Tj ET"
    grid = "0.5 w 60 690 m 260 690 l S 60 720 m 260 720 l S 60 690 m 60 720 l S 100 690 m 100 720 l S "
    grid += "160 690 m 160 720 l S 260 690 m 260 720 l S"
    document = pdf_document(_raw_pdf([grid + "\n" + cell + "\n" + _text(170, 705, "7") + "\n" + line]))
    assert [(line.text, [int(c.number) for c in line.cells if c], line.marks) for line in document.lines] == [
        ("398 7", [398, 7], "¹"),
        ("total 25 cases", [25], "³"),
    ]


# 2. Page furniture is not data -------------------------------------------------------------------------------

FOOTERS = ["- {n} -", "— {n} —", "第{n}页", "第 {n} 页 共 6 页", "{n}/6", "{n}"]  # page n prints the n-th
HEADERS = {
    "ruled": "某县教育局 2022 年政府信息公开工作年度报告",
    "unruled": "2022年度报告 第{n}页",
    "framed": "某县教育局 2022 年政府信息公开工作年度报告",
}
RUNNING_FOOTER = "某县教育局办公室 2023 年 1 月印发"
#: Table 三's first twelve rows, two a page over six pages; row i holds i + 1 natural-person requests.
SPLIT_ROWS = [(row.code, row.zh.replace("（", "(").replace("）", ")")) for row in codes.REQUEST_ROWS[:12]]


def _unruled(rows: list[list], top: float) -> list[tuple]:
    """A table printed without rulings: each cell's text where a ruled table would put it."""
    xs = [60 + sum(WIDTHS[:k]) for k in range(len(WIDTHS) + 1)]
    return [
        ("text", xs[c] + 2, top + r * 24 + 16, cell, 9, "left")
        if c == 0
        else ("text", (xs[c] + xs[c + 1]) / 2, top + r * 24 + 16, cell, 10, "center")
        for r, row in enumerate(rows)
        for c, cell in enumerate(row)
        if cell
    ]


def _split_table(layout: str) -> list[list[tuple]]:
    """Table 三 begun at the foot of page 1 and continued two rows a page to page 6, ruled or not, inside
    a ruled page frame or not; a running header, a running footer and a page number on every page, the
    page number in a different style on each page."""
    rows = [
        [label, str(i + 1), "0", "0", "0", "0", "0", str(i + 1)] for i, (_, label) in enumerate(SPLIT_ROWS)
    ]

    def table(part: list[list], top: float) -> list[tuple]:
        return _unruled(part, top) if layout == "unruled" else [("table", 60, top, 24, part)]

    pages = [
        [("text", 72, 110, TITLE, 14), ("text", 72, 150, "一、总体情况", 12)]
        + [("text", 72, 175, "本年度工作情况如下。", 11), ("text", 72, 640, HEADING, 12)]
        + table([HEADER, *rows[:2]], 660)
    ]
    pages += [table(rows[k : k + 2], 90) for k in range(2, 12, 2)]
    pages[-1].append(("text", 72, 180, "四、政府信息公开行政复议、行政诉讼情况", 12))
    for n, page in enumerate(pages, 1):
        page.insert(0, ("text", 297, 45, HEADERS[layout].format(n=n), 9, "center"))
        page += [
            ("text", 297, 790, RUNNING_FOOTER, 9, "center"),
            ("text", 297, 808, FOOTERS[n - 1].format(n=n), 9, "center"),
        ]
        if layout == "framed":
            page.insert(0, ("frame",))
    return pages


@pytest.fixture(scope="module", params=["ruled", "unruled", "framed"])
def split_table(request, tmp_path_factory):
    path = tmp_path_factory.mktemp("furniture") / f"{request.param}.pdf"
    _draw(path, _split_table(request.param))
    return request.param, path, xxgk.parse(path), pdf_document(path.read_bytes())


def test_a_table_split_over_pages_reads_every_row_as_printed(split_table):
    _, _, tables, _ = split_table
    for i, (code, _) in enumerate(SPLIT_ROWS):
        assert _requests(tables, code) == [i + 1, 0, 0, 0, 0, 0, i + 1], code


def test_page_numbers_and_running_lines_between_the_parts_of_a_table_are_not_data(split_table):
    """No page number (in any style), running footer, or running header past its first appearance is left
    in the lines: none can become a row or a cell (a header is kept on page 1, where it may be the only
    title a report prints)."""
    layout, _, _, document = split_table
    for line in document.lines:
        n = document.line_pages[line.no]
        furniture = {FOOTERS[n - 1].format(n=n), RUNNING_FOOTER} | (
            {HEADERS[layout].format(n=n)} if n > 1 else set()
        )
        assert line.text.replace(" ", "") not in {f.replace(" ", "") for f in furniture}, (n, line.text)
    assert document.lines[0].text.replace(" ", "") == HEADERS[layout].format(n=1).replace(" ", "")


def test_a_table_inside_a_page_frame_is_read_once(split_table):
    """A report table drawn inside a ruled page frame: before, the frame's body row read the table's
    characters again, run into the prose ("...情况如下。一、本年新收...1 0 0 0 0 0 1二、..."). The frame's
    body is still read as one line above the table and one below it (a single-cell row is one line)."""
    layout, _, _, document = split_table
    texts = [line.text for line in document.lines]
    first = next(i for i, t in enumerate(texts) if "本年新收" in t)
    assert sum("本年新收" in t for t in texts) == 1 and texts[first].startswith("一、本年新收")
    assert texts[first - 2].endswith("三、收到和处理政府信息公开申请情况")  # then the header row
    assert texts[-1] == "四、政府信息公开行政复议、行政诉讼情况"


def test_a_running_header_is_kept_only_on_the_first_page_and_a_footer_nowhere():
    def page(n: int, header: bool) -> tuple:
        items = (
            [(40, 50, "text", f"某县 2022 年报 {n}")] if header else [(100, 115, "text", "某县2022年报告")]
        )
        items += [(300, 324, "cells", ["(一)予以公开", str(n)]), (790, 800, "text", f"某县办公室 {n} 印发")]
        items += [(400, 410, "text", "同一行 2022")]  # recurs, but in the body: not furniture
        return n, 842.0, items

    with_title = [page(1, False), page(2, True), page(3, True)]
    assert pdf._running_lines(with_title) == {(1, 2), (2, 0), (2, 2), (3, 0), (3, 2)}
    headed = [page(1, True), page(2, True), page(3, True)]
    assert pdf._running_lines(headed) == {(1, 2), (2, 0), (2, 2), (3, 0), (3, 2)}
    assert pdf._running_lines([page(1, True)]) == set()  # one page: nothing recurs


def _pdf_file(objects: list[str]) -> bytes:
    """A PDF file from its numbered objects (object 1 is the catalogue), with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for k, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{k} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{off:010d} 00000 n \n" for off in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
