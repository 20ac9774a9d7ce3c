"""Unit tests: normalisation, label matching, row assembly, identities (small inline cases)."""

from __future__ import annotations

from decimal import Decimal

import pytest

import xxgk
from xxgk.contract import codes
from xxgk.parse.labels import match_label
from xxgk.parse.sections import find_sections
from xxgk.read.lines import split_line
from xxgk.read.text import compact, normalize_cell


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("（七）总计", "(七)总计"),
        ("１，７７４", "1,774"),
        ("<del>二、</del>上年结转", "二、上年结转"),
        ("**四是**加强", "四是加强"),
        ("#### 一、总体情况", "一、总体情况"),
        ("3.危及“三安全一稳定”", '3.危及"三安全一稳定"'),
        ("结 转 下 年 度", "结转下年度"),
        ("行政许可　　97", "行政许可 97"),
    ],
)
def test_normalize_cell(raw, expected):
    assert normalize_cell(raw) == expected


@pytest.mark.parametrize(
    "label, code",
    [
        ("一、本年新收政府信息公开申请数量", "new_received"),
        ("_,上年结转政府信息公开申请数量", "carried_over"),
        ("三、本年度办理结果(一)予以公开", "granted"),
        ("(二)部分公开(区分处理的,只计这一情形,不计其他情形)", "partially_granted"),
        ("度办理结果(三)不予公开1.属于国家秘密", "denied_state_secret"),
        ("2.其他法律行政止公开", "denied_law_forbidden"),
        ("(四)无法提供1.本机关不掌握相关政府信息", "unable_not_held"),
        ("5.要求行政机关确认或重新出", "not_processed_confirmation"),
        (
            "(六)其他处理1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            "other_overdue_correction",
        ),
        ("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "other_overdue_fee"),
        ("四、结转下一年度继续办理", "carried_forward"),
        ("(七)合计", "total_processed"),
    ],
)
def test_row_labels_and_variants(label, code):
    assert match_label("requests", compact(normalize_cell(label))) == code


def test_generic_labels_need_numbers_on_the_line():
    # 其他 and 总计 are also column headers: alone on a line they open no row.
    assert match_label("requests", "其他") is None
    assert match_label("requests", "其他", has_values=True) == "other_other"
    assert match_label("requests", "总计") is None
    assert match_label("requests", "(六)其他处理", has_values=True) == "other_processed"


def test_every_row_code_has_an_alias():
    aliased = {a.code for a in codes.aliases() if a.table == "requests"}
    assert aliased == set(codes.codes(codes.REQUEST_ROWS))
    assert {a.code for a in codes.aliases() if a.table == "proactive"} == set(
        codes.codes(codes.PROACTIVE_ITEMS)
    )


def test_ordinals_and_decimals_in_a_line():
    line = split_line("1.属于国家秘密 0 0 0 0 0 0 0", 5)
    assert line.label == "1.属于国家秘密" and len(line.values) == 7
    fee = split_line("行政事业性收费 9116.36", 6)
    assert fee.values[0].number == Decimal("9116.36")
    na = split_line("行政许可\t/", 7)
    assert na.values[0].status == "not_applicable"


def test_headings_are_found_but_prose_and_row_labels_are_not():
    lines = [
        split_line(t, i)
        for i, t in enumerate(
            [
                "一、总体情况",
                "本报告包括收到和处理政府信息公开申请情况、行政复议和行政诉讼情况等六部分，现报告如下。",
                "二、主动公开政府信息情况",
                "三、收到和处理政府信息公开申请情况",
                "三、本年度办理结果",
                "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况",
                "四、结转下年度继续办理 0 0 0 0 0 0 0",
                "五、存在的主要问题及改进情况",
                "六、其他需要报告的事项",
            ],
            1,
        )
    ]
    assert find_sections(lines) == {"一": 0, "二": 2, "三": 3, "四": 5, "五": 7, "六": 8}


TEMPLATE_2021 = """某某县人民政府2022年政府信息公开工作年度报告
一、总体情况
本年共受理政府信息公开申请12件。
三、收到和处理政府信息公开申请情况
一、本年新收政府信息公开申请数量 10 1 0 0 0 1 12
二、上年结转政府信息公开申请数量 1 0 0 0 0 0 1
（一）予以公开 5 1 0 0 0 0 6
（二）部分公开 1 0 0 0 0 0 1
1.属于国家秘密 0 0 0 0 0 0 0
2.其他法律行政法规禁止公开 0 0 0 0 0 0 0
3.危及“三安全一稳定” 0 0 0 0 0 0 0
4.保护第三方合法权益 0 0 0 0 0 0 0
5.属于三类内部事务信息 0 0 0 0 0 0 0
6.属于四类过程性信息 0 0 0 0 0 0 0
7.属于行政执法案卷 0 0 0 0 0 0 0
8.属于行政查询事项 0 0 0 0 0 0 0
1.本机关不掌握相关政府信息 3 0 0 0 0 1 4
2.没有现成信息需要另行制作 0 0 0 0 0 0 0
3.补正后申请内容仍不明确 0 0 0 0 0 0 0
1.信访举报投诉类申请 0 0 0 0 0 0 0
2.重复申请 0 0 0 0 0 0 0
3.要求提供公开出版物 0 0 0 0 0 0 0
4.无正当理由大量反复申请 0 0 0 0 0 0 0
5.要求行政机关确认或重新出具已获取信息 0 0 0 0 0 0 0
1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请 0 0 0 0 0 0 0
2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请 0 0 0 0 0 0 0
3.其他 0 0 0 0 0 0 0
（七）总计 9 1 0 0 0 1 11
四、结转下年度继续办理 2 0 0 0 0 0 2
四、政府信息公开行政复议、行政诉讼情况
1 0 0 0 1 0 0 0 0 0 0 0 0 0 0
"""


def _parse_text(tmp_path, text, name="r.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return xxgk.parse(path)


def test_a_consistent_report_has_only_the_missing_table_issue(tmp_path):
    tables = _parse_text(tmp_path, TEMPLATE_2021)
    assert set(tables["issues"]["check"]) == {"table_missing"}  # this sample has no table 二
    assert tables["reports"]["template"].iloc[0] == "2021"


def test_broken_identities_are_reported_not_repaired(tmp_path):
    text = TEMPLATE_2021.replace("（七）总计 9 1 0 0 0 1 11", "（七）总计 9 1 0 0 0 1 12")
    tables = _parse_text(tmp_path, text)
    issues = tables["issues"].set_index("check")
    assert issues.loc["identity_row_total", "expected"] == "11"
    assert issues.loc["identity_row_total", "actual"] == "12"
    assert issues.loc["identity_row_total", "location"] == "line 28"
    assert set(issues.loc[["identity_balance", "identity_outcomes"], "actual"]) == {"12", "14"}
    req = tables["requests"].set_index(["row_code", "applicant_code"])
    assert req.loc[("total_processed", "total"), "count"] == 12  # as printed, never "fixed"


def test_prose_that_disagrees_with_the_table_is_an_issue(tmp_path):
    text = TEMPLATE_2021.replace("受理政府信息公开申请12件", "受理政府信息公开申请15件")
    issues = _parse_text(tmp_path, text)["issues"]
    row = issues[issues["check"] == "prose_vs_table"].iloc[0]
    assert (row["expected"], row["actual"]) == ("15", "12")


def test_unknown_label_is_named_and_its_numbers_unused(tmp_path):
    text = TEMPLATE_2021.replace("二、上年结转", "其中：撤回申请 1 0 0 0 0 0 1\n二、上年结转")
    tables = _parse_text(tmp_path, text)
    unknown = tables["issues"][tables["issues"]["check"] == "unknown_label"]
    assert "撤回申请" in unknown["message"].iloc[0]
    req = tables["requests"].set_index(["row_code", "applicant_code"])
    assert req.loc[("new_received", "total"), "count"] == 12


def test_subtotal_column_is_checked_and_dropped(tmp_path):
    text = TEMPLATE_2021.replace(
        "一、本年新收政府信息公开申请数量 10 1 0 0 0 1 12",
        "一、本年新收政府信息公开申请数量 10 2 1 0 0 0 1 12",
    )
    tables = _parse_text(tmp_path, text)
    assert "subtotal_column" in set(tables["issues"]["check"])
    req = tables["requests"].set_index(["row_code", "applicant_code"])
    assert req.loc[("new_received", "commercial"), "count"] == 1


def test_missing_row_in_the_middle_is_na_and_nothing_shifts(tmp_path):
    text = TEMPLATE_2021.replace("4.保护第三方合法权益 0 0 0 0 0 0 0\n", "")
    tables = _parse_text(tmp_path, text)
    req = tables["requests"].set_index(["row_code", "applicant_code"])
    assert req.loc[("denied_third_party", "total"), "count"] is pd_na()
    assert req.loc[("unable_not_held", "total"), "count"] == 4
    assert "row_missing" in set(tables["issues"]["check"])


def pd_na():
    import pandas as pd

    return pd.NA


def test_not_applicable_is_not_zero(tmp_path):
    text = TEMPLATE_2021.replace("3.要求提供公开出版物 0 0 0 0 0 0 0", "3.要求提供公开出版物 / / / / / / /")
    req = _parse_text(tmp_path, text)["requests"].set_index(["row_code", "applicant_code"])
    cell = req.loc[("not_processed_publication", "total")]
    assert cell["count"] is pd_na() and cell["cell_status"] == "not_applicable"


def test_cross_year_carry_over_must_match_last_years_carry_forward(tmp_path):
    (tmp_path / "y2022.txt").write_text(TEMPLATE_2021, encoding="utf-8")
    later = (
        TEMPLATE_2021.replace("2022年", "2023年")
        .replace(
            "二、上年结转政府信息公开申请数量 1 0 0 0 0 0 1", "二、上年结转政府信息公开申请数量 3 0 0 0 0 0 3"
        )
        .replace(
            "一、本年新收政府信息公开申请数量 10 1 0 0 0 1 12",
            "一、本年新收政府信息公开申请数量 8 1 0 0 0 1 10",
        )
    )
    (tmp_path / "y2023.txt").write_text(later, encoding="utf-8")
    issues = xxgk.parse_many([tmp_path])["issues"]
    cross = issues[issues["check"] == "cross_year"]
    assert set(cross["report_id"]) == {"y2023"}
    # 2022 carried 2 (natural persons) and 2 (total) forward; 2023 says 3 were carried over.
    assert sorted(cross["expected"] + "→" + cross["actual"]) == ["2→3", "2→3"]
