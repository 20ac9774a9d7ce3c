"""A large corpus in bounded memory: reports parsed and written in chunks, never all held at once.

:func:`xxgk.parse_many` returns every table as one DataFrame, which is what notebooks want; for 100,000
reports that is millions of rows per table and every parsed report kept until the end (several GB).
:func:`write_corpus` gives the same tables on disk (CSV and Parquet) while holding one chunk of reports
at a time: each chunk's rows are appended to the output files, and of each report only what the
cross-year checks need (its carried-over and carried-forward rows, table 二's regulation counts) and its
row of the ``reports`` table are kept to the end.

Same content as ``write_tables(parse_many(paths), out)``: the same report ids (file names made unique by
the hash, as :func:`xxgk.api._unique_ids` does), the same rows; only the issues of the cross-year checks
come at the end of the ``issues`` table rather than within their report's block. Written atomically like
``write_tables``: every table goes to a temp file in the output folder, renamed into place at the end.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from xxgk import schema
from xxgk.api import _records, collect_paths, parse_file, report_id_for
from xxgk.model import Report
from xxgk.validate import cross_year

#: Reports parsed before their rows are written out (memory grows with it; ~2,000 reports ≈ 100 MB).
CHUNK = 2000
# What the cross-year checks read of a report (validate.cross_year): two table-三 rows, table 二's counts.
_CROSS_YEAR_ROWS = ("carried_over", "carried_forward")
_CROSS_YEAR_ITEMS = ("regulations", "normative_documents")


class _Writer:
    """One table's CSV and Parquet files, appended chunk by chunk under temp names."""

    def __init__(self, name: str, out: Path):
        self.name, self.out = name, out
        self.tmp = {suffix: self._temp(suffix) for suffix in (".csv", ".parquet")}
        self.parquet: pq.ParquetWriter | None = None
        self.csv_started = False
        self.closed = False
        self.rows = 0

    def _temp(self, suffix: str) -> str:
        fd, tmp = tempfile.mkstemp(prefix=f".{self.name}.", suffix=suffix, dir=self.out)
        os.close(fd)
        return tmp

    def append(self, records: list[dict], force: bool = False) -> None:
        if not records and not force:
            return
        df = schema.frame(self.name, records)
        df.to_csv(self.tmp[".csv"], mode="a" if self.csv_started else "w", header=not self.csv_started,
                  index=False, encoding="utf-8")
        self.csv_started = True
        table = pa.Table.from_pandas(df, preserve_index=False)
        if self.parquet is None:
            self.parquet = pq.ParquetWriter(self.tmp[".parquet"], table.schema)
        self.parquet.write_table(table)
        self.rows += len(df)

    def close(self) -> list[Path]:
        if self.parquet is None:
            self.append([], force=True)  # an empty table still gets its columns
        self.parquet.close()
        self.closed = True
        targets = []
        for suffix, tmp in self.tmp.items():
            target = self.out / f"{self.name}{suffix}"
            os.replace(tmp, target)
            targets.append(target)
        return targets

    def abort(self) -> None:
        if self.parquet is not None and not self.closed:
            self.parquet.close()
        for tmp in self.tmp.values():
            if os.path.exists(tmp):
                os.unlink(tmp)


def _slim(report: Report) -> Report:
    """What the cross-year checks need of a report, and nothing else (its issues start empty)."""
    slim = Report(report.report_id, report.source_file, meta=report.meta, failed=report.failed)
    slim.requests = {r: report.requests[r] for r in _CROSS_YEAR_ROWS if r in report.requests}
    slim.proactive = {k: v for k, v in report.proactive.items() if k[0] in _CROSS_YEAR_ITEMS}
    return slim


def write_corpus(paths: Iterable[str | os.PathLike], out_dir: str | os.PathLike, chunk: int = CHUNK,
                 progress: bool = False) -> dict[str, int]:
    """Parse every report under ``paths`` and write the tables to ``out_dir``; returns rows per table."""
    files = collect_paths(paths)
    # Ids as api._unique_ids makes them: a file name shared by several files gets the file's hash appended.
    stems = Counter(report_id_for(f) for f in files)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    writers = {name: _Writer(name, out) for name in schema.TABLES}
    reports_rows: list[dict] = []
    slims: list[Report] = []
    bar = None
    if progress:
        from tqdm import tqdm
        bar = tqdm(total=len(files), desc="parsing", unit="report")
    try:
        for start in range(0, len(files), chunk):
            pending: dict[str, list[dict]] = {name: [] for name in schema.TABLES if name != "reports"}
            for f in files[start:start + chunk]:
                report = parse_file(f)
                if stems[report.report_id] > 1:
                    report.report_id = f"{report.report_id}-{(report.sha256 or 'nohash')[:8]}"
                records = _records(report)
                reports_rows.extend(records.pop("reports"))
                for name, recs in records.items():
                    pending[name].extend(recs)
                slims.append(_slim(report))
            for name, recs in pending.items():
                writers[name].append(recs)
            if bar is not None:
                bar.update(len(files[start:start + chunk]))
        cross_year(slims)
        late = [r for r in slims if r.issues]
        late_records = []
        by_id = {row["report_id"]: row for row in reports_rows}
        for slim in late:
            late_records.extend(_records(slim)["issues"])
            row = by_id[slim.report_id]
            row["n_issues"] += len(slim.issues)
            row["n_errors"] += sum(1 for i in slim.issues if i.severity == "error")
        writers["issues"].append(late_records)
        writers["reports"].append(reports_rows)
        for w in writers.values():
            w.close()
    except BaseException:
        for w in writers.values():
            w.abort()
        raise
    finally:
        if bar is not None:
            bar.close()
    return {name: w.rows for name, w in writers.items()}
