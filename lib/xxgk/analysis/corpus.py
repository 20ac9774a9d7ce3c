"""The parsed corpus as the notebooks see it: where it lives, which part to look at, and how well it parsed.

Paths are resolved from the package, never from the current directory, so a notebook runs the same from
JupyterLab, papermill, nbval or the batch runner. The default data folder is ``<repo>/data/processed``,
which ``xxgk parse data/raw --out data/processed`` writes from the sample reports.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from xxgk.analysis.measures import NO_NUMBER
from xxgk.contract.checks import CHECKS, SEVERITIES, SEVERITY_CODES
from xxgk.contract.codes import (
    APPLICANTS,
    CELL_STATUSES,
    PROACTIVE_ITEMS,
    PROCEEDINGS,
    REQUEST_ROWS,
    by_code,
    codes,
    label,
)
from xxgk.contract.schema import TABLES
from xxgk.output.dataset import is_dataset
from xxgk.output.files import DATASET_MANIFEST, load_tables

#: The checks that test an identity (勾稽关系, docs/identities.md, in that order), then prose against tables.
IDENTITY_CHECKS = (
    "identity_balance",
    "identity_outcomes",
    "identity_row_total",
    "identity_review_block",
    "cross_year",
    "prose_vs_table",
)


def repo_root() -> Path:
    """The repository this package is installed from (editable install: ``lib/xxgk`` → the repo)."""
    return Path(__file__).resolve().parents[3]


def processed_dir() -> Path:
    """Where ``xxgk parse data/raw --out data/processed`` writes the sample's tables."""
    return repo_root() / "data" / "processed"


def resolve(path: str | Path = "") -> Path:
    """A data folder: ``""`` means the sample's processed tables; a relative path is taken from the repo."""
    if not str(path):
        return processed_dir()
    path = Path(path).expanduser()
    return path if path.is_absolute() else repo_root() / path


def load(
    data_dir: str | Path = "",
    years: Iterable[int | str] = (),
    agencies: Iterable[str] = (),
    duplicates: bool = False,
) -> dict:
    """Read the tidy tables from ``data_dir`` and keep the selected years and agencies (empty: all).

    Duplicates (reports with ``duplicate_of`` set: a second copy of a file, or another file for the same
    agency and year) are left out, so that no total counts a report twice; ``duplicates=True`` keeps them
    (to look at them, never to sum over them).

    ``data_dir`` may also be the URL of a dataset (``s3://bucket/out``: ``xxgk parse --layout dataset``).
    """
    tables = select(load_tables(locate(data_dir)), years, agencies)
    return tables if duplicates else used(tables)


def locate(data_dir: str | Path = "") -> str | Path:
    """Where the parsed tables of ``data_dir`` are (:func:`resolve`; a URL as given), or an error saying
    how to write them: single files or a dataset, in a folder or (a dataset) at a URL."""
    if "://" in str(data_dir):
        folder = str(data_dir)
        found = is_dataset(folder)
    else:
        folder = resolve(data_dir)
        found = (folder / "reports.parquet").exists() or (folder / DATASET_MANIFEST).exists()
    if not found:
        raise FileNotFoundError(
            f"no parsed tables in {folder}: write them with `xxgk parse data/raw --out {folder}`"
        )
    return folder


def _keep(tables: dict, ids: set) -> dict:
    """Every table cut to the given reports (the agencies table to their agencies)."""
    out = {}
    for name, df in tables.items():
        if "report_id" in df.columns:
            out[name] = df[df["report_id"].isin(ids)].reset_index(drop=True)
        elif "agency_id" in df.columns:
            kept = tables["reports"].loc[tables["reports"]["report_id"].isin(ids), "agency_id"]
            out[name] = df[df["agency_id"].isin(set(kept.dropna()))].reset_index(drop=True)
        else:
            out[name] = df
    return out


