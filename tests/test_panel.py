"""The researcher's panel (issue 12): agencies as data, provenance, duplicates, the panel and its exports.

The synthetic national panel (``xxgk.testing.national``: made-up agencies and numbers in real places)
gives the truth at scale; the sample reports in data/raw give the real names, manifests and formats.
"""

from __future__ import annotations

import shutil
import time

import openpyxl
import pandas as pd
import pytest

import xxgk
from conftest import RAW
from xxgk.analysis import corpus, measures
from xxgk.analysis import panel as panels
from xxgk.output.panel import write_panel
from xxgk.parse.agency import agency_id, find_region, identify
from xxgk.run.cli import main
from xxgk.testing.national import CELLS, generate

# --- agencies as data --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample():
    return xxgk.parse_many([RAW])


def test_every_sample_report_has_a_province_level_and_adcode(sample):
    reports = sample["reports"]
    assert reports["province"].notna().all(), reports.loc[reports["province"].isna(), "agency"].tolist()
    assert reports["level"].notna().all() and reports["adcode"].str.fullmatch(r"\d{6}").all()
    by_file = reports.set_index("source_file")
    assert by_file.loc["shanghai_kewei_2024.md", ["province", "adcode", "level"]].tolist() == [
        "上海市",
        "310000",
        "province",
    ]
    # 平潭 is a zone run by a 管委会 (places.csv), not a district; its territory is 平潭县
    pingtan = by_file.loc["pingtan_2022.txt"]
    assert (pingtan["county"], pingtan["adcode"], pingtan["agency_kind"]) == ("平潭县", "350128", "committee")
    assert pingtan["agency_name"] == "平潭综合实验区管委会"


@pytest.mark.parametrize(
    "name, expected",
    [
        ("广州市番禺区政务服务数据管理局", ("广东省", "广州市", "番禺区", "440113", "county", "department")),
        ("番禺区信访局", ("广东省", "广州市", "番禺区", "440113", "county", "department")),
        ("淮安市人民政府", ("江苏省", "淮安市", None, "320800", "prefecture", "government")),
        ("上海市人民政府办公厅", ("上海市", None, None, "310000", "province", "government_office")),
        ("河南省济源市人民政府", ("河南省", None, "济源市", "419001", "county", "government")),
        ("南京市鼓楼区华侨路街道办事处", ("江苏省", "南京市", "鼓楼区", "320106", "township", "township")),
        # a county name four cities share, with nothing to decide it: no region rather than a guess
        ("鼓楼区人民政府", (None, None, None, None, None, "government")),
        ("市场监督管理局", (None, None, None, None, None, "department")),
    ],
)
def test_region_level_and_kind_from_the_name(name, expected):
    a = identify(name)
    assert (
        a["province"],
        a["prefecture"],
        a["county"],
        a["adcode"],
        a["level"],
        a["agency_kind"],
    ) == expected


def test_names_of_one_agency_share_its_id():
    # the manifest's official name, and a title variant listed in contract/agencies.csv
    assert identify("上海市科委", "上海市科学技术委员会")["agency_id"] == agency_id("上海市科学技术委员会")
    assert identify("平潭综合实验区")["agency_id"] == identify("平潭综合实验区管委会")["agency_id"]
    assert identify("平潭综合实验区")["agency_id"] != identify("上海市科学技术委员会")["agency_id"]
    assert find_region("广州市荔湾区")[1] == "荔湾区"


def test_agencies_table_lists_every_name_seen(sample):
    agencies = sample["agencies"].set_index("agency_name")
    assert agencies["agency_id"].is_unique
    assert set(agencies["agency_id"]) == set(sample["reports"]["agency_id"])
    assert agencies.loc["上海市科学技术委员会", "names"] == "上海市科学技术委员会 | 上海市科委"
    assert agencies.loc[
        "广州市番禺区政务服务数据管理局", ["first_year", "last_year", "n_years"]
    ].tolist() == [
        2021,
        2023,
        2,
    ]


