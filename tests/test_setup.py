"""The project's set-up stays true: dependencies in step, sample data as listed, README dictionary fresh."""

from __future__ import annotations

import csv
import hashlib
import re
import subprocess

import yaml

from conftest import RAW, ROOT
from xxgk.run.dictionary import END, START, markdown


def _requirement_lines(lines):
    return sorted(line.strip() for line in lines if line.strip() and not line.strip().startswith("#"))


def test_environment_yml_matches_requirements():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    requirements = _requirement_lines((ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines())
    assert _requirement_lines(p for p in pip if p != "-e .") == requirements
    assert "-e ." in pip


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
