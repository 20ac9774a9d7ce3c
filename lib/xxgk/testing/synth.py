"""Synthetic reports: random, internally consistent reports with their truth, in the layouts the parser reads.

Why: five real seeds cannot show that the parser gives back *every* cell for every layout, nor that it
survives corrupted input. :func:`draw` makes a random report whose cells satisfy every identity of
docs/identities.md (row totals, new + carried over = handled + carried forward, outcome rows = total handled, each
table-四 block), with counts from 0 to millions, some cells or whole rows printed as "/" (not applicable),
agencies and years; :func:`render` prints it in one of the layouts real reports reach us in:

- ``pdftotext``: space-separated cells, labels wrapped at a column width with their numbers on the next
  line, one-character vertical headers and group labels, the table-三 header repeated at page breaks;
- ``tsv``: tab-separated export with extra empty cells, group labels in leading cells, missing cells empty;
- ``ocr``: markdown from OCR, headings with ``#``, ``<del>``/``<b>`` markup and noise lines (no digits),
  vertical group label characters in the first cell of successive rows, rows split over two lines;
- ``html``: a web page, tables with rowspan group labels and colspan headers, lost cells blank;

and, apart from :data:`LAYOUTS` (it is measured on its own, by :mod:`xxgk.testing.runs`):

- ``webtext``: the text of a web page that lost its cell separators: each row's cells glued into one run of
  digits after its label (sometimes a separator survives as a space), table 四 as one run at the end of its
  header line or on a line of its own, and at times the whole document flattened onto one line;

and :func:`truncate` cuts a rendering after a row of table 三 (a download or extraction that stopped).

Every label comes from :mod:`xxgk.contract.codes` (the one declaration), and label variants from the alias table
``contract/aliases.csv``: a variant is the template label with one of its code's aliases swapped for another.
Only template boilerplate that is not a code (section headings, the 勾稽关系 note) is written here.

The truth is the cells as printed: an int or Decimal, ``NA_MARK`` for a "/" cell, ``None`` for a cell the
rendering does not hold. :func:`compare` lists every difference between parsed tables and the truth.

(Longer than most modules: the truth and its renderings are kept side by side, since each renderer must
print exactly the truth's cells and reading them together is how that is checked.)
"""

from __future__ import annotations

import random
import tempfile
from dataclasses import dataclass, field, replace
from decimal import Decimal
from html import escape as html_escape
from pathlib import Path

import pandas as pd

from xxgk.contract import codes

LAYOUTS = ("pdftotext", "tsv", "ocr", "html")
#: The file name each layout is parsed under (the parser picks its reader by extension).
FILE_NAMES = {
    "webtext": "synthetic.txt",
    "pdftotext": "synthetic.txt",
    "tsv": "synthetic.txt",
    "ocr": "synthetic.md",
    "html": "synthetic.html",
}
NA_MARK = "/"  # how a not-applicable cell is printed (docs/missing.md lists the marks; "/" is the common one)

_APPLICANTS = codes.codes(codes.APPLICANTS)
_OUTCOMES = codes.codes(codes.OUTCOMES)
_PROCEEDINGS = codes.codes(codes.PROCEEDINGS)
_ROWS = codes.by_code(codes.REQUEST_ROWS)

# Template boilerplate (国办公开办函〔2021〕30号 and 〔2019〕60号): headings and notes, not codes.
_HEADINGS = {
    "一": ("一、总体情况",),
    "二": ("二、主动公开政府信息情况",),
    "三": ("三、收到和处理政府信息公开申请情况",),
    "四": (
        "四、政府信息公开行政复议、行政诉讼情况",
        "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况",
    ),
    "五": ("五、存在的主要问题及改进情况",),
    "六": ("六、其他需要报告的事项",),
}
_BALANCE_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
_APPLICANT_HEAD = "申请人情况"
_LEGAL_PERSON_HEAD = "法人或其他组织"
_RESULTS_GROUP = "三、本年度办理结果"
# 第二十条 paragraphs of table 二 and the items under each, per template.
_TABLE2_BLOCKS = {
    "2021": (
        ("（一）", ("regulations", "normative_documents")),
        ("（五）", ("licensing",)),
        ("（六）", ("punishment", "coercion")),
        ("（八）", ("administrative_fees",)),
    ),
    "2019": (
        ("（一）", ("regulations", "normative_documents")),
        ("（五）", ("licensing", "other_admin_services")),
        ("（六）", ("punishment", "coercion")),
        ("（八）", ("administrative_fees",)),
        ("（九）", ("centralized_procurement",)),
    ),
}
# 2019 prints 规范性文件 (the alias), 2021 行政规范性文件 (the code's label).
_ITEM_LABEL_2019 = {"normative_documents": "规范性文件"}

