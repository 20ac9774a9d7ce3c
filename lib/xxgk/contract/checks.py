"""The checks vocabulary: every check that can appear in the ``issues`` table, declared once.

A check has its Chinese name, its meaning in English and in Chinese, and the severity it is reported
with; a few checks report two severities (``also``): a group subtotal that agrees with its rows is ``info``,
one that does not is an ``error``. :class:`Issue` refuses a check or a severity that is not declared here, so
a typo in the parser fails loudly in the tests instead of reaching users as a new, undocumented check. The
data dictionary and docs/checks.md are generated from this module.
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
    """A check: its code (the ``check`` column), Chinese name, meaning (``en``; ``meaning_zh`` in Chinese, for
    the Chinese pages), severity and any other severity."""

    code: str
    zh: str
    en: str
    meaning_zh: str
    severity: str
    also: tuple[str, ...] = ()

    @property
    def severities(self) -> tuple[str, ...]:
        return (self.severity, *self.also)


CHECKS: tuple[Check, ...] = (
    Check(
        "file_unreadable",
        "文件无法读取",
        "The file is empty, binary or cannot be decoded",
        "文件为空、是二进制内容或无法解码，未能读取",
        "error",
    ),
    Check(
        "not_a_report",
        "不是年度报告",
        "No report title and no table of the template was found",
        "既没有找到报告标题，也没有找到模板中的任何表格，不像是政府信息公开工作年度报告",
        "error",
    ),
    Check(
        "encoding",
        "编码问题",
        "Bytes that do not decode were replaced",
        "文件中有无法解码的字节，已用替换字符代替，这些位置的文字可能有误",
        "warning",
    ),
    Check(
        "file_too_large",
        "文件过大",
        "The file is larger than the size limit",
        "文件大小超过上限，未读取",
        "error",
    ),
    Check(
        "pdf_too_complex",
        "PDF过于复杂",
        "A PDF is past the reading budget of a report: too many pages or too much CPU time (the file is not "
        "read), too many characters on a page (the page is not read), or too many rulings or drawing "
        "operations on a page (warning: its table grid is not rebuilt and the page is read as text lines)",
        "PDF 超出一份年度报告的读取限度：页数过多或处理耗时过长（整个文件不读取）；某页字符过多（该页不读取）；"
        "或某页框线、绘图操作过多（警告：不重建该页的表格框线，按文字行读取）",
        "error",
        also=("warning",),
    ),
    Check(
        "pdf_skewed",
        "PDF页面倾斜",
        "A PDF page's text runs at an angle: up to 5° the page was turned back before reading (info); past "
        "that the page was not read (error)",
        "PDF 页面上的文字是倾斜的：倾斜不超过 5° 的，先把页面转正再读取（提示）；超过 5° 的，该页不读取（错误）",
        "info",
        also=("error",),
    ),
    Check(
        "pdf_scanned_page",
        "PDF中的扫描页",
        "A page of a PDF whose other pages have text is only an image (a scanned page): it was read by OCR, "
        "in its place among the text pages, and its numbers have cell_status ocr (info); without the ocr extra, "
        "with OCR switched off (XXGK_OCR_ENGINE=none) or if OCR failed on it, it was not read, and any number "
        "printed on it is not in the tables (warning). "
        "A PDF scanned throughout is read by OCR too",
        "PDF 中某页只是一张图片（扫描页），而其他页有文字层：该页用文字识别读取，按原页序放在文字页之间，"
        "其数字的 cell_status 为 ocr（提示）；未安装 ocr 扩展、关闭了文字识别（XXGK_OCR_ENGINE=none）"
        "或文字识别出错时该页未读取，页上印的数字不在表格中（警告）。整份都是扫描件的 PDF 同样用文字识别读取",
        "info",
        also=("warning",),
    ),
    Check(
        "needs_converter",
        "需要转换工具",
        "The file's format needs a tool that is not installed (LibreOffice for .doc and .wps, the ocr extra "
        "for scans and images): the message gives the install command",
        "读取这种文件格式所需的工具没有安装（.doc 和 .wps 文件需要 LibreOffice，扫描件和图片需要 ocr 可选组件）；"
        "详情中给出安装命令",
        "error",
    ),
    Check(
        "html_image",
        "网页图片",
        "An image beside a web page (a table saved as a picture) was read by OCR (info, with the lines it "
        "gave), or could not be read (warning, with the reason)",
        "网页附带的图片（以图片形式保存的表格）已用文字识别（OCR）读取（提示，附识别出的文字行），或未能读取（警告，"
        "附原因）",
        "info",
        also=("warning",),
    ),
    Check(
        "ocr_low_confidence",
        "识别置信度低",
        "A number on a scan or image was read by OCR with low confidence: the cell is NA (not a guess); "
        "read it from the page",
        "扫描件或图片上的某个数字，文字识别（OCR）的置信度低：该单元格记为缺失（NA），不作猜测；请对照原件读取",
        "warning",
    ),
    Check(
        "parser_error",
        "解析程序错误",
        "The parser itself failed on the file (a bug): nothing was kept from it",
        "解析程序本身在处理该文件时出错（程序缺陷）：该文件的内容一概未保留",
        "error",
    ),
    Check(
        "parser_crashed",
        "解析进程崩溃",
        "The process parsing the file died each time it was tried (killed, out of memory, or a crash in a C "
        "library): nothing was kept from it, and the other files were parsed",
        "每次解析该文件时，解析进程都中途终止（被强制结束、内存耗尽或底层 C 库崩溃）：该文件的内容一概未保留，"
        "其他文件照常解析",
        "error",
    ),
    Check(
        "not_a_file",
        "不是普通文件",
        "The path is a FIFO, socket, device or folder, not a regular file: it was not opened",
        "该路径是命名管道、套接字、设备或文件夹，不是普通文件：没有打开",
        "error",
    ),
    Check(
        "folder_unreadable",
        "文件夹无法读取",
        "A folder that cannot be listed or entered: the files in it were not read",
        "文件夹无法列出或进入：其中的文件都没有读取",
        "error",
    ),
    Check(
        "html_flattened",
        "网页嵌套过深",
        "The page nests tags deeper than the HTML parser keeps; read again without inline formatting tags "
        "(font, span…) and with div as line breaks, nothing was lost",
        "网页标签的嵌套层数超过 HTML 解析器的上限；已去掉行内格式标签（font、span 等）、把 div 当作换行重新读取，"
        "没有内容丢失",
        "info",
    ),
    Check(
        "html_truncated",
        "网页文字丢失",
        "Part of the page's text did not survive HTML parsing (tags nested past the parser's limit, an "
        "unclosed comment): cells in the lost part are NA",
        "网页的部分文字在 HTML 解析时丢失（标签嵌套超过解析器上限，或有未闭合的注释）："
        "丢失部分中的单元格记为缺失（NA）",
        "warning",
    ),
    Check(
        "footnote_mark",
        "脚注标记",
        "A footnote mark (¹ ② ※ * …) stands beside a number: it is not a digit of it and was left out",
        "数字旁边有脚注标记（¹ ② ※ * 等）：它不是数字的一部分，已略去",
        "info",
    ),
    Check(
        "table_missing",
        "表格缺失",
        "A table of the template was not found",
        "没有找到模板中的某张表格",
        "error",
    ),
    Check(
        "table_truncated",
        "表格截断",
        "A table stops part-way: later rows are not in the document",
        "表格中途截止：后面的行不在文档中，记为缺失（NA）",
        "error",
    ),
    Check(
        "row_missing",
        "行缺失",
        "A row of the template is not in the document",
        "文档中没有模板中的某一行：该行各单元格记为缺失（NA）",
        "error",
    ),
    Check(
        "cell_missing",
        "单元格缺失",
        "A row is printed with fewer cells than the template has",
        "表格中有单元格没有数字（文档中留空，整行空白，或在提取时丢失）：这些单元格记为缺失（NA）",
        "error",
    ),
    Check(
        "unknown_label",
        "未知标签",
        "Numbers stand beside a label that matches no row of the template",
        "数字旁边的标签与模板中的任何一行都对不上，或数字个数与表头的列数不符：这些数字没有采用",
        "warning",
    ),
    Check(
        "orphan_values",
        "无标签数字",
        "Numbers stand in a table with no row label to anchor them",
        "表格中有一行数字没有行标签可以对应：没有放入表格",
        "warning",
    ),
    Check(
        "conflicting_values",
        "数值冲突",
        "The same cell is printed twice with different values",
        "同一个单元格印了两次，数值不同：保留先印出的数值",
        "warning",
    ),
    Check(
        "not_a_count",
        "非整数计数",
        "A cell that counts prints a decimal, a negative number (tables 二, 三, 四; not 本年增/减), a money "
        "amount or an impossibly large number: it is NA",
        "应为件数的单元格印的是负数（各表均如此，表二的“本年增/减”除外），或在表三、表四中印的是小数、金额（……元）"
        "或大得不可能是件数的数：该单元格记为缺失（NA）",
        "error",
    ),
    Check(
        "not_a_number",
        "非数字",
        "A table cell prints a number with a unit, an approximation, a range, Chinese numerals or stray "
        "marks (15件, 约15, 15%, 3-5, 二十一, 1 234): that cell is NA (the issue quotes it); the row's "
        "other cells keep their numbers",
        "表格单元格中的数字带有单位、约数、范围、中文数字或多余符号（如 15件、约15、15%、3-5、二十一、1 234）："
        "该单元格记为缺失（NA），问题中引用原文；同一行其他单元格的数字照常保留",
        "error",
    ),
    Check(
        "page_furniture",
        "页眉页脚",
        "A page number or a running header or footer stands between a table's rows: left out of the table",
        "表格的行与行之间夹着页码或页眉、页脚：已从表格中略去",
        "info",
    ),
    Check(
        "table_note",
        "表注",
        "A note (注：, 说明：, 备注) with numbers stands in a table: read as prose, never as a row",
        "表格中有带数字的注释（注：、说明：、备注）：按正文读取，不当作表格的行",
        "info",
    ),
    Check(
        "subtotal_column",
        "小计列",
        "A 法人或其他组织 subtotal column was checked and dropped",
        "表三中“法人或其他组织”的小计列已与其下各类申请人核对一致，然后略去（不作为一列保存）",
        "info",
    ),
    Check(
        "group_subtotal",
        "分组小计",
        "A group row prints a subtotal that is checked against its sub-rows",
        "表三中分组行印出的小计已与其下各子行之和核对：一致为提示，不一致为错误",
        "info",
        also=("error",),
    ),
    Check(
        "blank_total",
        "总计列空白",
        "The total column is left blank in rows that print other numbers",
        "若干行印有其他数字，但“总计”列空白：这些总计记为缺失（NA），其行合计无法核对",
        "warning",
    ),
    Check(
        "label_variant",
        "标签异文",
        "A row label is printed with a known misprint or OCR slip (matched, not corrected)",
        "行标签印有已知的错字或文字识别（OCR）错误：已对应到模板中的行，但原文不作更正",
        "info",
    ),
    Check(
        "identity_row_total",
        "行合计",
        "The six applicant columns do not sum to the total column",
        "表三某一行中，六类申请人之和不等于“总计”列",
        "error",
    ),
    Check(
        "identity_balance",
        "收支平衡",
        "new_received + carried_over ≠ total_processed + carried_forward",
        "表三中，本年新收申请数 + 上年结转申请数 ≠ 本年度办理结果总计 + 结转下年度继续办理数",
        "error",
    ),
    Check(
        "identity_outcomes",
        "办理结果合计",
        "total_processed ≠ the sum of the outcome rows",
        "表三中，本年度办理结果的“总计”不等于各项办理结果之和",
        "error",
    ),
    Check(
        "identity_review_block",
        "复议诉讼合计",
        "upheld + corrected + other + pending ≠ total in table 四",
        "表四中，结果维持 + 结果纠正 + 其他结果 + 尚未审结 ≠ 总计",
        "error",
    ),
    Check(
        "table4_incomplete",
        "表四不完整",
        "Table 四 prints fewer than 15 numbers",
        "表四印出的数字不足 15 个",
        "error",
    ),
    Check(
        "table4_unanchored",
        "表四无标题",
        "Table 四 numbers were found without the table's heading",
        "找到了表四的数字，但没有找到表四的标题：位于表三与第五部分之间的一行 15 个数字被当作表四读取",
        "warning",
    ),
    Check(
        "prose_vs_table",
        "正文与表格不一致",
        "A number stated in the prose differs from its table cell",
        "正文中写出的数字与表格中对应的单元格不一致（数字不同，或该单元格没有数字）",
        "warning",
    ),
    Check(
        "template_mixed",
        "混合模板",
        "The report mixes the 2021 and 2019 templates",
        "报告混用了 2021 年版和 2019 年版模板（按混合模板读取）",
        "info",
    ),
    Check(
        "glued_digits",
        "数字粘连",
        "A run of digits with no separators was split into cells by the identities",
        "一串没有分隔的数字，借助勾稽关系拆分到各单元格：拆法唯一的，按此读取，单元格状态记为“推导”（提示）；"
        "无法确定的，该行记为缺失（错误）",
        "info",
        also=("error",),
    ),
    Check(
        "rows_paired",
        "行配对",
        "Value rows printed away from their labels were paired with them",
        "与标签分开印出的数值行，已按文档顺序与没有数值的标签配对（表三各项勾稽关系均成立，单元格状态记为“推导”）",
        "info",
    ),
    Check(
        "cross_year",
        "跨年度",
        "carried_over(t) ≠ carried_forward(t−1), or table-二 in_force continuity breaks",
        "本年的“上年结转”与上一年报告的“结转下年度继续办理”不一致（错误）；或表二中规章、"
        "规范性文件的“现行有效件数”与上年数字、本年制发和废止件数不衔接（警告）",
        "error",
        also=("warning",),
    ),
    Check(
        "metadata_missing",
        "元数据缺失",
        "The agency or the year could not be read from the title",
        "未能从标题中读出机关名称或年度",
        "warning",
    ),
    Check(
        "manifest",
        "清单不符",
        "The folder's MANIFEST.csv cannot be read, or its line for the file disagrees with the file "
        "(another SHA-256, another year, a publication date that is not YYYY-MM-DD)",
        "文件夹中的 MANIFEST.csv 无法读取，或其中该文件的记录与文件本身不符（SHA-256 不同、年度不同，"
        "或发布日期不是 YYYY-MM-DD 格式）",
        "warning",
    ),
    Check(
        "duplicate",
        "重复报告",
        "Another file is the same report (the same bytes, or the same agency and year): this one is kept "
        "but not used by measures, charts or the panel; duplicate_of names the one used and the message why",
        "另有文件是同一份报告（字节完全相同，或机关和年度相同）：本文件保留，但不用于指标、图表和面板数据；"
        "duplicate_of 列指明实际采用的文件，详情说明原因",
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
