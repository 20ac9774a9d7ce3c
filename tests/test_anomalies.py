"""Anomalies across the corpus (notebook 70, ``xxgk.analysis.anomalies``).

A constructed corpus of synthetic reports (``xxgk.testing.synth``: every identity holds) with anomalies
planted — a table 三 copied to another agency, one copied to the next year, an all-zero report, a total off
by one, a not-held rate of 100 % over 200 requests — must list exactly the planted reports; the same corpus
without them lists none. Then the sample and the synthetic national panel.
"""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

import xxgk
from xxgk.analysis import anomalies, corpus
from xxgk.contract import codes
from xxgk.contract.checks import CHECKS
from xxgk.contract.codes import label
from xxgk.testing.national import generate
from xxgk.testing.synth import NA_MARK, draw, render

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"


def _nonzero(truth) -> int:
    return sum(isinstance(c, int) and c != 0 for cells in truth.requests.values() for c in cells)


#: The outcome mix every clean report is drawn from (one population: no report is extreme by design).
MIX = {"granted": 0.5, "partially_granted": 0.1, "unable_not_held": 0.2, "denied_third_party": 0.1}
MIX["not_processed_repeat"] = 0.1


def _homogeneous(truth, rng: random.Random):
    """The report with table 三 drawn from :data:`MIX`: 30–300 requests handled, each by a natural person
    (80 %) or a business, 5 % more carried forward, nothing carried over; no review or lawsuit. Every
    identity holds."""
    rows, outcomes = codes.request_rows("2021"), list(MIX)
    counts = {r: [0] * 6 for r in rows}
    for _ in range(rng.randint(30, 300)):
        who = 0 if rng.random() < 0.8 else 1
        counts[rng.choices(outcomes, weights=list(MIX.values()))[0]][who] += 1
        counts["total_processed"][who] += 1
        if rng.random() < 0.05:
            counts["carried_forward"][who] += 1
    for j in range(6):
        counts["new_received"][j] = counts["total_processed"][j] + counts["carried_forward"][j]
    requests = {r: (*c, sum(c)) for r, c in counts.items()}
    reviews = {p: (0, 0, 0, 0, 0) for p in truth.reviews}
    return replace(truth, requests=requests, reviews=reviews, facts={})


def _clean(n: int = 30, seed: int = 7) -> list:
    """``n`` reports of one population (:func:`_homogeneous`), each of another agency."""
    rng, out, names = random.Random(seed), [], set()
    while len(out) < n:
        t = draw(rng, "2021")
        if t.agency not in names:
            names.add(t.agency)
            out.append(_homogeneous(t, rng))
    return out


def _fresh(rng: random.Random, names: set):
    """A report of an agency not in ``names`` (added to it)."""
    while True:
        t = draw(rng, "2021")
        if t.agency not in names:
            names.add(t.agency)
            return t


def _zeros(truth):
    zero = {r: tuple(NA_MARK if c == NA_MARK else 0 for c in cells) for r, cells in truth.requests.items()}
    return replace(truth, requests=zero, facts={})


def _not_held(truth, n: int = 200):
    """Every request handled answered 本机关不掌握 (natural persons): a not-held rate of n/n."""
    rows = codes.request_rows("2021")
    cells = {r: (0,) * 7 for r in rows}
    for r in ("new_received", "unable_not_held", "total_processed"):
        cells[r] = (n, 0, 0, 0, 0, 0, n)
    return replace(truth, requests=cells, reviews={p: (0,) * 5 for p in truth.reviews}, facts={})


def _off_by_one(truth):
    cells = dict(truth.requests)
    total = list(cells["total_processed"])
    total[6] += 1
    cells["total_processed"] = tuple(total)
    return replace(truth, requests=cells, facts={})


def _parse(truths, folder: Path) -> dict:
    rng = random.Random(1)
    for i, t in enumerate(truths):
        (folder / f"r{i:03d}.txt").write_text(render(t, "tsv", rng).text, encoding="utf-8")
    return xxgk.parse_many([folder])


