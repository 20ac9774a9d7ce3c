"""Issue 13 §3: figures as files — one name helper, SVG + PDF + 300-dpi PNG with the caption inside and
the CJK font carried by the file, and the hook that saves every figure a notebook displays."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from PIL import Image

import xxgk
from handmade import corpus
from xxgk.analysis import figures, plotting
from xxgk.analysis.figures import caption_of, figure_name

TESTS = Path(__file__).resolve().parent


@pytest.mark.parametrize(
    "title",
    [
        "申请数量",
        "申请人构成 · 一、本年新收政府信息公开申请数量",
        "Who asked: New requests",
        'a/b\\c:d*e?f"g<h>i|j',
        "",
    ],
)
def test_a_figure_name_is_stable_safe_and_short(title):
    name = figure_name(title)
    assert name == figure_name(title)  # stable
    assert re.fullmatch(r"[\w-]+", name) and not name.startswith("-") and not name.endswith("-")
    assert len(name) <= figures.MAX_NAME
    assert not set(name) & set('/\\:*?"<>| ')


def test_a_figure_name_keeps_chinese_and_numbers_in_display_order():
    assert figure_name("申请数量") == "申请数量"
    assert figure_name("申请数量", 7) == "07-申请数量"
    fig = plotting.volumes_chart(corpus(), balanced=False)
    assert figure_name(fig) == figure_name(plotting.text("volumes")) == "申请数量"
    assert figure_name(fig, 1) != figure_name(fig, 2)  # one title twice in a run: two names


def _pdf_text(path: Path) -> str:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(path))
    try:
        return "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()


def _flat(s: str) -> str:
    return re.sub(r"\s+", "", s)


def test_save_writes_svg_pdf_and_a_300_dpi_png_with_the_caption_and_the_font_inside(tmp_path):
    fig = plotting.rates_chart(corpus(), by="agency")
    words = caption_of(fig)
    assert "来源" in words and "实质公开率" in words
    paths = plotting.save(fig, tmp_path, figure_name(fig))
    assert [p.suffix for p in paths] == [".svg", ".pdf", ".png"] and all(p.exists() for p in paths)
    svg, pdf, png = paths
    # PNG: 300 dpi, and the whole figure with its caption band (a tight box cuts only blank margins)
    with Image.open(png) as image:
        assert image.info["dpi"] == pytest.approx((300, 300), abs=0.5)
        assert image.height >= 0.9 * fig.get_figheight() * 300
        assert image.text["Description"] == words
    # PDF: the caption's words are text in the page (searchable), set in an embedded font subset
    data = pdf.read_bytes()
    # the glyphs travel with the file (it renders without the font installed): every font is embedded, and
    # the CJK one as a subset (a six-letter tag before its name)
    assert data.count(b"/Type /FontDescriptor") == len(re.findall(rb"/FontFile\d?", data)) > 0
    assert re.search(rb"/BaseFont /[A-Z]{6}\+NotoSansCJK", data)
    assert _flat("实质公开率 = (予以公开 + 部分公开) / 办理结果总计") in _flat(_pdf_text(pdf))
    assert _flat(plotting.source_text(corpus()["reports"])) in _flat(_pdf_text(pdf))
    # SVG: text drawn as paths (no font needed), the caption's words in its metadata
    text = svg.read_text(encoding="utf-8")
    assert "<text" not in text and "font-family" not in text
    assert words in text


def test_the_same_figure_gives_the_same_files(tmp_path):
    """No date or random id in the files: a rerun changes nothing that did not change."""
    first = plotting.save(plotting.outcome_mix_chart(corpus()), tmp_path / "a", "x")
    second = plotting.save(plotting.outcome_mix_chart(corpus()), tmp_path / "b", "x")
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.suffix


def test_without_the_variable_nothing_is_saved(monkeypatch, tmp_path):
    monkeypatch.delenv(figures.FIGURES_DIR, raising=False)
    assert figures.save_displayed(plotting.outcome_mix_chart(corpus())) == []
    monkeypatch.setenv(figures.FIGURES_DIR, str(tmp_path / "figs"))
    saved = figures.save_displayed(plotting.outcome_mix_chart(corpus()))
    assert len(saved) == 3 and re.fullmatch(r"\d\d-办理结果构成\.svg", saved[0].name)


def test_a_notebook_run_saves_every_figure_it_displays(monkeypatch, tmp_path):
    """A tiny notebook, run in a real kernel with XXGK_FIGURES_DIR set: the charts it returns and a pyplot
    figure shown by the inline backend are saved, numbered in display order, three files each."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    folder = tmp_path / "figures"
    monkeypatch.setenv(figures.FIGURES_DIR, str(folder))
    # the kernel imports the xxgk under test (a relative PYTHONPATH would not survive its working folder)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(Path(xxgk.__file__).parents[1]), str(TESTS)]))
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "from handmade import corpus\nfrom xxgk.analysis import plotting\nplotting.theme()"
        ),
        nbformat.v4.new_code_cell("plotting.outcome_mix_chart(corpus())"),
        nbformat.v4.new_code_cell("print('no figure here')"),
        nbformat.v4.new_code_cell(
            "import matplotlib.pyplot as plt\nplt.plot([1, 2], [3, 4])\nplt.title('线图')\nplt.show()"
        ),
        nbformat.v4.new_code_cell("plotting.volumes_chart(corpus(), balanced=False)"),
    ]
    client = nbclient.NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": TESTS}}
    )
    client.execute()
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(
        f"{stem}.{fmt}" for stem in ("01-办理结果构成", "02-线图", "03-申请数量") for fmt in figures.FORMATS
    )
    # the notebook's own output is untouched: one PNG per figure, nothing of the hook's type
    shown = [o for c in nb.cells for o in c.get("outputs", []) if "data" in o]
    assert all(figures._HOOK_MIME not in o["data"] for o in shown)
    assert sum("image/png" in o["data"] for o in shown) == 3
    with Image.open(folder / "03-申请数量.png") as image:
        assert image.info["dpi"] == pytest.approx((300, 300), abs=0.5)
