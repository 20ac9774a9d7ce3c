"""Row labels: which code a printed label names, matched against the contract's aliases.

Tables are read by their labels, never by the rank of a number, so this is where a table's rows are
recognised. Matching is on compacted text (white space removed, NFKC) against ``contract/aliases.csv``; the
alias that ends last in a label wins, since a wrapped or grouped label ("(六)其他处理1.申请人…") ends with
the words of its own row. The matchers are cached: labels recur across the reports of a corpus.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from xxgk.contract import codes
from xxgk.read.text import compact, normalize_cell

# Leading ordinals: 一、 (三) 3. and OCR slips of them (_, for 二、).
_ORDINAL = re.compile(
    r"^(?:[一二三四五六七八九十]+[、,.]|\([一二三四五六七八九十\d]+\)|\d+[.、]|[_\-,.、:])+"
)


def strip_ordinal(label: str) -> str:
    """A label without its leading ordinals.

    >>> strip_ordinal("(七)总计"), strip_ordinal("3.其他"), strip_ordinal("_,上年结转")
    ('总计', '其他', '上年结转')
    """
    return _ORDINAL.sub("", label)


@dataclass(frozen=True)
class _Alias:
    """An alias as matched: its code, its compacted text, and whether it must be the whole label."""

    code: str
    text: str
    exact: bool


@cache
def _aliases(table: str) -> tuple[_Alias, ...]:
    """One alias table's entries, compacted as labels are (read once from the contract)."""
    return tuple(
        _Alias(a.code, compact(normalize_cell(a.alias)), a.match == "exact")
        for a in codes.aliases()
        if a.table == table
    )


@lru_cache(maxsize=1 << 16)  # labels recur across the reports of a corpus: match each once
def match_label(table: str, label: str, last_label: str = "", has_values: bool = False) -> str | None:
    """The code whose alias a label carries; where several match, the one whose alias ends last.

    >>> match_label("requests", "(六)其他处理1.申请人无正当理由逾期不补正")
    'other_overdue_correction'
    >>> match_label("requests", "3.其他", has_values=True), match_label("requests", "3.其他")
    ('other_other', None)
    """
    best, best_end, best_len = None, -1, 0
    for alias in _aliases(table):
        if alias.exact:
            if has_values and alias.text in (strip_ordinal(label), strip_ordinal(last_label)):
                end = len(label)
            else:
                continue
        else:
            pos = label.rfind(alias.text)
            if pos < 0:
                continue
            end = pos + len(alias.text)
        if end > best_end or (end == best_end and len(alias.text) > best_len):
            best, best_end, best_len = alias.code, end, len(alias.text)
    return best


@lru_cache(maxsize=1 << 14)
def is_header(label: str) -> bool:
    """A label holding a column header's words (a header row's text, not a row of the table)."""
    return any(a.text in label for a in _aliases("header"))


@lru_cache(maxsize=1 << 14)  # header labels recur across a corpus
def measures_in(label: str) -> tuple[str, ...]:
    """Table-二 measures a header label names, in the order they are printed."""
    found = []
    for alias in _aliases("measures"):
        pos = label.find(alias.text)
        if pos >= 0:
            found.append((pos, alias.code))
    ordered = []
    for _, code in sorted(found):
        if code not in ordered:
            ordered.append(code)
    return tuple(ordered)


@cache
def variants() -> dict[str, list[tuple[str, str]]]:
    """Table-三 aliases recorded as misprints or OCR slips, by row code: (compacted text, note)."""
    out: dict[str, list[tuple[str, str]]] = {}
    for alias in codes.aliases():
        if alias.table == "requests" and alias.note.startswith(("published typo", "OCR")):
            out.setdefault(alias.code, []).append((compact(normalize_cell(alias.alias)), alias.note))
    return out