# Agencies: a place, then a kind of agency. Names only; nothing here is a code.
_PLACES = (
    ("广东省", "广州市", "番禺区"),
    ("", "广州市", "荔湾区"),
    ("", "深圳市", "南山区"),
    ("浙江省", "杭州市", "西湖区"),
    ("", "成都市", "武侯区"),
    ("湖南省", "长沙县", ""),
    ("", "苏州市", ""),
    ("四川省", "", ""),
    ("", "", "番禺区"),
)
_AGENCY_KINDS = (
    "人民政府",
    "政务服务数据管理局",
    "信访局",
    "教育局",
    "人民政府办公室",
    "卫生健康委员会",
    "市场监督管理局",
)
_FILLER = (
    "坚持以公开为常态、不公开为例外，持续深化政务公开。",
    "进一步完善政府信息公开工作机制，规范依申请公开办理流程。",
    "加强政府网站和政务新媒体管理，提升公开实效。",
    "下一步，将继续加强培训，提高工作人员业务水平。",
)


@dataclass(frozen=True)
class Truth:
    """A synthetic report's cells as printed, and its metadata."""

    agency: str
    year: int
    template: str  # "2021" or "2019"
    requests: dict[str, tuple]  # row code -> 7 cells (int, NA_MARK, or None = not in the rendering)
    reviews: dict[str, tuple]  # proceeding -> 5 cells
    proactive: dict[tuple[str, str], object]  # (item, measure) -> Decimal, NA_MARK or None
    facts: dict[str, int] = field(default_factory=dict)  # prose facts the rendering states

    @property
    def request_rows(self) -> list[str]:
        return codes.request_rows(self.template)


@dataclass(frozen=True)
class Rendering:
    """One rendering of a report: its text, layout, truth, and the line each table-三 row ends on."""

    text: str
    layout: str
    truth: Truth
    row_ends: dict[str, int]  # row code -> 0-based index of the row's last line in text.splitlines()
    truncated_after: str | None = None  # the last table-三 row kept, for a truncated rendering

    def bytes(self, encoding: str = "utf-8") -> bytes:
        return self.text.encode(encoding)


# ---------------------------------------------------------------------------------------------------------
# Drawing a report


def _count(rng: random.Random, scale: int) -> int:
    """Mostly zeros and small counts, sometimes thousands, rarely millions (the corpus's real spread)."""
    r = rng.random()
    if r < 0.45:
        return 0
    if r < 0.8:
        return rng.randint(1, 9)
    if r < 0.95:
        return rng.randint(10, 10 * scale)
    return rng.randint(1000, 1000 * scale)


def draw(rng: random.Random, template: str | None = None) -> Truth:
    """A random report whose cells satisfy every identity (docs/identities.md)."""
    template = template or rng.choice(("2021", "2021", "2019"))
    year = rng.randint(2021, 2024) if template == "2021" else rng.choice((2019, 2020, 2020, 2021))
    province, city, district = rng.choice(_PLACES)
    agency = province + city + district + rng.choice(_AGENCY_KINDS)
    scale = rng.choice((1, 1, 10, 100, 1000))  # a few agencies handle tens of thousands of requests
    rows = codes.request_rows(template)
    outcome_rows = codes.outcome_rows(template)
    na_rows = {r for r in outcome_rows if rng.random() < 0.08}  # printed "/" across: counted as 0
    numbers: dict[str, list[int]] = {r: [0] * 6 for r in rows}
    for j in range(6):
        busy = rng.random() < (0.8 if j == 0 else 0.3)  # natural persons file most requests
        for r in outcome_rows:
            if r not in na_rows and busy:
                numbers[r][j] = _count(rng, scale)
        handled = sum(numbers[r][j] for r in outcome_rows)
        forward = _count(rng, scale) if busy else 0
        over = min(_count(rng, scale), handled + forward)
        numbers["total_processed"][j] = handled
        numbers["carried_forward"][j] = forward
        numbers["carried_over"][j] = over
        numbers["new_received"][j] = handled + forward - over
    requests = {}
    for r in rows:
        cells: list = [*numbers[r], sum(numbers[r])]
        if r in na_rows:
            requests[r] = (NA_MARK,) * 7
        else:
            requests[r] = tuple(NA_MARK if c == 0 and rng.random() < 0.02 else c for c in cells)
    reviews = {}
    for p in _PROCEEDINGS:
        parts = [_count(rng, 1) if rng.random() < 0.5 else 0 for _ in range(4)]
        reviews[p] = (*parts, sum(parts))
    proactive = {}
    for item in codes.PROACTIVE_ITEMS:
        for measure in codes.item_measures(item.code, template):
            if measure in ("amount_10k_yuan", "procurement_amount") and rng.random() < 0.6:
                value: object = Decimal(rng.randint(0, 10 ** rng.randint(1, 7))) / 100
            elif measure == "change":
                value = Decimal(rng.randint(-20, 20))
            else:
                value = Decimal(_count(rng, scale))
            proactive[(item.code, measure)] = NA_MARK if rng.random() < 0.03 else value
    facts = {}
    if rng.random() < 0.7 and isinstance(requests["new_received"][6], int):
        facts["new_received"] = requests["new_received"][6]
    if rng.random() < 0.5 and isinstance(requests["carried_forward"][6], int):
        facts["carried_forward"] = requests["carried_forward"][6]
    if rng.random() < 0.5:
        facts["review_total"] = reviews["review"][4]
    return Truth(agency, year, template, requests, reviews, proactive, facts)