def used(tables: dict) -> dict:
    """The reports that measures and charts use: duplicates (``duplicate_of`` set) left out, in every table.

    The one place where duplicates are dropped: every helper below, every measure and chart, and the panel
    read tables that went through here (``load`` calls it).
    """
    reports = tables["reports"]
    if "duplicate_of" not in reports.columns:
        return tables
    return _keep(tables, set(reports.loc[reports["duplicate_of"].isna(), "report_id"]))


def select(tables: dict, years: Iterable[int | str] = (), agencies: Iterable[str] = ()) -> dict:
    """Keep the reports of the given years and agencies, and their rows in every other table.

    An agency or a year that is not in the corpus is an error (a typo in a parameter must not produce an
    empty, plausible-looking notebook).
    """
    reports = tables["reports"]
    years = [int(y) for y in years]
    agencies = [str(a) for a in agencies]
    names = [c for c in ("agency", "agency_name", "manifest_agency", "agency_id") if c in reports.columns]
    known = set().union(*(set(reports[c].dropna()) for c in names))
    unknown_years = sorted(set(years) - set(reports["year"].dropna().astype(int)))
    unknown_agencies = sorted(set(agencies) - known)
    if unknown_years or unknown_agencies:
        raise ValueError(
            f"not in the corpus: years {unknown_years}, agencies {unknown_agencies}; "
            f"it has years {sorted(set(reports['year'].dropna().astype(int)))} "
            f"and agencies {sorted(set(reports['agency'].dropna()))}"
        )
    keep = pd.Series(True, index=reports.index)
    if years:
        keep &= reports["year"].isin(years).fillna(False)
    if agencies:
        # an agency by any of its names: printed, canonical, the manifest's, or its id (then all its years)
        ids = set(reports.loc[reports[names].isin(agencies).any(axis=1), "agency_id"].dropna())
        keep &= reports[names].isin(agencies).any(axis=1) | reports["agency_id"].isin(ids).fillna(False)
    return _keep(tables, set(reports.loc[keep, "report_id"]))


def table_sizes(tables: dict) -> pd.DataFrame:
    """How many rows each table has, and how many reports they cover."""
    return pd.DataFrame(
        [
            {"table": name, "rows": len(tables[name]), "reports": tables[name]["report_id"].nunique()}
            for name in TABLES
            if name in tables and "report_id" in tables[name].columns
        ]
    ).set_index("table")


def reports_overview(tables: dict) -> pd.DataFrame:
    """One line per report: agency, year, template, status and issue counts, sorted by agency and year."""
    columns = ["report_id", "agency", "year", "template", "status", "n_issues", "n_errors"]
    return tables["reports"][columns].sort_values(["agency", "year"]).reset_index(drop=True)


def status_by_year(tables: dict) -> pd.DataFrame:
    """How many reports per year parsed ok, incomplete or failed."""
    reports = tables["reports"]
    table = pd.crosstab(reports["year"], reports["status"], margins=True, margins_name="total")
    order = [s for s in ("ok", "incomplete", "failed") if s in table.columns]
    return table[order + [c for c in table.columns if c not in order]]


def issues_summary(tables: dict, lang: str = "zh") -> pd.DataFrame:
    """The issues table summarised: one line per check, counts by severity, and how many reports."""
    issues = tables["issues"]
    counts = pd.crosstab(issues["check"], issues["severity"]).reindex(
        columns=list(SEVERITY_CODES), fill_value=0
    )
    counts["reports"] = issues.groupby("check")["report_id"].nunique()
    known = by_code(CHECKS)
    counts.insert(0, "label", [label(c, CHECKS, lang) if c in known else c for c in counts.index])
    return counts.sort_values(["error", "warning", "info"], ascending=False)


