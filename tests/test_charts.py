"""Issue 13: what the charts draw — no report with data left out, a legend entry per drawn series,
readable labels, integer count axes, explained marks — and the notebooks' parameters."""

from __future__ import annotations

import matplotlib
import pandas as pd
import pytest

from handmade import corpus
from xxgk.analysis import measures, plotting


def _with_template(template: str, row_dtype: str) -> dict:
    """The hand-made corpus with its 2019-format report (a2022) labelled ``template``, the row codes held
    in ``row_dtype`` (object, string, string[pyarrow]: a parquet file and a frame built in memory differ)."""
    tables = corpus()
    reports = tables["reports"]
    reports.loc[reports["report_id"] == "a2022", "template"] = template
    tables["requests"] = tables["requests"].astype({"row_code": row_dtype})
    return tables


@pytest.mark.parametrize("row_dtype", ["object", "string", "string[pyarrow]"])
@pytest.mark.parametrize("template", ["2019", "hybrid", "unknown", None])
def test_a_report_with_2019_rows_is_never_left_out_of_the_outcome_mix(template, row_dtype):
    """A report whose table 三 prints the single 其他处理 row (2019 format, or a hybrid template) is read by
    its rows whatever its template label or the column's dtype: its outcome mix and 其他处理 panel have
    numbers (淮安市洪泽区 2024 was silently dropped)."""
    tables = _with_template(template, row_dtype)
    mix = measures.outcome_mix(tables)
    own = mix[mix["report_id"] == "a2022"].set_index("category")
    assert own["share"].notna().all(), own
    assert int(own.loc["other", "numerator"]) == 5
    other = measures.reason_mix(tables, "other")
    assert other.loc[other["report_id"] == "a2022", "share"].notna().all()
    fig = plotting.outcome_mix_chart(tables, by="agency")
    texts = [t.get_text() for t in fig.findobj(matplotlib.text.Text)]
    assert "n=90" in texts, texts  # 甲局 pools its two years: 40 + 50 handled


def _texts(fig) -> list[str]:
    fig.draw_without_rendering()
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text()]


def _legend_labels(fig) -> list[str]:
    legends = [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend())]
    return [t.get_text() for lg in legends for t in lg.get_texts()]


def _first_year_missing(tables: dict, row: str) -> dict:
    """The first group (甲局 2021) lacks ``row``: the series' first bar is NA."""
    rq = tables["requests"]
    cut = (rq["report_id"] == "a2021") & (rq["row_code"] == row)
    rq.loc[cut, "count"] = pd.NA
    rq.loc[cut, "cell_status"] = "missing"
    return tables


@pytest.mark.parametrize("by", ["year", "agency"])
@pytest.mark.parametrize("row", list(measures.VOLUME_ROWS))
def test_a_series_whose_first_group_is_na_keeps_its_name(by, row):
    """Every drawn series is named, by a legend entry or, in small multiples, by its own panel's title."""
    tables = _first_year_missing(corpus(), row)
    fig = plotting.volumes_chart(tables, by=by, balanced=False)
    from xxgk.contract.codes import REQUEST_ROWS, label

    titles = [ax.get_title().replace("\n", "") for ax in fig.axes]
    assert label(row, REQUEST_ROWS, "zh") in _legend_labels(fig) + titles
    # and the note names the report that was left out, not just a count
    assert any("甲局 2021" in t for t in _texts(fig))


def _many_agencies(n: int) -> dict:
    """The hand-made corpus with its 2021 report copied to ``n`` agencies with long names."""
    tables = corpus()
    reports, requests, reviews = tables["reports"], tables["requests"], tables["reviews"]
    new_r, new_q, new_v = [reports], [requests], [reviews]
    for i in range(n):
        rid = f"x{i}"
        r = reports[reports["report_id"] == "a2021"].assign(
            report_id=rid, agency=f"某某省某某市某某区第{i}政务服务数据管理局", agency_id=f"id{i}"
        )
        r["agency_name"] = r["agency"]
        new_r.append(r)
        new_q.append(requests[requests["report_id"] == "a2021"].assign(report_id=rid))
        new_v.append(reviews[reviews["report_id"] == "a2021"].assign(report_id=rid))
    tables.update(
        reports=pd.concat(new_r, ignore_index=True),
        requests=pd.concat(new_q, ignore_index=True),
        reviews=pd.concat(new_v, ignore_index=True),
    )
    return tables


BY_AGENCY = {
    "volumes": lambda t: plotting.volumes_chart(t, by="agency"),
    "rates": lambda t: plotting.rates_chart(
        t, by="agency", rates=("substantive_disclosure_rate", "not_held_rate")
    ),
    "reviews": lambda t: plotting.reviews_chart(t, by="agency"),
}


def _overlaps(labels) -> list[tuple[str, str]]:
    boxes = [(t.get_text(), t.get_window_extent()) for t in labels if t.get_text() and t.get_visible()]
    return [(a, b) for (a, ba), (b, bb) in zip(boxes, boxes[1:], strict=False) if ba.overlaps(bb)]


