"""Cells printed where a number stands that are not what the cell holds: NA, each with an issue quoting them.

One odd token spoils one cell, not its row: the reader keeps a token such as 15件, 约15, 15%, 3-5, 二十一 or
"1 234" (:func:`xxgk.read.lines.odd_value`) in the cell it stands in, so the other cells keep their columns;
here that cell becomes NA with a ``not_a_number`` error that quotes it. A cell that counts refuses, as
``not_a_count``, a negative number (-1, －1, −1) in every table (table 二's 本年增/减 is a change, and may be
negative), and in tables 三 and 四 a money amount (…元), a decimal (a fee line out of place, an OCR slip) and
a number too large to be a count (digits glued by the extraction). Every refused cell is recorded
(``Report.refused``) so that no later check calls it blank.
"""

from __future__ import annotations

import re
from decimal import Decimal
from operator import itemgetter

from xxgk.contract import codes
from xxgk.parse.report import Report
from xxgk.read.lines import Value, is_whole

#: No count in a report comes near this (the largest are in the millions); a larger number is digits glued
#: by the extraction, and beyond 2**63 it would not even fit the Int64 count column.
MAX_COUNT = 10**15

# A row whose printed cells (tab-joined: no cell holds a tab) are all plain counts (up to 15 digits) or "/":
# nothing to refuse.
_PLAIN_COUNTS = re.compile(r"(?:(?:\d{1,15}|/)\t)*(?:\d{1,15}|/)|")
_RAW = itemgetter(2)  # Value.raw

_APPLICANTS = codes.codes(codes.APPLICANTS)
_OUTCOMES = codes.codes(codes.OUTCOMES)
#: Table-二 measures that may be negative (a change on the year before).
SIGNED_MEASURES = frozenset({"change"})


def refuse_unreadable(report: Report) -> None:
    """Every cell of tables 二, 三 and 四 that prints no usable number is set to NA, with an issue."""
    for table, rows, columns in (("三", report.requests, _APPLICANTS), ("四", report.reviews, _OUTCOMES)):
        if _PLAIN_COUNTS.fullmatch(
            "\t".join([c[2] for cells in rows.values() for c in cells if c is not None])
        ):
            continue  # every row of the table is plain (the usual case): one look for the whole table
        for code, cells in rows.items():
            if _PLAIN_COUNTS.fullmatch("\t".join(map(_RAW, filter(None, cells)))):  # most rows (tested in C)
                continue
            for i, cell in enumerate(cells):
                check = _refusal(cell, counts=True)
                if check:
                    cells[i] = None
                    _refuse(report, check, (table, code, i), cell, f"Table {table}, row {code}, {columns[i]}")
    for (item, measure), cell in report.proactive.items():
        check = _refusal(cell, counts=measure not in SIGNED_MEASURES, money=True)
        if check:
            report.proactive[(item, measure)] = None
            _refuse(report, check, ("二", item, measure), cell, f"Table 二, {item} / {measure}")


def _refusal(cell: Value | None, counts: bool, money: bool = False) -> str:
    """The check that refuses a cell ("" when it stands): not a number, or not a count."""
    if cell is None:
        return ""
    if cell.number is None:
        return "not_a_number" if cell.unreadable else ""
    if counts and _signed(cell.number):  # (-0 too: a minus sign is never printed on a count)
        return "not_a_count"
    if money:
        return ""
    if cell.raw.endswith("元"):
        return "not_a_count"
    # (A decimal has a "." in its printed form, and a number of 10**15 or more 16 characters.)
    if ("." in cell.raw or len(cell.raw) > 15) and (
        not is_whole(cell.number) or abs(cell.number) >= MAX_COUNT
    ):
        return "not_a_count"
    return ""


def _signed(number: int | Decimal) -> bool:
    """Printed with a minus sign (an int is read from plain digits only: never)."""
    return False if type(number) is int else number.is_signed()


def _refuse(report: Report, check: str, key: tuple, cell: Value, where: str) -> None:
    report.refused[key] = cell.raw
    what = "is not a number" if check == "not_a_number" else "is not a count"
    report.issue(
        check,
        "error",
        f"{where} is printed as {cell.raw!r} (line {cell.line}), which {what}; the cell is NA and the other "
        "cells of its row keep their numbers",
        f"line {cell.line}",
        actual=cell.raw,
    )
