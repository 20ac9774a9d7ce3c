"""Charts of the tidy tables, the same in every notebook.

Design:

- **Importing changes nothing.** Importing this module leaves matplotlib's settings (``rcParams``) and its
  font list as they were. :func:`theme` applies the look: seaborn's theme, then Noto Sans CJK SC from the
  ``mpl-font`` package (the font files ship inside the wheel, so it works offline), registered with
  matplotlib once. The family is set *after* ``sns.set_theme()``, which resets the font list; without a
  CJK font every Chinese label is an empty box and matplotlib warns "Glyph … missing". Notebooks call
  ``plotting.theme()`` once, in their imports cell; calling it again re-applies the same settings (after a
  ``sns.set_theme()``, say) and registers nothing twice.
- **A chart works without it.** The first chart drawn in a process where :func:`theme` was never called
  calls it, so a user who forgot still gets Chinese labels. It sets the global settings rather than
  wrapping each chart in ``plt.rc_context``: the font list is looked up when a figure is *drawn* (shown or
  saved), after the chart function has returned and such a context has closed, so labels drawn later
  would lose the CJK font. Settings changed after that first call are the caller's and are kept.
- **Order and colour come from the codes.** Categories are drawn in the order :mod:`xxgk.contract.codes`
  declares them, and a code's colour is fixed by its position in its declaration (:func:`colours`), so
  "granted" has the same colour in every chart. Labels are the declaration's ``zh`` or ``en``, chosen by
  :func:`xxgk.contract.codes.label` (also for the charts' own titles, declared in ``TEXT``).
- **Counts beside rates; NA is missing.** Every rate is annotated with numerator/denominator; a value that
  is NA draws no bar and says "NA" where the bar would be; a rate over fewer than ``SMALL_N`` requests is
  hatched and never ranked (the small-N guard, docs/measures.md).
- **Figures, not pyplot state.** Functions return a :class:`matplotlib.figure.Figure` that is not
  registered with pyplot: a notebook cell shows it once, and a batch does not accumulate open figures.

(Longer than most modules: every chart shares the theme, the order and colour rules and the NA and small-N
marks above, and they are kept in one place so that no chart can draw them differently.)
"""

from __future__ import annotations

from importlib import resources

import matplotlib
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from xxgk.analysis import measures
from xxgk.contract.codes import (
    APPLICANTS,
    OUTCOMES,
    PROCEEDINGS,
    REQUEST_ROWS,
    ROW_GROUPS,
    Code,
    by_code,
    codes,
    group_rows,
    label,
)
from xxgk.contract.measures import RATES, SMALL_N

#: The CJK font (shipped by the PyPI package mpl-font, SIL Open Font License) and the Latin fallback.
FONT_FAMILY = "Noto Sans CJK SC"
FONT_FALLBACK = "DejaVu Sans"
#: Colour of NA markers and of small-N bars.
MISSING_COLOUR = "#9e9e9e"
SMALL_N_HATCH = "///"

#: UI text that is not a code of the tables (chart titles, axis labels), declared like the codes so that
#: one function, :func:`xxgk.contract.codes.label`, picks the language of every label.
TEXT: tuple[Code, ...] = (
    Code("volumes", "申请数量", "Requests"),
    Code("count", "件数", "Count"),
    Code("share", "占比", "Share"),
    Code("year", "年度", "Year"),
    Code("agency", "机关", "Agency"),
    Code("applicant_mix", "申请人构成", "Who asked"),
    Code("outcome_mix", "办理结果构成", "How requests were handled"),
    Code("reasons", "理由构成", "Reasons"),
    Code("reviews", "行政复议和行政诉讼", "Administrative review and litigation"),
    Code("rates", "比率", "Rates"),
    Code("missing_note", "另有 {n} 份报告缺少数据，未计入", "{n} report(s) lack a cell and are left out"),
    Code("small_n", f"分母不足 {SMALL_N}：仅展示，不排名", f"Under {SMALL_N}: shown, not ranked"),
    Code("no_data", "无数据", "No data"),
    Code("interval", "95% 置信区间（Wilson）", "95% interval (Wilson)"),
    Code(
        "tie_note",
        "名次相同：比率在显示精度（0.1%）内相等；区间重叠的名次之差不可靠",
        "Equal ranks: rates equal to the shown 0.1 %; ranks whose intervals overlap are not reliably different",
    ),
    Code("na_mark", "NA：报告未印该数（不计为 0）", "NA: the report does not print the number (not 0)"),
    Code("star_mark", f"*：分母不足 {SMALL_N}", f"*: fewer than {SMALL_N} in the denominator"),
    Code("report_card", "{agency} 年度报告概览", "{agency}: report card"),
    Code("ranking", "{measure}排名", "{measure}: ranking"),
    Code(
        "balanced_note",
        "平衡面板：{n} 个机关，每年均有报告（{counts}）",
        "Balanced panel: the {n} agencies with a report in every year ({counts})",
    ),
    Code(
        "unbalanced_note",
        "非平衡：各年机关不同（{counts}），年度间差异可能来自机关构成",
        "Unbalanced: other agencies each year ({counts}); a change between years may be who is counted",
    ),
    Code(
        "no_balanced_note",
        "没有机关在每一年都有报告，显示全部机关（非平衡：{counts}）",
        "No agency has a report in every year: all agencies shown (unbalanced: {counts})",
    ),
    Code("coverage", "报告覆盖（机关 × 年度）", "Coverage (agency × year)"),
    Code("present", "有报告", "present"),
    Code("duplicate", "有报告（另有重复文件）", "present (duplicate files left out)"),
    Code("failed", "文件未能读取", "failed"),
    Code("absent", "无报告", "absent"),
)