@pytest.mark.parametrize("n", [9, 15])
@pytest.mark.parametrize("chart", list(BY_AGENCY))
def test_agency_tick_labels_do_not_overlap(chart, n):
    fig = BY_AGENCY[chart](_many_agencies(n))
    fig.draw_without_rendering()
    for ax in fig.axes:
        for labels in (ax.get_xticklabels(), ax.get_yticklabels()):
            assert not _overlaps(labels), (chart, _overlaps(labels)[:2])


@pytest.mark.parametrize("chart", ["volumes", "reviews"])
def test_count_axes_have_whole_number_ticks(chart):
    tables = corpus()
    tables["requests"]["count"] = tables["requests"]["count"].clip(upper=2)  # small counts: 0.5 steps
    tables["reviews"]["count"] = tables["reviews"]["count"].clip(upper=1)
    fig = (plotting.volumes_chart if chart == "volumes" else plotting.reviews_chart)(tables, balanced=False)
    fig.draw_without_rendering()
    for ax in fig.axes:
        ticks = [t for t in ax.get_yticks() if ax.get_ylim()[0] <= t <= ax.get_ylim()[1]]
        assert all(float(t).is_integer() for t in ticks), ticks


def test_share_axes_stop_at_100_percent():
    fig = plotting.rates_chart(corpus(), by="agency")
    fig.draw_without_rendering()
    for ax in fig.axes:
        assert all(t <= 1.0 for t in ax.get_yticks()), ax.get_yticks()


def test_an_empty_selection_says_no_data_in_words():
    tables = corpus()
    tables["requests"]["count"] = pd.NA
    tables["requests"]["cell_status"] = "missing"
    for fig in (
        plotting.rates_chart(tables),
        plotting.ranking_chart(measures.rates(tables), "not_held_rate"),
    ):
        texts = _texts(fig)
        assert "无数据" in texts
        assert not any(t.startswith("NA NA") for t in texts)


CHARTS = {
    "volumes": lambda t: plotting.volumes_chart(t, balanced=False),
    "outcomes": lambda t: plotting.outcome_mix_chart(t, by="agency"),
    "applicants": lambda t: plotting.applicant_mix_chart(t, by="agency"),
    "reasons": lambda t: plotting.reasons_chart(t),
    "rates": lambda t: plotting.rates_chart(t, by="agency"),
    "reviews": lambda t: plotting.reviews_chart(t, by="agency"),
    "ranking": lambda t: plotting.ranking_chart(measures.rates(t), "substantive_disclosure_rate"),
    "report_card": lambda t: plotting.report_card(t, "甲局"),
}


@pytest.mark.parametrize("chart", list(CHARTS))
def test_every_mark_a_chart_draws_is_explained(chart):
    """Hatching (small N), "*" and "NA" each have a legend entry in the chart that draws them."""
    fig = CHARTS[chart](corpus())
    fig.draw_without_rendering()
    hatched = any(p.get_hatch() for ax in fig.axes for p in ax.patches)
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    legend = _legend_labels(fig)
    assert not hatched or plotting.text("small_n") in legend
    assert not any("*" in t for t in texts) or plotting.text("star_mark") in legend
    assert (
        not any(t.strip() == "NA" or t.strip().startswith("NA (") for t in texts)
        or plotting.text("na_mark") in legend
    )


def test_a_ranking_shows_ties_intervals_and_no_raw_floats():
    tables = _many_agencies(3)
    ranked = measures.rank(measures.rates(tables), "substantive_disclosure_rate")
    assert ranked["tied"].sum() >= 3  # identical copies share one rank
    assert (ranked.loc[ranked["rank"].notna(), "low"] < ranked.loc[ranked["rank"].notna(), "value"]).all()
    shown = measures.rank_table(ranked)
    assert shown.iloc[:, 0].str.endswith("=").sum() >= 3
    cells = shown.to_numpy().ravel().astype(str)
    assert not any("0.6" in c and "%" not in c for c in cells), cells
    fig = plotting.ranking_chart(measures.rates(tables), "substantive_disclosure_rate")
    assert plotting.text("interval") in _legend_labels(fig)


def test_a_rendered_page_has_no_code_cells_unless_asked(tmp_path):
    """The shared HTML shows outputs, not code (nor the injected parameters cell with its escapes)."""
    import nbformat

    from xxgk.run.batch import render_html

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell('agencies = ["\\u5e73"]  # injected\nprint("输出")')
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="输出\n")]
    nb.cells = [nbformat.v4.new_markdown_cell("# 标题"), cell]
    path = tmp_path / "x.ipynb"
    nbformat.write(nb, path)
    hidden = render_html(path, tmp_path / "x.html").read_text(encoding="utf-8")
    assert "输出" in hidden and "标题" in hidden
    assert "injected" not in hidden and "\\u5e73" not in hidden
    shown = render_html(path, tmp_path / "y.html", show_code=True).read_text(encoding="utf-8")
    assert "injected" in shown
