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
- **From 1 to 500 agencies.** A chart by agency draws horizontal bars (names are read across), sorted by
  size: the :data:`TOP_N` largest agencies one by one and the rest in one bar ("其余 N 个机关") — pooled for
  rates and mixes (numerators and denominators added), at its mean per agency for counts (a sum of
  hundreds of agencies would flatten every other bar), so no report with data is left out. Series whose
  sizes differ by orders of magnitude are small multiples (one panel each), years are lines, and a
  figure's height grows with the rows it draws up to :data:`MAX_HEIGHT`.
- **A caption under every chart** (:func:`caption`): the source (reports, years, agencies), the
  definition of what is drawn (for rates and mixes written from their declarations by
  :func:`xxgk.analysis.measures.definition`), every note (balanced panel, the rest, reports left out) and
  a legend of every mark, inside the figure, so a notebook, a tight bounding box and the saved files show
  the same. :func:`save` and the ``XXGK_FIGURES_DIR`` hook are in :mod:`xxgk.analysis.figures`.

(Longer than most modules: every chart shares the theme, the order and colour rules, the NA and small-N
marks, the rest's bar and the caption above, and they are kept in one place so that no chart can draw them
differently.)
"""

from __future__ import annotations

import re
import textwrap
from importlib import resources

import matplotlib
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib import font_manager
from matplotlib.container import ErrorbarContainer
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from xxgk.analysis import figures, measures
from xxgk.analysis.figures import CAPTION_GID
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
#: The mark of a cell whose agency has no report that year (NA is kept for a report lacking the number).
NO_REPORT = "–"
#: How many agencies a chart by agency draws one by one; the rest are one bar ("其余 N 个机关"). Twenty
#: rows at ROW_HEIGHT and the caption fit one printed page, and a reader can still compare them.
TOP_N = 20
#: More unranked (small-N) rows than this in a ranking are pooled into one hatched bar.
MAX_UNRANKED = 5
#: Inches per drawn row of horizontal bars (8-point labels on two lines fit), and the caps on a figure's
#: size (a page in landscape; a notebook shows wider figures scaled down, and unreadable).
ROW_HEIGHT = 0.3
MAX_HEIGHT = 14.0
MAX_WIDTH = 16.0
#: The look of the bar at the rest's mean per agency (lighter: it is no agency's own count), and its gid.
REST_ALPHA = 0.45
REST_GID = "xxgk-rest"
#: Type size of the caption under every chart.
CAPTION_SIZE = 8
CAPTION_SPACING = 1.45

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
    Code("no_report_mark", "–：该机关该年无报告", "–: no report of the agency that year"),
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
    Code(
        "source",
        "来源：{reports} 份报告，{years}，{agencies} 个机关",
        "Source: {reports} report(s), {years}, {agencies} agencies",
    ),
    Code("coverage_source", "来源：{agencies} 个机关，{years}", "Source: {agencies} agencies, {years}"),
    Code("rest", "其余 {n} 个机关", "{n} other agencies"),
    Code("rest_mean", "均 {mean}（合计 {total}）", "mean {mean} (total {total})"),
    Code("mean", "均 {mean}", "mean {mean}"),
    Code("rest_mark", "其余机关：每个机关的平均值", "Other agencies: mean per agency"),
    Code(
        "rest_mean_note",
        "按{what}取最多的 {top} 个机关逐一显示；“其余 {n} 个机关”为一条浅色条，"
        "长度为其每个机关的平均值（合计 / 有数的机关数），标注均值与合计",
        "The {top} agencies with the most {what} one by one; the lighter bar of the '{n} other agencies' is "
        "their mean per agency (total / agencies with the number), labelled with the mean and the total",
    ),
    Code(
        "rest_pooled_note",
        "按件数（n）取最多的 {top} 个机关逐一显示；“其余 {n} 个机关”合并为一条（各类件数相加后求占比）",
        "The {top} agencies with the largest n one by one; the '{n} other agencies' pooled in one bar (counts "
        "added, then the shares)",
    ),
    Code(
        "rest_rates_note",
        "按{rate}的分母取最大的 {top} 个机关，按此顺序排列；“其余 {n} 个机关”合并为一条（分子、分母分别相加）",
        "The {top} agencies with the largest denominator of the {rate}, in that order; the '{n} other "
        "agencies' pooled in one bar (numerators and denominators added)",
    ),
    Code(
        "rest_heatmap_note",
        "按各年合计取最多的 {top} 个机关逐行显示；最后一行为其余 {n} 个机关每年的平均值（不着色）",
        "The {top} agencies with the largest total over the years, one row each; the last row is the other "
        "{n} agencies' mean per agency each year (not coloured)",
    ),
    Code(
        "rest_ranked",
        "其余 {n} 个（第 {first}–{last} 名，合并）",
        "{n} others (ranks {first}–{last}, pooled)",
    ),
    Code("unranked_pooled", f"分母不足 {SMALL_N} 的 {{n}} 个（合并）", f"{{n}} under {SMALL_N} (pooled)"),
    Code(
        "pooled_rows_note",
        "“合并”条：这些行的分子、分母分别相加后计算比率与区间",
        "Pooled bars: the rows' numerators and denominators added, then the rate and its interval",
    ),
    Code(
        "ranking_note",
        f"名次按比率{{order}}；分母不足 {SMALL_N} 或缺少数据的行不排名；误差线为 95% Wilson 置信区间",
        f"Ranked by the rate, {{order}}; rows under {SMALL_N} or lacking a number are not ranked; whiskers are "
        "95% Wilson intervals",
    ),
    Code("descending", "从高到低", "highest first"),
    Code("ascending", "从低到高", "lowest first"),
    Code(
        "pooled_note",
        "各组比率为合并比率（分子、分母分别相加），误差线为 95% Wilson 置信区间",
        "Each rate is pooled (numerators and denominators added); whiskers are 95% Wilson intervals",
    ),
    Code(
        "def_volumes",
        "件数：表三“总计”列，按{by}将各报告相加",
        "Counts: table 三, total column, the reports of each {by} added",
    ),
    Code(
        "def_heatmap",
        "件数：表三“总计”列的“{row}”，每个机关每年一份报告",
        "Counts: table 三, total column, '{row}', one report per agency and year",
    ),
    Code(
        "def_reviews",
        "件数：表四，按{by}将各报告相加；各段为审理结果，数字为“总计”",
        "Counts: table 四, the reports of each {by} added; segments are outcomes, the number is the total",
    ),
    Code("reviews_total", "行政复议与行政诉讼总计", "reviews and lawsuits"),
    Code("n_note", "；n 为各类件数之和", "; n is the sum of the parts"),
    Code("reasons_note", "（同一组内）；n 为该组件数", " (within a group); n is the group's count"),
    Code(
        "def_coverage",
        "每格：该机关该年的报告是否读到（重复文件只用一份）",
        "Each cell: whether the agency's report for the year was read (duplicates used once)",
    ),
    Code(
        "def_coverage_counts",
        "每年各状态的机关数",
        "Agencies in each state per year",
    ),
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
        figures.install_hook(shell)  # $XXGK_FIGURES_DIR: every displayed figure saved as files too


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


def _integer_axis(axis, bins: int | str = "auto") -> None:
    """A count axis: whole-number ticks only (no 0.5 request), at most ``bins`` intervals."""
    axis.set_major_locator(matplotlib.ticker.MaxNLocator(nbins=bins, integer=True))


def _share_axis(ax, top: float, which: str = "y", room: float = 1.35) -> None:
    """A share axis from 0 to ``top`` (room for the labels) with ticks only up to 100 %, or up to the
    largest value drawn, ``top`` / ``room``, when a rate passes 100 % (lawsuits per request can)."""
    axis = ax.yaxis if which == "y" else ax.xaxis
    (ax.set_ylim if which == "y" else ax.set_xlim)(0, top)
    last = max(1.0, top / room) if top / room > 1.0 else min(top, 1.0)
    bins = 6 if which == "y" else 4  # horizontal: "100%" labels side by side need the room
    ticks = [t for t in matplotlib.ticker.MaxNLocator(bins).tick_values(0, last) if 0 <= t <= last]
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
    """The marks a figure draws that need a word of explanation: hatching, "NA", a "*" after a number, an
    interval (error bar), the lighter bar of the rest's mean."""
    found = set()
    for ax in fig.axes:
        if any(isinstance(c, ErrorbarContainer) for c in ax.containers):
            found.add("interval")
        if any(p.get_gid() == REST_GID for p in ax.patches):
            found.add("rest")
    for patch in fig.findobj(matplotlib.patches.Patch):
        if patch.get_hatch() and patch.get_label() != "_marks":
            found.add("hatch")
    for t in fig.findobj(matplotlib.text.Text):
        if t.get_text() == NO_REPORT:
            found.add("no_report")
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