def text(key: str, lang: str = "zh", **fields) -> str:
    """A chart's UI text in the chosen language.

    >>> text("missing_note", "en", n=2)
    '2 report(s) lack a cell and are left out'
    """
    return label(key, TEXT, lang).format(**fields)


# --------------------------------------------------------------------------------------------------------
# Theme and colours


def register_fonts() -> list[str]:
    """Add the Noto Sans CJK SC files of ``mpl-font`` to matplotlib's font manager (once)."""
    folder = resources.files("mpl_font").joinpath("fonts/noto")
    known = {f.fname for f in font_manager.fontManager.ttflist}
    added = []
    for entry in folder.iterdir():
        path = str(entry)
        if path.endswith((".otf", ".ttf")) and path not in known:
            font_manager.fontManager.addfont(path)
            added.append(path)
    return added


#: Whether :func:`theme` has run in this process (the charts call it once if not).
_themed = False


def theme() -> None:
    """Apply the charts' look to matplotlib: seaborn's theme, then the CJK font; idempotent.

    Call it once before drawing (the notebooks do, in their imports cell). It registers the Noto Sans CJK
    SC files once, sets ``rcParams`` (after ``sns.set_theme``, which resets the font family), and lets
    IPython display the returned Figures. Calling it again re-applies the same settings.
    """
    global _themed
    sns.set_theme(style="whitegrid", context="notebook")
    register_fonts()
    matplotlib.rcParams["font.family"] = ["sans-serif"]
    matplotlib.rcParams["font.sans-serif"] = [FONT_FAMILY, FONT_FALLBACK]
    matplotlib.rcParams["axes.unicode_minus"] = True  # Noto Sans CJK has U+2212
    matplotlib.rcParams["figure.dpi"] = 100
    matplotlib.rcParams["savefig.bbox"] = "tight"
    show_in_notebooks()
    _themed = True


def _ensure_theme() -> None:
    """Apply :func:`theme` if nobody has in this process; otherwise leave the settings as they are."""
    if not _themed:
        theme()


def show_in_notebooks() -> None:
    """Let IPython display a returned Figure as a PNG.

    The charts are plain Figures (not pyplot's), so the inline backend, which registers its display hook
    only when pyplot draws its first figure, may never load; this registers the same PNG formatter.
    """
    try:
        from IPython import get_ipython
        from IPython.core.pylabtools import select_figure_formats
    except ImportError:  # no IPython: scripts save figures with save()
        return
    shell = get_ipython()
    if shell is not None:
        select_figure_formats(shell, {"png"}, bbox_inches="tight", dpi=100)


def colours(table: tuple[Code, ...] | tuple[str, ...]) -> dict[str, tuple]:
    """A fixed colour per code, by its position in its declaration.

    >>> list(colours(PROCEEDINGS))
    ['review', 'litigation_direct', 'litigation_after_review']
    """
    names = [c.code if isinstance(c, Code) else c for c in table]
    return dict(zip(names, sns.color_palette("colorblind", len(names)), strict=False))


def _group_colours() -> dict[str, tuple]:
    return colours(ROW_GROUPS)


def _row_colour(row: str) -> tuple:
    return _group_colours()[by_code(REQUEST_ROWS)[row].group]


def _figure(width: float, height: float) -> Figure:
    """Every chart's Figure, drawn with the charts' theme (applied here if :func:`theme` never ran)."""
    _ensure_theme()
    return Figure(figsize=(width, height), layout="constrained")


def _new_figure(width: float, height: float, nrows: int = 1, ncols: int = 1, **kw):
    fig = _figure(width, height)
    axes = fig.subplots(nrows, ncols, squeeze=False, **kw)
    return fig, axes


def _note(fig: Figure, missing, lang: str) -> None:
    """Below the chart: how many reports were left out because a cell is missing, and which
    (``missing`` is their names, from :func:`left_out`)."""
    missing = list(missing)
    if missing:
        shown = missing[:MAX_NAMED]
        more = "…" if len(missing) > len(shown) else ""
        fig.text(
            0.01,
            -0.02,
            text("missing_note", lang, n=len(missing))
            + ("：" if lang == "zh" else ": ")
            + ("、" if lang == "zh" else "; ").join(shown)
            + more,
            wrap=True,
            fontsize=9,
            color=MISSING_COLOUR,
            ha="left",
            va="top",
        )


#: How many left-out reports a chart's note names before "…".
MAX_NAMED = 12


def left_out(frame: pd.DataFrame, value: str) -> list[str]:
    """The reports of a per-report frame that a pooled chart leaves out (its ``value`` is NA in some
    row: a cell the document does not print), as "agency year"."""
    if frame.empty:
        return []
    na = frame[frame[value].isna()]
    if na.empty:
        return []
    names = na.drop_duplicates("report_id")
    return [
        f"{a} {'' if pd.isna(y) else int(y)}".strip()
        for a, y in zip(names["agency"], names["year"], strict=False)
    ]


