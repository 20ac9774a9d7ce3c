"""Charts: Chinese renders (no missing glyphs), order and colours from the codes, NA and small N visible."""

import subprocess
import sys
import warnings

import matplotlib
import pandas as pd
import pytest
import seaborn as sns
from matplotlib import font_manager
from matplotlib.figure import Figure

from handmade import corpus
from xxgk.analysis import measures, plotting
from xxgk.contract.codes import OUTCOME_GROUPS, ROW_GROUPS, label


@pytest.fixture
def tables():
    return corpus()


CHARTS = {
    "volumes": lambda t, lang: plotting.volumes_chart(t, lang),
    "volumes_by_agency": lambda t, lang: plotting.volumes_chart(t, lang, by="agency"),
    "heatmap": lambda t, lang: plotting.volume_heatmap(t, lang),
    "applicants": lambda t, lang: plotting.applicant_mix_chart(t, lang),
    "outcomes": lambda t, lang: plotting.outcome_mix_chart(t, lang, by="agency"),
    "reasons": lambda t, lang: plotting.reasons_chart(t, lang),
    "rates": lambda t, lang: plotting.rates_chart(t, lang),
    "reviews": lambda t, lang: plotting.reviews_chart(t, lang),
    "ranking": lambda t, lang: plotting.ranking_chart(measures.rates(t), "substantive_disclosure_rate", lang),
    "report_card": lambda t, lang: plotting.report_card(t, "甲局", lang),
}


def _texts(fig):
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text)]


def test_importing_the_module_leaves_matplotlib_as_it_was():
    """A library must not restyle its user's charts on import; plotting.theme() does it when asked."""
    code = (
        "import matplotlib\n"
        "from matplotlib import font_manager\n"
        "before = dict(matplotlib.rcParams); fonts = len(font_manager.fontManager.ttflist)\n"
        "import xxgk.analysis.plotting\n"
        "changed = sorted(k for k, v in matplotlib.rcParams.items() if before[k] != v)\n"
        "assert not changed, changed\n"
        "assert len(font_manager.fontManager.ttflist) == fonts, 'a font was registered on import'\n"
        "xxgk.analysis.plotting.theme()\n"
        "assert matplotlib.rcParams['font.sans-serif'] != before['font.sans-serif'], 'the check can fail'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_cjk_font_is_registered_and_chosen():
    plotting.theme()
    assert plotting.FONT_FAMILY in {f.name for f in font_manager.fontManager.ttflist}
    assert matplotlib.rcParams["font.sans-serif"][0] == plotting.FONT_FAMILY
    path = font_manager.findfont(
        font_manager.FontProperties(family=["sans-serif"]), fallback_to_default=False
    )
    assert "NotoSansCJK" in path


def test_theme_is_idempotent():
    plotting.theme()
    settings, fonts = dict(matplotlib.rcParams), len(font_manager.fontManager.ttflist)
    plotting.theme()
    assert dict(matplotlib.rcParams) == settings
    assert len(font_manager.fontManager.ttflist) == fonts


def test_theme_survives_seaborns_reset():
    sns.set_theme()  # resets the font family, as a notebook might
    assert matplotlib.rcParams["font.sans-serif"][0] != plotting.FONT_FAMILY
    plotting.theme()
    assert matplotlib.rcParams["font.sans-serif"][0] == plotting.FONT_FAMILY


def test_a_chart_applies_the_theme_when_nobody_did(tables, tmp_path, monkeypatch):
    with matplotlib.rc_context():
        matplotlib.rcdefaults()  # matplotlib as a fresh process has it: a Latin-only font
        monkeypatch.setattr(plotting, "_themed", False)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            plotting.outcome_mix_chart(tables, "zh").savefig(tmp_path / "chart.png")
        assert matplotlib.rcParams["font.sans-serif"][0] == plotting.FONT_FAMILY
        assert not [w for w in caught if "Glyph" in str(w.message)]
        matplotlib.rcParams["font.size"] = 7  # the caller's own setting after the first chart is kept
        plotting.outcome_mix_chart(tables, "zh")
        assert matplotlib.rcParams["font.size"] == 7


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", list(CHARTS))
def test_chart_draws_without_missing_glyphs(tables, tmp_path, name, lang):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = CHARTS[name](tables, lang)
        assert isinstance(fig, Figure)
        fig.savefig(tmp_path / f"{name}.png")
    glyphs = [
        str(w.message) for w in caught if "Glyph" in str(w.message) or "missing from font" in str(w.message)
    ]
    assert glyphs == []
    assert (tmp_path / f"{name}.png").stat().st_size > 5000


def test_a_missing_glyph_would_be_caught(tmp_path):
    """The warning check above can fail: with a Latin-only font, Chinese text warns."""
    matplotlib.rcParams["font.sans-serif"] = ["DejaVu Sans"]
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fig = Figure()
            fig.text(0.5, 0.5, "予以公开")
            fig.savefig(tmp_path / "boxes.png")
        assert any("Glyph" in str(w.message) for w in caught)
    finally:
        plotting.theme()


def test_labels_follow_lang_and_the_codes(tables):
    zh = _texts(plotting.outcome_mix_chart(tables, "zh"))
    en = _texts(plotting.outcome_mix_chart(tables, "en"))
    assert label("denied", ROW_GROUPS, "zh") in zh and label("denied", ROW_GROUPS, "en") in en


def test_outcome_order_and_colours_come_from_the_codes(tables):
    fig = plotting.outcome_mix_chart(tables, "en")
    legend = fig.axes[0].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == [label(g, ROW_GROUPS, "en") for g in OUTCOME_GROUPS]
    colours = plotting.colours(ROW_GROUPS)
    for handle, group in zip(legend.legend_handles, OUTCOME_GROUPS, strict=False):
        assert matplotlib.colors.to_rgb(handle.get_facecolor()) == pytest.approx(colours[group])


def test_na_is_drawn_as_missing_not_zero(tables):
    # 乙局 has no table 四, and 2022 has no litigation: "NA" where the bar would be
    texts = _texts(plotting.reviews_chart(tables, "en"))
    assert "NA" in texts
    fig = plotting.volume_heatmap(tables, "en")  # 乙局 has no 2022 report: no report, not a missing number
    assert plotting.NO_REPORT in _texts(fig) and "NA" not in _texts(fig)
    assert plotting.text("no_report_mark", "en") in _texts(fig)
    rq = tables["requests"]
    rq.loc[(rq["report_id"] == "b2021") & (rq["row_code"] == "new_received"), "count"] = pd.NA
    assert "NA" in _texts(plotting.volume_heatmap(tables, "en"))  # 乙局 2021 lacks the number


def test_rates_are_annotated_with_counts_and_small_n_hatched(tables):
    fig = plotting.ranking_chart(measures.rates(tables), "substantive_disclosure_rate", "en")
    texts = _texts(fig)
    assert "62.5% (25/40)" in texts and "50.0% (5/10)" in texts
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["1. 甲局 2022", "2. 甲局 2021", "– 乙局 2021"]  # 乙局's 10 requests: shown, not ranked
    hatched = [p for p in fig.axes[0].patches if p.get_hatch()]
    assert len(hatched) == 1


def test_reasons_chart_shows_count_and_share(tables):
    texts = _texts(plotting.reasons_chart(tables, "en"))
    assert "2 (22.2%)" in texts  # third-party refusals: 2 of the 9 refusals pooled over a2021 and a2022
