"""The package layout: subpackages follow the data, and imports point one way (README, "Layout").

file → read → parse → validate → output → analysis → run; contract is below them all and testing above.
A module may import from its own layer or a lower one, never a higher one: a reader of the tree can then
follow the data from the folder names, and the notebooks' helpers never drag the parser or PDF engine in.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import xxgk

PACKAGE = Path(xxgk.__file__).resolve().parent
LAYERS = ("contract", "read", "parse", "validate", "output", "analysis", "run", "testing")
#: The one upward import: `xxgk score` (a command for measuring the parser) imports the scorer inside its
#: subcommand, so the runtime path never loads test tooling.
ALLOWED_UPWARD = {("run/cli.py", "xxgk.testing.score.score_files")}


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every xxgk module a file imports (at any depth: lazy imports count too), with its line."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("xxgk"):
            found += [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("xxgk")]
    return found


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


def test_every_module_lives_in_a_layer():
    # the facade (__init__.py) and `python -m xxgk` (__main__.py, the command line) belong to no layer
    loose = [p.name for p in PACKAGE.glob("*.py") if p.name not in ("__init__.py", "__main__.py")]
    assert loose == [], f"modules outside the subpackages: {loose} (README, Layout)"


def test_imports_point_one_way():
    wrong = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).as_posix()
        own = rel.split("/")[0]
        if own not in LAYERS:
            continue  # xxgk/__init__.py: the public facade re-exports from every layer
        for line, module in _imports(path):
            target = _layer(module)
            if target is None:
                wrong.append(f"{rel}:{line} imports {module} (the facade, not a layer)")
            elif LAYERS.index(target) > LAYERS.index(own) and (rel, module) not in ALLOWED_UPWARD:
                wrong.append(f"{rel}:{line} ({own}) imports {module} ({target})")
    assert wrong == [], "imports against the data flow:\n" + "\n".join(wrong)


def test_the_layer_check_sees_a_wrong_import(tmp_path):
    # The check above must be able to fail: an upward import in a file of a lower layer is found.
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from xxgk.run.pipeline import parse\n", encoding="utf-8")
    assert [_layer(m) for _, m in _imports(bad)] == ["run"]


def test_the_notebook_helpers_do_not_load_the_parser_engines():
    # Notebooks import xxgk.analysis; a kernel should not pay for (or need) the PDF engine.
    code = (
        "import sys, xxgk.analysis.corpus, xxgk.analysis.measures, xxgk.analysis.plotting\n"
        "print(sorted(m for m in sys.modules if m.startswith(('pypdfium2', 'xxgk.read.pdf', 'lxml'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_python_m_xxgk_is_the_command():
    out = subprocess.run(
        [sys.executable, "-m", "xxgk", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert out.startswith("usage: xxgk") and "parse" in out and "batch" in out