def _tick(value, width: int = 0) -> str:
    return _wrap(str(value), width) if width else str(value)


def _integer_axis(axis) -> None:
    """A count axis: whole-number ticks only (no 0.5 request)."""
    axis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))


def _share_axis(ax, top: float, which: str = "y") -> None:
    """A share axis from 0 to ``top`` (room for the labels) with ticks only up to 100 %."""
    axis = ax.yaxis if which == "y" else ax.xaxis
    (ax.set_ylim if which == "y" else ax.set_xlim)(0, top)
    ticks = [t for t in matplotlib.ticker.MaxNLocator(6).tick_values(0, min(top, 1.0)) if 0 <= t <= 1.0]
    axis.set_major_locator(matplotlib.ticker.FixedLocator(ticks))
    axis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))


def _agency_ticks(ax, order, panels: int) -> None:
    """Agency names under vertical bars, broken into lines that fit the width each bar group has (a
    figure's width shared by ``panels`` side by side), smaller type when there are many."""
    per_group = ax.figure.get_figwidth() * 0.85 / max(panels, 1) / max(len(order), 1)  # inches
    size = 8 if per_group > 0.5 else 6
    chars = max(2, int(per_group / (size / 72 * 1.1)))  # a CJK character is about 1 em wide
    if chars < 4:  # too narrow to wrap readably: the names run upwards, one line each
        ax.set_xticks(range(len(order)), [str(v) for v in order], fontsize=size, rotation=90)
    else:
        ax.set_xticks(range(len(order)), [_tick(v, chars) for v in order], fontsize=size, rotation=0)


def _no_data(ax, lang: str) -> None:
    """An empty selection says so in words instead of drawing empty axes."""
    ax.set_xticks([])
    ax.set_yticks([])
    ax.text(
        0.5,
        0.5,
        text("no_data", lang),
        transform=ax.transAxes,
        ha="center",
        va="center",
        color=MISSING_COLOUR,
        fontsize=11,
    )


def _small_n_handle(lang: str) -> Patch:
    return Patch(facecolor="white", edgecolor="black", hatch=SMALL_N_HATCH, label=text("small_n", lang))


def _marks(fig: Figure) -> set[str]:
    """The marks a figure draws that need a word of explanation: hatching, "NA", a "*" after a number."""
    found = set()
    for patch in fig.findobj(matplotlib.patches.Patch):
        if patch.get_hatch() and patch.get_label() != "_marks":
            found.add("hatch")
    for t in fig.findobj(matplotlib.text.Text):
        words = t.get_text().split()
        if "NA" in words or any(w.startswith("NA") and w[2:3] in ("", "（", "(") for w in words):
            found.add("na")
        if (
            any(w.endswith("*") and w[:1].isalnum() for w in words)
            or "n=" in t.get_text()
            and "*" in t.get_text()
        ):
            found.add("star")
    return found


def explain_marks(fig: Figure, lang: str = "zh") -> Figure:
    """Add below a chart one legend that explains every mark it draws (hatching, NA, "*"), and only those.

    Every chart calls it last, so no chart can use a mark without saying what it means."""
    found = _marks(fig)
    handles = []
    if "hatch" in found:
        handles.append(_small_n_handle(lang))
    if "star" in found:
        handles.append(Patch(facecolor="none", edgecolor="none", label=text("star_mark", lang)))
    if "na" in found:
        handles.append(Patch(facecolor="none", edgecolor="none", label=text("na_mark", lang)))
    if handles:
        below = _below_notes(fig)
        place = (
            {"loc": "outside lower left"}
            if below is None
            else {"loc": "upper left", "bbox_to_anchor": (0.0, below)}  # under the notes, never over them
        )
        legend = fig.legend(handles=handles, frameon=False, fontsize=8, ncols=len(handles), **place)
        for patch in legend.get_patches():
            patch.set_label("_marks")
    return fig


