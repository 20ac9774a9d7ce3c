"""The derived measures of the data contract (docs/measures.md), computed from the tidy tables.

What each rate and mix is (its cells, its formula, its label) is declared in :mod:`xxgk.contract.measures`;
this module computes them. Every rate comes with its numerator and denominator, so a chart or a table can
show the counts behind it, and with ``is_small_n``, the small-N guard: a rate over fewer than
:data:`SMALL_N` requests is shown but never ranked.

Missing data stays missing. A cell the document does not hold (``cell_status`` missing, or a row that is
absent) and a cell printed as "/" (not applicable) both have no count; any measure that needs such a cell
is NA, never computed as if the cell were 0. Pooling across reports (:func:`pool`) uses only the reports
whose numerator and denominator are both known, and says how many it left out.

Mixes (the outcome mix, the sub-reason mixes, the applicant mix) divide each part by the sum of the parts,
as the contract defines the refusal mix, so the shares of one report add up to 1 exactly. Where a report's
printed total differs from the sum of its parts, the issues table says so (check ``identity_outcomes``);
the rates declared over ``total_processed`` use the printed total.

(Longer than most modules: rates, mixes, pooling and ranking are kept together because they share the NA
rules above; one reading shows every place where a missing cell could otherwise become a number.)
"""

from __future__ import annotations

import operator
import re
from functools import reduce

import numpy as np
import pandas as pd

from xxgk.contract.codes import (
    OUTCOME_GROUPS,
    OUTCOMES,
    PROCEEDINGS,
    REQUEST_ROWS,
    Code,
    by_code,
    codes,
    group_rows,
    label,
    request_rows,
)
from xxgk.contract.measures import MIXES, RATES, SMALL_N, Cell, Rate

#: The table-三 rows that describe volumes (flows in and out), in template order.
VOLUME_ROWS = ("new_received", "carried_over", "total_processed", "carried_forward")

#: The applicant columns that add up to ``total`` (identity_row_total: the six columns sum to total).
APPLICANT_PARTS = by_code(MIXES)["applicant_mix"].categories

_KEYS = ["report_id", "agency", "year"]
_RATE_COLUMNS = [*_KEYS, "measure", "numerator", "denominator", "value", "is_small_n"]
_MIX_COLUMNS = [*_KEYS, "category", "numerator", "denominator", "share", "is_small_n"]


# --------------------------------------------------------------------------------------------------------
# Reading the tidy tables


#: Cell statuses (``codes.CELL_STATUSES``) whose cell has no number: a "/" is kept apart from 0 in the tidy
#: tables, and for arithmetic it is not a number. ``printed`` and ``derived`` cells (digits the document
#: prints, placed by the identities; the issues table names each) are used as numbers.
NO_NUMBER = ("not_applicable", "missing")


def _known(df: pd.DataFrame) -> pd.Series:
    """The count of each cell, NA unless the document prints a number for it."""
    status = df["cell_status"].astype("string")
    unusable = status.isin(list(NO_NUMBER)).fillna(False)
    return df["count"].astype("Int64").mask(unusable)


def request_matrix(tables: dict[str, pd.DataFrame], applicant: str = "total") -> pd.DataFrame:
    """Table 三 of every report as one row per report and one column per row code (Int64, NA kept).

    A row that a report does not have is NA. The index is ``report_id`` in the order of ``reports``.
    """
    req = tables["requests"]
    req = req[req["applicant_code"] == applicant]
    wide = req.assign(count=_known(req)).pivot_table(
        index="report_id", columns="row_code", values="count", aggfunc="first", dropna=False
    )
    ids = tables["reports"]["report_id"].astype("string")
    return wide.reindex(index=pd.Index(ids, name="report_id"), columns=codes(REQUEST_ROWS)).astype("Int64")