# --- provenance ---------------------------------------------------------------------------------------


def test_manifest_name_url_and_date_reach_the_reports_table(sample):
    by_file = sample["reports"].set_index("source_file")
    assert by_file["listed"].all()
    assert by_file.loc["pingtan_2022.txt", "source_url"].startswith("https://www.pingtan.gov.cn/")
    assert by_file.loc["shanghai_city_office_2019.html", "published_date"] == "2020-01-31"
    assert by_file.loc["shanghai_kewei_2024.md", "manifest_agency"] == "上海市科学技术委员会"
    assert by_file.loc["huaian_city_2024.pdf", "source_url"] is pd.NA


def test_a_manifest_that_disagrees_or_is_broken_is_reported_and_loses_nothing(tmp_path):
    for name in ("004_7b8566f6eb984e20.txt", "shanghai_city_office_2019.html"):
        shutil.copy(RAW / name, tmp_path / name)
    (tmp_path / "MANIFEST.csv").write_text(
        f"file,sha256,agency,year,published\n004_7b8566f6eb984e20.txt,{'0' * 64},番禺区政府,2023,2025-13\n",
        encoding="utf-8",
    )
    tables = xxgk.parse_many([tmp_path])
    issues = tables["issues"][tables["issues"]["check"] == "manifest"]
    assert len(issues) == 3  # another hash, another year, a date that is not a date
    reports = tables["reports"].set_index("source_file")
    assert reports.loc["004_7b8566f6eb984e20.txt", "manifest_agency"] == "番禺区政府"
    assert reports.loc["004_7b8566f6eb984e20.txt", "year"] == 2024  # the title's year is kept
    assert not reports.loc["shanghai_city_office_2019.html", "listed"]
    (tmp_path / "MANIFEST.csv").write_bytes(b"\xff\xfe\x00garbage")
    tables = xxgk.parse_many([tmp_path])
    assert (tables["reports"]["status"] != "failed").all()
    assert (tables["issues"]["check"] == "manifest").sum() == 2  # one per file, and both parsed


# --- duplicates and coverage --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def with_duplicates(tmp_path_factory):
    """data/raw, plus a byte-identical copy of one report and a second, different file for another's
    agency-year (its lines re-ordered by nothing but trailing white space: other bytes, same report)."""
    folder = tmp_path_factory.mktemp("dups")
    for f in RAW.iterdir():
        shutil.copy(f, folder / f.name)
    shutil.copy(RAW / "huaian_city_2024.pdf", folder / "download (1).pdf")
    text = (RAW / "004_7b8566f6eb984e20.txt").read_text(encoding="utf-8")
    (folder / "panyu_2024_again.txt").write_text(text.replace("\n", " \n"), encoding="utf-8")
    return xxgk.parse_many([folder])


def test_duplicates_change_no_total(sample, with_duplicates):
    assert with_duplicates["reports"]["duplicate_of"].notna().sum() == 2
    before, after = corpus.used(sample), corpus.used(with_duplicates)
    for name in ("reports", "requests", "reviews", "proactive", "facts", "agencies"):
        assert len(before[name]) == len(after[name]), name
    pooled = [measures.pool(measures.volumes(t), ["year", "row_code"]) for t in (before, after)]
    pd.testing.assert_frame_equal(pooled[0], pooled[1])
    pd.testing.assert_frame_equal(
        panels.build(sample).drop(columns=["n_issues"]),
        panels.build(with_duplicates).drop(columns=["n_issues"]),
    )


