"""A large corpus in bounded memory: reports parsed and written in chunks, never all held at once.

:func:`xxgk.parse_many` returns every table as one DataFrame, which is what notebooks want; for 100,000
reports that is millions of rows per table and every parsed report kept until the end (several GB).
:func:`write_corpus` gives the same tables on disk (CSV and Parquet) while holding one chunk of reports
at a time: each chunk's rows are appended to the output files, and of each report only its row of the
``reports`` table (in a DataFrame) and the numbers the cross-year checks read are kept to the end.

Same content as ``write_tables(parse_many(paths), out)``: the same report ids (one rule for both,
:func:`xxgk.read.formats.report_ids`, applied to the whole list of files before any chunk), the same
rows; only the issues of the cross-year checks come at the end of the ``issues`` table (grouped by agency
and year) rather than within their report's block. Written as one unit like ``write_tables``
(:mod:`xxgk.output.files`): every table goes to a temp file in the output folder, stamped with the run,
and all are renamed into place at the end.

With ``workers=N`` the chunks are parsed (and rendered to CSV and Arrow) in N worker processes while this
process only appends them to the files, in the chunks' order: the output is byte for byte the one of
``workers=1``, and parsing, the cost that matters, is what spreads over the cores.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from xxgk.contract import schema
from xxgk.output.agencies import agencies_table, resolve_duplicates
from xxgk.output.files import clean_leftovers, new_run, publish, stamped, temp_file
from xxgk.output.tables import TableColumns, issue_record
from xxgk.parse.report import Report
from xxgk.read.formats import collect_paths, report_ids
from xxgk.read.lines import Value
from xxgk.run.pipeline import fewer_collections, parse_file
from xxgk.validate import cross_year

#: Reports parsed before their rows are written out. Memory grows with it (a chunk's record dicts are the
#: largest thing a parsing process holds): with 2 workers, 1,000 gave a 1,035 MB peak for the process tree
#: on 8,000 synthetic reports, 2,000 gave 1,314 MB, in the same time.
CHUNK = 1000
#: Cross-year issue rows gathered before they are written. An agency with many reports for one year (a
#: synthetic corpus, duplicated downloads) compares every pair of consecutive years: millions of issues.
LATE_ISSUES = 50_000
# What the cross-year checks read of a report (validate.cross_year): two table-三 rows, table 二's counts.
_CROSS_YEAR_ROWS = ("carried_over", "carried_forward")
_CROSS_YEAR_KEYS = tuple(
    (item, measure)
    for item in ("regulations", "normative_documents")
    for measure in ("in_force", "issued", "repealed")
)


class _Slim(NamedTuple):
    """What the cross-year checks read of a report, as bare numbers (a few hundred bytes, not ~7 KB of
    ``Value`` objects: at 100,000 reports the difference is most of the memory left)."""

    index: int  # position in the reports table
    report_id: str
    agency: str
    year: int
    rows: tuple  # per _CROSS_YEAR_ROWS: the row's numbers (Decimal or None), or None when it has no row
    proactive: tuple  # per _CROSS_YEAR_KEYS: the number (Decimal or None)


def _slim(report: Report, index: int) -> _Slim | None:
    """None for a report the cross-year checks skip (failed, or no agency or year)."""
    meta = report.meta or {}
    if report.failed or not meta.get("agency") or not meta.get("year"):
        return None

    def numbers(cells):
        return None if cells is None else tuple(None if c is None else c.number for c in cells)

    proactive = report.proactive or {}
    return _Slim(
        index,
        report.report_id,
        meta["agency"],
        meta["year"],
        tuple(numbers(report.requests.get(r)) for r in _CROSS_YEAR_ROWS),
        tuple(None if proactive.get(k) is None else proactive[k].number for k in _CROSS_YEAR_KEYS),
    )


def _shared(slim: _Slim, numbers: dict[str, Decimal]) -> _Slim:
    """The same slim with equal numbers as one object (most counts are 0–9). Keyed by the printed form,
    as 1.5 and 1.50 are equal but print differently in an issue message."""

    def one(n):
        return None if n is None else numbers.setdefault(str(n), n)

    return slim._replace(
        rows=tuple(None if r is None else tuple(map(one, r)) for r in slim.rows),
        proactive=tuple(map(one, slim.proactive)),
    )


def _as_report(slim: _Slim) -> Report:
    """A Report holding just what validate.cross_year reads (issues start empty)."""
    report = Report(slim.report_id, "", meta={"agency": slim.agency, "year": slim.year})

    def cell(n):
        return None if n is None else Value(n, 0, "")  # cross_year reads only the number

    report.requests = {
        code: [cell(n) for n in row]
        for code, row in zip(_CROSS_YEAR_ROWS, slim.rows, strict=False)
        if row is not None
    }
    report.proactive = {key: cell(n) for key, n in zip(_CROSS_YEAR_KEYS, slim.proactive, strict=False)}
    return report


class _Chunk(NamedTuple):
    """One chunk of reports, parsed and rendered: what the writing side needs of it."""

    reports: pd.DataFrame  # its rows of the reports table (n_issues without the cross-year issues)
    tables: dict  # every other table with rows: name -> (CSV bytes without header, Arrow table)
    slims: list  # _Slim or None per report


def _render(df: pd.DataFrame) -> tuple[bytes, pa.Table]:
    """A table's rows as CSV (no header) and as Arrow."""
    return df.to_csv(index=False, header=False).encode("utf-8"), pa.Table.from_pandas(
        df, preserve_index=False
    )


