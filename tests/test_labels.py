"""Tables on a Chinese page carry Chinese headings and labels; the codes stay in the data."""

import re

import pandas as pd
import pytest

from handmade import corpus as handmade
from xxgk.analysis import corpus, labels, measures
from xxgk.contract.codes import REQUEST_ROWS, label


def _tables(tables):
    return {
        "table_sizes": corpus.table_sizes(tables),
        "reports_overview": corpus.reports_overview(tables),
        "status_by_year": corpus.status_by_year(tables),
        "cell_status_counts": corpus.cell_status_counts(tables),
        "identity_failures": corpus.identity_failures(tables),
        "volume_table": measures.volume_table(tables),
        "pool": measures.pool(measures.volumes(tables), ["year", "row_code"]),
        "applicants": measures.pool(measures.applicant_mix(tables, row="new_received"), ["year", "category"]),
        "reasons": measures.pool(measures.refusal_mix(tables), ["category"]),
        "review_table": measures.review_table(tables),
        "reviews": measures.pool(measures.review_counts(tables), ["year", "proceeding", "outcome"]),
    }


def _headings(frame: pd.DataFrame) -> list[str]:
    axes = [frame.columns, frame.index]
    names = [n for axis in axes for n in axis.names if isinstance(n, str)]
    values = [v for i in range(frame.columns.nlevels) for v in frame.columns.get_level_values(i)]
    return names + [v for v in values if isinstance(v, str)]


@pytest.mark.parametrize("name", list(_tables(handmade())))
def test_no_code_is_left_in_a_chinese_heading(name):
    frame = _tables(handmade())[name]
    shown = labels.show(frame, "zh")
    code_like = [h for h in _headings(shown) if re.fullmatch(r"[a-z_]+", h)]
    assert code_like == [], f"{name}: headings still in code: {code_like}"
    assert shown.shape == frame.shape and shown is not frame  # a relabelled copy, nothing dropped
    assert labels.show(frame, "en") is frame  # English pages show the codes, as the docs do


def test_code_values_become_their_contract_labels():
    pool = measures.pool(measures.volumes(handmade()), ["year", "row_code"])
    shown = labels.show(pool, "zh")
    assert set(shown["行"]) == {label(c, REQUEST_ROWS) for c in pool["row_code"]}
    assert shown["件数"].equals(pool["count"])  # numbers and NA untouched
    overview = labels.show(corpus.reports_overview(handmade()), "zh")
    assert set(overview["状态"]) == {"完整", "不完整"} and set(overview["机关"]) == {"甲局", "乙局"}


def test_table_names_and_margins_in_chinese():
    cells = labels.show(corpus.cell_status_counts(handmade()), "zh")
    assert list(cells.index) == ["申请办理（表三）", "复议诉讼（表四）", "主动公开（表二）"]
    status = labels.show(corpus.status_by_year(handmade()), "zh")
    assert list(status.index)[-1] == "合计" and list(status.columns)[-1] == "合计"
