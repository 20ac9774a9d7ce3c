"""Every seed cell against values read by hand from the documents (tests/golden/seeds/*.json).

The golden files were typed from the report texts, not copied from parser output; their notes say where
the documents are ambiguous and what was decided.
"""

from __future__ import annotations

import json

import pytest

from conftest import GOLDEN, SEEDS
from xxgk.testing.score import score_report

GOLDEN_FILES = sorted((GOLDEN / "seeds").glob("*.json"))


def _expected(path):
    return json.loads(path.read_text(encoding="utf-8"))


def test_every_seed_has_a_golden_file():
    assert [p.stem for p in GOLDEN_FILES] == [p.stem for p in SEEDS]


@pytest.mark.parametrize("path", GOLDEN_FILES, ids=lambda p: p.stem[:3])
def test_cells_match_the_document(seed_tables, path):
    score = score_report(seed_tables, path.stem, _expected(path))
    assert score.cells == 25 * 7 + 15 + 10
    assert (score.wrong, score.missing, score.invented) == ([], [], [])


@pytest.mark.parametrize("path", GOLDEN_FILES, ids=lambda p: p.stem[:3])
def test_metadata_and_status(seed_tables, path):
    expected = _expected(path)
    report = seed_tables["reports"].set_index("report_id").loc[path.stem]
    assert report["agency"] == expected["agency"]
    assert report["year"] == expected["year"]
    assert report["template"] == expected["template"]
    assert report["status"] == expected["status"]


@pytest.mark.parametrize("path", GOLDEN_FILES, ids=lambda p: p.stem[:3])
def test_prose_facts(seed_tables, path):
    facts = seed_tables["facts"][seed_tables["facts"]["report_id"] == path.stem]
    got = {}
    for row in facts.itertuples():
        got.setdefault(row.fact_code, set()).add(row.value)
    assert got == {code: {float(v)} for code, v in _expected(path)["facts"].items()}


def test_truncated_rows_are_na_never_zero(seed_tables):
    req = seed_tables["requests"].set_index(["report_id", "row_code", "applicant_code"]).sort_index()
    for rid, first_missing in (
        ("001_6f2acd3446c667ed", "unable_unclear"),
        ("003_764e72984481385d", "not_processed_petition"),
    ):
        cells = req.loc[(rid, first_missing)]
        assert cells["count"].isna().all()
        assert (cells["cell_status"] == "missing").all()
        assert req.loc[(rid, "carried_forward"), "count"].isna().all()


def _issues(tables, rid):
    issues = tables["issues"]
    return issues[issues["report_id"] == rid]


def test_truncation_is_an_issue_and_the_report_incomplete(seed_tables):
    for rid, after in (
        ("001_6f2acd3446c667ed", "unable_needs_creation"),
        ("003_764e72984481385d", "unable_unclear"),
    ):
        issues = _issues(seed_tables, rid)
        truncated = issues[issues["check"] == "table_truncated"]
        assert len(truncated) == 1
        assert after in truncated["message"].iloc[0]
        assert truncated["severity"].iloc[0] == "error"


def test_short_table4_line_leaves_litigation_na_with_an_issue(seed_tables):
    rid = "004_7b8566f6eb984e20"
    issues = _issues(seed_tables, rid)
    assert (issues["check"] == "table4_incomplete").sum() == 1
    reviews = seed_tables["reviews"].set_index(["report_id", "proceeding"]).sort_index()
    assert reviews.loc[(rid, "litigation_direct"), "count"].isna().all()
    assert reviews.loc[(rid, "litigation_after_review"), "count"].isna().all()
    # The prose says 行政诉讼 3 件: a prose-vs-table issue, not a number moved into the table.
    prose = issues[(issues["check"] == "prose_vs_table") & (issues["expected"] == "3")]
    assert "litigation_total" in prose["message"].iloc[0]


def test_cut_off_fee_cell_is_na_with_an_issue(seed_tables):
    rid = "002_b847a032e5b4b35d"
    pro = seed_tables["proactive"].set_index(["report_id", "item_code", "measure"])
    assert pd_isna(pro.loc[(rid, "administrative_fees", "amount_10k_yuan"), "value"])
    issues = _issues(seed_tables, rid)
    assert ((issues["check"] == "cell_missing") & issues["message"].str.contains("administrative_fees")).any()


def pd_isna(value) -> bool:
    import pandas as pd

    return bool(pd.isna(value))


def test_every_number_has_its_source_line(seed_tables):
    for name in ("requests", "reviews"):
        df = seed_tables[name]
        printed = df[df["cell_status"] == "printed"]
        assert printed["source_line"].notna().all()
    # Spot check by hand: 004 line 69 is the 不掌握 row (411 … 427).
    req = seed_tables["requests"].set_index(["report_id", "row_code", "applicant_code"]).sort_index()
    cell = req.loc[("004_7b8566f6eb984e20", "unable_not_held", "total")]
    assert (cell["count"], cell["source_line"]) == (427, 69)


def test_clean_seed_has_no_issues(seed_tables):
    assert _issues(seed_tables, "000_d808f0727db992c8").empty
