"""The report's own arithmetic, completeness and prose against tables, as issues; nothing here changes a number.

A broken identity is reported with what was expected and what is printed (:mod:`xxgk.contract.identities`
declares and evaluates them); a missing cell is reported once, by :mod:`.completeness`.
"""

from __future__ import annotations

from xxgk.contract.identities import identity_failures, review_block_failure
from xxgk.parse.report import Report
from xxgk.validate.completeness import check_completeness
from xxgk.validate.cross_year import cross_year
from xxgk.validate.prose import check_prose

__all__ = ["validate", "cross_year"]


def validate(report: Report) -> None:
    """Append every completeness, identity and prose-vs-table issue to ``report.issues``."""
    check_completeness(report)
    report.issues.extend(identity_failures(report.requests, report.request_rows, report.template))
    for proceeding, cells in report.reviews.items():
        failure = review_block_failure(proceeding, cells)
        if failure is not None:
            report.issues.append(failure)
    check_prose(report)
