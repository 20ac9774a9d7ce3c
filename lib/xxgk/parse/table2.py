"""Table 二 (主动公开政府信息情况): items anchored on labels, numbers given to the measures of the header above.

Table 二 has no arithmetic identity inside a year, so nothing here is placed by a check: a number goes to a
measure only when the header (or the template's item definition) says which measure it is.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from decimal import Decimal
from functools import cache

from xxgk.contract import codes
from xxgk.parse.labels import match_label, measures_in
from xxgk.parse.recover import MAX_RUN, is_digit_run, splits
from xxgk.parse.report import Report
from xxgk.read.lines import Line, Value


def parse_table2(lines: list[Line], report: Report) -> tuple[dict[tuple[str, str], Value | None], set[str]]:
    """Table 二: items anchored on labels; their numbers go to the measures of the header above them.

    Returns the cells and the set of template versions the measure headers show (for template detection).
    """
    cells: dict[tuple[str, str], Value | None] = {}
    header: tuple[str, ...] = ()
    versions: set[str] = set()
    for line in lines:
        measures = measures_in(line.label)
        item = match_label("proactive", line.label, line.last_label, bool(line.values))
        if measures and not item:
            header = measures
            versions |= _versions_shown(measures)
        elif item and line.values:
            version = "2019" if versions == {"2019"} else "2021"
            _place_item(cells, item, line, header, version, report)
    return cells, versions


@cache
def _versions_shown(measures: tuple[str, ...]) -> frozenset[str]:
    """Given a header's measures: the template versions it shows (a measure printed in one template only)."""
    templates = {m.code: m.templates for m in codes.MEASURES}
    return frozenset().union(*(templates[m] for m in measures if len(templates[m]) == 1))


def _place_item(
    cells: dict[tuple[str, str], Value | None],
    item: str,
    line: Line,
    header: tuple[str, ...],
    version: str,
    report: Report,
) -> None:
    """Given an item's line of numbers: each to its measure, by the header above (when as wide) or by the
    template's measures for the item. A row already read keeps its first numbers."""
    values = line.values
    targets = header if len(header) == len(values) else codes.item_measures(item, version)
    if len(values) == 1 and len(targets) != 1 and is_digit_run(values[0].raw):
        targets = header or targets
        values = _split_glued_item(item, targets, values[0], report)
        if values is None:
            return
    if len(targets) != len(values):
        report.issue(
            "unknown_label",
            "warning",
            f"Table 二 item {item} prints {len(values)} numbers where its header has "
            f"{len(targets)} columns; they were not used",
            f"line {line.no}",
            expected=len(targets),
            actual=" ".join(v.raw for v in values),
        )
        return
    for measure, value in zip(targets, values, strict=False):
        cells.setdefault((item, measure), value)


def _split_glued_item(item: str, measures: Sequence[str], run: Value, report: Report) -> list[Value] | None:
    """A table-二 row printed as one digit run: usable only when a single split exists (e.g. 000).

    Table 二 has no identity inside a year, so any run with more than one split stays NA.
    """
    # A run longer than any real row, or an item with no measures (2019 item in a 2021 table), is not split:
    # the recursion would run out of stack.
    options = (
        list(itertools.islice(splits(run.raw, len(measures)), 50))
        if measures and len(run.raw) <= MAX_RUN
        else []
    )
    if len(options) == 1:
        report.issue(
            "glued_digits",
            "info",
            f"Table 二 item {item} is printed as one run of digits {run.raw}; "
            f"split as {' '.join(map(str, options[0]))} (the only split); marked derived",
            f"line {run.line}",
            actual=run.raw,
        )
        return [Value(Decimal(n), run.line, str(n), derived=True) for n in options[0]]
    listed = "; ".join(" ".join(map(str, o)) for o in options[:10])
    report.issue(
        "glued_digits",
        "error",
        f"Table 二 item {item} is printed as one run of digits {run.raw} "
        f"that cannot be split into {', '.join(measures)} with certainty (candidates: {listed}"
        f"{' …' if len(options) > 10 else ''}); NA",
        f"line {run.line}",
        actual=run.raw,
    )
    return None
