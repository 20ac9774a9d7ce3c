"""Every value says precisely where it stands: a character column on a text line (a one-line page too), a
table cell (table, row, column) in a table reader's grid (issue 12, provenance)."""

from __future__ import annotations

import pandas as pd
import pytest

import xxgk
from xxgk.read.text import same_length_nfkc
from xxgk.testing import docx_write

TITLE = "某县教育局2022年政府信息公开工作年度报告"
HEADING = "三、收到和处理政府信息公开申请情况"
# Distinct numbers, some repeated across rows, one printed full width: each must be found where it stands.
ROWS = [
    ("一、本年新收政府信息公开申请数量", ["11", "2", "0", "３", "1", "0", "17"]),
    ("二、上年结转政府信息公开申请数量", ["1", "0", "0", "0", "0", "0", "1"]),
    ("(一)予以公开", ["5", "1", "0", "2", "1", "0", "9"]),
]

PROSE = [f"({n})本机关依法公开政府信息,全年公开信息1,204条,办理申请17件。" for n in "一二三四五六"]


def _text(layout: str) -> str:
    if layout == "tsv":
        rows = ["\t".join([label, *cells]) for label, cells in ROWS]
    elif layout == "markdown":
        rows = [f"| {label} | {' | '.join(cells)} |" for label, cells in ROWS]
    else:
        rows = [f"{label} {' '.join(cells)}" for label, cells in ROWS]
    lines = [TITLE, "一、总体情况", *PROSE, HEADING, *rows]
    if layout == "flat":  # a web page's text flattened onto one line
        return " ".join(lines)
    return "\n".join(lines) + "\n"


def _printed(tables):
    req = tables["requests"]
    return req[req["cell_status"].isin(["printed", "not_applicable"])]


@pytest.mark.parametrize(
    ("layout", "name"), [("text", "r.txt"), ("tsv", "r.txt"), ("markdown", "r.md"), ("flat", "r.txt")]
)
def test_each_value_on_a_text_line_points_at_its_printed_token(tmp_path, layout, name):
    text = _text(layout)
    (tmp_path / name).write_text(text, encoding="utf-8")
    tables = xxgk.parse(tmp_path / name)
    cells = _printed(tables)
    assert len(cells) == 21
    lines = text.splitlines()
    if layout == "flat":
        assert len(lines) == 1 and set(cells["source_line"]) == {1}
        assert cells["source_column"].is_unique  # one line, yet every number has its own place
    assert cells["source_cell"].isna().all()
    for line, col, count in zip(cells["source_line"], cells["source_column"], cells["count"], strict=True):
        at = same_length_nfkc(lines[line - 1])[col - 1 :]  # (３ is printed full width)
        assert at.startswith(str(count)) and not at[len(str(count)) :][:1].isdigit(), (line, col, at[:10])


@pytest.mark.parametrize("fmt", ["html", "docx"])
def test_each_value_in_a_table_grid_names_its_cell(tmp_path, fmt):
    head = "<tr><td>申请人</td>" + "<td>x</td>" * 7 + "</tr>"  # row 1 of the table: a header
    body = "".join(
        f"<tr><td>{label}</td>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>" for label, cells in ROWS
    )
    page = f"<html><body><p>{TITLE}</p><table><tr><td>a</td><td>1</td></tr></table><p>{HEADING}</p>"
    page += f"<table>{head}{body}</table></body></html>"
    path = tmp_path / f"r.{fmt}"
    if fmt == "html":
        path.write_text(page, encoding="utf-8")
    else:  # the same page as a Word document: paragraphs and tables
        path.write_bytes(docx_write.document(docx_write.from_html(page)))
    cells = _printed(xxgk.parse(path))
    assert len(cells) == 21 and cells["source_column"].isna().all()
    expected = [f"t2:r{r}:c{c}" for r in (2, 3, 4) for c in range(2, 9)]
    assert sorted(cells["source_cell"], key=lambda v: [int(x[1:]) for x in v.split(":")]) == expected
    printed = {f"t2:r{r}:c{c + 2}": v for r, (_, row) in enumerate(ROWS, 2) for c, v in enumerate(row)}
    for cell, count in zip(cells["source_cell"], cells["count"], strict=True):
        assert int(same_length_nfkc(printed[cell])) == count


def test_prose_facts_in_a_one_line_file_point_at_their_numbers(tmp_path):
    # Issue 12: a flattened web page is one line; each fact's column is where its number is printed, and a
    # number printed twice on the line has no column (it is not guessed).
    text = (
        "某县教育局2022年政府信息公开工作年度报告 一、总体情况 本年度共受理政府信息公开申请１，０９８件，"
        "办结1,090件。结转下年度继续办理8件。上年结转8件。 三、收到和处理政府信息公开申请情况\n"
    )
    path = tmp_path / "one_line.txt"
    path.write_text(text, encoding="utf-8")
    facts = xxgk.parse(path)["facts"].set_index("fact_code")
    line = text.splitlines()[0]
    for code, printed in (("new_received", "１，０９８"), ("total_processed", "1,090")):
        column = int(facts.loc[code, "source_column"])
        assert line[column - 1 :].startswith(printed), (code, column)
    assert pd.isna(facts.loc["carried_forward", "source_column"])  # 8 is printed twice on the line


def test_every_printed_pdf_cell_has_its_page_and_its_own_table_cell():
    # Issue 12, PDFs: page and cell. On a real ruled PDF every printed number of tables 三 and 四 names its
    # page and a t:r:c cell, and no two numbers claim the same cell.
    from pathlib import Path

    pdf = Path(__file__).resolve().parents[1] / "data" / "raw" / "huaian_city_2024.pdf"
    tables = xxgk.parse(pdf)
    for name in ("requests", "reviews"):
        printed = tables[name][tables[name]["cell_status"] == "printed"]
        assert len(printed) > 0
        assert printed["source_page"].notna().all()
        assert printed["source_cell"].str.fullmatch(r"t\d+:r\d+:c\d+").all()
        assert not printed.duplicated(["source_page", "source_cell"]).any()
