"""The checks vocabulary: every check that can appear in the ``issues`` table, declared once.

A check has its Chinese name, its meaning and the severity it is reported with; a few checks report two
severities (``also``): a group subtotal that agrees with its rows is ``info``, one that does not is an
``error``. :class:`Issue` refuses a check or a severity that is not declared here, so a typo in the parser
fails loudly in the tests instead of reaching users as a new, undocumented check. The data dictionary and
docs/checks.md are generated from this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class Severity:
    """A severity of the issues table, with what it tells a user to do."""

    code: str
    zh: str
    en: str


#: Most severe first.
SEVERITIES: tuple[Severity, ...] = (
    Severity(
        "error",
        "错误",
        "A cell is NA, or printed numbers break the report's own arithmetic: do not use the figures "
        "concerned as they are",
    ),
    Severity("warning", "警告", "Worth a look: the numbers stand as printed, but something is unusual"),
    Severity(
        "info", "提示", "How something was read (a label variant, a derived placement): nothing is wrong"
    ),
)
SEVERITY_CODES = tuple(s.code for s in SEVERITIES)


@dataclass(frozen=True)
class Check:
    """A check: its code (the ``check`` column), Chinese name, meaning, severity and any other severity."""

    code: str
    zh: str
    en: str
    severity: str
    also: tuple[str, ...] = ()

    @property
    def severities(self) -> tuple[str, ...]:
        return (self.severity, *self.also)


CHECKS: tuple[Check, ...] = (
    Check("file_unreadable", "文件无法读取", "The file is empty, binary or cannot be decoded", "error"),
    Check("not_a_report", "不是年度报告", "No report title and no table of the template was found", "error"),
    Check("encoding", "编码问题", "Bytes that do not decode were replaced", "warning"),
    Check("file_too_large", "文件过大", "The file is larger than the size limit", "error"),
    Check(
        "pdf_too_complex",
        "PDF过于复杂",
        "A PDF is past the reading budget of a report: too many pages or too much CPU time (the file is not "
        "read), too many characters on a page (the page is not read), or too many rulings or drawing "
        "operations on a page (warning: its table grid is not rebuilt and the page is read as text lines)",
        "error",
        also=("warning",),
    ),
    Check(
        "pdf_skewed",
        "PDF页面倾斜",
        "A PDF page's text runs at an angle: up to 5° the page was turned back before reading (info); past "
        "that the page was not read (error)",
        "info",
        also=("error",),
    ),
    Check(
        "needs_converter",
        "需要转换工具",
        "The file's format needs a tool that is not installed (LibreOffice for .doc and .wps, the ocr extra "
        "for scans and images): the message gives the install command",
        "error",
    ),
    Check(
        "html_image",
        "网页图片",
        "An image beside a web page (a table saved as a picture) was read by OCR (info, with the lines it "
        "gave), or could not be read (warning, with the reason)",
        "info",
        also=("warning",),
    ),
    Check(
        "ocr_low_confidence",
        "识别置信度低",
        "A number on a scan or image was read by OCR with low confidence: the cell is NA (not a guess); "
        "read it from the page",
        "warning",
    ),
    Check(
        "parser_error",
        "解析程序错误",
        "The parser itself failed on the file (a bug): nothing was kept from it",
        "error",
    ),
    Check(
        "not_a_file",
        "不是普通文件",
        "The path is a FIFO, socket, device or folder, not a regular file: it was not opened",
        "error",
    ),
    Check(
        "folder_unreadable",
        "文件夹无法读取",
        "A folder that cannot be listed or entered: the files in it were not read",
        "error",
    ),
    Check(
        "html_flattened",
        "网页嵌套过深",
        "The page nests tags deeper than the HTML parser keeps; read again without inline formatting tags "
        "(font, span…) and with div as line breaks, nothing was lost",
        "info",
    ),
    Check(
        "html_truncated",
        "网页文字丢失",
        "Part of the page's text did not survive HTML parsing (tags nested past the parser's limit, an "
        "unclosed comment): cells in the lost part are NA",
        "warning",
    ),
    Check(
        "footnote_mark",
        "脚注标记",
        "A footnote mark (¹ ② ※ * …) stands beside a number: it is not a digit of it and was left out",
        "info",
    ),
    Check("table_missing", "表格缺失", "A table of the template was not found", "error"),
    Check(
        "table_truncated", "表格截断", "A table stops part-way: later rows are not in the document", "error"
    ),
    Check("row_missing", "行缺失", "A row of the template is not in the document", "error"),
    Check("cell_missing", "单元格缺失", "A row is printed with fewer cells than the template has", "error"),
    Check(
        "unknown_label",
        "未知标签",
        "Numbers stand beside a label that matches no row of the template",
        "warning",
    ),
    Check(
        "orphan_values", "无标签数字", "Numbers stand in a table with no row label to anchor them", "warning"
    ),
    Check(
        "conflicting_values", "数值冲突", "The same cell is printed twice with different values", "warning"
    ),
    Check(
        "not_a_count",
        "非整数计数",
        "A cell that counts prints a decimal, a negative number (tables 二, 三, 四; not 本年增/减), a money "
        "amount or an impossibly large number: it is NA",
        "error",
    ),
    Check(
        "not_a_number",
        "非数字",
        "A table cell prints a number with a unit, an approximation, a range, Chinese numerals or stray "
        "marks (15件, 约15, 15%, 3-5, 二十一, 1 234): that cell is NA (the issue quotes it); the row's "
        "other cells keep their numbers",
        "error",
    ),
    Check(
        "page_furniture",
        "页眉页脚",
        "A page number or a running header or footer stands between a table's rows: left out of the table",
        "info",
    ),
    Check(
        "table_note",
        "表注",
        "A note (注：, 说明：, 备注) with numbers stands in a table: read as prose, never as a row",
        "info",
    ),
    Check("subtotal_column", "小计列", "A 法人或其他组织 subtotal column was checked and dropped", "info"),
    Check(
        "group_subtotal",
        "分组小计",
        "A group row prints a subtotal that is checked against its sub-rows",
        "info",
        also=("error",),
    ),
    Check(
        "blank_total",
        "总计列空白",
        "The total column is left blank in rows that print other numbers",
        "warning",
    ),
    Check(
        "label_variant",
        "标签异文",
        "A row label is printed with a known misprint or OCR slip (matched, not corrected)",
        "info",
    ),
    Check(
        "identity_row_total", "行合计", "The six applicant columns do not sum to the total column", "error"
    ),
    Check(
        "identity_balance",
        "收支平衡",
        "new_received + carried_over ≠ total_processed + carried_forward",
        "error",
    ),
    Check("identity_outcomes", "办理结果合计", "total_processed ≠ the sum of the outcome rows", "error"),
    Check(
        "identity_review_block",
        "复议诉讼合计",
        "upheld + corrected + other + pending ≠ total in table 四",
        "error",
    ),
    Check("table4_incomplete", "表四不完整", "Table 四 prints fewer than 15 numbers", "error"),
    Check(
        "table4_unanchored",
        "表四无标题",
        "Table 四 numbers were found without the table's heading",
        "warning",
    ),
    Check(
        "prose_vs_table",
        "正文与表格不一致",
        "A number stated in the prose differs from its table cell",
        "warning",
    ),
    Check("template_mixed", "混合模板", "The report mixes the 2021 and 2019 templates", "info"),
    Check(
        "glued_digits",
        "数字粘连",
        "A run of digits with no separators was split into cells by the identities",
        "info",
        also=("error",),
    ),
    Check("rows_paired", "行配对", "Value rows printed away from their labels were paired with them", "info"),
    Check(
        "cross_year",
        "跨年度",
        "carried_over(t) ≠ carried_forward(t−1), or table-二 in_force continuity breaks",
        "error",
        also=("warning",),
    ),
    Check(
        "metadata_missing", "元数据缺失", "The agency or the year could not be read from the title", "warning"
    ),
    Check(
        "manifest",
        "清单不符",
        "The folder's MANIFEST.csv cannot be read, or its line for the file disagrees with the file "
        "(another SHA-256, another year, a publication date that is not YYYY-MM-DD)",
        "warning",
    ),
    Check(
        "duplicate",
        "重复报告",
        "Another file is the same report (the same bytes, or the same agency and year): this one is kept "
        "but not used by measures, charts or the panel; duplicate_of names the one used and the message why",
        "warning",
    ),
)
BY_CODE: MappingProxyType[str, Check] = MappingProxyType({c.code: c for c in CHECKS})


@dataclass
class Issue:
    """One row of the issues table before it has a report id: a declared check with its severity.

    >>> Issue("table_missing", "error", "Table 三 was not found").check
    'table_missing'
    >>> Issue("table_mising", "error", "")
    Traceback (most recent call last):
    ...
    ValueError: undeclared check 'table_mising' (declare it in xxgk.contract.checks)
    >>> Issue("table_missing", "info", "")
    Traceback (most recent call last):
    ...
    ValueError: check 'table_missing' is declared with severity error, not 'info'
    """

    check: str
    severity: str
    message: str
    location: str = ""
    expected: str = ""
    actual: str = ""
    text: str = ""  # the line the issue is about, as printed (filled by the pipeline from ``location``)

    def __post_init__(self) -> None:
        declared = BY_CODE.get(self.check)
        if declared is None:
            raise ValueError(f"undeclared check {self.check!r} (declare it in xxgk.contract.checks)")
        if self.severity not in declared.severities:
            allowed = " or ".join(declared.severities)
            raise ValueError(
                f"check {self.check!r} is declared with severity {allowed}, not {self.severity!r}"
            )
