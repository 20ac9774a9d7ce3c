"""Input formats: which reader turns a file's bytes into lines, chosen from a registry keyed by format.

Adding a format is one module with a ``read(data: bytes) -> Document`` function and one line in
:data:`FORMATS`. Readers are imported when a file of their format is read, so importing the library (or the
notebooks' analysis helpers) never loads the PDF engine.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from xxgk.read.lines import Document


def looks_like_html(data: bytes) -> bool:
    """A web page whatever its name: the start of the file is HTML markup.

    Only the first 4 KB are looked at, as bytes: tags are ASCII in every encoding read here (UTF-16 once
    its zero bytes are dropped). A page opens with a doctype or an html/head/body tag, or, for a fragment
    saved from a CMS, with a tag and many block tags (p, div, table, tr, td…) after it.

    >>> looks_like_html("\\ufeff<!DOCTYPE html><html><body><p>x</p>".encode())  # BOM first
    True
    >>> looks_like_html("一、总体情况 <td>1</td>".encode())
    False
    >>> looks_like_html(("<b>某县报告</b>\\n" + "正文一句。\\n" * 30 + "<p>噪声</p>\\n" * 12).encode())  # OCR text
    False
    """
    head = data[:4096].replace(b"\x00", b"").decode("latin-1").lower()
    start = _PREAMBLE.sub("", head)
    if _PAGE_START.match(start):
        return True
    if not start.startswith("<") or len(_BLOCK_TAGS.findall(head)) < 10:
        return False
    # A fragment is markup throughout; OCR text carries stray tags (<b>, <p>) on some of its lines only.
    # (split at "\n" only: the head is bytes read as Latin-1, where str.splitlines would also break at bytes
    # such as 0x85 inside UTF-8 characters)
    lines = [ln for ln in head.split("\n") if ln.strip()]
    return sum("<" in ln for ln in lines) >= 0.8 * len(lines)


def looks_like_image(data: bytes) -> bool:
    """A PNG, JPEG, TIFF or BMP page image whatever its name (its magic bytes): read by OCR."""
    return data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"BM"))


def looks_like_pdf(data: bytes) -> bool:
    """A PDF whatever its name: its header within the first KB (as readers accept it)."""
    return b"%PDF-" in data[:1024]


# What may precede a page's first tag: a BOM (as Latin-1), white space, an XML declaration, comments.
_PREAMBLE = re.compile(r"\A(?:\s|\xef\xbb\xbf|\xff\xfe|\xfe\xff|<\?xml[^>]*>|<!--.*?-->)*", re.DOTALL)
_PAGE_START = re.compile(r"<(?:!doctype\s+html|html|head|body)\b")
_BLOCK_TAGS = re.compile(r"<(?:p|div|table|tbody|tr|td|th|br|li|h[1-6])\b[^<>]*>")


@dataclass(frozen=True)
class Format:
    """An input format: its name (the ``input_format`` column), file extensions, reader (module:function),
    and how to recognise it from a file's first bytes when the name says only "text" (``sniff``)."""

    name: str
    extensions: tuple[str, ...]
    reader: str
    sniff: Callable[[bytes], bool] | None = None
    with_path: bool = False  # the reader is given the file's path too (a web page reads images beside it)

    def read(self, data: bytes, path: Path | None = None) -> Document:
        module, _, function = self.reader.partition(":")
        read: Callable[..., Document] = getattr(importlib.import_module(module), function)
        return read(data, path=path) if self.with_path else read(data)


