"""What parsing one report produces, before it becomes DataFrames (built once per corpus)."""

from __future__ import annotations

from dataclasses import dataclass, field

from xxgk.contract.checks import Issue
from xxgk.parse.runs import Run
from xxgk.read.lines import Value


@dataclass
class Table3:
    """Table 三 as read: each row's seven cells (None = not in the document) and where its label stands."""

    rows: dict[str, list[Value | None]] = field(default_factory=dict)
    label_lines: dict[str, int] = field(default_factory=dict)
    group_subtotals: dict[str, list[Value | None]] = field(default_factory=dict)
    last_line: int = 0  # the last line that gave table 三 a number
    # Rows whose numbers came as a run of plain fragments (pdftotext): only trusted once complete.
    sequential: set[str] = field(default_factory=set)
    # Full-width value rows with no label of their own (scrambled extractions), in document order.
    orphan_rows: list[list[Value | None]] = field(default_factory=list)
    # Labelled rows left without numbers, in document order of their labels.
    unfilled: list[str] = field(default_factory=list)
    # Rows printed as one run of digits with no separators: row code -> the run.
    glued: dict[str, Run] = field(default_factory=dict)


@dataclass
class Report:
    """One parsed report: metadata, cells, facts and issues, with provenance on every number."""

    report_id: str
    source_file: str
    sha256: str = ""
    input_format: str = ""
    encoding: str = ""
    meta: dict = field(default_factory=dict)
    template: str = "unknown"
    requests: dict[str, list[Value | None]] = field(default_factory=dict)
    request_rows: list[str] = field(default_factory=list)
    row_labels: dict[str, int] = field(default_factory=dict)  # table-三 row -> line of its label
    line_pages: dict[int, int] = field(default_factory=dict)  # PDF: line number -> page
    line_cells: dict[int, tuple[int, int]] = field(
        default_factory=dict
    )  # table readers: line -> (table, row)
    reviews: dict[str, list[Value | None]] = field(default_factory=dict)
    proactive: dict[tuple[str, str], Value | None] = field(default_factory=dict)
    facts: list[dict] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    # Cells printed but not readable as what they stand for (15件, 约15, -1, 1.5 in table 三): NA, each with
    # an issue. Key: ("二", item, measure), ("三", row, column index) or ("四", proceeding, column index).
    refused: dict[tuple, str] = field(default_factory=dict)
    failed: bool = False

    def issue(
        self, check: str, severity: str, message: str, location: str = "", expected="", actual=""
    ) -> None:
        self.issues.append(Issue(check, severity, message, location, str(expected), str(actual)))