def _mark_handles(fig: Figure, lang: str) -> list:
    """One legend handle per mark the figure draws (hatching, "*", NA, an interval, the rest's bar)."""
    found = _marks(fig)
    handles = []
    if "hatch" in found:
        handles.append(_small_n_handle(lang))
    if "star" in found:
        handles.append(Patch(facecolor="none", edgecolor="none", label=text("star_mark", lang)))
    if "na" in found:
        handles.append(Patch(facecolor="none", edgecolor="none", label=text("na_mark", lang)))
    if "no_report" in found:
        handles.append(Patch(facecolor="none", edgecolor="none", label=text("no_report_mark", lang)))
    if "interval" in found:
        handles.append(
            Line2D(
                [], [], color="#333333", marker="|", markersize=8, linewidth=0.8, label=text("interval", lang)
            )
        )
    if "rest" in found:
        handles.append(Patch(facecolor=MISSING_COLOUR, alpha=REST_ALPHA, label=text("rest_mark", lang)))
    return handles


#: Columns of the marks legend.
MARK_COLUMNS = 3


def explain_marks(fig: Figure, lang: str = "zh", top: float | None = None) -> Figure:
    """Add below a chart one legend that explains every mark it draws (hatching, NA, "*", an interval, the
    rest's bar), and only those: under the axes, or with its top at ``top`` (figure fraction).

    Every chart calls it (through :func:`caption`), so no chart can use a mark without saying what it means."""
    handles = _mark_handles(fig, lang)
    if handles:
        place = (
            {"loc": "outside lower left"}
            if top is None
            else {"loc": "upper left", "bbox_to_anchor": (0.005, top), "bbox_transform": fig.transFigure}
        )
        legend = fig.legend(
            handles=handles, frameon=False, fontsize=8, ncols=min(len(handles), MARK_COLUMNS), **place
        )
        for patch in legend.get_patches():
            patch.set_label("_marks")
        for line in legend.get_lines():
            line.set_label("_marks")
    return fig


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
    """Break a long label into lines of ``width`` characters: between words when it is not Chinese, else
    anywhere (Chinese has no spaces to break at; "15. 黔东南…" would leave "15." alone on a line).

    >>> _wrap("Carried over from last year", 12), _wrap("上年结转政府信息公开申请数量", 8)
    ('Carried over\\nfrom last\\nyear', '上年结转政府信息\\n公开申请数量')
    """
    if " " in label.strip() and not _CJK.search(label):
        return textwrap.fill(label, width, break_long_words=True)
    return "\n".join(label[i : i + width] for i in range(0, len(label), width))


def _in_sentence(label: str, lang: str) -> str:
    """A label inside an English sentence starts in lower case ("each agency", not "each Agency")."""
    return label[:1].lower() + label[1:] if lang == "en" else label


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


# --------------------------------------------------------------------------------------------------------
# Size, captions and the rest of the agencies


#: Inches a chart of side-by-side panels needs besides its rows: the title, the panels' titles on two
#: lines and the axis labels (less, and constrained layout gives up and lets them overlap).
PANELS_BASE = 2.6


def _height(rows: int, base: float = 1.8, per: float = ROW_HEIGHT) -> float:
    """A figure's height for ``rows`` drawn rows of bars: it grows with the rows, up to :data:`MAX_HEIGHT`."""
    return min(MAX_HEIGHT, base + per * max(rows, 1))


def _label_size(rows: int) -> int:
    """Tick-label type size for ``rows`` rows: smaller only when the height cap squeezes them."""
    return 8 if 1.8 + ROW_HEIGHT * rows <= MAX_HEIGHT else 6


_CJK = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]")
_TOKENS = re.compile(
    r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]|[^\s\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]+\s*|\s+"
)


def _em(token: str) -> float:
    """Width of a text in ems: a CJK character is one em, any other character about 0.6."""
    return sum(1.0 if _CJK.match(ch) else 0.6 for ch in token)


