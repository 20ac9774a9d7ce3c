"""Compare parser output with hand-checked expected values (JSON) cell by cell.

A cell is *correct* when both agree (NA = null counts as agreeing), *wrong* when both hold different
numbers, *missing* when only the expected value has a number, *invented* when only the parser has one.
Used by the golden tests and by `xxgk score`.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from xxgk.contract import codes
from xxgk.parse.labels import match_label, measures_in
from xxgk.read.text import compact, normalize_cell


@dataclass
class Score:
    report_id: str
    correct: int = 0
    wrong: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    invented: list[str] = field(default_factory=list)

    @property
    def cells(self) -> int:
        return self.correct + len(self.wrong) + len(self.missing) + len(self.invented)

    def row(self) -> dict:
        return {
            "report_id": self.report_id,
            "cells": self.cells,
            "correct": self.correct,
            "wrong": len(self.wrong),
            "missing": len(self.missing),
            "invented": len(self.invented),
        }


def _blank(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA


def _number(value) -> float:
    """Expected values may keep their printed unit ("251000元"); compare the number.

    >>> _number("251000元"), _number("9116.36"), _number(3)
    (251000.0, 9116.36, 3.0)
    """
    if isinstance(value, str):
        value = re.sub(r"[^\d.\-]", "", value)
    return float(value)


def _compare(score: Score, where: str, expected, actual) -> None:
    e_blank, a_blank = _blank(expected), _blank(actual)
    if e_blank and a_blank:
        score.correct += 1
    elif e_blank:
        score.invented.append(f"{where}: expected NA, got {actual}")
    elif a_blank:
        score.missing.append(f"{where}: expected {expected}, got NA")
    elif _number(expected) == float(actual):
        score.correct += 1
    else:
        score.wrong.append(f"{where}: expected {expected}, got {actual}")


def expected_proactive(expected: dict) -> dict[tuple[str, str], object]:
    """Table-二 expectations by (item, measure) code, from canonical codes or as-read Chinese labels."""
    if "proactive" in expected:
        return {(item, m): v for item, measures in expected["proactive"].items() for m, v in measures.items()}
    out = {}
    for key, value in expected.get("proactive_as_read", {}).items():
        item_label, _, measure_label = key.partition("_")
        item = match_label("proactive", compact(normalize_cell(item_label)), has_values=True)
        if isinstance(value, dict):
            for m_label, v in value.items():
                measures = measures_in(compact(normalize_cell(m_label)))
                if item and measures:
                    out[(item, measures[0])] = v
        else:
            measures = measures_in(compact(normalize_cell(measure_label)))
            if item and measures:
                out[(item, measures[0])] = value
    return out


def score_report(tables: dict[str, pd.DataFrame], report_id: str, expected: dict) -> Score:
    score = Score(report_id)
    req = tables["requests"][tables["requests"]["report_id"] == report_id]
    got = {(r.row_code, r.applicant_code): r.count for r in req.itertuples()}
    applicants = expected.get("applicants", codes.codes(codes.APPLICANTS))
    for row, values in expected.get("requests", {}).items():
        for applicant, value in zip(applicants, values, strict=False):
            _compare(score, f"requests {row}/{applicant}", value, got.get((row, applicant)))
    rev = tables["reviews"][tables["reviews"]["report_id"] == report_id]
    got = {(r.proceeding, r.outcome): r.count for r in rev.itertuples()}
    for proceeding, outcomes in expected.get("reviews", {}).items():
        for outcome, value in outcomes.items():
            _compare(score, f"reviews {proceeding}/{outcome}", value, got.get((proceeding, outcome)))
    pro = tables["proactive"][tables["proactive"]["report_id"] == report_id]
    got = {(r.item_code, r.measure): r.value for r in pro.itertuples()}
    for (item, measure), value in expected_proactive(expected).items():
        _compare(score, f"proactive {item}/{measure}", value, got.get((item, measure)))
    return score


def score_files(tables: dict[str, pd.DataFrame], expected_files: list[Path]) -> list[Score]:
    """Score every expected JSON whose report (by file stem) is in the tables."""
    scores = []
    for path in expected_files:
        expected = json.loads(Path(path).read_text(encoding="utf-8"))
        report_id = Path(expected.get("file", Path(path).name)).stem
        scores.append(score_report(tables, report_id, expected))
    return scores