def with_missing_cells(truth: Truth, rng: random.Random, share: float = 0.05) -> Truth:
    """The same report with some table-三 cells lost (rendered empty in layouts that keep cell positions).

    The total column is never lost here: a tab-separated export whose trailing empty cells were trimmed
    cannot say which column a short row ends in (see the report on issue 5).
    """
    requests = {
        r: tuple(None if i < 6 and rng.random() < share else c for i, c in enumerate(cells))
        for r, cells in truth.requests.items()
    }
    return replace(truth, requests=requests)


# ---------------------------------------------------------------------------------------------------------
# Labels (from codes.py and aliases.csv only)


def label_variants(table: str, code: str, label: str) -> list[str]:
    """The template label, and each variant made by swapping one alias of the code for another.

    >>> "四、结转下一年度继续办理" in label_variants("requests", "carried_forward", "四、结转下年度继续办理")
    True
    >>> "（七）合计" in label_variants("requests", "total_processed", "（七）总计")
    True
    """
    out = [label]
    aliases = [a for a in codes.aliases() if a.table == table and a.code == code]
    for a in aliases:
        if a.alias not in label:
            continue
        for b in aliases:
            if b.match == a.match and b.alias not in label and a.alias not in b.alias:
                variant = label.replace(a.alias, b.alias, 1)
                if variant not in out:
                    out.append(variant)
    return out


def _row_label(code: str, rng: random.Random, variants: bool) -> str:
    label = _ROWS[code].zh
    if code == "other_processed":
        return label
    return rng.choice(label_variants("requests", code, label)) if variants else label


def _fmt(value, rng_sep: bool) -> str:
    if value is None:
        return ""
    if value == NA_MARK:
        return NA_MARK
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text if not rng_sep or abs(value) < 1000 or "." in text else f"{int(value):,}"
    return f"{value:,}" if rng_sep else str(value)


_NUMERALS = frozenset("0123456789,.")


def _wrap(text: str, width: int) -> list[str]:
    """Cut a text into lines of ``width`` characters, never inside a number (layout engines keep digit
    runs whole; a number split over two lines is damage, left to the fuzz run)."""
    lines, start = [], 0
    while start < len(text):
        end = min(len(text), start + width)
        while start + 1 < end < len(text) and text[end - 1] in _NUMERALS and text[end] in _NUMERALS:
            end -= 1
        lines.append(text[start:end])
        start = end
    return lines or [""]


# ---------------------------------------------------------------------------------------------------------
# Rendering


@dataclass
class _Doc:
    """Lines being written, with the index of the line each table-三 row ends on."""

    lines: list[str] = field(default_factory=list)
    row_ends: dict[str, int] = field(default_factory=dict)

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def end_row(self, code: str) -> None:
        self.row_ends[code] = len(self.lines) - 1


def _prose(truth: Truth, rng: random.Random) -> list[str]:
    sentences = [rng.choice(_FILLER)]
    sep = rng.random() < 0.3
    if "new_received" in truth.facts:
        sentences.append(f"本年度共受理政府信息公开申请{_fmt(truth.facts['new_received'], sep)}件。")
    if "carried_forward" in truth.facts:
        sentences.append(f"结转下年度继续办理{_fmt(truth.facts['carried_forward'], sep)}件。")
    if "review_total" in truth.facts:
        sentences.append(f"全年因政府信息公开工作被申请行政复议{truth.facts['review_total']}件。")
    sentences.append(rng.choice(_FILLER))
    return sentences


def _title(truth: Truth, rng: random.Random) -> list[str]:
    if rng.random() < 0.5:
        return [f"{truth.agency}{truth.year}年政府信息公开工作年度报告"]
    return [f"{truth.agency} {truth.year} 年", "政府信息公开工作年度报告"]


