"""The batch runner: typed parameters, parallel runs, failures reported by notebook and cell, HTML and index."""

import html
import json
import re
from pathlib import Path

import nbformat
import pytest

import xxgk
from handmade import corpus
from xxgk.run import batch

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def _notebook(path: Path, params: str, *cells: str) -> None:
    nb = nbformat.v4.new_notebook()
    p = nbformat.v4.new_code_cell(params)
    p.metadata["tags"] = ["parameters"]
    nb.cells = [p, *(nbformat.v4.new_code_cell(c) for c in cells)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


@pytest.fixture
def suite(tmp_path):
    """Two tiny notebooks, one of which breaks in its third cell, and a parameters file."""
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    _notebook(
        nbs / "10-good.ipynb",
        'code: str = "x"  # an identifier\nn: int = 1  # a number',
        "import uuid\nprint('run', uuid.uuid4())",
        "assert isinstance(code, str) and isinstance(n, int)",
    )
    _notebook(nbs / "20-broken.ipynb", "n: int = 1  # a number", "x = n + 1", "x / 0", "print('never')")
    (nbs / "params").mkdir()
    params = nbs / "params" / "test.yml"
    params.write_text(
        "notebook_dir: ..\n"
        "defaults: {n: 5}\n"
        "runs:\n"
        "  - notebook: 10-good.ipynb\n"
        "    parameters: [{code: 0101}, {code: '0102', n: 7}]\n"
        "  - notebook: 20-broken.ipynb\n",
        encoding="utf-8",
    )
    return params


def test_identifiers_stay_strings_and_numbers_follow_the_declared_type(suite):
    runs = batch.load_runs(suite)
    assert [r.parameters for r in runs] == [{"n": 5, "code": "0101"}, {"n": 7, "code": "0102"}, {"n": 5}]
    assert [r.name for r in runs] == ["10-good__code-0101", "10-good__code-0102__n-7", "20-broken"]


def test_bad_parameters_fail_before_anything_runs(suite, tmp_path):
    suite.write_text(
        suite.read_text(encoding="utf-8") + "  - notebook: 10-good.ipynb\n    parameters: [{cod: x}]\n"
        "  - notebook: 99-missing.ipynb\n",
        encoding="utf-8",
    )
    with pytest.raises(
        ValueError, match=r"unknown parameter\(s\) \['cod'\].*99-missing.ipynb: no such notebook"
    ):
        batch.load_runs(suite)
    assert batch.main([str(suite), "--out", str(tmp_path / "out"), "--quiet"]) == 2


def test_output_names_are_unique_and_bounded():
    long = {"agency": "广州市番禺区政务服务数据管理局" * 5}
    name = batch.output_name("40-agency-profile.ipynb", long)
    assert len(name) <= batch.MAX_NAME and name.startswith("40-agency-profile__agency-")
    assert name != batch.output_name("40-agency-profile.ipynb", {"agency": long["agency"] + "x"})
    assert batch.output_name("a.ipynb", {"p": "../etc/x y"}) == "a__p-.._etc_x_y"


def test_a_broken_notebook_is_reported_and_the_others_still_run(suite, tmp_path, capsys):
    out = tmp_path / "out"
    result = batch.run_batch(suite, out, workers=2, progress=False)
    assert not result.ok
    assert [r.name for r in result.results if r.ok] == ["10-good__code-0101", "10-good__code-0102__n-7"]
    [failed] = result.failures
    assert failed.notebook == "20-broken.ipynb"
    assert failed.failure.ename == "ZeroDivisionError"
    assert failed.failure.source.strip() == "x / 0"
    # papermill inserts the injected-parameters cell after the parameters cell: "x / 0" is cell 3
    assert failed.failure.cell == 3
    assert "20-broken" in result.summary() and "x / 0" in result.summary()
    # every run has its executed notebook and its HTML (the failed one too), and the index links them all
    for r in result.results:
        assert r.ipynb.exists() and r.html.exists()
    index = result.index.read_text(encoding="utf-8")
    assert (
        index.count("<tr class=") == 3
        and index.count('<tr class="failed"') == 1
        and "20-broken.html" in index
    )
    assert json.loads((out / "batch.json").read_text(encoding="utf-8"))["runs"][2]["ok"] is False
    # the command line exits non-zero and names the notebook and cell
    assert batch.main([str(suite), "--out", str(out), "--workers", "1", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "FAILED 20-broken" in err and "cell 3" in err and "ZeroDivisionError" in err


def test_html_is_rendered_from_the_executed_notebook(suite, tmp_path):
    result = batch.run_batch(suite, tmp_path / "out", workers=1, progress=False)
    good = result.results[0]
    executed = nbformat.read(good.ipynb, as_version=4)
    printed = executed.cells[2].outputs[0]["text"].strip()  # "run <uuid>" of this execution
    assert printed.startswith("run ") and printed in good.html.read_text(encoding="utf-8")


def test_a_real_notebook_runs_on_given_data_and_shows_charts(tmp_path):
    data = tmp_path / "data"
    xxgk.write_tables(corpus(), data)
    params = tmp_path / "real.yml"
    params.write_text(
        f"notebook_dir: {NOTEBOOKS}\ndefaults: {{data_dir: '{data}', lang: en}}\nruns:\n"
        "  - notebook: 50-yearly-analysis.ipynb\n    parameters: [{year: 2021}]\n",
        encoding="utf-8",
    )
    result = batch.run_batch(params, tmp_path / "out", workers=1, progress=False)
    assert result.ok, result.summary()
    nb = nbformat.read(result.results[0].ipynb, as_version=4)
    images = [o for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(images) >= 5  # the charts are shown as PNG, not as "<Figure size …>"
    stderr = [o for c in nb.cells for o in c.get("outputs", []) if o.get("name") == "stderr"]
    assert not any("Glyph" in "".join(o["text"]) for o in stderr)
    # the page has the English headings and none of the Chinese; rendered in Chinese, the other way round
    prose = {
        lang: [c.source.split("\n")[0].lstrip("# ") for c in nb.cells if lang in c.metadata.get("tags", [])]
        for lang in ("zh", "en")
    }
    en = result.results[0].html.read_text(encoding="utf-8")
    zh = batch.render_html(result.results[0].ipynb, tmp_path / "out" / "zh.html", lang="zh").read_text(
        encoding="utf-8"
    )
    for lang, page, other in (("en", en, "zh"), ("zh", zh, "en")):
        assert all(html.escape(text, quote=False) in page for text in prose[lang])
        assert not any(html.escape(text, quote=False) in page for text in prose[other])
    # no page loads anything from the network (src/href to http(s), or a protocol-relative //host)
    pages = sorted((tmp_path / "out").glob("*.html"))
    assert len(pages) == 3
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert not re.findall(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", text, flags=re.I), page.name
        assert not re.findall(r"""@import\s+(?:url\()?["']?https?://""", text, flags=re.I), page.name


# --------------------------------------------------------------------------------------------------------
# for_each, figures, languages, the index, a quiet terminal (issue 13 §6–§7)


@pytest.fixture
def data(tmp_path):
    folder = tmp_path / "data"
    xxgk.write_tables(corpus(), folder)
    return folder


def _params(tmp_path: Path, nbs: Path, data: Path, runs: str) -> Path:
    params = tmp_path / "each.yml"
    params.write_text(
        f"notebook_dir: {nbs}\ndefaults: {{data_dir: '{data}'}}\nruns:\n{runs}", encoding="utf-8"
    )
    return params


def test_for_each_expands_from_the_parsed_tables(tmp_path, data):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    _notebook(
        nbs / "40-one.ipynb",
        'data_dir: str = ""  # data\nagency: str = "x"  # an agency\nlang: str = "zh"  # l',
    )
    _notebook(
        nbs / "50-year.ipynb", 'data_dir: str = ""  # data\nyear: int = 2021  # a year\nlang: str = "zh"  # l'
    )
    params = _params(
        tmp_path,
        nbs,
        data,
        "  - {notebook: 40-one.ipynb, for_each: agency}\n"
        "  - {notebook: 40-one.ipynb, for_each: agency, min_years: 2, parameters: [{lang: en}]}\n"
        "  - {notebook: 50-year.ipynb, for_each: year}\n",
    )
    names = [r.name for r in batch.load_runs(params)]
    assert names == [
        "40-one__agency-乙局",
        "40-one__agency-甲局",
        "40-one__agency-甲局__lang-en",
        "50-year__year-2021",
        "50-year__year-2022",
    ]
    assert batch.load_runs(params)[-1].parameters["year"] == 2022  # typed like any other value
    # what is wrong is said before anything runs: a key no run takes, a condition of the other for_each,
    # a parameter the notebook lacks, something for_each cannot go over
    for bad, words in [
        ("  - {notebook: 50-year.ipynb, for_eech: year}\n", r"unknown key\(s\) \['for_eech'\]"),
        (
            "  - {notebook: 50-year.ipynb, for_each: year, min_years: 2}\n",
            r"unknown key\(s\) \['min_years'\]",
        ),
        ("  - {notebook: 50-year.ipynb, for_each: agency}\n", "needs a parameter 'agency'"),
        ("  - {notebook: 50-year.ipynb, for_each: month}\n", "use one of"),
    ]:
        with pytest.raises(ValueError, match=words):
            batch.load_runs(_params(tmp_path, nbs, data, bad))


def test_the_sample_batch_names_no_agency_and_no_year():
    spec = (NOTEBOOKS / "params" / "sample.yml").read_text(encoding="utf-8")
    runs = batch.load_runs(NOTEBOOKS / "params" / "sample.yml")
    years = sorted({r.parameters["year"] for r in runs if "year" in r.parameters})
    agencies = {r.parameters["agency"] for r in runs if "agency" in r.parameters}
    assert agencies and years
    assert not any(a in spec for a in agencies)
    assert [y for y in years if str(y) in spec] == [2024]  # only the English 2024 run
    assert any(r.parameters.get("lang") == "en" and r.parameters.get("year") == 2024 for r in runs)


def test_figures_the_kernel_saves_are_linked_from_the_index(tmp_path, data, capfd):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    _notebook(
        nbs / "10-fig.ipynb",
        'data_dir: str = ""  # data\nlang: str = "en"  # language',
        "import os, pathlib\nfolder = pathlib.Path(os.environ['XXGK_FIGURES_DIR'])\n"
        "for ext in ('svg', 'pdf', 'png'):\n    (folder / f'volumes-1.{ext}').write_text('x')",
        "1 / 0",  # a failing run: its kernel used to log a KeyboardInterrupt when shut down
    )
    _notebook(
        nbs / "20-ok.ipynb", 'data_dir: str = ""  # data\nlang: str = "zh"  # language', "print('fine')"
    )
    params = _params(tmp_path, nbs, data, "  - notebook: 10-fig.ipynb\n  - notebook: 20-ok.ipynb\n")
    out = tmp_path / "out"
    (out / "figures" / "20-ok").mkdir(parents=True)
    (out / "figures" / "20-ok" / "by-year.svg").write_text("<svg/>")  # files made before the hook lands
    (out / "panel.xlsx").write_bytes(b"x")
    (out / "panel.tmp").write_bytes(b"x")
    result = batch.run_batch(params, out, workers=2, progress=False)
    assert [r.ok for r in result.results] == [False, True]
    assert sorted(p.name for p in (out / "figures" / "10-fig").iterdir()) == [
        "volumes-1.pdf",
        "volumes-1.png",
        "volumes-1.svg",
    ]
    index = result.index.read_text(encoding="utf-8")
    for link in (
        "figures/10-fig/volumes-1.svg",
        "figures/10-fig/volumes-1.pdf",
        "figures/10-fig/volumes-1.png",
    ):
        assert f'href="{link}"' in index
    assert 'href="figures/20-ok/by-year.svg"' in index and 'href="panel.xlsx"' in index
    assert "panel.tmp" not in index
    assert xxgk.__version__ in index and str(data) in index
    assert xxgk.output.files.run_of(data / "reports.parquet")["written"] in index  # when the data was parsed
    # nothing on the terminal from the kernels: no TCP warning, no KeyboardInterrupt at shutdown
    err = capfd.readouterr().err
    assert "without encryption" not in err and "KeyboardInterrupt" not in err


def _bilingual(path: Path) -> None:
    """A notebook with a zh and an en description, a code cell and a zh/en section."""
    nb = nbformat.v4.new_notebook()
    p = nbformat.v4.new_code_cell('lang: str = "zh"  # language')
    p.metadata["tags"] = ["parameters"]
    cells = [
        ("zh", "# 样例\n\n这是中文说明。"),
        ("en", "# Sample\n\nThis is the English description."),
        (None, "print(lang)"),
        ("zh", "## 中文小节"),
        ("en", "## English section"),
    ]
    nb.cells = [p]
    for tag, text in cells:
        cell = nbformat.v4.new_code_cell(text) if tag is None else nbformat.v4.new_markdown_cell(text)
        if tag:
            cell.metadata["tags"] = [tag]
        nb.cells.append(cell)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def test_pages_keep_the_prose_of_their_language_and_no_code(tmp_path):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    _bilingual(nbs / "10-two.ipynb")
    params = tmp_path / "two.yml"
    params.write_text(
        f"notebook_dir: {nbs}\nruns:\n  - notebook: 10-two.ipynb\n    parameters: [{{lang: zh}}, {{lang: en}}]\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert batch.main([str(params), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    zh = (out / "10-two__lang-zh.html").read_text(encoding="utf-8")
    en = (out / "10-two__lang-en.html").read_text(encoding="utf-8")
    assert "这是中文说明" in zh and "中文小节" in zh and "English" not in zh
    assert "English description" in en and "English section" in en and "中文" not in en
    assert 'class="nb">print<' not in zh and 'prompt">In' not in zh  # no code cells, no prompts
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "这是中文说明。" in index and "This is the English description." in index  # each in its own
    # --show-code keeps the code and its prompts
    assert batch.main([str(params), "--out", str(out), "--workers", "1", "--quiet", "--show-code"]) == 0
    zh = (out / "10-two__lang-zh.html").read_text(encoding="utf-8")
    assert 'class="nb">print<' in zh and 'prompt">In' in zh and "English" not in zh


def test_render_takes_the_language_the_notebook_ran_in(tmp_path):
    _bilingual(tmp_path / "two.ipynb")
    nb = nbformat.read(tmp_path / "two.ipynb", as_version=4)
    assert batch.notebook_lang(nb) == "zh"  # the parameters cell's default
    nb.metadata["papermill"] = {"parameters": {"lang": "en"}}
    assert batch.notebook_lang(nb) == "en"  # as papermill injected it
    nbformat.write(nb, tmp_path / "two.ipynb")
    page = batch.render_html(tmp_path / "two.ipynb", tmp_path / "two.html").read_text(encoding="utf-8")
    assert "English description" in page and "中文说明" not in page
