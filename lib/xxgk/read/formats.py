"""Input formats: which reader turns a file's bytes into lines, chosen from a registry keyed by format.

Adding a format is one module with a ``read(data: bytes) -> Document`` function and one line in
:data:`FORMATS`. Readers are imported when a file of their format is read, so importing the library (or the
notebooks' analysis helpers) never loads the PDF engine.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from xxgk.read.lines import Document


@dataclass(frozen=True)
class Format:
    """An input format: its name (the ``input_format`` column), file extensions and reader (module:function)."""

    name: str
    extensions: tuple[str, ...]
    reader: str

    def read(self, data: bytes) -> Document:
        module, _, function = self.reader.partition(":")
        read: Callable[[bytes], Document] = getattr(importlib.import_module(module), function)
        return read(data)


#: The registry. Anything else in a folder is skipped (manifests, notes).
FORMATS: tuple[Format, ...] = (
    Format("text", (".txt", ".text"), "xxgk.read.lines:read"),
    Format("markdown", (".md", ".markdown"), "xxgk.read.lines:read"),
    Format("html", (".html", ".htm"), "xxgk.read.html:read"),
    Format("pdf", (".pdf",), "xxgk.read.pdf:read"),
    Format("docx", (".docx",), "xxgk.read.docx:read"),
    Format("doc", (".doc", ".wps"), "xxgk.read.docx:read_legacy"),
)
BY_EXTENSION: dict[str, Format] = {ext: f for f in FORMATS for ext in f.extensions}
#: A report is a few hundred KB at most; a larger file is refused with a clear message rather than read.
MAX_BYTES = 50 * 1024 * 1024


def format_of(path: Path) -> Format:
    """The format a file is read as, by its extension (a file given by name with another one is text)."""
    return BY_EXTENSION.get(path.suffix.lower(), FORMATS[0])


def report_id_for(path: Path) -> str:
    """The report's identifier: its file name without extension, made safe for file names.

    >>> report_id_for(Path("data/raw/000_d808f0727db992c8.txt"))
    '000_d808f0727db992c8'
    """
    return re.sub(r"[^\w.\-]+", "_", path.stem).strip("._") or "report"


def collect_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given, and for folders every report file below them (by extension), sorted."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(
                sorted(
                    f
                    for f in p.rglob("*")
                    if f.is_file() and f.suffix.lower() in BY_EXTENSION and not f.name.startswith(".")
                )
            )
        else:
            out.append(p)
    return out