#: The registry. Anything else in a folder is skipped (manifests, notes).
FORMATS: tuple[Format, ...] = (
    Format("text", (".txt", ".text"), "xxgk.read.lines:read"),
    Format("markdown", (".md", ".markdown"), "xxgk.read.lines:read"),
    Format("html", (".html", ".htm"), "xxgk.read.html:read", sniff=looks_like_html, with_path=True),
    Format("pdf", (".pdf",), "xxgk.read.pdf:read", sniff=looks_like_pdf),
    Format("docx", (".docx",), "xxgk.read.docx:read"),
    Format("doc", (".doc", ".wps"), "xxgk.read.docx:read_legacy"),
    Format(
        "image",
        (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"),
        "xxgk.read.ocr:read_image",
        sniff=looks_like_image,
    ),
)
BY_EXTENSION: dict[str, Format] = {ext: f for f in FORMATS for ext in f.extensions}
#: A report is a few hundred KB at most; a larger file is refused with a clear message rather than read.
MAX_BYTES = 50 * 1024 * 1024


def format_of(path: Path) -> Format:
    """The format a file is read as, by its extension (a file given by name with another one is text)."""
    return BY_EXTENSION.get(path.suffix.lower(), FORMATS[0])


def format_for(path: Path, data: bytes) -> Format:
    """The format a file is read as, by its extension and then its content: a file named as text (``.txt``,
    ``.text``, or no known extension) that is a web page or a PDF is read as one. Markdown, which may hold
    HTML tables of its own, and the other named formats are read as named."""
    named = format_of(path)
    if named is FORMATS[0]:
        for candidate in FORMATS:
            if candidate.sniff is not None and candidate.sniff(data):
                return candidate
    return named


def report_id_for(path: Path) -> str:
    """A report's identifier on its own: its file name without extension, made safe for file names.

    Within a corpus, :func:`report_ids` makes the ids of files whose names give the same one unique.

    >>> report_id_for(Path("data/raw/000_d808f0727db992c8.txt"))
    '000_d808f0727db992c8'
    """
    return re.sub(r"[^\w.\-]+", "_", path.stem).strip("._") or "report"


def report_ids(paths: Sequence[Path]) -> list[str]:
    """Every file's report id, unique over the corpus and the same every time it is read.

    A file keeps :func:`report_id_for` when no other file gives the same id. Files that share one (the
    same name in two folders, ``a b.txt`` and ``a_b.txt``, ``报告.txt`` and ``报告.html``) are told apart by
    their paths below the folder they have in common, never by their content (identical files in two
    folders are two reports): so the ids do not depend on where the corpus lies or how it was given.

    >>> report_ids([Path("in/a/r.txt"), Path("in/b/r.txt"), Path("in/q.txt")])
    ['r-fb168573', 'r-3185645c', 'q']
    """
    ids = [report_id_for(p) for p in paths]
    groups: dict[str, list[int]] = {}
    for i, rid in enumerate(ids):
        groups.setdefault(rid, []).append(i)
    keys = [""] * len(ids)
    for members in groups.values():
        if len(members) > 1:
            absolute = [os.path.abspath(paths[i]) for i in members]
            common = os.path.commonpath(absolute)
            for i, a in zip(members, absolute, strict=True):
                keys[i] = Path(os.path.relpath(a, common)).as_posix()
    return unique_ids(ids, keys)


def unique_ids(ids: Sequence[str], keys: Sequence[str]) -> list[str]:
    """The one rule that makes report ids unique: an id shared by several entries gets ``-`` and 8 hex
    digits of the entry's key (what tells them apart); entries that share the key too are numbered
    ``-2``, ``-3`` in order. An id made here never takes one that another entry has.

    >>> unique_ids(["r", "r", "q", "r"], ["a/r.txt", "b/r.txt", "q.txt", "b/r.txt"])
    ['r-fb168573', 'r-3185645c', 'q', 'r-3185645c-2']
    """
    counts: dict[str, int] = {}
    for rid in ids:
        counts[rid] = counts.get(rid, 0) + 1
    used = {rid for rid, n in counts.items() if n == 1}
    out = []
    for rid, key in zip(ids, keys, strict=True):
        if counts[rid] > 1:
            made = f"{rid}-{hashlib.sha1(key.encode('utf-8')).hexdigest()[:8]}"
            rid, n = made, 2
            while rid in used:
                rid, n = f"{made}-{n}", n + 1
            used.add(rid)
        out.append(rid)
    return out


def collect_paths(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """Files as given, and for folders every report file below them (by extension), sorted; each path once.

    Nothing is opened here. A report-named entry that is not a regular file (a FIFO, socket, device or
    broken link) and a folder that cannot be listed or entered are kept as entries, so that
    :func:`xxgk.run.pipeline.parse_file` makes each a failed report saying why, and every other file is
    still read. Links to folders are not followed (as :meth:`Path.rglob`).
    """
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(_walk(p)))
        else:
            out.append(p)
    seen: set[str] = set()
    unique = []
    for p in out:  # a file given twice (or inside a folder also given) is read once
        key = os.path.normpath(os.path.abspath(p))
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


def _walk(folder: Path) -> list[Path]:
    """Report files below a folder, and each folder below it that cannot be listed (as an entry)."""
    found: list[Path] = []
    stack = [folder]
    while stack:
        here = stack.pop()
        try:
            with os.scandir(here) as listing:
                entries = list(listing)
        except OSError:
            found.append(here)
            continue
        for entry in entries:
            path = here / entry.name
            try:
                is_folder = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_folder = False
            if is_folder:
                stack.append(path)
            elif path.suffix.lower() in BY_EXTENSION and not entry.name.startswith("."):
                found.append(path)
    return found
