"""The one declaration of the report's codes and labels.

Everything that names a row, a column, a proceeding, an outcome, a table-二 item or a prose fact reads
this module: the parser (through the alias table in ``contract/aliases.csv``), the validation, the charts and
the generated documentation (the README's data dictionary and ``docs/``). The codes are the project's
public data contract (``docs/template.md``); the Chinese labels are the ones the 2021 template prints
(国办公开办函〔2021〕30号) or, for rows and measures that only the trial format has, the 2019 template
(国办公开办函〔2019〕60号).

Each kind of code is its own typed record, so that a field means one thing: a table-三 row has its block
(:class:`RequestRow`), a table-二 item its measures per template (:class:`ProactiveItem`), a prose fact its
unit (:class:`Fact`); applicants, proceedings, outcomes, row groups and cell statuses are
plain :class:`Code` records.

Label *variants* (OCR slips, 合计 for 总计, wrapped labels) are data, not code: see ``aliases.csv``.

(Longer than most modules: it is the whole template, table by table, and is meant to be read in one place.)
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from types import MappingProxyType

#: The two templates whose tables this module declares (a hybrid report is read with their rows and items).
BOTH = frozenset({"2021", "2019"})

# ---------------------------------------------------------------------------------------------------------
# The records


@dataclass(frozen=True)
class Code:
    """A canonical code with its Chinese and English labels (the base of every record below)."""

    code: str
    zh: str
    en: str


@dataclass(frozen=True)
class RequestRow(Code):
    """A row of table 三: the block of the template it stands in, and the templates that print it.

    ``group`` is a code of :data:`ROW_GROUPS` (e.g. ``denied`` for the eight 不予公开 rows); the outcome
    groups drive the identity total_processed = the sum of the outcome rows, and the outcome-mix charts.
    """

    group: str
    templates: frozenset[str] = BOTH


@dataclass(frozen=True)
class Measure(Code):
    """A column of table 二, with the templates whose table 二 has it."""

    templates: frozenset[str] = BOTH


@dataclass(frozen=True)
class ProactiveItem(Code):
    """An item (row) of table 二, with its measures in each template that prints it, in printed order.

    ``measures`` maps a template ("2021", "2019") to codes of :data:`MEASURES`; a template the item is not
    in has no key.

    >>> ProactiveItem("x", "某", "X", {"2019": ("decisions",)}).templates
    frozenset({'2019'})
    """

    measures: Mapping[str, tuple[str, ...]] = field(hash=False)

    def __post_init__(self) -> None:
        unknown = set(self.measures) - {"2021", "2019"}
        if unknown:
            raise ValueError(f"table-二 item {self.code}: measures for unknown templates {sorted(unknown)}")
        object.__setattr__(self, "measures", MappingProxyType(dict(self.measures)))

    @property
    def templates(self) -> frozenset[str]:
        """The templates whose table 二 prints this item."""
        return frozenset(self.measures)


@dataclass(frozen=True)
class Fact(Code):
    """A number the prose states (sections 一 and 六), with the unit it is stated in (件, 条, 元)."""

    unit: str


# ---------------------------------------------------------------------------------------------------------
# The declarations

#: Template versions, as the ``template`` column of ``reports`` names them.
TEMPLATE_VERSIONS: tuple[Code, ...] = (
    Code(
        "2021",
        "国办公开办函〔2021〕30号《中华人民共和国政府信息公开工作年度报告格式》",
        "The template in force from the reports for 2021 on",
    ),
    Code(
        "2019",
        "国办公开办函〔2019〕60号（试行格式）",
        "The trial format: reports for 2019 and 2020, and some later ones",
    ),
    Code(
        "hybrid",
        "混合",
        "A report that mixes the two (e.g. the 2021 table 二 with a single （六）其他处理 row)",
    ),
    Code("unknown", "未知", "A report whose tables say nothing either way"),
)
TEMPLATES = tuple(t.code for t in TEMPLATE_VERSIONS)
_2021 = frozenset({"2021"})
_2019 = frozenset({"2019"})

#: The six sections of a report, with the heading the template prints (the tables are in 二, 三 and 四).
SECTIONS: tuple[Code, ...] = (
    Code("overview", "一、总体情况", "Overview (prose: the numbers it states go to the facts table)"),
    Code("proactive", "二、主动公开政府信息情况", "Proactive disclosure: table 二 (the proactive table)"),
    Code(
        "requests",
        "三、收到和处理政府信息公开申请情况",
        "Requests received and handled: table 三 (the requests table)",
    ),
    Code(
        "reviews",
        "四、政府信息公开行政复议、行政诉讼情况",
        "Administrative review and litigation: table 四 (the reviews table)",
    ),
    Code("problems", "五、存在的主要问题及改进情况", "Problems and improvements (prose, not read)"),
    Code(
        "other_matters",
        "六、其他需要报告的事项",
        "Other matters: in practice the information-processing fees (信息处理费, 国办函〔2020〕109号), "
        "read into the facts table",
    ),
)

# Table 三 columns, in the order the template prints them.
APPLICANTS: tuple[Code, ...] = (
    Code("natural_person", "自然人", "Natural persons"),
    Code("commercial", "商业企业", "Businesses"),
    Code("research", "科研机构", "Research institutions"),
    Code("social_welfare", "社会公益组织", "Public-interest organisations"),
    Code("legal_services", "法律服务机构", "Legal service providers"),
    Code("other_org", "其他", "Other organisations"),
    Code("total", "总计", "Total"),
)
#: The five applicant columns the template prints under the heading 法人或其他组织. Some reports add a
#: subtotal column for them: it is checked against the five (check ``subtotal_column``), then dropped.
LEGAL_PERSON = Code("legal_person", "法人或其他组织", "Legal persons and other organisations")
LEGAL_PERSON_APPLICANTS = ("commercial", "research", "social_welfare", "legal_services", "other_org")

# Table 三 rows, in template order. Groups: the received block, then one group per outcome kind
# (these drive the outcome-mix charts), then the two balance rows.
REQUEST_ROWS: tuple[RequestRow, ...] = (
    RequestRow("new_received", "一、本年新收政府信息公开申请数量", "New requests this year", "received"),
    RequestRow("carried_over", "二、上年结转政府信息公开申请数量", "Carried over from last year", "received"),
    RequestRow("granted", "（一）予以公开", "Granted", "granted"),
    RequestRow("partially_granted", "（二）部分公开", "Partly granted", "partially_granted"),
    RequestRow("denied_state_secret", "1.属于国家秘密", "State secret", "denied"),
    RequestRow("denied_law_forbidden", "2.其他法律行政法规禁止公开", "Forbidden by other laws", "denied"),
    RequestRow(
        "denied_security_stability", "3.危及“三安全一稳定”", "Endangers security or stability", "denied"
    ),
    RequestRow("denied_third_party", "4.保护第三方合法权益", "Third-party rights", "denied"),
    RequestRow("denied_internal_affairs", "5.属于三类内部事务信息", "Internal affairs", "denied"),
    RequestRow("denied_process_info", "6.属于四类过程性信息", "Process information", "denied"),
    RequestRow("denied_enforcement_file", "7.属于行政执法案卷", "Enforcement case file", "denied"),
    RequestRow("denied_admin_query", "8.属于行政查询事项", "Administrative query matter", "denied"),
    RequestRow("unable_not_held", "1.本机关不掌握相关政府信息", "Information not held", "unable"),
    RequestRow("unable_needs_creation", "2.没有现成信息需要另行制作", "Would need to be created", "unable"),
    RequestRow("unable_unclear", "3.补正后申请内容仍不明确", "Still unclear after correction", "unable"),
    RequestRow("not_processed_petition", "1.信访举报投诉类申请", "Petition or complaint", "not_processed"),
    RequestRow("not_processed_repeat", "2.重复申请", "Repeated request", "not_processed"),
    RequestRow(
        "not_processed_publication", "3.要求提供公开出版物", "Asks for a publication", "not_processed"
    ),
    RequestRow(
        "not_processed_excessive", "4.无正当理由大量反复申请", "Excessive repeated requests", "not_processed"
    ),
    RequestRow(
        "not_processed_confirmation",
        "5.要求行政机关确认或重新出具已获取信息",
        "Asks to confirm or reissue held information",
        "not_processed",
    ),
    RequestRow(
        "other_overdue_correction",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "Applicant did not complete the request",
        "other",
        _2021,
    ),
    RequestRow(
        "other_overdue_fee",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "Applicant did not pay the fee",
        "other",
        _2021,
    ),
    RequestRow("other_other", "3.其他", "Other handling", "other", _2021),
    RequestRow("other_processed", "（六）其他处理", "Other handling (2019 format)", "other", _2019),
    RequestRow("total_processed", "（七）总计", "Total handled", "total"),
    RequestRow(
        "carried_forward", "四、结转下年度继续办理", "Carried forward to next year", "carried_forward"
    ),
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
#: The groups under 三、本年度办理结果: their rows add up to total_processed.
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

# Table 二 measures (columns); ``templates`` says which format's table 二 has the column.
MEASURES: tuple[Measure, ...] = (
    Measure("issued", "本年制发件数", "Issued this year", _2021),
    Measure("repealed", "本年废止件数", "Repealed this year", _2021),
    Measure("in_force", "现行有效件数", "In force", _2021),
    Measure("decisions", "本年处理决定数量", "Decisions this year"),
    Measure("amount_10k_yuan", "本年收费金额（单位：万元）", "Fees collected (10k yuan)", _2021),
    Measure("newly_made", "本年新制作数量", "Newly made", _2019),
    Measure("newly_published", "本年新公开数量", "Newly published", _2019),
    Measure("total_published", "对外公开总数量", "Total published", _2019),
    Measure("previous_year_items", "上一年项目数量", "Items last year", _2019),
    Measure("change", "本年增/减", "Change this year", _2019),
    Measure("procurement_items", "采购项目数量", "Procurement items", _2019),
    Measure("procurement_amount", "采购总金额", "Procurement amount", _2019),
)

# The measures of table 二 items, per template: the 2021 template prints 制发/废止/现行有效 for documents, one
# 处理决定 count for decisions and 收费金额 for fees; the 2019 trial format prints 新制作/新公开/对外公开总数 and
# 上一年项目数量/本年增减 instead, and two more items (其他对外管理服务事项, 政府集中采购).
_DOCUMENTS = {
    "2021": ("issued", "repealed", "in_force"),
    "2019": ("newly_made", "newly_published", "total_published"),
}
_DECISIONS = {"2021": ("decisions",), "2019": ("previous_year_items", "change", "decisions")}

# Table 二 items, in template order.
PROACTIVE_ITEMS: tuple[ProactiveItem, ...] = (
    ProactiveItem("regulations", "规章", "Regulations", _DOCUMENTS),
    ProactiveItem("normative_documents", "行政规范性文件", "Normative documents", _DOCUMENTS),
    ProactiveItem("licensing", "行政许可", "Licensing", _DECISIONS),
    ProactiveItem(
        "other_admin_services",
        "其他对外管理服务事项",
        "Other administrative services",
        {"2019": _DECISIONS["2019"]},
    ),
    ProactiveItem("punishment", "行政处罚", "Punishment", _DECISIONS),
    ProactiveItem("coercion", "行政强制", "Coercion", _DECISIONS),
    ProactiveItem(
        "administrative_fees",
        "行政事业性收费",
        "Administrative fees",
        {"2021": ("amount_10k_yuan",), "2019": ("previous_year_items", "change")},
    ),
    ProactiveItem(
        "centralized_procurement",
        "政府集中采购",
        "Central procurement",
        {"2019": ("procurement_items", "procurement_amount")},
    ),
)

# Numbers the prose states (section 一 and 六), with their unit.
FACTS: tuple[Fact, ...] = (
    Fact("new_received", "本年新收（受理）申请", "New requests (prose)", "件"),
    Fact("carried_over", "上年结转申请", "Carried over (prose)", "件"),
    Fact("total_processed", "办结申请", "Handled (prose)", "件"),
    Fact("carried_forward", "结转下年度", "Carried forward (prose)", "件"),
    Fact("review_total", "行政复议", "Administrative reviews (prose)", "件"),
    Fact("review_upheld", "行政复议·维持", "Reviews upheld (prose)", "件"),
    Fact("review_corrected", "行政复议·纠正", "Reviews corrected (prose)", "件"),
    Fact("review_other", "行政复议·其他结果", "Reviews other result (prose)", "件"),
    Fact("review_pending", "行政复议·尚未审结", "Reviews pending (prose)", "件"),
    Fact("litigation_total", "行政诉讼", "Lawsuits (prose)", "件"),
    Fact("litigation_upheld", "行政诉讼·维持", "Lawsuits upheld (prose)", "件"),
    Fact("litigation_corrected", "行政诉讼·纠正", "Lawsuits corrected (prose)", "件"),
    Fact("litigation_other", "行政诉讼·其他结果", "Lawsuits other result (prose)", "件"),
    Fact("litigation_pending", "行政诉讼·尚未审结", "Lawsuits pending (prose)", "件"),
    Fact("proactive_published", "主动公开政府信息", "Items published proactively", "条"),
    Fact("fee_notices", "发出收费通知", "Fee notices issued", "件"),
    Fact("fee_notified_yuan", "收费通知金额", "Fees notified", "元"),
    Fact("fee_collected_yuan", "实际收取信息处理费", "Fees actually collected", "元"),
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

#: The values of ``cell_status`` in requests, reviews and proactive (docs/missing.md: missing vs "/" vs 0).
CELL_STATUSES: tuple[Code, ...] = (
    Code("printed", "已填写", "The document prints this number"),
    Code(
        "ocr",
        "识别",
        "Read by OCR from a scan or an image (the document prints it as a picture): a read number, not a "
        "printed one; one read with low confidence is missing instead (check ocr_low_confidence)",
    ),
    Code("not_applicable", "不适用", 'The document prints "/", "—", "无" or similar: not applicable, not 0'),
    Code(
        "derived",
        "推导",
        "The digits are printed but their cell was placed by the identities (a glued digit "
        "run split, or a value row printed away from its label paired with it); see the issues",
    ),
    Code(
        "missing",
        "缺失",
        "The document holds no number for this cell (cut off, lost, blank, or printed as something that "
        "is not a count, such as 15件 or -1: an issue quotes it): count is NA",
    ),
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


def _version(template: str) -> str:
    """The template whose rows and items a report is read with: a hybrid or unknown one is read as 2021."""
    return "2019" if template == "2019" else "2021"


def request_rows(template: str) -> list[str]:
    """The table-三 rows a template prints, in order (25 for 2021, 23 for 2019).

    A hybrid or unknown template is read with the row set its table 三 shows, decided by the parser; here
    it falls back to the 2021 rows.

    >>> len(request_rows("2021")), len(request_rows("2019"))
    (25, 23)
    """
    return list(_request_rows(_version(template)))


@cache
def _request_rows(version: str) -> tuple[str, ...]:
    return tuple(r.code for r in REQUEST_ROWS if version in r.templates)


def group_rows(group: str, template: str | None = None) -> list[str]:
    """The table-三 rows of one group (a code of :data:`ROW_GROUPS`), in template order.

    With a template, the rows that template prints (hybrid and unknown read as 2021, as in
    :func:`request_rows`); without one, every row the group has in either template.

    >>> group_rows("unable", "2021")
    ['unable_not_held', 'unable_needs_creation', 'unable_unclear']
    >>> group_rows("other", "2019"), group_rows("other", "hybrid")
    (['other_processed'], ['other_overdue_correction', 'other_overdue_fee', 'other_other'])
    >>> group_rows("other")
    ['other_overdue_correction', 'other_overdue_fee', 'other_other', 'other_processed']
    """
    return list(_group_rows(group, None if template is None else _version(template)))


@cache
def _group_rows(group: str, version: str | None) -> tuple[str, ...]:
    if group not in by_code(ROW_GROUPS):
        raise ValueError(f"unknown row group {group!r}; expected one of {codes(ROW_GROUPS)}")
    return tuple(
        r.code for r in REQUEST_ROWS if r.group == group and (version is None or version in r.templates)
    )


def outcome_rows(template: str) -> list[str]:
    """The rows that add up to total_processed: the rows of the outcome groups, 21 in 2021, 19 in 2019.

    (1 + 1 + 8 + 3 + 5 + 3 = 21; the 2019 format has one （六）其他处理 row for the 2021 template's three.)

    >>> len(outcome_rows("2021")), len(outcome_rows("2019"))
    (21, 19)
    """
    return list(_outcome_rows(_version(template)))


@cache
def _outcome_rows(version: str) -> tuple[str, ...]:  # cached: the identities ask for every report
    return tuple(row for group in OUTCOME_GROUPS for row in _group_rows(group, version))


def item_measures(item: str, template: str) -> list[str]:
    """The measures a table-二 item has in a template (hybrid and unknown read as 2021).

    >>> item_measures("licensing", "2019")
    ['previous_year_items', 'change', 'decisions']
    >>> item_measures("centralized_procurement", "2021")
    []
    """
    return list(by_code(PROACTIVE_ITEMS)[item].measures.get(_version(template), ()))


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
