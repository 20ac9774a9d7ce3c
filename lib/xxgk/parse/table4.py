"""Table 四 (行政复议、行政诉讼情况): three proceedings of five outcomes each, 15 numbers in template order.

Table 四 is one row of 15 numbers under a two-level header (行政复议; 行政诉讼 未经复议直接起诉 and 复议后起诉),
with no row label to anchor them, so its numbers are read in order from its region. They are placed only
when all 15 are there, or, for the first block alone, when its own identity (four outcomes sum to the total)
confirms it. Each proceeding's five cells are a :class:`Block`, named by outcome.

Web text that lost the cell separators prints the 15 numbers as one run of digits (fifteen for fifteen
one-digit cells, more when some have two digits), on a line of its own or at the end of the header line.
Such a run is read by its three block identities (:mod:`xxgk.parse.runs`): a proceeding is placed, marked
derived, only when every reading of the run that satisfies all three gives it the same five numbers.
"""

from __future__ import annotations

from itertools import islice
from typing import NamedTuple

from xxgk.contract import codes
from xxgk.parse import runs
from xxgk.parse.report import Report, Table3
from xxgk.parse.runs import Run, as_run, as_values, block_splits, has_marks, plain_readings
from xxgk.read.lines import Line, Value

BLOCK = len(codes.OUTCOMES)  # five cells per proceeding
TABLE4_WIDTH = len(codes.PROCEEDINGS) * BLOCK  # 15


class Block(NamedTuple):
    """One proceeding's row of table 四: its five outcome cells, in the template's column order."""

    upheld: Value | None = None
    corrected: Value | None = None
    other: Value | None = None
    pending: Value | None = None
    total: Value | None = None

    def balances(self) -> bool:
        """Every cell is a number and the four outcomes sum to the total (the block's identity)."""
        if any(v is None or v.number is None for v in self):
            return False
        return (
            sum(v.number for v in (self.upheld, self.corrected, self.other, self.pending))
            == self.total.number
        )


if Block._fields != tuple(o.code for o in codes.OUTCOMES):  # the record must follow the contract's order
    raise ImportError("Block's fields differ from contract.codes.OUTCOMES")
_EMPTY = Block()  # a proceeding not placed: every cell NA


def parse_table4(lines: list[Line], report: Report, heading: Line | None) -> dict[str, list[Value | None]]:
    """Table 四: the numbers-only lines of its region, in order; 15 numbers fill three blocks of five.

    With fewer than 15, the first five are 行政复议 (the template's first block) only when they satisfy
    their block identity; the rest cannot be placed and stay NA. ``heading`` is the table's heading line,
    None when the lines were found without one. Returns each proceeding's five cells (None = NA).
    """
    values, first_line = _cells_in_order(lines)
    blocks: dict[str, Block] = {}
    if values:
        if heading is None:
            report.issue(
                "table4_unanchored",
                "warning",
                "Table 四's heading is not in the document; the line of 15 numbers that stands between "
                "table 三 and section 五 was read as table 四",
                f"line {first_line}",
            )
        # Web text: the 15 cells as one run of digits (a grid row's blank cells around it are layout).
        run = as_run(_trimmed(values), TABLE4_WIDTH)
        blocks = _place(values, report, f"line {first_line}") if run is None else _place_run(run, report)
    elif heading is not None:
        report.issue(
            "table_missing", "error", "Table 四 has a heading but no line of numbers", f"line {heading.no}"
        )
    return {p.code: list(blocks.get(p.code, _EMPTY)) for p in codes.PROCEEDINGS}


def _cells_in_order(lines: list[Line]) -> tuple[list[Value | None], int | None]:
    """Given the region's lines: the cells of its number lines in order (at least 15 when printed), and the
    first such line's number."""
    values: list[Value | None] = []
    first_line = None
    for line in lines:
        # Numbers-only lines; or a header flattened onto the numbers' line ("…尚未审结总计 0 1 1 0 2 …").
        if line.pure_values or (
            len(line.values) >= BLOCK and not line.trailing_text and None not in line.cells
        ):
            # A grid row keeps its blank cells in place (blank = NA); a text line's gaps are layout.
            values.extend(line.cells[-TABLE4_WIDTH:] if line.grid else line.values)
            first_line = first_line or line.no
        elif not values and not line.trailing_text and as_run(line.values, TABLE4_WIDTH) is not None:
            return line.values, line.no  # the header flattened onto a run of glued digits
        if len(values) >= TABLE4_WIDTH:
            break
    return values, first_line


def _trimmed(values: list[Value | None]) -> list[Value | None]:
    """The cells without the blank ones at either end."""
    filled = [i for i, v in enumerate(values) if v is not None]
    return values[filled[0] : filled[-1] + 1] if filled else []