def review_matrix(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Table 四 of every report: one row per report, columns ``(proceeding, outcome)``, Int64, NA kept."""
    rev = tables["reviews"]
    wide = rev.assign(count=_known(rev)).pivot_table(
        index="report_id", columns=["proceeding", "outcome"], values="count", aggfunc="first", dropna=False
    )
    columns = pd.MultiIndex.from_product(
        [codes(PROCEEDINGS), codes(OUTCOMES)], names=["proceeding", "outcome"]
    )
    ids = tables["reports"]["report_id"].astype("string")
    return wide.reindex(index=pd.Index(ids, name="report_id"), columns=columns).astype("Int64")


def _template_version(tables: dict[str, pd.DataFrame], matrix: pd.DataFrame) -> pd.Series:
    """Which row set each report's table 三 uses: "2019" (one 其他处理 row) or "2021" (three).

    The reports table says so for 2019 and 2021 reports; a hybrid or unknown one is read by its rows.
    """
    template = tables["reports"].set_index("report_id")["template"].astype("string").reindex(matrix.index)
    rows_2021 = [c for c in request_rows("2021") if c not in request_rows("2019")]
    rows_2019 = [c for c in request_rows("2019") if c not in request_rows("2021")]
    # which reports print each kind of row, found with isin (a set-typed groupby aggregation comes back as
    # a list or an array depending on the column's dtype, and a type test on it silently read every
    # hybrid report as 2021)
    requests = tables["requests"]
    printed_2019 = set(requests.loc[requests["row_code"].isin(rows_2019), "report_id"])
    printed_2021 = set(requests.loc[requests["row_code"].isin(rows_2021), "report_id"])
    index = matrix.index.to_series()
    by_rows = pd.Series(
        np.where(index.isin(printed_2019) & ~index.isin(printed_2021), "2019", "2021"), index=matrix.index
    ).astype("string")
    return template.where(template.isin(["2019", "2021"]), by_rows).fillna("2021")


def _sum_rows(matrix: pd.DataFrame, versions: pd.Series, group: str) -> pd.Series:
    """The sum of a group's rows per report; NA when any of them is NA (never a partial sum)."""
    out = pd.Series(pd.NA, index=matrix.index, dtype="Int64")
    for version in ("2019", "2021"):
        mask = (versions == version).to_numpy()
        out[mask] = matrix.loc[mask, group_rows(group, version)].sum(axis=1, skipna=False, min_count=1)
    return out


def _keys(tables: dict[str, pd.DataFrame], index: pd.Index) -> pd.DataFrame:
    reports = tables["reports"].set_index("report_id")
    return pd.DataFrame(
        {
            "report_id": index.astype("string"),
            "agency": reports["agency"].reindex(index).astype("string").to_numpy(),
            "year": reports["year"].reindex(index).astype("Int64").to_numpy(),
        },
    )


# --------------------------------------------------------------------------------------------------------
# Rates


def ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator / denominator as Float64, NA when either is NA or the denominator is 0.

    >>> ratio(pd.Series([1, 1, pd.NA], dtype="Int64"), pd.Series([4, 0, 2], dtype="Int64")).tolist()
    [0.25, <NA>, <NA>]
    """
    num = numerator.astype("Float64")
    den = denominator.astype("Float64")
    return (num / den.mask(den == 0)).astype("Float64")


def is_small(denominator: pd.Series) -> pd.Series:
    """The small-N guard: True when the denominator is under :data:`SMALL_N`, NA when it is unknown.

    >>> is_small(pd.Series([29, 30, pd.NA], dtype="Int64")).tolist()
    [True, False, <NA>]
    """
    return (denominator.astype("Int64") < SMALL_N).astype("boolean")


def _rate_frame(keys: pd.DataFrame, measure: str, num: pd.Series, den: pd.Series) -> pd.DataFrame:
    num = num.astype("Int64").reset_index(drop=True)
    den = den.astype("Int64").reset_index(drop=True)
    return keys.assign(
        measure=measure, numerator=num, denominator=den, value=ratio(num, den), is_small_n=is_small(den)
    )[_RATE_COLUMNS]


def rates(tables: dict[str, pd.DataFrame], applicant: str = "total") -> pd.DataFrame:
    """The rates of :data:`RATES` for every report, long: one row per report and measure.

    Columns: report_id, agency, year, measure (a code of :data:`RATES`), numerator, denominator, value
    (Float64, NA when a needed cell is missing or the denominator is 0), is_small_n.
    """
    m = request_matrix(tables, applicant)
    r = review_matrix(tables)
    keys = _keys(tables, m.index)
    frames = [_rate_frame(keys, rate.code, *_rate_parts(rate, m, r)) for rate in RATES]
    return pd.concat(frames, ignore_index=True)


def _rate_parts(rate: Rate, requests: pd.DataFrame, reviews: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Given a rate's declaration and the two matrices, its numerator and denominator per report (Int64)."""

    def cell(c: Cell) -> pd.Series:
        return requests[c] if isinstance(c, str) else reviews[c]

    numerator = reduce(operator.add, map(cell, rate.numerator))
    denominator = reduce(
        operator.sub, map(cell, rate.denominator_less), reduce(operator.add, map(cell, rate.denominator))
    )
    return numerator, denominator


# --------------------------------------------------------------------------------------------------------
# Mixes


def _mix_frame(keys: pd.DataFrame, parts: dict[str, pd.Series]) -> pd.DataFrame:
    """Shares of parts over their sum; every share NA when any part is NA."""
    table = pd.DataFrame({k: v.astype("Int64").reset_index(drop=True) for k, v in parts.items()})
    total = table.sum(axis=1, skipna=False, min_count=1).astype("Int64")
    frames = [
        keys.assign(
            category=code,
            numerator=table[code],
            denominator=total,
            share=ratio(table[code], total),
            is_small_n=is_small(total),
        )
        for code in parts
    ]
    return pd.concat(frames, ignore_index=True)[_MIX_COLUMNS]


def outcome_mix(tables: dict[str, pd.DataFrame], applicant: str = "total") -> pd.DataFrame:
    """How handled requests split over the six outcome groups (granted … other), per report.

    Columns: report_id, agency, year, category (a code of ``OUTCOME_GROUPS``), numerator (the group's
    rows added up), denominator (all outcome rows added up), share, is_small_n.
    """
    m = request_matrix(tables, applicant)
    versions = _template_version(tables, m)
    parts = {g: _sum_rows(m, versions, g) for g in by_code(MIXES)["outcome_mix"].categories}
    return _mix_frame(_keys(tables, m.index), parts)


def reason_mix(
    tables: dict[str, pd.DataFrame], group: str = "denied", applicant: str = "total"
) -> pd.DataFrame:
    """The sub-reasons of one outcome group (e.g. the eight 不予公开 reasons), each over their sum.

    ``group`` is ``denied``, ``unable``, ``not_processed`` or ``other``. For ``other`` a 2019-format
    report has the single row ``other_processed``; its 2021 sub-rows are NA there, and the other way
    round, so that every category of the result exists in every report of its template.
    """
    if group not in OUTCOME_GROUPS:
        raise ValueError(f"unknown outcome group {group!r}; expected one of {OUTCOME_GROUPS}")
    m = request_matrix(tables, applicant)
    versions = _template_version(tables, m)
    frames = []
    for version in ("2021", "2019"):
        mask = (versions == version).to_numpy()
        if not mask.any():
            continue
        sub = m.loc[mask]
        rows = group_rows(group, version)
        frames.append(_mix_frame(_keys(tables, sub.index), {r: sub[r] for r in rows}))
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in _mix_dtypes().items()})
    return pd.concat(frames, ignore_index=True)


