"""A small hand-made corpus, built with ``schema.frame``, whose measures are worked out by hand.

Three reports:

- ``a2021`` 甲局 2021, 2021 template, balanced: 40 new, 2 carried over, 40 handled, 2 carried forward.
  Outcomes: granted 20, partly 5, denied 4 (secret 1, third party 2, process 1), unable 7 (not held 6,
  needs creation 1), not processed 3 (petition 2, repeat 1), other 1 (overdue correction 1).
  Applicants of new_received: natural persons 35, businesses 5; every other row all natural persons.
  Table 四: review 3/1/0/1/5, litigation direct 1/0/0/1/2, after review 0/0/0/0/0.
- ``b2021`` 乙局 2021, 2021 template, small: 10 new, 0 over, 10 handled, 0 forward; granted 4, partly 1,
  not held 3, repeat 2; ``denied_admin_query`` is missing (cut off); ``denied_state_secret`` printed "/".
  Table 四 absent.
- ``a2022`` 甲局 2022, printed in the 2019 trial format: 50 new, 2 over, 50 handled, 2 forward; granted 30,
  partly 5, process 5, not held 4, repeat 1, other_processed 5. Review 2/1/0/0/3, no litigation rows.
"""

from __future__ import annotations

import pandas as pd

from xxgk.contract.codes import APPLICANTS, OUTCOMES, PROCEEDINGS, codes, request_rows
from xxgk.contract.schema import frame
from xxgk.output.agencies import agencies_table
from xxgk.parse.agency import agency_id

A2021 = {
    "new_received": 40,
    "carried_over": 2,
    "granted": 20,
    "partially_granted": 5,
    "denied_state_secret": 1,
    "denied_third_party": 2,
    "denied_process_info": 1,
    "unable_not_held": 6,
    "unable_needs_creation": 1,
    "not_processed_petition": 2,
    "not_processed_repeat": 1,
    "other_overdue_correction": 1,
    "total_processed": 40,
    "carried_forward": 2,
}
B2021 = {
    "new_received": 10,
    "granted": 4,
    "partially_granted": 1,
    "unable_not_held": 3,
    "not_processed_repeat": 2,
    "total_processed": 10,
}
A2022 = {
    "new_received": 50,
    "carried_over": 2,
    "granted": 30,
    "partially_granted": 5,
    "denied_process_info": 5,
    "unable_not_held": 4,
    "not_processed_repeat": 1,
    "other_processed": 5,
    "total_processed": 50,
    "carried_forward": 2,
}


def _requests(report_id, template, totals, missing=(), not_applicable=(), split=None):
    split = split or {}
    records = []
    for line, row in enumerate(request_rows(template), start=10):
        for applicant in codes(APPLICANTS):
            total = totals.get(row, 0)
            if applicant == "total":
                count = total
            elif row in split:
                count = split[row].get(applicant, 0)
            else:
                count = total if applicant == "natural_person" else 0
            status = "printed"
            if row in missing:
                count, status = None, "missing"
            elif row in not_applicable:
                count, status = None, "not_applicable"
            records.append(
                {
                    "report_id": report_id,
                    "row_code": row,
                    "applicant_code": applicant,
                    "count": count,
                    "cell_status": status,
                    "source_line": line,
                }
            )
    return records


def _reviews(report_id, blocks):
    records = []
    for p in codes(PROCEEDINGS):
        if p not in blocks:
            continue
        for o, value in zip(codes(OUTCOMES), blocks[p], strict=False):
            records.append(
                {
                    "report_id": report_id,
                    "proceeding": p,
                    "outcome": o,
                    "count": value,
                    "cell_status": "printed",
                    "source_line": 80,
                }
            )
    return records


def corpus() -> dict:
    """The three reports as the six tidy tables."""
    reports = frame(
        "reports",
        [
            {
                "report_id": "a2021",
                "source_file": "a2021.txt",
                "agency": "甲局",
                "year": 2021,
                "template": "2021",
                "status": "ok",
                "n_issues": 0,
                "n_errors": 0,
            },
            {
                "report_id": "b2021",
                "source_file": "b2021.txt",
                "agency": "乙局",
                "year": 2021,
                "template": "2021",
                "status": "incomplete",
                "n_issues": 1,
                "n_errors": 1,
            },
            {
                "report_id": "a2022",
                "source_file": "a2022.txt",
                "agency": "甲局",
                "year": 2022,
                "template": "2019",
                "status": "ok",
                "n_issues": 0,
                "n_errors": 0,
            },
        ],
    )
    requests = frame(
        "requests",
        [
            *_requests(
                "a2021", "2021", A2021, split={"new_received": {"natural_person": 35, "commercial": 5}}
            ),
            *_requests(
                "b2021", "2021", B2021, missing={"denied_admin_query"}, not_applicable={"denied_state_secret"}
            ),
            *_requests("a2022", "2019", A2022),
        ],
    )
    reviews = frame(
        "reviews",
        [
            *_reviews(
                "a2021",
                {
                    "review": (3, 1, 0, 1, 5),
                    "litigation_direct": (1, 0, 0, 1, 2),
                    "litigation_after_review": (0, 0, 0, 0, 0),
                },
            ),
            *_reviews("a2022", {"review": (2, 1, 0, 0, 3)}),
        ],
    )
    issues = frame(
        "issues",
        [
            {
                "report_id": "b2021",
                "check": "row_missing",
                "severity": "error",
                "location": "table 三",
                "message": "denied_admin_query is not in the document",
            },
        ],
    )
    # every report carries its agency's id and canonical name, as the parser gives them (issue 12)
    reports["agency_id"] = reports["agency"].map(agency_id).astype("string")
    reports["agency_name"] = reports["agency"]
    reports["listed"] = pd.array([False] * len(reports), dtype="boolean")
    return {
        "reports": reports,
        "requests": requests,
        "reviews": reviews,
        "proactive": frame("proactive", []),
        "facts": frame("facts", []),
        "issues": issues,
        "agencies": agencies_table(reports),
    }
