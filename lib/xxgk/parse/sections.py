"""Sections of a report: where each numbered heading stands, and the region of lines each table spans.

Headings are found first because every table is read only inside its region: a label that happens to
appear in prose (or in another table) then cannot open a row. A heading is a short line; its length limit
keeps a prose sentence that mentions a heading's words from being taken for it.
"""

from __future__ import annotations

import re

from xxgk.parse.labels import match_label, strip_ordinal
from xxgk.read.lines import Line
from xxgk.read.text import compact

# Section headings (after normalisation, white space removed), each with the longest line it may be.
_HEADINGS = {
    "一": (re.compile(r"总体情况$"), 16),
    "二": (re.compile(r"主动公开政府信息(?:的)?情况$"), 24),
    "三": (re.compile(r"收到和处理政府信息公开申请(?:的)?情况$"), 30),
    "四": (re.compile(r"行政.?复议.{0,12}行政诉讼(?:的)?情况$"), 40),
    "五": (re.compile(r"存在的?主要问题"), 30),
    "六": (re.compile(r"其他需要报告的?事项$"), 20),
}
SECTION_ORDER = tuple(_HEADINGS)
_HEADING_ENDS = frozenset("况项")


def find_sections(lines: list[Line]) -> dict[str, int]:
    """Index of each section heading's line (0-based into ``lines``), in document order."""
    found: dict[str, int] = {}
    for i, line in enumerate(lines):
        # Every heading ends in 情况 or 事项, or holds 主要问题: most lines are none of these.
        if line.text[-1:] not in _HEADING_ENDS and "题" not in line.text:
            continue
        key = strip_ordinal(compact(line.text))
        if not key or line.values and not line.label:
            continue
        for section, (pattern, limit) in _HEADINGS.items():
            if section not in found and len(key) <= limit and pattern.search(key):
                found[section] = i
                break
    return found


def table_regions(lines: list[Line], sections: dict[str, int]) -> dict[str, tuple[int, int]]:
    """Each table section's [start, stop) in ``lines``: from its heading to the next heading after it."""
    positions = sorted(sections.values())
    bounds = {}
    for name in ("二", "三", "四"):
        if name not in sections:
            bounds[name] = (0, 0)
            continue
        start = sections[name] + 1
        stop = next((p for p in positions if p >= start), len(lines))
        bounds[name] = (start, stop)
    if "三" not in sections:
        # No heading (OCR lost it): table 三 starts at its first anchored row and runs to the next heading.
        first = next(
            (
                i
                for i, ln in enumerate(lines)
                if ln.values and match_label("requests", ln.label) in ("new_received", "carried_over")
            ),
            None,
        )
        if first is not None:
            stop = next((p for p in positions if p > first), len(lines))
            bounds["三"] = (first, stop)
            if bounds["二"][1] > first >= bounds["二"][0]:
                bounds["二"] = (bounds["二"][0], first)
    return bounds
