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
``workers=1``, and parsing, the cost that matters, is what spreads over the cores. ``executor=`` runs the
chunks elsewhere: a Dask client (:mod:`xxgk.run.distributed`; the files' bytes are read here and sent
with each chunk) or any ``concurrent.futures.Executor``. At most two chunks per worker are out at once.

``layout="dataset"`` is for corpora that outgrow one writer: each worker writes its chunk's rows itself
as Parquet part files (:mod:`xxgk.output.dataset`) and sends back only its rows of ``reports`` and the
cross-year numbers; chunks are then taken in the order they finish, so a slow chunk holds up nothing but
its own worker. This process keeps what needs the whole corpus and writes the manifest last.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import NamedTuple

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from xxgk.contract import schema
from xxgk.output.agencies import agencies_table, resolve_duplicates
from xxgk.output.dataset import NO_YEAR, Parts, filesystem, write_manifest
from xxgk.output.files import clean_leftovers, new_run, publish, stamped, temp_file
from xxgk.output.tables import TableColumns, issue_record
from xxgk.parse.report import Report
from xxgk.read import manifest
from xxgk.read.formats import BY_EXTENSION, MAX_BYTES, collect_paths, format_of, report_id_for, report_ids
from xxgk.read.lines import Value
from xxgk.run.pipeline import Source, crashed_report, fewer_collections, parse_source, read_source
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
    # every other table with rows. Single files: name -> (CSV bytes without header, Arrow table); dataset:
    # name -> the part files the worker wrote (output.dataset.Parts.write_chunk)
    tables: dict
    slims: list  # _Slim or None per report
    first: int  # the position of its first report in the corpus


def _render(df: pd.DataFrame) -> tuple[bytes, pa.Table]:
    """A table's rows as CSV (no header) and as Arrow."""
    return df.to_csv(index=False, header=False).encode("utf-8"), pa.Table.from_pandas(
        df, preserve_index=False
    )


def _parse_chunk(
    items: list, first_index: int, ids: list[str], parts: Parts | None = None, number: int = 0
) -> _Chunk:
    """Parse a chunk of inputs under their corpus ids (a worker's task). An input is a local path (read
    here), an fsspec URL (read here, through fsspec) or a :class:`~xxgk.run.pipeline.Source` (read by the
    driver, for workers without its disk). With ``parts`` the rows are written here as the dataset's part
    files of chunk ``number`` and only their names go back; else they go back rendered."""
    with fewer_collections():
        parsed = (parse_source(_source(item), rid) for item, rid in zip(items, ids, strict=True))
        return _chunk_of(parsed, first_index, parts, number)


def _chunk_of(reports: Iterable[Report], first_index: int, parts: Parts | None, number: int) -> _Chunk:
    """A chunk's tables from its reports (taken one by one: a parsed report is dropped once added)."""
    builder = TableColumns()
    slims = []
    for i, report in enumerate(reports, first_index):
        builder.add(report)
        slims.append(_slim(report, i))
    frames = builder.frames()
    reports = frames.pop("reports")
    if parts is not None:
        return _Chunk(reports, parts.write_chunk(number, frames, reports), slims, first_index)
    return _Chunk(reports, {name: _render(df) for name, df in frames.items() if len(df)}, slims, first_index)


def _source(item) -> Source:
    if isinstance(item, Source):
        return item
    if is_url(item):
        return read_url(item)
    return read_source(item)


def is_url(entry) -> bool:
    """An fsspec URL (``s3://…``, ``gs://…``, ``memory://…``), not a local path."""
    return isinstance(entry, str) and "://" in entry and not entry.startswith("file://")


