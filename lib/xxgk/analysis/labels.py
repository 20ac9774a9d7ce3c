"""Tables as a reader sees them: headings and codes in the page's language.

The library's tables keep their codes (``new_received``, ``review``, ``ok``): code reads them, tests pin
them, and they are the data contract. A page in Chinese shows them in Chinese: :func:`show` relabels a
copy for display — column and index headings, and the values of columns that hold codes — from the
labels declared in :mod:`xxgk.contract` (a row of table 三 by its printed label, a check by its Chinese
name), plus the generic headings below. In English the codes are shown as they are, as in the docs.
"""

from __future__ import annotations

import pandas as pd

from xxgk.contract.checks import CHECKS, SEVERITIES
from xxgk.contract.codes import APPLICANTS, CELL_STATUSES, OUTCOMES, PROCEEDINGS, REQUEST_ROWS, ROW_GROUPS
from xxgk.contract.measures import MIXES, RATES

#: Headings of the library's tables that are not codes of the contract (column and index names).
HEADINGS_ZH = {
    "table": "表",
    "rows": "行数",
    "reports": "报告数",
    "report_id": "报告编号",
    "agency": "机关",
    "agency_name": "机关",
    "year": "年度",
    "template": "模板",
    "status": "状态",
    "n_issues": "问题数",
    "n_errors": "错误数",
    "label": "名称",
    "count": "件数",
    "n_reports": "报告数",
    "n_missing": "缺失报告数",
    "numerator": "分子",
    "denominator": "分母",
    "share": "占比",
    "is_small_n": "小样本",
    "figure": "项目",
    "value": "数值",
    "row_code": "行",
    "category": "类别",
    "proceeding": "程序",
    "outcome": "结果",
    "measure": "指标",
    "cell_status": "单元格状态",
    "check": "检查项目",
    "severity": "严重程度",
    "total": "合计",
    # report statuses (the reports table's ``status``)
    "ok": "完整",
    "incomplete": "不完整",
    "failed": "未能读取",
}


def _table(*declarations) -> dict[str, str]:
    return {c.code: c.zh for declaration in declarations for c in declaration}


#: For a column (or index level) of codes: its codes' Chinese labels, from the contract.
CODES_ZH = {
    "row_code": _table(REQUEST_ROWS),
    "category": _table(APPLICANTS, ROW_GROUPS, REQUEST_ROWS),  # the parts of the mixes
    "proceeding": _table(PROCEEDINGS),
    "outcome": _table(OUTCOMES),
    "cell_status": _table(CELL_STATUSES),
    "check": _table(CHECKS),
    "severity": _table(SEVERITIES),
    "measure": _table(RATES, MIXES),
    "status": {k: HEADINGS_ZH[k] for k in ("ok", "incomplete", "failed", "total")},
    "template": {},
    # the output tables by what they hold (the rows of table_sizes)
    "table": {
        "reports": "报告",
        "requests": "申请办理（表三）",
        "reviews": "复议诉讼（表四）",
        "proactive": "主动公开（表二）",
        "facts": "正文数字",
        "issues": "问题",
        "agencies": "机关",
    },
}
#: A heading that is itself a code (a check per column, a severity per column), when its axis has no name.
LOOSE_ZH = {**_table(CHECKS), **_table(SEVERITIES), **HEADINGS_ZH}


def show(frame: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """A copy of ``frame`` for display in ``lang``: Chinese headings and code labels for ``zh``; the frame
    itself for ``en``. Values that are not codes (names, numbers) are left as they are.

    >>> show(pd.DataFrame({"row_code": ["new_received"], "count": [3]}), "zh").to_dict("list")
    {'行': ['一、本年新收政府信息公开申请数量'], '件数': [3]}
    """
    if lang != "zh":
        return frame
    out = frame.copy()
    for column in out.columns if not isinstance(out.columns, pd.MultiIndex) else []:
        codes = CODES_ZH.get(column)
        if codes:
            out[column] = out[column].map(lambda v, codes=codes: codes.get(v, v) if isinstance(v, str) else v)
    out.index = _axis(out.index, loose=False)
    out.columns = _axis(out.columns, loose=True)
    return out


def _axis(axis: pd.Index, loose: bool) -> pd.Index:
    """An index or the columns relabelled: each level's values by the codes its name says (and, for
    column headings, :data:`LOOSE_ZH` for the rest; in an index, a margin's "total"), then the level
    names."""
    levels = []
    for i, name in enumerate(axis.names):
        values = axis.get_level_values(i)
        # an unnamed index holds the output tables' names (cell_status_counts), a named one its codes
        rows = {"total": HEADINGS_ZH["total"], **(CODES_ZH["table"] if name is None else {})}
        codes = {**(LOOSE_ZH if loose else rows), **CODES_ZH.get(name, {})}
        levels.append([codes.get(v, v) if isinstance(v, str) else v for v in values])
    names = [HEADINGS_ZH.get(n, n) if isinstance(n, str) else n for n in axis.names]
    if isinstance(axis, pd.MultiIndex):
        return pd.MultiIndex.from_arrays(levels, names=names)
    return pd.Index(levels[0], name=names[0], dtype=object if loose or axis.dtype == object else axis.dtype)
