"""The PDF reader: a blank cell in a ruled table stays blank in its column (NA), the numbers after it keep
their columns, and the corpus PDFs read as before (their golden scores are in test_corpus.py).

The fixture is made at run time from a corpus PDF: the text of chosen numbers is removed (pdfium edits the
page), the rulings are kept. The expected values are the printed ones, read from the PDF by hand
(tests/golden/corpus/huaian_city_2024.json), not the parser's output.
"""

from __future__ import annotations

import ctypes

import pandas as pd
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

import xxgk
from conftest import RAW
from xxgk.read import pdf
from xxgk.read.pdf import pdf_lines
from xxgk.read.text import UnreadableFile

CITY = RAW / "huaian_city_2024.pdf"


def _blank_number(doc: pdfium.PdfDocument, page_index: int, row_start: str, number: str) -> None:
    """Remove the drawn text of ``number`` from the table row whose label starts with ``row_start`` (or
    the first row holding that number when ``row_start`` is empty)."""
    page = doc[page_index]
    textpage = page.get_textpage()
    text = textpage.get_text_range()
    assert len(text) == textpage.count_chars()

    def baseline(i: int) -> float:
        return textpage.get_charbox(i, loose=True)[1]

    row_y = baseline(text.index(row_start)) if row_start else None
    start = -1
    while True:
        start = text.index(number, start + 1)
        end = start + len(number)
        whole = not text[start - 1].isdigit() and not (end < len(text) and text[end].isdigit())
        if whole and (row_y is None or abs(baseline(start) - row_y) < 3):
            break
    objects = {}
    for i in range(start, end):
        obj = pdfium_c.FPDFText_GetTextObject(textpage.raw, i)
        objects[ctypes.cast(obj, ctypes.c_void_p).value] = obj
    removed = ""
    for obj in objects.values():
        buffer = ctypes.create_string_buffer(64)
        units = ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort))
        pdfium_c.FPDFTextObj_GetText(obj, textpage.raw, units, 64)
        removed += buffer.raw.decode("utf-16-le").split("\x00")[0]
        assert pdfium_c.FPDFPage_RemoveObject(page.raw, obj)
        pdfium_c.FPDFPageObj_Destroy(obj)
    assert sorted(removed.replace(" ", "")) == sorted(number)  # only the number's own text went
    textpage.close()
    assert pdfium_c.FPDFPage_GenerateContent(page.raw)
    page.close()


@pytest.fixture(scope="module")
def blanked(tmp_path_factory):
    path = tmp_path_factory.mktemp("pdf") / "city_blanked.pdf"
    doc = pdfium.PdfDocument(str(CITY))
    _blank_number(doc, 3, "一、本年新收", "53")  # table 三, 法人或其他组织/商业企业
    _blank_number(doc, 4, "", "178")  # table 四, 行政复议/其他结果
    doc.save(str(path))
    doc.close()
    return xxgk.parse(path)


def _cells(frame, key, column):
    rows = frame[frame[key[0]] == key[1]]
    return {row[column]: (row["count"], row["cell_status"]) for _, row in rows.iterrows()}


def test_a_blank_number_stays_na_in_its_column(blanked):
    req = _cells(blanked["requests"], ("row_code", "new_received"), "applicant_code")
    assert req["commercial"][1] == "missing" and pd.isna(req["commercial"][0])
    assert {k: int(v[0]) for k, v in req.items() if k != "commercial"} == {
        "natural_person": 3001,
        "research": 0,
        "social_welfare": 0,
        "legal_services": 61,
        "other_org": 4,
        "total": 3119,
    }
    reviews = _cells(blanked["reviews"], ("proceeding", "review"), "outcome")
    assert reviews["other"][1] == "missing"
    assert {k: int(v[0]) for k, v in reviews.items() if k != "other"} == {
        "upheld": 72,
        "corrected": 64,
        "pending": 37,
        "total": 351,
    }


def test_the_other_rows_of_the_blanked_pdf_still_read(blanked):
    req = blanked["requests"]
    granted = _cells(req, ("row_code", "granted"), "applicant_code")
    assert int(granted["total"][0]) == 1362 and int(granted["natural_person"][0]) == 1288
    litigation = _cells(blanked["reviews"], ("proceeding", "litigation_after_review"), "outcome")
    assert int(litigation["total"][0]) == 20


@pytest.mark.parametrize("name", ["huaian_city_2024.pdf", "huaian_hongze_district_2024.pdf"])
def test_vertical_group_label_stays_in_its_cell(name):
    """The one-character-a-line group label 三、本年度办理结果 (in Hongze a font whose pdfium box is 20 times
    too big) is read whole, in its own cell, and none of its characters lands in a neighbouring label."""
    lines, _ = pdf_lines(RAW / name)
    texts = [line.text for line in lines]
    assert sum("三、本年度办理结果" in t for t in texts) == 1
    labels = {line.last_label for line in lines if line.grid}
    assert {"(一)予以公开", "1.属于国家秘密", "2.没有现成信息需要另行制作"} <= labels


