"""Issue 13 §2: charts that scale from 1 to 500 agencies, and a caption under every chart.

Checked on what is drawn: the bars and their labels, the tick labels, the caption's text. The large corpus
is the synthetic national panel (``xxgk.testing.national``, 303 agencies × 7 years, parsed once here); the
small ones are the hand-made corpus (two agencies) and the sample reports when they are parsed.
"""

from __future__ import annotations

import re

import matplotlib
import pandas as pd
import pytest

import xxgk
from handmade import corpus as handmade
from xxgk.analysis import corpus, measures, plotting
from xxgk.analysis.figures import CAPTION_GID, caption_of
from xxgk.contract.codes import REQUEST_ROWS, label
from xxgk.testing.national import generate


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    folder = tmp_path_factory.mktemp("national")
    generate(n_provinces=8, seed=3).write(folder)
    return corpus.used(xxgk.parse_many([folder]))


@pytest.fixture(scope="module")
def one_year(national):
    return corpus.select(national, years=[2023])


def _agencies(tables) -> int:
    return tables["reports"]["agency_id"].nunique()


BY_AGENCY = {
    "volumes": lambda t: plotting.volumes_chart(t, by="agency"),
    "applicants": lambda t: plotting.applicant_mix_chart(t, by="agency"),
    "outcomes": lambda t: plotting.outcome_mix_chart(t, by="agency"),
    "rates": lambda t: plotting.rates_chart(t, by="agency"),
    "reviews": lambda t: plotting.reviews_chart(t, by="agency"),
    "heatmap": lambda t: plotting.volume_heatmap(t),
}


def _row_labels(fig) -> list[str]:
    ax = fig.axes[0]
    return [t.get_text().replace("\n", "") for t in ax.get_yticklabels()]


@pytest.mark.parametrize("chart", list(BY_AGENCY))
@pytest.mark.parametrize("years", ["one", "all"])
def test_a_chart_of_hundreds_of_agencies_draws_the_top_ones_and_the_rest_in_one_bar(
    chart, years, national, one_year
):
    tables = one_year if years == "one" else national
    fig = BY_AGENCY[chart](tables)
    rows = _row_labels(fig)
    rest = _agencies(tables) - plotting.TOP_N
    assert rest > 100
    assert len(rows) == plotting.TOP_N + 1, rows  # a renamed agency is one row, under its current name
    assert rows[-1] == plotting.text("rest", n=rest)
    assert len(set(rows)) == len(rows)


@pytest.mark.parametrize("chart", list(BY_AGENCY))
def test_a_few_agencies_are_drawn_one_by_one(chart):
    tables = handmade()
    rows = _row_labels(BY_AGENCY[chart](tables))
    assert sorted(rows) == sorted(tables["reports"]["agency"].unique())


def _count(text: str) -> int:
    return int(text.replace(",", ""))


def test_no_report_with_data_is_left_out_of_the_volumes_by_agency(national):
    """The bars drawn one by one and the rest's total add up to the pooled total of every report."""
    fig = plotting.volumes_chart(national, by="agency")
    expected = measures.pool(measures.volumes(national), ["row_code"]).set_index("row_code")["count"]
    for ax, row in zip(fig.axes, measures.VOLUME_ROWS, strict=True):
        drawn = sum(p.get_width() for p in ax.patches if p.get_gid() != plotting.REST_GID)
        rest = [_count(m.group(1)) for t in ax.texts if (m := re.search(r"合计 ([\d,]+)", t.get_text()))]
        assert len(rest) == 1
        assert drawn + rest[0] == int(expected[row]), row
    # the rest's bar is drawn at its mean per agency and says so in the legend of marks
    assert plotting.text("rest_mark") in [t.get_text() for lg in fig.legends for t in lg.get_texts()]


@pytest.mark.parametrize("chart", ["applicants", "outcomes"])
def test_no_report_with_data_is_left_out_of_a_mix_by_agency(chart, national):
    fig = BY_AGENCY[chart](national)
    drawn = sum(
        _count(t.get_text()[2:].rstrip("*")) for t in fig.axes[0].texts if t.get_text().startswith("n=")
    )
    mix = measures.applicant_mix(national) if chart == "applicants" else measures.outcome_mix(national)
    pooled = measures.pool(mix, ["category"])
    assert drawn == int(pooled["denominator"].iloc[0])


def _fractions(ax) -> list[tuple[int, int]]:
    found = [re.search(r"\((\d+|NA)/(\d+|NA)\)", t.get_text().replace("\n", " ")) for t in ax.texts]
    return [(int(m.group(1)), int(m.group(2))) for m in found if m and "NA" not in m.group(0)]


@pytest.mark.parametrize("years", ["one", "all"])
def test_no_report_with_data_is_left_out_of_the_rates_by_agency(years, national, one_year):
    tables = one_year if years == "one" else national
    fig = plotting.rates_chart(tables, by="agency", rates=("substantive_disclosure_rate", "not_held_rate"))
    pooled = measures.pool(measures.rates(tables), ["measure"]).set_index("measure")
    for ax, measure in zip(fig.axes, ("substantive_disclosure_rate", "not_held_rate"), strict=True):
        drawn = _fractions(ax)
        assert sum(k for k, _ in drawn) == pooled.loc[measure, "numerator"]
        assert sum(n for _, n in drawn) == pooled.loc[measure, "denominator"]