@pytest.fixture(scope="module")
def constructed(tmp_path_factory):
    clean = _clean()
    rng, names = random.Random(100), {t.agency for t in clean}
    a, b, c, d = (_fresh(rng, names) for _ in range(4))  # the planted reports' agencies: each its own
    planted = {
        "copy_other_agency": replace(clean[0], agency=a.agency),  # clean[0]'s table under another name
        "copy_next_year": replace(clean[1], year=clean[1].year + 1),  # clean[1] printed again a year on
        "zeros": _zeros(b),
        "off_by_one": _off_by_one(replace(clean[2], agency=c.agency)),  # not a copy: its total differs
        "not_held": _not_held(d),
    }
    with_plants = _parse([*clean, *planted.values()], tmp_path_factory.mktemp("planted"))
    without = _parse(clean, tmp_path_factory.mktemp("clean"))
    n = len(clean)
    ids = {key: f"r{n + i:03d}" for i, key in enumerate(planted)}
    return with_plants, without, ids


def test_the_planted_anomalies_are_listed(constructed):
    tables, _, ids = constructed
    same = anomalies.identical_tables(tables, "en")
    groups = {frozenset(g["report_id"]) for _, g in same.groupby("group")}
    assert groups == {
        frozenset({"r000", ids["copy_other_agency"]}),
        frozenset({"r001", ids["copy_next_year"]}),
    }
    kinds = dict(zip(same["report_id"], same["kind"], strict=True))
    assert kinds["r000"] == "across agencies" and kinds["r001"] == "across years of one agency"
    zeros = anomalies.all_zero_tables(tables, "en")
    assert set(zeros.loc[zeros["table"] == "table 三 (requests)", "report_id"]) == {ids["zeros"]}
    # the total off by one, and the copy a year on (its carried_over is not last year's carried_forward)
    failing = anomalies.identity_failures(tables, "en").set_index("report_id")
    assert set(failing.index) == {ids["off_by_one"], ids["copy_next_year"]}
    assert failing.loc[ids["off_by_one"], label("identity_outcomes", CHECKS, "en")] == 1
    assert failing.loc[ids["copy_next_year"], label("cross_year", CHECKS, "en")] > 0
    extreme = anomalies.extreme_rate_frame(tables)
    # 200 of 200 not held, so 0 granted and nothing carried forward: three rates far outside the peers'
    assert sorted(map(tuple, extreme[["report_id", "measure", "direction"]].values.tolist())) == [
        (ids["not_held"], "backlog", "low"),
        (ids["not_held"], "not_held_rate", "high"),
        (ids["not_held"], "substantive_disclosure_rate", "low"),
    ]
    assert anomalies.groups_hold(tables)
    for listed in (same, zeros, anomalies.extreme_rates(tables, "en")):
        assert anomalies.reports_named(listed, tables)


def test_a_clean_corpus_lists_nothing(constructed):
    _, tables, _ = constructed
    assert anomalies.identical_tables(tables).empty
    assert anomalies.all_zero_tables(tables, "en").query("table == 'table 三 (requests)'").empty
    assert anomalies.identity_failures(tables).empty
    assert anomalies.extreme_rate_frame(tables).empty
    bounds = anomalies.rate_bounds(tables).set_index("measure")
    assert bounds.loc["not_held_rate", "peers"] == 30  # the percentiles rest on every busy report


def test_a_trivial_table_is_never_called_copied(tmp_path):
    """Two agencies that each received one request and granted it print the same table: not listed."""
    one = {r: (0,) * 7 for r in codes.request_rows("2021")}
    for r in ("new_received", "granted", "total_processed"):
        one[r] = (1, 0, 0, 0, 0, 0, 1)
    rng = random.Random(5)
    a, b = draw(rng, "2021"), draw(rng, "2021")
    tables = _parse([replace(a, requests=one, facts={}), replace(b, requests=one, facts={})], tmp_path)
    vectors = anomalies.table3_vectors(tables)
    assert vectors["key"].nunique() == 1 and (vectors["nonzero"] == 6).all()
    assert anomalies.identical_tables(tables).empty