def test_merged_group_labels_and_footers(tmp_path):
    lines, pages = pdf_lines(CITY)
    texts = [line.text for line in lines]
    # "- 3 -" page footers are dropped
    assert not any(t.strip("- ").isdigit() for t in texts)
    # the row whose group label is a merged cell above it keeps its 7 numbers in place
    row = next(line for line in lines if line.label.endswith("2.其他法律行政法规禁止公开"))
    assert [int(c.number) for c in row.cells] == [30, 1, 0, 0, 0, 0, 31] and row.grid
    assert pages[row.no] == 4


def test_a_pdf_without_text_needs_ocr(tmp_path):
    path = tmp_path / "scan.pdf"
    doc = pdfium.PdfDocument.new()
    doc.new_page(595, 842)
    doc.save(str(path))
    doc.close()
    with pytest.raises(UnreadableFile, match="OCR"):
        pdf_lines(path)


def test_a_table_from_another_producer(tmp_path):
    """A PDF made here by matplotlib, unlike the WPS files: every ruling in one path of many segments,
    text drawn a whole string at a time, a white box behind a paragraph, a label cell merged over two
    rows (no ruling under it), a blank cell, a page-number footer. The values are the ones drawn."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import PathPatch, Rectangle
    from matplotlib.path import Path as MplPath

    from xxgk.analysis.plotting import FONT_FAMILY, register_fonts

    register_fonts()
    xs, ys = [72, 250, 320, 390, 460, 530], [140, 170, 200, 230, 260]
    header = ["申请人情况", "自然人", "商业企业", "科研机构", "总计"]
    body = [
        ["（一）予以公开", "12", "3", "", "15"],
        [None, "4", "0", "1", "5"],
        ["（七）总计", "16", "3", "1", "20"],
    ]
    with plt.rc_context({"pdf.fonttype": 42, "font.family": [FONT_FAMILY]}):
        fig = plt.figure(figsize=(595 / 72, 842 / 72))
        ax = fig.add_axes([0, 0, 1, 1])
        ax.set_xlim(0, 595)
        ax.set_ylim(842, 0)
        ax.axis("off")
        ax.add_patch(Rectangle((60, 95), 470, 20, facecolor="white", edgecolor="none", zorder=0))
        ax.text(72, 110, "本年度共收到申请 25 件。", fontsize=12)
        verts, codes = [], []
        for y in ys:  # no ruling under the first column between the two 予以公开 rows: a merged cell
            verts += [(xs[1] if y == 200 else xs[0], y), (xs[-1], y)]
            codes += [MplPath.MOVETO, MplPath.LINETO]
        for x in xs:
            verts += [(x, ys[0]), (x, ys[-1])]
            codes += [MplPath.MOVETO, MplPath.LINETO]
        ax.add_patch(PathPatch(MplPath(verts, codes), fill=False, lw=0.75, edgecolor="black"))
        for r, row in enumerate([header, *body]):
            for c, text in enumerate(row):
                if text:
                    x, y = (xs[c] + xs[c + 1]) / 2, (ys[r] + ys[r + 1]) / 2 + 4
                    ax.text(x, y, text, fontsize=10, ha="center")
        ax.text(290, 800, "- 1 -", fontsize=10, ha="center")
        path = tmp_path / "other_producer.pdf"
        fig.savefig(path)
        plt.close(fig)
    lines, _ = pdf_lines(path)
    cells = [(line.label, [None if c is None else int(c.number) for c in line.cells]) for line in lines]
    assert cells == [
        ("本年度共收到申请件。", [25]),
        ("申请人情况自然人商业企业科研机构总计", []),
        ("(一)予以公开", [12, 3, None, 15]),
        ("", [None, 4, 0, 1, 5]),
        ("(七)总计", [16, 3, 1, 20]),
    ]
    assert [line.grid for line in lines] == [False, True, True, True, True]


def test_a_scanned_page_inside_a_text_pdf_is_said_not_dropped(tmp_path, monkeypatch):
    """Without the ocr extra, a PDF whose text pages are followed by a page that is only a picture (a scanned
    page): the text pages read as before, and the picture page is a warning naming it and the install
    command, never silently missing."""
    from xxgk.read import ocr

    def no_ocr():
        raise ocr.NeedsOcr(f"OCR is not installed: install it with `{ocr.INSTALL}`")

    monkeypatch.setattr(ocr, "require", no_ocr)
    doc = pdfium.PdfDocument(RAW / "huaian_hongze_district_2024.pdf")
    _insert_picture(doc, of=2, at=len(doc) + 1, scale=1.5)
    doc.save(tmp_path / "mixed.pdf")
    width, height = doc[1].get_size()
    doc.new_page(width, height).gen_content()  # a blank page is no scanned page
    doc.save(tmp_path / "mixed_blank.pdf")
    cells = ["row_code", "applicant_code", "count", "cell_status", "source_page"]
    before = xxgk.parse(RAW / "huaian_hongze_district_2024.pdf")
    for name in ("mixed.pdf", "mixed_blank.pdf"):
        tables = xxgk.parse(tmp_path / name)
        said = tables["issues"][tables["issues"]["check"] == "pdf_scanned_page"]
        assert said["location"].tolist() == ["page 6"] and said["severity"].tolist() == ["warning"]
        assert "not read" in said["message"].iloc[0] and ocr.INSTALL in said["message"].iloc[0]
        assert tables["requests"][cells].equals(before["requests"][cells])


def _insert_picture(doc, of: int, at: int, scale: float = 1.0) -> None:
    """Put a picture of page ``of`` (no text layer: a scanned page) in as page ``at`` (pages from 1)."""
    width, height = doc[of - 1].get_size()
    picture = pdfium.PdfImage.new(doc)
    picture.set_bitmap(doc[of - 1].render(scale=scale, grayscale=True))
    picture.set_matrix(pdfium.PdfMatrix().scale(width, height))
    page = doc.new_page(width, height, index=at - 1)
    page.insert_obj(picture)
    page.gen_content()


def _with_picture_page(tmp_path, page: int):
    """洪泽区 2024 with page ``page`` replaced by a picture of itself."""
    doc = pdfium.PdfDocument(RAW / "huaian_hongze_district_2024.pdf")
    _insert_picture(doc, of=page, at=page)
    doc.del_page(page)  # the page itself, now after its picture
    doc.save(tmp_path / "mixed.pdf")
    return tmp_path / "mixed.pdf"


def _stub_ocr(monkeypatch, page_read) -> None:
    """OCR as if installed, each page image read by ``page_read`` (no engine, no models)."""
    from xxgk.read import ocr

    monkeypatch.setattr(ocr, "require", lambda: None)
    monkeypatch.setattr(ocr, "engine", lambda name=None: None)
    monkeypatch.setattr(ocr, "_read_page", page_read)


def test_tables_of_a_scanned_page_are_numbered_apart_from_the_text_pages(tmp_path, monkeypatch):
    """OCR may skip a table's number on its page (a table whose rows all read as text): the tables of the
    text pages after it still get numbers of their own, never one of the scanned page's."""
    from xxgk.read import ocr

    def page_read(grey, page_no, reader, notes):  # table 1 reads as text only, table 2 as a row of cells
        return [
            ocr.Item(0.0, text="标题"),
            ocr.Item(1.0, cells=["规章", "3", "4"], scores=[1.0, 1.0, 1.0], table=2, row=1),
        ]

    _stub_ocr(monkeypatch, page_read)
    document = pdf.pdf_document(_with_picture_page(tmp_path, 3))
    tables_by_page: dict[int, set[int]] = {}
    for no, (table, _) in document.line_cells.items():
        tables_by_page.setdefault(document.line_pages[no], set()).add(table)
    assert set(tables_by_page) >= {2, 3, 4}
    assert all(not (a & b) for p, a in tables_by_page.items() for q, b in tables_by_page.items() if p != q)
    said = [n for n in document.notes if n.check == "pdf_scanned_page"]
    assert [(n.location, n.severity) for n in said] == [("page 3", "info")]