def test_a_ranking_of_hundreds_draws_the_top_the_rest_pooled_and_says_who_has_no_value(national):
    rates = measures.rates(national)
    fig = plotting.ranking_chart(rates, "not_held_rate")
    rows = _row_labels(fig)
    ranked = measures.rank(rates, "not_held_rate")
    assert len(rows) <= plotting.TOP_N + 2
    assert rows[0].startswith("1") and rows[plotting.TOP_N - 1].split(".")[0].rstrip("=").isdigit()
    n_ranked = int(ranked["rank"].notna().sum())
    assert (
        f"第 {plotting.TOP_N + 1}–" in rows[plotting.TOP_N]
        and str(n_ranked - plotting.TOP_N) in rows[plotting.TOP_N]
    )
    # every row with a value is in a bar: the drawn denominators add up to theirs
    with_value = ranked[ranked["value"].notna()]
    assert sum(n for _, n in _fractions(fig.axes[0])) == int(with_value["denominator"].sum())
    assert any(p.get_hatch() for p in fig.axes[0].patches)  # the unranked small-N rows, pooled and hatched
    if ranked["value"].isna().any():
        assert plotting.text("missing_note", n=int(ranked["value"].isna().sum())) in caption_of(fig)
    # equal ranks are marked and explained
    if ranked.head(plotting.TOP_N)["tied"].any():
        assert any("=" in r for r in rows[: plotting.TOP_N]) and plotting.text("tie_note") in caption_of(fig)


def _chart_height(fig) -> float:
    """The height of the chart above its caption band (inches)."""
    bottom = fig.get_layout_engine().get()["rect"][1]
    return fig.get_figheight() * (1 - bottom)


def test_the_figure_grows_with_the_rows_drawn_within_a_cap(national):
    small = _chart_height(plotting.outcome_mix_chart(handmade(), by="agency"))
    large = _chart_height(plotting.outcome_mix_chart(national, by="agency"))
    huge = _chart_height(plotting.outcome_mix_chart(national, by="agency", top=300))
    assert small < large < huge <= plotting.MAX_HEIGHT


# --- captions --------------------------------------------------------------------------------------------

CHARTS = {
    "volumes_year": lambda t, lang: plotting.volumes_chart(t, lang, balanced=False),
    "volumes_agency": lambda t, lang: plotting.volumes_chart(t, lang, by="agency"),
    "heatmap": lambda t, lang: plotting.volume_heatmap(t, lang),
    "applicants": lambda t, lang: plotting.applicant_mix_chart(t, lang, balanced=False),
    "outcomes": lambda t, lang: plotting.outcome_mix_chart(t, lang, by="agency"),
    "reasons": lambda t, lang: plotting.reasons_chart(t, lang),
    "rates_year": lambda t, lang: plotting.rates_chart(t, lang, balanced=False),
    "rates_agency": lambda t, lang: plotting.rates_chart(t, lang, by="agency"),
    "reviews": lambda t, lang: plotting.reviews_chart(t, lang, balanced=False),
    "ranking": lambda t, lang: plotting.ranking_chart(measures.rates(t), "not_held_rate", lang),
    "report_card": lambda t, lang: plotting.report_card(t, t["reports"]["agency"].iloc[0], lang),
}

DEFINES = {
    "applicants": ["applicant_mix"],
    "outcomes": ["outcome_mix"],
    "reasons": ["reason_mix"],
    "rates_year": list(measures.codes(measures.RATES)),
    "rates_agency": list(measures.codes(measures.RATES)),
    "ranking": ["not_held_rate"],
    "report_card": ["outcome_mix", *measures.codes(measures.RATES)],
}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("chart", list(CHARTS))
def test_every_chart_has_a_title_and_a_caption_with_its_source_and_definitions(chart, lang):
    tables = handmade()
    fig = CHARTS[chart](tables, lang)
    assert fig.get_label()  # the title, which names the figure's files
    assert fig.get_label() in [t.get_text() for t in fig.findobj(matplotlib.text.Text)]
    words = caption_of(fig).replace(" ", "")
    reports = tables["reports"]
    if chart == "report_card":
        reports = reports[reports["agency"] == reports["agency"].iloc[0]]
    source = plotting.source_text(reports, lang).replace(" ", "")
    assert source in words
    assert str(len(reports)) in source and "2021" in source
    for code in DEFINES.get(chart, []):
        assert measures.definition(code, lang).replace(" ", "") in words, code


def test_a_caption_is_inside_the_figure_under_the_chart():
    fig = plotting.rates_chart(handmade(), by="agency")
    fig.draw_without_rendering()
    renderer = fig._get_renderer()
    (cap,) = [t for t in fig.texts if t.get_gid() == CAPTION_GID]
    box = cap.get_window_extent(renderer)
    assert box.y0 >= 0 and box.x1 <= fig.bbox.x1 + 1  # inside: the saved files and the notebook show it
    for ax in fig.axes:
        assert ax.get_tightbbox(renderer).y0 > box.y1  # under every panel, its tick labels included
    for legend in fig.legends:
        assert not legend.get_window_extent(renderer).overlaps(box)


