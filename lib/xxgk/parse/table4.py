"""Table 四 (行政复议、行政诉讼情况): three proceedings of five outcomes each, 15 numbers in template order.

Table 四's rows have no labels of their own in most extractions (the header spans two lines and the numbers
stand alone), so its numbers are read in order from its region. They are placed only when all 15 are there,
or, for the first block alone, when its own identity (four outcomes sum to the total) confirms it.
"""

from __future__ import annotations

from xxgk.contract import codes
from xxgk.parse.report import Report
from xxgk.read.lines import Line, Value

TABLE4_WIDTH = len(codes.PROCEEDINGS) * len(codes.OUTCOMES)  # 15


def parse_table4(lines: list[Line], report: Report, heading: Line | None) -> dict[str, list[Value | None]]:
    """Table 四: the numbers-only lines of its region, in order; 15 numbers fill three blocks of five.

    With fewer than 15, the first five are 行政复议 (the template's first block) only when they satisfy
    their block identity; the rest cannot be placed and stay NA. ``heading`` is the table's heading line,
    None when the lines were found without one.
    """
    values: list[Value | None] = []
    first_line = None
    for line in lines:
        # Numbers-only lines; or a header flattened onto the numbers' line ("…尚未审结总计 0 1 1 0 2 …").
        if line.pure_values or (
            len(line.values) >= len(codes.OUTCOMES) and not line.trailing_text and None not in line.cells
        ):
            # A grid row keeps its blank cells in place (blank = NA); a text line's gaps are layout.
            values.extend(line.cells[-TABLE4_WIDTH:] if line.grid else line.values)
            first_line = first_line or line.no
        if len(values) >= TABLE4_WIDTH:
            break
    blocks = {p.code: [None] * len(codes.OUTCOMES) for p in codes.PROCEEDINGS}
    if not values:
        if heading is not None:
            report.issue(
                "table_missing",
                "error",
                "Table 四 has a heading but no line of numbers",
                f"line {heading.no}",
            )
        return blocks
    where = f"line {first_line}"
    if heading is None:
        report.issue(
            "table4_unanchored",
            "warning",
            "Table 四's heading is not in the document; the line of 15 numbers that stands between "
            "table 三 and section 五 was read as table 四",
            where,
        )
    size = len(codes.OUTCOMES)
    if len(values) >= TABLE4_WIDTH:
        for b, proceeding in enumerate(codes.PROCEEDINGS):
            blocks[proceeding.code] = list(values[b * size : (b + 1) * size])
        return blocks
    first = values[:size]
    numbers = [v.number if v is not None else None for v in first]
    placed = len(first) == size and None not in numbers and sum(numbers[:4]) == numbers[4]
    if placed:
        blocks["review"] = list(first)
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
    return blocks


def find_table4_fallback(lines: list[Line]) -> list[Line]:
    """Without a table-四 heading: the first numbers-only line wide enough to be table 四 (≥ 10 numbers)."""
    for i, line in enumerate(lines):
        if line.pure_values and len(line.values) >= 2 * len(codes.OUTCOMES):
            return lines[i : i + 1]
    return []
