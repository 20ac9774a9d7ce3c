"""The tables as a Parquet dataset: part files written by many workers, made one run by a manifest.

The single-file layout (:mod:`xxgk.output.files`: one CSV and one Parquet file per table) has one writer.
For a corpus parsed on many machines, each worker writes its chunk's rows itself, as Parquet part files
partitioned by year, through fsspec (a local folder or an object-store URL such as ``s3://bucket/out``)::

    out/_manifest.json
    out/requests/year=2021/part-<run>-<chunk>-<random>.parquet
    out/requests/year=__HIVE_DEFAULT_PARTITION__/…      (reports whose year was not read)
    out/reports/part-<run>-reports.parquet               (written by the driver: it resolves duplicates)

A part is only data; the dataset is what ``_manifest.json`` lists (every part, its rows, the run stamp).
The driver writes the manifest last, in one write, once every chunk's parts are known: until then the
previous manifest (and the previous run's parts) still make a complete dataset. A part the manifest does
not list (a chunk whose worker was lost mid-write and that Dask ran again elsewhere, a stopped run) is
never read, and the next complete run removes it.

Only ``reports`` and ``agencies`` are written by the driver (one part each, in corpus order): they need the
whole corpus (duplicates, agencies). The other tables' parts come from the workers, plus the driver's
"late" issue parts (cross-year checks, duplicates), which the manifest marks as such.

Reading (:func:`load_dataset`) gives the tables of :func:`xxgk.output.files.load_tables` for the
single-file layout written by :func:`xxgk.run.stream.write_corpus`, row for row in the same order: the
worker parts' rows are put back in report order (the reports table's order: a stable sort on each row's
report, so a report's own rows keep their order), and the late issues follow, as in the single file.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from xxgk.contract import schema
from xxgk.output.files import DATASET_MANIFEST, stamped

#: The dataset's manifest, at its root (a leading "_": Parquet readers skip it when they list the folder).
MANIFEST = DATASET_MANIFEST
LAYOUT = "xxgk-dataset"
#: The partition of a report whose year was not read (Hive's and pyarrow's name for a null partition).
NO_YEAR = "__HIVE_DEFAULT_PARTITION__"
#: Tables the driver writes whole (in corpus order), not partitioned by year.
DRIVER_TABLES = ("reports", "agencies")


def filesystem(url: str):
    """The fsspec file system and path of a folder or URL (fsspec ships with the ``dask`` extra)."""
    try:
        from fsspec.core import url_to_fs
    except ImportError:  # pragma: no cover - the message is the point
        raise ImportError(
            "the Parquet dataset layout reads and writes through fsspec: pip install 'xxgk[dask]'"
        ) from None
    return url_to_fs(str(url))


def is_dataset(directory) -> bool:
    """Whether a folder (or URL) holds a dataset manifest. A local folder is looked at without fsspec."""
    text = str(directory)
    if "://" not in text:
        import os

        return os.path.isfile(os.path.join(text, MANIFEST))
    fs, root = filesystem(text)
    return fs.exists(f"{root.rstrip('/')}/{MANIFEST}")


@dataclass(frozen=True)
class Parts:
    """Where and under which run a chunk's rows are written: sent to each worker with its chunk."""

    url: str
    run: dict

    def write(self, table: str, df: pd.DataFrame, tag: str, partition: str | None = None) -> dict:
        """Write one part (stamped with the run); returns its manifest entry (path below the root, rows)."""
        fs, root = filesystem(self.url)
        folder = table if partition is None else f"{table}/year={partition}"
        rel = f"{folder}/part-{self.run['run'][:8]}-{tag}-{uuid.uuid4().hex[:8]}.parquet"
        fs.makedirs(f"{root.rstrip('/')}/{folder}", exist_ok=True)
        arrow = stamped(pa.Table.from_pandas(df, preserve_index=False), self.run)
        with fs.open(f"{root.rstrip('/')}/{rel}", "wb") as f:
            pq.write_table(arrow, f)
        return {"path": rel, "rows": len(df)}

    def write_chunk(self, chunk: int, frames: Mapping[str, pd.DataFrame], reports: pd.DataFrame) -> dict:
        """A chunk's tables (all but the driver's), each split by its reports' year; returns table -> parts."""
        year_of = dict(zip(reports["report_id"], reports["year"], strict=True))
        written: dict[str, list[dict]] = {}
        for name, df in frames.items():
            if not len(df) or name in DRIVER_TABLES:
                continue
            years = df["report_id"].map(year_of)
            keys = years.astype("string").fillna(NO_YEAR)
            for key in sorted(keys.unique()):
                part = self.write(name, df[(keys == key).to_numpy()], f"{chunk:06d}", key)
                written.setdefault(name, []).append({**part, "chunk": chunk})
        return written


