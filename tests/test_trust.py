"""Trust under attack: classes of damage that must never turn into a number the document does not print.

Each test covers a kind of input, not one file, and runs in every format the kind reaches (plain text,
tab-separated, markdown pipe tables, HTML).
"""

from __future__ import annotations

import pandas as pd
import pytest

import xxgk

TITLE = "某县教育局2022年政府信息公开工作年度报告\n"
HEADING = "三、收到和处理政府信息公开申请情况\n"
NEW = "一、本年新收政府信息公开申请数量"
OVER = "二、上年结转政府信息公开申请数量"


def _parse(tmp_path, text: str, name: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return xxgk.parse(path)


def _cells(tables, row: str) -> list:
    req = tables["requests"]
    return req[req["row_code"] == row]["count"].tolist()


def _table3(rows: list[tuple[str, list[str]]], layout: str) -> str:
    """Table 三's first rows printed in one layout (cells as given, marks and all)."""
    if layout == "text":
        return "".join(f"{label} {' '.join(cells)}\n" for label, cells in rows)
    if layout == "tsv":
        return "".join("\t".join([label, *cells]) + "\n" for label, cells in rows)
    if layout == "markdown":
        return "".join(f"| {label} | {' | '.join(cells)} |\n" for label, cells in rows)
    body = "".join(
        "<tr><td>" + label + "</td>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"
        for label, cells in rows
    )
    return f"<table>{body}</table>"


LAYOUTS = {"text": "r.txt", "tsv": "r.txt", "markdown": "r.md", "html": "r.html"}


def _document(rows, layout: str, prose: str = "") -> str:
    text = TITLE + "一、总体情况\n" + prose + HEADING + _table3(rows, layout)
    if layout == "html":
        paragraphs = "".join(
            f"<p>{line}</p>" for line in (TITLE + "一、总体情况\n" + prose + HEADING).splitlines()
        )
        return f"<html><body>{paragraphs}{_table3(rows, layout)}</body></html>"
    return text


# 1. A footnote mark beside a number is never a digit of it ---------------------------------------------

MARKED = [("²", "66"), ("¹", "398"), ("①", "15"), ("⑵", "7"), ("※", "12"), ("*", "9"), ("†", "3")]


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize(("mark", "number"), MARKED)
def test_a_footnote_mark_is_not_a_digit(tmp_path, layout, mark, number):
    rows = [
        (NEW, [number + mark, "0", "0", "0", "0", "0", number]),
        (OVER, ["0", "0", "0", "0", "0", "0", "0"]),
    ]
    tables = _parse(tmp_path, _document(rows, layout), LAYOUTS[layout])
    assert _cells(tables, "new_received") == [int(number), 0, 0, 0, 0, 0, int(number)]
    issues = tables["issues"]
    noted = issues[issues["check"] == "footnote_mark"]
    assert len(noted) == 1 and noted["actual"].iloc[0] == mark


@pytest.mark.parametrize("layout", ["markdown", "html"])
def test_a_superscript_tag_is_a_mark_not_a_digit(tmp_path, layout):
    # OCR markdown and web pages print a footnote as <sup>2</sup>: "66<sup>2</sup>" is 66, not 662 nor 66 and 2.
    rows = [(NEW, ["66<sup>2</sup>", "0", "0", "0", "0", "0", "66"]), (OVER, ["0"] * 7)]
    tables = _parse(tmp_path, _document(rows, layout), LAYOUTS[layout])
    assert _cells(tables, "new_received") == [66, 0, 0, 0, 0, 0, 66]
    assert "footnote_mark" in set(tables["issues"]["check"])


@pytest.mark.parametrize("layout", ["text", "html"])
def test_a_footnote_mark_in_the_prose_is_not_a_digit_of_a_fact(tmp_path, layout):
    rows = [(NEW, ["50", "0", "0", "0", "0", "0", "50"]), (OVER, ["0"] * 7)]
    tables = _parse(
        tmp_path, _document(rows, layout, prose="本年度共受理政府信息公开申请50¹件。\n"), LAYOUTS[layout]
    )
    facts = tables["facts"]
    assert facts[facts["fact_code"] == "new_received"]["value"].tolist() == [50]
    assert "prose_vs_table" not in set(tables["issues"]["check"])


def test_a_circled_ordinal_before_a_label_is_left_alone(tmp_path):
    # Not beside a number: ① as a list ordinal stays what NFKC makes of it, and reports no mark.
    rows = [(NEW, ["3", "0", "0", "0", "0", "0", "3"]), (OVER, ["0"] * 7)]
    text = _document(rows, "text", prose="①本年度主动公开信息。\n")
    tables = _parse(tmp_path, text, "r.txt")
    assert "footnote_mark" not in set(tables["issues"]["check"])


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("printed", ["1**,004", "1※,004", "1²,004", "12³45"])
def test_a_mark_inside_a_number_never_joins_its_digits(tmp_path, layout, printed):
    # Found by the fuzz run (case 1001933: OCR noise put ** inside "1,004"): taking the mark out must not
    # make "1" and ",004" into 1004, a number the document does not print. The cell is not read as one.
    rows = [(NEW, ["0", "0", "0", "0", "0", "0", "0"]), (OVER, [printed, "0", "0", "0", "0", "0", "1004"])]
    tables = _parse(tmp_path, _document(rows, layout), LAYOUTS[layout])
    joined = int("".join(ch for ch in printed if ch in "0123456789"))
    first_cell = _cells(tables, "carried_over")[0]
    assert pd.isna(first_cell) or first_cell != joined


@pytest.mark.parametrize("layout", ["text", "tsv", "markdown"])
def test_a_mark_after_markup_after_a_number_is_still_a_mark(tmp_path, layout):
    # Found by the fuzz run (case 7004983: "0</b>³"): the tag stood between the digit and the mark, so the
    # mark was not seen beside the number and NFKC made it the digit 3, a cell the document does not print.
    rows = [(NEW, ["0</b>³", "0", "0", "0", "0", "0", "0"]), (OVER, ["0"] * 7)]
    tables = _parse(tmp_path, _document(rows, layout), LAYOUTS[layout])
    assert _cells(tables, "new_received") == [0, 0, 0, 0, 0, 0, 0]


def test_ocr_text_with_stray_tags_is_read_as_text_not_as_a_web_page(tmp_path):
    # Found by the fuzz run (case 7009910): OCR output that starts with <b> and carries a dozen <p> tags was
    # taken for an HTML fragment, read as one block, and its numbers cited lines they are not on.
    rows = [(NEW, ["5", "0", "0", "0", "0", "0", "5"]), (OVER, ["0"] * 7)]
    text = "<b>" + _document(rows, "tsv") + "".join(f"<p>说明{k}</p>\n正文。\n" for k in range(12))
    tables = _parse(tmp_path, text, "r.txt")
    assert tables["reports"]["input_format"].tolist() == ["text"]
    assert _cells(tables, "new_received") == [5, 0, 0, 0, 0, 0, 5]


@pytest.mark.parametrize("footer", ["第 11 页 共 约19 页", "第 11 页 共 12 页", "— 11 —"])
def test_a_page_footer_inside_a_wrapped_row_is_never_a_cell(tmp_path, footer):
    # Found by the fuzz run (case 7001321): a footer whose page count carried noise ("约19") was not taken
    # for a footer, and its page number became a cell of the row wrapped around it.
    text = (
        TITLE + HEADING + "一、本年新收政府信息\n" + footer + "\n公开申请数量 3 0 0 0 0 0 3\n"
        "二、上年结转政府信息公开申请数量 0 0 0 0 0 0 0\n"
    )
    tables = _parse(tmp_path, text, "r.txt")
    assert 11 not in set(tables["requests"]["count"].dropna().tolist())
    assert _cells(tables, "new_received") == [3, 0, 0, 0, 0, 0, 3]


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_a_circled_number_standing_alone_is_not_a_count(tmp_path, layout):
    # Found by the fuzz run (case 11002441): "①" alone where a cell stands was read as the count 1 (NFKC
    # makes ① the digit 1). It is no count: that cell is NA, the others keep their columns.
    rows = [(NEW, ["7358", "0", "0", "①", "0", "0", "7358"]), (OVER, ["0"] * 7)]
    tables = _parse(tmp_path, _document(rows, layout), LAYOUTS[layout])
    cells = _cells(tables, "new_received")
    assert cells[:3] == [7358, 0, 0] and pd.isna(cells[3]) and cells[4:] == [0, 0, 7358]


@pytest.mark.parametrize("opening", ["注l：", "注1：", "注：", "注|丨_:"])
def test_a_note_with_an_ocr_slip_in_its_opening_is_still_a_note(tmp_path, opening):
    # Found by the fuzz run (case 12008800): "注l：" (an OCR slip for 注1：) before a row label and a number
    # was read as that row. A note is prose, never a row.
    text = (
        TITLE + HEADING + f"{NEW} 3 0 0 0 0 0 3\n{OVER} 0 0 0 0 0 0 0\n"
        f"{opening}二、上年结转政府信息公开申请数量 776 件\n"
    )
    tables = _parse(tmp_path, text, "r.txt")
    assert _cells(tables, "carried_over") == [0, 0, 0, 0, 0, 0, 0]


@pytest.mark.parametrize("seed", [13001831, 13004043, 11002441, 7004983, 7009910, 1001933, 15002241])
def test_fuzz_cases_found_in_this_issue_invent_no_number(tmp_path, seed):
    # The damaged inputs of the fuzz run that made the parser print a number the file does not hold (a
    # superscript glued to a word read as 8, a lone ① as 1, "0</b>³" as 3, OCR text taken for a web page,
    # "1**,004" as 1004). Replayed from their seeds, checked by the fuzz run's own check.
    from xxgk.testing import damage, fuzz

    case = damage.make_case(seed)
    path = tmp_path / "case.txt"
    path.write_bytes(case.data)
    tables = xxgk.parse(path)
    rid = tables["reports"]["report_id"].iloc[0]
    assert fuzz.invented_numbers(tables, {rid: fuzz.document_lines(case.data, case.layout)}) == []
