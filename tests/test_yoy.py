"""Year over year (notebook 60, ``xxgk.analysis.yoy``): the pair, every cell with its change, prose repetition.

Prose shares are checked on hand-made texts whose overlap is counted by hand; the cells on the sample's one
agency with two report years (广州市番禺区政务服务数据管理局, 2021 and 2023; the 2023 report is cut off after
table-三 row unable_needs_creation), values read from the documents.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

import xxgk
from xxgk.analysis import corpus, yoy
from xxgk.output.files import write_tables

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"
PANYU = "广州市番禺区政务服务数据管理局"
FILES = ("000_d808f0727db992c8.txt", "001_6f2acd3446c667ed.txt")  # 2021, 2023

# --- prose repetition on hand-made texts -------------------------------------------------------------------

S1 = "我局高度重视政府信息公开工作，认真落实各项要求。"  # 24 characters
PREVIOUS = S1 + "2021年受理申请12件，全部按时办结。本年度没有发生行政复议和行政诉讼案件。"
CURRENT = S1 + "2022年受理申请15件，全部按时办结。今年新开通了政务公开专区。"  # 24 + 20 + 13 = 57 characters


def test_hand_made_shares():
    rep = yoy.repetition(PREVIOUS, CURRENT)
    assert rep.sentences["kind"].tolist() == ["exact", "template", "new"]
    shares = rep.shares()
    assert shares["exact"] == pytest.approx(1 / 3) and shares["template"] == pytest.approx(1 / 3)
    # S1 and the "202" that follows it in both texts: a 27-character run; "件，全部按时办结。" (9) is too short
    assert (rep.n_chars, rep.repeated_chars) == (57, 27)
    assert shares["characters"] == pytest.approx(27 / 57)
    assert rep.passages["passage"].tolist() == [S1 + "202"]
    assert rep.sentences.loc[1, "previous_sentence"] == "2021年受理申请12件，全部按时办结。"


def test_repeated_text_in_another_order_still_counts():
    a = "第一段文字讲的是政务公开的组织领导和制度建设情况。第二段文字讲的是依申请公开的受理和办理流程情况。"
    b = "第二段文字讲的是依申请公开的受理和办理流程情况。第一段文字讲的是政务公开的组织领导和制度建设情况。"
    rep = yoy.repetition(a, b)
    assert rep.sentences["kind"].tolist() == ["exact", "exact"]
    assert rep.repeated_chars == rep.n_chars == len(b)


def test_nothing_in_common_and_short_fragments():
    rep = yoy.repetition("上一年的报告写的完全是另外一件事情。", "本年度的报告内容焕然一新。一、。")
    assert rep.sentences["sentence"].tolist() == [
        "本年度的报告内容焕然一新。"
    ]  # "一、。" is under 6 characters
    assert rep.shares() == {"exact": 0, "template": 0, "characters": 0}


def test_prose_is_read_by_the_format_reader_and_leaves_the_tables_out(tmp_path):
    # white space inside a sentence (a PDF line break) is not a difference; table rows are not prose
    text = (
        "某局2022年政府信息公开工作年度报告\n一、总体情况\n我局高度重视政府信息公开工作，\n认真落实各项要求。\n"
        "二、主动公开政府信息情况\n规章 0 0 0\n"
        "三、收到和处理政府信息公开申请情况\n一、本年新收政府信息公开申请数量 3 0 0 0 0 0 3\n"
        "五、存在的主要问题及改进情况\n下一步将继续加强培训工作。\n"
    )
    path = tmp_path / "r.txt"
    path.write_bytes(text.encode("gb18030"))  # decoded by the library's reader, not here
    prose = yoy.prose_of(path, path.read_bytes())
    assert [s for _, s in yoy.sentences(prose)] == [
        "我局高度重视政府信息公开工作,认真落实各项要求。",
        "下一步将继续加强培训工作。",
    ]
    assert prose.line_at(0) == 3


# --- the sample agency -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The sample parsed and written as `xxgk parse` writes it, then loaded as the notebooks load it."""
    out = tmp_path_factory.mktemp("sample")
    write_tables(xxgk.parse_many([RAW]), out)
    return corpus.load(out)