def _place(values: list[Value | None], report: Report, where: str) -> dict[str, Block]:
    """Given the cells in order: a block per proceeding when all 15 are printed; otherwise 行政复议 alone,
    if its identity confirms the first five, with an issue either way."""
    if len(values) >= TABLE4_WIDTH:
        cells = iter(values)
        return {p.code: Block._make(islice(cells, BLOCK)) for p in codes.PROCEEDINGS}
    first = Block._make(values[:BLOCK]) if len(values) >= BLOCK else None
    placed = first is not None and first.balances()
    report.issue(
        "table4_incomplete",
        "error",
        f"Table 四 prints {len(values)} of 15 numbers; "
        + (
            "the first five satisfy the 行政复议 identity and are read as 行政复议; the litigation cells "
            "are not in the document (NA)"
            if placed
            else "they cannot be placed with certainty, so every cell of table 四 is NA"
        ),
        where,
        expected="15",
        actual=" ".join(v.raw if v else "_" for v in values),
    )
    return {"review": first} if placed else {}


def _place_run(run: Run, report: Report) -> dict[str, Block]:
    """Given table 四 printed as a run of digits: each proceeding whose five numbers are the same in every
    reading that satisfies the three block identities, marked derived, with an issue saying how.

    A run that holds a "/" leaves the block identities unevaluated: it is placed only when it has a single
    reading as 15 cells.
    """
    marked = has_marks(run)
    if marked:
        options = plain_readings(run, TABLE4_WIDTH)
        how = 'its only reading as 15 cells; a "/" leaves the block identities unevaluated'
        if options is not None and len(options) > 1:
            options = None  # readings beyond the first two were not listed: nothing can be placed
    else:
        options = block_splits(run, len(codes.PROCEEDINGS), BLOCK - 1)
        how = (
            "the only split whose three proceedings each satisfy upheld + corrected + other + pending = total"
        )
    if options is None:
        why = (
            'it holds a "/", so no identity can choose among its readings'
            if marked
            else f"it has more than {runs.MAX_CANDIDATES} splits (or too many to list)"
        )
        _run_issue(
            report, run, "error", f"cannot be split with certainty: {why}; every cell of table 四 is NA"
        )
        return {}
    blocks = {}
    for b, p in enumerate(codes.PROCEEDINGS):
        readings = {o[b * BLOCK : (b + 1) * BLOCK] for o in options}
        if len(readings) == 1:
            blocks[p.code] = Block._make(as_values(readings.pop(), run))
    listed = "; ".join(" ".join("/" if n is None else str(n) for n in o) for o in options[:10])
    listed += " …" if len(options) > 10 else ""
    if len(options) == 1:
        _run_issue(report, run, "info", f"split as {listed} ({how}); marked derived")
    else:
        _run_issue(
            report,
            run,
            "error",
            f"cannot be split with certainty: {len(options)} splits satisfy the three block identities "
            f"(candidates: {listed or 'none'}); proceedings read the same in every one are placed, marked "
            f"derived ({', '.join(blocks) or 'none'}); the rest is NA",
        )
    return blocks


def _run_issue(report: Report, run: Run, severity: str, what: str) -> None:
    """An issue about table 四 printed as a run."""
    report.issue(
        "glued_digits",
        severity,
        f"Table 四 is printed as one run of digits {run.raw}; {what}"
        if severity == "info"
        else f"Table 四 is printed as one run of digits {run.raw} that {what}",
        f"line {run.line}",
        actual=run.raw,
    )


def table4_region(
    lines: list[Line], sections: dict[str, int], bounds: dict[str, tuple[int, int]], table3: Table3
) -> tuple[list[Line], Line | None]:
    """Table 四's lines and its heading line; without a heading, the line that can only be table 四, or none.

    A line is looked for only between table 三's last number and section 五 (or 六), and only when table 三
    has rows: without an anchor above it, a wide line of numbers could be anything.
    """
    if "四" in sections:
        return lines[slice(*bounds["四"])], lines[sections["四"]]
    if not table3.rows:
        return [], None
    after = next((i for i, ln in enumerate(lines) if ln.no > table3.last_line), len(lines))
    stop = sections.get("五", sections.get("六", len(lines)))
    return find_table4_fallback(lines[after:stop]), None


def find_table4_fallback(lines: list[Line]) -> list[Line]:
    """Without a table-四 heading: the first numbers-only line wide enough to be table 四 (≥ 10 numbers)."""
    for i, line in enumerate(lines):
        if line.pure_values and len(line.values) >= 2 * BLOCK:
            return lines[i : i + 1]
    return []
