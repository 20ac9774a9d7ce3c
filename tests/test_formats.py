"""Word documents (.docx read from the XML; .doc and .wps converted by LibreOffice) give the same tables as
every other format.

Golden: real reports of tests/golden/corpus rebuilt as Word documents in the official template (merged
header cells), one converted to .doc and one to .pdf by LibreOffice (tests/fixtures/formats/build.py):
every cell of the published truth, none invented. Kinds: each Word construct that holds or hides numbers,
in a small document made here. Synthetic: random reports (with their truth) written as Word documents with
merges, split tables, page frames, fields and text boxes.
"""

from __future__ import annotations

import importlib.util
import json
import os
import random
import shutil
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import xxgk
from conftest import GOLDEN, RAW
from xxgk.read import docx
from xxgk.testing import docx_write, synth
from xxgk.testing.score import score_report

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "formats"
HAS_SOFFICE = docx.soffice() is not None
#: CI installs LibreOffice (.ci/run), so the .doc tests never skip there.
needs_soffice = pytest.mark.skipif(
    not HAS_SOFFICE and not os.environ.get("CI"),
    reason="LibreOffice is not installed (CI installs it): " + docx.INSTALL,
)


def _score(path: Path):
    tables = xxgk.parse(path)
    expected = json.loads((GOLDEN / "corpus" / f"{path.stem}.json").read_text(encoding="utf-8"))
    return tables, score_report(tables, path.stem, expected)


@pytest.mark.parametrize(
    "name",
    [
        "pingtan_2022.docx",
        "huaian_city_2024.docx",
        "shanghai_kewei_2024.docx",
        "huaian_city_2024.pdf",  # LibreOffice's PDF of the .docx: read by the PDF reader
        pytest.param("pingtan_2022.doc", marks=needs_soffice),
    ],
)
def test_golden_word_documents_give_every_published_cell(name):
    tables, score = _score(FIXTURES / name)
    assert score.cells == 25 * 7 + 15 + 10
    assert (score.wrong, score.missing, score.invented) == ([], [], [])
    report = tables["reports"].iloc[0]
    assert report["status"] == "ok"
    assert report["input_format"] == {".docx": "docx", ".doc": "doc", ".pdf": "pdf"}[Path(name).suffix]
    assert not (tables["issues"]["severity"] == "error").any()


def test_every_value_carries_its_line():
    tables = xxgk.parse(FIXTURES / "pingtan_2022.docx")
    req = tables["requests"]
    printed = req[req["cell_status"] == "printed"]
    assert printed["source_line"].notna().all()
    assert printed.groupby("row_code")["source_line"].nunique().max() == 1  # a row's cells share its line


# Kinds -----------------------------------------------------------------------------------------------

TITLE = "某县教育局2022年政府信息公开工作年度报告"
HEADING = "三、收到和处理政府信息公开申请情况"
NEW = "一、本年新收政府信息公开申请数量"
OVER = "二、上年结转政府信息公开申请数量"


def _p(text: str) -> str:
    return docx_write.paragraph(text)


def _tc(inner: str, props: str = "") -> str:
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{inner}</w:tc>"


def _tr(*cells: str) -> str:
    return f"<w:tr>{''.join(cells)}</w:tr>"


def _tbl(*rows: str) -> str:
    return f"<w:tbl><w:tblPr/>{''.join(rows)}</w:tbl>"


def _row(label: str, cells: list[str]) -> str:
    return _tr(_tc(_p(label)), *(_tc(_p(c)) for c in cells))


def _parse(tmp_path, body: str, name: str = "r.docx"):
    path = tmp_path / name
    path.write_bytes(docx_write.package(_p(TITLE) + _p(HEADING) + body))
    return xxgk.parse(path)


def _cells(tables, row: str) -> list:
    req = tables["requests"]
    return req[req["row_code"] == row]["count"].tolist()


ZEROS = ["0"] * 7


def test_a_vertically_merged_number_is_not_counted_twice(tmp_path):
    # 5 spans two rows (vMerge): it belongs to the first row only; the second row's cell is blank, NA.
    merged = _tc(_p("5"), '<w:vMerge w:val="restart"/>')
    below = _tc(_p(""), "<w:vMerge/>")
    body = _tbl(
        _tr(_tc(_p(NEW)), merged, *(_tc(_p(c)) for c in ["0", "0", "0", "0", "0", "5"])),
        _tr(_tc(_p(OVER)), below, *(_tc(_p(c)) for c in ["0", "0", "0", "0", "0", "0"])),
    )
    tables = _parse(tmp_path, body)
    assert _cells(tables, "new_received") == [5, 0, 0, 0, 0, 0, 5]
    over = _cells(tables, "carried_over")
    assert pd.isna(over[0]) and over[1:] == [0] * 6


