"""One agency, this year against the previous report year it has (notebook 60, issue 13 §4).

:func:`pair` chooses the two reports and checks the notebook's parameters (with messages that say what is
allowed: the agencies that have two or more years read, the years that can be the later one). The later
year is compared with the agency's previous report year in the corpus, which need not be the calendar year
before (a report not collected): :func:`overview` says which year it is and whether a report is cut off.

- :func:`cells`: every cell of tables 二, 三 and 四 in both years, with Δ and %Δ from
  :func:`xxgk.analysis.panel.changes`. A missing cell stays NA and a "/" stays "/" (its status is kept
  beside it): neither becomes 0, and a Δ that needs one is NA. Each value names its file and line.
- :func:`rate_changes`: the derived rates of both years (docs/measures.md) with their 95 % Wilson intervals.
- :func:`issues`: the issues of both reports, the cut-off tables first.
- :func:`prose_repetition`: how much of this year's prose is carried over from last year's. The prose is
  read from the report file itself through the readers of :mod:`xxgk.read.formats` (the tables keep only
  the sentences that state a number), so the raw folder must hold the file: it is found by the reports
  table's ``source_file`` and accepted only if its SHA-256 is the one that was parsed.

Repetition, defined (deterministic, offline):

- **Prose** is every line outside the regions of tables 二, 三 and 四 (the parser's sections), after the
  heading of section 一 (the title is not prose), without heading lines and number-only lines; the lines are
  joined as the parser joins them (:func:`xxgk.parse.facts.prose_text`: white space removed, so a sentence
  a PDF broke over lines is one sentence).
- **Sentences** end at 。；！？ (and the text's end); one shorter than :data:`MIN_SENTENCE` characters is
  not a sentence (a stray ordinal). A sentence of this year is an **exact repeat** when last year's prose
  has the same sentence, and a **template repeat** when it is not exact but is the same once every number
  is masked ("受理12件" and "受理15件" are one template): the two are counted apart.
- **Characters**: a character of this year's prose is carried over when it lies in a run of at least
  :data:`MIN_PASSAGE` characters that last year's prose prints identically (anywhere, in any order). The
  runs are the **repeated passages**; the share is their characters over all of this year's prose.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from xxgk.analysis import measures
from xxgk.analysis.corpus import resolve, select, where_zh
from xxgk.analysis.panel import changes
from xxgk.contract.checks import CHECKS, SEVERITIES, SEVERITY_CODES
from xxgk.contract.codes import (
    APPLICANTS,
    MEASURES,
    OUTCOMES,
    PROACTIVE_ITEMS,
    PROCEEDINGS,
    REQUEST_ROWS,
    Code,
    by_code,
    codes,
    label,
)
from xxgk.contract.measures import RATES
from xxgk.parse.facts import prose_text
from xxgk.parse.sections import find_sections, table_regions
from xxgk.read.formats import MAX_BYTES, format_for
from xxgk.read.lines import Line

#: Report statuses whose numbers were read (a failed report is a year without numbers).
READ = ("ok", "incomplete")
#: Checks that say a report is cut off or lacks a table: the notebook shows them first.
CUT_OFF = ("table_truncated", "table_missing")
#: A sentence has at least this many characters (white space removed); shorter ones are ordinals or debris.
MIN_SENTENCE = 6
#: A repeated passage is at least this many characters printed identically in both years: long enough that
#: a stock phrase (《中华人民共和国政府信息公开条例》 is 17) does not count as carried-over text by itself.
MIN_PASSAGE = 20

# The three tables' cells: (table, value column, row column, column column, row codes, column codes).
_TABLES = (
    ("proactive", "value", "item_code", "measure", PROACTIVE_ITEMS, MEASURES),
    ("requests", "count", "row_code", "applicant_code", REQUEST_ROWS, APPLICANTS),
    ("reviews", "count", "proceeding", "outcome", PROCEEDINGS, OUTCOMES),
)
_SENTENCE = re.compile(r"[^。;!?]+[。;!?]?")  # the text is NFKC: ；！？ are ; ! ?
_NUMBER = re.compile(r"\d+(?:[.|]\d+)*")  # prose_text keeps digits apart with "|" ("3 / 2700" → "3|/|2700")

#: The labels this module prints, in both languages (one place, as plotting.TEXT does for the charts).
TEXT: tuple[Code, ...] = (
    Code("year", "年度", "year"),
    Code("agency", "报告标题中的机关名称", "agency as printed"),
    Code("file", "文件", "file"),
    Code("status", "解析状态", "status"),
    Code("template", "模板", "template"),
    Code("errors", "错误数", "errors"),
    Code("cut_off", "截断或缺表", "cut off or table missing"),
    Code("none", "无", "none"),
    Code("role", "角色", "role"),
    Code("this_year", "本年", "this year"),
    Code("previous_year", "对比年", "compared with"),
    Code(
        "gap_note",
        "{previous}年与{year}年之间的年度没有读出的报告（{missing}）：与{previous}年对比",
        "no report read for {missing}: compared with {previous}",
    ),
    Code("consecutive", "上一年度", "the year before"),
    Code("compared", "对比", "compared"),
    Code("row", "行", "row"),
    Code("measure", "指标", "measure"),
    Code("delta_pp", "变化（百分点）", "change (points)"),
    Code("severity", "严重程度", "severity"),
    Code("check", "检查", "check"),
    Code("location", "位置", "location"),
    Code("message", "说明", "message"),
    Code("detail", "详情（英文）", "detail"),
    Code("kind", "类别", "kind"),
    Code("count", "数量", "count"),
    Code("of", "总数", "of"),
    Code("share", "占比", "share"),
    Code("exact", "句子：与上年完全相同", "sentences repeated exactly"),
    Code("template_repeat", "句子：仅数字不同（同一模板句）", "sentences repeated with other numbers"),
    Code("new", "句子：新写的", "sentences not in last year's report"),
    Code("characters", "字符：在≥{k}字的相同段落中", "characters in passages of ≥{k} repeated characters"),
    Code("line", "本年行号", "line this year"),
    Code("previous_line", "上年行号", "line last year"),
    Code("chars", "字数", "characters"),
    Code("passage", "重复段落", "repeated passage"),
    Code("sentence", "本年句子", "sentence this year"),
    Code("previous_sentence", "上年句子", "sentence last year"),
    Code("no_file", "找不到原始文件 {file}（在 {folder} 中）", "the raw file {file} is not in {folder}"),
    Code(
        "changed_file",
        "{file} 的内容与解析时不同（SHA-256 不符），未使用",
        "{file} differs from the file that was parsed (SHA-256): not used",
    ),
    Code("unreadable", "{file} 无法读取：{reason}", "{file} cannot be read: {reason}"),
    Code(
        "chart_title",
        "{agency}：{previous} 年与 {year} 年的派生比率",
        "{agency}: derived rates, {previous} and {year}",
    ),
    Code(
        "chart_note",
        "线段：95% Wilson 区间；空心点：分母不足 30；NA：缺少数字；高于 100% 的比率没有区间",
        "line: 95% Wilson interval; hollow: denominator under 30; NA: a number is missing; no interval above 100%",
    ),
)


def text(key: str, lang: str = "zh", **fields) -> str:
    """A label of this module in the chosen language.

    >>> text("characters", "en", k=20)
    'characters in passages of ≥20 repeated characters'
    """
    return label(key, TEXT, lang).format(**fields)


# --------------------------------------------------------------------------------------------------------
# The pair of reports, and the parameters that choose it


@dataclass(frozen=True)
class Pair:
    """The two reports compared: the agency, the later year and the previous report year it has."""

    agency_id: str
    agency_name: str
    year: int
    previous: int
    report_id: str
    previous_report_id: str

    @property
    def gap(self) -> int:
        return self.year - self.previous


def _read_reports(tables: dict) -> pd.DataFrame:
    """Reports whose numbers were read, placed by agency and year (duplicates are already left out)."""
    reports = tables["reports"]
    keep = reports["status"].isin(list(READ)).fillna(False)
    keep &= reports["agency_id"].notna() & reports["year"].notna()
    return reports[keep.to_numpy()]


def agencies(tables: dict, min_years: int = 2) -> pd.DataFrame:
    """The agencies with at least ``min_years`` report years read: id, canonical name, printed names, years."""
    read = _read_reports(tables)
    grouped = read.sort_values("year").groupby("agency_id")
    out = pd.DataFrame(
        {
            "agency_name": grouped["agency_name"].first(),
            "agency": grouped["agency"].agg(lambda s: "、".join(dict.fromkeys(s.dropna().astype(str)))),
            "years": grouped["year"].agg(lambda s: sorted(set(s.astype(int)))),
        }
    )
    out["n_years"] = out["years"].map(len)
    out = out[out["n_years"] >= min_years]
    return out.sort_values("agency_name").reset_index()


def _allowed(tables: dict) -> str:
    listed = agencies(tables, 2)
    if listed.empty:
        return "none: no agency of this corpus has two report years read"
    return "; ".join(f"{r.agency} ({', '.join(map(str, r.years))})" for r in listed.itertuples())


def pair(tables: dict, agency: str, year: int = 0, lang: str = "zh") -> Pair:
    """Choose the two reports: ``agency`` (any of its names, or its id) in ``year`` (0: the latest year it
    has) against its previous report year. (``lang`` is checked with the notebook's other parameters by
    :func:`xxgk.analysis.parameters.check`.)

    Raises ValueError naming the parameter, the value given and what is allowed: an agency with fewer than
    two report years read, a year that has no previous one.
    """
    read = _read_reports(tables)
    names = [c for c in ("agency", "agency_name", "manifest_agency", "agency_id") if c in read.columns]
    ids = sorted(set(read.loc[read[names].isin([str(agency)]).any(axis=1), "agency_id"]))
    if not ids:
        raise ValueError(
            f"agency: {agency!r} has no report read in this corpus; "
            f"agencies with two or more years: {_allowed(tables)}"
        )
    if len(ids) > 1:
        raise ValueError(
            f"agency: {agency!r} names {len(ids)} agencies ({', '.join(ids)}): give one of these ids"
        )
    own = read[read["agency_id"] == ids[0]].sort_values("year")
    years = sorted(set(own["year"].astype(int)))
    if len(years) < 2:
        raise ValueError(
            f"agency: {agency!r} has one report year read ({years[0]}); year over year needs two. "
            f"Agencies with two or more years: {_allowed(tables)}"
        )
    year = int(year) or years[-1]
    if year not in years[1:]:
        raise ValueError(
            f"year: {year} given; {agency} has report years {years}: the later year of the pair is one of "
            f"{years[1:]} (0: the latest, {years[-1]})"
        )
    previous = years[years.index(year) - 1]
    by_year = own.drop_duplicates("year").set_index("year")
    return Pair(
        agency_id=ids[0],
        agency_name=str(by_year.loc[year, "agency_name"]),
        year=year,
        previous=previous,
        report_id=str(by_year.loc[year, "report_id"]),
        previous_report_id=str(by_year.loc[previous, "report_id"]),
    )


def tables_of(tables: dict, pr: Pair) -> dict:
    """The tables cut to the two reports."""
    return select(tables, years=[pr.previous, pr.year], agencies=[pr.agency_id])


# --------------------------------------------------------------------------------------------------------
# Overview and issues


def overview(tables: dict, pr: Pair, lang: str = "zh") -> pd.DataFrame:
    """One line per year: which file, its status and template, its errors, and what is cut off in it."""
    reports = tables["reports"].set_index("report_id")
    issue_rows = tables["issues"]
    lines = []
    for role, year, rid in (
        ("previous_year", pr.previous, pr.previous_report_id),
        ("this_year", pr.year, pr.report_id),
    ):
        rep = reports.loc[rid]
        cut = issue_rows[(issue_rows["report_id"] == rid) & issue_rows["check"].isin(list(CUT_OFF))]
        lines.append(
            {
                text("role", lang): text(role, lang),
                text("year", lang): year,
                text("agency", lang): rep["agency"],
                text("file", lang): rep["source_file"],
                text("status", lang): rep["status"],
                text("template", lang): rep["template"],
                text("errors", lang): rep["n_errors"],
                text("cut_off", lang): "；".join(
                    f"{label(c, CHECKS, lang)}：{m}"
                    for c, m in zip(cut["check"], cut["message"], strict=True)
                )
                or text("none", lang),
            }
        )
    out = pd.DataFrame(lines)
    out.insert(3, text("compared", lang), ["", gap_note(pr, lang)])
    return out


def gap_note(pr: Pair, lang: str = "zh") -> str:
    """Which year this year is compared with, and the years between that have no report read.

    >>> gap_note(Pair("a", "A", 2023, 2021, "r23", "r21"), "en")
    'no report read for 2022: compared with 2021'
    """
    if pr.gap == 1:
        return f"{pr.previous}（{text('consecutive', lang)}）"
    missing = "、".join(str(y) for y in range(pr.previous + 1, pr.year))
    return text("gap_note", lang, previous=pr.previous, year=pr.year, missing=missing)


def cut_off(tables: dict, pr: Pair) -> dict[int, list[str]]:
    """Per year, the messages of the issues that say a table is cut off or missing (empty: complete)."""
    issue_rows = tables["issues"]
    out = {}
    for year, rid in ((pr.previous, pr.previous_report_id), (pr.year, pr.report_id)):
        hit = issue_rows[(issue_rows["report_id"] == rid) & issue_rows["check"].isin(list(CUT_OFF))]
        out[year] = hit["message"].astype(str).tolist()
    return out


def issues(tables: dict, pr: Pair, lang: str = "zh") -> pd.DataFrame:
    """The issues of both reports: cut-off tables first, then by year and severity."""
    rid_year = {pr.previous_report_id: pr.previous, pr.report_id: pr.year}
    rows = tables["issues"][tables["issues"]["report_id"].isin(list(rid_year))].copy()
    known = by_code(CHECKS)
    rows["_cut"] = ~rows["check"].isin(list(CUT_OFF))
    rows["_year"] = rows["report_id"].map(rid_year)
    rows["_sev"] = rows["severity"].map({s: i for i, s in enumerate(SEVERITY_CODES)})
    rows = rows.sort_values(["_cut", "_year", "_sev"], kind="stable")
    zh = lang == "zh"
    pairs = zip(rows["check"], rows["message"], strict=True)
    return pd.DataFrame(
        {
            text("year", lang): rows["_year"].to_numpy(),
            text("severity", lang): rows["severity"].map({v.code: v.zh for v in SEVERITIES}).to_numpy()
            if zh
            else rows["severity"].to_numpy(),
            text("check", lang): [label(c, CHECKS, lang) if c in known else c for c in rows["check"]],
            text("location", lang): (
                rows["location"].map(where_zh, na_action="ignore") if zh else rows["location"]
            ),
            # a Chinese page explains the check in Chinese; the message's specifics (rows, numbers) stay beside
            text("message", lang): [known[c].meaning_zh if zh and c in known else m for c, m in pairs],
            **({text("detail", lang): rows["message"].to_numpy()} if zh else {}),
        }
    )


# --------------------------------------------------------------------------------------------------------
# Every cell of both years


def show(frame: pd.DataFrame, nowrap: bool = False):
    """A display table shown whole: every row and the full text of each cell (pandas would cut a long issue
    message or passage at 50 characters), left-aligned, without the row numbers; ``nowrap`` keeps each
    cell on one line (the "last → this (Δ)" cells)."""
    styler = frame.style.hide(axis="index") if frame.index.equals(pd.RangeIndex(len(frame))) else frame.style
    styles = [{"selector": "td, th", "props": [("text-align", "left"), ("vertical-align", "top")]}]
    if nowrap:
        styles.append({"selector": "td", "props": [("white-space", "nowrap")]})
    return styler.set_table_styles(styles)


def _where(file: str, rec) -> str:
    """Where a value was printed: file, page, line, and the t:r:c cell of a Word table."""
    if pd.isna(rec.get("source_line")):
        return ""
    parts = [file]
    if "source_page" in rec and pd.notna(rec["source_page"]):
        parts.append(f"p.{int(rec['source_page'])}")
    parts.append(f"line {int(rec['source_line'])}")
    if "source_cell" in rec and pd.notna(rec["source_cell"]):
        parts.append(f"cell {rec['source_cell']}")
    return " ".join(parts)


def _long(tables: dict, pr: Pair) -> pd.DataFrame:
    """The cells of both reports, one row per table, cell and year: value (NA when no number), status, where."""
    files = tables["reports"].set_index("report_id")["source_file"].astype(str)
    frames = []
    for table, value, row_col, col_col, _, _ in _TABLES:
        df = tables[table]
        df = df[df["report_id"].isin([pr.report_id, pr.previous_report_id])]
        no_number = df["cell_status"].isin(list(measures.NO_NUMBER)).fillna(False)
        frames.append(
            pd.DataFrame(
                {
                    "report_id": df["report_id"].astype(str).to_numpy(),
                    "table": table,
                    "row": df[row_col].astype(str).to_numpy(),
                    "column": df[col_col].astype(str).to_numpy(),
                    "value": df[value].astype("Float64").mask(no_number).to_numpy(),
                    "status": df["cell_status"].astype(str).to_numpy(),
                    "source": [_where(files[r["report_id"]], r) for r in df.to_dict("records")],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _order() -> list[tuple[str, str, str]]:
    """Every cell key (table, row, column) in template order."""
    return [(table, r, c) for table, _, _, _, rows, cols in _TABLES for r in codes(rows) for c in codes(cols)]


def cells(tables: dict, pr: Pair) -> pd.DataFrame:
    """Every cell of tables 二, 三 and 四 that either report has, with both years and the change.

    Columns: table, row, column; ``previous`` and ``value`` (Float64, NA when the document holds no number),
    ``previous_status`` and ``status`` (printed, not_applicable for "/", missing, derived…; ``absent`` when
    the report's template has no such cell), ``delta`` and ``pct_change`` (from
    :func:`xxgk.analysis.panel.changes`: NA when either value is NA, %Δ NA when last year's is 0), and
    ``previous_source`` and ``source`` (file and line).
    """
    long = _long(tables, pr)
    long["key"] = list(zip(long["table"], long["row"], long["column"], strict=True))
    keys = [k for k in _order() if k in set(long["key"])]
    names = {k: "|".join(k) for k in keys}
    wide = long.assign(name=long["key"].map(names)).pivot_table(
        index="report_id", columns="name", values="value", aggfunc="first", dropna=False
    )
    wide = wide.reindex(index=[pr.previous_report_id, pr.report_id], columns=list(names.values()))
    frame = wide.astype("Float64").reset_index(drop=True)
    frame.insert(0, "agency_id", pr.agency_id)
    frame.insert(1, "year", [pr.previous, pr.year])
    frame.insert(2, "status", "ok")  # both reports were read (pair() chose them so)
    delta = changes(frame, list(names.values()), max_gap=pr.gap).set_index("cell")
    at = long.set_index(["report_id", "key"])

    def side(rid: str, column: str, default):
        return [at[column].get((rid, k), default) for k in keys]

    out = pd.DataFrame(
        {
            "table": [k[0] for k in keys],
            "row": [k[1] for k in keys],
            "column": [k[2] for k in keys],
            "previous": delta.loc[list(names.values()), "previous"].to_numpy(),
            "value": delta.loc[list(names.values()), "value"].to_numpy(),
            "delta": delta.loc[list(names.values()), "delta"].to_numpy(),
            "pct_change": delta.loc[list(names.values()), "pct_change"].to_numpy(),
            "previous_status": side(pr.previous_report_id, "status", "absent"),
            "status": side(pr.report_id, "status", "absent"),
            "previous_source": side(pr.previous_report_id, "source", ""),
            "source": side(pr.report_id, "source", ""),
        }
    )
    for c in ("previous", "value", "delta", "pct_change"):
        out[c] = out[c].astype("Float64")
    return out


def _shown(value, status: str) -> str:
    if status == "not_applicable":
        return "/"
    if status == "absent":
        return "—"
    if pd.isna(value):
        return "NA"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _change(rec) -> str:
    """The change as shown: "/" when either side prints "/", NA when either has no number."""
    if "not_applicable" in (rec["previous_status"], rec["status"]):
        return "/"
    if pd.isna(rec["delta"]):
        return "NA"
    d = float(rec["delta"])
    shown = "0" if d == 0 else f"{d:+,.0f}" if d.is_integer() else f"{d:+,.2f}"
    return shown if pd.isna(rec["pct_change"]) else f"{shown}, {float(rec['pct_change']):+.1%}"


def cell_table(frame: pd.DataFrame, table: str = "requests", lang: str = "zh") -> pd.DataFrame:
    """One table's cells as a reader sees them: its rows by its columns, each cell "last → this (Δ, %Δ)".

    "/" is a "/" printed in the document, NA a cell without a number (cut off, lost), "—" a cell the
    report's template does not have; %Δ is left out when last year's value is 0.
    """
    spec = next(t for t in _TABLES if t[0] == table)
    rows_t, cols_t = spec[4], spec[5]
    part = frame[frame["table"] == table]
    shown = [
        f"{_shown(r['previous'], r['previous_status'])} → {_shown(r['value'], r['status'])} ({_change(r)})"
        for r in part.to_dict("records")
    ]
    wide = part.assign(cell=shown).pivot(index="row", columns="column", values="cell")
    wide = wide.reindex(index=[r for r in codes(rows_t) if r in wide.index])
    wide = wide.reindex(columns=[c for c in codes(cols_t) if c in wide.columns])
    wide.index = [label(r, rows_t, lang) for r in wide.index]
    wide.columns = [label(c, cols_t, lang) for c in wide.columns]
    return wide.fillna("")


def na_and_slash_kept(frame: pd.DataFrame) -> bool:
    """True when no cell without a number (missing, "/", absent) has a value or a change."""
    no_number = ~frame["previous_status"].isin(["printed", "derived", "ocr"]) | ~frame["status"].isin(
        ["printed", "derived", "ocr"]
    )
    lacking = frame["previous"].isna() | frame["value"].isna()
    return bool(
        frame.loc[no_number, "delta"].isna().all()
        and frame.loc[lacking, "delta"].isna().all()
        and frame.loc[~frame["previous_status"].isin(["printed", "derived", "ocr"]), "previous"].isna().all()
        and frame.loc[~frame["status"].isin(["printed", "derived", "ocr"]), "value"].isna().all()
    )


# --------------------------------------------------------------------------------------------------------
# Rates


def rate_changes(tables: dict, pr: Pair) -> pd.DataFrame:
    """The derived rates of both years: value, numerator, denominator, 95 % Wilson interval, small-N flag;
    ``delta_pp`` is the change in percentage points (NA when either rate is NA)."""
    rates = measures.rates(tables_of(tables, pr))
    rates["low"], rates["high"] = measures.wilson(rates["numerator"], rates["denominator"])
    by = rates.set_index(["report_id", "measure"])
    rows = []
    for measure in codes(RATES):
        rec = {"measure": measure}
        for prefix, rid in (("previous_", pr.previous_report_id), ("", pr.report_id)):
            one = by.loc[(rid, measure)]
            for c in ("value", "numerator", "denominator", "low", "high", "is_small_n"):
                rec[f"{prefix}{c}"] = one[c]
        rows.append(rec)
    out = pd.DataFrame(rows)
    out["delta_pp"] = (
        (out["value"].astype("Float64") - out["previous_value"].astype("Float64")) * 100
    ).astype("Float64")
    return out


def _rate_cell(rec, prefix: str) -> str:
    shown = measures.format_rate(
        rec[f"{prefix}value"], rec[f"{prefix}numerator"], rec[f"{prefix}denominator"]
    )
    if pd.notna(rec[f"{prefix}low"]):
        shown += f" [{rec[f'{prefix}low']:.1%}–{rec[f'{prefix}high']:.1%}]"
    small = rec[f"{prefix}is_small_n"]
    return shown + ("*" if pd.notna(small) and bool(small) else "")


def rate_table(frame: pd.DataFrame, pr: Pair, lang: str = "zh") -> pd.DataFrame:
    """The rates of both years as a reader sees them: "rate (n/d) [95 % interval]", * under the small-N
    guard (fewer than ``SMALL_N`` requests), and the change in percentage points."""
    return pd.DataFrame(
        {
            text("measure", lang): [measures.rate_label(m, lang) for m in frame["measure"]],
            str(pr.previous): [_rate_cell(r, "previous_") for r in frame.to_dict("records")],
            str(pr.year): [_rate_cell(r, "") for r in frame.to_dict("records")],
            text("delta_pp", lang): ["NA" if pd.isna(d) else f"{d:+.1f}" for d in frame["delta_pp"]],
        }
    )


# --------------------------------------------------------------------------------------------------------
# Prose repetition


@dataclass(frozen=True)
class Prose:
    """A report's prose joined into one string (white space removed), with the line each stretch starts on."""

    text: str
    starts: tuple[int, ...] = (0,)
    lines: tuple[int, ...] = (0,)

    def line_at(self, pos: int) -> int | None:
        """The document line of a position in ``text`` (None for a text given without lines)."""
        i = bisect_right(self.starts, pos) - 1
        return self.lines[i] if 0 <= i < len(self.lines) and self.lines[i] else None


def prose_lines(lines: list[Line]) -> list[Line]:
    """The lines that are prose: after section 一's heading, outside tables 二/三/四, no heading, not only
    numbers (see the module's docstring)."""
    sections = find_sections(lines)
    bounds = table_regions(lines, sections)
    inside = {i for name in ("二", "三", "四") for i in range(*bounds[name])}
    inside |= set(sections.values())
    start = sections.get("一", -1) + 1
    return [
        ln
        for i, ln in enumerate(lines)
        if i >= start and i not in inside and ln.text and not ln.pure_values and not ln.furniture
    ]


def prose_of(path: Path, data: bytes) -> Prose:
    """The prose of a report file, read by the format registry's reader (never decoded here)."""
    document = format_for(path, data).read(data)
    joined, starts, nos = prose_text(prose_lines(document.lines))
    return Prose(joined, tuple(starts) or (0,), tuple(nos) or (0,))


def raw_file(tables: dict, report_id: str, raw_dir: str | Path = "") -> tuple[Path | None, str]:
    """The report's file in ``raw_dir`` (default ``<repo>/data/raw``; searched below it by name) with the
    SHA-256 that was parsed; else None and why (in English: the callers translate with :func:`text`)."""
    rep = tables["reports"].set_index("report_id").loc[report_id]
    folder = resolve(raw_dir or "data/raw")
    name = Path(str(rep["source_file"])).name
    candidates = [folder / str(rep["source_file"])] + sorted(folder.rglob(name)) if folder.is_dir() else []
    found = [p for p in dict.fromkeys(candidates) if p.is_file()]
    if not found:
        return None, "no_file"
    for path in found:
        if (
            path.stat().st_size <= MAX_BYTES
            and hashlib.sha256(path.read_bytes()).hexdigest() == rep["sha256"]
        ):
            return path, ""
    return None, "changed_file"


def sentences(prose: Prose) -> list[tuple[int, str]]:
    """The prose's sentences with where each starts; shorter than :data:`MIN_SENTENCE` left out.

    >>> [s for _, s in sentences(Prose("一、总体情况。受理申请12件;办结12件。"))]
    ['一、总体情况。', '受理申请12件;', '办结12件。']
    """
    return [(m.start(), m.group()) for m in _SENTENCE.finditer(prose.text) if len(m.group()) >= MIN_SENTENCE]


def template_of(sentence: str) -> str:
    """A sentence with its numbers masked, so that "受理12件" and "受理15件" are one template.

    >>> template_of("2023年受理申请1,234件") == template_of("2021年受理申请15件")
    False
    >>> template_of("2023年受理申请12件") == template_of("2021年受理申请15件")
    True
    """
    return _NUMBER.sub("#", sentence)


@dataclass(frozen=True)
class Repetition:
    """This year's prose against last year's: its sentences by kind, and the repeated passages."""

    sentences: pd.DataFrame  # one row per sentence of this year: start, sentence, kind, previous sentence
    passages: pd.DataFrame  # one row per repeated passage: start, previous_start, chars, passage
    n_chars: int  # this year's prose, in characters
    repeated_chars: int  # of which in repeated passages

    def shares(self) -> dict[str, float]:
        n = len(self.sentences)
        kinds = self.sentences["kind"].value_counts()
        return {
            "exact": kinds.get("exact", 0) / n if n else float("nan"),
            "template": kinds.get("template", 0) / n if n else float("nan"),
            "characters": self.repeated_chars / self.n_chars if self.n_chars else float("nan"),
        }


def repetition(previous: Prose | str, current: Prose | str) -> Repetition:
    """How much of ``current`` (this year's prose) is carried over from ``previous`` (last year's)."""
    previous = previous if isinstance(previous, Prose) else Prose("".join(previous.split()))
    current = current if isinstance(current, Prose) else Prose("".join(current.split()))
    before = sentences(previous)
    exact = {s for _, s in before}
    by_template: dict[str, str] = {}
    for _, s in before:
        by_template.setdefault(template_of(s), s)
    rows = []
    for start, s in sentences(current):
        kind = "exact" if s in exact else "template" if template_of(s) in by_template else "new"
        rows.append(
            {
                "start": start,
                "line": current.line_at(start),
                "sentence": s,
                "kind": kind,
                "previous_sentence": by_template.get(template_of(s), "") if kind == "template" else "",
            }
        )
    sentence_rows = pd.DataFrame(rows, columns=["start", "line", "sentence", "kind", "previous_sentence"])
    covered = _covered(previous.text, current.text)
    passages = []
    for start, stop in _runs(covered):
        piece = current.text[start:stop]
        at = previous.text.find(piece[:MIN_PASSAGE])
        passages.append(
            {
                "start": start,
                "line": current.line_at(start),
                "previous_line": previous.line_at(at),
                "chars": stop - start,
                "passage": piece,
            }
        )
    passage_rows = pd.DataFrame(passages, columns=["start", "line", "previous_line", "chars", "passage"])
    return Repetition(sentence_rows, passage_rows, len(current.text), int(sum(covered)))


def _covered(previous: str, current: str, k: int = MIN_PASSAGE) -> list[bool]:
    """Which characters of ``current`` lie in a run of ``k`` characters that ``previous`` also prints."""
    grams = {previous[i : i + k] for i in range(len(previous) - k + 1)}
    covered = [False] * len(current)
    for i in range(len(current) - k + 1):
        if current[i : i + k] in grams:
            covered[i : i + k] = [True] * k
    return covered


def _runs(flags: list[bool]) -> list[tuple[int, int]]:
    """The [start, stop) of each run of True.

    >>> _runs([False, True, True, False, True])
    [(1, 3), (4, 5)]
    """
    out, start = [], None
    for i, f in enumerate([*flags, False]):
        if f and start is None:
            start = i
        elif not f and start is not None:
            out.append((start, i))
            start = None
    return out


def prose_repetition(tables: dict, pr: Pair, raw_dir: str | Path = "", lang: str = "zh") -> Repetition | str:
    """:func:`repetition` of the pair's two report files; a sentence saying why when a file cannot be used."""
    proses = []
    for rid in (pr.previous_report_id, pr.report_id):
        path, why = raw_file(tables, rid, raw_dir)
        file = tables["reports"].set_index("report_id").loc[rid, "source_file"]
        if path is None:
            return text(why, lang, file=file, folder=resolve(raw_dir or "data/raw"))
        try:
            proses.append(prose_of(path, path.read_bytes()))
        except Exception as err:  # a reader's refusal (e.g. no LibreOffice for a .doc): said, not raised
            return text("unreadable", lang, file=file, reason=err)
    return repetition(*proses)


def repetition_summary(rep: Repetition | str, lang: str = "zh") -> pd.DataFrame:
    """The shares as a table: sentences repeated exactly, with other numbers, new; characters repeated."""
    if isinstance(rep, str):
        return pd.DataFrame({text("message", lang): [rep]})
    n = len(rep.sentences)
    kinds = rep.sentences["kind"].value_counts()
    lines = [
        (text(key, lang), int(kinds.get(kind, 0)), n)
        for key, kind in (("exact", "exact"), ("template_repeat", "template"), ("new", "new"))
    ]
    lines.append((text("characters", lang, k=MIN_PASSAGE), rep.repeated_chars, rep.n_chars))
    out = pd.DataFrame(lines, columns=[text("kind", lang), text("count", lang), text("of", lang)])
    out[text("share", lang)] = [f"{c / t:.1%}" if t else "NA" for _, c, t in lines]
    return out


def passages_table(rep: Repetition | str, lang: str = "zh") -> pd.DataFrame:
    """The repeated passages, longest first, with their lines in both years."""
    if isinstance(rep, str):
        return pd.DataFrame({text("message", lang): [rep]})
    p = rep.passages.sort_values(["chars", "start"], ascending=[False, True], kind="stable")
    return pd.DataFrame(
        {
            text("line", lang): p["line"].astype("Int64").to_numpy(),
            text("previous_line", lang): p["previous_line"].astype("Int64").to_numpy(),
            text("chars", lang): p["chars"].to_numpy(),
            text("passage", lang): p["passage"].to_numpy(),
        }
    )


def template_sentences(rep: Repetition | str, lang: str = "zh") -> pd.DataFrame:
    """This year's sentences that repeat last year's with other numbers, beside last year's."""
    if isinstance(rep, str):
        return pd.DataFrame({text("message", lang): [rep]})
    t = rep.sentences[rep.sentences["kind"] == "template"]
    return pd.DataFrame(
        {
            text("line", lang): t["line"].astype("Int64").to_numpy(),
            text("sentence", lang): t["sentence"].to_numpy(),
            text("previous_sentence", lang): t["previous_sentence"].to_numpy(),
        }
    )


def shares_add_up(rep: Repetition | str) -> bool:
    """True when the three sentence kinds partition this year's sentences and the character share is in
    [0, 1] (a file that could not be used has nothing to add up)."""
    if isinstance(rep, str):
        return True
    kinds = set(rep.sentences["kind"])
    return kinds <= {"exact", "template", "new"} and 0 <= rep.repeated_chars <= rep.n_chars


def cut_off_shown(frame: pd.DataFrame, tables: dict, pr: Pair) -> bool:
    """True when every report that is cut off (an issue says so) shows cells without a number: a truncated
    report is never compared as if it were complete."""
    for year, messages in cut_off(tables, pr).items():
        status = frame["status"] if year == pr.year else frame["previous_status"]
        if messages and not (status == "missing").any():
            return False
    return True


def rates_chart(frame: pd.DataFrame, pr: Pair, lang: str = "zh"):
    """The rates of both years side by side, each with its 95 % Wilson interval; a hollow marker is under
    the small-N guard, "NA (year)" marks a rate without a value, and a rate above 100 % has no interval.

    A Figure drawn with the charts' theme and CJK font (:func:`xxgk.analysis.plotting.theme`).
    """
    from matplotlib.figure import Figure

    from xxgk.analysis import plotting

    plotting.theme()
    fig = Figure(figsize=(8, 0.6 * len(frame) + 1.4), layout="constrained")
    ax = fig.subplots()
    years = ((pr.previous, "previous_", "#8c8c8c", -0.15), (pr.year, "", "#1f77b4", 0.15))
    right = max(
        [1.0, *frame["value"].dropna().astype(float), *frame["previous_value"].dropna().astype(float)]
    )
    for year, prefix, colour, shift in years:
        for i, rec in enumerate(frame.to_dict("records")):
            y = len(frame) - 1 - i + shift
            value = rec[f"{prefix}value"]
            if pd.isna(value):
                ax.text(0.005, y, f"NA ({year})", va="center", fontsize=8, color=plotting.MISSING_COLOUR)
                continue
            if pd.notna(rec[f"{prefix}low"]):
                ax.plot([rec[f"{prefix}low"], rec[f"{prefix}high"]], [y, y], color=colour, lw=2)
            small = pd.notna(rec[f"{prefix}is_small_n"]) and bool(rec[f"{prefix}is_small_n"])
            ax.plot([float(value)], [y], "o", color=colour, mfc="white" if small else colour, ms=7)
            ax.text(
                float(value) + 0.01 * right,
                y + (0.1 if shift > 0 else -0.1),  # this year's label above its point, last year's below
                measures.format_rate(value, rec[f"{prefix}numerator"], rec[f"{prefix}denominator"]),
                ha="left",
                va="bottom" if shift > 0 else "top",
                fontsize=7,
                color=colour,
            )
        ax.plot([], [], "o", color=colour, label=str(year))
    ax.set_yticks(range(len(frame)), [measures.rate_label(m, lang) for m in frame["measure"]][::-1])
    ax.set_xlim(0, right * 1.08)
    ax.xaxis.set_major_formatter(lambda x, _: f"{x:.0%}")
    ax.set_ylim(-0.7, len(frame) - 0.3)
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title(text("chart_title", lang, agency=pr.agency_name, previous=pr.previous, year=pr.year))
    ax.set_xlabel(text("chart_note", lang), fontsize=8, color="#555555")
    return fig
