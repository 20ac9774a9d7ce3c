"""The researcher's panel: one row per agency and year, and the helpers for panels over years.

:func:`build` turns the tidy tables into the panel (duplicates resolved: only reports whose
``duplicate_of`` is NA): the agency's identity and region, the report's status and issue counts, every
table-三 cell (26 rows × 7 applicant columns), every table-四 cell (3 × 5) and the derived rates of
:data:`xxgk.contract.measures.RATES` with their numerators and denominators. A cell with no number in the
document (missing, or printed "/": the ``requests`` and ``reviews`` tables say which) is NA, never 0.

Column names fit Stata's 32 characters and say what they hold: ``<row>_<applicant>`` for table 三
(``granted_tot``, ``new_received_np``), ``<proceeding>_<outcome>`` for table 四 (``rev_corrected``,
``litd_total``), ``<rate>``, ``<rate>_num``, ``<rate>_den`` for the rates. :func:`dictionary` gives each
column's Chinese and English label and where it comes from.

:func:`balanced` keeps the agencies present in every chosen year; :func:`changes` gives year-over-year
differences (Δ and %Δ) per agency and cell, between consecutive years only.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from xxgk.analysis import measures
from xxgk.analysis.corpus import used
from xxgk.contract.codes import APPLICANTS, OUTCOMES, PROCEEDINGS, REQUEST_ROWS, by_code, codes
from xxgk.contract.measures import RATES
from xxgk.contract.schema import TABLES

#: Short forms of the applicant and proceeding codes in column names (Stata allows 32 characters).
APPLICANT_ABBR = {
    "natural_person": "np",
    "commercial": "com",
    "research": "res",
    "social_welfare": "soc",
    "legal_services": "law",
    "other_org": "org",
    "total": "tot",
}
PROCEEDING_ABBR = {"review": "rev", "litigation_direct": "litd", "litigation_after_review": "litr"}
#: The identity, region and status columns that open the panel, from the reports table.
IDENTITY = (
    "agency_id",
    "agency_name",
    "agency",
    "province",
    "prefecture",
    "county",
    "adcode",
    "level",
    "agency_kind",
    "year",
    "report_id",
    "source_file",
    "source_url",
    "published_date",
    "template",
    "status",
    "n_issues",
    "n_errors",
)
#: Columns whose few values are labelled in Stata (value labels) and typed as categories.
CATEGORICAL = ("level", "agency_kind", "template", "status")
STATA_MAX = 32


def request_column(row: str, applicant: str) -> str:
    return f"{row}_{APPLICANT_ABBR[applicant]}"


def review_column(proceeding: str, outcome: str) -> str:
    return f"{PROCEEDING_ABBR[proceeding]}_{outcome}"


def cell_columns() -> list[str]:
    """Every table-三 and table-四 column of the panel, in template order."""
    return [request_column(r, a) for r in codes(REQUEST_ROWS) for a in codes(APPLICANTS)] + [
        review_column(p, o) for p in codes(PROCEEDINGS) for o in codes(OUTCOMES)
    ]


def rate_columns() -> list[str]:
    return [f"{r.code}{suffix}" for r in RATES for suffix in ("", "_num", "_den")]


def build(tables: dict) -> pd.DataFrame:
    """The panel: one row per agency and year, from the tables of ``xxgk parse`` (duplicates left out).

    Reports without an agency or a year (failed files, titles not read) cannot be placed and are not in it;
    the reports table still lists them.
    """
    tables = used(tables)
    reports = tables["reports"]
    placed = reports[reports["agency_id"].notna() & reports["year"].notna()]
    ids = pd.Index(placed["report_id"].astype("string"), name="report_id")
    out = placed[list(IDENTITY)].reset_index(drop=True)
    parts = [out]
    for applicant in codes(APPLICANTS):
        m = measures.request_matrix(tables, applicant).reindex(ids)
        m.columns = [request_column(r, applicant) for r in m.columns]
        parts.append(m.reset_index(drop=True))
    r = measures.review_matrix(tables).reindex(ids)
    r.columns = [review_column(p, o) for p, o in r.columns]
    parts.append(r.reset_index(drop=True))
    rates = measures.rates(tables).set_index(["report_id", "measure"])
    for rate in RATES:
        one = rates.xs(rate.code, level="measure").reindex(ids)
        parts.append(
            pd.DataFrame(
                {
                    rate.code: one["value"].astype("Float64").to_numpy(),
                    f"{rate.code}_num": one["numerator"].astype("Int64").to_numpy(),
                    f"{rate.code}_den": one["denominator"].astype("Int64").to_numpy(),
                }
            )
        )
    panel = pd.concat(parts, axis=1)
    panel = panel[list(IDENTITY) + cell_columns() + rate_columns()]
    for c in CATEGORICAL:
        panel[c] = panel[c].astype("string")
    return panel.sort_values(["agency_id", "year"], kind="stable").reset_index(drop=True)


def dictionary(lang_order: tuple[str, str] = ("zh", "en")) -> pd.DataFrame:
    """One row per panel column: name, Chinese and English label, type, and where it comes from."""
    rows = []
    report_cols = {c.name: c for c in TABLES["reports"]}
    zh = {
        "agency_id": "机关编号",
        "agency_name": "机关规范名称",
        "agency": "报告标题中的机关名称",
        "province": "省级",
        "prefecture": "地级",
        "county": "县级",
        "adcode": "行政区划代码",
        "level": "行政层级",
        "agency_kind": "机关类型",
        "year": "年度",
        "report_id": "报告编号",
        "source_file": "文件名",
        "source_url": "来源网址",
        "published_date": "发布日期",
        "template": "模板",
        "status": "解析状态",
        "n_issues": "问题数",
        "n_errors": "错误数",
    }
    for name in IDENTITY:
        col = report_cols[name]
        rows.append((name, zh[name], col.meaning, col.dtype, f"reports.{name}"))
    rows_by, apps, procs, outs = (
        by_code(REQUEST_ROWS),
        by_code(APPLICANTS),
        by_code(PROCEEDINGS),
        by_code(OUTCOMES),
    )
    for r in codes(REQUEST_ROWS):
        for a in codes(APPLICANTS):
            rows.append(
                (
                    request_column(r, a),
                    f"{rows_by[r].zh}｜{apps[a].zh}",
                    f"Table 三: {rows_by[r].en} — {apps[a].en}",
                    "Int64",
                    f"requests: row_code={r}, applicant_code={a}",
                )
            )
    for p in codes(PROCEEDINGS):
        for o in codes(OUTCOMES):
            rows.append(
                (
                    review_column(p, o),
                    f"{procs[p].zh}｜{outs[o].zh}",
                    f"Table 四: {procs[p].en} — {outs[o].en}",
                    "Int64",
                    f"reviews: proceeding={p}, outcome={o}",
                )
            )
    for rate in RATES:
        rows.append((rate.code, rate.zh, f"{rate.en} = {rate.formula}", "Float64", "docs/measures.md"))
        rows.append(
            (f"{rate.code}_num", f"{rate.zh}（分子）", f"Numerator of {rate.code}", "Int64", rate.formula)
        )
        rows.append(
            (f"{rate.code}_den", f"{rate.zh}（分母）", f"Denominator of {rate.code}", "Int64", rate.formula)
        )
    return pd.DataFrame(rows, columns=["column", "label_zh", "label_en", "dtype", "source"])


def sources(tables: dict) -> pd.DataFrame:
    """Every file behind the panel, duplicates included: where it came from and which report was used."""
    columns = [
        "report_id",
        "agency_id",
        "agency_name",
        "year",
        "source_file",
        "sha256",
        "status",
        "duplicate_of",
        "listed",
        "manifest_agency",
        "source_url",
        "published_date",
    ]
    return tables["reports"][columns].sort_values(["agency_id", "year", "report_id"]).reset_index(drop=True)


def present(panel: pd.DataFrame) -> pd.DataFrame:
    """Rows whose report was read (status ok or incomplete): a failed report is a year without numbers."""
    return panel[panel["status"].isin(["ok", "incomplete"]).fillna(False).to_numpy()]


def balanced(panel: pd.DataFrame, years: Iterable[int] = ()) -> pd.DataFrame:
    """The balanced panel: only agencies with a report that was read in every one of ``years`` (default:
    every year the panel holds), and only those years.

    >>> p = pd.DataFrame({"agency_id": ["a", "a", "b"], "year": [2021, 2022, 2022], "status": ["ok"] * 3})
    >>> balanced(p)["agency_id"].tolist()
    ['a', 'a']
    """
    rows = present(panel)
    years = sorted(set(map(int, years)) or set(rows["year"].dropna().astype(int)))
    rows = rows[rows["year"].isin(years).fillna(False).to_numpy()]
    counts = rows.groupby("agency_id")["year"].nunique()
    keep = counts.index[counts == len(years)]
    return rows[rows["agency_id"].isin(keep)].sort_values(["agency_id", "year"]).reset_index(drop=True)


def agencies_per_year(panel: pd.DataFrame) -> pd.Series:
    """How many agencies each year holds (reports read), by year."""
    rows = present(panel)
    return rows.groupby("year")["agency_id"].nunique().rename("agencies")


def changes(panel: pd.DataFrame, cells: Iterable[str] = (), max_gap: int = 1) -> pd.DataFrame:
    """Year-over-year differences per agency and cell (long: one row per agency, year and cell).

    Only between consecutive years (t−1 → t) of one agency, both read: a gap of a year gives no difference.
    ``max_gap`` widens that to years at most that far apart (an agency's report years 2021 and 2023 compared
    with ``max_gap=2``: the comparison then says which year it is against, as notebook 60 does).
    ``delta`` = value(t) − value(t−1); ``pct_change`` = delta / value(t−1), NA when value(t−1) is 0 or NA.
    ``cells``: panel columns (default: ``new_received_tot``, ``total_processed_tot``, ``granted_tot``).

    >>> p = pd.DataFrame({"agency_id": ["a"] * 3, "year": [2020, 2021, 2023], "status": ["ok"] * 3,
    ...                   "x": pd.array([4, 6, 9], dtype="Int64")})
    >>> changes(p, ["x"])[["year", "previous", "value", "delta", "pct_change"]].values.tolist()
    [[2021, 4.0, 6.0, 2.0, 0.5]]
    >>> changes(p, ["x"], max_gap=2)[["year", "previous", "value"]].values.tolist()
    [[2021, 4.0, 6.0], [2023, 6.0, 9.0]]
    """
    cells = list(cells) or ["new_received_tot", "total_processed_tot", "granted_tot"]
    rows = present(panel).sort_values(["agency_id", "year"])
    prev = rows.groupby("agency_id")[["year", *cells]].shift(1)
    gap = rows["year"] - prev["year"]
    consecutive = ((gap >= 1) & (gap <= max_gap)).fillna(False).to_numpy()
    frames = []
    for cell in cells:
        value = rows[cell].astype("Float64")
        before = prev[cell].astype("Float64")
        delta = value - before
        frames.append(
            pd.DataFrame(
                {
                    "agency_id": rows["agency_id"].to_numpy(),
                    "year": rows["year"].astype("Int64").to_numpy(),
                    "cell": cell,
                    "previous": before.to_numpy(),
                    "value": value.to_numpy(),
                    "delta": delta.to_numpy(),
                    "pct_change": (delta / before.mask(before == 0)).to_numpy(),
                }
            )[consecutive]
        )
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    for c in ("previous", "value", "delta"):
        out[c] = out[c].astype("Float64")
    out["pct_change"] = out["pct_change"].astype("Float64")
    return out
