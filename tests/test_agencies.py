"""The agencies table, built column-wise over the whole reports table (one row per agency_id)."""

from __future__ import annotations

import pandas as pd

from xxgk.contract import schema
from xxgk.output.agencies import agencies_table


def _report(rid, aid, name, agency, manifest, province, year, status="ok"):
    return {
        "report_id": rid,
        "agency_id": aid,
        "agency_name": name,
        "agency": agency,
        "manifest_agency": manifest,
        "province": province,
        "year": year,
        "status": status,
    }


def test_one_row_per_agency_from_its_reports():
    reports = schema.frame(
        "reports",
        [
            _report("r1", "a", "甲", "甲县", "甲县办", None, 2021),
            _report("r2", "a", "甲", "甲县政府", "甲县", "江苏省", None),
            _report("r3", "a", "甲", "甲县", None, "江苏省", 2023, status="failed"),
            _report("r4", "b", None, "乙", "乙", "福建省", 2020),
            _report("r5", None, None, "丙", None, None, 2020),  # no agency id: not an agency
        ],
    )
    table = agencies_table(reports)
    assert list(table["agency_id"]) == ["a", "b"]
    a, b = table.iloc[0], table.iloc[1]
    # canonical names first, then the titles', then the manifests', each once
    assert a["names"] == "甲 | 甲县 | 甲县政府 | 甲县办" and b["names"] == "乙"
    # the region is the first report's, NA included (never filled from a later report)
    assert a["agency_name"] == "甲" and a["province"] is pd.NA
    assert (a["first_year"], a["last_year"], a["n_reports"]) == (2021, 2023, 3)
    assert a["n_years"] == 1  # 2023's report failed, r2 has no year
    assert b["agency_name"] is pd.NA and (b["n_reports"], b["n_years"]) == (1, 1)
    assert list(table.dtypes) == list(schema.empty("agencies").dtypes)