def _below_notes(fig: Figure) -> float | None:
    """The height (figure fraction) just below the lowest note written under the chart, or None."""
    notes = [t for t in fig.texts if t.get_position()[1] < 0.05 and t.get_text()]
    if not notes:
        return None
    width, height = fig.get_figwidth() * 72, fig.get_figheight() * 72  # points
    bottoms = []
    for t in notes:  # a note hangs from its y; wrapped, a CJK character is about one font size wide
        size = t.get_fontsize()
        lines = sum(-(-len(part) * size // width) or 1 for part in t.get_text().split("\n"))
        bottoms.append(t.get_position()[1] - lines * size * 1.3 / height)
    return min(bottoms) - 0.01


def _na_marker(ax, x, y=0, horizontal=False, **kw):
    kw = {"ha": "center", "va": "bottom", "color": MISSING_COLOUR, "fontsize": 8, "style": "italic", **kw}
    if horizontal:
        kw.update(ha="left", va="center")
        ax.text(y, x, " NA", **kw)
    else:
        ax.text(x, y, "NA", **kw)


def _true(x) -> bool:
    """A nullable boolean as a plain bool (NA is not True)."""
    return not pd.isna(x) and bool(x)


def _wrap(label: str, width: int = 16) -> str:
    """Break a long label into lines of ``width`` characters (Chinese has no spaces to break at)."""
    return "\n".join(label[i : i + width] for i in range(0, len(label), width))


def _fmt_count(x) -> str:
    return "NA" if pd.isna(x) else f"{int(x):,}"


def _sort_keys(values) -> list:
    return sorted(pd.unique(pd.Series(list(values)).dropna()), key=lambda v: (str(type(v)), v))


# --------------------------------------------------------------------------------------------------------
# Primitive: grouped bars and 100% stacked bars that know about NA and small N


def _grouped_bars(
    ax,
    data: pd.DataFrame,
    x: str,
    hue: str,
    value: str,
    x_order,
    hue_order,
    hue_colours,
    hue_labels,
    fmt=_fmt_count,
    small: str | None = None,
):
    """Vertical grouped bars, one group per ``x``, with value labels; NA draws "NA" and no bar."""
    n = len(hue_order)
    width = 0.8 / max(n, 1)
    lookup = data.set_index([x, hue])
    for j, h in enumerate(hue_order):
        labelled = False  # the legend entry goes on the series' first *drawn* bar (its first may be NA)
        for i, xv in enumerate(x_order):
            pos = i - 0.4 + width * (j + 0.5)
            v = lookup[value].get((xv, h), pd.NA)
            if pd.isna(v):
                _na_marker(ax, pos)
                continue
            is_small = bool(small) and _true(lookup[small].get((xv, h), False))
            ax.bar(
                pos,
                float(v),
                width,
                color=hue_colours[h],
                label=None if labelled else hue_labels[h],
                hatch=SMALL_N_HATCH if is_small else None,
                edgecolor="white",
            )
            labelled = True
            ax.annotate(
                fmt(lookup.loc[(xv, h)]),
                (pos, float(v)),
                ha="center",
                va="bottom",
                fontsize=7,
                xytext=(0, 1),
                textcoords="offset points",
            )
        if not labelled:
            ax.bar(np.nan, np.nan, color=hue_colours[h], label=hue_labels[h])
    ax.set_xticks(range(len(x_order)), [_tick(v) for v in x_order])
    ax.margins(y=0.15)


def _stacked_shares(ax, pooled: pd.DataFrame, by: str, order, categories, cat_colours, cat_labels):
    """Horizontal 100% stacked bars: one bar per ``by`` value, segments in declaration order.

    Each bar is labelled with its denominator (n); a bar with no usable report says NA; a small-N bar is
    hatched.
    """
    lookup = pooled.set_index([by, "category"])
    for i, key in enumerate(order):
        rows = pooled[pooled[by] == key]
        den = rows["denominator"].dropna()
        if rows.empty or den.empty or rows["share"].isna().all():
            _na_marker(ax, i, 0, horizontal=True)
            continue
        small = bool(rows["is_small_n"].fillna(False).any())
        left = 0.0
        for cat in categories:
            if (key, cat) not in lookup.index:
                continue
            share = lookup.loc[(key, cat), "share"]
            if pd.isna(share) or share == 0:
                continue
            ax.barh(
                i,
                float(share),
                left=left,
                color=cat_colours[cat],
                edgecolor="white",
                hatch=SMALL_N_HATCH if small else None,
            )
            if share >= 0.06:
                ax.text(
                    left + share / 2, i, f"{share:.0%}", ha="center", va="center", fontsize=7, color="white"
                )
            left += float(share)
        ax.text(1.01, i, f"n={int(den.iloc[0]):,}" + ("*" if small else ""), va="center", fontsize=8)
    ax.set_yticks(range(len(order)), [str(v) for v in order])
    ax.set_xlim(0, 1)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    handles = [
        Patch(color=cat_colours[c], label=cat_labels[c]) for c in categories if c in set(pooled["category"])
    ]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.08, 1), frameon=False, fontsize=8)


# --------------------------------------------------------------------------------------------------------
# Charts over years: which agencies each year holds


def _agency_key(reports: pd.DataFrame) -> str:
    """agency_id; the printed name for tables written before agencies had ids."""
    return "agency_id" if "agency_id" in reports.columns and reports["agency_id"].notna().any() else "agency"


def _agencies_per_year(tables: dict) -> pd.Series:
    reports = tables["reports"]
    read = reports[reports["status"].isin(["ok", "incomplete"]).fillna(False)]
    return read.groupby("year")[_agency_key(read)].nunique()


def _counts_text(per_year: pd.Series) -> str:
    return ", ".join(f"{y}: {n}" for y, n in per_year.items())


