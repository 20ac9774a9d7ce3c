"""What looks wrong across the corpus (notebook 70, issue 13 §5): each kind of anomaly is a list of reports.

Every list names the reports concerned (agency, year, file) and is computed from the reports that measures
use (duplicates left out: a second download of a report is not copy-paste reporting). Nothing here says a
report is wrong; each list is where to look first.

- :func:`identical_tables`: table 三 printed identically in two or more reports (copy-paste reporting:
  across agencies, or one agency's report of another year). "Identical" means the same template row set
  and, in every one of its cells, the same state: the same number, or both "/" (not applicable), or both
  without a number (missing). Only **non-trivial** tables are compared: at least :data:`MIN_NONZERO`
  non-zero cells (a table of zeros, or one request granted, is printed the same by many small agencies
  that never copied anything), and a table with no number at all is never compared.
- :func:`all_zero_tables`: table 二 or 三 whose every number is 0 (at least one number printed). A report
  of no requests at all is possible for a small agency; beside a prose that mentions requests it is not.
  Table 四 is left out: most agencies have no review and no lawsuit, so an all-zero table 四 is the norm.
- :func:`identity_failures`: the reports that break an identity of their own arithmetic (the issues
  table's identity checks, docs/identities.md).
- :func:`extreme_rates`: a report's rate (docs/measures.md) is extreme when it rests on at least
  ``SMALL_N`` requests and its whole 95 % Wilson interval lies above the corpus's 95th percentile of that
  rate or below its 5th (percentiles over the reports with at least ``SMALL_N`` requests, and only when
  there are :data:`MIN_PEERS` of them). A rate above 100 % (the litigation rate counts lawsuits per new
  request, and can pass 1) is no proportion and has no Wilson interval: it is never listed. The interval keeps
  a rate that is high by chance off the list; the percentiles compare a report with its peers rather
  than with a pooled rate whose interval, over a large corpus, is so narrow that nearly every report
  would lie outside it.
"""

from __future__ import annotations

import pandas as pd

from xxgk.analysis import measures
from xxgk.analysis.corpus import identity_failures as _identity_table
from xxgk.analysis.corpus import used
from xxgk.analysis.yoy import show  # noqa: F401  (re-exported: notebook 70 shows its lists whole)
from xxgk.contract.checks import CHECKS
from xxgk.contract.codes import APPLICANTS, REQUEST_ROWS, Code, codes, label

#: A table 三 takes part in the identical-tables search with at least this many non-zero cells (of 26 × 7):
#: one request, granted, makes 6 (new received, granted, total handled; natural person and total).
#: In the synthetic national panel (xxgk.testing.national, seed 3: 1,753 reports drawn independently, no
#: copy-paste) tables of up to 12 non-zero cells coincide by chance and none of more; 16 keeps a margin.
MIN_NONZERO = 16
#: The percentiles that bound a rate's ordinary range.
LOW_PCT, HIGH_PCT = 0.05, 0.95
#: Float rounding: the Wilson bound of 0 of n is 0 give or take 1e-17, which is not above a percentile of 0.
_EPS = 1e-9
#: Percentiles of fewer reports than this say little: no extreme rate is listed then.
MIN_PEERS = 20

TEXT: tuple[Code, ...] = (
    Code("agency", "机关", "agency"),
    Code("year", "年度", "year"),
    Code("file", "文件", "file"),
    Code("group", "组", "group"),
    Code("kind", "类型", "kind"),
    Code("across_agencies", "不同机关相同", "across agencies"),
    Code("across_years", "同一机关不同年度相同", "across years of one agency"),
    Code("nonzero", "非零单元格", "non-zero cells"),
    Code("table", "表", "table"),
    Code("table_二", "表二（主动公开）", "table 二 (proactive)"),
    Code("table_三", "表三（依申请）", "table 三 (requests)"),
    Code("numbers", "数字个数", "numbers printed"),
    Code("na", "无数字的单元格", "cells without a number"),
    Code("measure", "指标", "measure"),
    Code("rate", "比率 (分子/分母)", "rate (numerator/denominator)"),
    Code("interval", "95% 区间", "95% interval"),
    Code("direction", "方向", "direction"),
    Code("high", "高于第95百分位", "above the 95th percentile"),
    Code("low", "低于第5百分位", "below the 5th percentile"),
    Code("p_low", "第5百分位", "5th percentile"),
    Code("p_high", "第95百分位", "95th percentile"),
    Code("peers", "参与比较的报告数", "reports compared"),
    Code("n_extreme", "极端报告数", "extreme reports"),
    Code("too_few", "报告不足 {n} 份，不计算百分位", "fewer than {n} reports: no percentiles"),
    Code("note", "说明", "note"),
    Code("bound", "越过的界限", "bound passed"),
    Code("reports", "报告数", "reports"),
    Code("of", "已读报告总数", "of reports read"),
    Code("identical", "表三完全相同", "identical table 三"),
    Code("all_zero", "表二或表三全为零", "all-zero table 二 or 三"),
    Code("identity", "勾稽关系不成立", "identity failures"),
    Code("extreme", "极端比率", "extreme rates"),
)


