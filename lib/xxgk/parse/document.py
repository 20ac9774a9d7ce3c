"""One document's lines into a :class:`~xxgk.parse.report.Report`: sections, tables, title, prose, template.

The stages run in the order the data needs them: find the sections and each table's region, read tables
二, 三 and 四 by their labels, decide the template from what they show, place what the recovery rules allow
(:mod:`xxgk.parse.recover`), drop cells that are not counts, and read the prose outside the tables. Checking
the result against the report's arithmetic is :mod:`xxgk.validate`'s job, run after this.
"""

from __future__ import annotations

from xxgk.contract import codes
from xxgk.parse.facts import extract_facts
from xxgk.parse.meta import parse_title, read_title
from xxgk.parse.recover import pair_orphan_rows, split_glued_rows
from xxgk.parse.report import Report
from xxgk.parse.sections import find_sections, table_regions
from xxgk.parse.table2 import parse_table2
from xxgk.parse.table3 import parse_table3
from xxgk.parse.table4 import find_table4_fallback, parse_table4
from xxgk.parse.template import set_template
from xxgk.read.lines import Line


def parse_lines(lines: list[Line], report: Report) -> Report:
    """Find the sections, read the tables, the title and the prose."""
    sections = find_sections(lines)
    bounds = table_regions(lines, sections)
    title, _ = read_title(lines, sections.get("一"))
    report.meta = parse_title(title)
    if not report.meta["agency"] or not report.meta["year"]:
        report.issue(
            "metadata_missing",
            "warning",
            "The agency or the year could not be read from the title",
            actual=title or "no title found",
        )

    table2, versions2 = parse_table2(lines[slice(*bounds["二"])], report)
    table3 = parse_table3(lines[slice(*bounds["三"])], report)
    if "四" in sections:
        table4_lines, heading = lines[slice(*bounds["四"])], lines[sections["四"]]
    else:
        after = next((i for i, ln in enumerate(lines) if ln.no > table3.last_line), len(lines))
        stop = sections.get("五", sections.get("六", len(lines)))
        table4_lines, heading = find_table4_fallback(lines[after:stop] if table3.rows else []), None
    report.reviews = parse_table4(table4_lines, report, heading)

    if (
        not table3.rows
        and not table2
        and not any(c for b in report.reviews.values() for c in b)
        and not title
    ):
        report.issue(
            "not_a_report",
            "error",
            "No report title (…年度报告) and no table of the template was found: not read as a report",
        )
        report.failed = True
        return report

    set_template(report, table3, table2, versions2)
    split_glued_rows(report, table3)
    pair_orphan_rows(report, table3)
    _drop_impossible_counts(report)
    _check_group_subtotals(report, table3)

    # Prose is what lies outside the tables' regions (by position: pieces of a flattened line share its number).
    in_tables = {id(ln) for name in ("二", "三", "四") for ln in lines[slice(*bounds[name])]}
    in_tables |= {id(ln) for ln in table4_lines}
    report.facts = extract_facts([ln for ln in lines if id(ln) not in in_tables])
    return report


#: No count in a report comes near this (the largest are in the millions); a larger number is digits glued
#: by the extraction, and beyond 2**63 it would not even fit the Int64 count column.
MAX_COUNT = 10**15


def _drop_impossible_counts(report: Report) -> None:
    """A count is a whole number below MAX_COUNT: a decimal in table 三 or 四 (a fee line out of place, an
    OCR slip) or a run of glued digits is not one; the cell is NA with an issue."""
    for table, rows in (("三", report.requests), ("四", report.reviews)):
        for code, cells in rows.items():
            for i, cell in enumerate(cells):
                # (A decimal has a "." in its printed form and a number of 10**15 or more 16 characters.)
                if (
                    cell is not None
                    and ("." in cell.raw or len(cell.raw) > 15)
                    and cell.number is not None
                    and (cell.number != cell.number.to_integral_value() or abs(cell.number) >= MAX_COUNT)
                ):
                    cells[i] = None
                    report.issue(
                        "not_a_count",
                        "error",
                        f"Table {table}, row {code}: {cell.raw} (line {cell.line}) "
                        "is not a count; the cell is NA",
                        f"line {cell.line}",
                        actual=cell.raw,
                    )


def _check_group_subtotals(report: Report, table3) -> None:
    if not table3.group_subtotals:
        return
    members = {
        g.code: [r.code for r in codes.REQUEST_ROWS if r.group == g.code and r.code in report.request_rows]
        for g in codes.ROW_GROUPS
    }
    for group, cells in table3.group_subtotals.items():
        for i, cell in enumerate(cells):
            parts = [report.requests[r][i] for r in members.get(group, [])]
            if cell is None or cell.number is None or any(p is None or p.number is None for p in parts):
                continue
            total = sum(p.number for p in parts)
            ok = total == cell.number
            report.issue(
                "group_subtotal",
                "info" if ok else "error",
                f"Group {group}, column {codes.APPLICANTS[i].code}: the printed subtotal {cell.raw} "
                + ("equals its sub-rows" if ok else f"differs from the sum of its sub-rows ({total})"),
                f"line {cell.line}",
                expected=str(total),
                actual=cell.raw,
            )
