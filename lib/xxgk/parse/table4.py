"""Table 四 (行政复议、行政诉讼情况): three proceedings of five outcomes each, 15 numbers in template order.

Table 四 is one row of 15 numbers under a two-level header (行政复议; 行政诉讼 未经复议直接起诉 and 复议后起诉),
with no row label to anchor them, so its numbers are read in order from its region. They are placed only
when all 15 are there, or, for the first block alone, when its own identity (four outcomes sum to the total)
confirms it. Each proceeding's five cells are a :class:`Block`, named by outcome.
"""

from __future__ import annotations

from itertools import islice
from typing import NamedTuple

from xxgk.contract import codes
from xxgk.parse.report import Report, Table3
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
        blocks = _place(values, report, f"line {first_line}")
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
        if len(values) >= TABLE4_WIDTH:
            break
    return values, first_line


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
