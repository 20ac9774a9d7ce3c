"""The package installs what it imports: the project with its core dependencies only, in a clean venv.

`pip install xxgk` (no extra) must give a working ``import xxgk``, ``xxgk --help`` and ``xxgk parse``
(text and PDF), ship its package data, and make ``xxgk batch`` name the extra it needs. The project is
copied (pyproject.toml, README.md, setup.py, MANIFEST.in, lib/), made into a source distribution and
installed from it, as pip installs a release where no wheel fits, never from requirements or PYTHONPATH:
an import of an undeclared dependency, or a file the sdist lacks, fails here.

uv installs from its cache when it can (offline, a few seconds) and from the index otherwise. Without a
network and without a cache the test is skipped, saying so, except in CI (``CI`` set; ``.ci/run`` sets
it), where that is a failure.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from conftest import RAW, ROOT

pytestmark = pytest.mark.packaging

#: What uv prints when it cannot reach the index (as opposed to a resolution or build error).
NETWORK_ERRORS = (
    "dns error",
    "failed to lookup address",
    "network is unreachable",
    "connection refused",
    "error sending request",
    "failed to fetch",
    "operation timed out",
    "tcp connect error",
)
#: Modules only an extra installs: none may be importable in the clean venv.
EXTRA_MODULES = ("yaml", "papermill", "nbconvert", "matplotlib", "seaborn", "mpl_font", "pytest")


def _uv() -> str:
    beside = Path(sys.executable).with_name("uv")
    found = str(beside) if beside.exists() else shutil.which("uv")
    if not found:
        pytest.fail("uv is not installed: pip install -e '.[test]' (it is in the test extra)")
    return found


def _env() -> dict[str, str]:
    """This environment without what would let the clean venv see the source tree or another venv."""
    drop = {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "CONDA_PREFIX", "UV_PYTHON", "PYTHONSTARTUP"}
    return {k: v for k, v in os.environ.items() if k not in drop}


def _run(*args, cwd=None, check=True) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=_env(), capture_output=True, text=True, timeout=300
    )
    if check and done.returncode != 0:
        pytest.fail(f"{' '.join(map(str, args))} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done


def _cached_or_fetched(*command) -> None:
    """Run a uv command from uv's cache if it has all it needs, else with the index."""
    if _run(*command, "--offline", check=False).returncode == 0:
        return
    done = _run(*command, check=False)
    if done.returncode == 0:
        return
    offline = any(e in done.stderr.lower() for e in NETWORK_ERRORS)
    if offline and not os.environ.get("CI"):
        pytest.skip(f"no network and no cached wheels for the build: {done.stderr.strip()[-300:]}")
    pytest.fail(f"{' '.join(map(str, command))} failed:\n{done.stderr}")


def _install(uv: str, python: Path, source: Path) -> None:
    """The project, as its source distribution (what `pip install xxgk` builds from where no wheel fits),
    and its core dependencies."""
    _cached_or_fetched(uv, "build", "--sdist", "--quiet", "--out-dir", source / "dist", source)
    (sdist,) = (source / "dist").glob("xxgk-*.tar.gz")
    _cached_or_fetched(uv, "pip", "install", "--quiet", "--python", python, sdist)


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("packaging")
    source = tmp / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "setup.py", "MANIFEST.in"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "lib", source / "lib", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    uv = _uv()
    _run(uv, "venv", "--quiet", "--python", sys.executable, tmp / "venv")
    _install(uv, tmp / "venv" / "bin" / "python", source)
    return tmp / "venv"


def test_import_gives_the_version_of_the_metadata(venv):
    code = "import xxgk; print(xxgk.__version__); print(xxgk.__file__)"
    version, location = _run(venv / "bin" / "python", "-c", code, cwd=venv).stdout.split()
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert version == declared
    assert Path(location).is_relative_to(venv), "imported from the source tree, not the installed package"


def test_only_the_core_is_installed_and_every_module_but_plotting_imports(venv):
    code = (
        "import importlib, importlib.util, pkgutil, xxgk\n"
        f"extra = [m for m in {EXTRA_MODULES!r} if importlib.util.find_spec(m)]\n"
        "assert not extra, f'an extra is installed: {extra}'\n"
        "for m in pkgutil.walk_packages(xxgk.__path__, 'xxgk.'):\n"
        "    if m.name != 'xxgk.analysis.plotting':\n"
        "        importlib.import_module(m.name)\n"
    )
    _run(venv / "bin" / "python", "-c", code, cwd=venv)


def test_the_pdf_core_is_compiled_where_there_is_a_compiler(venv):
    """setup.py builds xxgk.read._pdfcore (optional: without a compiler the install still works, in pure
    Python, as tests/test_pdf_core.py's twins say). Where gcc or cc is found it must have been built."""
    code = "from xxgk.read import pdfium_calls; print(pdfium_calls.core is not None)"
    built = _run(venv / "bin" / "python", "-c", code, cwd=venv).stdout.strip() == "True"
    if not built and not (shutil.which("cc") or shutil.which("gcc")) and not os.environ.get("CI"):
        pytest.skip("no C compiler here: the package installed without its compiled PDF core, as it should")
    assert built


def test_package_data_is_shipped(venv):
    code = (
        "from importlib.resources import files\n"
        "assert files('xxgk').joinpath('py.typed').is_file()\n"
        "assert files('xxgk.contract').joinpath('aliases.csv').is_file()\n"
        # the core's source and C stay in the sdist: the installed package has the built module, if any
        "assert not [f.name for f in files('xxgk.read').iterdir() if f.name.endswith(('.pyx', '.c'))]\n"
    )
    _run(venv / "bin" / "python", "-c", code, cwd=venv)


def test_the_command_helps_and_parses_a_text_and_a_pdf_report(venv, tmp_path):
    helped = _run(venv / "bin" / "xxgk", "--help", cwd=tmp_path).stdout
    assert "parse" in helped and "batch" in helped
    reports = [RAW / "004_7b8566f6eb984e20.txt", RAW / "huaian_hongze_district_2024.pdf"]
    _run(venv / "bin" / "xxgk", "parse", *reports, "--out", tmp_path / "out", "--quiet", cwd=tmp_path)
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert "reports.parquet" in written and "agencies.csv" in written and len(written) == 14
    with open(tmp_path / "out" / "reports.csv", encoding="utf-8") as fh:
        statuses = [row["status"] for row in csv.DictReader(fh)]
    assert len(statuses) == 2 and "failed" not in statuses


def test_batch_names_the_extra_it_needs(venv, tmp_path):
    done = _run(
        venv / "bin" / "xxgk",
        "batch",
        ROOT / "notebooks" / "params" / "sample.yml",
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 2
    assert "pip install 'xxgk[notebooks]'" in done.stderr
    assert not (tmp_path / "output").exists()
