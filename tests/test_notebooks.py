"""The committed notebooks stay thin, typed and free of outputs (the rules of notebooks/README.md).

Running them is nbval's job: `pytest --nbval-lax notebooks/`.
"""

import ast
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def _code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def test_the_suite_is_there():
    assert [p.stem[:2] for p in NOTEBOOKS] == ["00", "10", "20", "30", "40", "50", "60", "70"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in _code_cells(nb):
        assert cell.outputs == [] and cell.execution_count is None, (
            f"{path.name}: strip outputs (jupyter nbconvert --clear-output --inplace notebooks/*.ipynb)"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_one_typed_parameters_cell(path):
    import papermill  # here: the pre-commit hook runs the output check with pytest and nbformat only

    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assigned = [n.target.id for n in ast.parse(tagged[0].source).body if isinstance(n, ast.AnnAssign)]
    others = [n for n in ast.parse(tagged[0].source).body if not isinstance(n, ast.AnnAssign)]
    assert others == [], "the parameters cell holds only typed assignments"
    # papermill reads every parameter with its type and comment (a '=' in a comment would break that)
    inspected = papermill.inspect_notebook(str(path))
    assert list(inspected) == assigned
    assert all(p["inferred_type_name"] != "None" and p["help"] for p in inspected.values())
    assert "data_dir" in inspected and "lang" in inspected


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_thin_no_def_class_regex(path):
    nb = nbformat.read(path, as_version=4)
    for cell in _code_cells(nb):
        tree = ast.parse(cell.source)
        for node in ast.walk(tree):
            assert not isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Lambda)), cell.source
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                module = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
                assert module.split(".")[0] == "xxgk", f"{path.name} imports {module}: use the library"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_asserts_invariants(path):
    nb = nbformat.read(path, as_version=4)
    assert any(isinstance(n, ast.Assert) for c in _code_cells(nb) for n in ast.walk(ast.parse(c.source)))


def _cjk_share(text: str) -> float:
    """The share of CJK characters among the letters of a text (markdown and code words count as letters)."""
    letters = [ch for ch in text if ch.isalpha()]
    return sum("\u4e00" <= ch <= "\u9fff" for ch in letters) / max(1, len(letters))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_prose_in_both_languages_cell_by_cell(path):
    nb = nbformat.read(path, as_version=4)
    cells = nb.cells
    prose = [i for i, c in enumerate(cells) if c.cell_type == "markdown"]
    langs = [sorted(set(cells[i].metadata.get("tags", [])) & {"zh", "en"}) for i in prose]
    assert all(len(tag) == 1 for tag in langs), f"{path.name}: tag every markdown cell zh or en, once"
    # each passage twice, side by side: a zh cell, then its en twin at the same heading level
    assert [t[0] for t in langs] == ["zh", "en"] * (len(prose) // 2)
    for zh, en in zip(prose[::2], prose[1::2], strict=True):
        assert en == zh + 1, f"{path.name}: the en twin follows its zh cell"
        level = [cells[i].source.split(" ")[0] for i in (zh, en)]
        assert level[0] == level[1] and level[0].strip("#") == ""
        assert _cjk_share(cells[zh].source) > 0.6, cells[zh].source  # written in Chinese
        assert _cjk_share(cells[en].source) < 0.2, cells[en].source  # English, naming a few terms
    # the notebook opens with its description, in both languages (the index shows it)
    assert prose[:2] == [0, 1] and all("\n\n" in cells[i].source for i in (0, 1))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_parameter_is_checked_in_the_cell_after_the_parameters(path):
    import papermill

    nb = nbformat.read(path, as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    check = ast.parse(nb.cells[at + 1].source).body
    assert len(check) == 1 and isinstance(check[0], ast.Assign)
    call = check[0].value
    assert ast.unparse(call.func) == "parameters.check" and not call.args
    assert {k.arg: ast.unparse(k.value) for k in call.keywords} == {
        name: name for name in papermill.inspect_notebook(str(path))
    }
    # later cells read the checked values (p.lang, p.years …), never the raw parameters
    later = "\n".join(c.source for c in nb.cells[at + 2 :] if c.cell_type == "code")
    names = {n.id for n in ast.walk(ast.parse(later)) if isinstance(n, ast.Name)}
    assert not names & set(papermill.inspect_notebook(str(path)))