#: The columns of :func:`issues_table` in each language, with their headings. The Chinese table says what
#: the check means in Chinese (说明) and keeps the English message, which names the rows and numbers, beside
#: it (详情（英文）), so nothing is lost.
ISSUE_COLUMNS = {
    "zh": {
        "agency": "机关",
        "year": "年度",
        "check": "检查项目",
        "severity": "严重程度",
        "meaning": "说明",
        "location": "位置",
        "text": "原文",
        "expected": "应为",
        "actual": "实为",
        "message": "详情（英文）",
    },
    "en": {
        "agency": "agency",
        "year": "year",
        "check": "check",
        "severity": "severity",
        "message": "message",
        "location": "where",
        "text": "printed text",
        "expected": "expected",
        "actual": "actual",
    },
}
#: The columns that wrap (long text); the others stay on one line.
_WRAPPED = ("meaning", "message", "location", "text")


def issues_table(tables: dict, lang: str = "zh"):
    """Every issue, one line each (none cut from the display), for readers: the agency and year instead of
    the report id, the check by its name (Chinese for ``zh``, its code for ``en``), the severity in words,
    what the check means in Chinese (``zh`` only), the message, where, and the printed text the issue is
    about (the ``text`` column); sorted by agency, year and severity. A pandas Styler (it shows every row,
    whatever the display options); its ``.data`` is the DataFrame."""
    issues = tables["issues"]
    reports = tables["reports"].set_index("report_id")[["agency", "year"]]
    known = by_code(CHECKS)
    zh = lang == "zh"
    severities = {s.code: (s.zh if zh else s.code) for s in SEVERITIES}
    table = issues.join(reports, on="report_id").assign(
        check=[known[c].zh if zh and c in known else c for c in issues["check"]],
        meaning=[known[c].meaning_zh if c in known else pd.NA for c in issues["check"]],
        severity=issues["severity"].map(severities).fillna(issues["severity"]),
        order=issues["severity"].map({c: i for i, c in enumerate(SEVERITY_CODES)}),
        location=issues["location"].map(where_zh, na_action="ignore") if zh else issues["location"],
    )
    table = table.sort_values(["agency", "year", "order"], kind="stable").reset_index(drop=True)
    heading = ISSUE_COLUMNS["zh" if zh else "en"]
    table = table.reindex(columns=list(heading)).rename(columns=heading)
    # short columns on one line; the meaning, the message and the printed text wrap, wide enough to read
    wrapped = ", ".join(f"td.col{i}" for i, c in enumerate(heading) if c in _WRAPPED)
    return (
        table.style.hide(axis="index")
        .format(na_rep="—")
        .set_table_styles(
            [
                {"selector": "td, th", "props": "text-align: left; vertical-align: top"},
                # the agency wraps too: with ten columns, long names would push the table past the page
                {"selector": "td.col0", "props": "min-width: 7em"},
                {"selector": "td.col1, td.col2, td.col3", "props": "white-space: nowrap"},
                {"selector": wrapped, "props": "white-space: pre-wrap; min-width: 11em"},
            ]
        )
    )


#: Where an issue is, as the issues table writes it, and the code table of what it names.
_WHERE = (
    (re.compile(r"lines? (\d+(?:-\d+)?)"), None, "第 {} 行"),
    (re.compile(r"table 三, row (\w+)"), REQUEST_ROWS, "表三 {}"),
    (re.compile(r"table 三, column (\w+)"), APPLICANTS, "表三 {} 列"),
    (re.compile(r"table 二, (\w+)"), PROACTIVE_ITEMS, "表二 {}"),
    (re.compile(r"table 四, (\w+)"), PROCEEDINGS, "表四 {}"),
)


def where_zh(location: str) -> str:
    """An issue's location in Chinese, a code by its label (anything else as it is).

    >>> where_zh("line 12"), where_zh("table 四, review"), where_zh("MANIFEST.csv (a.txt)")
    ('第 12 行', '表四 行政复议', 'MANIFEST.csv (a.txt)')
    """
    for pattern, declared, text in _WHERE:
        found = pattern.fullmatch(location)
        if found:
            code = found.group(1)
            known = by_code(declared) if declared else {}
            return text.format(known[code].zh if code in known else code)
    return location


