"""Issue 13: what the charts draw — no report with data left out, a legend entry per drawn series,
readable labels, integer count axes, explained marks — and the notebooks' parameters."""

from __future__ import annotations

import matplotlib
import pandas as pd
import pytest

from handmade import corpus
from xxgk.analysis import measures, plotting


def _with_template(template: str, row_dtype: str) -> dict:
    """The hand-made corpus with its 2019-format report (a2022) labelled ``template``, the row codes held
    in ``row_dtype`` (object, string, string[pyarrow]: a parquet file and a frame built in memory differ)."""
    tables = corpus()
    reports = tables["reports"]
    reports.loc[reports["report_id"] == "a2022", "template"] = template
    tables["requests"] = tables["requests"].astype({"row_code": row_dtype})
    return tables


@pytest.mark.parametrize("row_dtype", ["object", "string", "string[pyarrow]"])
@pytest.mark.parametrize("template", ["2019", "hybrid", "unknown", None])
def test_a_report_with_2019_rows_is_never_left_out_of_the_outcome_mix(template, row_dtype):
    """A report whose table 三 prints the single 其他处理 row (2019 format, or a hybrid template) is read by
    its rows whatever its template label or the column's dtype: its outcome mix and 其他处理 panel have
    numbers (淮安市洪泽区 2024 was silently dropped)."""
    tables = _with_template(template, row_dtype)
    mix = measures.outcome_mix(tables)
    own = mix[mix["report_id"] == "a2022"].set_index("category")
    assert own["share"].notna().all(), own
    assert int(own.loc["other", "numerator"]) == 5
    other = measures.reason_mix(tables, "other")
    assert other.loc[other["report_id"] == "a2022", "share"].notna().all()
    fig = plotting.outcome_mix_chart(tables, by="agency")
    texts = [t.get_text() for t in fig.findobj(matplotlib.text.Text)]
    assert "n=90" in texts, texts  # 甲局 pools its two years: 40 + 50 handled