def _parse_chunk(files: list[Path], first_index: int, ids: list[str]) -> _Chunk:
    """Parse a chunk of files under their corpus ids and render its rows."""
    builder = TableColumns()
    slims = []
    with fewer_collections():
        for i, (f, rid) in enumerate(zip(files, ids, strict=True), first_index):
            report = parse_file(f, rid)
            builder.add(report)
            slims.append(_slim(report, i))
    frames = builder.frames()
    reports = frames.pop("reports")
    return _Chunk(reports, {name: _render(df) for name, df in frames.items() if len(df)}, slims)


class _Writer:
    """One table's CSV and Parquet files, appended chunk by chunk under temp names (output.files)."""

    def __init__(self, name: str, out: Path, run: dict):
        self.name, self.out, self.run = name, out, run
        self.tmp = {suffix: temp_file(out, name, suffix) for suffix in (".csv", ".parquet")}
        self.parquet: pq.ParquetWriter | None = None
        self.closed = False
        self.rows = 0

    def append(self, records: list[dict]) -> None:
        if records:
            self.write(*_render(schema.frame(self.name, records)))

    def write(self, csv: bytes, table: pa.Table) -> None:
        if self.parquet is None:
            header = schema.empty(self.name).to_csv(index=False).encode("utf-8")
            with open(self.tmp[".csv"], "wb") as f:
                f.write(header)
            self.parquet = pq.ParquetWriter(self.tmp[".parquet"], stamped(table.schema, self.run))
        with open(self.tmp[".csv"], "ab") as f:
            f.write(csv)
        self.parquet.write_table(table)
        self.rows += table.num_rows

    def finish(self) -> dict[Path, str]:
        """Complete the temp files; returns target -> temp file, for output.files.publish."""
        if self.parquet is None:  # an empty table still gets its columns
            self.write(b"", pa.Table.from_pandas(schema.empty(self.name), preserve_index=False))
        self.parquet.close()
        self.closed = True
        return {self.out / f"{self.name}{suffix}": tmp for suffix, tmp in self.tmp.items()}

    def abort(self) -> None:
        if self.parquet is not None and not self.closed:
            self.parquet.close()
        for tmp in self.tmp.values():
            if os.path.exists(tmp):
                os.unlink(tmp)