def over_years(tables: dict, balanced: bool = True, lang: str = "zh") -> tuple[dict, str]:
    """The tables a chart over years reads, and the note that says which agencies each year holds.

    ``balanced=True`` (the default): only the agencies with a report read in every year the tables hold,
    so that a change between years is not a change of who is counted. When no agency is in every year,
    all are shown and the note says so. ``balanced=False``: every agency, with the count per year.
    """
    from xxgk.analysis.corpus import _keep  # the one way to cut every table to some reports

    per_year = _agencies_per_year(tables)
    if not balanced or len(per_year) < 2:
        return tables, text("unbalanced_note", lang, counts=_counts_text(per_year)) if len(
            per_year
        ) > 1 else ""
    reports = tables["reports"]
    key = _agency_key(reports)
    read = reports[reports["status"].isin(["ok", "incomplete"]).fillna(False)]
    years_of = read.groupby(key)["year"].nunique()
    keep = set(years_of.index[years_of == len(per_year)])
    if not keep:
        return tables, text("no_balanced_note", lang, counts=_counts_text(per_year))
    ids = set(read.loc[read[key].isin(keep), "report_id"])
    cut = _keep(tables, ids)
    return cut, text("balanced_note", lang, n=len(keep), counts=_counts_text(_agencies_per_year(cut)))


def _years_note(fig: Figure, note: str) -> None:
    if note:
        fig.text(0.01, 1.0, note, fontsize=8, color="#555555", ha="left", va="bottom")


# --------------------------------------------------------------------------------------------------------
# Charts


def volumes_chart(tables: dict, lang: str = "zh", by: str = "year", balanced: bool = True) -> Figure:
    """New, carried over, handled and carried forward requests, summed per year or per agency.

    Per year: the balanced set of agencies unless ``balanced=False`` (:func:`over_years`); the note says
    how many agencies each year holds."""
    tables, note = over_years(tables, balanced, lang) if by == "year" else (tables, "")
    per_report = measures.volumes(tables)
    vols = measures.pool(per_report, [by, "row_code"])
    order = _sort_keys(vols[by])
    rows = list(measures.VOLUME_ROWS)
    row_colours = colours(tuple(rows))
    labels = {r: label(r, REQUEST_ROWS, lang) for r in rows}
    horizontal_space = max(6.0, 1.2 * len(order) + 2)
    fig, axes = _new_figure(min(horizontal_space, 16), 4.2)
    ax = axes[0, 0]
    _grouped_bars(
        ax,
        vols,
        by,
        "row_code",
        "count",
        order,
        rows,
        row_colours,
        labels,
        fmt=lambda r: _fmt_count(r["count"]),
    )
    ax.set_ylabel(text("count", lang))
    ax.set_xlabel(text(by, lang))
    if by == "agency":
        _agency_ticks(ax, order, 1)
    ax.set_title(text("volumes", lang))
    ax.legend(loc="upper left", bbox_to_anchor=(1, 1), frameon=False, fontsize=8)
    _integer_axis(ax.yaxis)
    _note(fig, left_out(per_report, "count"), lang)
    _years_note(fig, note)
    return explain_marks(fig, lang)


def volume_heatmap(tables: dict, lang: str = "zh", row: str = "new_received") -> Figure:
    """One table-三 row per agency and year, as a heatmap; a missing cell is grey and says NA."""
    vols = measures.volumes(tables)
    vols = vols[vols["row_code"] == row]
    grid = vols.pivot_table(index="agency", columns="year", values="count", aggfunc="first", dropna=False)
    grid = grid.astype("Float64").astype(float)
    agencies = _sort_keys(tables["reports"]["agency"])
    years = _sort_keys(tables["reports"]["year"])
    grid = grid.reindex(index=agencies, columns=years)
    fig, axes = _new_figure(max(5.0, 1.1 * len(years) + 4), max(2.5, 0.4 * len(agencies) + 1.2))
    ax = axes[0, 0]
    ax.set_facecolor("#eeeeee")
    if grid.notna().any().any():
        sns.heatmap(
            grid, ax=ax, annot=True, fmt=",.0f", cmap="Blues", cbar=False, linewidths=0.5, mask=grid.isna()
        )
    for (i, j), v in np.ndenumerate(grid.to_numpy()):
        if np.isnan(v):
            ax.text(j + 0.5, i + 0.5, "NA", ha="center", va="center", color=MISSING_COLOUR, style="italic")
    ax.set_xlim(0, len(years))
    ax.set_ylim(len(agencies), 0)
    ax.set_xticks(np.arange(len(years)) + 0.5, [str(y) for y in years])
    ax.set_yticks(np.arange(len(agencies)) + 0.5, agencies, rotation=0)
    ax.set_xlabel(text("year", lang))
    ax.set_ylabel("")
    ax.set_title(label(row, REQUEST_ROWS, lang))
    return explain_marks(fig, lang)


def applicant_mix_chart(
    tables: dict, lang: str = "zh", by: str = "year", row: str = "new_received", balanced: bool = True
) -> Figure:
    """Who asked, as 100% bars per year or agency (the six applicant columns of one table-三 row).

    Per year: the balanced set unless ``balanced=False`` (:func:`over_years`)."""
    parts = list(measures.APPLICANT_PARTS)
    return _mix_chart(
        tables,
        lambda t: measures.applicant_mix(t, row),
        parts,
        colours(APPLICANTS),
        {a: label(a, APPLICANTS, lang) for a in parts},
        f"{text('applicant_mix', lang)} · {label(row, REQUEST_ROWS, lang)}",
        lang,
        by,
        balanced,
    )


