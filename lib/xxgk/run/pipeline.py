"""The public entry points: a file through every stage, and a corpus into the output tables.

file --(:mod:`xxgk.read`)--> lines --(:mod:`xxgk.parse`)--> Report --(:mod:`xxgk.validate`)--> issues
--(:mod:`xxgk.output`)--> tables. This module only composes the stages; each lives in its own subpackage.
"""

from __future__ import annotations

import gc
import hashlib
import os
import re
import stat
import threading
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pandas as pd

from xxgk.output.tables import to_tables
from xxgk.parse.document import parse_lines
from xxgk.parse.report import Report
from xxgk.read import manifest
from xxgk.read.formats import MAX_BYTES, collect_paths, format_for, format_of, report_id_for, report_ids
from xxgk.read.lines import Document, column_of
from xxgk.read.text import UnreadableFile
from xxgk.validate import validate


@dataclass(frozen=True)
class Source:
    """A report file as read where it lies, to be parsed anywhere (a worker on a machine without that disk).

    ``path``: the file as given (its name and extension decide the reader and the report id); ``data``: its
    bytes, or None when it was not read, and then ``unread`` is the failed report saying why (a FIFO, a
    folder, too large); ``manifest``: its line of the folder's MANIFEST.csv, or ``manifest_error`` when the
    manifest cannot be read. Reading and parsing are split so that only this crosses the network.
    """

    path: str
    data: bytes | None
    unread: Report | None = None
    manifest: dict | None = None
    manifest_error: str | None = None


def parse_file(path: str | os.PathLike, report_id: str | None = None) -> Report:
    """Parse one file into a :class:`Report`; a broken file becomes a failed report with a reason.

    ``report_id``: the id within a corpus (:func:`xxgk.read.formats.report_ids`); by default the file's own.

    Nothing a file holds stops a corpus: an error inside the parser itself (a bug) also gives a failed
    report, with no number kept from it and the error named in its issue.
    """
    return parse_source(read_source(path), report_id)


def parse_bytes(name: str, data: bytes, report_id: str | None = None) -> Report:
    """Parse a report's bytes as if read from a file called ``name`` (its extension picks the reader; no
    manifest is looked up): for bytes that come from elsewhere (an object store, an upload, a worker)."""
    return parse_source(Source(str(name), data), report_id)


def read_source(path: str | os.PathLike) -> Source:
    """Read a file and look up its manifest line, without parsing: what a worker needs to parse it."""
    path = Path(path)
    report = _new_report(path)
    try:
        data = _read_regular(path, report)
    except OSError as err:
        data = None
        _fail(report, "file_unreadable", f"The file cannot be read: {err.strerror or err}")
    except Exception as err:
        data = None
        _parser_failed(report, err)
    if data is None:
        report.failed = True
    try:
        line, problem = manifest.entry(path), None
    except manifest.ManifestError as err:
        line, problem = None, str(err)
    return Source(str(path), data, None if data is not None else report, line, problem)


def parse_source(source: Source, report_id: str | None = None) -> Report:
    """Parse what :func:`read_source` (or a worker's own reader) read; never raises for a file's content."""
    path = Path(source.path)
    if source.data is None:
        report = source.unread or _fail(_new_report(path), "file_unreadable", "The file was not read")
    else:
        try:
            report = _parse_data(path, source.data)
        except Exception as err:
            report = _new_report(path)
            _parser_failed(report, err)
    if report_id is not None:
        report.report_id = report_id
    _note_manifest(path.name, report, source.manifest, source.manifest_error)
    return report


def crashed_report(source: Source, report_id: str | None, why: str) -> Report:
    """The failed report of a file whose parsing killed the process each time it was tried (a worker lost
    to a crash in a C library, to memory, to a kill): made without parsing it, where the parsing is not
    running, so that the file is in the tables with the reason and the rest of the corpus is not held up."""
    report = _fail(
        _new_report(Path(source.path)),
        "parser_crashed",
        f"The process parsing this file died each time it was tried ({why}); nothing was kept from it. "
        "This may be a bug in xxgk or in a library it uses: please report it with the file.",
    )
    if source.data is not None:
        report.sha256 = hashlib.sha256(source.data).hexdigest()
    if report_id is not None:
        report.report_id = report_id
    _note_manifest(Path(source.path).name, report, source.manifest, source.manifest_error)
    return report


def _parser_failed(report: Report, err: Exception) -> None:
    report.issue(
        "parser_error",
        "error",
        f"The parser failed on this file ({type(err).__name__}: {err}); "
        "nothing was kept from it. This is a bug in xxgk: please report it with the file.",
    )
    report.failed = True