def _table2_rows(truth: Truth) -> list[tuple[str, list[tuple[str, list]]]]:
    """Table 二 as blocks: (第二十条 paragraph, [(header measures or item label, cells)])."""
    by_measure = codes.by_code(codes.MEASURES)
    blocks = []
    for para, items in _TABLE2_BLOCKS[truth.template]:
        measures = codes.item_measures(items[0], truth.template)
        rows = [("信息内容", [by_measure[m].zh for m in measures])]
        for item in items:
            label = (
                _ITEM_LABEL_2019.get(item, codes.label(item, codes.PROACTIVE_ITEMS))
                if truth.template == "2019"
                else codes.label(item, codes.PROACTIVE_ITEMS)
            )
            rows.append(
                (label, [truth.proactive[(item, m)] for m in codes.item_measures(item, truth.template)])
            )
        blocks.append((f"第二十条第{para}项", rows))
    return blocks


def _groups_before(code: str, template: str) -> str | None:
    """The group label printed before a row that opens its group (（三）不予公开 before 1.属于国家秘密)."""
    group = _ROWS[code].group
    rows = codes.group_rows(group, template)
    opens_group = group in ("denied", "unable", "not_processed") or (group == "other" and template == "2021")
    if opens_group and rows[0] == code:
        return codes.by_code(codes.ROW_GROUPS)[group].zh
    return None


def render(truth: Truth, layout: str, rng: random.Random) -> Rendering:
    """Print a report in one layout."""
    doc = _Doc()
    {
        "pdftotext": _render_pdftotext,
        "tsv": _render_tsv,
        "ocr": _render_ocr,
        "html": _render_html,
        "webtext": _render_webtext,
    }[layout](truth, rng, doc)
    return Rendering("\n".join(doc.lines) + "\n", layout, truth, doc.row_ends)


def truncate(rendering: Rendering, after: str) -> Rendering:
    """The rendering cut after table-三 row ``after``: later rows (and tables 四, 五, 六) are not in it."""
    lines = rendering.text.splitlines()[: rendering.row_ends[after] + 1]
    rows = rendering.truth.request_rows
    keep = set(rows[: rows.index(after) + 1])
    truth = replace(
        rendering.truth,
        requests={r: (c if r in keep else (None,) * 7) for r, c in rendering.truth.requests.items()},
        reviews={p: (None,) * 5 for p in rendering.truth.reviews},
    )
    return Rendering(
        "\n".join(lines) + "\n",
        rendering.layout,
        truth,
        {r: i for r, i in rendering.row_ends.items() if r in keep},
        after,
    )


# pdftotext ---------------------------------------------------------------------------------------------


def _vertical(text: str) -> list[str]:
    return list(text)


def _render_pdftotext(truth: Truth, rng: random.Random, doc: _Doc) -> None:
    _Pdftotext(truth, rng, doc).render()


class _Pdftotext:
    """pdftotext's plain output of a ruled report: vertical headers, wrapped labels, numbers apart."""

    def __init__(self, truth: Truth, rng: random.Random, doc: _Doc) -> None:
        self.truth, self.rng, self.doc = truth, rng, doc
        self.blank = rng.random() < 0.5  # pdftotext -layout off puts a blank line between most lines
        self.sep = rng.random() < 0.2
        self.width = rng.randint(10, 22)
        self.variants = rng.random() < 0.5

    def add(self, *lines: str) -> None:
        for ln in lines:
            self.doc.add(ln)
            if self.blank and self.rng.random() < 0.7:
                self.doc.add("")

    def render(self) -> None:
        truth, rng, add, sep = self.truth, self.rng, self.add, self.sep
        add(*_title(truth, rng))
        add(_HEADINGS["一"][0])
        for s in _prose(truth, rng):
            add(*_wrap(s, rng.randint(20, 30)))
        add(_HEADINGS["二"][0])
        for para, rows in _table2_rows(truth):
            add(para)
            for label, cells in rows:
                add(" ".join([label, *[c if label == "信息内容" else _fmt(c, sep) for c in cells]]))
        add(_HEADINGS["三"][0])
        self.header()
        for code in truth.request_rows:
            self.row(code)
        add(rng.choice(_HEADINGS["四"]))
        add(codes.PROCEEDINGS[0].zh + " " + codes.PROCEEDINGS[1].zh[:4])
        for _ in range(3):
            for o in codes.OUTCOMES:
                add(*_vertical(o.zh))
        add(" ".join(_fmt(c, sep) for p in _PROCEEDINGS for c in truth.reviews[p]))
        add(_HEADINGS["五"][0], *_wrap(rng.choice(_FILLER), 24), _HEADINGS["六"][0], "无其他需要报告的事项。")

    def header(self) -> None:
        """Table 三's header: the balance note, then applicant names printed vertically or wrapped."""
        add = self.add
        add(*_wrap(_BALANCE_NOTE, 18), _APPLICANT_HEAD)
        add(*_vertical(codes.APPLICANTS[0].zh), _LEGAL_PERSON_HEAD, *_vertical(codes.APPLICANTS[-1].zh))
        for a in codes.APPLICANTS[1:-1]:
            add(*_wrap(a.zh, 2))

    def row(self, code: str) -> None:
        """One table-三 row: the group labels that open it, its label (wrapped if long), its numbers."""
        add, rng = self.add, self.rng
        if code == "granted":
            add(
                *_vertical(_RESULTS_GROUP[:2]) if rng.random() < 0.5 else [_RESULTS_GROUP[:2]],
                *_vertical(_RESULTS_GROUP[2:]),
            )
        group = _groups_before(code, self.truth.template)
        if group:
            if rng.random() < 0.15 and code != "denied_state_secret":
                self.header()  # a page break repeats the header
            add(group[:3], *_wrap(group[3:], 2))
        numbers = [_fmt(c, self.sep) for c in self.truth.requests[code]]
        label = _row_label(code, rng, self.variants)
        if len(label) <= self.width:
            add(" ".join([label, *numbers]))
        else:
            add(*_wrap(label, self.width))
            if rng.random() < 0.5:
                add(" ".join(numbers))
            else:  # the total printed apart, as pdftotext does for a vertically centred cell
                add(" ".join(numbers[:6]))
                add(numbers[6])
        self.doc.end_row(code)