def write_manifest(url: str, run: dict, parts: Mapping[str, list[dict]]) -> dict:
    """Make the dataset complete: list every part (table -> parts, in reading order) and the run, in one
    write; then remove the parts no manifest lists any more (earlier runs', lost attempts')."""
    fs, root = filesystem(url)
    root = root.rstrip("/")
    fs.makedirs(root, exist_ok=True)
    _check_parts(fs, root, url, parts)
    manifest = {
        "layout": LAYOUT,
        "run": run,
        "rows": {name: sum(p["rows"] for p in parts.get(name, [])) for name in schema.TABLES},
        "tables": {name: list(parts.get(name, [])) for name in schema.TABLES},
    }
    tmp = f"{root}/.{MANIFEST}.{uuid.uuid4().hex[:8]}"
    with fs.open(tmp, "w", encoding="utf-8") as f:
        json.dump(manifest, f, ensure_ascii=False, indent=1)
    fs.mv(tmp, f"{root}/{MANIFEST}")  # a rename on a local disk; one object written whole on a store
    _remove_unlisted(fs, root, manifest)
    return manifest


class PartsNotFound(OSError):
    """Parts a worker wrote that this machine cannot see: the workers do not share the output folder."""


def _check_parts(fs, root: str, url: str, parts: Mapping[str, list[dict]]) -> None:
    """Every part to be listed is there, as seen from here. A folder ``--out`` on a cluster whose workers
    do not share this machine's disk would get parts on each worker's own disk and a manifest here naming
    them: a dataset that cannot be read. Refused before the manifest is written, saying why."""
    present = {p.rstrip("/") for p in fs.find(root)} if fs.exists(root) else set()
    missing = [p["path"] for ps in parts.values() for p in ps if f"{root}/{p['path']}" not in present]
    if missing:
        raise PartsNotFound(
            f"{url}: {len(missing)} part file(s) the workers wrote are not there as seen from this machine "
            f"(e.g. {missing[0]}); the workers do not share this folder. Give an --out that every worker and "
            "this machine can reach (a shared disk, or an object-store URL such as s3://bucket/out); no "
            "manifest was written, so the previous dataset, if any, is unchanged"
        )


def _remove_unlisted(fs, root: str, manifest: dict) -> None:
    listed = {f"{root}/{p['path']}" for parts in manifest["tables"].values() for p in parts}
    for name in schema.TABLES:
        folder = f"{root}/{name}"
        if not fs.exists(folder):
            continue
        for path in fs.find(folder):
            if path.endswith(".parquet") and path.rstrip("/") not in listed:
                fs.rm(path)


def read_manifest(url: str) -> dict:
    fs, root = filesystem(url)
    with fs.open(f"{root.rstrip('/')}/{MANIFEST}", "r", encoding="utf-8") as f:
        manifest = json.load(f)
    if manifest.get("layout") != LAYOUT:
        raise ValueError(f"{url}: {MANIFEST} is not an xxgk dataset manifest")
    return manifest


def load_dataset(
    url: str, names: Iterable[str], columns: Mapping[str, list[str]] | None = None
) -> dict[str, pd.DataFrame]:
    """The tables a manifest lists, with the declared dtypes, in the single-file layout's row order."""
    manifest = read_manifest(url)
    fs, root = filesystem(url)
    root = root.rstrip("/")
    order = None
    tables = {}
    for name in names:
        wanted = (columns or {}).get(name)
        parts = manifest["tables"].get(name, [])
        by_worker = [p for p in parts if "chunk" in p]
        read = wanted if wanted is None or "report_id" in wanted or not by_worker else [*wanted, "report_id"]
        frames = [_read_part(fs, f"{root}/{p['path']}", read) for p in parts]
        empty = schema.empty(name)
        df = pd.concat(frames, ignore_index=True) if frames else empty if read is None else empty[read]
        if by_worker:
            if order is None:
                order = _report_order(fs, root, manifest)
            df = _in_report_order(df, sum(p["rows"] for p in by_worker), order)
        if wanted is not None:
            df = df[wanted]
        tables[name] = df.astype({c.name: c.dtype for c in schema.TABLES[name] if c.name in df.columns})
    return tables


def _read_part(fs, path: str, columns: list[str] | None) -> pd.DataFrame:
    with fs.open(path, "rb") as f:
        return pq.read_table(f, columns=columns).to_pandas()


def _report_order(fs, root: str, manifest: dict) -> dict[str, int]:
    """Each report's position in the reports table (corpus order)."""
    ids = [_read_part(fs, f"{root}/{p['path']}", ["report_id"]) for p in manifest["tables"]["reports"]]
    rid = pd.concat(ids, ignore_index=True)["report_id"] if ids else []
    return {r: i for i, r in enumerate(rid)}


def _in_report_order(df: pd.DataFrame, n_worker_rows: int, order: dict[str, int]) -> pd.DataFrame:
    """The worker parts' rows (the first ``n_worker_rows``) stably sorted by report; late rows after them."""
    head = df.iloc[:n_worker_rows]
    position = head["report_id"].map(order).to_numpy(dtype="float64", na_value=np.inf)
    head = head.iloc[np.argsort(position, kind="stable")]
    return pd.concat([head, df.iloc[n_worker_rows:]], ignore_index=True)
