"""Shared fixtures: the sample reports in data/raw, parsed once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

import xxgk

# CI must be repeatable: property tests draw the same examples every run (new bugs are `make fuzz`'s job).
settings.register_profile("repeatable", derandomize=True)
settings.load_profile("repeatable")

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
GOLDEN = Path(__file__).resolve().parent / "golden"
SEEDS = sorted(RAW.glob("00*.txt"))


@pytest.fixture(scope="session")
def seed_tables():
    return xxgk.parse_many(SEEDS)