def _cross_year(slims: list[_Slim], n: int, writer: _Writer) -> tuple[list[int], list[int]]:
    """Run the cross-year checks (validate.cross_year) report by report and write their issues as they
    come; returns the issues and errors added per report (by position). Memory: one agency-year's reports
    and LATE_ISSUES issue rows, however many issues there are."""
    groups: dict[tuple[str, int], list[_Slim]] = {}
    for s in slims:
        groups.setdefault((s.agency, s.year), []).append(s)
    added, errors = [0] * n, [0] * n
    pending: list[dict] = []
    for (agency, year), later in groups.items():
        earlier = [_as_report(s) for s in groups.get((agency, year - 1), [])]
        if not earlier:
            continue
        for s in later:
            report = _as_report(s)
            cross_year([*earlier, report])  # issues go to the later report only
            pending.extend(issue_record(report.report_id, i) for i in report.issues)
            added[s.index] = len(report.issues)
            errors[s.index] = sum(1 for i in report.issues if i.severity == "error")
            if len(pending) >= LATE_ISSUES:
                writer.append(pending)
                pending = []
    writer.append(pending)
    return added, errors


def _parsed_chunks(jobs: list[tuple], workers: int) -> Iterator[_Chunk]:
    """Every job's _parse_chunk result, in the jobs' order; with workers > 1 computed in worker processes,
    at most one chunk ahead of the workers so that finished chunks do not pile up in memory."""
    if workers <= 1:
        yield from (_parse_chunk(*job) for job in jobs)
        return
    # "spawn": a fresh interpreter per worker. A forked one would copy this process (its caches, and
    # pyarrow's thread pools, which are not safe to fork).
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        pending: deque = deque()
        try:
            for job in jobs:
                pending.append(pool.submit(_parse_chunk, *job))
                if len(pending) > workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:  # stopped early (an error while writing): do not parse the rest
                future.cancel()


def write_corpus(
    paths: Iterable[str | os.PathLike],
    out_dir: str | os.PathLike,
    chunk: int = CHUNK,
    progress: bool = False,
    workers: int = 1,
) -> dict[str, int]:
    """Parse every report under ``paths`` and write the tables to ``out_dir``; returns rows per table.

    ``workers``: processes parsing chunks (1: all in this process). The files written are the same. The
    workers are started with "spawn": a script calling this with workers > 1 needs the usual
    ``if __name__ == "__main__":`` guard (notebooks and the command line need nothing)."""
    files = collect_paths(paths)
    ids = report_ids(files)  # over the whole corpus, as parse_many: a chunk cannot see the others' names
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    clean_leftovers(out)
    run = new_run(schema.TABLES)
    writers: dict[str, _Writer] = {}
    reports: list[pd.DataFrame] = []
    slims: list[_Slim] = []
    numbers: dict[str, Decimal] = {}
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(files), desc="parsing", unit="report")
    try:
        for name in schema.TABLES:
            writers[name] = _Writer(name, out, run)
        jobs = [
            (files[start : start + chunk], start, ids[start : start + chunk])
            for start in range(0, len(files), chunk)
        ]
        for result in _parsed_chunks(jobs, workers):
            for name, (csv, table) in result.tables.items():
                writers[name].write(csv, table)
            reports.append(result.reports)
            slims.extend(_shared(s, numbers) for s in result.slims if s is not None)
            if bar is not None:
                bar.update(len(result.reports))
        added, errors = _cross_year(slims, len(files), writers["issues"])
        table = pd.concat(reports, ignore_index=True) if reports else schema.empty("reports")
        table["n_issues"] += pd.array(added, dtype="Int64")
        table["n_errors"] += pd.array(errors, dtype="Int64")
        table, duplicates = resolve_duplicates(table)  # as output.tables.across_reports does
        writers["issues"].append(duplicates)
        writers["reports"].write(*_render(table))
        writers["agencies"].write(*_render(agencies_table(table)))
        publish({target: tmp for w in writers.values() for target, tmp in w.finish().items()})
    except BaseException:
        for w in writers.values():
            w.abort()
        raise
    finally:
        if bar is not None:
            bar.close()
    return {name: w.rows for name, w in writers.items()}
