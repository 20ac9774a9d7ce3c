"""Derived measures on the hand-made corpus (tests/handmade.py), against values worked out by hand."""

import pandas as pd
import pytest

from handmade import corpus
from xxgk.analysis import measures
from xxgk.contract.codes import OUTCOME_GROUPS


@pytest.fixture
def tables():
    return corpus()


def _rate(frame, report_id, measure):
    row = frame[(frame.report_id == report_id) & (frame.measure == measure)]
    assert len(row) == 1
    return row.iloc[0]


def _share(frame, report_id, category):
    row = frame[(frame.report_id == report_id) & (frame.category == category)]
    assert len(row) == 1
    return row.iloc[0]


def test_small_n_threshold_is_formats_30():
    assert measures.SMALL_N == 30


@pytest.mark.parametrize(
    "report_id, measure, num, den, value, small",
    [
        ("a2021", "substantive_disclosure_rate", 25, 40, 0.625, False),
        ("a2021", "not_held_rate", 6, 40, 0.15, False),
        ("a2021", "review_correction_rate", 1, 4, 0.25, True),
        ("a2021", "litigation_rate", 2, 40, 0.05, False),
        ("a2021", "backlog", 2, 42, 2 / 42, False),
        ("b2021", "substantive_disclosure_rate", 5, 10, 0.5, True),
        ("b2021", "not_held_rate", 3, 10, 0.3, True),
        ("b2021", "backlog", 0, 10, 0.0, True),
        ("a2022", "substantive_disclosure_rate", 35, 50, 0.7, False),
        ("a2022", "review_correction_rate", 1, 3, 1 / 3, True),
    ],
)
def test_rates_by_hand(tables, report_id, measure, num, den, value, small):
    row = _rate(measures.rates(tables), report_id, measure)
    assert (row.numerator, row.denominator) == (num, den)
    assert row.value == pytest.approx(value)
    assert row.is_small_n is small or row.is_small_n == small


def test_absent_table_four_gives_na_not_zero(tables):
    r = measures.rates(tables)
    b = _rate(r, "b2021", "litigation_rate")
    assert pd.isna(b.numerator) and pd.isna(b.value) and b.denominator == 10
    assert pd.isna(_rate(r, "b2021", "review_correction_rate").value)
    # a2022 has a review block but no litigation rows: litigation is unknown, not 0
    assert pd.isna(_rate(r, "a2022", "litigation_rate").value)


def test_refusal_mix_by_hand(tables):
    mix = measures.refusal_mix(tables)
    a = mix[mix.report_id == "a2021"].set_index("category")
    assert len(a) == 8 and set(a.denominator) == {4}
    assert a.loc["denied_state_secret", "share"] == pytest.approx(0.25)
    assert a.loc["denied_third_party", "share"] == pytest.approx(0.5)
    assert a.loc["denied_process_info", "share"] == pytest.approx(0.25)
    assert a.loc["denied_admin_query", "share"] == 0
    # b2021: one reason missing, one "/": the refusal mix is unknown, every share NA
    b = mix[mix.report_id == "b2021"]
    assert b.share.isna().all() and b.denominator.isna().all()
    # a2022 (2019 format): 5 refusals, all process information
    c = mix[mix.report_id == "a2022"].set_index("category")
    assert c.loc["denied_process_info", "share"] == 1.0 and c.loc["denied_process_info", "denominator"] == 5


def test_refusal_mix_with_no_refusals_is_na_not_zero(tables):
    tables["requests"].loc[tables["requests"].row_code.eq("denied_admin_query"), ["count", "cell_status"]] = [
        0,
        "printed",
    ]
    tables["requests"].loc[
        tables["requests"].row_code.eq("denied_state_secret"), ["count", "cell_status"]
    ] = [0, "printed"]
    tables["requests"].loc[
        tables["requests"].row_code.eq("denied_state_secret") & tables["requests"].report_id.eq("a2021"),
        "count",
    ] = 1
    b = measures.refusal_mix(tables).query("report_id == 'b2021'")
    assert (b.denominator == 0).all() and b.share.isna().all()


