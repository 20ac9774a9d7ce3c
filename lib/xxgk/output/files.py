"""Writing the output tables to a folder and reading them back with their declared dtypes.

The tables of one run are one unit. Every table is first written to a temp file in the output folder, and
only when all are complete are they renamed into place: a failure while writing (a full disk) leaves the
old set as it was and no temp file. The renames themselves are one after another (a folder of files
cannot be replaced at once: the folder is the user's, may hold other files, and a swapped-in folder or
link would change the paths everyone reads), so each Parquet file carries the stamp of the run that wrote
it (its key-value metadata: a random id, the time, the run's tables), and :func:`load_tables` refuses a
folder whose tables carry different stamps: a crash between two renames, or a table copied in from
another run, is an error naming the tables of each run, never a silent mix. Temp files are named after
the writing process; those of a process that is gone (a killed run) are removed by the next write into
the folder, and reading never looks at them. Files are created with the user's umask, as any other
program's.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import re
import tempfile
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from xxgk.contract import schema

#: The manifest of the Parquet dataset layout (xxgk.output.dataset.MANIFEST; declared here, where both
#: layouts meet, so that this module needs nothing of that one).
DATASET_MANIFEST = "_manifest.json"
#: The key of the run stamp in each Parquet file's metadata.
RUN_KEY = b"xxgk.run"


class MixedTablesError(ValueError):
    """A folder's tables were not all written by one run (an interrupted write, or files copied in)."""


def write_tables(tables: dict[str, pd.DataFrame], out_dir: str | os.PathLike) -> list[Path]:
    """Write each table as CSV (UTF-8) and Parquet, as one unit: all to temp files, then renamed into place."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    clean_leftovers(out)
    run = new_run(tables)
    temps: dict[Path, str] = {}
    try:
        for name, df in tables.items():
            for suffix in (".csv", ".parquet"):
                target = out / f"{name}{suffix}"
                if target.resolve().parent != out.resolve() or name.startswith("."):
                    raise ValueError(f"table name {name!r} would be written outside {out}")
                temps[target] = tmp = temp_file(out, name, suffix)
                if suffix == ".csv":
                    df.to_csv(tmp, index=False, encoding="utf-8")
                else:
                    pq.write_table(stamped(pa.Table.from_pandas(df, preserve_index=False), run), tmp)
        publish(temps)
    finally:
        for tmp in temps.values():
            if os.path.exists(tmp):
                os.unlink(tmp)
    return list(temps)


def output_folder_problem(out_dir: str | os.PathLike) -> str | None:
    """Why ``out_dir`` cannot take the tables, in a few words (None when it can): asked before any work.

    The folder is created if need be, and writing in it is tried (a temp file, removed at once): the
    permission bits do not tell (root passes them; a read-only file system refuses even root)."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        return f"{out} is a file, not a folder"
    for parent in out.parents:
        if parent.exists():
            if not parent.is_dir():
                return f"{out} is under {parent}, which is a file"
            break
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as err:
        return f"cannot write in {out}: {err.strerror or err}"
    return None


def new_run(tables: Iterable[str]) -> dict:
    """A run's stamp: a random id, when it was written, and the tables it writes."""
    return {
        "run": uuid.uuid4().hex,
        "written": datetime.now(UTC).isoformat(timespec="seconds"),
        "tables": sorted(tables),
    }


def stamped(data, run: dict):
    """An Arrow table or schema with the run's stamp added to its metadata."""
    arrow_schema = data.schema if isinstance(data, pa.Table) else data
    meta = {**(arrow_schema.metadata or {}), RUN_KEY: json.dumps(run).encode()}
    return data.replace_schema_metadata(meta) if isinstance(data, pa.Table) else data.with_metadata(meta)


# Temp files: ".xxgk.<host>.<pid>.<table>.<random><suffix>", so that a later run can tell a dead run's.
_HOST = re.sub(r"[^\w-]+", "-", platform.node()) or "host"
_TEMP = re.compile(r"\A\.xxgk\.(?P<host>[\w-]+)\.(?P<pid>\d+)\.")


def temp_file(out: Path, name: str, suffix: str) -> str:
    """A new empty temp file in ``out`` for one table, named after this process."""
    fd, tmp = tempfile.mkstemp(prefix=f".xxgk.{_HOST}.{os.getpid()}.{name}.", suffix=suffix, dir=out)
    os.close(fd)
    return tmp


def publish(temps: Mapping[Path, str]) -> None:
    """Rename complete temp files to their targets, with the mode the user's umask gives new files.

    The single files supersede a Parquet dataset written earlier into the same folder: its manifest
    (:data:`xxgk.output.dataset.MANIFEST`), which :func:`load_tables` would read first, is removed."""
    mode = file_mode()
    for target, tmp in temps.items():
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    for folder in {target.parent for target in temps}:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(folder / DATASET_MANIFEST)


