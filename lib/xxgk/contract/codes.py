"""The one declaration of the report's codes and labels.

Everything that names a row, a column, a proceeding, an outcome, a table-二 item or a prose fact reads
this module: the parser (through the alias table in ``contract/aliases.csv``), the validation, the charts and
the data dictionary in the README. The codes are the project's public data contract (FORMAT.md); the
Chinese labels are the ones the 2021 template prints (国办公开办函〔2021〕30号) or, for rows and measures
that only the trial format has, the 2019 template (国办公开办函〔2019〕60号).

Label *variants* (OCR slips, 合计 for 总计, wrapped labels) are data, not code: see ``aliases.csv``.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType

#: Template versions. "hybrid" is a report that mixes the two (e.g. 2021 table 二 with a single
#: （六）其他处理 row); "unknown" is one whose tables say nothing either way.
TEMPLATES = ("2021", "2019", "hybrid", "unknown")
BOTH = frozenset({"2021", "2019"})


@dataclass(frozen=True)
class Code:
    """A canonical code with its Chinese and English labels.

    ``group`` places a row in its block of the template (e.g. ``denied`` for the eight 不予公开 rows);
    ``templates`` says which template versions print it.
    """

    code: str
    zh: str
    en: str
    group: str = ""
    templates: frozenset[str] = BOTH


# Table 三 columns, in the order the template prints them.
APPLICANTS: tuple[Code, ...] = (
    Code("natural_person", "自然人", "Natural persons"),
    Code("commercial", "商业企业", "Businesses", "legal_person"),
    Code("research", "科研机构", "Research institutions", "legal_person"),
    Code("social_welfare", "社会公益组织", "Public-interest organisations", "legal_person"),
    Code("legal_services", "法律服务机构", "Legal service providers", "legal_person"),
    Code("other_org", "其他", "Other organisations", "legal_person"),
    Code("total", "总计", "Total"),
)

_2021 = frozenset({"2021"})
_2019 = frozenset({"2019"})

# Table 三 rows, in template order. Groups: the received block, then one group per outcome kind
# (these drive the outcome-mix charts), then the two balance rows.
REQUEST_ROWS: tuple[Code, ...] = (
    Code("new_received", "一、本年新收政府信息公开申请数量", "New requests this year", "received"),
    Code("carried_over", "二、上年结转政府信息公开申请数量", "Carried over from last year", "received"),
    Code("granted", "（一）予以公开", "Granted", "granted"),
    Code("partially_granted", "（二）部分公开", "Partly granted", "partially_granted"),
    Code("denied_state_secret", "1.属于国家秘密", "State secret", "denied"),
    Code("denied_law_forbidden", "2.其他法律行政法规禁止公开", "Forbidden by other laws", "denied"),
    Code("denied_security_stability", "3.危及“三安全一稳定”", "Endangers security or stability", "denied"),
    Code("denied_third_party", "4.保护第三方合法权益", "Third-party rights", "denied"),
    Code("denied_internal_affairs", "5.属于三类内部事务信息", "Internal affairs", "denied"),
    Code("denied_process_info", "6.属于四类过程性信息", "Process information", "denied"),
    Code("denied_enforcement_file", "7.属于行政执法案卷", "Enforcement case file", "denied"),
    Code("denied_admin_query", "8.属于行政查询事项", "Administrative query matter", "denied"),
    Code("unable_not_held", "1.本机关不掌握相关政府信息", "Information not held", "unable"),
    Code("unable_needs_creation", "2.没有现成信息需要另行制作", "Would need to be created", "unable"),
    Code("unable_unclear", "3.补正后申请内容仍不明确", "Still unclear after correction", "unable"),
    Code("not_processed_petition", "1.信访举报投诉类申请", "Petition or complaint", "not_processed"),
    Code("not_processed_repeat", "2.重复申请", "Repeated request", "not_processed"),
    Code("not_processed_publication", "3.要求提供公开出版物", "Asks for a publication", "not_processed"),
    Code(
        "not_processed_excessive", "4.无正当理由大量反复申请", "Excessive repeated requests", "not_processed"
    ),
    Code(
        "not_processed_confirmation",
        "5.要求行政机关确认或重新出具已获取信息",
        "Asks to confirm or reissue held information",
        "not_processed",
    ),
    Code(
        "other_overdue_correction",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "Applicant did not complete the request",
        "other",
        _2021,
    ),
    Code(
        "other_overdue_fee",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "Applicant did not pay the fee",
        "other",
        _2021,
    ),
    Code("other_other", "3.其他", "Other handling", "other", _2021),
    Code("other_processed", "（六）其他处理", "Other handling (2019 format)", "other", _2019),
    Code("total_processed", "（七）总计", "Total handled", "total"),
    Code("carried_forward", "四、结转下年度继续办理", "Carried forward to next year", "carried_forward"),
)

#: Group codes of table 三 with their printed labels (the group rows carry no numbers in the template).
ROW_GROUPS: tuple[Code, ...] = (
    Code("received", "收到申请", "Received"),
    Code("granted", "（一）予以公开", "Granted"),
    Code("partially_granted", "（二）部分公开", "Partly granted"),
    Code("denied", "（三）不予公开", "Refused"),
    Code("unable", "（四）无法提供", "Unable to provide"),
    Code("not_processed", "（五）不予处理", "Not processed"),
    Code("other", "（六）其他处理", "Other handling"),
    Code("total", "（七）总计", "Total handled"),
    Code("carried_forward", "四、结转下年度继续办理", "Carried forward"),
)
OUTCOME_GROUPS = ("granted", "partially_granted", "denied", "unable", "not_processed", "other")

# Table 四: three proceedings, five outcomes each, printed as one run of 15 numbers in this order.
PROCEEDINGS: tuple[Code, ...] = (
    Code("review", "行政复议", "Administrative review"),
    Code("litigation_direct", "行政诉讼·未经复议直接起诉", "Litigation, direct"),
    Code("litigation_after_review", "行政诉讼·复议后起诉", "Litigation after review"),
)
OUTCOMES: tuple[Code, ...] = (
    Code("upheld", "结果维持", "Upheld"),
    Code("corrected", "结果纠正", "Corrected"),
    Code("other", "其他结果", "Other result"),
    Code("pending", "尚未审结", "Pending"),
    Code("total", "总计", "Total"),
)

# Table 二 measures; a measure's ``templates`` says which format's column it is.
MEASURES: tuple[Code, ...] = (
    Code("issued", "本年制发件数", "Issued this year", templates=_2021),
    Code("repealed", "本年废止件数", "Repealed this year", templates=_2021),
    Code("in_force", "现行有效件数", "In force", templates=_2021),
    Code("decisions", "本年处理决定数量", "Decisions this year"),
    Code("amount_10k_yuan", "本年收费金额（单位：万元）", "Fees collected (10k yuan)", templates=_2021),
    Code("newly_made", "本年新制作数量", "Newly made", templates=_2019),
    Code("newly_published", "本年新公开数量", "Newly published", templates=_2019),
    Code("total_published", "对外公开总数量", "Total published", templates=_2019),
    Code("previous_year_items", "上一年项目数量", "Items last year", templates=_2019),
    Code("change", "本年增/减", "Change this year", templates=_2019),
    Code("procurement_items", "采购项目数量", "Procurement items", templates=_2019),
    Code("procurement_amount", "采购总金额", "Procurement amount", templates=_2019),
)

# Table 二 items; ``group`` holds the measures each item has in each template, as "2021:a,b|2019:c,d".
PROACTIVE_ITEMS: tuple[Code, ...] = (
    Code(
        "regulations",
        "规章",
        "Regulations",
        "2021:issued,repealed,in_force|2019:newly_made,newly_published,total_published",
    ),
    Code(
        "normative_documents",
        "行政规范性文件",
        "Normative documents",
        "2021:issued,repealed,in_force|2019:newly_made,newly_published,total_published",
    ),
    Code("licensing", "行政许可", "Licensing", "2021:decisions|2019:previous_year_items,change,decisions"),
    Code(
        "other_admin_services",
        "其他对外管理服务事项",
        "Other administrative services",
        "2019:previous_year_items,change,decisions",
        _2019,
    ),
    Code("punishment", "行政处罚", "Punishment", "2021:decisions|2019:previous_year_items,change,decisions"),
    Code("coercion", "行政强制", "Coercion", "2021:decisions|2019:previous_year_items,change,decisions"),
    Code(
        "administrative_fees",
        "行政事业性收费",
        "Administrative fees",
        "2021:amount_10k_yuan|2019:previous_year_items,change",
    ),
    Code(
        "centralized_procurement",
        "政府集中采购",
        "Central procurement",
        "2019:procurement_items,procurement_amount",
        _2019,
    ),
)

# Numbers the prose states (section 一 and 六), with their unit.
FACTS: tuple[Code, ...] = (
    Code("new_received", "本年新收（受理）申请", "New requests (prose)", "件"),
    Code("carried_over", "上年结转申请", "Carried over (prose)", "件"),
    Code("total_processed", "办结申请", "Handled (prose)", "件"),
    Code("carried_forward", "结转下年度", "Carried forward (prose)", "件"),
    Code("review_total", "行政复议", "Administrative reviews (prose)", "件"),
    Code("review_upheld", "行政复议·维持", "Reviews upheld (prose)", "件"),
    Code("review_corrected", "行政复议·纠正", "Reviews corrected (prose)", "件"),
    Code("review_other", "行政复议·其他结果", "Reviews other result (prose)", "件"),
    Code("review_pending", "行政复议·尚未审结", "Reviews pending (prose)", "件"),
    Code("litigation_total", "行政诉讼", "Lawsuits (prose)", "件"),
    Code("litigation_upheld", "行政诉讼·维持", "Lawsuits upheld (prose)", "件"),
    Code("litigation_corrected", "行政诉讼·纠正", "Lawsuits corrected (prose)", "件"),
    Code("litigation_other", "行政诉讼·其他结果", "Lawsuits other result (prose)", "件"),
    Code("litigation_pending", "行政诉讼·尚未审结", "Lawsuits pending (prose)", "件"),
    Code("proactive_published", "主动公开政府信息", "Items published proactively", "条"),
    Code("fee_notices", "发出收费通知", "Fee notices issued", "件"),
    Code("fee_notified_yuan", "收费通知金额", "Fees notified", "元"),
    Code("fee_collected_yuan", "实际收取信息处理费", "Fees actually collected", "元"),
)

#: How each prose fact is checked against the tables: fact code -> (table, row or proceeding, column).
FACT_TABLE_CELLS: dict[str, tuple[str, str, str]] = {
    "new_received": ("requests", "new_received", "total"),
    "carried_over": ("requests", "carried_over", "total"),
    "total_processed": ("requests", "total_processed", "total"),
    "carried_forward": ("requests", "carried_forward", "total"),
    **{f"review_{o.code}": ("reviews", "review", o.code) for o in OUTCOMES},
}
# Litigation in prose is usually the sum of both litigation proceedings.
LITIGATION_PROCEEDINGS = ("litigation_direct", "litigation_after_review")

#: The values of ``cell_status`` in requests, reviews and proactive (FORMAT.md: missing vs "/" vs 0).
CELL_STATUSES: tuple[Code, ...] = (
    Code("printed", "已填写", "The document prints this number"),
    Code("not_applicable", "不适用", 'The document prints "/", "—", "无" or similar: not applicable, not 0'),
    Code(
        "derived",
        "推导",
        "The digits are printed but their cell was placed by the identities (a glued digit "
        "run split, or a value row printed away from its label paired with it); see the issues",
    ),
    Code("missing", "缺失", "The document does not hold this cell (cut off or lost): count is NA"),
)


def codes(table: tuple[Code, ...]) -> list[str]:
    """The codes of a declaration, in template order.

    >>> codes(APPLICANTS)[:2]
    ['natural_person', 'commercial']
    """
    return [c.code for c in table]


def by_code(table: tuple[Code, ...]) -> Mapping[str, Code]:
    """Index a declaration by code.

    >>> by_code(OUTCOMES)["pending"].zh
    '尚未审结'
    """
    index = _BY_CODE.get(id(table))
    if index is None or index[0] is not table:  # the parser asks often: index each declaration once
        index = _BY_CODE[id(table)] = (table, MappingProxyType({c.code: c for c in table}))
    return index[1]


_BY_CODE: dict[int, tuple[tuple, MappingProxyType]] = {}


def request_rows(template: str) -> list[str]:
    """The table-三 rows a template prints, in order (25 for 2021, 23 for 2019).

    A hybrid or unknown template is read with the row set its table 三 shows, decided by the parser; here
    it falls back to the 2021 rows.

    >>> len(request_rows("2021")), len(request_rows("2019"))
    (25, 23)
    """
    return list(_request_rows("2019" if template == "2019" else "2021"))


@cache
def _request_rows(version: str) -> tuple[str, ...]:
    return tuple(r.code for r in REQUEST_ROWS if version in r.templates)


def outcome_rows(template: str) -> list[str]:
    """The rows that add up to total_processed: 21 in 2021, 19 in 2019.

    (FORMAT.md says "the 23 (2019: 21) outcome rows"; counting its own table gives 1 + 1 + 8 + 3 + 5 + 3 = 21.)

    >>> len(outcome_rows("2021")), len(outcome_rows("2019"))
    (21, 19)
    """
    return list(_outcome_rows("2019" if template == "2019" else "2021"))


@cache
def _outcome_rows(version: str) -> tuple[str, ...]:
    groups = set(OUTCOME_GROUPS)
    return tuple(r for r in _request_rows(version) if by_code(REQUEST_ROWS)[r].group in groups)


def item_measures(item: str, template: str) -> list[str]:
    """The measures a table-二 item has in a template.

    >>> item_measures("licensing", "2019")
    ['previous_year_items', 'change', 'decisions']
    >>> item_measures("centralized_procurement", "2021")
    []
    """
    return list(_item_measures(item, "2019" if template == "2019" else "2021"))


@cache
def _item_measures(item: str, version: str) -> tuple[str, ...]:
    for part in by_code(PROACTIVE_ITEMS)[item].group.split("|"):
        name, _, measures = part.partition(":")
        if name == version:
            return tuple(measures.split(","))
    return ()


def label(code: str, table: tuple[Code, ...], lang: str = "zh") -> str:
    """A code's label in Chinese (``zh``) or English (``en``), for charts and tables.

    >>> label("unable_not_held", REQUEST_ROWS, "en")
    'Information not held'
    """
    entry = by_code(table)[code]
    return entry.zh if lang == "zh" else entry.en


@dataclass(frozen=True)
class Alias:
    """One printed variant of a label (a row of ``contract/aliases.csv``).

    ``match`` is ``contains`` (the normalised label text contains the alias) or ``exact`` (the label,
    stripped of its ordinal such as "3." or "（七）", equals the alias; exact aliases are short generic
    words like 其他 or 总计 and only count on a line that also carries numbers).
    """

    table: str
    code: str
    alias: str
    match: str
    templates: frozenset[str]
    note: str


@cache
def aliases() -> tuple[Alias, ...]:
    """The alias table, checked against the declarations above (an unknown code fails loudly)."""
    known = {
        "requests": set(codes(REQUEST_ROWS)),
        "proactive": set(codes(PROACTIVE_ITEMS)),
        "measures": set(codes(MEASURES)),
        "header": {"applicant_header", "table3_header"},
        "groups": {"denied", "unable", "not_processed"},
    }
    text = resources.files("xxgk.contract").joinpath("aliases.csv").read_text(encoding="utf-8")
    rows = []
    for rec in csv.DictReader(line for line in text.splitlines() if not line.startswith("#")):
        if rec["code"] not in known.get(rec["table"], ()):
            raise ValueError(f"aliases.csv: unknown code {rec['code']!r} for table {rec['table']!r}")
        if rec["match"] not in ("contains", "exact"):
            raise ValueError(f"aliases.csv: match must be contains or exact, not {rec['match']!r}")
        templates = BOTH if rec["templates"] in ("", "*") else frozenset(rec["templates"].split("|"))
        rows.append(Alias(rec["table"], rec["code"], rec["alias"], rec["match"], templates, rec["note"]))
    return tuple(rows)