def read_url(url: str) -> Source:
    """A report at an fsspec URL, read by the worker that parses it (the same size limit as a file), with
    its line of the ``MANIFEST.csv`` beside it, as for a file."""
    fs, path = filesystem(url)
    name = PurePosixPath(path)
    try:
        size = fs.size(path)
        if size is not None and size > MAX_BYTES:
            problem = (
                "file_too_large",
                f"The file is {size / 2**20:.0f} MiB, over the {MAX_BYTES // 2**20} MiB limit; not read",
            )
        else:
            data = fs.cat_file(path)
            try:
                line, problem = manifest.entry_at(fs, path), None
            except manifest.ManifestError as err:
                line, problem = None, str(err)
            return Source(url, data, None, line, problem)
    except (OSError, ValueError) as err:
        problem = ("file_unreadable", f"The file cannot be read: {getattr(err, 'strerror', None) or err}")
    report = Report(report_id_for(name), name.name, input_format=format_of(name).name, failed=True)
    report.issue(problem[0], "error", problem[1])
    return Source(url, None, report)


def collect_urls(urls: Iterable[str]) -> list[str]:
    """Report files at fsspec URLs: a file as given, a folder's report files (by extension), sorted."""
    out: list[str] = []
    for url in urls:
        fs, path = filesystem(url)
        if fs.isdir(path):
            found = [p for p in fs.find(path) if PurePosixPath(p).suffix.lower() in BY_EXTENSION]
            out.extend(
                fs.unstrip_protocol(p) for p in sorted(found) if not PurePosixPath(p).name.startswith(".")
            )
        else:
            out.append(url)
    return list(dict.fromkeys(out))


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


@contextmanager
def _executor(executor, workers: int) -> Iterator[tuple[Executor | None, int, bool]]:
    """What runs the chunks: (executor or None for this process, how many run at once, whether the
    inputs' bytes are read here and sent: a Dask cluster's workers may not see this machine's disk)."""
    if executor is not None:
        if _is_dask_client(executor):
            # concurrent.futures over Dask: a chunk of a worker that is lost is run again by the scheduler
            threads = sum(w["nthreads"] for w in executor.scheduler_info()["workers"].values())
            yield executor.get_executor(pure=False), max(1, threads), True
        elif isinstance(executor, ProcessPoolExecutor):  # broken for good when a process dies: renewed
            pool = _RenewedPool(executor._max_workers, executor)
            try:
                yield pool, executor._max_workers, False
            finally:
                pool.shutdown()
        else:
            yield executor, max(1, getattr(executor, "_max_workers", workers)), False
    elif workers <= 1:
        yield None, 1, False
    else:
        pool = _RenewedPool(workers)
        try:
            yield pool, workers, False
        finally:
            pool.shutdown()


def _is_dask_client(executor) -> bool:
    return hasattr(executor, "get_executor") and hasattr(executor, "scheduler_info")


def _completed(
    pool: Executor | None, n: int, job: Callable[[int], tuple], slots: int, ordered: bool
) -> Iterator[_Chunk]:
    """Every chunk's :func:`_parse_chunk` result, chunk ``k``'s arguments made by ``job(k)`` only when it is
    sent (so at most ``2 × slots`` chunks' inputs and results are held at once).

    Unordered (the dataset layout), a chunk is taken as soon as it is done: a slow one holds up nothing
    but its own slot. ``ordered`` (the single files, appended in corpus order), a chunk done before an
    earlier one waits for it, and while the window is full of those nothing new is sent.

    A chunk whose worker died (a crash in a C library, memory, a kill: Dask gave up on it after its
    retries, or the process pool broke, taking every chunk in it along) is run again once nothing else is
    running, alone: whole, then, if it is lost again, in halves, down to the report that kills its worker
    (:func:`_alone`). That report becomes a failed report (check ``parser_crashed``) and every other
    report of the chunk is parsed as usual."""
    if pool is None:
        yield from (_parse_chunk(*job(k)) for k in range(n))
        return
    window = 2 * slots
    lost_worker = _lost_worker_errors()
    pending: dict = {}  # future -> chunk number
    done: dict[int, list[_Chunk]] = {}  # finished, not yet taken (ordered: an earlier chunk is still running)
    lost: list[int] = []  # chunks whose worker died, to run again alone
    sent = taken = 0
    try:
        while taken < n:
            while not lost and sent < n and len(pending) + len(done) < window:
                pending[pool.submit(_parse_chunk, *job(sent))] = sent
                sent += 1
            if pending:
                finished, _ = wait(list(pending), return_when=FIRST_COMPLETED)
                for future in finished:
                    k = pending.pop(future)
                    try:
                        done[k] = [future.result()]
                    except lost_worker:
                        lost.append(k)
            else:  # only lost chunks are left to run: nothing else is running now
                k = lost.pop(0)
                done[k] = list(_alone(pool, *job(k), lost_worker))
            if ordered:
                ready = []
                while taken + len(ready) in done:
                    ready.append(taken + len(ready))
            else:
                ready = sorted(done)
            for k in ready:
                taken += 1
                yield from done.pop(k)
    finally:
        for future in pending:  # stopped early (an error while writing): do not parse the rest
            future.cancel()