def identity_failures(tables: dict) -> pd.DataFrame:
    """Which identities (docs/identities.md) fail where: one line per report, one column per identity check."""
    issues = tables["issues"]
    issues = issues[issues["check"].isin(IDENTITY_CHECKS)]
    reports = tables["reports"].set_index("report_id")[["agency", "year"]]
    table = pd.crosstab(issues["report_id"], issues["check"]).reindex(
        columns=list(IDENTITY_CHECKS), fill_value=0
    )
    table = reports.join(table, how="inner").sort_values(["agency", "year"])
    return table


def cell_status_counts(tables: dict) -> pd.DataFrame:
    """How many cells of each numeric table have each cell status (printed, "/", derived, missing)."""
    rows = {name: tables[name]["cell_status"].value_counts() for name in ("requests", "reviews", "proactive")}
    return pd.DataFrame(rows).T.reindex(columns=codes(CELL_STATUSES)).fillna(0).astype(int)


def issue_counts_match(tables: dict) -> bool:
    """True when each report's ``n_issues`` equals its rows in the issues table."""
    reports = tables["reports"].set_index("report_id")
    counted = tables["issues"].groupby("report_id").size().reindex(reports.index, fill_value=0)
    return bool((reports["n_issues"].astype("Int64") == counted).all())


def na_matches_status(tables: dict) -> bool:
    """True when a cell has a number exactly when its status says it has one (no NA became 0).

    A missing or "/" cell has no number; a printed or derived one has.
    """
    for name, value in (("requests", "count"), ("reviews", "count"), ("proactive", "value")):
        df = tables[name]
        numbered = ~df["cell_status"].isin(list(NO_NUMBER)).fillna(False)
        if not (df.loc[numbered, value].notna().all() and df.loc[~numbered, value].isna().all()):
            return False
    return True


#: The coverage states of an agency-year, in the order charts show them.
COVERAGE = ("present", "duplicate", "failed", "absent")


def coverage(tables: dict, years: Iterable[int] = ()) -> pd.DataFrame:
    """Agency × year: what the corpus holds for each agency in each year (long: one row per pair).

    ``coverage`` is ``present`` (a report that was read: ok or incomplete), ``duplicate`` (present, and
    other files for the same agency-year or the same bytes were left out), ``failed`` (files, none read) or
    ``absent`` (no file). Give the tables *with* their duplicates (``load(..., duplicates=True)``) to see
    them; ``years`` adds years no report has (default: the corpus's from first to last).
    """
    reports = tables["reports"]
    have = reports[reports["agency_id"].notna() & reports["year"].notna()]
    known = sorted(set(have["year"].astype(int)))
    years = sorted(set(map(int, years)) or (range(known[0], known[-1] + 1) if known else []))
    names = have.groupby("agency_id")["agency_name"].first()
    used_rows = have[have["duplicate_of"].isna()] if "duplicate_of" in have else have
    files = have.groupby(["agency_id", "year"]).size()
    status = used_rows.groupby(["agency_id", "year"])["status"].first()
    chosen = used_rows.groupby(["agency_id", "year"])["report_id"].first()
    index = pd.MultiIndex.from_product([sorted(names.index), years], names=["agency_id", "year"])
    out = pd.DataFrame(index=index).reset_index()
    key = pd.MultiIndex.from_frame(out[["agency_id", "year"]])
    n = files.reindex(key).fillna(0).astype(int).to_numpy()
    st = status.reindex(key).to_numpy()
    state = pd.Series("absent", index=out.index)
    state[n > 0] = "failed"
    state[(n > 0) & pd.Series(st).isin(["ok", "incomplete"]).to_numpy()] = "present"
    state[(state == "present") & (n > 1)] = "duplicate"
    return out.assign(
        agency_name=out["agency_id"].map(names).astype("string"),
        year=out["year"].astype("Int64"),
        coverage=pd.Categorical(state, categories=COVERAGE),
        n_files=n,
        report_id=pd.array(chosen.reindex(key).to_numpy(), dtype="string"),
    )[["agency_id", "agency_name", "year", "coverage", "n_files", "report_id"]]
