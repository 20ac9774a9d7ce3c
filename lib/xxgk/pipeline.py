"""The public entry points: parse one report or a corpus into the tables of :mod:`xxgk.contract.schema`."""

from __future__ import annotations

import gc
import hashlib
import os
import re
import tempfile
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from xxgk.contract import codes, schema
from xxgk.parse.facts import extract_facts
from xxgk.parse.meta import parse_title, read_title
from xxgk.parse.recover import pair_orphan_rows, split_glued_rows
from xxgk.parse.report import Issue, Report
from xxgk.parse.tables import (
    find_sections,
    find_table4_fallback,
    match_label,
    parse_table2,
    parse_table3,
    parse_table4,
)
from xxgk.read.html import html_lines
from xxgk.read.lines import Line, split_lines
from xxgk.read.pdf import pdf_lines
from xxgk.read.text import UnreadableFile, decode
from xxgk.validate.checks import cross_year, validate

#: File kinds by extension. Anything else in a folder is skipped (manifests, notes).
INPUT_FORMATS = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
}
#: A report is a few hundred KB at most; a larger file is refused with a clear message rather than read.
MAX_BYTES = 50 * 1024 * 1024


def report_id_for(path: Path) -> str:
    """The report's identifier: its file name without extension, made safe for file names.

    >>> report_id_for(Path("data/raw/000_d808f0727db992c8.txt"))
    '000_d808f0727db992c8'
    """
    return re.sub(r"[^\w.\-]+", "_", path.stem).strip("._") or "report"


def parse_file(path: str | os.PathLike) -> Report:
    """Parse one file into a :class:`Report`; a broken file becomes a failed report with a reason.

    Nothing a file holds stops a corpus: an error inside the parser itself (a bug) also gives a failed
    report, with no number kept from it and the error named in its issue.
    """
    path = Path(path)
    try:
        return _parse_file(path)
    except Exception as err:
        report = _new_report(path)
        report.issue(
            "parser_error",
            "error",
            f"The parser failed on this file ({type(err).__name__}: {err}); "
            "nothing was kept from it. This is a bug in xxgk: please report it with the file.",
        )
        report.failed = True
        return report


def _new_report(path: Path) -> Report:
    return Report(report_id_for(path), path.name, input_format=INPUT_FORMATS.get(path.suffix.lower(), "text"))