# tab-separated ---------------------------------------------------------------------------------------------


def _render_tsv(truth: Truth, rng: random.Random, doc: _Doc) -> None:
    sep = rng.random() < 0.2
    pad = rng.random() < 0.5  # an empty cell between the label and the numbers
    variants = rng.random() < 0.5
    doc.add("", "", *_title(truth, rng), "", _HEADINGS["一"][0], "")
    for s in _prose(truth, rng):
        doc.add(s, "")
    doc.add(_HEADINGS["二"][0], "")
    for para, rows in _table2_rows(truth):
        doc.add(para + "\t\t\t")
        for label, cells in rows:
            printed = [c if label == "信息内容" else _fmt(c, sep) for c in cells]
            doc.add("\t".join([label, *printed, *[""] * (3 - len(printed))]))
    doc.add("", _HEADINGS["三"][0], "")
    doc.add(
        _BALANCE_NOTE
        + "\t\t"
        + codes.APPLICANTS[0].zh
        + "\t"
        + _LEGAL_PERSON_HEAD
        + "\t" * 5
        + codes.APPLICANTS[-1].zh
        + "\t"
    )
    doc.add("\t\t\t" + "\t".join(a.zh for a in codes.APPLICANTS[1:-1]) + "\t\t")
    for code in truth.request_rows:
        cells = ["" if c is None else _fmt(c, sep) for c in truth.requests[code]]
        label = _row_label(code, rng, variants)
        group = _groups_before(code, truth.template)
        if code in ("new_received", "carried_over", "carried_forward"):
            lead = [label]
        elif code == "granted":
            lead = [_RESULTS_GROUP, label]
        elif group:
            lead = ["", group, label]
        elif code in ("partially_granted", "total_processed", "other_processed"):
            lead = ["", label]
        else:
            lead = ["", "", label]
        doc.add("\t".join([*lead, *([""] if pad else []), *cells, ""]))
        doc.end_row(code)
    doc.add("", rng.choice(_HEADINGS["四"]), "")
    doc.add(codes.PROCEEDINGS[0].zh + "\t" * 5 + "行政诉讼" + "\t" * 9)
    doc.add("\t".join(o.zh for o in codes.OUTCOMES) + "\t" + "未经复议直接起诉" + "\t" * 5 + "复议后起诉")
    doc.add("\t".join(_fmt(c, sep) for p in _PROCEEDINGS for c in truth.reviews[p]))
    doc.add("", _HEADINGS["五"][0], "", rng.choice(_FILLER), "", _HEADINGS["六"][0], "", "无。")


# OCR markdown ----------------------------------------------------------------------------------------------

_OCR_NOISE = (
    "( <del> </del>\t- <i> </i>\t的复数光彩生 数 语抽效一\t法人或其他组织",
    "<b>申请人情况</b>",
    "|  |  |",
    "坝之\t小山,寸\t于第三项加第四项之和)",
)


def _markup(label: str, rng: random.Random) -> str:
    r = rng.random()
    if r < 0.1:
        return f"<b>{label}</b>"
    if r < 0.15:
        return f"**{label}**"
    if r < 0.2 and len(label) > 3:
        return label[:2] + "<del></del>" + label[2:]
    return label


def _split_point(code: str, label: str, rng: random.Random) -> int | None:
    """Where OCR may split a long label over two lines: somewhere after the first alias of the row ends.

    A split that cuts every alias of the row in two leaves neither line recognisable: the parser does not
    join two labelled lines that both carry numbers (see BENCHMARKS.md, "Limits found"), so we do not
    render that case.
    """
    ends = [
        label.find(a.alias) + len(a.alias)
        for a in codes.aliases()
        if a.table == "requests" and a.code == code and a.match == "contains" and a.alias in label
    ]
    if len(label) <= 14 or not ends or min(ends) > len(label) - 2:
        return None
    return rng.randint(min(ends), len(label) - 2)


