"""Which template a report follows (2019, 2021 or a hybrid of both), and the rows and cells that follow from it.

The template is decided from what the tables show, not from the year in the title: the 2021 template split
table 三's (六) row into three and gave table 二 new measures, but agencies moved to it at different times,
and some printed one table in each. The report's row set and table-二 cells are laid out only once the
template is known.
"""

from __future__ import annotations

from xxgk.contract import codes
from xxgk.parse.report import Report, Table3

#: The rows the 2021 template splits （六）其他处理 into; the 2019 template prints （六） as one row.
_SPLIT_OTHER = frozenset({"other_overdue_correction", "other_overdue_fee", "other_other"})


def set_template(report: Report, table3: Table3, table2: dict, versions2: set[str]) -> None:
    """2021, 2019 or hybrid from what tables 二 and 三 show; the row set follows table 三."""
    versions3 = _table3_versions(table3)
    _decide(report, versions2, versions3)
    row_version = "2019" if (versions3 or versions2) == {"2019"} else "2021"
    report.request_rows = codes.request_rows(row_version)
    report.requests = {
        code: table3.rows.get(code, [None] * len(codes.APPLICANTS)) for code in report.request_rows
    }
    report.row_labels = dict(table3.label_lines)
    item_version = "2019" if versions2 == {"2019"} else "2021"
    report.proactive = {}
    for item in codes.PROACTIVE_ITEMS:
        for measure in codes.item_measures(item.code, item_version):
            report.proactive[(item.code, measure)] = table2.get((item.code, measure))


def _table3_versions(table3: Table3) -> set[str]:
    """Given table 三 as read: the template its rows show ({"2021"}, {"2019"} or none).

    A 2021 table that also prints the （六） group subtotal is 2021: the subtotal is moved to the group
    subtotals, to be checked, and is not kept as a row.
    """
    rows = set(table3.rows)  # rows whose label is printed, with numbers or blank
    if rows & _SPLIT_OTHER and "other_processed" in rows:
        table3.group_subtotals["other"] = table3.rows.pop("other_processed")
        rows.discard("other_processed")
    return {"2021"} if rows & _SPLIT_OTHER else {"2019"} if "other_processed" in rows else set()


def _decide(report: Report, versions2: set[str], versions3: set[str]) -> None:
    """Given the versions each table shows: the report's template (unknown when neither shows one)."""
    seen = versions2 | versions3
    if len(seen) == 2 or (versions2 and versions3 and versions2 != versions3):
        report.template = "hybrid"
        report.issue(
            "template_mixed",
            "info",
            f"Table 二 follows the {'/'.join(sorted(versions2))} template and table 三 the "
            f"{'/'.join(sorted(versions3))} template: read as a hybrid",
        )
    elif seen:
        report.template = seen.pop()