def _alone(
    pool: Executor, items: list, first: int, ids: list[str], parts: Parts | None, number: int, lost_worker
) -> Iterator[_Chunk]:
    """A lost chunk's reports run again with nothing else running: the whole chunk, and if it is lost again,
    each half the same way, in order, so that a few runs find the report that kills its worker and the
    other reports come back in a few chunks (a part file or row group each), not one per report. A single
    report lost again is that report: its failed report is made here, without parsing it."""
    future = pool.submit(_parse_chunk, items, first, ids, parts, number)
    try:
        yield future.result()
        return
    except lost_worker as err:
        if len(items) == 1:
            why = _LOST.get(type(err).__name__, type(err).__name__)
            yield _chunk_of([crashed_report(_crashed_source(items[0]), ids[0], why)], first, parts, number)
            return
    half = len(items) // 2
    yield from _alone(pool, items[:half], first, ids[:half], parts, number, lost_worker)
    yield from _alone(pool, items[half:], first + half, ids[half:], parts, number, lost_worker)


def _crashed_source(item) -> Source:
    """The source of a report that killed its worker, for its failed report: as sent, or read here (its hash
    and manifest line); if it cannot be read here (a URL this machine has no access to), its name alone."""
    try:
        return _source(item)
    except Exception:  # the report is failed either way: what matters is that the run goes on
        return Source(str(item), None, None)


#: What a lost task's error means, for the failed report (Dask's own message names its task and worker).
_LOST = {
    "BrokenProcessPool": "its worker process ended abruptly",
    "KilledWorker": "Dask gave it up after every worker that ran it died",
}


def _lost_worker_errors() -> tuple[type[BaseException], ...]:
    """What a future raises when the process running it died: a broken process pool, or Dask's
    KilledWorker (its retries on other workers used up). Dask is looked for only if it is in use."""
    errors: tuple[type[BaseException], ...] = (BrokenProcessPool,)
    if "distributed" in sys.modules:
        from distributed import KilledWorker

        errors += (KilledWorker,)
    return errors


class _RenewedPool:
    """A process pool that starts again when one of its processes dies: a pool whose worker died is
    broken for good (every task in it fails), so the next task gets a new one. It starts with ``first``
    (the caller's pool, which the caller shuts down) or a pool of its own."""

    def __init__(self, workers: int, first: ProcessPoolExecutor | None = None):
        self.workers = workers
        self.first = first
        self.pool = first or self._new()

    def _new(self) -> ProcessPoolExecutor:
        # "spawn": a fresh interpreter per worker. A forked one would copy this process (its caches, and
        # pyarrow's thread pools, which are not safe to fork).
        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))

    def submit(self, fn, *args):
        try:
            return self.pool.submit(fn, *args)
        except BrokenProcessPool:
            if self.pool is not self.first:
                self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = self._new()
            return self.pool.submit(fn, *args)

    def shutdown(self) -> None:
        if self.pool is not self.first:
            self.pool.shutdown()


