"""Trust under attack, cells and rows (issue 10, classes 2-4): page furniture is not data, notes are not rows,
one odd token spoils one cell and not its row.

Each test covers a kind of input in every format it reaches: plain text (pdftotext-like, cells apart by
spaces), tab-separated, markdown pipe tables and HTML. A report is written as blocks (a paragraph, or rows
of cells) and rendered in each layout by :func:`render`.
"""

from __future__ import annotations

import pandas as pd
import pytest

import xxgk

LAYOUTS = {"text": "r.txt", "tsv": "r.txt", "markdown": "r.md", "html": "r.html"}
AGENCY = "某县教育局"
TITLE = f"{AGENCY}2022年政府信息公开工作年度报告"
NEW = "一、本年新收政府信息公开申请数量"
OVER = "二、上年结转政府信息公开申请数量"
GRANTED = "(一)予以公开"


def P(text: str) -> tuple[str, str]:
    """A paragraph (a line of its own; in HTML a <p> between tables)."""
    return ("p", text)


def R(*cells: str) -> tuple[str, list[str]]:
    """A table row of cells ("" is a blank cell)."""
    return ("row", list(cells))


def render(blocks: list, layout: str) -> str:
    """The blocks as one document in a layout; in HTML consecutive rows are one table."""
    if layout == "html":
        out, open_table = [], False
        for kind, body in blocks:
            if kind == "row" and not open_table:
                out.append("<table>")
                open_table = True
            elif kind == "p" and open_table:
                out.append("</table>")
                open_table = False
            if kind == "p":
                out.append(f"<p>{body}</p>")
            else:
                span = ' colspan="8"' if len(body) == 1 else ""
                out.append("<tr>" + "".join(f"<td{span}>{c}</td>" for c in body) + "</tr>")
        return "<html><body>" + "\n".join(out) + ("</table>" if open_table else "") + "</body></html>"
    lines = []
    for kind, body in blocks:
        if kind == "p":
            lines.append(body)
        elif layout == "text":
            lines.append(" ".join(c for c in body if c))
        elif layout == "tsv":
            lines.append("\t".join(body) + ("\t" if len(body) == 1 else ""))  # a row, not a paragraph
        else:
            lines.append("| " + " | ".join(body + [""] * (len(body) == 1)) + " |")
    return "\n".join(lines) + "\n"


def report(table3: list, table4: list | None = None, table2: list | None = None) -> list:
    """A report: title, section 一, table 二 (2021: 规章 and 行政许可), table 三's rows, table 四."""
    table2 = table2 or [
        R("信息内容", "本年制发件数", "本年废止件数", "现行有效件数"),
        R("规章", "1", "0", "5"),
        R("信息内容", "本年处理决定数量"),
        R("行政许可", "12"),
    ]
    table4 = table4 or [R(*["0"] * 15)]
    return [
        P(TITLE),
        P("一、总体情况"),
        P("本年度依法做好政府信息公开工作。"),
        P("二、主动公开政府信息情况"),
        *table2,
        P("三、收到和处理政府信息公开申请情况"),
        *table3,
        P("四、政府信息公开行政复议、行政诉讼情况"),
        *table4,
        P("五、存在的主要问题及改进情况"),
        P("无。"),
    ]


def parse(tmp_path, blocks: list, layout: str) -> dict:
    path = tmp_path / LAYOUTS[layout]
    path.write_text(render(blocks, layout), encoding="utf-8")
    return xxgk.parse(path)


def values(series: pd.Series) -> list:
    """A column's values, NA as None (for comparing with lists)."""
    return [None if pd.isna(v) else v for v in series.tolist()]


def cells(tables: dict, row: str) -> list:
    req = tables["requests"]
    return values(req[req["row_code"] == row]["count"])


def reviews(tables: dict) -> list:
    return values(tables["reviews"]["count"])


def issues(tables: dict, check: str):
    df = tables["issues"]
    return df[df["check"] == check]


ROW_NEW = R(NEW, "3", "0", "0", "0", "0", "1", "4")
ROW_OVER = R(OVER, "2", "0", "0", "0", "0", "0", "2")
ROW_GRANTED = R(GRANTED, "5", "0", "0", "0", "0", "1", "6")


