"""The project's set-up stays true: one list of dependencies, sample data as listed, README dictionary fresh."""

from __future__ import annotations

import csv
import hashlib
import re
import subprocess
import tomllib

import yaml

from conftest import RAW, ROOT
from xxgk.run.dictionary import END, START, markdown


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _makefile_extras() -> str:
    found = re.search(r"^EXTRAS := (\S+)$", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M)
    assert found, "the Makefile declares the extras it installs in EXTRAS"
    return found.group(1)


def test_pyproject_is_the_one_list_of_dependencies():
    """The Makefile and environment.yml install the project with the same extras; nothing else lists any."""
    extras = _makefile_extras()
    assert set(extras.split(",")) <= set(_pyproject()["project"]["optional-dependencies"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    assert pip == [f"-e .[{extras}]"], "environment.yml installs the project with the Makefile's extras"
    conda = sorted(d.split("=")[0] for d in env["dependencies"] if isinstance(d, str))
    assert conda == ["pip", "python"], "other packages come from pyproject.toml, through pip"
    assert not list(ROOT.glob("requirements*.txt")), "dependencies are declared in pyproject.toml only"


def test_pre_commit_runs_the_ruff_of_the_test_extra():
    pinned = [d for d in _pyproject()["project"]["optional-dependencies"]["test"] if d.startswith("ruff")]
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = [h for repo in config["repos"] for h in repo["hooks"] if h["id"].startswith("ruff")]
    assert len(pinned) == 1 and "==" in pinned[0] and hooks
    for hook in hooks:
        assert hook["additional_dependencies"] == pinned, f"{hook['id']}: ruff as pinned in pyproject.toml"


def test_manifest_lists_every_raw_file_with_its_hash():
    with open(RAW / "MANIFEST.csv", encoding="utf-8") as fh:
        rows = {r["file"]: r for r in csv.DictReader(fh)}
    files = {p.name for p in RAW.iterdir() if p.is_file() and p.name != "MANIFEST.csv"}
    assert set(rows) == files
    for name, row in rows.items():
        assert hashlib.sha256((RAW / name).read_bytes()).hexdigest() == row["sha256"], name
        assert row["agency"] and re.fullmatch(r"20\d\d", row["year"]) and row["source"]


def test_readme_dictionary_is_generated_from_the_codes():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split(START, 1)[1].split(END, 1)[0]
    assert block.strip() == markdown().strip(), "run `make dictionary` to refresh README.md"


def test_library_is_tracked_by_git():
    if not (ROOT / ".git").exists():
        return
    tracked = subprocess.run(["git", "ls-files", "lib/xxgk"], cwd=ROOT, capture_output=True, text=True).stdout
    assert "lib/xxgk/__init__.py" in tracked