def test_a_duplicate_issue_names_both_files_and_why(with_duplicates):
    issues = with_duplicates["issues"]
    dup = issues[issues["check"] == "duplicate"].set_index("actual")
    copy = dup.loc["download (1).pdf", "message"]
    assert "huaian_city_2024.pdf" in copy and "same bytes" in copy and "MANIFEST.csv" in copy
    again = dup.loc["panyu_2024_again.txt", "message"]
    assert "004_7b8566f6eb984e20.txt" in again and "same agency and year" in again
    reports = with_duplicates["reports"].set_index("source_file")
    assert reports.loc["download (1).pdf", "duplicate_of"] == "huaian_city_2024"
    assert reports.loc["huaian_city_2024.pdf", "duplicate_of"] is pd.NA
    assert corpus.issue_counts_match(with_duplicates)


def test_the_stream_path_resolves_duplicates_as_the_memory_path(tmp_path, with_duplicates):
    from xxgk.run.stream import write_corpus

    folder = tmp_path / "in"
    folder.mkdir()
    for f in RAW.iterdir():
        shutil.copy(f, folder / f.name)
    shutil.copy(RAW / "huaian_city_2024.pdf", folder / "download (1).pdf")
    memory = xxgk.parse_many([folder])
    write_corpus([folder], tmp_path / "out", chunk=4)
    streamed = xxgk.load_tables(tmp_path / "out")
    pd.testing.assert_frame_equal(memory["reports"], streamed["reports"])
    pd.testing.assert_frame_equal(memory["agencies"], streamed["agencies"])


def test_coverage_marks_present_duplicate_and_absent(with_duplicates):
    cov = corpus.coverage(with_duplicates).set_index(["agency_name", "year"])
    assert cov.loc[("淮安市人民政府", 2024), "coverage"] == "duplicate"
    assert cov.loc[("广州市番禺区政务服务数据管理局", 2021), "coverage"] == "present"
    assert cov.loc[("广州市番禺区政务服务数据管理局", 2022), "coverage"] == "absent"
    assert cov.loc[("淮安市人民政府", 2024), "n_files"] == 2


# --- the panel and its exports ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_panel(sample):
    return panels.build(sample)


def test_panel_cells_are_the_tidy_tables(sample, sample_panel):
    req = sample["requests"]
    for _, row in sample_panel.iterrows():
        cells = req[req["report_id"] == row["report_id"]].set_index(["row_code", "applicant_code"])
        for (code, applicant), cell in cells.iterrows():
            value = row[panels.request_column(code, applicant)]
            if cell["cell_status"] in ("printed", "derived"):
                assert value == cell["count"], (row["report_id"], code, applicant)
            else:
                assert value is pd.NA, (row["report_id"], code, applicant)  # never 0
    assert all(len(c) <= 32 for c in sample_panel.columns)
    assert list(panels.dictionary()["column"]) == list(sample_panel.columns)


def _compare(panel: pd.DataFrame, back: pd.DataFrame) -> None:
    """Every value equal, NA where the panel has NA (a string NA may come back as empty)."""
    assert list(back.columns) == list(panel.columns)
    for c in panel.columns:
        expected, got = panel[c], back[c]
        if panel[c].dtype.kind in "iuf" or str(panel[c].dtype) in ("Int64", "Float64"):
            got = pd.to_numeric(got).astype("Float64")
            expected = expected.astype("Float64")
            assert (got.isna().to_numpy() == expected.isna().to_numpy()).all(), c
            assert ((got - expected).abs().fillna(0) < 1e-9).all(), c
        else:
            norm = got.astype("string").replace("", pd.NA)
            assert (
                norm.fillna("<NA>").to_numpy() == expected.astype("string").fillna("<NA>").to_numpy()
            ).all(), c


