"""What stands between a table's rows but is not a row: page furniture and notes.

When a table crosses a page, the page's furniture lands between its rows: a page number ("— 5 —", "第 5 页",
"5 / 12"; the reader flags those, :func:`xxgk.read.lines.is_page_number`) and a running header or footer
that repeats the report's title or the agency's name. A note (注：…, 说明：…, 备注…) stands under a table or
between its rows, and may mention a row and a number ("注：本年新收申请中有3件为…"). None of them is a row:
each is taken out of the lines the table readers see, so a wrapped row joins across a page break as if
nothing stood between, and an info issue says what was set aside where it could have been read as a row.
A note is prose: it stays in the prose, where its numbers can become facts (never a table cell).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from xxgk.parse.report import Report
from xxgk.read.lines import Line
from xxgk.read.text import compact

# A note's opening words (on the line's normalised text, white space removed): 注: 注1 注(1) *注 注释: 附注 说明: 备注,
# and 注 with OCR slips before its colon (注l: for 注1:, 注|丨_:), never a word (注销登记 is no note).
_NOTE = re.compile(
    r"[*※\[(]?(?:注释?|附注|说明)(?::|\d|\(\d+\)|\[\d+\]|[一二三四五六七八九十]+[、.:]|[^\d\s]{1,3}:)|[*※]?备注"
)
_NOTE_FIRST = frozenset("注说附备*※[(")
# A running header is short and reads like a title, not like a sentence.
_HEADER_MAX = 48
_SENTENCE = re.compile(r"[。,;:!?]")
_YEAR_TAIL = re.compile(r"(?:关于)?(?:\d{4}年度?)?")


class AsideLines(NamedTuple):
    """The document's lines without what is set aside, and what was set aside (by ``id``)."""

    kept: list[Line]
    furniture: set[int]  # page numbers and running headers: neither rows nor prose
    notes: set[int]  # notes inside a table's region: prose, not rows


def set_aside(lines: list[Line], regions: list[range], report: Report, title: str) -> AsideLines:
    """Given the document's lines and the tables' regions (index ranges into ``lines``): page numbers taken
    out everywhere; running headers and notes taken out of the regions, each with an issue."""
    agency = (report.meta or {}).get("agency") or ""
    opens = (
        agency[:2] or "年度报告"
    )  # how a running header can start (a cheap test first: most lines fail it)
    furniture = {id(line) for line in lines if line.furniture}  # page numbers, in tables or not
    notes: set[int] = set()
    for line in _in_regions(lines, regions):
        text = line.text
        if line.furniture:
            _furniture_issue(report, line, "a page number")
        elif ("年度报告" in text or text.startswith(opens)) and _running_header(line, title, agency):
            furniture.add(id(line))
            _furniture_issue(report, line, "a running header or footer (the report's title or agency)")
        elif text[:1] in _NOTE_FIRST and is_note(line):
            notes.add(id(line))
            if line.values:
                _note_issue(report, line)
    if not furniture and not notes:
        return AsideLines(lines, furniture, notes)
    kept = [ln for ln in lines if id(ln) not in furniture and id(ln) not in notes]
    return AsideLines(kept, furniture, notes)


def _in_regions(lines: list[Line], regions: list[range]) -> list[Line]:
    """The lines of the regions, in order, each once (a region may start inside another)."""
    out, done = [], 0
    for region in sorted(regions, key=lambda r: r.start):
        start = max(region.start, done)
        out += lines[start : region.stop]
        done = max(done, region.stop)
    return out


def is_note(line: Line) -> bool:
    """A line that opens like a note (注：, 注1, 说明：, 备注…): prose, never a row of a table.

    >>> from xxgk.read.lines import split_line
    >>> [is_note(split_line(t, 1)) for t in ("注：本年新收申请中有 3 件", "*注1 不含转办", "备注", "注销登记 3")]
    [True, True, True, False]
    """
    return _NOTE.match(compact(line.text[:16])) is not None


def _running_header(line: Line, title: str, agency: str) -> bool:
    """A line that repeats the report's title or its agency's name (with the year at most)."""
    text = compact(line.text)
    if not text or len(text) > _HEADER_MAX or _SENTENCE.search(text):
        return False
    if "年度报告" in text or (title and text == title):
        return True
    return bool(agency) and text.startswith(agency) and _YEAR_TAIL.fullmatch(text[len(agency) :]) is not None


def _furniture_issue(report: Report, line: Line, what: str) -> None:
    report.issue(
        "page_furniture",
        "info",
        f"Line {line.no} is {what} standing in a table: page furniture, not a row; left out of the table",
        f"line {line.no}",
        actual=line.text,
    )


def _note_issue(report: Report, line: Line) -> None:
    report.issue(
        "table_note",
        "info",
        f"Line {line.no} is a note in a table (it opens with {compact(line.text)[:3]!r}): read as prose, not as a row; "
        "its numbers are not table cells",
        f"line {line.no}",
        actual=line.text,
    )