def test_a_vertically_merged_label_reaches_every_row(tmp_path):
    group = _tc(_p("(三)不予公开"), '<w:vMerge w:val="restart"/>')
    cont = _tc(_p(""), "<w:vMerge/>")
    body = _tbl(
        _row(NEW, ZEROS),
        _tr(group, _tc(_p("1.属于国家秘密")), *(_tc(_p(c)) for c in ["1", "0", "0", "0", "0", "0", "1"])),
        _tr(
            cont,
            _tc(_p("2.其他法律行政法规禁止公开")),
            *(_tc(_p(c)) for c in ["2", "0", "0", "0", "0", "0", "2"]),
        ),
    )
    tables = _parse(tmp_path, body)
    assert _cells(tables, "denied_state_secret") == [1, 0, 0, 0, 0, 0, 1]
    assert _cells(tables, "denied_law_forbidden") == [2, 0, 0, 0, 0, 0, 2]


def test_a_wide_cell_is_one_cell(tmp_path):
    # Word's grid has a column at every cell edge of any row: a number cell spanning two is one cell.
    wide = [_tc(_p(c), '<w:gridSpan w:val="2"/>') for c in ["3", "0", "0", "0", "0", "0", "3"]]
    body = _tbl(_tr(_tc(_p(NEW), '<w:gridSpan w:val="3"/>'), *wide), _row(OVER, ZEROS))
    tables = _parse(tmp_path, body)
    assert _cells(tables, "new_received") == [3, 0, 0, 0, 0, 0, 3]
    assert _cells(tables, "carried_over") == [0] * 7


def test_a_blank_cell_stays_na(tmp_path):
    body = _tbl(_row(NEW, ["3", "", "0", "0", "0", "0", "3"]), _row(OVER, ZEROS))
    tables = _parse(tmp_path, body)
    req = tables["requests"].set_index(["row_code", "applicant_code"])
    assert req.loc[("new_received", "commercial"), "cell_status"] == "missing"
    assert _cells(tables, "new_received")[0] == 3


def test_a_field_shows_its_result_never_its_instruction(tmp_path):
    field = docx_write.paragraph("7", field_numbers=True)  # instruction " = 7 " and result "7"
    assert "instrText" in field
    body = _tbl(_tr(_tc(_p(NEW)), _tc(field), *(_tc(_p(c)) for c in ["0", "0", "0", "0", "0", "7"])))
    tables = _parse(tmp_path, body)
    assert _cells(tables, "new_received") == [7, 0, 0, 0, 0, 0, 7]


def test_a_text_box_is_read_once(tmp_path):
    # Word stores a text box twice (the drawing and a legacy copy): its text is one line, not two.
    box = docx_write.paragraph("本年度共受理政府信息公开申请12件。", textbox=True)
    lines = docx.read(docx_write.package(_p(TITLE) + box + _p(HEADING))).lines
    assert [ln.text for ln in lines].count("本年度共受理政府信息公开申请12件。") == 1
    table = _tbl(_row(NEW, ["12", "0", "0", "0", "0", "0", "12"]))
    boxed_table = f"<w:p><w:r><w:txbxContent>{table}</w:txbxContent></w:r></w:p>"  # a table in a text box
    assert _cells(_parse(tmp_path, boxed_table), "new_received") == [12, 0, 0, 0, 0, 0, 12]


def test_deleted_revisions_are_not_read(tmp_path):
    deleted = '<w:del w:id="1" w:author="x"><w:r><w:delText>9</w:delText></w:r></w:del>'
    cell = f"<w:p>{deleted}<w:r><w:t>4</w:t></w:r></w:p>"
    body = _tbl(_tr(_tc(_p(NEW)), _tc(cell), *(_tc(_p(c)) for c in ["0", "0", "0", "0", "0", "4"])))
    tables = _parse(tmp_path, body)
    assert _cells(tables, "new_received") == [4, 0, 0, 0, 0, 0, 4]


def test_a_raised_footnote_digit_is_a_mark(tmp_path):
    raised = '<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:t>2</w:t></w:r>'
    cell = f"<w:p><w:r><w:t>66</w:t></w:r>{raised}</w:p>"
    body = _tbl(_tr(_tc(_p(NEW)), _tc(cell), *(_tc(_p(c)) for c in ["0", "0", "0", "0", "0", "66"])))
    tables = _parse(tmp_path, body)
    assert _cells(tables, "new_received") == [66, 0, 0, 0, 0, 0, 66]
    assert (tables["issues"]["check"] == "footnote_mark").sum() == 1


def test_a_page_frame_table_is_layout(tmp_path):
    inner = _tbl(_row(NEW, ["3", "0", "0", "0", "0", "0", "3"]), _row(OVER, ZEROS))
    frame = _tbl(_tr(_tc(_p("封面") + inner + _p("（完）"))))
    tables = _parse(tmp_path, frame)
    assert _cells(tables, "new_received") == [3, 0, 0, 0, 0, 0, 3]


