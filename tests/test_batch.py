"""The batch runner: typed parameters, parallel runs, failures reported by notebook and cell, HTML and index."""

import json
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
