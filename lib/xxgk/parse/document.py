"""One document's lines into a :class:`~xxgk.parse.report.Report`: sections, tables, title, prose, template.

The stages run in the order the data needs them: find the sections and each table's region, set aside
what stands in a table but is not a row (page furniture, notes: :mod:`xxgk.parse.furniture`), read tables
二, 三 and 四 by their labels, decide the template from what they show, place what the recovery rules allow
(:mod:`xxgk.parse.recover`), refuse cells that print no count (:mod:`xxgk.parse.counts`), and read the prose
outside the tables. Checking the result against the report's arithmetic is :mod:`xxgk.validate`'s job,
run after this.
"""

from __future__ import annotations

from xxgk.contract import codes
from xxgk.parse.counts import refuse_unreadable
from xxgk.parse.facts import extract_facts
from xxgk.parse.furniture import set_aside
from xxgk.parse.meta import parse_title, read_title
from xxgk.parse.recover import pair_orphan_rows, split_glued_rows
from xxgk.parse.report import Report, Table3
from xxgk.parse.sections import find_sections, table_regions
from xxgk.parse.table2 import parse_table2
from xxgk.parse.table3 import parse_table3
from xxgk.parse.table4 import parse_table4, table4_region
from xxgk.parse.template import set_template
from xxgk.read.lines import Line, Value


def parse_lines(lines: list[Line], report: Report) -> Report:
    """Find the sections, read the tables, the title and the prose."""
    sections = find_sections(lines)
    bounds = table_regions(lines, sections)
    title = _read_meta(lines, sections, report)
    document = lines
    aside = set_aside(lines, [range(*bounds[name]) for name in ("二", "三", "四")], report, title)
    if aside.kept is not lines:  # the regions again, over the lines that can be rows (headings all stay)
        lines = aside.kept
        at = {id(ln): i for i, ln in enumerate(lines)}
        sections = {name: at[id(document[i])] for name, i in sections.items()}
        bounds = table_regions(lines, sections)

    table2, versions2 = parse_table2(lines[slice(*bounds["二"])], report)
    table3 = parse_table3(lines[slice(*bounds["三"])], report)
    table4_lines, heading = table4_region(lines, sections, bounds, table3)
    report.reviews = parse_table4(table4_lines, report, heading)
    if _not_a_report(report, title, table2, table3):
        return report

    set_template(report, table3, table2, versions2)
    split_glued_rows(report, table3)
    pair_orphan_rows(report, table3)
    refuse_unreadable(report)
    _check_group_subtotals(report, table3)
    report.facts = extract_facts(_prose(document, lines, bounds, table4_lines, aside.furniture))
    return report


def _read_meta(lines: list[Line], sections: dict[str, int], report: Report) -> str:
    """Given the lines: the title (empty when none), with the metadata it states set on the report."""
    title, _ = read_title(lines, sections.get("一"))
    report.meta = parse_title(title)
    if not report.meta["agency"] or not report.meta["year"]:
        report.issue(
            "metadata_missing",
            "warning",
            "The agency or the year could not be read from the title",
            actual=title or "no title found",
        )
    return title


def _not_a_report(report: Report, title: str, table2: dict, table3: Table3) -> bool:
    """No title and no table of the template: the file is not read as a report (marked failed)."""
    if table3.rows or table2 or any(c for b in report.reviews.values() for c in b) or title:
        return False
    report.issue(
        "not_a_report",
        "error",
        "No report title (…年度报告) and no table of the template was found: not read as a report",
    )
    report.failed = True
    return True


def _prose(
    document: list[Line],
    lines: list[Line],
    bounds: dict[str, tuple[int, int]],
    table4_lines: list[Line],
    furniture: set[int],
) -> list[Line]:
    """The document's lines outside the tables' regions (``bounds`` index ``lines``, the document without
    what was set aside), in order; notes set aside from a table are prose, page furniture is not."""
    # By identity, not line number: the pieces of a flattened line share its number.
    in_tables = {id(ln) for name in ("二", "三", "四") for ln in lines[slice(*bounds[name])]}
    in_tables |= {id(ln) for ln in table4_lines}
    in_tables |= furniture
    return [ln for ln in document if id(ln) not in in_tables]


def _check_group_subtotals(report: Report, table3: Table3) -> None:
    """Printed group subtotals (（六）其他处理) against the sum of their sub-rows, column by column."""
    if not table3.group_subtotals:
        return
    members = {
        g.code: [r for r in codes.group_rows(g.code) if r in report.request_rows] for g in codes.ROW_GROUPS
    }
    for group, cells in table3.group_subtotals.items():
        rows = [report.requests[r] for r in members.get(group, [])]
        for i, cell in enumerate(cells):
            _check_subtotal(report, group, i, cell, [row[i] for row in rows])


def _check_subtotal(
    report: Report, group: str, i: int, cell: Value | None, parts: list[Value | None]
) -> None:
    """Given one printed subtotal and its sub-rows' cells: an issue saying whether they agree (when all printed)."""
    if cell is None or cell.number is None or any(p is None or p.number is None for p in parts):
        return
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
