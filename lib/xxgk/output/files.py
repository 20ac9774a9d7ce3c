"""Writing the output tables to a folder and reading them back with their declared dtypes."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from xxgk.contract import schema


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


def load_tables(
    directory: str | os.PathLike,
    names: Iterable[str] | None = None,
    columns: Mapping[str, list[str]] | None = None,
) -> dict[str, pd.DataFrame]:
    """Read the tables `xxgk parse` wrote (Parquet), with the declared dtypes: the one reader of them.

    ``names`` picks tables (default: every table of :data:`xxgk.contract.schema.TABLES`); ``columns`` reads
    only some columns of a table, e.g. ``{"issues": ["check", "severity"]}`` (a large corpus's tables need
    not be read whole).
    """
    d = Path(directory)
    tables = {}
    for name in schema.TABLES if names is None else names:
        df = pd.read_parquet(d / f"{name}.parquet", columns=(columns or {}).get(name))
        tables[name] = df.astype({c.name: c.dtype for c in schema.TABLES[name] if c.name in df.columns})
    return tables