def outcome_mix_chart(tables: dict, lang: str = "zh", by: str = "year", balanced: bool = True) -> Figure:
    """How requests were handled (the six outcome groups), as 100% bars per year or agency.

    Per year: the balanced set unless ``balanced=False`` (:func:`over_years`)."""
    groups = list(measures.OUTCOME_GROUPS)
    return _mix_chart(
        tables,
        measures.outcome_mix,
        groups,
        _group_colours(),
        {g: label(g, ROW_GROUPS, lang) for g in groups},
        text("outcome_mix", lang),
        lang,
        by,
        balanced,
    )


def _mix_chart(tables, mix_of, parts, palette, labels, title, lang, by, balanced) -> Figure:
    """100% bars of a mix per year or agency, pooled over reports; the notes say who is left out."""
    tables, note = over_years(tables, balanced, lang) if by == "year" else (tables, "")
    per_report = mix_of(tables)
    mix = measures.pool(per_report, [by, "category"])
    order = _sort_keys(tables["reports"][by])
    fig, axes = _new_figure(9, max(2.2, 0.45 * len(order) + 1.3))
    _stacked_shares(axes[0, 0], mix, by, order, parts, palette, labels)
    axes[0, 0].set_title(title)
    _note(fig, left_out(per_report, "numerator"), lang)
    _years_note(fig, note)
    return explain_marks(fig, lang)


def reasons_chart(
    tables: dict, lang: str = "zh", groups: tuple[str, ...] = ("denied", "unable", "not_processed", "other")
) -> Figure:
    """The sub-reasons of 不予公开, 无法提供, 不予处理 and 其他处理: pooled counts with their shares."""
    fig, axes = _new_figure(
        11,
        2.2 + 0.9 * sum(len(group_rows(g)) for g in groups) / 2,
        len(groups),
        1,
        height_ratios=[len(group_rows(g)) + 1 for g in groups],
    )
    missing = []
    for ax, group in zip(axes[:, 0], groups, strict=False):
        mix = measures.reason_mix(tables, group)
        pooled = measures.pool(mix, ["category"]) if len(mix) else mix
        rows = [r for r in group_rows(group) if r in set(pooled["category"])]
        colour = _group_colours()[group]
        for i, r in enumerate(rows):
            rec = pooled[pooled["category"] == r].iloc[0]
            if pd.isna(rec["numerator"]):
                _na_marker(ax, i, 0, horizontal=True)
                continue
            ax.barh(
                i,
                int(rec["numerator"]),
                color=colour,
                hatch=SMALL_N_HATCH if _true(rec["is_small_n"]) else None,
                edgecolor="white",
            )
            share = "NA" if pd.isna(rec["share"]) else f"{rec['share']:.1%}"
            ax.annotate(
                f"{int(rec['numerator']):,} ({share})",
                (int(rec["numerator"]), i),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
            )
        ax.set_yticks(
            range(len(rows)),
            [_wrap(label(r, REQUEST_ROWS, lang), 20 if lang == "zh" else 40) for r in rows],
        )
        ax.invert_yaxis()
        ax.margins(x=0.2)
        n = pooled["denominator"].dropna()
        total = f" (n={int(n.iloc[0]):,})" if len(n) else " (n=NA)"
        ax.set_title(label(group, ROW_GROUPS, lang) + total, loc="left", fontsize=10)
        missing += [r for r in left_out(mix, "numerator") if r not in missing]
        if not rows:
            ax.text(
                0.5, 0.5, text("no_data", lang), transform=ax.transAxes, ha="center", color=MISSING_COLOUR
            )
    for ax in axes[:, 0]:
        _integer_axis(ax.xaxis)
    _note(fig, missing, lang)
    return explain_marks(fig, lang)


def _rate_on_two_lines(rec) -> str:
    return measures.format_rate(rec["value"], rec["numerator"], rec["denominator"]).replace(" ", "\n")


def rates_chart(
    tables: dict,
    lang: str = "zh",
    by: str = "year",
    rates: tuple[str, ...] = tuple(codes(RATES)),
    balanced: bool = True,
) -> Figure:
    """The derived rates, pooled per year or agency: one panel per rate, each bar labelled "x% (n/d)".

    Per year: the balanced set unless ``balanced=False`` (:func:`over_years`)."""
    tables, note = over_years(tables, balanced, lang) if by == "year" else (tables, "")
    pooled = measures.pool(measures.rates(tables), [by, "measure"])
    order = _sort_keys(tables["reports"][by])
    fig, axes = _new_figure(min(16, 3.2 * len(rates)), 3.6, 1, len(rates), sharey=False)
    palette = colours(RATES)
    for ax, measure in zip(axes[0], rates, strict=False):
        part = pooled[pooled["measure"] == measure].assign(series=measure)
        ax.set_title(_wrap(measures.rate_label(measure, lang), 12 if lang == "zh" else 28), fontsize=10)
        if part["value"].isna().all():
            _no_data(ax, lang)
            continue
        _grouped_bars(
            ax,
            part,
            by,
            "series",
            "value",
            order,
            [measure],
            palette,
            {measure: ""},
            fmt=_rate_on_two_lines,
            small="is_small_n",
        )
        ax.set_xlabel("")
        _share_axis(ax, max(0.05, float(part["value"].max()) * 1.45))
        if by == "agency":
            _agency_ticks(ax, order, len(rates))
    _years_note(fig, note)
    return explain_marks(fig, lang)