def _render_ocr(truth: Truth, rng: random.Random, doc: _Doc) -> None:
    sep = rng.random() < 0.2
    variants = rng.random() < 0.5
    doc.add("# " + f"{truth.agency} {truth.year} 年 政府信息公开工作年度报告", "")
    doc.add("#### " + _HEADINGS["一"][0], "")
    doc.add("".join(_prose(truth, rng)), "")
    doc.add("## " + _HEADINGS["二"][0], "")
    for para, rows in _table2_rows(truth):
        doc.add("\t" + para.replace("第二十条", "第二十条\t") + "\t" * 8)
        for label, cells in rows:
            printed = [c if label == "信息内容" else _fmt(c, sep) for c in cells]
            doc.add("\t".join([label, *printed]) + "\t" * 8)
    doc.add("")
    if rng.random() < 0.5:
        doc.add("#### " + _HEADINGS["三"][0], "")
    else:
        doc.add("## " + _HEADINGS["三"][0], "")
    vertical = iter(_RESULTS_GROUP[2:])
    for code in truth.request_rows:
        if (
            code in ("granted", "denied_state_secret", "unable_not_held", "not_processed_petition")
            and rng.random() < 0.4
        ):
            doc.add(rng.choice(_OCR_NOISE))
        cells = ["" if c is None else _fmt(c, sep) for c in truth.requests[code]]
        label = _row_label(code, rng, variants)
        if code == "carried_over" and rng.random() < 0.5:
            label = "_," + label.removeprefix("二、")  # an OCR slip seen in real reports
        group = _groups_before(code, truth.template)
        lead = "\t".join([group or "", ""]) if group else "\t"
        if code == "granted":
            lead = _RESULTS_GROUP[:2] + "\t"
        elif _ROWS[code].group in codes.OUTCOME_GROUPS:
            lead = next(vertical, "") + "\t" + (group or "")
        cut = _split_point(code, label, rng)
        if cut and rng.random() < 0.5:
            # An OCR row split over two lines (as in the seeds): each line holds some cells in their columns
            # and both end with the total, so every line keeps its column positions.
            first = [c if rng.random() < 0.6 else "" for c in cells[:6]] + [cells[6]]
            second = ["" if f else c for f, c in zip(first[:6], cells[:6], strict=False)] + [cells[6]]
            doc.add("\t".join([lead, _markup(label[:cut], rng), *first, ""]))
            doc.add("\t".join(["", _markup(label[cut:], rng), *second, ""]))
        else:
            doc.add("\t".join([lead, _markup(label, rng), *cells, ""]))
        doc.end_row(code)
    doc.add("", "# " + rng.choice(_HEADINGS["四"]), "")
    doc.add("行政复议" + "\t" * 6 + "行政诉讼")
    doc.add("\t".join(o.zh[0] for o in codes.OUTCOMES * 3))
    doc.add("\t".join(o.zh[1] for o in codes.OUTCOMES * 3))
    doc.add("\t".join(_fmt(c, sep) for p in _PROCEEDINGS for c in truth.reviews[p]))
    doc.add(
        "",
        "### " + _HEADINGS["五"][0],
        "",
        rng.choice(_FILLER),
        "",
        "## " + _HEADINGS["六"][0],
        "",
        "本年度未收取信息处理费。",
    )


# HTML --------------------------------------------------------------------------------------------------------


def _td(text, rowspan: int = 1, colspan: int = 1) -> str:
    attrs = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (
        f' colspan="{colspan}"' if colspan > 1 else ""
    )
    return f"<td{attrs}>{html_escape(str(text))}</td>"