def _note_manifest(name: str, report: Report, line: dict | None, problem: str | None) -> None:
    """What the folder's MANIFEST.csv says of this file goes into ``report.meta`` (provenance columns of the
    reports table); a line that disagrees with the file, or a manifest that cannot be read, is an issue."""
    if problem is not None:
        report.issue("manifest", "warning", f"{problem}; the file's provenance columns stay empty")
        return
    if line is None:
        return
    report.meta = {**(report.meta or {}), **line, "listed": True}
    where = f"{manifest.NAME} ({name})"
    if line["manifest_sha256"] and report.sha256 and line["manifest_sha256"] != report.sha256:
        report.issue(
            "manifest",
            "warning",
            f"{where} lists this file with another SHA-256: the file changed since it was listed",
            where,
            expected=line["manifest_sha256"],
            actual=report.sha256,
        )
    year = report.meta.get("year")
    if line["manifest_year"] and year and line["manifest_year"] != year:
        report.issue(
            "manifest",
            "warning",
            f"{where} gives the year {line['manifest_year']}, the title {year}; the title's year is used",
            where,
            expected=line["manifest_year"],
            actual=year,
        )
    if line["published_raw"] and not line["published_date"]:
        report.issue(
            "manifest",
            "warning",
            f"{where} gives the publication date {line['published_raw']!r}, not a YYYY-MM-DD date; "
            "published_date stays empty",
            where,
            actual=line["published_raw"],
        )


def _new_report(path: Path) -> Report:
    return Report(report_id_for(path), path.name, input_format=format_of(path).name)


def _fail(report: Report, check: str, message: str) -> Report:
    report.issue(check, "error", message)
    report.failed = True
    return report


def _parse_data(path: Path, data: bytes) -> Report:
    report = _new_report(path)
    report.sha256 = hashlib.sha256(data).hexdigest()
    reader = format_for(path, data)
    report.input_format = reader.name
    try:
        document = reader.read(data, path)
    except UnreadableFile as err:
        return _fail(report, getattr(err, "check", "file_unreadable"), f"Not read: {err}")
    report.encoding, report.line_pages = document.encoding, document.line_pages
    report.line_cells = document.line_cells
    report.issues.extend(document.notes)
    if document.replaced:
        report.issue(
            "encoding",
            "warning",
            f"{document.replaced} byte sequences do not decode as {document.encoding} and were replaced",
            actual=document.replaced,
        )
    _note_marks(document, report)
    parse_lines(document.lines, report)
    _locate_facts(document, report)
    if not report.failed:
        validate(report)
    _quote_lines(document, report)
    return report


#: Issue locations that name lines of the document: ``line 12``, ``lines 12-14``, ``table 三, row granted``.
_LINE_AT = re.compile(r"lines? (\d+)(?:-(\d+))?")
_ROW_AT = re.compile(r"table 三, row (\w+)")
#: At most this many lines are quoted for one issue (a range over a whole table says where, not what).
QUOTED_LINES = 3
#: ... and at most this many characters (a web page that lost its line breaks is one very long line).
QUOTED_CHARS = 160


def _quote_lines(document: Document, report: Report) -> None:
    """Each issue's ``text``: the line(s) it names as printed (text formats: the decoded line; other
    formats: the line as read), so the issues table shows what the reader would look at in the file."""
    printed = None  # line number -> text, made when an issue first names a line (most reports: none)
    for issue in report.issues:
        at, row = _LINE_AT.fullmatch(issue.location or ""), _ROW_AT.fullmatch(issue.location or "")
        if issue.text or not (at or (row and row.group(1) in report.row_labels)):
            continue
        if printed is None:
            if document.raw_lines:
                printed = dict(enumerate(document.raw_lines, start=1))
            else:
                printed = {line.no: line.text for line in document.lines}
        if at:
            first, last = int(at.group(1)), int(at.group(2) or at.group(1))
        else:
            first = last = report.row_labels[row.group(1)]
        quoted = (printed.get(n, "").strip() for n in range(first, min(last, first + QUOTED_LINES - 1) + 1))
        text = " ⏎ ".join(line for line in quoted if line)
        issue.text = text if len(text) <= QUOTED_CHARS else text[: QUOTED_CHARS - 1] + "…"


def _locate_facts(document: Document, report: Report) -> None:
    """A prose fact's column on its line as printed (text formats), when the number stands there once."""
    raw = document.raw_lines
    for fact in report.facts:
        line = fact.get("source_line")
        if raw and line and 1 <= line <= len(raw):
            fact["source_column"] = column_of(raw[line - 1], Decimal(str(fact["value"])))