@pytest.mark.parametrize("ext", [".xlsx", ".csv", ".dta", ".parquet"])
def test_each_export_reads_back_as_the_panel(ext, sample, sample_panel, tmp_path):
    path = tmp_path / f"panel{ext}"
    assert main([*["panel", str(_written(sample, tmp_path)), "--out", str(path)]]) == 0
    assert sample_panel.isna().any().any()  # the sample has NA cells: they must stay NA, never 0
    if ext == ".parquet":
        pd.testing.assert_frame_equal(pd.read_parquet(path), sample_panel)
    elif ext == ".csv":
        assert path.read_bytes()[:3] == b"\xef\xbb\xbf"
        _compare(sample_panel, pd.read_csv(path, encoding="utf-8-sig", dtype={"adcode": str}))
    elif ext == ".dta":
        back = pd.read_stata(path)
        _compare(sample_panel, back)
        with pd.io.stata.StataReader(path) as reader:
            labels = reader.variable_labels()
            values = reader.value_labels()
        assert labels["new_received_tot"].startswith("一、本年新收") and labels["adcode"] == "行政区划代码"
        assert set(values) == set(panels.CATEGORICAL)
    else:
        wb = openpyxl.load_workbook(path)
        data = wb["data"]
        assert data.freeze_panes == "B3"
        assert [c.value for c in data[2]] == list(sample_panel.columns)
        assert data.cell(1, 1).value == "机关编号"
        assert {"dictionary", "sources"} <= set(wb.sheetnames)
        column = list(sample_panel.columns).index("new_received_tot") + 1
        assert isinstance(data.cell(3, column).value, int)  # numbers as numbers
        back = pd.read_excel(path, sheet_name="data", header=1, dtype={"adcode": str})
        _compare(sample_panel, back)


def _written(tables, tmp_path):
    out = tmp_path / "parsed"
    xxgk.write_tables(tables, out)
    return out


def test_csv_without_bom(sample, tmp_path):
    path = tmp_path / "p.csv"
    assert main(["panel", str(_written(sample, tmp_path)), "--out", str(path), "--no-bom"]) == 0
    assert path.read_bytes()[:3] != b"\xef\xbb\xbf"
    assert main(["panel", str(tmp_path / "parsed"), "--out", str(tmp_path / "p.txt")]) == 2


def test_panel_writer_refuses_an_unknown_extension(sample_panel, tmp_path):
    with pytest.raises(ValueError, match="xlsx"):
        write_panel(sample_panel, panels.dictionary(), pd.DataFrame(), tmp_path / "p.json")


# --- the synthetic national panel ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    started = time.perf_counter()
    synthetic = generate(n_provinces=8, seed=3)
    folder = tmp_path_factory.mktemp("national")
    synthetic.write(folder)
    written = time.perf_counter()
    tables = xxgk.parse_many([folder])
    parsed = time.perf_counter()
    panel = panels.build(tables)
    built = time.perf_counter()
    timings = {"generate+write": written - started, "parse": parsed - written, "panel": built - parsed}
    return synthetic, tables, panel, timings


def test_the_national_panel_is_large_and_labelled_synthetic(national):
    synthetic, tables, panel, _ = national
    assert len(synthetic.agencies) >= 300 and panel["year"].nunique() == 7
    assert tables["reports"]["source_url"].str.startswith("https://example.invalid/").all()


def test_the_panel_agrees_with_the_truth(national):
    synthetic, tables, panel, _ = national
    truth = synthetic.truth
    merged = truth.merge(
        panel, on=["agency_id", "year"], how="outer", suffixes=("_truth", ""), indicator=True
    )
    assert (merged["_merge"] == "both").all()  # one panel row per agency-year: duplicates resolved
    for c in ("agency_name", "province", "prefecture", "county", "adcode", "level", "agency_kind"):
        assert (merged[f"{c}_truth"].astype("string").fillna("") == merged[c].fillna("")).all(), c
    for c in CELLS:
        assert (merged[f"{c}_truth"] == merged[c]).all(), c  # printed numbers, inconsistent ones included
    # renamed agencies are one agency; every duplicate download is flagged, each with its issue
    assert tables["reports"]["agency"].nunique() > panel["agency_id"].nunique()
    assert tables["reports"]["duplicate_of"].notna().sum() == truth["duplicate"].notna().sum()
    inconsistent = merged.loc[merged["inconsistent"], "report_id"]
    flagged = set(tables["issues"].loc[tables["issues"]["check"] == "identity_row_total", "report_id"])
    assert len(inconsistent) and set(inconsistent) <= flagged