def test_outcome_mix_by_hand(tables):
    mix = measures.outcome_mix(tables)
    a = mix[mix.report_id == "a2021"].set_index("category")
    assert list(a.index) == list(OUTCOME_GROUPS)
    expected = {
        "granted": 20,
        "partially_granted": 5,
        "denied": 4,
        "unable": 7,
        "not_processed": 3,
        "other": 1,
    }
    assert a.numerator.to_dict() == expected
    assert a.share.to_dict() == pytest.approx({k: v / 40 for k, v in expected.items()})
    # the 2019-format report: "other" is its single other_processed row
    c = mix[mix.report_id == "a2022"].set_index("category")
    assert c.loc["other", "numerator"] == 5 and c.loc["other", "share"] == pytest.approx(0.1)
    # b2021 lacks a denied cell: the denied group and so every share is NA
    b = mix[mix.report_id == "b2021"]
    assert b.share.isna().all()
    assert b.set_index("category").loc["granted", "numerator"] == 4
    assert measures.shares_sum_to_one(mix)
    assert measures.na_kept(mix, tables)


def test_other_mix_per_template(tables):
    mix = measures.reason_mix(tables, "other")
    assert set(mix[mix.report_id == "a2022"].category) == {"other_processed"}
    assert set(mix[mix.report_id == "a2021"].category) == {
        "other_overdue_correction",
        "other_overdue_fee",
        "other_other",
    }
    with pytest.raises(ValueError, match="unknown outcome group 'refused'"):
        measures.reason_mix(tables, "refused")


def test_applicant_mix(tables):
    mix = measures.applicant_mix(tables)
    a = mix[mix.report_id == "a2021"].set_index("category")
    assert a.loc["natural_person", "share"] == pytest.approx(35 / 40)
    assert a.loc["commercial", "share"] == pytest.approx(5 / 40)
    assert "total" not in set(mix.category)
    assert measures.shares_sum_to_one(mix)


def test_pool_uses_known_reports_only(tables):
    pooled = measures.pool(measures.rates(tables), ["year", "measure"]).set_index(["year", "measure"])
    s = pooled.loc[(2021, "substantive_disclosure_rate")]
    assert (s.numerator, s.denominator, s.n_reports, s.n_missing) == (30, 50, 2, 0)
    assert s.value == pytest.approx(0.6)
    lit = pooled.loc[(2021, "litigation_rate")]
    assert (lit.numerator, lit.denominator, lit.n_reports, lit.n_missing) == (2, 40, 1, 1)
    none = pooled.loc[(2022, "litigation_rate")]
    assert pd.isna(none.value) and none.n_reports == 0 and none.n_missing == 1


def test_pool_counts_and_totals_match(tables):
    vols = measures.volumes(tables)
    pooled = measures.pool(vols, ["year", "row_code"]).set_index(["year", "row_code"])
    assert pooled.loc[(2021, "new_received"), "count"] == 50
    assert pooled.loc[(2022, "carried_forward"), "count"] == 2
    assert measures.totals_match(pooled.reset_index(), tables)
    assert measures.na_kept(vols, tables)


def test_volumes_keep_missing_cells_na(tables):
    req = tables["requests"]
    req.loc[(req.report_id == "b2021") & (req.row_code == "new_received"), ["count", "cell_status"]] = [
        None,
        "missing",
    ]
    vols = measures.volumes(tables).set_index(["report_id", "row_code"])
    assert pd.isna(vols.loc[("b2021", "new_received"), "count"])
    assert measures.na_kept(vols.reset_index(), tables)
    # ... and the checker catches a frame that turned it into 0
    broken = vols.reset_index().fillna({"count": 0})
    assert not measures.na_kept(broken, tables)
    pooled = measures.pool(vols.reset_index(), ["year", "row_code"]).set_index(["year", "row_code"])
    assert pooled.loc[(2021, "new_received"), "count"] == 40
    assert pooled.loc[(2021, "new_received"), "n_missing"] == 1


def test_rank_skips_small_n_and_na(tables):
    r = measures.rates(tables)
    ranked = measures.rank(r, "substantive_disclosure_rate")
    assert list(ranked.report_id) == ["a2022", "a2021", "b2021"]
    assert ranked["rank"].tolist()[:2] == [1, 2] and pd.isna(ranked["rank"].iloc[2])
    ranked = measures.rank(r, "litigation_rate")
    assert ranked["rank"].tolist()[0] == 1 and ranked["rank"].isna().sum() == 2


