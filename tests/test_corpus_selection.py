"""Loading and selecting the corpus, and the quality summaries of notebook 00."""

import re

import pytest

from handmade import corpus
from xxgk.analysis import corpus as xc


def test_paths_come_from_the_package_not_the_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert (xc.repo_root() / "pyproject.toml").exists()
    assert xc.resolve("") == xc.repo_root() / "data" / "processed"
    assert xc.resolve("data/x") == xc.repo_root() / "data" / "x"
    assert xc.resolve(tmp_path) == tmp_path


def test_load_without_parsed_tables_says_what_to_run(tmp_path):
    with pytest.raises(FileNotFoundError, match=re.escape(f"xxgk parse data/raw --out {tmp_path}`")):
        xc.load(tmp_path)  # the command that writes the tables where they were looked for


def test_select_keeps_rows_of_the_selected_reports():
    tables = xc.select(corpus(), years=["2021"], agencies=["甲局"])
    assert set(tables["reports"].report_id) == {"a2021"}
    assert set(tables["requests"].report_id) == {"a2021"}
    assert set(tables["reviews"].report_id) == {"a2021"}
    assert len(xc.select(corpus())["requests"]) == len(corpus()["requests"])


def test_select_rejects_unknown_agencies_and_years():
    with pytest.raises(ValueError, match=r"agencies \['丙局'\]"):
        xc.select(corpus(), agencies=["丙局"])
    with pytest.raises(ValueError, match=r"years \[1999\]"):
        xc.select(corpus(), years=[1999])


def test_quality_summaries():
    t = corpus()
    assert xc.status_by_year(t).loc["total", "incomplete"] == 1
    summary = xc.issues_summary(t, "en")
    assert summary.loc["row_missing", "error"] == 1
    assert summary.loc["row_missing", "label"] == "A row of the template is not in the document"
    counts = xc.cell_status_counts(t)
    assert counts.loc["requests", "missing"] == 7 and counts.loc["requests", "not_applicable"] == 7
    assert list(xc.identity_failures(t).columns[2:]) == list(xc.IDENTITY_CHECKS)


def test_issue_counts_and_na_status_checks():
    t = corpus()
    assert xc.issue_counts_match(t) and xc.na_matches_status(t)
    t["requests"].loc[t["requests"].cell_status == "missing", "count"] = 0  # a NA turned into 0
    assert not xc.na_matches_status(t)
    t["reports"].loc[0, "n_issues"] = 5
    assert not xc.issue_counts_match(t)