def _parse_file(path: Path) -> Report:
    report = _new_report(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            report.issue(
                "file_too_large",
                "error",
                f"The file is {size / 2**20:.0f} MiB, over the {MAX_BYTES // 2**20} MiB limit; not read",
            )
            report.failed = True
            return report
        data = path.read_bytes()
    except OSError as err:
        report.issue("file_unreadable", "error", f"The file cannot be read: {err.strerror or err}")
        report.failed = True
        return report
    report.sha256 = hashlib.sha256(data).hexdigest()
    if report.input_format == "pdf":
        try:
            lines, report.line_pages = pdf_lines(path)
        except UnreadableFile as err:
            report.issue("file_unreadable", "error", f"Not read: {err}")
            report.failed = True
            return report
        return parse_lines(lines, report)
    try:
        decoded = decode(data)
    except UnreadableFile as err:
        report.issue("file_unreadable", "error", f"Not read: {err}")
        report.failed = True
        return report
    report.encoding = decoded.encoding
    if decoded.replaced:
        report.issue(
            "encoding",
            "warning",
            f"{decoded.replaced} byte sequences do not decode as {decoded.encoding} and were replaced",
            actual=decoded.replaced,
        )
    lines = html_lines(decoded.text) if report.input_format == "html" else split_lines(decoded.text)
    parse_lines(lines, report)
    return report


def parse_lines(lines: list[Line], report: Report) -> Report:
    """Find the sections, read the tables, the title and the prose, then validate."""
    sections = find_sections(lines)
    bounds = _regions(lines, sections)
    title, _ = read_title(lines, sections.get("一"))
    report.meta = parse_title(title)
    if not report.meta["agency"] or not report.meta["year"]:
        report.issue(
            "metadata_missing",
            "warning",
            "The agency or the year could not be read from the title",
            actual=title or "no title found",
        )

    table2, versions2 = parse_table2(lines[slice(*bounds["二"])], report)
    table3 = parse_table3(lines[slice(*bounds["三"])], report)
    if "四" in sections:
        table4_lines, heading = lines[slice(*bounds["四"])], lines[sections["四"]]
    else:
        after = next((i for i, ln in enumerate(lines) if ln.no > table3.last_line), len(lines))
        stop = sections.get("五", sections.get("六", len(lines)))
        table4_lines, heading = find_table4_fallback(lines[after:stop] if table3.rows else []), None
    report.reviews = parse_table4(table4_lines, report, heading)

    if (
        not table3.rows
        and not table2
        and not any(c for b in report.reviews.values() for c in b)
        and not title
    ):
        report.issue(
            "not_a_report",
            "error",
            "No report title (…年度报告) and no table of the template was found: not read as a report",
        )
        report.failed = True
        return report

    _set_template(report, table3, table2, versions2)
    split_glued_rows(report, table3)
    pair_orphan_rows(report, table3)
    _drop_impossible_counts(report)
    _check_group_subtotals(report, table3)

    # Prose is what lies outside the tables' regions (by position: pieces of a flattened line share its number).
    in_tables = {id(ln) for name in ("二", "三", "四") for ln in lines[slice(*bounds[name])]}
    in_tables |= {id(ln) for ln in table4_lines}
    report.facts = extract_facts([ln for ln in lines if id(ln) not in in_tables])
    validate(report)
    return report


def _regions(lines: list[Line], sections: dict[str, int]) -> dict[str, tuple[int, int]]:
    """Each table section's [start, stop) in ``lines``: from its heading to the next heading after it."""
    positions = sorted(sections.values())
    bounds = {}
    for name in ("二", "三", "四"):
        if name not in sections:
            bounds[name] = (0, 0)
            continue
        start = sections[name] + 1
        stop = next((p for p in positions if p >= start), len(lines))
        bounds[name] = (start, stop)
    if "三" not in sections:
        # No heading (OCR lost it): table 三 starts at its first anchored row and runs to the next heading.
        first = next(
            (
                i
                for i, ln in enumerate(lines)
                if ln.values and match_label("requests", ln.label) in ("new_received", "carried_over")
            ),
            None,
        )
        if first is not None:
            stop = next((p for p in positions if p > first), len(lines))
            bounds["三"] = (first, stop)
            if bounds["二"][1] > first >= bounds["二"][0]:
                bounds["二"] = (bounds["二"][0], first)
    return bounds


def _set_template(report: Report, table3, table2, versions2: set[str]) -> None:
    """2021, 2019 or hybrid from what tables 二 and 三 show; the row set follows table 三."""
    rows = set(table3.rows)  # rows whose label is printed, with numbers or blank
    split_other = {"other_overdue_correction", "other_overdue_fee", "other_other"}
    if rows & split_other and "other_processed" in rows:
        # A 2021 table that also prints the （六） group subtotal: check it, do not keep it as a row.
        table3.group_subtotals["other"] = table3.rows.pop("other_processed")
        rows.discard("other_processed")
    versions3 = {"2021"} if rows & split_other else {"2019"} if "other_processed" in rows else set()
    seen = versions2 | versions3
    if len(seen) == 2 or (versions2 and versions3 and versions2 != versions3):
        report.template = "hybrid"
        report.issue(
            "template_mixed",
            "info",
            f"Table 二 follows the {'/'.join(sorted(versions2))} template and table 三 the "
            f"{'/'.join(sorted(versions3))} template: read as a hybrid",
        )
    elif seen:
        report.template = seen.pop()
    row_version = "2019" if (versions3 or versions2) == {"2019"} else "2021"
    report.request_rows = codes.request_rows(row_version)
    report.requests = {
        code: table3.rows.get(code, [None] * len(codes.APPLICANTS)) for code in report.request_rows
    }
    report.row_labels = dict(table3.label_lines)
    item_version = "2019" if versions2 == {"2019"} else "2021"
    report.proactive = {}
    for item in codes.PROACTIVE_ITEMS:
        for measure in codes.item_measures(item.code, item_version):
            report.proactive[(item.code, measure)] = table2.get((item.code, measure))


#: No count in a report comes near this (the largest are in the millions); a larger number is digits glued
#: by the extraction, and beyond 2**63 it would not even fit the Int64 count column.
MAX_COUNT = 10**15


def _drop_impossible_counts(report: Report) -> None:
    """A count is a whole number below MAX_COUNT: a decimal in table 三 or 四 (a fee line out of place, an
    OCR slip) or a run of glued digits is not one; the cell is NA with an issue."""
    for table, rows in (("三", report.requests), ("四", report.reviews)):
        for code, cells in rows.items():
            for i, cell in enumerate(cells):
                # (A decimal has a "." in its printed form and a number of 10**15 or more 16 characters.)
                if (
                    cell is not None
                    and ("." in cell.raw or len(cell.raw) > 15)
                    and cell.number is not None
                    and (cell.number != cell.number.to_integral_value() or abs(cell.number) >= MAX_COUNT)
                ):
                    cells[i] = None
                    report.issue(
                        "not_a_count",
                        "error",
                        f"Table {table}, row {code}: {cell.raw} (line {cell.line}) "
                        "is not a count; the cell is NA",
                        f"line {cell.line}",
                        actual=cell.raw,
                    )


def _check_group_subtotals(report: Report, table3) -> None:
    if not table3.group_subtotals:
        return
    members = {
        g.code: [r.code for r in codes.REQUEST_ROWS if r.group == g.code and r.code in report.request_rows]
        for g in codes.ROW_GROUPS
    }
    for group, cells in table3.group_subtotals.items():
        for i, cell in enumerate(cells):
            parts = [report.requests[r][i] for r in members.get(group, [])]
            if cell is None or cell.number is None or any(p is None or p.number is None for p in parts):
                continue
            total = sum(p.number for p in parts)
            ok = total == cell.number
            report.issue(
                "group_subtotal",
                "info" if ok else "error",
                f"Group {group}, column {codes.APPLICANTS[i].code}: the printed subtotal {cell.raw} "
                + ("equals its sub-rows" if ok else f"differs from the sum of its sub-rows ({total})"),
                f"line {cell.line}",
                expected=str(total),
                actual=cell.raw,
            )


# ---------------------------------------------------------------------------------------------------------
# Reports to tables


class TableColumns:
    """Every output table as lists of column values, filled report by report.

    A corpus's tables are built column-wise and turned into DataFrames once (``frames``): a dict per row
    and a DataFrame per report would cost more than parsing.
    """

    def __init__(self) -> None:
        self.columns = {name: {c.name: [] for c in cols} for name, cols in schema.TABLES.items()}

    def add(self, report: Report) -> None:
        rid = report.report_id
        meta = report.meta or {}
        errors = sum(1 for i in report.issues if i.severity == "error")
        incomplete = any(i.check in _INCOMPLETE for i in report.issues)
        _append(
            self.columns["reports"],
            {
                "report_id": rid,
                "source_file": report.source_file,
                "sha256": report.sha256 or None,
                **{k: meta.get(k) for k in ("agency", "year", "province", "city", "district", "agency_kind")},
                "template": report.template,
                "input_format": report.input_format,
                "encoding": report.encoding or None,
                "status": "failed" if report.failed else "incomplete" if incomplete else "ok",
                "n_issues": len(report.issues),
                "n_errors": errors,
            },
        )
        if not report.failed:
            pages = report.line_pages
            rows = report.request_rows
            cells = [cell for row in rows for cell in report.requests[row]]
            _extend_cells(
                self.columns["requests"],
                "count",
                cells,
                pages,
                rid,
                row_code=[row for row in rows for _ in _APPLICANT_CODES],
                applicant_code=_APPLICANT_CODES * len(rows),
            )
            cells = [cell for block in report.reviews.values() for cell in block]
            _extend_cells(
                self.columns["reviews"],
                "count",
                cells,
                pages,
                rid,
                proceeding=[p for p in report.reviews for _ in _OUTCOME_CODES],
                outcome=_OUTCOME_CODES * len(report.reviews),
            )
            _extend_cells(
                self.columns["proactive"],
                "value",
                list(report.proactive.values()),
                pages,
                rid,
                item_code=[item for item, _ in report.proactive],
                measure=[measure for _, measure in report.proactive],
            )
            for fact in report.facts:
                _append(
                    self.columns["facts"],
                    {"report_id": rid, **fact, "source_page": pages.get(fact["source_line"])},
                )
        for i in report.issues:
            _append(self.columns["issues"], issue_record(rid, i))

    def frames(self) -> dict[str, pd.DataFrame]:
        return {name: schema.frame_from_columns(name, columns) for name, columns in self.columns.items()}


_INCOMPLETE = frozenset(
    {"table_missing", "table_truncated", "row_missing", "cell_missing", "table4_incomplete"}
)
_APPLICANT_CODES = codes.codes(codes.APPLICANTS)
_OUTCOME_CODES = codes.codes(codes.OUTCOMES)


def _append(columns: dict[str, list], record: dict) -> None:
    for name, values in columns.items():
        values.append(record.get(name))


def _extend_cells(
    columns: dict[str, list], value_column: str, cells: list, pages: dict[int, int], rid: str, **keys: list
) -> None:
    """Append one table's cells: the key columns as given, then value, status and provenance per cell."""
    columns["report_id"].extend([rid] * len(cells))
    for name, values in keys.items():
        columns[name].extend(values)
    columns[value_column].extend([None if c is None else _count(c.number) for c in cells])
    columns["cell_status"].extend(["missing" if c is None else c.status for c in cells])
    lines = [None if c is None else c.line for c in cells]
    columns["source_line"].extend(lines)
    columns["source_page"].extend([pages.get(n) for n in lines] if pages else [None] * len(cells))


def _count(number):
    """A Decimal as an int when whole (counts), else a float (fees in 10k yuan); None stays None."""
    if number is None:
        return None
    return int(number) if number == number.to_integral() else float(number)


def issue_record(report_id: str, issue: Issue) -> dict:
    """An issue as a row of the issues table."""
    return {
        "report_id": report_id,
        "check": issue.check,
        "severity": issue.severity,
        "expected": issue.expected or None,
        "actual": issue.actual or None,
        "location": issue.location or None,
        "message": issue.message,
    }


def _unique_ids(reports: list[Report]) -> None:
    """Two files with the same name in different folders get their hash appended to stay apart."""
    seen: dict[str, int] = {}
    for r in reports:
        seen[r.report_id] = seen.get(r.report_id, 0) + 1
    for r in reports:
        if seen[r.report_id] > 1:
            r.report_id = f"{r.report_id}-{(r.sha256 or 'nohash')[:8]}"


def to_tables(reports: list[Report]) -> dict[str, pd.DataFrame]:
    """Build every table once for a corpus (not per report: concatenating frames is the slow part)."""
    _unique_ids(reports)
    cross_year(reports)
    builder = TableColumns()
    for report in reports:
        builder.add(report)
    return builder.frames()


def collect_paths(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """Files as given, and for folders every report file below them (by extension), sorted."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(
                sorted(
                    f
                    for f in p.rglob("*")
                    if f.is_file() and f.suffix.lower() in INPUT_FORMATS and not f.name.startswith(".")
                )
            )
        else:
            out.append(p)
    return out


def parse(path: str | os.PathLike) -> dict[str, pd.DataFrame]:
    """One report's tables (reports, requests, reviews, proactive, facts, issues) as DataFrames."""
    return to_tables([parse_file(path)])


def parse_many(paths: Iterable[str | os.PathLike], progress: bool = False) -> dict[str, pd.DataFrame]:
    """A corpus's tables, concatenated; files and folders may be mixed. A broken file never stops the batch."""
    files = collect_paths(paths)
    if progress:
        from tqdm import tqdm

        files = tqdm(files, desc="parsing", unit="report")
    with fewer_collections():
        return to_tables([parse_file(f) for f in files])


@contextmanager
def fewer_collections(threshold: int = 100_000):
    """Run the cyclic garbage collector less often while a corpus is parsed.

    Parsing makes millions of small objects (lines, cells) and no reference cycles, so the collector finds
    nothing; at Python's default threshold (700 allocations) it still ran often enough to take ~10 % of the
    time, scanning every report kept so far. Memory is freed by reference counting as before.
    """
    old = gc.get_threshold()
    gc.set_threshold(max(threshold, old[0]), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)


def write_tables(tables: dict[str, pd.DataFrame], out_dir: str | os.PathLike) -> list[Path]:
    """Write each table as CSV (UTF-8) and Parquet, atomically: a temp file renamed into place."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, df in tables.items():
        for suffix, write in (
            (".csv", lambda d, p: d.to_csv(p, index=False, encoding="utf-8")),
            (".parquet", lambda d, p: d.to_parquet(p, index=False)),
        ):
            target = out / f"{name}{suffix}"
            if target.resolve().parent != out.resolve() or name.startswith("."):
                raise ValueError(f"table name {name!r} would be written outside {out}")
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=suffix, dir=out)
            os.close(fd)
            try:
                write(df, tmp)
                os.replace(tmp, target)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
            written.append(target)
    return written


def load_tables(directory: str | os.PathLike) -> dict[str, pd.DataFrame]:
    """Read the tables `xxgk parse` wrote (Parquet), with the declared dtypes."""
    d = Path(directory)
    return {
        name: pd.read_parquet(d / f"{name}.parquet").astype({c.name: c.dtype for c in cols})
        for name, cols in schema.TABLES.items()
    }