def refusal_mix(tables: dict[str, pd.DataFrame], applicant: str = "total") -> pd.DataFrame:
    """The refusal mix: each denied_* row over the sum of the denied_* rows (a :func:`reason_mix`)."""
    return reason_mix(tables, "denied", applicant)


def applicant_mix(tables: dict[str, pd.DataFrame], row: str = "new_received") -> pd.DataFrame:
    """Who asked: the six applicant columns of one table-三 row, each over their sum."""
    parts = {a: request_matrix(tables, a)[row] for a in APPLICANT_PARTS}
    index = next(iter(parts.values())).index
    return _mix_frame(_keys(tables, index), parts)


def _mix_dtypes() -> dict[str, str]:
    return {
        "report_id": "string",
        "agency": "string",
        "year": "Int64",
        "category": "object",
        "numerator": "Int64",
        "denominator": "Int64",
        "share": "Float64",
        "is_small_n": "boolean",
    }


# --------------------------------------------------------------------------------------------------------
# Counts


def volumes(tables: dict[str, pd.DataFrame], applicant: str = "total") -> pd.DataFrame:
    """New, carried over, handled and carried forward per report, long; NA where the cell is missing."""
    m = request_matrix(tables, applicant)
    keys = _keys(tables, m.index)
    frames = [keys.assign(row_code=row, count=m[row].reset_index(drop=True)) for row in VOLUME_ROWS]
    return pd.concat(frames, ignore_index=True)