def _read_regular(path: Path, report: Report) -> bytes | None:
    """The file's bytes, or None with an issue when it is not a regular file or is too large.

    Only a regular file is ever opened for reading: a FIFO would block the run, a device never end. The
    type is checked before opening (opening some devices acts on them) and again on the open file (the
    path may have been replaced in between), which is opened non-blocking so that even then nothing waits.
    """
    kind = _not_regular(os.stat(path).st_mode)
    if kind == "folder":
        return _folder(path, report)
    if kind:
        report.issue("not_a_file", "error", f"{path.name} is a {kind}, not a regular file: not opened")
        return None
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        kind = _not_regular(info.st_mode)
        if kind:
            report.issue("not_a_file", "error", f"{path.name} is a {kind}, not a regular file: not read")
            return None
        if info.st_size > MAX_BYTES:
            limit = f"over the {MAX_BYTES // 2**20} MiB limit"
            report.issue(
                "file_too_large", "error", f"The file is {info.st_size / 2**20:.0f} MiB, {limit}; not read"
            )
            return None
        return f.read()


def _not_regular(mode: int) -> str:
    """What a path is when it is not a regular file ("" when it is)."""
    if stat.S_ISREG(mode):
        return ""
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISFIFO(mode):
        return "FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    return "special file"


def _folder(path: Path, report: Report) -> None:
    """A folder among the entries: one that could not be listed (xxgk.read.formats.collect_paths)."""
    report.input_format = ""
    try:
        with os.scandir(path):
            reason = "it is a folder, not a report file"
    except OSError as err:
        reason = f"it cannot be listed: {err.strerror or err}"
    report.issue("folder_unreadable", "error", f"The folder {path} was not read: {reason}", str(path))


def _note_marks(document: Document, report: Report) -> None:
    """Footnote marks beside numbers were left out of them by the reader: say where, once per line."""
    for line in document.lines:
        if line.marks:
            report.issue(
                "footnote_mark",
                "info",
                f"Line {line.no} prints the footnote mark(s) {line.marks} beside a number; a mark is not a digit "
                "of the number and was left out of it",
                f"line {line.no}",
                actual=line.marks,
            )


def parse(path: str | os.PathLike) -> dict[str, pd.DataFrame]:
    """One report's tables (reports, requests, reviews, proactive, facts, issues) as DataFrames."""
    return to_tables([parse_file(path)])


def parse_many(paths: Iterable[str | os.PathLike], progress: bool = False) -> dict[str, pd.DataFrame]:
    """A corpus's tables, concatenated; files and folders may be mixed. A broken file never stops the batch."""
    files = collect_paths(paths)
    ids = report_ids(files)
    if progress:
        from tqdm import tqdm

        files = tqdm(files, desc="parsing", unit="report")
    with fewer_collections():
        return to_tables([parse_file(f, rid) for f, rid in zip(files, ids, strict=True)])


@contextmanager
def fewer_collections(threshold: int = 1_000_000):
    """Run the cyclic garbage collector less often while a corpus is parsed.

    Parsing makes millions of small objects (lines, cells) and almost no reference cycles (about 1,200
    objects in cycles for 2,000 reports), so the collector finds next to nothing; at Python's default
    threshold (700 allocations) it still ran often enough to take ~10 % of the time, and even at this one
    its full collections, which scan every report kept so far, took another 10–15 %. So objects that
    survive a collection of the older generations are frozen (``gc.freeze``: never scanned again) until
    the corpus is done, and unfrozen then; young objects are still collected, cycles among them too.
    Memory is freed by reference counting as before. (Objects the caller froze stay frozen.) At 1,000,000
    rather than 100,000 the young collections took 0.057 instead of 0.085–0.109 CPU s of 3.5 on the 2,000
    reports of ``bench/speed.py``, peak memory unchanged (351 MB).

    The collector is one per process: threads parsing at once (a thread pool as the executor) share one
    setting, made by the first to enter and restored by the last to leave.
    """
    with _COLLECTOR_LOCK:
        if not _collector_users:
            _collector_saved[:] = [gc.get_threshold(), gc.get_freeze_count()]
            old = _collector_saved[0]
            gc.set_threshold(max(threshold, old[0]), *old[1:])
            gc.callbacks.append(_freeze_survivors)
        _collector_users.append(threading.get_ident())
    try:
        yield
    finally:
        with _COLLECTOR_LOCK:
            _collector_users.remove(threading.get_ident())
            if not _collector_users:
                old, frozen_before = _collector_saved
                gc.callbacks.remove(_freeze_survivors)
                gc.set_threshold(*old)
                if not frozen_before:
                    gc.unfreeze()


_COLLECTOR_LOCK = threading.Lock()
_collector_users: list[int] = []  # the threads inside fewer_collections now (one entry per entry)
_collector_saved: list = []  # the collector's threshold and freeze count before the first entered


def _freeze_survivors(phase: str, info: dict) -> None:
    """After a collection of the older generations: what survived it is kept, and need not be scanned."""
    if phase == "stop" and info["generation"] >= 1:
        gc.freeze()