class _DatasetParts:
    """The driver's side of the dataset layout: the part files the workers wrote, the late issues (cross-year
    checks, duplicates) and the driver's own tables, then the manifest that makes them one run."""

    def __init__(self, parts: Parts):
        self.parts = parts
        self.worker: dict[str, list[dict]] = {name: [] for name in schema.TABLES}
        self.late: list[dict] = []
        self.year_of: dict = {}
        self.rows = dict.fromkeys(schema.TABLES, 0)

    def add(self, chunk: _Chunk) -> None:
        for name, parts in chunk.tables.items():
            self.worker[name].extend(parts)
            self.rows[name] += sum(p["rows"] for p in parts)
        self.year_of.update(zip(chunk.reports["report_id"], chunk.reports["year"], strict=True))

    def append(self, records: list[dict]) -> None:
        """Late issue rows: one part per year of their reports."""
        if not records:
            return
        df = schema.frame("issues", records)
        keys = df["report_id"].map(self.year_of).astype("string").fillna(NO_YEAR)
        for key in sorted(keys.unique()):
            self.late.append(self.parts.write("issues", df[(keys == key).to_numpy()], "late", key))
        self.rows["issues"] += len(df)

    def finish(self, reports: pd.DataFrame, agencies: pd.DataFrame) -> None:
        parts = {name: sorted(p, key=lambda p: (p["chunk"], p["path"])) for name, p in self.worker.items()}
        parts["issues"] += self.late
        for name, df in (("reports", reports), ("agencies", agencies)):
            parts[name] = [self.parts.write(name, df, name)]
            self.rows[name] = len(df)
        write_manifest(self.parts.url, self.parts.run, parts)


def _inputs(paths: Iterable) -> list:
    """Local files (xxgk.read.formats.collect_paths), then report files at fsspec URLs."""
    paths = list(paths)
    local = [p for p in paths if not is_url(p)]
    return [*(collect_paths(local) if local else []), *collect_urls([p for p in paths if is_url(p)])]