def text(key: str, lang: str = "zh", **fields) -> str:
    """A label of this module in the chosen language.

    >>> text("too_few", "en", n=20)
    'fewer than 20 reports: no percentiles'
    """
    return label(key, TEXT, lang).format(**fields)


def _who(tables: dict) -> pd.DataFrame:
    """report_id → agency (canonical name, else as printed), agency_id, year, file."""
    reports = tables["reports"]
    return pd.DataFrame(
        {
            "report_id": reports["report_id"].astype("string"),
            "agency_id": reports["agency_id"].astype("string"),
            "agency": reports["agency_name"].fillna(reports["agency"]).astype("string"),
            "year": reports["year"].astype("Int64"),
            "file": reports["source_file"].astype("string"),
        }
    )


def _read(tables: dict) -> dict:
    """The reports measures use, and only those whose numbers were read (a failed file has no table)."""
    tables = used(tables)
    reports = tables["reports"]
    ids = set(reports.loc[reports["status"].isin(["ok", "incomplete"]).fillna(False), "report_id"])
    return {
        name: df[df["report_id"].isin(ids)].reset_index(drop=True) if "report_id" in df.columns else df
        for name, df in tables.items()
    }


# --------------------------------------------------------------------------------------------------------
# Identical tables


def table3_vectors(tables: dict) -> pd.DataFrame:
    """Each report's table 三 as one key: the (row, applicant) cells it has, in template order, each as its
    number, "/" or "NA"; with the count of non-zero cells and of numbers."""
    req = tables["requests"]
    order = {
        f"{r}:{a}": i
        for i, (r, a) in enumerate((r, a) for r in codes(REQUEST_ROWS) for a in codes(APPLICANTS))
    }
    name = req["row_code"].astype(str) + ":" + req["applicant_code"].astype(str)
    no_number = req["cell_status"].isin(list(measures.NO_NUMBER)).fillna(False) | req["count"].isna()
    token = req["count"].astype("Int64").astype("string").mask(no_number)
    token = token.mask(req["cell_status"] == "not_applicable", "/").fillna("NA")
    cells = pd.DataFrame(
        {
            "report_id": req["report_id"].astype("string"),
            "pos": name.map(order).fillna(len(order)).astype(int),
            "cell": name + "=" + token,
            "number": ~no_number,
            "nonzero": ~no_number & req["count"].fillna(0).ne(0),
        }
    ).sort_values(["report_id", "pos"], kind="stable")
    grouped = cells.groupby("report_id", sort=False)
    return pd.DataFrame(
        {
            "key": grouped["cell"].agg("|".join),
            "numbers": grouped["number"].sum().astype(int),
            "nonzero": grouped["nonzero"].sum().astype(int),
        }
    ).reset_index()


def identical_tables(tables: dict, lang: str = "zh") -> pd.DataFrame:
    """Groups of reports whose non-trivial table 三 is identical (see the module's docstring): one line per
    report, ``group`` numbering the groups, ``kind`` saying whether the group spans agencies, years or both."""
    tables = _read(tables)
    vec = table3_vectors(tables)
    vec = vec[(vec["numbers"] > 0) & (vec["nonzero"] >= MIN_NONZERO)]
    sizes = vec.groupby("key")["report_id"].transform("size")
    vec = vec[sizes > 1].merge(_who(tables), on="report_id", how="left")
    columns = ["group", "kind", "agency", "year", "file", "nonzero", "report_id"]
    if vec.empty:
        return _labelled(pd.DataFrame(columns=columns), lang)
    vec = vec.sort_values(["key", "agency", "year"], kind="stable")
    vec["group"] = vec.groupby("key", sort=False).ngroup() + 1
    kinds = {}
    for key, members in vec.groupby("key", sort=False):
        kind = []
        if members["agency_id"].nunique() > 1:
            kind.append(text("across_agencies", lang))
        if members.groupby("agency_id")["year"].nunique().gt(1).any():
            kind.append(text("across_years", lang))
        kinds[key] = "；".join(kind)
    vec["kind"] = vec["key"].map(kinds)
    return _labelled(vec[columns].sort_values(["group", "agency", "year"]).reset_index(drop=True), lang)