def test_the_sample():
    tables = xxgk.parse_many([RAW])
    assert anomalies.identical_tables(tables).empty  # nine agencies, no copy
    failing = anomalies.identity_failures(tables, "en")
    # the sample reports whose identities fail (docs/identities.md), as the issues table says
    issues = tables["issues"]
    expected = set(issues.loc[issues["check"].isin(corpus.IDENTITY_CHECKS), "report_id"])
    assert set(failing["report_id"]) == expected and expected
    zeros = anomalies.all_zero_tables(tables, "en")
    # 番禺区信访局 2021 prints only zeros in table 三's total column up to its cut-off (the rest is NA)
    assert zeros.loc[zeros["table"] == "table 三 (requests)", "report_id"].tolist() == [
        "003_764e72984481385d"
    ]
    assert (anomalies.bounds_table(tables, "en")["note"] == "fewer than 20 reports: no percentiles").all()


def test_the_national_panel(tmp_path):
    synthetic = generate(n_provinces=2, seed=3)
    synthetic.write(tmp_path)
    tables = xxgk.parse_many([tmp_path])
    # duplicate downloads are the same report twice: never copy-paste, and left out
    assert anomalies.identical_tables(tables).empty
    assert anomalies.extreme_rate_frame(tables).empty
    failing = set(anomalies.identity_failures(tables, "en")["report_id"])
    used = tables["reports"][tables["reports"]["duplicate_of"].isna()]
    issues = tables["issues"]
    off = set(issues.loc[issues["check"] == "identity_row_total", "report_id"]) & set(used["report_id"])
    assert off and off <= failing  # the published inconsistencies the panel plants are listed
    assert anomalies.reports_named(anomalies.all_zero_tables(tables), tables)


@pytest.mark.parametrize(
    "states, copied", [(("not_applicable", "not_applicable"), True), (("not_applicable", "missing"), False)]
)
def test_a_slash_is_not_a_missing_cell(constructed, states, copied):
    """Both print "/" in a cell: still identical. One prints "/" where the other lost the cell: not."""
    tables, _, ids = constructed
    tables = dict(tables)
    req = tables["requests"].copy()
    for rid, state in zip(("r000", ids["copy_other_agency"]), states, strict=True):
        at = (req["report_id"] == rid) & (req["row_code"] == "denied_state_secret")
        req.loc[at, ["count", "cell_status"]] = [pd.NA, state]
    tables["requests"] = req
    same = anomalies.identical_tables(tables, "en")
    assert ("r000" in set(same["report_id"])) is copied


def test_notebooks_60_and_70_run_on_the_national_panel(tmp_path):
    """Both notebooks end to end with papermill (as the batch runs them) on a small national panel written
    to a temp data_dir, 60 on an agency renamed between its years (two printed names, one agency)."""
    from xxgk.analysis import yoy
    from xxgk.output.files import write_tables
    from xxgk.run.batch import Run, execute

    synthetic = generate(n_provinces=1, seed=3)
    raw, data = tmp_path / "raw", tmp_path / "processed"
    synthetic.write(raw)
    write_tables(xxgk.parse_many([raw]), data)
    listed = yoy.agencies(corpus.load(data))
    renamed = listed[listed["agency"].str.contains("、")]
    agency = (renamed if len(renamed) else listed)["agency_id"].iloc[0]
    notebooks = Path(__file__).resolve().parents[1] / "notebooks"
    runs = [
        Run(
            notebooks / "60-year-over-year.ipynb",
            {"data_dir": str(data), "raw_dir": str(raw), "agency": agency},
            "60",
        ),
        Run(notebooks / "70-anomalies.ipynb", {"data_dir": str(data), "lang": "en"}, "70"),
    ]
    (tmp_path / "out").mkdir()
    for run in runs:
        result = execute(run, tmp_path / "out")
        assert result.ok, result.failure.describe() if result.failure else result


def test_notebook_70_checks_its_language():
    from xxgk.analysis import parameters

    with pytest.raises(ValueError, match=r"lang = 'de' is not a language of the labels; use one of 'zh'"):
        parameters.check(lang="de")