def file_mode() -> int:
    """The mode a new file gets from the user's umask (temp files are created 0600)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:  # Linux: read without changing it
            mask = next(int(line.split()[1], 8) for line in status if line.startswith("Umask:"))
    except (OSError, StopIteration, ValueError):
        mask = os.umask(0o022)
        os.umask(mask)
    return 0o666 & ~mask


def clean_leftovers(out: Path) -> list[Path]:
    """Remove the temp files a killed run left in ``out`` (its process gone); a running one's are kept."""
    removed = []
    with os.scandir(out) as entries:
        for entry in entries:
            m = _TEMP.match(entry.name)
            if (
                m
                and m["host"] == _HOST
                and not _alive(int(m["pid"]))
                and entry.is_file(follow_symlinks=False)
            ):
                try:
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
                except OSError:
                    pass
    return removed


def _alive(pid: int) -> bool:
    if os.name != "posix":
        return True  # no safe way to ask here: leave the file (reading never looks at it)
    try:
        os.kill(pid, 0)  # signal 0: asks whether the process exists, sends nothing
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def run_of(path: str | os.PathLike) -> dict | None:
    """The stamp of the run that wrote a Parquet table (None for a table written without one)."""
    meta = pq.read_schema(path).metadata or {}
    return json.loads(meta[RUN_KEY]) if RUN_KEY in meta else None


def tables_run(directory: str | os.PathLike) -> dict | None:
    """The stamp of the run that wrote the tables in ``directory``: either layout (a dataset's manifest
    holds it), a folder or a dataset's URL; None for tables written without one."""
    from xxgk.output import dataset  # here: fsspec is imported only when a dataset is read

    if dataset.is_dataset(directory):
        return dataset.read_manifest(str(directory)).get("run")
    return run_of(Path(directory) / "reports.parquet")


def check_one_run(directory: str | os.PathLike, names: Iterable[str] = ()) -> dict | None:
    """The stamp shared by the tables in ``directory`` (the declared ones, and ``names``); raises
    :class:`MixedTablesError` when they were written by different runs."""
    d = Path(directory)
    runs: dict[str | None, list[str]] = {}
    stamps: dict[str | None, dict | None] = {}
    for name in dict.fromkeys([*schema.TABLES, *names]):
        path = d / f"{name}.parquet"
        if path.exists():
            stamp = run_of(path)
            key = stamp["run"] if stamp else None
            runs.setdefault(key, []).append(name)
            stamps[key] = stamp
    if len(runs) > 1:
        described = "; ".join(
            f"{', '.join(tables)} ({_describe(stamps[key])})" for key, tables in runs.items()
        )
        raise MixedTablesError(
            f"{d}: the tables were not written by one run and do not belong together: {described}. A run "
            "was stopped while it replaced them, or tables were copied in from elsewhere: write them again "
            f"(xxgk parse … --out {d})"
        )
    return next(iter(stamps.values()), None)


def _describe(stamp: dict | None) -> str:
    return f"run {stamp['run'][:8]} of {stamp['written']}" if stamp else "no run stamp"


def load_tables(
    directory: str | os.PathLike,
    names: Iterable[str] | None = None,
    columns: Mapping[str, list[str]] | None = None,
) -> dict[str, pd.DataFrame]:
    """Read the tables `xxgk parse` wrote (Parquet), with the declared dtypes: the one reader of them.

    ``names`` picks tables (default: every table of :data:`xxgk.contract.schema.TABLES`); ``columns`` reads
    only some columns of a table, e.g. ``{"issues": ["check", "severity"]}`` (a large corpus's tables need
    not be read whole). The folder's tables must all come from one run (:class:`MixedTablesError`).

    ``directory`` may also hold the Parquet dataset that ``write_corpus(..., layout="dataset")`` writes
    (:mod:`xxgk.output.dataset`; a local folder or an fsspec URL): its manifest decides which part files
    are read, and the tables come back as from the single files (same rows and dtypes; the order is
    the single files', except that the issues of the cross-year checks and of duplicates come by year).
    """
    from xxgk.output import dataset  # here: fsspec is imported only when a dataset is read

    names = list(schema.TABLES if names is None else names)
    if dataset.is_dataset(directory):
        return dataset.load_dataset(str(directory), names, columns)
    d = Path(directory)
    check_one_run(d, names)
    tables = {}
    for name in names:
        df = pd.read_parquet(d / f"{name}.parquet", columns=(columns or {}).get(name))
        tables[name] = df.astype({c.name: c.dtype for c in schema.TABLES[name] if c.name in df.columns})
    return tables
