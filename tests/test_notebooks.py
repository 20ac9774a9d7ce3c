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