def test_the_pair_bridges_the_missing_year(sample):
    pr = yoy.pair(sample, PANYU)
    assert (pr.previous, pr.year, pr.gap) == (2021, 2023, 2)
    assert "2022" in yoy.gap_note(pr, "en")
    over = yoy.overview(sample, pr, "en")
    assert over["cut off or table missing"].tolist()[0] == "none"
    assert "Table 三 stops after row unable_needs_creation" in over["cut off or table missing"].tolist()[1]


def test_every_cell_with_its_change(sample):
    pr = yoy.pair(sample, PANYU, 2023)
    cells = yoy.cells(sample, pr).set_index(["table", "row", "column"])
    new = cells.loc[("requests", "new_received", "total")]  # 2021 line 173: 2; 2023 line 56: 1
    assert (new["previous"], new["value"], new["delta"], new["pct_change"]) == (2, 1, -1, -0.5)
    assert new["previous_source"] == f"{FILES[0]} line 173" and new["source"] == f"{FILES[1]} line 56"
    held = cells.loc[("requests", "unable_not_held", "total")]  # 2021 line 271: 2; 2023 line 68: 0
    assert (held["previous"], held["value"], held["delta"]) == (2, 0, -2)
    # cut off in 2023: NA with status missing, and no change, never 0
    total = cells.loc[("requests", "total_processed", "total")]
    assert total["previous"] == 2 and pd.isna(total["value"]) and pd.isna(total["delta"])
    assert total["status"] == "missing"
    assert len(cells.loc["requests"]) == 25 * 7 and len(cells.loc["reviews"]) == 15
    assert yoy.na_and_slash_kept(cells.reset_index())
    assert yoy.cut_off_shown(cells.reset_index(), sample, pr)
    shown = yoy.cell_table(cells.reset_index(), "requests", "en")
    assert shown.loc["New requests this year", "Total"] == "2 → 1 (-1, -50.0%)"
    assert shown.loc["Total handled", "Total"] == "2 → NA (NA)"


def test_a_slash_stays_a_slash(sample):
    pr = yoy.pair(sample, PANYU)
    tables = dict(sample)
    req = tables["requests"].copy()
    at = (
        (req["report_id"] == pr.report_id)
        & (req["row_code"] == "granted")
        & (req["applicant_code"] == "total")
    )
    req.loc[at, "cell_status"] = "not_applicable"  # as if 2023 printed "/" there
    tables["requests"] = req
    cells = yoy.cells(tables, pr)
    one = cells[(cells["row"] == "granted") & (cells["column"] == "total")].iloc[0]
    assert pd.isna(one["value"]) and pd.isna(one["delta"]) and one["status"] == "not_applicable"
    assert yoy.cell_table(cells, "requests", "en").loc["Granted", "Total"] == "0 → / (/)"
    assert yoy.na_and_slash_kept(cells)


def test_rates_of_both_years(sample):
    pr = yoy.pair(sample, PANYU)
    rates = yoy.rate_changes(sample, pr).set_index("measure")
    held = rates.loc["not_held_rate"]  # 2021: 2 of 2 handled; 2023: total handled cut off
    assert (held["previous_numerator"], held["previous_denominator"], held["previous_value"]) == (2, 2, 1.0)
    assert held["previous_low"] == pytest.approx(0.342, abs=1e-3) and held["previous_high"] == 1.0
    assert pd.isna(held["value"]) and pd.isna(held["delta_pp"])