def write_corpus(
    paths: Iterable[str | os.PathLike],
    out_dir: str | os.PathLike,
    chunk: int = CHUNK,
    progress: bool = False,
    workers: int = 1,
    executor=None,
    layout: str = "files",
    shared_disk: bool = False,
) -> dict[str, int]:
    """Parse every report under ``paths`` and write the tables to ``out_dir``; returns rows per table.

    ``paths``: files and folders, or fsspec URLs of them (``s3://bucket/reports/``; read by the workers).

    ``workers``: processes parsing chunks (1: all in this process). The files written are the same. The
    workers are started with "spawn": a script calling this with workers > 1 needs the usual
    ``if __name__ == "__main__":`` guard (notebooks and the command line need nothing).

    ``executor``: what parses the chunks instead: a ``dask.distributed.Client`` (see
    :mod:`xxgk.run.distributed`; the files' bytes are read here and sent, so its workers need no shared
    disk) or any ``concurrent.futures.Executor`` (it is given local paths). ``shared_disk``: a Dask
    cluster's workers see the files at the same paths (one machine, or a shared file system such as NFS or
    Lustre): they are sent the paths and read the files themselves (this process then lists them only:
    about a fifth less of its CPU per report, the scheduler's share included).

    ``layout``: ``"files"``, one CSV and one Parquet file per table (:mod:`xxgk.output.files`), appended
    here chunk by chunk in corpus order; ``"dataset"``, Parquet part files that each worker writes itself
    into ``out_dir`` (a folder or an fsspec URL), made one run by a manifest (:mod:`xxgk.output.dataset`).
    :func:`xxgk.load_tables` reads both alike."""
    if layout not in ("files", "dataset"):
        raise ValueError(f"layout must be 'files' or 'dataset', not {layout!r}")
    files = _inputs(paths)
    # ids over the whole corpus, as parse_many: a chunk cannot see the others' names
    ids = report_ids([PurePosixPath(filesystem(f)[1]) if is_url(f) else f for f in files])
    run = new_run(schema.TABLES)
    # a folder as an absolute path: workers elsewhere do not share this process's working folder
    url = str(out_dir) if is_url(str(out_dir)) else os.path.abspath(out_dir)
    parts = Parts(url, run) if layout == "dataset" else None
    with _executor(executor, workers) as (pool, slots, ship):

        def job(k: int) -> tuple:
            start = k * chunk
            items = files[start : start + chunk]
            if ship and shared_disk:  # the workers read them, maybe in another working folder
                items = [f if is_url(f) else os.path.abspath(f) for f in items]
            elif ship:
                items = [f if is_url(f) else read_source(f) for f in items]
            return (items, start, ids[start : start + chunk], parts, k)

        n = -(-len(files) // chunk)
        if parts is not None:
            out = _DatasetParts(parts)
            return _write_dataset(_completed(pool, n, job, slots, False), out, len(files), progress)
        return _write_files(_completed(pool, n, job, slots, True), Path(out_dir), run, len(files), progress)


def _progress(total: int, progress: bool):
    if not progress:
        return contextlib.nullcontext(None)
    from tqdm import tqdm

    return tqdm(total=total, desc="parsing", unit="report")


def _write_dataset(chunks: Iterator[_Chunk], out: _DatasetParts, n: int, progress: bool) -> dict[str, int]:
    """The dataset layout: the workers wrote the parts; here what is global, then the manifest."""
    reports: list[tuple[int, pd.DataFrame]] = []
    slims: list[_Slim] = []
    numbers: dict[str, Decimal] = {}
    with _progress(n, progress) as bar:
        for result in chunks:
            out.add(result)
            reports.append((result.first, result.reports))
            slims.extend(_shared(s, numbers) for s in result.slims if s is not None)
            if bar is not None:
                bar.update(len(result.reports))
    table = _global(reports, slims, n, out)
    out.finish(table, agencies_table(table))
    return out.rows


def _global(reports: list[tuple[int, pd.DataFrame]], slims: list[_Slim], n: int, late) -> pd.DataFrame:
    """What needs the whole corpus: the cross-year checks (their issues to ``late``), the issue counts they
    add, duplicates resolved as output.tables.across_reports does (their issues to ``late``)."""
    added, errors = _cross_year(slims, n, late)
    reports.sort(key=lambda chunk: chunk[0])  # chunks come in any order: the table is in corpus order
    table = pd.concat([df for _, df in reports], ignore_index=True) if reports else schema.empty("reports")
    table["n_issues"] += pd.array(added, dtype="Int64")
    table["n_errors"] += pd.array(errors, dtype="Int64")
    table, duplicates = resolve_duplicates(table)
    late.append(duplicates)
    return table


def _write_files(chunks: Iterator[_Chunk], out: Path, run: dict, n: int, progress: bool) -> dict[str, int]:
    """The single files: every chunk's rows appended in corpus order, all renamed into place at the end."""
    out.mkdir(parents=True, exist_ok=True)
    clean_leftovers(out)
    writers: dict[str, _Writer] = {}
    reports: list[tuple[int, pd.DataFrame]] = []
    slims: list[_Slim] = []
    numbers: dict[str, Decimal] = {}
    try:
        with _progress(n, progress) as bar:
            for name in schema.TABLES:
                writers[name] = _Writer(name, out, run)
            for result in chunks:
                for name, (csv, table) in result.tables.items():
                    writers[name].write(csv, table)
                reports.append((result.first, result.reports))
                slims.extend(_shared(s, numbers) for s in result.slims if s is not None)
                if bar is not None:
                    bar.update(len(result.reports))
        table = _global(reports, slims, n, writers["issues"])
        writers["reports"].write(*_render(table))
        writers["agencies"].write(*_render(agencies_table(table)))
        publish({target: tmp for w in writers.values() for target, tmp in w.finish().items()})
    except BaseException:
        for w in writers.values():
            w.abort()
        raise
    return {name: w.rows for name, w in writers.items()}