def reviews_chart(tables: dict, lang: str = "zh", by: str = "year", balanced: bool = True) -> Figure:
    """Table 四: review, direct litigation and litigation after review, outcomes stacked per year.

    Per year: the balanced set unless ``balanced=False`` (:func:`over_years`)."""
    tables, note = over_years(tables, balanced, lang) if by == "year" else (tables, "")
    counts = measures.pool(measures.review_counts(tables), [by, "proceeding", "outcome"])
    order = _sort_keys(tables["reports"][by])
    parts = [o for o in codes(OUTCOMES) if o != "total"]
    outcome_colours = colours(OUTCOMES)
    fig, axes = _new_figure(min(16, 4 + 1.6 * len(order)), 3.8, 1, len(PROCEEDINGS), sharey=True)
    lookup = counts.set_index([by, "proceeding", "outcome"])["count"]
    for ax, proc in zip(axes[0], codes(PROCEEDINGS), strict=False):
        for i, key in enumerate(order):
            values = [lookup.get((key, proc, o), pd.NA) for o in parts]
            total = lookup.get((key, proc, "total"), pd.NA)
            if any(pd.isna(v) for v in values):
                _na_marker(ax, i)
                continue
            bottom = 0
            for o, v in zip(parts, values, strict=False):
                ax.bar(i, int(v), bottom=bottom, color=outcome_colours[o], edgecolor="white", width=0.6)
                bottom += int(v)
            ax.annotate(
                _fmt_count(total),
                (i, bottom),
                ha="center",
                va="bottom",
                fontsize=8,
                xytext=(0, 1),
                textcoords="offset points",
            )
        ax.set_xticks(range(len(order)), [str(v) for v in order])
        ax.set_title(_wrap(label(proc, PROCEEDINGS, lang), 10 if lang == "zh" else 24), fontsize=10)
        if by == "agency":
            _agency_ticks(ax, order, len(PROCEEDINGS))
        _integer_axis(ax.yaxis)
    axes[0, 0].set_ylabel(text("count", lang))
    axes[0, 0].margins(y=0.15)
    fig.legend(
        handles=[Patch(color=outcome_colours[o], label=label(o, OUTCOMES, lang)) for o in parts],
        loc="outside right upper",
        frameon=False,
        fontsize=8,
    )
    fig.suptitle(text("reviews", lang))
    _years_note(fig, note)
    return explain_marks(fig, lang)