def wrap_text(line: str, width_pt: float, size: float) -> str:
    """Break a line of text (Chinese, English or both) into lines at most ``width_pt`` points wide.

    Chinese breaks between any two characters, other scripts between words (a number stays whole).

    >>> wrap_text("来源：10 份报告，2019–2024", 60, 10)
    '来源：10 份\\n报告，\\n2019–2024'
    """
    lines, current, used = [], "", 0.0
    for token in _TOKENS.findall(line):
        w = _em(token) * size
        if current and used + _em(token.rstrip()) * size > width_pt:
            lines.append(current.rstrip())
            current, used = token.lstrip(), _em(token.lstrip()) * size
        else:
            current, used = current + token, used + w
    lines.append(current.rstrip())
    return "\n".join(lines)


def _years_text(years) -> str:
    years = sorted({int(y) for y in years if pd.notna(y)})
    if not years:
        return "–"
    if years == list(range(years[0], years[-1] + 1)):
        return str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"
    return ", ".join(map(str, years))


def source_text(reports: pd.DataFrame, lang: str = "zh") -> str:
    """Where a chart's numbers come from: how many reports, which years, how many agencies.

    Only reports that were read count (a failed file has no numbers).
    """
    read = (
        reports[reports["status"].isin(["ok", "incomplete"]).fillna(False)]
        if "status" in reports
        else reports
    )
    key = _agency_key(read) if len(read) else "agency"
    return text(
        "source",
        lang,
        reports=read["report_id"].nunique(),
        years=_years_text(read["year"]),
        agencies=read[key].nunique(),
    )


def _left_out_note(missing, lang: str) -> str:
    """The note naming the reports a pooled chart left out because a cell is missing (:func:`left_out`)."""
    missing = list(dict.fromkeys(missing))
    if not missing:
        return ""
    shown = missing[:MAX_NAMED]
    more = "…" if len(missing) > len(shown) else ""
    joiner = "、" if lang == "zh" else "; "
    return (
        text("missing_note", lang, n=len(missing))
        + ("：" if lang == "zh" else ": ")
        + joiner.join(shown)
        + more
    )


