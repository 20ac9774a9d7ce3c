"""A folder's ``MANIFEST.csv``: what its maintainer recorded about each file (agency, year, source, date).

Any folder of reports may hold one; the line whose ``file`` is a report's file name gives its provenance:
``agency`` (the official name), ``year``, ``sha256``, ``url`` (or ``source_url``; else the first web
address in ``source``) and ``published`` (or ``published_date``, ``YYYY-MM-DD``). Other columns are
ignored, and so is a folder without a manifest. A manifest that cannot be read never stops a file: the
reason is returned and reported as an issue.
"""

from __future__ import annotations

import csv
import io
import re
from functools import lru_cache
from pathlib import Path

NAME = "MANIFEST.csv"
_URL = re.compile(r"https?://[^\s,;，；]+")
_DATE = re.compile(r"(?:19|20)\d{2}-\d{2}-\d{2}")


class ManifestError(ValueError):
    """A manifest that exists but cannot be read (not CSV, no ``file`` column, not UTF-8)."""


@lru_cache(maxsize=256)
def _load(path: str, mtime_ns: int, size: int) -> dict[str, dict]:
    return _parse(Path(path).read_bytes())


def _parse(data: bytes) -> dict[str, dict]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ManifestError(f"{NAME} is not UTF-8 ({err})") from None
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "file" not in reader.fieldnames:
        raise ManifestError(f"{NAME} has no 'file' column")
    try:
        return {row["file"].strip(): _entry(row) for row in reader if row.get("file")}
    except csv.Error as err:
        raise ManifestError(f"{NAME} is not valid CSV ({err})") from None


def _first(row: dict, *keys: str) -> str | None:
    for key in keys:
        value = (row.get(key) or "").strip()
        if value:
            return value
    return None


def _entry(row: dict) -> dict:
    url = _first(row, "url", "source_url")
    if url is None:
        found = _URL.search(row.get("source") or "")
        url = found.group(0) if found else None
    published = _first(row, "published", "published_date")
    year = _first(row, "year")
    return {
        "manifest_agency": _first(row, "agency"),
        "manifest_year": int(year) if year and year.isdigit() else None,
        "manifest_sha256": (_first(row, "sha256") or "").lower() or None,
        "source_url": url,
        "published_date": published if published and _DATE.fullmatch(published) else None,
        "published_raw": published,
    }


def entry(path: Path) -> dict | None:
    """The manifest line for this file (None when its folder has no manifest or the manifest omits it).

    Raises :class:`ManifestError` when the folder's manifest cannot be read.
    """
    manifest = path.parent / NAME
    try:
        stat = manifest.stat()
    except OSError:
        return None
    try:
        return _load(str(manifest), stat.st_mtime_ns, stat.st_size).get(path.name)
    except OSError as err:
        raise ManifestError(f"{NAME} cannot be read: {err.strerror or err}") from None


def entry_at(fs, path: str) -> dict | None:
    """The manifest line of a report at an fsspec URL (``fs``, the URL's file system; ``path``, the file's
    path in it): the ``MANIFEST.csv`` of its folder there, read once per process while unchanged (a
    worker parses many reports of one folder). None and :class:`ManifestError` as :func:`entry`."""
    folder, _, name = path.rstrip("/").rpartition("/")
    manifest = f"{folder}/{NAME}"
    try:
        info = fs.info(manifest)
    except (FileNotFoundError, OSError, ValueError):
        return None
    # what tells a new version of the file: a stamp of the store (ETag, modification time) and the size
    stamp = next(
        (str(info[k]) for k in ("ETag", "etag", "mtime", "LastModified", "created") if k in info), ""
    )
    try:
        return _load_at(fs, manifest, stamp, info.get("size")).get(name)
    except OSError as err:
        raise ManifestError(f"{NAME} cannot be read: {getattr(err, 'strerror', None) or err}") from None


@lru_cache(maxsize=256)
def _load_at(fs, manifest: str, stamp: str, size: int | None) -> dict[str, dict]:
    return _parse(fs.cat_file(manifest))