def _labelled(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Column names in the chosen language (report_id stays: it is the key to every other table)."""
    names = {c: text(c, lang) for c in frame.columns if c != "report_id" and c in {t.code for t in TEXT}}
    return frame.rename(columns=names)


# --------------------------------------------------------------------------------------------------------
# All-zero tables


def all_zero_tables(tables: dict, lang: str = "zh") -> pd.DataFrame:
    """Reports whose table 二 or 三 prints only zeros (at least one number; cells without one counted)."""
    tables = _read(tables)
    frames = []
    for table, name, value in (("proactive", "table_二", "value"), ("requests", "table_三", "count")):
        df = tables[table]
        if table == "requests":
            df = df[df["applicant_code"] == "total"]  # the total column: the other columns add up to it
        no_number = df["cell_status"].isin(list(measures.NO_NUMBER)).fillna(False) | df[value].isna()
        per = pd.DataFrame(
            {
                "report_id": df["report_id"],
                "number": ~no_number,
                "nonzero": ~no_number & df[value].fillna(0).ne(0),
                "na": no_number,
            }
        ).groupby("report_id")
        summary = per[["number", "nonzero", "na"]].sum().astype(int).rename(columns={"number": "numbers"})
        hit = summary[(summary["numbers"] > 0) & (summary["nonzero"] == 0)].reset_index()
        frames.append(hit.assign(table=text(name, lang)))
    out = pd.concat(frames, ignore_index=True).merge(_who(tables), on="report_id", how="left")
    out = out.sort_values(["table", "agency", "year"], kind="stable").reset_index(drop=True)
    return _labelled(out[["table", "agency", "year", "file", "numbers", "na", "report_id"]], lang)


# --------------------------------------------------------------------------------------------------------
# Identity failures


def identity_failures(tables: dict, lang: str = "zh") -> pd.DataFrame:
    """The reports that break an identity: one line per report, the number of failures per identity check
    (:func:`xxgk.analysis.corpus.identity_failures`), with agency, year and file."""
    tables = _read(tables)
    table = _identity_table(tables).reset_index().rename(columns={"index": "report_id"})
    table = table.drop(columns=["agency", "year"]).merge(_who(tables), on="report_id", how="left")
    checks = [c for c in table.columns if c not in {"report_id", "agency_id", "agency", "year", "file"}]
    table = table[table[checks].sum(axis=1) > 0]
    out = table[["agency", "year", "file", *checks, "report_id"]].sort_values(["agency", "year"])
    out = out.rename(columns={c: label(c, CHECKS, lang) for c in checks})
    return _labelled(out.reset_index(drop=True), lang)


# --------------------------------------------------------------------------------------------------------
# Extreme rates


def rate_bounds(tables: dict) -> pd.DataFrame:
    """Per rate: how many reports are compared (at least ``SMALL_N`` requests) and their 5th and 95th
    percentiles (NA with fewer than :data:`MIN_PEERS` reports)."""
    rates = measures.rates(_read(tables))
    rates = rates[rates["value"].notna() & ~rates["is_small_n"].fillna(True).astype(bool)]
    rows = []
    for measure in codes(measures.RATES):
        values = rates.loc[rates["measure"] == measure, "value"].astype("float64")
        enough = len(values) >= MIN_PEERS
        rows.append(
            {
                "measure": measure,
                "peers": len(values),
                "p_low": values.quantile(LOW_PCT) if enough else pd.NA,
                "p_high": values.quantile(HIGH_PCT) if enough else pd.NA,
            }
        )
    out = pd.DataFrame(rows)
    out["p_low"] = out["p_low"].astype("Float64")
    out["p_high"] = out["p_high"].astype("Float64")
    return out


def extreme_rate_frame(tables: dict) -> pd.DataFrame:
    """The extreme rates (see the module's docstring), numeric: one line per report and rate."""
    tables = _read(tables)
    rates = measures.rates(tables)
    # a rate above 1 (lawsuits can outnumber the year's new requests) has no interval: never listed
    rates["low"], rates["high"] = measures.wilson(rates["numerator"], rates["denominator"])
    rates = rates.merge(rate_bounds(tables), on="measure", how="left")
    eligible = rates["low"].notna() & ~rates["is_small_n"].fillna(True).astype(bool)
    above = eligible & rates["p_high"].notna() & (rates["low"] > rates["p_high"].astype("float64") + _EPS)
    below = eligible & rates["p_low"].notna() & (rates["high"] < rates["p_low"].astype("float64") - _EPS)
    out = rates[above | below].assign(direction=lambda f: ["high" if a else "low" for a in above[f.index]])
    out = out.drop(columns=["agency", "year"]).merge(_who(tables), on="report_id", how="left")
    return out.sort_values(["measure", "direction", "value"], kind="stable").reset_index(drop=True)


def extreme_rates(tables: dict, lang: str = "zh") -> pd.DataFrame:
    """The extreme rates as a reader sees them: rate with its counts, its interval and the bound it passes."""
    f = extreme_rate_frame(tables)
    return pd.DataFrame(
        {
            text("measure", lang): [measures.rate_label(m, lang) for m in f["measure"]],
            text("direction", lang): [text(d, lang) for d in f["direction"]],
            text("agency", lang): f["agency"].to_numpy(),
            text("year", lang): f["year"].to_numpy(),
            text("file", lang): f["file"].to_numpy(),
            text("rate", lang): [
                measures.format_rate(v, n, d)
                for v, n, d in zip(f["value"], f["numerator"], f["denominator"], strict=True)
            ],
            text("interval", lang): [
                f"{lo:.1%} – {hi:.1%}" for lo, hi in zip(f["low"], f["high"], strict=True)
            ],
            text("bound", lang): [
                f"{(h if d == 'high' else lo):.1%}"
                for d, h, lo in zip(f["direction"], f["p_high"], f["p_low"], strict=True)
            ],
            "report_id": f["report_id"].to_numpy(),
        }
    )


def bounds_table(tables: dict, lang: str = "zh") -> pd.DataFrame:
    """The percentile bounds per rate, how many reports they rest on and how many reports pass them."""
    b = rate_bounds(tables)
    extreme = extreme_rate_frame(tables)["measure"].value_counts()
    return pd.DataFrame(
        {
            text("measure", lang): [measures.rate_label(m, lang) for m in b["measure"]],
            text("peers", lang): b["peers"].to_numpy(),
            text("p_low", lang): ["" if pd.isna(x) else f"{x:.1%}" for x in b["p_low"]],
            text("p_high", lang): ["" if pd.isna(x) else f"{x:.1%}" for x in b["p_high"]],
            text("n_extreme", lang): [int(extreme.get(m, 0)) for m in b["measure"]],
            text("note", lang): [
                text("too_few", lang, n=MIN_PEERS) if n < MIN_PEERS else "" for n in b["peers"]
            ],
        }
    )


def summary(tables: dict, lang: str = "zh") -> pd.DataFrame:
    """How many reports each list names, out of the reports read."""
    n = len(_read(tables)["reports"])
    counts = {
        "identical": identical_tables(tables, "en")["report_id"].nunique(),
        "all_zero": all_zero_tables(tables, "en")["report_id"].nunique(),
        "identity": identity_failures(tables, "en")["report_id"].nunique(),
        "extreme": extreme_rate_frame(tables)["report_id"].nunique(),
    }
    return pd.DataFrame(
        {
            text("kind", lang): [text(k, lang) for k in counts],
            text("reports", lang): list(counts.values()),
            text("of", lang): n,
        }
    )


def groups_hold(tables: dict) -> bool:
    """True when every group of :func:`identical_tables` has two or more reports, all with the same
    non-trivial table 三 (recomputed from the requests table), and different groups differ."""
    listed = identical_tables(tables, "en")
    if listed.empty:
        return True
    vec = table3_vectors(_read(tables)).set_index("report_id")
    keys = listed.assign(key=listed["report_id"].map(vec["key"]), nz=listed["report_id"].map(vec["nonzero"]))
    per_group = keys.groupby("group").agg(n=("key", "size"), keys=("key", "nunique"), first=("key", "first"))
    return bool(
        (per_group["n"] >= 2).all()
        and (per_group["keys"] == 1).all()
        and per_group["first"].is_unique
        and (keys["nz"] >= MIN_NONZERO).all()
    )


def reports_named(frame: pd.DataFrame, tables: dict) -> bool:
    """True when every report a list names is a report of the corpus, with its file."""
    reports = tables["reports"].set_index("report_id")
    ids = frame["report_id"].astype(str)
    return bool(ids.isin(reports.index).all() and reports.loc[ids, "source_file"].notna().all())