def _render_html(truth: Truth, rng: random.Random, doc: _Doc) -> None:
    """One block per line (the row_ends index lines of this text, which is also how html.py numbers them
    only approximately, so truncation cuts the HTML text by its own lines and stays well-formed enough)."""
    sep = rng.random() < 0.2
    variants = rng.random() < 0.5
    title = f"{truth.agency}{truth.year}年政府信息公开工作年度报告"
    doc.add(f'<html><head><meta charset="utf-8"><title>{title}</title></head><body>')
    doc.add(f"<h1>{title}</h1>", f"<h2>{_HEADINGS['一'][0]}</h2>")
    doc.add(*(f"<p>{s}</p>" for s in _prose(truth, rng)))
    doc.add(f"<h2>{_HEADINGS['二'][0]}</h2>", "<table>")
    for para, rows in _table2_rows(truth):
        doc.add(f"<tr>{_td(para, colspan=4)}</tr>")
        for label, cells in rows:
            printed = [c if label == "信息内容" else _fmt(c, sep) for c in cells]
            doc.add(
                "<tr>"
                + _td(label)
                + "".join(_td(c) for c in printed)
                + (_td("", colspan=3 - len(printed)) if len(printed) < 3 else "")
                + "</tr>"
            )
    doc.add("</table>", f"<h2>{_HEADINGS['三'][0]}</h2>", "<table>")
    doc.add("<tr>" + _td(_BALANCE_NOTE, rowspan=3, colspan=3) + _td(_APPLICANT_HEAD, colspan=7) + "</tr>")
    doc.add(
        "<tr>"
        + _td(codes.APPLICANTS[0].zh, rowspan=2)
        + _td(_LEGAL_PERSON_HEAD, colspan=5)
        + _td(codes.APPLICANTS[-1].zh, rowspan=2)
        + "</tr>"
    )
    doc.add("<tr>" + "".join(_td(a.zh) for a in codes.APPLICANTS[1:-1]) + "</tr>")
    rows = truth.request_rows
    results = codes.outcome_rows(truth.template)
    for code in rows:
        cells = "".join(_td("" if c is None else _fmt(c, sep)) for c in truth.requests[code])
        label = _row_label(code, rng, variants)
        group = _ROWS[code].group
        members = codes.group_rows(group, truth.template)
        lead = ""
        if code == results[0]:
            lead += _td(_RESULTS_GROUP, rowspan=len(results))
        if code in ("new_received", "carried_over", "carried_forward"):
            lead += _td(label, colspan=3)
        elif code in ("granted", "partially_granted", "total_processed", "other_processed"):
            lead += _td(label, colspan=2)
        else:
            if code == members[0]:
                lead += _td(codes.by_code(codes.ROW_GROUPS)[group].zh, rowspan=len(members))
            lead += _td(label)
        doc.add(f"<tr>{lead}{cells}</tr>")
        doc.end_row(code)
    doc.add("</table>", f"<h2>{rng.choice(_HEADINGS['四'])}</h2>", "<table>")
    doc.add(
        "<tr>" + _td(codes.PROCEEDINGS[0].zh, colspan=5, rowspan=2) + _td("行政诉讼", colspan=10) + "</tr>"
    )
    doc.add("<tr>" + _td("未经复议直接起诉", colspan=5) + _td("复议后起诉", colspan=5) + "</tr>")
    doc.add("<tr>" + "".join(_td(o.zh) for o in codes.OUTCOMES * 3) + "</tr>")
    doc.add("<tr>" + "".join(_td(_fmt(c, sep)) for p in _PROCEEDINGS for c in truth.reviews[p]) + "</tr>")
    doc.add(
        "</table>",
        f"<h2>{_HEADINGS['五'][0]}</h2>",
        f"<p>{rng.choice(_FILLER)}</p>",
        f"<h2>{_HEADINGS['六'][0]}</h2>",
        "<p>无。</p>",
        "</body></html>",
    )


def render_docx(truth: Truth, rng: random.Random, **variants) -> bytes:
    """The report as a Word document: the ``html`` layout's blocks, tables written with Word's merges
    (:func:`xxgk.testing.docx_write.document`; ``variants``: ``split`` cuts table 三 at that row with its
    header printed again, ``frame``, ``field_numbers``, ``textbox``)."""
    from xxgk.testing import docx_write

    split = variants.pop("split", None)
    blocks = docx_write.from_html(render(truth, "html", rng).text)
    return docx_write.document(blocks, split={1: split} if split else None, **variants)


# web text ----------------------------------------------------------------------------------------------


def glued_run(cells, rng: random.Random, spaces: float = 0.15) -> str:
    """Cells printed with their separators lost: digits run together; now and then a separator survives as a
    space. A not-applicable mark is not a digit: it keeps spaces around it.

    >>> glued_run([31, 0, 0, 0, 0, 0, 31], random.Random(1), spaces=0)
    '310000031'
    """
    out = ""
    for i, cell in enumerate(cells):
        text = _fmt(cell, False)
        if i and (cell == NA_MARK or out.endswith(NA_MARK) or rng.random() < spaces):
            out += " "
        out += text
    return out


