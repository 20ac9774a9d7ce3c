"""The issues table quotes the printed line an issue is about, and the corpus page lists every issue in full."""

import pandas as pd

import xxgk
from conftest import RAW
from xxgk.analysis import corpus
from xxgk.contract.checks import CHECKS, SEVERITIES
from xxgk.read.text import decode

TEXT_FILES = sorted(p for p in RAW.glob("*") if p.suffix in (".txt", ".md"))


def test_an_issue_on_a_line_quotes_that_line_as_printed():
    quoted = 0
    for path in TEXT_FILES:
        issues = xxgk.parse(path)["issues"]
        printed = decode(path.read_bytes()).text.splitlines()
        on_a_line = issues[issues["location"].fillna("").str.fullmatch(r"line \d+")]
        for location, text in zip(on_a_line["location"], on_a_line["text"], strict=True):
            line = printed[int(location.split()[1]) - 1].strip()
            assert text == (line if len(line) <= 160 else line[:159] + "…"), (path.name, location)
            quoted += 1
        # an issue that names no line quotes nothing (never a guess)
        elsewhere = issues[~issues["location"].fillna("").str.match(r"(lines? \d|table 三, row )")]
        assert elsewhere["text"].isna().all(), path.name
    assert quoted >= 10  # the sample's text files have issues on lines


def test_a_table_row_issue_quotes_the_row_label_line():
    path = RAW / "shanghai_kewei_2024.md"
    issues = xxgk.parse(path)["issues"]
    printed = [line.strip() for line in decode(path.read_bytes()).text.splitlines()]
    rows = issues[issues["location"] == "table 三, row carried_forward"]
    assert len(rows) == 1
    # the document's own line (checked by hand): the 结转下年度 row, blank in its last column
    assert rows["text"].iloc[0] == "| 四、结转下年度继续办理 | 1 | 0 | 0 | 0 | 0 | 0 |  |"
    assert rows["text"].iloc[0] in printed


def test_the_full_issues_table_in_chinese(seed_tables):
    styled = corpus.issues_table(seed_tables, "zh")
    table = styled.data
    assert len(table) == len(seed_tables["issues"])  # every issue, none cut
    assert list(table.columns) == [
        "机关",
        "年度",
        "检查项目",
        "严重程度",
        "说明",
        "位置",
        "原文",
        "应为",
        "实为",
        "详情（英文）",
    ]
    names = {c.zh for c in CHECKS}
    assert set(table["检查项目"]) <= names and set(table["严重程度"]) <= {s.zh for s in SEVERITIES}
    # 说明 is the check's meaning in Chinese; the English message, with its rows and numbers, is kept beside it
    by_name = {c.zh: c for c in CHECKS}
    assert (table["说明"] == table["检查项目"].map(lambda name: by_name[name].meaning_zh)).all()
    assert sorted(table["详情（英文）"]) == sorted(seed_tables["issues"]["message"])
    assert table["位置"].dropna().str.match(r"第 \d+(-\d+)? 行|表[二三四] |MANIFEST").all()
    assert corpus.where_zh("table 三, row new_received") == "表三 一、本年新收政府信息公开申请数量"
    assert table["原文"].notna().any()
    # shown whole: pandas' display limits do not apply to it
    with pd.option_context("display.max_rows", 5):
        assert styled.to_html().count("<tr>") >= len(table) + 1
    english = corpus.issues_table(seed_tables, "en").data
    assert list(english.columns) == [
        "agency",
        "year",
        "check",
        "severity",
        "message",
        "where",
        "printed text",
        "expected",
        "actual",
    ]
    assert set(english["check"]) <= {c.code for c in CHECKS}