# 2. Page furniture is not data -------------------------------------------------------------------------------

PAGE_NUMBERS = ["— 5 —", "- 5 -", "—5—", "－5－", "第5页", "第 5 页 共 12 页", "5/12", "5 / 12"]


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("page", PAGE_NUMBERS)
def test_a_page_number_between_rows_is_not_a_cell(tmp_path, layout, page):
    # The page number stands between a row's label and its numbers (a wrapped row broken by the page) and
    # again between two rows: the row joins across it, and no row takes its digits.
    blocks = report([R(NEW), P(page), R("", "3", "0", "0", "0", "0", "1", "4"), P(page), ROW_OVER])
    tables = parse(tmp_path, blocks, layout)
    assert cells(tables, "new_received") == [3, 0, 0, 0, 0, 1, 4]
    assert cells(tables, "carried_over") == [2, 0, 0, 0, 0, 0, 2]
    noted = issues(tables, "page_furniture")
    assert len(noted) == 2 and set(noted["severity"]) == {"info"}
    assert "orphan_values" not in set(tables["issues"]["check"])


@pytest.mark.parametrize("layout", ["tsv", "markdown", "html"])
def test_a_page_number_in_a_table_row_of_its_own_is_not_a_row(tmp_path, layout):
    # In a delimited table the page number may be a row of its own (one cell, spanned in HTML), here
    # between a wrapped row's label and its numbers.
    blocks = report([R(NEW), R("— 5 —"), R("", "3", "0", "0", "0", "0", "1", "4"), ROW_OVER])
    tables = parse(tmp_path, blocks, layout)
    assert cells(tables, "new_received") == [3, 0, 0, 0, 0, 1, 4]
    assert len(issues(tables, "page_furniture")) == 1


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_a_page_number_inside_table_four_does_not_shift_it(tmp_path, layout):
    table4 = [R("1", "0", "0", "0", "1"), P("— 7 —"), R("0", "2", "0", "0", "2", *["0"] * 5)]
    tables = parse(tmp_path, report([ROW_NEW, ROW_OVER], table4=table4), layout)
    assert reviews(tables) == [1, 0, 0, 0, 1, 0, 2, 0, 0, 2, 0, 0, 0, 0, 0]


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("header", [TITLE, f"{AGENCY} 2022 年", AGENCY])
def test_a_running_header_between_rows_is_not_a_row(tmp_path, layout, header):
    # "某县教育局 2022 年" carries a number: read as a row fragment it would fill the open row's first cell.
    blocks = report([R(NEW), P(header), R("", "3", "0", "0", "0", "0", "1", "4"), ROW_OVER])
    tables = parse(tmp_path, blocks, layout)
    assert cells(tables, "new_received") == [3, 0, 0, 0, 0, 1, 4]
    assert cells(tables, "carried_over") == [2, 0, 0, 0, 0, 0, 2]
    assert len(issues(tables, "page_furniture")) == 1
    assert tables["reports"]["agency"].iloc[0] == AGENCY  # the title itself is still read


def test_a_bare_number_between_rows_is_data_not_furniture(tmp_path):
    # A lone number is ambiguous: pdftotext prints a row's centred total on a line of its own, so it is
    # data. Between complete rows no row can take it: it is reported, never placed.
    tables = parse(tmp_path, report([ROW_NEW, P("5"), ROW_OVER]), "text")
    assert cells(tables, "new_received") == [3, 0, 0, 0, 0, 1, 4]
    assert cells(tables, "carried_over") == [2, 0, 0, 0, 0, 0, 2]
    assert "page_furniture" not in set(tables["issues"]["check"])
    assert len(issues(tables, "orphan_values")) == 1


# 3. Notes are not rows ----------------------------------------------------------------------------------------