def test_shares_sum_to_one_detects_a_bad_mix(tables):
    mix = measures.outcome_mix(tables)
    mix.loc[0, "share"] = 0.9
    assert not measures.shares_sum_to_one(mix)


def test_rate_table_shows_counts_and_marks_small_n(tables):
    a = measures.rates(tables).query("agency == '甲局'")
    table = measures.rate_table(a, "en")
    assert table.loc["Substantive disclosure rate", 2021] == "62.5% (25/40)"
    assert table.loc["Review correction rate", 2021] == "25.0% (1/4)*"
    assert table.loc["Litigation rate", 2022] == "NA (NA/50)"
    assert list(table.index)[0] == "Substantive disclosure rate"


def test_pooled_mix_shares_sum_to_one_across_templates(tables):
    mix = measures.reason_mix(tables, "other")
    pooled = measures.pool(mix, ["category"]).set_index("category")
    # a2021 has 1 other (overdue correction), a2022 5 other_processed; b2021 has 0 others, printed
    assert pooled["denominator"].unique().tolist() == [6]
    assert pooled.loc["other_processed", "share"] == pytest.approx(5 / 6)
    assert pooled.loc["other_overdue_correction", "share"] == pytest.approx(1 / 6)
    assert pooled["share"].sum() == pytest.approx(1)
    assert set(pooled["n_reports"]) == {3}


def test_pooled_outcome_mix_leaves_out_incomplete_reports(tables):
    pooled = measures.pool(measures.outcome_mix(tables), ["year", "category"]).set_index(["year", "category"])
    g = pooled.loc[(2021, "granted")]
    assert (g.numerator, g.denominator, g.n_reports, g.n_missing) == (20, 40, 1, 1)
    assert measures.shares_sum_to_one(pooled.reset_index(), by=["year"])


def test_review_totals_match(tables):
    pooled = measures.pool(measures.review_counts(tables), ["year", "proceeding", "outcome"])
    assert measures.totals_match(pooled, tables)
    pooled.loc[0, "count"] = 99
    assert not measures.totals_match(pooled, tables)


def test_headline_pools_volumes_and_rates(tables):
    h = measures.headline(tables, "en").set_index("figure")
    assert h.loc["New requests this year", "value"] == "100"
    assert h.loc["Substantive disclosure rate", "value"] == "65.0% (65/100)"
    assert h.loc["Litigation rate", "value"] == "5.0% (2/40)"
    assert (h.loc["Litigation rate", "n_reports"], h.loc["Litigation rate", "n_missing"]) == (1, 2)
    assert h.loc["Review correction rate", "value"].endswith("*")


def test_small_n_unranked(tables):
    ranked = measures.rank(measures.rates(tables), "substantive_disclosure_rate")
    assert measures.small_n_unranked(ranked)
    ranked.loc[ranked.report_id == "b2021", "rank"] = 3
    assert not measures.small_n_unranked(ranked)


def test_tables_for_display(tables):
    vt = measures.volume_table(tables)
    assert list(vt.columns) == ["agency", "year", "report_id", *measures.VOLUME_ROWS]
    rt = measures.review_table(tables)
    assert rt.loc[("甲局", 2021, "a2021"), ("review", "corrected")] == 1
    assert pd.isna(rt.loc[("乙局", 2021, "b2021"), ("review", "total")])


def test_review_counts_keep_absent_blocks_na(tables):
    counts = measures.review_counts(tables)
    # b2021 has no table 四 (15 NA), a2022 no litigation rows (10 NA)
    assert counts["count"].isna().sum() == 25
    assert measures.na_kept(counts, tables)
    assert not measures.na_kept(counts.fillna({"count": 0}), tables)


def test_derived_cells_count_as_numbers(tables):
    req = tables["requests"]
    req.loc[(req.report_id == "a2021") & (req.row_code == "granted"), "cell_status"] = "derived"
    row = _rate(measures.rates(tables), "a2021", "substantive_disclosure_rate")
    assert (row.numerator, row.denominator) == (25, 40)