def caption(fig: Figure, lang: str, title: str, source: str, *lines: str) -> Figure:
    """Finish a chart: its title as the figure's label (the file name comes from it), the legend of its
    marks (:func:`explain_marks`), and the caption under it — the source, the definition of what is drawn,
    then every note — wrapped to the figure's width."""
    fig.set_label(title)
    body = [source, *(line for line in lines if line)]
    words = "\n".join(wrap_text(line, fig.get_figwidth() * 72 * 0.97, CAPTION_SIZE) for line in body)
    # The marks legend and the caption live inside the figure, in a band the figure grows by and the layout
    # keeps out of: a tight bounding box, a notebook's display and the saved files all show the same thing.
    marks = _mark_handles(fig, lang)
    legend = -(-len(marks) // MARK_COLUMNS) * 0.24  # inches: rows of the marks legend
    band = legend + (words.count("\n") + 1) * CAPTION_SIZE * CAPTION_SPACING / 72 + 0.2
    height = fig.get_figheight()
    total = height + band
    fig.set_figheight(total)
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.set(rect=(0, band / total, 1, height / total))
    if marks:
        explain_marks(fig, lang, top=band / total)
    fig.text(
        0.01,
        (band - legend - 0.05) / total,
        words,
        ha="left",
        va="top",
        fontsize=CAPTION_SIZE,
        color="#444444",
        linespacing=CAPTION_SPACING,
        gid=CAPTION_GID,
    )
    return fig


def _one_name_per_agency(tables: dict) -> dict:
    """The tables with each report's ``agency`` set to its agency's canonical name (``agency_name``), so a
    chart by agency draws a renamed agency once, under its current name, and counts agencies as the
    source line does; a report without a canonical name keeps its printed one."""
    reports = tables["reports"]
    if "agency_name" not in reports.columns:
        return tables
    canonical = reports["agency_name"].astype("string").fillna(reports["agency"].astype("string"))
    return {**tables, "reports": reports.assign(agency=canonical)}


def _top(size: pd.Series, top: int) -> tuple[list, list]:
    """Given a size per agency, the agencies drawn one by one (largest first; equal sizes by name; unknown
    sizes last) and the rest, summarised in one bar. A rest of one agency is drawn as itself."""
    size = pd.to_numeric(size.astype("Float64"), errors="coerce").astype("float64")
    order = size.sort_index(key=lambda i: i.astype(str)).sort_values(ascending=False, kind="stable")
    keys = list(order.index)
    if len(keys) <= top + 1:
        return keys, []
    return keys[:top], keys[top:]


def _fold_rest(frame: pd.DataFrame, by: str, shown: list, rest_label: str) -> pd.DataFrame:
    """A per-report frame whose ``by`` is the rest's label for every agency not drawn one by one."""
    if not len(frame):
        return frame
    keys = frame[by].astype(object)
    return frame.assign(**{by: keys.where(keys.isin(shown), rest_label)})


def _agency_sizes(frame: pd.DataFrame, value: str) -> pd.Series:
    """Per agency, ``value`` added over its reports (NA when no report has it): the size the agencies
    drawn one by one are chosen by."""
    if not len(frame):
        return pd.Series(dtype="Float64")
    return frame.groupby("agency")[value].sum(min_count=1)


def _agency_labels(names, lang: str) -> list[str]:
    width = 16 if lang == "zh" else 30
    return [_wrap(str(n), width) for n in names]


# --------------------------------------------------------------------------------------------------------
# Charts of counts


def _count_label(value, lang: str) -> str:
    return _fmt_count(value)


def _rest_label_text(total, n: int, lang: str) -> str:
    """The label of the rest's bar: the mean per agency it is drawn at, and the total."""
    if pd.isna(total) or n == 0:
        return "NA"
    return text("rest_mean", lang, mean=f"{total / n:,.1f}", total=f"{int(total):,}")


def _rest_mean(per_agency: pd.Series) -> tuple[float, int]:
    """The rest's total and how many of its agencies have a known count (the mean is total / n)."""
    known = per_agency.dropna()
    return (float(known.sum()) if len(known) else np.nan), len(known)


def _count_hbars(ax, values, colour, rest=None, lang: str = "zh") -> None:
    """Horizontal count bars, one per value, labelled with the count; NA draws no bar and says NA.

    ``rest`` (its per-agency counts) adds a last bar at the rest's mean per agency, lighter, labelled with
    the mean and the total (a sum of hundreds of agencies would flatten every other bar)."""
    for i, v in enumerate(values):
        if pd.isna(v):
            _na_marker(ax, i, 0, horizontal=True)
            continue
        ax.barh(i, float(v), color=colour, edgecolor="white", height=0.7)
        ax.annotate(
            _fmt_count(v), (float(v), i), xytext=(3, 0), textcoords="offset points", va="center", fontsize=7
        )
    if rest is not None:
        total, n = _rest_mean(rest)
        i = len(values)
        if n:
            ax.barh(i, total / n, color=colour, alpha=REST_ALPHA, edgecolor=colour, height=0.7, gid=REST_GID)
        ax.annotate(
            _rest_label_text(total, n, lang),
            (total / n if n else 0.0, i),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize=7,
        )
    ax.margins(x=0.25)
    _integer_axis(ax.xaxis, bins=4)  # a narrow panel: "1,200" and "1,800" would run into each other


def _volume_lines(ax, pooled: pd.DataFrame, row: str, years: list, colour) -> None:
    """One volume row over the years: a line with each year's count; an NA year breaks it and says NA."""
    part = pooled[pooled["row_code"] == row].set_index("year")["count"].reindex(years)
    values = [np.nan if pd.isna(v) else float(v) for v in part]
    x = list(range(len(years)))
    ax.plot(x, values, marker="o", color=colour, linewidth=1.8, markersize=4)
    for i, v in enumerate(values):
        if np.isnan(v):
            _na_marker(ax, i)
            continue
        ax.annotate(f"{int(v):,}", (i, v), xytext=(0, 4), textcoords="offset points", ha="center", fontsize=7)
    ax.set_xticks(x, [str(y) for y in years])
    ax.set_xlim(-0.5, len(years) - 0.5)
    top = np.nanmax(values) if not all(np.isnan(values)) else 1.0
    ax.set_ylim(0, max(1.0, top) * 1.2)
    _integer_axis(ax.yaxis)


def volumes_chart(
    tables: dict, lang: str = "zh", by: str = "year", balanced: bool = True, top: int = TOP_N
) -> Figure:
    """New, carried over, handled and carried forward requests: one panel per row (their sizes differ by
    orders of magnitude, so one shared axis would flatten the small ones).

    Per year: a line over the years, summed over the balanced set of agencies unless ``balanced=False``
    (:func:`over_years`). Per agency: horizontal bars sorted by new requests, the ``top`` largest agencies
    one by one and the rest in one bar ("其余 N 个机关")."""
    tables, note = over_years(tables, balanced, lang) if by == "year" else (_one_name_per_agency(tables), "")
    per_report = measures.volumes(tables)
    rows = list(measures.VOLUME_ROWS)
    row_colours = colours(tuple(rows))
    title = text("volumes", lang)
    rest_note = ""
    if by == "agency":
        pooled = measures.pool(per_report, ["agency", "row_code"])
        counts = pooled.pivot_table(index="agency", columns="row_code", values="count", aggfunc="first")
        counts = counts.reindex(columns=rows).astype("Float64")
        shown, rest = _top(counts["new_received"] if len(counts) else pd.Series(dtype="Float64"), top)
        drawn = len(shown) + (1 if rest else 0)
        fig, axes = _new_figure(
            min(MAX_WIDTH, 2.4 + 2.6 * len(rows)), _height(drawn, base=PANELS_BASE), 1, len(rows), sharey=True
        )
        for ax, row in zip(axes[0], rows, strict=False):
            ax.set_title(_wrap(label(row, REQUEST_ROWS, lang), 12 if lang == "zh" else 22), fontsize=9)
            if not shown:
                _no_data(ax, lang)
                continue
            _count_hbars(
                ax,
                [counts.loc[a, row] for a in shown],
                row_colours[row],
                counts.loc[rest, row] if rest else None,
                lang,
            )
        if shown:
            names = [*shown, text("rest", lang, n=len(rest))] if rest else shown
            axes[0, 0].set_yticks(range(len(names)), _agency_labels(names, lang), fontsize=_label_size(drawn))
            axes[0, 0].invert_yaxis()
        if rest:
            rest_note = text(
                "rest_mean_note",
                lang,
                n=len(rest),
                top=len(shown),
                what=_in_sentence(label("new_received", REQUEST_ROWS, lang), lang),
            )
    else:
        pooled = measures.pool(per_report, ["year", "row_code"])
        years = _sort_keys(pooled["year"]) if len(pooled) else []
        width = max(2.6, 0.55 * len(years) + 1.0)
        fig, axes = _new_figure(min(MAX_WIDTH, 0.6 + width * len(rows)), 3.4, 1, len(rows))
        for ax, row in zip(axes[0], rows, strict=False):
            ax.set_title(_wrap(label(row, REQUEST_ROWS, lang), 12 if lang == "zh" else 22), fontsize=9)
            if not years or pooled.loc[pooled["row_code"] == row, "count"].isna().all():
                _no_data(ax, lang)
                continue
            _volume_lines(ax, pooled, row, years, row_colours[row])
        axes[0, 0].set_ylabel(text("count", lang))
    fig.suptitle(title)
    return caption(
        fig,
        lang,
        title,
        source_text(tables["reports"], lang),
        text("def_volumes", lang, by=_in_sentence(text(by, lang), lang)),
        note,
        rest_note,
        _left_out_note(left_out(per_report, "count"), lang),
    )


def volume_heatmap(tables: dict, lang: str = "zh", row: str = "new_received", top: int = TOP_N) -> Figure:
    """One table-三 row per agency and year, as a heatmap; a missing cell is grey and says NA, a year with
    no report of the agency says "–" (no report is not a report that lacks the number).

    Over ``top`` agencies, the ``top`` largest (summed over the years) are rows of their own and the rest
    one row, each year's cell the rest's mean per agency (a sum would take the whole colour scale)."""
    tables = _one_name_per_agency(tables)
    vols = measures.volumes(tables)
    vols = vols[vols["row_code"] == row]
    grid = vols.pivot_table(index="agency", columns="year", values="count", aggfunc="first", dropna=False)
    agencies = _sort_keys(tables["reports"]["agency"])
    years = _sort_keys(tables["reports"]["year"])
    grid = grid.astype("Float64").astype(float).reindex(index=agencies, columns=years)
    shown, rest = _top(grid.sum(axis=1, min_count=1), top)
    drawn = grid.reindex(shown)
    reports = tables["reports"]
    has_report = (
        pd.crosstab(reports["agency"], reports["year"]).reindex(index=agencies, columns=years).fillna(0) > 0
    )
    rest_row = None
    if rest:
        part = grid.reindex(rest)
        rest_row = (
            part.sum(axis=0, min_count=1),
            part.notna().sum(axis=0),
            has_report.reindex(rest).any(axis=0),
        )
    n_rows = len(shown) + (1 if rest else 0)
    fig, axes = _new_figure(max(5.0, 1.0 * len(years) + 4), _height(n_rows, base=1.6, per=0.34))
    ax = axes[0, 0]
    title = label(row, REQUEST_ROWS, lang)
    ax.set_title(title)
    if drawn.empty or drawn.isna().all().all():
        _no_data(ax, lang)
    else:
        _heatmap_cells(ax, drawn, has_report.reindex(shown), rest_row, lang)
        names = [*shown, text("rest", lang, n=len(rest))] if rest else shown
        ax.set_xlim(0, len(years))
        ax.set_ylim(n_rows, 0)
        ax.set_xticks(np.arange(len(years)) + 0.5, [str(y) for y in years])
        ax.set_yticks(
            np.arange(n_rows) + 0.5, _agency_labels(names, lang), rotation=0, fontsize=_label_size(n_rows)
        )
    ax.set_xlabel(text("year", lang))
    ax.set_ylabel("")
    rest_note = text("rest_heatmap_note", lang, n=len(rest), top=len(shown)) if rest else ""
    return caption(
        fig,
        lang,
        title,
        source_text(tables["reports"], lang),
        text("def_heatmap", lang, row=label(row, REQUEST_ROWS, lang)),
        rest_note,
    )


def _heatmap_cells(ax, grid: pd.DataFrame, has_report: pd.DataFrame, rest_row, lang: str) -> None:
    """The heatmap of the agencies drawn one by one, NA cells grey with "NA" (or "–" where the agency has
    no report that year), and the rest's row of means below it, uncoloured (its numbers are means, not any
    agency's count)."""
    ax.set_facecolor("#eeeeee")
    ax.grid(False)  # the theme's grid would cross out every cell's number
    sns.heatmap(
        grid, ax=ax, annot=True, fmt=",.0f", cmap="Blues", cbar=False, linewidths=0.5, mask=grid.isna()
    )
    present = has_report.to_numpy()
    for (i, j), v in np.ndenumerate(grid.to_numpy()):
        if np.isnan(v):
            ax.text(
                j + 0.5,
                i + 0.5,
                "NA" if present[i, j] else NO_REPORT,
                ha="center",
                va="center",
                color=MISSING_COLOUR,
                style="italic",
                fontsize=8,
            )
    if rest_row is not None:
        totals, known, any_report = rest_row
        i = len(grid)
        ax.axhspan(i, i + 1, color="white")
        for j, (total, n, seen) in enumerate(zip(totals, known, any_report, strict=False)):
            mean = text("mean", lang, mean=f"{total / n:,.1f}") if n else ""
            shown = mean or ("NA" if seen else NO_REPORT)
            ax.text(j + 0.5, i + 0.5, shown, ha="center", va="center", fontsize=8, color="#333333")


# --------------------------------------------------------------------------------------------------------
# Mixes


def applicant_mix_chart(
    tables: dict,
    lang: str = "zh",
    by: str = "year",
    row: str = "new_received",
    balanced: bool = True,
    top: int = TOP_N,
) -> Figure:
    """Who asked, as 100% bars per year or agency (the six applicant columns of one table-三 row).

    Per year: the balanced set unless ``balanced=False`` (:func:`over_years`). Per agency: the ``top``
    agencies with the most requests one by one, the rest pooled in one bar."""
    parts = list(measures.APPLICANT_PARTS)
    return _mix_chart(
        tables,
        lambda t: measures.applicant_mix(t, row),
        parts,
        colours(APPLICANTS),
        {a: label(a, APPLICANTS, lang) for a in parts},
        f"{text('applicant_mix', lang)} · {label(row, REQUEST_ROWS, lang)}",
        "applicant_mix",
        lang,
        by,
        balanced,
        top,
    )


def outcome_mix_chart(
    tables: dict, lang: str = "zh", by: str = "year", balanced: bool = True, top: int = TOP_N
) -> Figure:
    """How requests were handled (the six outcome groups), as 100% bars per year or agency.

    Per year: the balanced set unless ``balanced=False`` (:func:`over_years`). Per agency: the ``top``
    agencies with the most requests handled one by one, the rest pooled in one bar."""
    groups = list(measures.OUTCOME_GROUPS)
    return _mix_chart(
        tables,
        measures.outcome_mix,
        groups,
        _group_colours(),
        {g: label(g, ROW_GROUPS, lang) for g in groups},
        text("outcome_mix", lang),
        "outcome_mix",
        lang,
        by,
        balanced,
        top,
    )


def _mix_chart(tables, mix_of, parts, palette, labels, title, mix_code, lang, by, balanced, top) -> Figure:
    """100% bars of a mix per year or agency, pooled over reports; the caption says who is left out."""
    tables, note = over_years(tables, balanced, lang) if by == "year" else (_one_name_per_agency(tables), "")
    per_report = mix_of(tables)
    missing = left_out(per_report, "numerator")  # named before the rest is folded into one name
    rest_note = ""
    if by == "agency":
        usable = per_report.drop_duplicates("report_id")
        shown, rest = _top(_agency_sizes(usable, "denominator"), top)
        order = shown
        if rest:
            rest_label = text("rest", lang, n=len(rest))
            per_report = _fold_rest(per_report, by, shown, rest_label)
            order = [*shown, rest_label]
            rest_note = text("rest_pooled_note", lang, n=len(rest), top=len(shown))
    else:
        order = _sort_keys(tables["reports"][by])
    mix = measures.pool(per_report, [by, "category"]) if len(per_report) else per_report
    fig, axes = _new_figure(9.5, _height(len(order), base=1.5, per=0.34))
    ax = axes[0, 0]
    ax.set_title(title)
    if not order or mix["share"].isna().all():
        _no_data(ax, lang)
    else:
        _stacked_shares(ax, mix, by, order, parts, palette, labels)
        if by == "agency":
            ax.set_yticks(range(len(order)), _agency_labels(order, lang), fontsize=_label_size(len(order)))
    return caption(
        fig,
        lang,
        title,
        source_text(tables["reports"], lang),
        measures.definition(mix_code, lang) + text("n_note", lang),
        note,
        rest_note,
        _left_out_note(missing, lang),
    )


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
            _no_data(ax, lang)
        _integer_axis(ax.xaxis)
    title = text("reasons", lang)
    fig.suptitle(title)
    return caption(
        fig,
        lang,
        title,
        source_text(tables["reports"], lang),
        measures.definition("reason_mix", lang) + text("reasons_note", lang),
        _left_out_note(missing, lang),
    )


# --------------------------------------------------------------------------------------------------------
# Rates


def _with_interval(pooled: pd.DataFrame) -> pd.DataFrame:
    low, high = measures.wilson(pooled["numerator"], pooled["denominator"])
    return pooled.assign(low=low.to_numpy(), high=high.to_numpy())


def _rate_bar(ax, pos: float, rec, colour, horizontal: bool) -> None:
    """One rate: a bar (hatched grey when small N), its 95 % Wilson interval, and "x% (n/d)" past the
    interval's end; NA draws no bar and writes its counts where the bar would start."""
    annotation = measures.format_rate(rec["value"], rec["numerator"], rec["denominator"])
    if pd.isna(rec["value"]):
        kw = {"va": "center"} if horizontal else {"ha": "center", "va": "bottom", "rotation": 90}
        ax.text(
            *((0.0, pos) if horizontal else (pos, 0.0)),
            " " + annotation,
            fontsize=7,
            color=MISSING_COLOUR,
            **kw,
        )
        return
    small = _true(rec["is_small_n"])
    value, low, high = float(rec["value"]), float(rec["low"]), float(rec["high"])
    style = {
        "color": MISSING_COLOUR if small else colour,
        "hatch": SMALL_N_HATCH if small else None,
        "edgecolor": "white",
    }
    err = {"color": "#333333", "capsize": 2, "linewidth": 0.8, "fmt": "none"}
    proportion = low <= value <= high  # over 100 % (lawsuits per request) is no proportion: no interval
    high = high if proportion else value
    if horizontal:
        ax.barh(pos, value, height=0.7, **style)
        if proportion:
            ax.errorbar(value, pos, xerr=[[value - low], [high - value]], **err)
        ax.annotate(
            annotation, (high, pos), xytext=(3, 0), textcoords="offset points", va="center", fontsize=7
        )
    else:
        ax.bar(pos, value, width=0.7, **style)
        if proportion:
            ax.errorbar(pos, value, yerr=[[value - low], [high - value]], **err)
        ax.annotate(
            annotation.replace(" ", "\n"),
            (pos, high),
            xytext=(0, 2),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=7,
        )


def _rate_grid(n: int, groups: int) -> tuple[int, int, float]:
    """Panels for ``n`` rates of ``groups`` bars each: as many side by side as fit the width, each wide
    enough for its labels ("52.3%" over "(1463/2798)", about 0.75 inch a bar)."""
    width = max(2.6, 0.75 * groups + 0.8)
    cols = max(1, min(n, int((MAX_WIDTH - 0.4) // width)))
    return -(-n // cols), cols, width


def rates_chart(
    tables: dict,
    lang: str = "zh",
    by: str = "year",
    rates: tuple[str, ...] = tuple(codes(RATES)),
    balanced: bool = True,
    top: int = TOP_N,
) -> Figure:
    """The derived rates, pooled per year or agency, with their 95 % Wilson intervals and counts "x% (n/d)".

    Per year: small multiples, one panel per rate, as many side by side as fit; the balanced set unless
    ``balanced=False`` (:func:`over_years`). Per agency: one panel per rate side by side, horizontal bars
    sharing one agency order, the ``top`` agencies with the largest denominator of the first rate one by
    one and the rest pooled in one bar."""
    tables, note = over_years(tables, balanced, lang) if by == "year" else (_one_name_per_agency(tables), "")
    per_report = measures.rates(tables)
    per_report = per_report[per_report["measure"].isin(rates)]
    # named before the rest is folded into one name; a denominator of 0 is no missing cell
    missing = left_out(
        per_report.assign(_cells=per_report["numerator"] + per_report["denominator"]), "_cells"
    )
    rest_note = ""
    if by == "agency":
        first = per_report[per_report["measure"] == rates[0]]
        usable = first[first["numerator"].notna() & first["denominator"].notna()]
        sizes = _agency_sizes(usable, "denominator").reindex(_sort_keys(per_report["agency"]))
        shown, rest = _top(sizes, top)
        order = shown
        if rest:
            rest_label = text("rest", lang, n=len(rest))
            per_report = _fold_rest(per_report, by, shown, rest_label)
            order = [*shown, rest_label]
            rest_note = text(
                "rest_rates_note", lang, n=len(rest), top=len(shown), rate=measures.rate_label(rates[0], lang)
            )
    else:
        order = _sort_keys(tables["reports"][by])
    pooled = _with_interval(measures.pool(per_report, [by, "measure"])) if len(per_report) else None
    palette = colours(RATES)
    if by == "agency":
        fig, axes = _new_figure(
            min(MAX_WIDTH, 2.4 + 3.0 * len(rates)),
            _height(len(order), base=PANELS_BASE),
            1,
            len(rates),
            sharey=True,
        )
        flat = list(axes[0])
    else:
        nrows, ncols, width = _rate_grid(len(rates), len(order))
        fig, axes = _new_figure(min(MAX_WIDTH, width * ncols + 0.4), 3.3 * nrows + 0.4, nrows, ncols)
        flat = list(axes.ravel())
        for ax in flat[len(rates) :]:
            fig.delaxes(ax)  # a grid cell with no rate: nothing drawn
    for ax, measure in zip(flat, rates, strict=False):
        ax.set_title(_wrap(measures.rate_label(measure, lang), 14 if lang == "zh" else 28), fontsize=10)
        part = None if pooled is None else pooled[pooled["measure"] == measure].set_index(by)
        if part is None or part["value"].isna().all() or not order:
            _no_data(ax, lang)
            continue
        for i, key in enumerate(order):
            if key in part.index:
                _rate_bar(ax, i, part.loc[key], palette[measure], horizontal=by == "agency")
        top_value = max(
            0.05,
            float(part[["value", "high"]].astype("float64").max().max()) * (1.5 if by == "agency" else 1.35),
        )
        if by == "agency":
            _share_axis(ax, top_value, which="x", room=1.5)
            ax.set_yticks(range(len(order)), _agency_labels(order, lang), fontsize=_label_size(len(order)))
            ax.set_ylim(len(order) - 0.5, -0.5)
        else:
            _share_axis(ax, top_value)
            ax.set_xticks(range(len(order)), [str(v) for v in order])
            ax.set_xlim(-0.6, len(order) - 0.4)
    title = text("rates", lang)
    fig.suptitle(title)
    return caption(
        fig,
        lang,
        title,
        source_text(tables["reports"], lang),
        "；".join(measures.definition(m, lang) for m in rates)
        if lang == "zh"
        else "; ".join(measures.definition(m, lang) for m in rates),
        text("pooled_note", lang),
        note,
        rest_note,
        _left_out_note(missing, lang),
    )


# --------------------------------------------------------------------------------------------------------
# Table 四


def reviews_chart(
    tables: dict, lang: str = "zh", by: str = "year", balanced: bool = True, top: int = TOP_N
) -> Figure:
    """Table 四: review, direct litigation and litigation after review, outcomes stacked.

    Per year: vertical bars, the balanced set unless ``balanced=False`` (:func:`over_years`). Per agency:
    horizontal bars sharing one agency order (by all three totals added), the ``top`` agencies one by
    one and the rest as one bar at its mean per agency."""
    tables, note = over_years(tables, balanced, lang) if by == "year" else (_one_name_per_agency(tables), "")
    per_report = measures.review_counts(tables)
    counts = measures.pool(per_report, [by, "proceeding", "outcome"]) if len(per_report) else None
    parts = [o for o in codes(OUTCOMES) if o != "total"]
    rest_note = ""
    if by == "agency":
        totals = per_report[per_report["outcome"] == "total"]
        shown, rest = _top(_agency_sizes(totals, "count"), top)
        order = shown
        if rest:
            order = [*shown, text("rest", lang, n=len(rest))]
            rest_note = text(
                "rest_mean_note", lang, n=len(rest), top=len(shown), what=text("reviews_total", lang)
            )
        fig, axes = _new_figure(
            min(MAX_WIDTH, 2.4 + 3.2 * len(PROCEEDINGS)),
            _height(len(order), base=PANELS_BASE),
            1,
            len(PROCEEDINGS),
            sharey=True,
        )
    else:
        shown, rest = _sort_keys(tables["reports"][by]), []
        order = shown
        fig, axes = _new_figure(min(MAX_WIDTH, 4 + 1.6 * len(order)), 3.8, 1, len(PROCEEDINGS), sharey=True)
    lookup = (
        counts.set_index([by, "proceeding", "outcome"])["count"]
        if counts is not None
        else pd.Series(dtype="Int64")
    )
    for ax, proc in zip(axes[0], codes(PROCEEDINGS), strict=False):
        ax.set_title(_wrap(label(proc, PROCEEDINGS, lang), 14 if lang == "zh" else 24), fontsize=10)
        if not order or counts is None:
            _no_data(ax, lang)
            continue
        stacks = [
            ([lookup.get((k, proc, o), pd.NA) for o in parts], lookup.get((k, proc, "total"), pd.NA))
            for k in shown
        ]
        _stacked_counts(ax, stacks, parts, by == "agency")
        if rest:
            per_agency = pd.DataFrame(
                {o: [lookup.get((k, proc, o), pd.NA) for k in rest] for o in [*parts, "total"]}
            ).astype("Float64")
            complete = per_agency.dropna()
            n = len(complete)
            means = [float(complete[o].sum()) / n if n else np.nan for o in parts]
            _stack(ax, len(shown), means, parts, True, rest=True)
            ax.annotate(
                _rest_label_text(complete["total"].sum() if n else np.nan, n, lang),
                (sum(means) if n else 0.0, len(shown)),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=7,
            )
        if by == "agency":
            ax.set_yticks(range(len(order)), _agency_labels(order, lang), fontsize=_label_size(len(order)))
            ax.set_ylim(len(order) - 0.5, -0.5)
            ax.margins(x=0.2)
            _integer_axis(ax.xaxis, bins=4)
        else:
            ax.set_xticks(range(len(order)), [str(v) for v in order])
            _integer_axis(ax.yaxis)
    if by == "year":
        axes[0, 0].set_ylabel(text("count", lang))
        axes[0, 0].margins(y=0.15)
    outcome_colours = colours(OUTCOMES)
    fig.legend(
        handles=[Patch(color=outcome_colours[o], label=label(o, OUTCOMES, lang)) for o in parts],
        loc="outside right upper",
        frameon=False,
        fontsize=8,
    )
    title = text("reviews", lang)
    fig.suptitle(title)
    return caption(
        fig,
        lang,
        title,
        source_text(tables["reports"], lang),
        text("def_reviews", lang, by=_in_sentence(text(by, lang), lang)),
        note,
        rest_note,
        _left_out_note(left_out(per_report, "count"), lang),
    )


def _stack(ax, pos: float, values, parts, horizontal: bool, rest: bool = False) -> float:
    """One stacked bar of outcome counts at ``pos`` (lighter for the rest's means); returns its length."""
    outcome_colours = colours(OUTCOMES)
    look = {"alpha": REST_ALPHA, "gid": REST_GID} if rest else {}
    start = 0.0
    for o, v in zip(parts, values, strict=False):
        if pd.isna(v) or float(v) == 0:
            continue
        if horizontal:
            ax.barh(
                pos,
                float(v),
                left=start,
                color=outcome_colours[o],
                edgecolor="white",
                height=0.7,
                **look,
            )
        else:
            ax.bar(
                pos,
                float(v),
                bottom=start,
                color=outcome_colours[o],
                edgecolor="white",
                width=0.6,
                **look,
            )
        start += float(v)
    return start


def _stacked_counts(ax, stacks, parts, horizontal: bool) -> None:
    """Stacked outcome bars, each labelled with its printed total; a stack with an NA part says NA."""
    for i, (values, total) in enumerate(stacks):
        if any(pd.isna(v) for v in values):
            _na_marker(ax, i, 0, horizontal=horizontal)
            continue
        end = _stack(ax, i, values, parts, horizontal)
        if horizontal:
            ax.annotate(
                _fmt_count(total),
                (end, i),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=7,
            )
        else:
            ax.annotate(
                _fmt_count(total),
                (i, end),
                xytext=(0, 1),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=8,
            )


# --------------------------------------------------------------------------------------------------------
# Rankings


def _pooled_row(rows: pd.DataFrame, name: str) -> dict:
    """Rows of a rate frame pooled into one: the sums of their numerators and denominators, the rate of
    the sums, and its Wilson interval."""
    use = rows[rows["numerator"].notna() & rows["denominator"].notna()]
    k, n = use["numerator"].sum(), use["denominator"].sum()
    value = k / n if n else np.nan
    low, high = measures.wilson(pd.Series([k]), pd.Series([n]))
    return {
        "name": name,
        "value": value,
        "numerator": k,
        "denominator": n,
        "low": low.iloc[0],
        "high": high.iloc[0],
        "is_small_n": n < SMALL_N,
        "pooled": True,
    }


def _ranking_rows(ranked: pd.DataFrame, by: str, top: int, lang: str) -> tuple[list[dict], list[str]]:
    """What a ranking draws, in order: the first ``top`` ranked rows, the other ranked rows pooled in one,
    then the unranked rows with a value (small N) one by one, or pooled when there are more than
    :data:`MAX_UNRANKED`; rows with no value are named in the caption, not drawn."""
    several_years = "year" in ranked.columns and ranked["year"].nunique() > 1 and by != "year"

    def name(rec) -> str:  # one agency's reports of several years are told apart by their year
        return f"{rec[by]} {int(rec['year'])}" if several_years and pd.notna(rec["year"]) else str(rec[by])

    has_rank = ranked["rank"].notna()
    ranked_rows, unranked = ranked[has_rank], ranked[~has_rank & ranked["value"].notna()]
    rows = []
    for _, rec in ranked_rows.head(top).iterrows():
        tie = "=" if _true(rec["tied"]) else ""
        rows.append({**rec.to_dict(), "name": f"{int(rec['rank'])}{tie}. {name(rec)}", "pooled": False})
    others = ranked_rows.iloc[top:]
    if len(others) == 1:
        rec = others.iloc[0]
        rows.append({**rec.to_dict(), "name": f"{int(rec['rank'])}. {name(rec)}", "pooled": False})
    elif len(others):
        first, last = int(others["rank"].min()), int(others["rank"].max())
        rows.append(_pooled_row(others, text("rest_ranked", lang, n=len(others), first=first, last=last)))
    if len(unranked) > MAX_UNRANKED:
        rows.append(
            _pooled_row(unranked, text("unranked_pooled", lang, n=len(unranked))) | {"is_small_n": True}
        )
    else:
        rows += [
            {**rec.to_dict(), "name": f"– {name(rec)}", "pooled": False} for _, rec in unranked.iterrows()
        ]
    no_value = ranked[ranked["value"].isna()]
    names = [
        f"{a} {'' if pd.isna(y) else int(y)}".strip()
        for a, y in zip(no_value[by], no_value.get("year", pd.Series([pd.NA] * len(no_value))), strict=False)
    ]
    return rows, names


def ranking_chart(
    rates: pd.DataFrame,
    measure: str,
    lang: str = "zh",
    by: str = "agency",
    ascending: bool = False,
    top: int = TOP_N,
) -> Figure:
    """Agencies ranked on one rate, with 95 % Wilson intervals; equal ranks marked "="; small-N rows
    shown hatched without a rank; the ranked rows after the ``top`` first pooled in one bar, and more than
    :data:`MAX_UNRANKED` small-N rows pooled in one; rows with no value named in the caption."""
    ranked = measures.rank(rates, measure, ascending=ascending)
    rows, no_value = _ranking_rows(ranked, by, top, lang)
    fig, axes = _new_figure(9.5, _height(len(rows)))
    ax = axes[0, 0]
    title = text("ranking", lang, measure=measures.rate_label(measure, lang))
    ax.set_title(title)
    if not rows:
        _no_data(ax, lang)
    else:
        colour = colours(RATES)[measure]
        for i, rec in enumerate(rows):
            _rate_bar(ax, i, rec, colour, horizontal=True)
        ax.set_yticks(
            range(len(rows)),
            [_wrap(r["name"], 24 if lang == "zh" else 40) for r in rows],
            fontsize=_label_size(len(rows)),
        )
        ax.set_ylim(len(rows) - 0.5, -0.5)
        _share_axis(
            ax, max(0.05, max(max(float(r["high"]), float(r["value"])) for r in rows) * 1.35), which="x"
        )
    return caption(
        fig,
        lang,
        title,
        source_text(rates.drop_duplicates("report_id"), lang),
        measures.definition(measure, lang),
        text("ranking_note", lang, order=text("ascending" if ascending else "descending", lang))
        if rows
        else "",
        text("tie_note", lang) if ranked["tied"].any() else "",
        text("pooled_rows_note", lang) if any(r["pooled"] for r in rows) else "",
        _left_out_note(no_value, lang),
    )


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
    n_agencies = coverage["agency_id"].nunique()
    if n_agencies > max_agencies:
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
        _integer_axis(ax.yaxis)
        definition = text("def_coverage_counts", lang)
    else:
        grid = coverage.pivot_table(
            index="agency_name", columns="year", values="coverage", aggfunc="first", observed=False
        )
        grid = grid.reindex(columns=years).apply(lambda col: col.astype(str).map(codes_of)).fillna(3)
        fig, axes = _new_figure(max(5.0, 0.9 * len(years) + 4), _height(len(grid), base=1.4))
        ax = axes[0, 0]
        if len(grid):
            ax.imshow(grid.to_numpy(dtype=float), cmap=cmap, vmin=-0.5, vmax=3.5, aspect="auto")
            ax.set_xticks(range(len(years)), [str(y) for y in years])
            ax.set_yticks(range(len(grid)), list(grid.index), fontsize=_label_size(len(grid)))
        else:
            _no_data(ax, lang)
        ax.grid(False)
        definition = text("def_coverage", lang)
    title = text("coverage", lang)
    ax.set_title(title)
    fig.legend(
        handles=[Patch(color=COVERAGE_COLOURS[s], label=text(s, lang)) for s in states],
        loc="outside right upper",
        frameon=False,
        fontsize=8,
    )
    source = text("coverage_source", lang, agencies=n_agencies, years=_years_text(years))
    return caption(fig, lang, title, source, definition)


# --------------------------------------------------------------------------------------------------------
# Report card


def _count_floor(ax) -> None:
    """A vertical count axis from 0, at least to 1 (all zeros would centre it on 0), whole-number ticks."""
    ax.set_ylim(0, max(1.0, ax.get_ylim()[1]))
    _integer_axis(ax.yaxis)


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
    _count_floor(ax)
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
    # below the bars: a legend right of them would run off the page's right edge
    ax.legend(
        handles=ax.get_legend().legend_handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.12),
        ncols=3,
        frameon=False,
        fontsize=7,
    )
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
    _count_floor(ax)
    title = text("report_card", lang, agency=agency)
    fig.suptitle(title, fontsize=13)
    return caption(
        fig,
        lang,
        title,
        source_text(own["reports"], lang),
        measures.definition("outcome_mix", lang),
        *(measures.definition(m, lang) for m in codes(RATES)),
        text("star_mark", lang) if "*" in " ".join(map(str, table.to_numpy().ravel())) else "",
    )


# Figures as files: one module (xxgk.analysis.figures) names and writes them; here for the notebooks.
save = figures.save
figure_name = figures.figure_name