NOTES = [
    ("注：", "本年新收政府信息公开申请", "9", "件"),
    ("注1", "本年新收政府信息公开申请", "9", "件"),
    ("说明：", "二、上年结转政府信息公开申请数量", "9", "件"),
    ("备注：", "(一)予以公开", "9", "件"),
    ("*注：", "本年新收政府信息公开申请", "9", "件"),
]


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("note", NOTES, ids=lambda n: n[0])
@pytest.mark.parametrize("where", ["before", "between", "after"])
def test_a_note_in_a_table_is_not_a_row(tmp_path, layout, note, where):
    # A note mentions a row's label and a number, in cells of its own: it never opens, fills or overrides a row.
    opener, label, number, unit = note
    note_row = R(opener + label, number, unit)
    rows = [ROW_NEW, ROW_OVER, ROW_GRANTED]
    rows.insert({"before": 0, "between": 1, "after": 3}[where], note_row)
    tables = parse(tmp_path, report(rows), layout)
    assert cells(tables, "new_received") == [3, 0, 0, 0, 0, 1, 4]
    assert cells(tables, "carried_over") == [2, 0, 0, 0, 0, 0, 2]
    assert cells(tables, "granted") == [5, 0, 0, 0, 0, 1, 6]
    checks = set(tables["issues"]["check"])
    assert "table_note" in checks
    assert not checks & {"conflicting_values", "orphan_values", "unknown_label"}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_a_note_after_a_table_is_prose_and_gives_facts(tmp_path, layout):
    note = "注：本年度共受理政府信息公开申请4件，均已办结。"
    tables = parse(tmp_path, report([ROW_NEW, ROW_OVER, P(note)]), layout)
    facts = tables["facts"]
    stated = facts[facts["fact_code"] == "new_received"]
    assert stated["value"].tolist() == [4]
    assert cells(tables, "new_received") == [3, 0, 0, 0, 0, 1, 4]


# 4. One odd token spoils one cell, not the row ------------------------------------------------------------------

ODD = ["15件", "约15", "15%", "3-5", "二十一", "15.", "近20", "〇"]


def _odd_row_checks(tables: dict, token: str, row: str, expected: list) -> None:
    assert cells(tables, row) == expected
    refused = issues(tables, "not_a_number")
    assert refused["actual"].tolist() == [token]
    assert set(refused["severity"]) == {"error"}
    # No issue may call the cell blank: it is printed, only not as a number.
    assert not issues(tables, "cell_missing")["message"].str.contains(row).any()
    req = tables["requests"]
    status = req[req["row_code"] == row]["cell_status"].tolist()
    assert status[1] == "missing" and status.count("printed") == 6


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("token", ODD)
def test_an_odd_token_spoils_one_cell_not_the_row(tmp_path, layout, token):
    row = R(NEW, "3", token, "0", "0", "0", "1", "4")
    tables = parse(tmp_path, report([row, ROW_OVER]), layout)
    _odd_row_checks(tables, token, "new_received", [3, None, 0, 0, 0, 1, 4])
    assert tables["reports"]["status"].iloc[0] == "incomplete"