def test_the_source_says_which_reports_years_and_agencies():
    tables = handmade()
    assert plotting.source_text(tables["reports"]) == "来源：3 份报告，2021–2022，2 个机关"
    assert plotting.source_text(tables["reports"], "en") == "Source: 3 report(s), 2021–2022, 2 agencies"


def test_a_long_caption_line_is_wrapped_to_the_figure_width():
    line = measures.definition("litigation_rate") * 3
    wrapped = plotting.wrap_text(line, 300, 8)
    assert wrapped.replace("\n", "").replace(" ", "") == line.replace(" ", "")  # nothing lost
    assert wrapped.count("\n") >= 3
    assert all(plotting._em(part) * 8 <= 300 for part in wrapped.split("\n"))


@pytest.mark.parametrize("chart", list(CHARTS))
def test_an_empty_selection_says_no_data_and_still_has_a_caption(chart):
    tables = handmade()
    tables["requests"]["count"] = pd.NA
    tables["requests"]["cell_status"] = "missing"
    tables["reviews"]["count"] = pd.NA
    tables["reviews"]["cell_status"] = "missing"
    fig = CHARTS[chart](tables, "zh")
    texts = [t.get_text() for t in fig.findobj(matplotlib.text.Text)]
    assert plotting.text("no_data") in texts or any(t.strip().startswith("NA") for t in texts)
    assert caption_of(fig).startswith("来源：")


# --- ticks and labels at scale ------------------------------------------------------------------------

AT_SCALE = {
    **BY_AGENCY,
    "volumes_year": lambda t: plotting.volumes_chart(t),
    "applicants_year": lambda t: plotting.applicant_mix_chart(t),
    "rates_year": lambda t: plotting.rates_chart(t),
    "reviews_year": lambda t: plotting.reviews_chart(t),
    "reasons": lambda t: plotting.reasons_chart(t),
    "ranking": lambda t: plotting.ranking_chart(measures.rates(t), "substantive_disclosure_rate"),
    "coverage": lambda t: plotting.coverage_chart(corpus.coverage(t)),
}


def _overlapping(labels) -> list[tuple[str, str]]:
    boxes = [(t.get_text(), t.get_window_extent()) for t in labels if t.get_text() and t.get_visible()]
    return [(a, b) for i, (a, ba) in enumerate(boxes) for b, bb in boxes[i + 1 :] if ba.overlaps(bb)]


def _is_percent(axis) -> bool:
    return isinstance(axis.get_major_formatter(), matplotlib.ticker.PercentFormatter)


@pytest.mark.filterwarnings("error:constrained_layout not applied")
@pytest.mark.parametrize("chart", list(AT_SCALE))
def test_at_scale_labels_do_not_overlap_counts_are_whole_and_shares_stop_at_100(chart, national):
    fig = AT_SCALE[chart](national)
    fig.draw_without_rendering()
    for ax in fig.axes:
        for labels in (ax.get_xticklabels(), ax.get_yticklabels()):
            assert not _overlapping(labels), (chart, _overlapping(labels)[:2])
        for axis, limits in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
            ticks = [t for t in axis.get_majorticklocs() if min(limits) <= t <= max(limits)]
            if _is_percent(axis):  # ticks to 100 %, or to the longest bar when a rate passes 100 %
                drawn = [p.get_width() if axis is ax.xaxis else p.get_height() for p in ax.patches]
                assert max(ticks) <= max(1.0, *drawn) + 1e-9, (chart, ticks)
            elif isinstance(axis.get_major_locator(), matplotlib.ticker.MaxNLocator):
                assert all(float(t).is_integer() for t in ticks), (chart, ticks)


def test_a_rate_over_100_percent_gets_ticks_to_its_value_and_no_interval():
    """Lawsuits per new request can pass 100 %: the axis shows it; a Wilson interval (a proportion's) is not
    drawn for it."""
    tables = handmade()
    rv = tables["reviews"]
    rv.loc[
        (rv["report_id"] == "a2021") & (rv["proceeding"] == "litigation_direct") & (rv["outcome"] == "total"),
        "count",
    ] = 90
    fig = plotting.rates_chart(tables, by="agency", rates=("litigation_rate",))
    fig.draw_without_rendering()
    ax = fig.axes[0]
    assert max(ax.get_xticks()) > 1.0
    assert any(t.get_text().startswith("225.0% (90/40)") for t in ax.texts)
    assert not any(isinstance(c, matplotlib.container.ErrorbarContainer) for c in ax.containers)


def test_a_volume_row_is_named_by_its_panel(national):
    fig = plotting.volumes_chart(national)
    titles = [ax.get_title().replace("\n", "") for ax in fig.axes]
    assert titles == [label(r, REQUEST_ROWS, "zh") for r in measures.VOLUME_ROWS]