def test_ocr_failing_on_a_scanned_page_loses_that_page_only(tmp_path, monkeypatch):
    def page_read(grey, page_no, reader, notes):
        raise RuntimeError("the engine broke")

    _stub_ocr(monkeypatch, page_read)
    document = pdf.pdf_document(_with_picture_page(tmp_path, 3))
    said = [n for n in document.notes if n.check == "pdf_scanned_page"]
    assert [(n.location, n.severity) for n in said] == [("page 3", "warning")]
    assert "RuntimeError: the engine broke" in said[0].message
    assert set(document.line_pages.values()) == {1, 2, 4, 5}  # every other page read
    assert list(document.line_pages) == list(range(1, len(document.lines) + 1))


def test_ocr_switched_off_reads_no_scan_and_says_so(tmp_path, monkeypatch):
    """XXGK_OCR_ENGINE=none (a quick first pass): a scanned page of a text PDF is a warning, a scan alone a
    failed report, each saying OCR is switched off; the text pages read as usual."""
    monkeypatch.setenv("XXGK_OCR_ENGINE", "none")
    document = pdf.pdf_document(_with_picture_page(tmp_path, 3))
    said = [n for n in document.notes if n.check == "pdf_scanned_page"]
    assert [(n.location, n.severity) for n in said] == [("page 3", "warning")]
    assert "switched off" in said[0].message and "not read" in said[0].message
    assert set(document.line_pages.values()) == {1, 2, 4, 5}
    doc = pdfium.PdfDocument(tmp_path / "mixed.pdf")
    doc[2].render(scale=1.0, grayscale=True).to_pil().save(tmp_path / "page.png")
    tables = xxgk.parse(tmp_path / "page.png")
    assert tables["reports"]["status"].tolist() == ["failed"]
    assert tables["issues"]["message"].str.contains("OCR is switched off").any()