@pytest.mark.parametrize("layout", ["tsv", "markdown", "html"])
@pytest.mark.parametrize("token", ["1 234", "12 345"])
def test_a_number_spaced_in_thousands_in_a_cell_is_one_odd_cell(tmp_path, layout, token):
    # In a delimited cell "1 234" is not the cells 1 and 234 (that would shift the row): one cell, NA.
    row = R(NEW, "3", token, "0", "0", "0", "1", "4")
    tables = parse(tmp_path, report([row, ROW_OVER]), layout)
    _odd_row_checks(tables, token, "new_received", [3, None, 0, 0, 0, 1, 4])


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_an_odd_first_cell_keeps_the_row(tmp_path, layout):
    # The odd token opens the row's numbers: the label stays the label, the other six keep their columns.
    row = R(NEW, "约3", "0", "0", "0", "0", "1", "4")
    tables = parse(tmp_path, report([row, ROW_OVER]), layout)
    assert cells(tables, "new_received") == [None, 0, 0, 0, 0, 1, 4]
    assert issues(tables, "not_a_number")["actual"].tolist() == ["约3"]


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("sign", ["-", "－", "−"])
def test_a_negative_count_is_not_a_count_in_every_table(tmp_path, layout, sign):
    table2 = [
        R("信息内容", "本年制发件数", "本年废止件数", "现行有效件数"),
        R("规章", "1", f"{sign}2", "5"),
    ]
    table4 = [R("1", f"{sign}1", "0", "0", "1", *["0"] * 10)]
    row = R(NEW, "3", f"{sign}1", "0", "0", "0", "1", "4")
    tables = parse(tmp_path, report([row, ROW_OVER], table4=table4, table2=table2), layout)
    assert cells(tables, "new_received") == [3, None, 0, 0, 0, 1, 4]
    assert reviews(tables)[:5] == [1, None, 0, 0, 1]
    pro = tables["proactive"]
    assert values(pro[pro["item_code"] == "regulations"]["value"])[:3] == [1, None, 5]
    refused = issues(tables, "not_a_count")
    assert sorted(refused["actual"]) == ["-1", "-1", "-2"]
    assert "not_applicable" not in set(tables["requests"]["cell_status"])
    assert not issues(tables, "cell_missing")["message"].str.contains("new_received").any()


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_odd_tokens_in_tables_two_and_four(tmp_path, layout):
    table2 = [
        R("信息内容", "本年制发件数", "本年废止件数", "现行有效件数"),
        R("规章", "1件", "0", "5"),
        R("信息内容", "本年收费金额(单位:万元)"),
        R("行政事业性收费", "9116.36万元"),
    ]
    table4 = [R("1", "0", "0", "0", "1", "约2", *["0"] * 9)]
    tables = parse(tmp_path, report([ROW_NEW, ROW_OVER], table4=table4, table2=table2), layout)
    pro = tables["proactive"].set_index(["item_code", "measure"])["value"]
    assert pd.isna(pro[("regulations", "issued")]) and pro[("regulations", "in_force")] == 5
    assert pro[("administrative_fees", "amount_10k_yuan")] == pytest.approx(9116.36)  # a unit it may carry
    assert reviews(tables)[:7] == [1, 0, 0, 0, 1, None, 0]
    assert sorted(issues(tables, "not_a_number")["actual"]) == ["1件", "约2"]


def test_a_change_in_table_two_may_be_negative(tmp_path):
    # The 2019 template's 本年增/减 is a change on the year before: −3 is a number, not a refused count.
    table2 = [
        R("信息内容", "上一年项目数量", "本年增/减", "处理决定数量"),
        R("行政许可", "10", "−3", "7"),
    ]
    tables = parse(tmp_path, report([ROW_NEW, ROW_OVER], table2=table2), "tsv")
    pro = tables["proactive"].set_index(["item_code", "measure"])["value"]
    assert pro[("licensing", "change")] == -3
    assert "not_a_count" not in set(tables["issues"]["check"])


# The fuzz run's check means something for these classes -------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "value"),
    [
        ("一、本年新收政府信息公开申请数量 3 约15 0 0 0 1 19", 15),  # the number inside an odd token
        ("一、本年新收政府信息公开申请数量 3 15件 0 0 0 1 19", 15),
        ("一、本年新收政府信息公开申请数量 3 −7 0 0 0 1 4", 7),  # a sign dropped
        ("注：本年新收政府信息公开申请 9 件", 9),  # a cell from a note
        ("— 5 —", 5),  # a cell from a page number
    ],
)
def test_the_fuzz_check_flags_a_cell_a_parser_must_not_take(line, value):
    from xxgk.testing.fuzz import invented_numbers

    def frame(column: str, rows: list) -> pd.DataFrame:
        return pd.DataFrame(rows, columns=["report_id", column, "source_line", "cell_status"], dtype=object)

    tables = {
        "requests": frame("count", [("r", value, 1, "printed")]),
        "reviews": frame("count", []),
        "proactive": frame("value", []),
        "facts": pd.DataFrame(columns=["report_id", "value", "sentence", "source_line"], dtype=object),
    }
    assert len(invented_numbers(tables, {"r": [line]})) == 1
    assert invented_numbers(tables, {"r": [f"一、本年新收 3 {value} 0 0 0 1 19"]}) == []