# Broken files ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"not a zip at all", "not a Word document"),
        (b"PK\x03\x04" + b"\x00" * 40, "not a Word document"),
        (docx_write.package("")[:300], "not a Word document"),
    ],
)
def test_a_broken_docx_fails_with_a_reason(tmp_path, data, says):
    path = tmp_path / "broken.docx"
    path.write_bytes(data)
    tables = xxgk.parse(path)
    assert tables["reports"]["status"].iloc[0] == "failed"
    assert says in tables["issues"]["message"].iloc[0]


def test_a_zip_that_is_not_word_fails(tmp_path):
    import zipfile

    path = tmp_path / "other.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("xl/workbook.xml", "<x/>")
    tables = xxgk.parse(path)
    assert tables["reports"]["status"].iloc[0] == "failed"
    assert "no word/document.xml" in tables["issues"]["message"].iloc[0]


@pytest.mark.parametrize("suffix", [".doc", ".wps"])
def test_without_libreoffice_a_legacy_file_fails_with_the_install_command(tmp_path, monkeypatch, suffix):
    monkeypatch.setattr(docx, "soffice", lambda: None)
    path = tmp_path / f"r{suffix}"
    path.write_bytes((FIXTURES / "pingtan_2022.doc").read_bytes())
    tables = xxgk.parse(path)
    issue = tables["issues"].iloc[0]
    assert tables["reports"]["status"].iloc[0] == "failed"
    assert issue["check"] == "needs_converter"
    assert docx.INSTALL in issue["message"]


@needs_soffice
def test_a_legacy_file_libreoffice_cannot_read_fails_with_a_reason(tmp_path):
    path = tmp_path / "r.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8)
    tables = xxgk.parse(path)
    assert tables["reports"]["status"].iloc[0] == "failed"


def test_a_docx_under_the_doc_name_is_read_directly(tmp_path, monkeypatch):
    monkeypatch.setattr(docx, "soffice", lambda: None)  # no conversion needed
    path = tmp_path / "r.doc"
    path.write_bytes((FIXTURES / "pingtan_2022.docx").read_bytes())
    _, score = _score_as(path, "pingtan_2022")
    assert (score.wrong, score.missing, score.invented) == ([], [], [])


def _score_as(path: Path, name: str):
    tables = xxgk.parse(path)
    expected = json.loads((GOLDEN / "corpus" / f"{name}.json").read_text(encoding="utf-8"))
    return tables, score_report(tables, path.stem, expected)


# Synthetic reports as Word documents -------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    template=st.sampled_from(["2021", "2019"]),
    split=st.integers(4, 22),
    frame=st.booleans(),
    fields=st.booleans(),
    missing=st.booleans(),
)
def test_synthetic_word_documents_give_back_every_cell(seed, template, split, frame, fields, missing):
    rng = random.Random(seed)
    truth = synth.draw(rng, template)
    if missing:
        truth = synth.with_missing_cells(truth, rng)
    data = synth.render_docx(truth, rng, split=split, frame=frame, field_numbers=fields)
    tables = synth.parse_text(data, "synthetic.docx")
    assert synth.compare(tables, truth) == []


# A folder of every format -------------------------------------------------------------------------------


def test_a_folder_mixing_every_format_parses_in_one_run(tmp_path):
    for name in ["pingtan_2022.txt", "shanghai_kewei_2024.md", "shanghai_city_office_2019.html"]:
        shutil.copy(RAW / name, tmp_path / name)
    shutil.copy(RAW / "huaian_hongze_district_2024.pdf", tmp_path)
    shutil.copy(FIXTURES / "huaian_city_2024.docx", tmp_path)
    shutil.copy(FIXTURES / "pingtan_2022.doc", tmp_path / "pingtan_copy.wps")
    has_ocr = importlib.util.find_spec("rapidocr_onnxruntime") is not None
    if has_ocr:  # a scanned page (table 四 of a corpus PDF, with scan damage) as a JPEG
        from xxgk.testing.scan import scan_pages

        (tmp_path / "scan.jpg").write_bytes(scan_pages(RAW / "huaian_hongze_district_2024.pdf", pages=[4])[0])
    tables = xxgk.parse_many([tmp_path])
    reports = tables["reports"].set_index("source_file")
    assert set(reports["input_format"]) >= {"text", "markdown", "html", "pdf", "docx"} | (
        {"image"} if has_ocr else set()
    )
    assert len(reports) == 6 + has_ocr
    expected_doc = "failed" if not HAS_SOFFICE else "ok"
    assert reports.loc["pingtan_copy.wps", "status"] == expected_doc
    assert (reports.drop(index="pingtan_copy.wps")["status"] != "failed").all()