def test_prose_of_the_sample_pair(sample, tmp_path):
    pr = yoy.pair(sample, PANYU)
    rep = yoy.prose_repetition(sample, pr, RAW)
    # read by hand: the 2023 report rewrote its prose; no sentence nor 20-character run of 2021 is in it
    assert len(rep.sentences) == 28 and rep.shares() == {"exact": 0, "template": 0, "characters": 0}
    # a raw folder whose file changed since it was parsed is refused, and said
    for name in FILES:
        shutil.copy(RAW / name, tmp_path / name)
    with open(tmp_path / FILES[1], "ab") as f:
        f.write("新增一句。".encode())
    said = yoy.prose_repetition(sample, pr, tmp_path, "en")
    assert isinstance(said, str) and "SHA-256" in said and FILES[1] in said
    (tmp_path / FILES[1]).unlink()
    assert "is not in" in yoy.prose_repetition(sample, pr, tmp_path, "en")


def test_a_report_copied_from_last_year_is_seen(sample, tmp_path):
    """The 2021 prose printed again under 2023's tables: every sentence is an exact repeat."""
    pr = yoy.pair(sample, PANYU)
    path = RAW / FILES[0]
    prose = yoy.prose_of(path, path.read_bytes())
    rep = yoy.repetition(prose, prose)
    assert set(rep.sentences["kind"]) == {"exact"} and rep.repeated_chars == rep.n_chars
    assert pr.previous_report_id == "000_d808f0727db992c8"


@pytest.mark.parametrize(
    "agency, year, lang, says",
    [
        (
            "某某局",
            0,
            "zh",
            "agency: '某某局' has no report read in this corpus; agencies with two or more years: ",
        ),
        ("淮安市人民政府", 0, "zh", "has one report year read (2024); year over year needs two"),
        (PANYU, 2021, "zh", "year: 2021 given; 广州市番禺区政务服务数据管理局 has report years [2021, 2023]"),
        (PANYU, 2022, "zh", "the later year of the pair is one of [2023]"),
    ],
)
def test_parameters_are_checked_with_what_is_allowed(sample, agency, year, lang, says):
    with pytest.raises(ValueError) as err:
        yoy.pair(sample, agency, year, lang)
    assert says in str(err.value)
    if "agencies with two or more years" in says:
        assert "广州市番禺区政务服务数据管理局 (2021, 2023)" in str(err.value)


def test_rates_chart_marks_what_is_missing(sample, recwarn):
    pr = yoy.pair(sample, PANYU)
    fig = yoy.rates_chart(yoy.rate_changes(sample, pr), pr, "zh")
    fig.canvas.draw()  # the font is looked up when the figure is drawn
    texts = [t.get_text() for t in fig.axes[0].texts]
    # 2023 is cut off before 总计: every rate over total handled or carried forward is NA, and said
    assert texts.count("NA (2023)") == 4 and "NA (2021)" in texts  # review correction: no review in 2021
    assert "100.0% (2/2)" in texts and "0.0% (0/1)" in texts
    assert fig.axes[0].get_title() == "广州市番禺区政务服务数据管理局：2021 年与 2023 年的派生比率"
    assert not [w for w in recwarn if "Glyph" in str(w.message)], "a Chinese label has no font"


def test_the_issues_of_both_years_read_in_the_page_language(sample):
    from xxgk.contract.checks import CHECKS

    pr = yoy.pair(sample, PANYU)
    zh, en = yoy.issues(sample, pr, "zh"), yoy.issues(sample, pr, "en")
    assert len(zh) == len(en) > 0
    meanings = {c.meaning_zh for c in CHECKS}
    # a Chinese page explains each issue in Chinese, with the English specifics kept beside, nothing lost
    assert set(zh["说明"]) <= meanings and zh["详情（英文）"].tolist() == en["message"].tolist()
    assert zh["严重程度"].iloc[0] == "错误" and zh["位置"].iloc[0].startswith("第 ")
    assert "detail" not in en.columns and set(en["severity"]) <= {"error", "warning", "info"}


def test_notebook_60_language_is_checked_with_its_other_parameters():
    from xxgk.analysis import parameters

    with pytest.raises(ValueError, match=r"lang = 'fr' is not a language of the labels; use one of 'zh'"):
        parameters.check(lang="fr", agency=PANYU, year=0)