def _render_webtext(truth: Truth, rng: random.Random, doc: _Doc) -> None:
    """A web page's text with its cell separators lost (as pingtan_2022 in data/raw): see the module doc.

    One piece per row or heading; with ``flat`` the pieces are joined onto one line (``row_ends`` then all
    point at it).
    """
    flat = rng.random() < 0.4
    spaces = rng.choice((0.0, 0.0, 0.1, 0.3))  # how often a separator survives as a space
    pieces: list[str] = []
    ends: dict[str, int] = {}
    gap = " " if rng.random() < 0.5 else ""  # between a label and its run

    pieces += [
        f"{truth.agency}{truth.year}年政府信息公开工作年度报告",
        _HEADINGS["一"][0],
        *_prose(truth, rng),
    ]
    pieces.append(_HEADINGS["二"][0])
    for para, rows in _table2_rows(truth):
        head, *items = rows
        pieces.append(f"{para} {head[0]} {' '.join(head[1])}")
        pieces += [label + gap + glued_run(cells, rng, spaces) for label, cells in items]
    pieces += [
        _HEADINGS["三"][0],
        _BALANCE_NOTE,
        " ".join([_APPLICANT_HEAD, *(a.zh for a in codes.APPLICANTS)]),
    ]
    for code in truth.request_rows:
        if code == "granted":
            pieces.append(_RESULTS_GROUP)
        group = _groups_before(code, truth.template)
        if group:
            pieces.append(group)
        run = glued_run(truth.requests[code], rng, spaces)
        pieces.append(_row_label(code, rng, False) + (" " if run.startswith(NA_MARK) else gap) + run)
        ends[code] = len(pieces) - 1
    header = " ".join(
        [codes.PROCEEDINGS[0].zh, "行政诉讼", *(o.zh for o in codes.OUTCOMES)]
        + ["未经复议直接起诉", "复议后起诉"]
        + [o.zh for o in codes.OUTCOMES * 2]
    )
    run = glued_run([c for p in _PROCEEDINGS for c in truth.reviews[p]], rng, spaces)
    pieces.append(rng.choice(_HEADINGS["四"]))
    pieces += [f"{header} {run}"] if rng.random() < 0.5 else [header, run]
    pieces += [_HEADINGS["五"][0], rng.choice(_FILLER), _HEADINGS["六"][0], "无。"]
    if flat:
        doc.add(" ".join(pieces))
        doc.row_ends.update({code: 0 for code in ends})
    else:
        doc.add(*pieces)
        doc.row_ends.update(ends)


# ---------------------------------------------------------------------------------------------------------
# Parsing a rendering and comparing with the truth


def parse_rendering(rendering: Rendering) -> dict[str, pd.DataFrame]:
    """Parse a rendering under the file name its layout calls for (.txt, .md, .html)."""
    return parse_text(rendering.text, FILE_NAMES[rendering.layout])


def parse_text(data: str | bytes, name: str = "synthetic.txt") -> dict[str, pd.DataFrame]:
    """Parse text or bytes through the public front door (a temporary file, as a user's would be)."""
    from xxgk.run.pipeline import parse

    with tempfile.TemporaryDirectory(prefix="xxgk-synth-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return parse(path)


def _expected(cell) -> tuple[object, str]:
    if cell is None:
        return None, "missing"
    if cell == NA_MARK:
        return None, "not_applicable"
    return cell, "printed"


def _differs(value, expected) -> bool:
    if expected is None:
        return not pd.isna(value)
    return pd.isna(value) or Decimal(str(value)) != Decimal(str(expected))


def compare(tables: dict[str, pd.DataFrame], truth: Truth) -> list[str]:
    """Every cell where parsed tables and truth differ (value or cell status), plus metadata."""
    diffs = []
    rep = tables["reports"].iloc[0]
    if rep["status"] == "failed":
        return ["report failed"]
    if (
        pd.isna(rep["agency"])
        or pd.isna(rep["year"])
        or (rep["agency"], rep["year"]) != (truth.agency, truth.year)
    ):
        diffs.append(f"metadata: {rep['agency']} {rep['year']} != {truth.agency} {truth.year}")

    def check(where, got_value, got_status, cell):
        value, status = _expected(cell)
        if got_status != status or _differs(got_value, value):
            diffs.append(f"{where}: got {got_value} ({got_status}), expected {value} ({status})")

    req = {(r.row_code, r.applicant_code): r for r in tables["requests"].itertuples()}
    for row in truth.request_rows:
        for applicant, cell in zip(_APPLICANTS, truth.requests[row], strict=False):
            got = req.get((row, applicant))
            if got is None:
                diffs.append(f"requests {row}/{applicant}: not in the output")
            else:
                check(f"requests {row}/{applicant}", got.count, got.cell_status, cell)
    extra = {r for r, _ in req} - set(truth.request_rows)
    if extra:
        diffs.append(f"requests: rows not in the template {sorted(extra)}")
    rev = {(r.proceeding, r.outcome): r for r in tables["reviews"].itertuples()}
    for p in _PROCEEDINGS:
        for o, cell in zip(_OUTCOMES, truth.reviews[p], strict=False):
            got = rev[(p, o)]
            check(f"reviews {p}/{o}", got.count, got.cell_status, cell)
    pro = {(r.item_code, r.measure): r for r in tables["proactive"].itertuples()}
    for key, cell in truth.proactive.items():
        got = pro.get(key)
        if got is None:
            diffs.append(f"proactive {key}: not in the output")
        else:
            check(f"proactive {key}", got.value, got.cell_status, cell)
    return diffs