def ranking_chart(
    rates: pd.DataFrame, measure: str, lang: str = "zh", by: str = "agency", ascending: bool = False
) -> Figure:
    """Agencies ranked on one rate; small-N and NA rows are shown below, hatched or marked, without a rank."""
    ranked = measures.rank(rates, measure, ascending=ascending)
    fig, axes = _new_figure(9, max(2.0, 0.38 * len(ranked) + 1.2))
    ax = axes[0, 0]
    ax.set_title(text("ranking", lang, measure=measures.rate_label(measure, lang)))
    if ranked["value"].isna().all():
        _no_data(ax, lang)
        return explain_marks(fig, lang)
    colour = colours(RATES)[measure]
    labels = []
    errorbar_labelled = False
    for i, rec in ranked.iterrows():
        prefix = f"{int(rec['rank'])}. " if pd.notna(rec["rank"]) else "– "
        labels.append(prefix + str(rec[by]))
        annotation = measures.format_rate(rec["value"], rec["numerator"], rec["denominator"])
        if pd.isna(rec["value"]):  # "NA (NA/805)" says it once, where the bar would start
            ax.text(0.0, i, " " + annotation, va="center", fontsize=8, color=MISSING_COLOUR)
            continue
        small = _true(rec["is_small_n"])
        ax.barh(
            i,
            float(rec["value"]),
            color=MISSING_COLOUR if small else colour,
            hatch=SMALL_N_HATCH if small else None,
            edgecolor="white",
        )
        ax.errorbar(
            float(rec["value"]),
            i,
            xerr=[[float(rec["value"]) - float(rec["low"])], [float(rec["high"]) - float(rec["value"])]],
            color="#333333",
            capsize=2,
            linewidth=0.8,
            label=None if errorbar_labelled else text("interval", lang),
        )
        errorbar_labelled = True
        ax.annotate(
            annotation,
            (float(rec["high"]), i),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    ax.set_yticks(range(len(ranked)), labels)
    ax.invert_yaxis()
    _share_axis(ax, max(0.05, float(ranked["high"].max()) * 1.3), which="x")
    if errorbar_labelled:
        ax.legend(loc="lower right", frameon=False, fontsize=8)
    if ranked["tied"].any():
        fig.text(0.01, -0.02, text("tie_note", lang), fontsize=8, color="#555555", ha="left", va="top")
    return explain_marks(fig, lang)


#: Colours of the coverage states (xxgk.analysis.corpus.COVERAGE).
COVERAGE_COLOURS = {"present": "#4c72b0", "duplicate": "#8172b3", "failed": "#c44e52", "absent": "#eeeeee"}


def coverage_chart(coverage: pd.DataFrame, lang: str = "zh", max_agencies: int = 60) -> Figure:
    """Agency × year: present, present with duplicates left out, failed, absent
    (:func:`xxgk.analysis.corpus.coverage`). Over ``max_agencies`` agencies, one row per agency would be
    unreadable: the chart then shows the count of agencies in each state per year."""
    states = ["present", "duplicate", "failed", "absent"]
    codes_of = {s: i for i, s in enumerate(states)}
    years = sorted(coverage["year"].dropna().astype(int).unique())
    cmap = matplotlib.colors.ListedColormap([COVERAGE_COLOURS[s] for s in states])
    if coverage["agency_id"].nunique() > max_agencies:
        counts = pd.crosstab(coverage["coverage"].astype(str), coverage["year"]).reindex(states, fill_value=0)
        fig, axes = _new_figure(max(6.0, 0.9 * len(years) + 3), 3.6)
        ax = axes[0, 0]
        bottom = np.zeros(len(years))
        for s in states:
            values = counts.loc[s].reindex(years, fill_value=0).to_numpy()
            ax.bar(
                [str(y) for y in years], values, bottom=bottom, color=COVERAGE_COLOURS[s], label=text(s, lang)
            )
            bottom += values
        ax.set_ylabel(text("agency", lang))
    else:
        grid = coverage.pivot_table(
            index="agency_name", columns="year", values="coverage", aggfunc="first", observed=False
        )
        grid = grid.reindex(columns=years).apply(lambda col: col.astype(str).map(codes_of)).fillna(3)
        fig, axes = _new_figure(max(5.0, 0.9 * len(years) + 4), max(2.5, 0.35 * len(grid) + 1.2))
        ax = axes[0, 0]
        ax.imshow(grid.to_numpy(dtype=float), cmap=cmap, vmin=-0.5, vmax=3.5, aspect="auto")
        ax.set_xticks(range(len(years)), [str(y) for y in years])
        ax.set_yticks(range(len(grid)), list(grid.index))
        ax.grid(False)
    ax.set_title(text("coverage", lang))
    fig.legend(
        handles=[Patch(color=COVERAGE_COLOURS[s], label=text(s, lang)) for s in states],
        loc="outside right upper",
        frameon=False,
        fontsize=8,
    )
    return explain_marks(fig, lang)


def report_card(tables: dict, agency: str, lang: str = "zh") -> Figure:
    """One agency across its years: volumes, outcome mix, rates and table 四 on one page."""
    from xxgk.analysis.corpus import select

    own = select(tables, agencies=[agency])
    years = _sort_keys(own["reports"]["year"])
    fig = _figure(13, 9)
    grid = fig.subfigures(2, 2)
    # volumes
    ax = grid[0, 0].subplots()
    vols = measures.pool(measures.volumes(own), ["year", "row_code"])
    rows = list(measures.VOLUME_ROWS)
    _grouped_bars(
        ax,
        vols,
        "year",
        "row_code",
        "count",
        years,
        rows,
        colours(tuple(rows)),
        {r: label(r, REQUEST_ROWS, lang) for r in rows},
        fmt=lambda r: _fmt_count(r["count"]),
    )
    ax.set_title(text("volumes", lang), fontsize=10)
    ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1, 1))
    # outcome mix
    ax = grid[0, 1].subplots()
    mix = measures.pool(measures.outcome_mix(own), ["year", "category"])
    groups = list(measures.OUTCOME_GROUPS)
    _stacked_shares(
        ax,
        mix,
        "year",
        years,
        groups,
        _group_colours(),
        {g: label(g, ROW_GROUPS, lang) for g in groups},
    )
    ax.set_title(text("outcome_mix", lang), fontsize=10)
    # rates as a table of text: value with counts, per year
    ax = grid[1, 0].subplots()
    ax.axis("off")
    table = measures.rate_table(measures.rates(own), lang)
    if len(table):
        cell = ax.table(
            cellText=table.reindex(columns=years).fillna("").to_numpy(),
            rowLabels=list(table.index),
            colLabels=[str(y) for y in years],
            loc="center",
            cellLoc="center",
        )
        cell.auto_set_font_size(False)
        cell.set_fontsize(8)
        cell.scale(1, 1.4)
    ax.set_title(text("rates", lang) + " · * " + text("small_n", lang), fontsize=10)
    # reviews: totals per proceeding and year
    ax = grid[1, 1].subplots()
    counts = measures.review_counts(own)
    totals = counts[counts["outcome"] == "total"]
    pooled = measures.pool(totals, ["year", "proceeding"])
    procs = codes(PROCEEDINGS)
    _grouped_bars(
        ax,
        pooled,
        "year",
        "proceeding",
        "count",
        years,
        procs,
        colours(PROCEEDINGS),
        {p: label(p, PROCEEDINGS, lang) for p in procs},
        fmt=lambda r: _fmt_count(r["count"]),
    )
    ax.set_title(text("reviews", lang), fontsize=10)
    ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1, 1))
    fig.suptitle(text("report_card", lang, agency=agency), fontsize=13)
    return explain_marks(fig, lang)


def save(fig: Figure, path) -> None:
    """Save a figure as PNG (or any format matplotlib knows from the suffix)."""
    fig.savefig(path, dpi=110)