def review_counts(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Table 四 per report, long: proceeding, outcome, count (NA where the document lacks the cell)."""
    r = review_matrix(tables)
    keys = _keys(tables, r.index)
    frames = [
        keys.assign(proceeding=p, outcome=o, count=r[(p, o)].reset_index(drop=True)) for p, o in r.columns
    ]
    return pd.concat(frames, ignore_index=True)


def volume_table(tables: dict[str, pd.DataFrame], applicant: str = "total") -> pd.DataFrame:
    """Volumes as a display table: one line per report (agency, year), one column per volume row."""
    vols = volumes(tables, applicant)
    table = vols.set_index(["agency", "year", "report_id", "row_code"])["count"].unstack("row_code")
    return table.reindex(columns=list(VOLUME_ROWS)).astype("Int64").sort_index().reset_index()


def review_table(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Table 四 as a display table: one line per report, columns (proceeding, outcome), NA kept."""
    r = review_matrix(tables)
    keys = _keys(tables, r.index).set_index("report_id")
    r.index = pd.MultiIndex.from_frame(keys.reset_index()[["agency", "year", "report_id"]])
    return r.sort_index()


# --------------------------------------------------------------------------------------------------------
# Pooling and ranking


def pool(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Pool a rate, mix or count frame over reports (e.g. ``by=["year", "measure"]``).

    Numerators and denominators are added over the reports where both are known, and the rate is
    recomputed from the sums (a pooled rate, not a mean of rates); counts are added over the reports
    where they are known. A mix is pooled per report, so its pooled shares still add up to 1 when its
    reports have different categories (2019 and 2021 formats); ``by`` must then contain ``category``.
    ``n_reports`` counts the reports used and ``n_missing`` those left out because a number was NA; a
    group with no usable report is NA.
    """
    if "count" in frame.columns:
        usable = frame["count"].notna()
        out = (
            frame.assign(_use=usable, count=frame["count"].where(usable))
            .groupby(by, dropna=False)
            .agg(
                count=("count", lambda s: s.sum(min_count=1)),
                n_reports=("_use", "sum"),
                n_all=("_use", "size"),
            )
        )
        out["count"] = out["count"].astype("Int64")
        out["n_missing"] = out.pop("n_all") - out["n_reports"]
        return _pooled_types(out.reset_index())
    usable = frame["numerator"].notna() & frame["denominator"].notna()
    if "category" in frame.columns:
        if "category" not in by:
            raise ValueError("pooling a mix needs 'category' in by")
        outer = [b for b in by if b != "category"]
        per_report = frame.assign(_use=usable).drop_duplicates("report_id")
        groups = (
            per_report.groupby(outer, dropna=False) if outer else per_report.assign(_all=0).groupby("_all")
        )
        dens = groups.apply(
            lambda g: pd.Series(
                {
                    "denominator": g.loc[g["_use"], "denominator"].sum(min_count=1),
                    "n_reports": int(g["_use"].sum()),
                    "n_missing": int((~g["_use"]).sum()),
                }
            ),
            include_groups=False,
        )
        nums = (
            frame.assign(numerator=frame["numerator"].where(usable))
            .groupby(by, dropna=False)["numerator"]
            .sum(min_count=1)
            .rename("numerator")
            .reset_index()
        )
        if outer:
            out = nums.merge(dens.reset_index(), on=outer, how="left")
        else:
            out = nums.assign(**{c: dens.iloc[0][c] for c in dens.columns})
        # A category that only unusable reports have (e.g. the 2021 sub-rows in a group whose 2021
        # reports all lack a cell) describes none of the pooled requests: it is left out, not set to 0.
        out = out[~((out["n_reports"] > 0) & out["numerator"].isna())].reset_index(drop=True)
        out["numerator"] = out["numerator"].astype("Int64")
        out["denominator"] = out["denominator"].astype("Int64")
        out["share"] = ratio(out["numerator"], out["denominator"])
        out["is_small_n"] = is_small(out["denominator"])
        return _pooled_types(out)
    f = frame.assign(
        _use=usable,
        numerator=frame["numerator"].where(usable),
        denominator=frame["denominator"].where(usable),
    )
    out = f.groupby(by, dropna=False).agg(
        numerator=("numerator", lambda s: s.sum(min_count=1)),
        denominator=("denominator", lambda s: s.sum(min_count=1)),
        n_reports=("_use", "sum"),
        n_all=("_use", "size"),
    )
    out["n_missing"] = out.pop("n_all") - out["n_reports"]
    out["numerator"] = out["numerator"].astype("Int64")
    out["denominator"] = out["denominator"].astype("Int64")
    out["value"] = ratio(out["numerator"], out["denominator"])
    out["is_small_n"] = is_small(out["denominator"])
    return _pooled_types(out.reset_index())


def _pooled_types(out: pd.DataFrame) -> pd.DataFrame:
    return out.astype({"n_reports": "Int64", "n_missing": "Int64"})


def rank(frame: pd.DataFrame, measure: str, ascending: bool = False) -> pd.DataFrame:
    """The rows of one measure, ranked by value, with the small-N guard applied.

    Rows whose denominator is under :data:`SMALL_N`, or whose value is NA, keep their place in the table
    (shown, with their counts) but get no rank: ``rank`` is NA. Ranked rows come first. Rates equal to
    0.1 % (as printed) share a rank (``tied``); ``low`` and ``high`` are the 95 % Wilson interval.
    """
    rows = frame[frame["measure"] == measure].copy()
    rankable = rows["value"].notna() & ~rows["is_small_n"].fillna(True)
    # ties: rates equal to the precision they are printed at (0.1 %) share the better rank
    shown = rows["value"].astype("float64").round(3)
    rows["rank"] = shown.where(rankable).rank(method="min", ascending=ascending).astype("Int64")
    rows["tied"] = rows["rank"].notna() & rows["rank"].duplicated(keep=False)
    rows["low"], rows["high"] = wilson(rows["numerator"], rows["denominator"])
    rows["_order"] = rows["value"].astype("float64") * (1 if ascending else -1)
    rows = rows.sort_values(["rank", "_order"], na_position="last", kind="stable")
    return rows.drop(columns="_order").reset_index(drop=True)


def wilson(numerator: pd.Series, denominator: pd.Series, z: float = 1.959964) -> tuple[pd.Series, pd.Series]:
    """The Wilson score interval of a proportion (95 % by default); NA where a count is NA, the
    denominator is 0, or the numerator passes the denominator (lawsuits per new request can pass 1: that
    rate is no proportion, and clipping it to 100 % would draw an interval that means nothing). It stays
    inside [0, 1] and is honest for small counts, unlike value ± z·se.

    >>> [round(float(x), 3) for x in (s.iloc[0] for s in wilson(pd.Series([25]), pd.Series([40])))]
    [0.47, 0.758]
    >>> [bool(pd.isna(s.iloc[0])) for s in wilson(pd.Series([30]), pd.Series([21]))]
    [True, True]
    """
    k = pd.to_numeric(numerator, errors="coerce").astype("float64")
    n = pd.to_numeric(denominator, errors="coerce").astype("float64")
    n = n.where((n > 0) & ~(k > n))
    p = (k / n).clip(0, 1)
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (centre - half).clip(0, 1), (centre + half).clip(0, 1)


def rank_table(ranked: pd.DataFrame, lang: str = "zh", by: str = "agency") -> pd.DataFrame:
    """A ranking as a reader sees it: rank ("=" marks a tie), the name, the rate with its counts and its
    95 % interval as percentages (no raw floats), and why a row is not ranked."""
    zh = lang == "zh"

    def pct(x):
        return "NA" if pd.isna(x) else f"{x:.1%}"

    def why(rec):
        if pd.notna(rec["rank"]):
            return ""
        if pd.isna(rec["value"]):
            return "缺少数据" if zh else "a number is missing"
        return f"分母不足 {SMALL_N}" if zh else f"fewer than {SMALL_N}"

    out = pd.DataFrame(
        {
            ("名次" if zh else "rank"): [
                "" if pd.isna(r) else f"{int(r)}" + ("=" if t else "")
                for r, t in zip(ranked["rank"], ranked["tied"], strict=False)
            ],
            (("机关" if zh else "agency") if by == "agency" else by): ranked[by].astype("string"),
            ("比率 (分子/分母)" if zh else "rate (numerator/denominator)"): [
                format_rate(v, k, n)
                for v, k, n in zip(ranked["value"], ranked["numerator"], ranked["denominator"], strict=False)
            ],
            ("95% 区间" if zh else "95% interval"): [
                "" if pd.isna(lo) else f"{pct(lo)} – {pct(hi)}"
                for lo, hi in zip(ranked["low"], ranked["high"], strict=False)
            ],
            ("未排名原因" if zh else "not ranked because"): [why(rec) for _, rec in ranked.iterrows()],
        }
    )
    return out


def small_n_unranked(ranked: pd.DataFrame) -> bool:
    """True when no row under the small-N guard (or with an NA value) carries a rank."""
    guarded = ranked["is_small_n"].fillna(True).astype(bool) | ranked["value"].isna()
    return bool(ranked.loc[guarded, "rank"].isna().all())


def headline(tables: dict[str, pd.DataFrame], lang: str = "zh") -> pd.DataFrame:
    """The headline figures of a selection: the volumes added up and the rates pooled over its reports.

    One line per figure with the value (a rate with its counts), how many reports it uses, and how many
    it leaves out because a cell is missing.
    """
    lines = []
    vols = pool(volumes(tables), ["row_code"]).set_index("row_code")
    for row in VOLUME_ROWS:
        rec = vols.loc[row]
        lines.append(
            {
                "figure": label(row, REQUEST_ROWS, lang),
                "value": "NA" if pd.isna(rec["count"]) else f"{int(rec['count']):,}",
                "n_reports": rec["n_reports"],
                "n_missing": rec["n_missing"],
            }
        )
    pooled = pool(rates(tables), ["measure"]).set_index("measure")
    for measure in codes(RATES):
        rec = pooled.loc[measure]
        lines.append(
            {
                "figure": rate_label(measure, lang),
                "value": format_rate(rec["value"], rec["numerator"], rec["denominator"])
                + ("*" if not pd.isna(rec["is_small_n"]) and bool(rec["is_small_n"]) else ""),
                "n_reports": rec["n_reports"],
                "n_missing": rec["n_missing"],
            }
        )
    return pd.DataFrame(lines).astype({"n_reports": "Int64", "n_missing": "Int64"})


# --------------------------------------------------------------------------------------------------------
# Display


def format_rate(value, numerator, denominator) -> str:
    """A rate with its counts, as the charts and tables print it.

    >>> format_rate(0.625, 25, 40)
    '62.5% (25/40)'
    >>> format_rate(pd.NA, pd.NA, 40)
    'NA (NA/40)'
    """

    def num(x):
        return "NA" if pd.isna(x) else str(int(x))

    pct = "NA" if pd.isna(value) else f"{value:.1%}"
    return f"{pct} ({num(numerator)}/{num(denominator)})"


def rate_label(measure: str, lang: str = "zh") -> str:
    """The label of a derived measure.

    >>> rate_label("backlog", "en")
    'Backlog'
    """
    return label(measure, RATES, lang)


#: Where a row's printed label, its ordinal taken off, does not name the cell on its own (table 三's
#: "（七）总计" is the total of the outcome rows), the name a definition uses instead.
CELL_NAMES: tuple[Code, ...] = (Code("total_processed", "办理结果总计", "Total handled"),)

_ORDINAL = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+\.)")


def cell_name(cell: Cell, lang: str = "zh") -> str:
    """A cell a rate reads, named as a reader finds it in the report (its label without the ordinal).

    >>> cell_name("unable_not_held"), cell_name(("review", "corrected")), cell_name("total_processed", "en")
    ('本机关不掌握相关政府信息', '行政复议·结果纠正', 'Total handled')
    """
    if isinstance(cell, tuple):
        joiner = "·" if lang == "zh" else " – "
        return joiner.join(label(c, t, lang) for c, t in zip(cell, (PROCEEDINGS, OUTCOMES), strict=True))
    if cell in codes(CELL_NAMES):
        return label(cell, CELL_NAMES, lang)
    return _ORDINAL.sub("", label(cell, REQUEST_ROWS, lang))


def _sum_words(cells: tuple[Cell, ...], less: tuple[Cell, ...], lang: str) -> str:
    words = " + ".join(cell_name(c, lang) for c in cells) + "".join(f" − {cell_name(c, lang)}" for c in less)
    return f"({words})" if len(cells) + len(less) > 1 else words


def definition(code: str, lang: str = "zh") -> str:
    """What a rate or mix is, in words, written from its declaration (:mod:`xxgk.contract.measures`), so a
    chart's caption cannot disagree with what is computed.

    >>> definition("not_held_rate")
    '不掌握信息比例 = 本机关不掌握相关政府信息 / 办理结果总计'
    >>> definition("outcome_mix", "en")
    'Outcome mix: each part / the sum of the parts'
    """
    if code in codes(RATES):
        rate = by_code(RATES)[code]
        numerator = _sum_words(rate.numerator, (), lang)
        denominator = _sum_words(rate.denominator, rate.denominator_less, lang)
        return f"{rate_label(code, lang)} = {numerator} / {denominator}"
    mix = label(code, MIXES, lang)
    return f"{mix}：每类件数 / 各类件数之和" if lang == "zh" else f"{mix}: each part / the sum of the parts"


def rate_table(frame: pd.DataFrame, lang: str = "zh", columns: str = "year") -> pd.DataFrame:
    """Rates as a display table: one row per measure, one column per ``columns`` value, "rate (n/d)".

    Small-N cells are marked with "*" (shown, not ranked).
    """
    cells = frame.assign(
        cell=[
            format_rate(v, n, d) + ("*" if not pd.isna(s) and bool(s) else "")
            for v, n, d, s in zip(
                frame["value"], frame["numerator"], frame["denominator"], frame["is_small_n"], strict=False
            )
        ],
        label=frame["measure"].map(lambda m: rate_label(m, lang)),
    )
    order = [rate_label(m, lang) for m in codes(RATES) if m in set(frame["measure"])]
    table = cells.pivot_table(index="label", columns=columns, values="cell", aggfunc="first")
    return table.reindex(order).rename_axis(index=None)


# --------------------------------------------------------------------------------------------------------
# Invariants the notebooks assert


def shares_sum_to_one(mix: pd.DataFrame, by: list[str] | None = None, tol: float = 1e-9) -> bool:
    """True when, in every group (default: per report) whose shares are all known, they add up to 1."""
    by = by or ["report_id"]
    grouped = mix.groupby(by, dropna=False)["share"]
    complete = grouped.transform(lambda s: s.notna().all()).astype(bool)
    sums = mix[complete].groupby(by, dropna=False)["share"].sum()
    return bool(((sums.astype(float) - 1).abs() <= tol).all())


def na_kept(frame: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> bool:
    """True when no cell that the tidy tables lack has become a number.

    For a rate or mix frame: wherever the numerator or denominator is NA the value is NA. For a count
    frame (volumes, review counts): there are exactly as many NA counts as missing or "/" cells of those
    rows plus cells the tidy table does not have at all.
    """
    if "count" in frame.columns:
        if "row_code" in frame.columns:
            src = tables["requests"]
            src = src[src["row_code"].isin(frame["row_code"].unique()) & (src["applicant_code"] == "total")]
        else:
            src = tables["reviews"]
        src = src[src["report_id"].isin(frame["report_id"])]
        absent = len(frame) - len(src)
        return int(frame["count"].isna().sum()) == int(_known(src).isna().sum()) + absent
    value = frame["share"] if "share" in frame.columns else frame["value"]
    lacking = frame["numerator"].isna() | frame["denominator"].isna()
    return bool(value[lacking].isna().all())


def totals_match(pooled: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> bool:
    """True when pooled counts equal the sum of the known cells of the tidy table they come from.

    A frame with ``row_code`` is checked against ``requests`` (total column), one with ``proceeding``
    against ``reviews``.
    """
    if "row_code" in pooled.columns:
        src = tables["requests"]
        src = src[(src["applicant_code"] == "total") & src["row_code"].isin(pooled["row_code"])]
        keys = ["row_code"]
    else:
        src = tables["reviews"]
        keys = ["proceeding", "outcome"]
    direct = src.assign(count=_known(src)).groupby(keys)["count"].sum(min_count=1)
    mine = pooled.groupby(keys)["count"].sum(min_count=1)
    return bool(mine.astype("Float64").equals(direct.reindex(mine.index).astype("Float64")))