def test_balanced_panel_and_changes_agree_with_the_truth(national):
    synthetic, _, panel, _ = national
    truth = synthetic.truth
    years = [2021, 2022, 2023]
    in_all = truth[truth["year"].isin(years)].groupby("agency_id")["year"].nunique()
    expected = set(in_all[in_all == len(years)].index)
    got = panels.balanced(panel, years)
    assert set(got["agency_id"]) == expected and len(got) == len(expected) * len(years)
    full = panels.balanced(panel)
    assert full.groupby("agency_id")["year"].nunique().eq(7).all()
    delta = panels.changes(panel, ["new_received_tot"]).set_index(["agency_id", "year"])
    t = truth.set_index(["agency_id", "year"])["new_received_tot"]
    pairs = [(a, y) for a, y in t.index if (a, y - 1) in t.index]
    assert len(delta) == len(pairs)
    for a, y in pairs:
        assert delta.loc[(a, y), "delta"] == t[(a, y)] - t[(a, y - 1)]


def test_national_panel_timings(national, capsys):
    """Timings, printed (pytest -s), not asserted: the panel and balanced-panel helpers at scale."""
    synthetic, tables, panel, timings = national
    started = time.perf_counter()
    panels.balanced(panel, [2021, 2022, 2023])
    panels.changes(panel)
    corpus.coverage(tables)
    timings["balanced+changes+coverage"] = time.perf_counter() - started
    with capsys.disabled():
        print(
            f"\nnational panel: {len(synthetic.agencies)} agencies, {len(tables['reports'])} files, "
            f"{len(panel)} agency-years; " + ", ".join(f"{k} {v:.2f} s" for k, v in timings.items())
        )


# --- charts over years --------------------------------------------------------------------------------


def _figure_text(fig) -> str:
    return " ".join(t.get_text() for t in fig.texts)


def test_charts_over_years_default_to_the_balanced_set_and_say_how_many(national):
    plotting = pytest.importorskip("xxgk.analysis.plotting")
    _, tables, panel, _ = national
    used = corpus.used(tables)
    n_balanced = panels.balanced(panel)["agency_id"].nunique()
    cut, note = plotting.over_years(used, lang="en")
    assert note.startswith(f"Balanced panel: the {n_balanced} agencies")
    assert cut["reports"]["agency_id"].nunique() == n_balanced
    assert set(cut["reports"].groupby("agency_id")["year"].nunique()) == {7}
    everyone, note = plotting.over_years(used, balanced=False, lang="en")
    assert len(everyone["reports"]) == len(used["reports"]) and note.startswith("Unbalanced")
    for chart in (plotting.volumes_chart, plotting.outcome_mix_chart, plotting.rates_chart):
        assert "Balanced panel" in _figure_text(chart(used, lang="en"))
        assert "Unbalanced" in _figure_text(chart(used, lang="en", balanced=False))


def test_charts_say_when_no_agency_is_in_every_year(sample):
    plotting = pytest.importorskip("xxgk.analysis.plotting")
    fig = plotting.volumes_chart(corpus.used(sample), lang="en")
    assert "No agency has a report in every year" in _figure_text(fig)


def test_coverage_chart(with_duplicates, national):
    plotting = pytest.importorskip("xxgk.analysis.plotting")
    small = plotting.coverage_chart(corpus.coverage(with_duplicates), lang="en")
    assert small.axes[0].get_title() == "Coverage (agency × year)"
    large = plotting.coverage_chart(corpus.coverage(national[1]), lang="en")  # per-year counts
    assert len(large.axes[0].patches) == 4 * 7
