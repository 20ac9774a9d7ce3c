"""Word documents: ``.docx`` read from its XML; ``.doc`` and ``.wps`` converted to it by LibreOffice first.

Reader choice (README, "Dependencies, and why"): a ``.docx`` is a zip of XML, and lxml is already a core
dependency, so the body is read from ``word/document.xml`` directly. python-docx would add a dependency
and still hide what matters here: it reports a vertically merged cell once per row it covers (a number
would be counted twice) and skips text boxes and content controls.

Paragraphs become text lines (a tab inside one stays a cell separator, a line break ends a line). Each
table becomes a grid the way the HTML reader expands rowspan/colspan (:func:`xxgk.read.html.expand_spans`):
a ``vMerge`` run is a rowspan, so a label is repeated over the rows it spans, a number stands only in its
first cell, and a blank cell stays blank (NA). A cell that spans grid columns (``gridSpan``, ``hMerge``) is
one cell of its row: Word's grid has a column wherever any row has a cell edge, so a number cell often
spans two of them, and reading it as two would shift the row. A table that holds
other tables is page layout: its cells are read as blocks, and the tables inside it as grids. A table cut
in two (a page break, its header printed again) is two grids, read like any repeated header. Text boxes
are read after the paragraph that anchors them (once: the legacy copy Word stores beside each is
skipped); a field's result is read, its instruction never; deleted revisions are left out; a raised
digit after a number (a footnote reference) is a mark, not a digit.

Provenance: lines are numbered as *blocks* in reading order (each paragraph and table row is one), as in
HTML; every value carries its line.

The legacy binary formats go through LibreOffice (``soffice --headless --convert-to docx``) in a scratch
folder, with a time limit; without it such a file is a failed report whose message gives the install
command.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import zipfile
from io import BytesIO
from pathlib import Path

from lxml import etree

from xxgk.read.html import expand_spans
from xxgk.read.lines import Document, Line, line_from_cells, split_line
from xxgk.read.text import UnreadableFile, as_mark

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_P, _TBL, _TR, _TC = f"{{{_W}}}p", f"{{{_W}}}tbl", f"{{{_W}}}tr", f"{{{_W}}}tc"
_T, _TAB, _BR, _CR = f"{{{_W}}}t", f"{{{_W}}}tab", f"{{{_W}}}br", f"{{{_W}}}cr"
_R, _RPR, _TXBX = f"{{{_W}}}r", f"{{{_W}}}rPr", f"{{{_W}}}txbxContent"
_VAL = f"{{{_W}}}val"
# Never text of the document: a field's instruction, deleted revisions, properties, and the legacy copy of
# a text box (mc:Fallback repeats what mc:Choice holds).
_SKIP = frozenset(
    {
        f"{{{_W}}}instrText",
        f"{{{_W}}}delText",
        f"{{{_W}}}del",
        f"{{{_W}}}pPr",
        f"{{{_W}}}tblPr",
        f"{{{_W}}}tblGrid",
        f"{{{_W}}}trPr",
        f"{{{_W}}}tcPr",
        f"{{{_MC}}}Fallback",
    }
)
#: A Word document's body XML is a few MB at most; past this the zip is refused (a zip bomb).
MAX_XML_BYTES = 100 * 1024 * 1024


class NeedsConverter(UnreadableFile):
    """A legacy Word file and no LibreOffice to convert it."""

    check = "needs_converter"


def read(data: bytes) -> Document:
    """The reader of ``.docx``: the body's paragraphs and tables as Lines."""
    if data[:8] == _OLE:
        return read_legacy(data)  # a .doc saved under the .docx name
    return docx_document(_document_xml(data))


def docx_document(xml: bytes) -> Document:
    """``word/document.xml`` as a Document: its Lines, and each table row's line -> (table, row)."""
    reader = _read_body(xml)
    return Document(reader.lines, line_cells=reader.line_cells)


def docx_lines(xml: bytes) -> list[Line]:
    """``word/document.xml`` as Lines: paragraphs as text lines, leaf tables as grid rows."""
    return _read_body(xml).lines


def _read_body(xml: bytes) -> _Body:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as err:
        raise UnreadableFile(f"the Word document's XML is damaged ({err})") from err
    body = root.find(f"{{{_W}}}body")
    reader = _Body()
    reader.blocks(body if body is not None else root)
    return reader


_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the compound-file signature of .doc, .wps, .xls


def _document_xml(data: bytes) -> bytes:
    try:
        with zipfile.ZipFile(BytesIO(data)) as z:
            info = z.getinfo("word/document.xml")
            if info.file_size > MAX_XML_BYTES:
                raise UnreadableFile(
                    f"the Word document's text is {info.file_size / 2**20:.0f} MiB unpacked, past the "
                    f"{MAX_XML_BYTES // 2**20} MiB limit"
                )
            return z.read(info)
    except KeyError as err:
        raise UnreadableFile("the zip file is not a Word document (it has no word/document.xml)") from err
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, ValueError) as err:
        raise UnreadableFile(f"the file is not a Word document (.docx) that can be opened ({err})") from err


class _Body:
    """The document read in order: blocks (paragraphs, tables) become Lines numbered from 1."""

    def __init__(self) -> None:
        self.lines: list[Line] = []
        self.line_cells: dict[int, tuple[int, int]] = {}  # a table row's line -> (table, row)

    def blocks(self, parent) -> None:
        """Read the paragraphs and tables under ``parent`` (content controls and custom XML are unwrapped)."""
        for el in parent:
            if el.tag == _P:
                self.paragraph(el)
            elif el.tag == _TBL:
                self.table(el)
            elif isinstance(el.tag, str) and el.tag not in _SKIP:
                self.blocks(el)  # w:sdt/w:sdtContent, w:customXml, w:ins: their blocks are the body's

    def paragraph(self, p) -> None:
        parts: list[str] = []
        boxes: list = []
        _inline(p, parts, boxes)
        for piece in "".join(parts).split("\n"):
            if piece.strip():
                self.lines.append(split_line(piece, len(self.lines) + 1))
        for box in boxes:  # a text box anchored in this paragraph: its own blocks, after it
            self.blocks(box)

    def table(self, tbl) -> None:
        if any(True for t in tbl.iter(_TBL) if t is not tbl):  # page layout around other tables
            for tc in tbl.iter(_TC):
                if _owner(tc, _TBL) is tbl:
                    self.blocks(tc)
            return
        table = len({t for t, _ in self.line_cells.values()}) + 1
        for r, row in enumerate(expand_spans(_span_rows(tbl), widen=False), 1):
            self.lines.append(line_from_cells(row, len(self.lines) + 1, grid=True))
            self.line_cells[len(self.lines)] = (table, r)


def _inline(el, parts: list[str], boxes: list) -> None:
    """A paragraph's text in order: runs' text, tabs as cell separators, breaks as new lines; a raised
    run after digits as a footnote mark; text boxes gathered apart (they are blocks of their own)."""
    for child in el:
        tag = child.tag
        if tag == _T:
            parts.append(child.text or "")
        elif tag == _TAB:
            parts.append("\t")
        elif tag in (_BR, _CR):
            parts.append("\n")
        elif tag == _TXBX:
            boxes.append(child)
        elif tag == _R and _raised(child):
            text = "".join(t.text or "" for t in child.iter(_T))
            parts.append(as_mark(text) or text)
        elif isinstance(tag, str) and tag not in _SKIP:
            _inline(child, parts, boxes)


def _raised(run) -> bool:
    props = run.find(_RPR)
    if props is None:
        return False
    align = props.find(f"{{{_W}}}vertAlign")
    return align is not None and align.get(_VAL) in ("superscript", "subscript")


def _owner(el, tag: str):
    parent = el.getparent()
    while parent is not None and parent.tag != tag:
        parent = parent.getparent()
    return parent


def _cell_text(tc) -> str:
    """A cell's paragraphs joined by a space (a number per paragraph stays a number of its own)."""
    texts = []
    for p in tc.iter(_P):
        parts: list[str] = []
        boxes: list = []
        _inline(p, parts, boxes)
        texts.append("".join(parts))
    return " ".join(" ".join(texts).split())


def _int(el, name: str, default: int = 0) -> int:
    found = el.find(f"{{{_W}}}{name}") if el is not None else None
    try:
        return max(0, min(int(found.get(_VAL)), 200)) if found is not None else default
    except (TypeError, ValueError):
        return default


def _rows_of(tbl):
    """The table's own rows (content controls around rows unwrapped; nested tables' rows not)."""
    return [tr for tr in tbl.iter(_TR) if _owner(tr, _TBL) is tbl]


def _cells_of(tr):
    return [tc for tc in tr.iter(_TC) if _owner(tc, _TR) is tr]


def _span_rows(tbl) -> list[list[tuple[str, int, int]]]:
    """The table as rows of (text, rowspan, colspan) cells, each listed in the row it starts in.

    Word writes a vertically merged cell once per row, the first marked ``vMerge="restart"`` and the rest
    ``vMerge`` (continue); the continuing ones are counted into the first's rowspan. A continuing cell with
    nothing above it to continue is read as the (blank) cell it is.
    """
    placed: list[
        list[list]
    ] = []  # per row: [col, colspan, text, merge] with merge in {"", "restart", "continue"}
    for tr in _rows_of(tbl):
        col = _int(tr.find(f"{{{_W}}}trPr"), "gridBefore")
        row: list[list] = [[0, col, "", ""]] if col else []
        for tc in _cells_of(tr):
            props = tc.find(f"{{{_W}}}tcPr")
            span = max(1, _int(props, "gridSpan", 1))
            h = props.find(f"{{{_W}}}hMerge") if props is not None else None
            if h is not None and h.get(_VAL) != "restart" and row:
                row[-1][1] += span  # legacy horizontal merge: this cell widens the one before it
                col += span
                continue
            v = props.find(f"{{{_W}}}vMerge") if props is not None else None
            merge = "" if v is None else ("restart" if v.get(_VAL) == "restart" else "continue")
            row.append([col, span, _cell_text(tc), merge])
            col += span
        placed.append(row)
    out: list[list[tuple[str, int, int]]] = []
    for r, row in enumerate(placed):
        cells = []
        for col, span, text, merge in row:
            if merge == "continue" and _continues(placed, r, col):
                continue
            rowspan = 1
            while r + rowspan < len(placed) and _merge_at(placed[r + rowspan], col) == "continue":
                rowspan += 1
            cells.append((text, rowspan, span))
        out.append(cells)
    return out


def _merge_at(row: list[list], col: int) -> str | None:
    for c, _, _, merge in row:
        if c == col:
            return merge
    return None


def _continues(placed: list[list[list]], r: int, col: int) -> bool:
    """A continuing cell at ``col`` in row ``r`` has a cell above it to continue."""
    return r > 0 and _merge_at(placed[r - 1], col) is not None


# ---------------------------------------------------------------------------------------------------------
# .doc and .wps through LibreOffice

#: LibreOffice's command, and the Debian package that brings it (the message of a report that needs it).
INSTALL = "apt-get install -y --no-install-recommends libreoffice-writer-nogui"
#: A conversion that takes longer than this (seconds) is stopped: a report converts in a few seconds.
CONVERT_SECONDS = 120


def soffice() -> str | None:
    """LibreOffice's command, if installed (``XXGK_SOFFICE`` names another)."""
    return os.environ.get("XXGK_SOFFICE") or shutil.which("soffice") or shutil.which("libreoffice")


def read_legacy(data: bytes) -> Document:
    """The reader of ``.doc`` and ``.wps``: converted to ``.docx`` by LibreOffice, then read as one.

    A file that is a ``.docx`` under the old name is read directly (no conversion).
    """
    if data[:2] == b"PK":
        return docx_document(_document_xml(data))
    if not data.strip():
        raise UnreadableFile("the file is empty")
    return docx_document(_document_xml(convert(data, "doc")))


def convert(data: bytes, suffix: str, to: str = "docx", seconds: float = CONVERT_SECONDS) -> bytes:
    """Convert a file with LibreOffice in headless mode, in a scratch folder that is removed after.

    Each conversion has its own LibreOffice profile, so conversions in parallel do not wait on each other.
    """
    command = soffice()
    if command is None:
        raise NeedsConverter(
            f"a legacy Word file (.{suffix}) is converted with LibreOffice, which is not installed; "
            f"install it with `{INSTALL}` (Debian/Ubuntu) and parse again"
        )
    with tempfile.TemporaryDirectory(prefix="xxgk-soffice-") as scratch:
        source = Path(scratch) / f"report.{suffix}"
        source.write_bytes(data)
        out = Path(scratch) / "out"
        try:
            result = subprocess.run(
                [
                    command,
                    f"-env:UserInstallation={Path(scratch, 'profile').as_uri()}",
                    "--headless",
                    "--norestore",
                    "--convert-to",
                    to,
                    "--outdir",
                    str(out),
                    str(source),
                ],
                capture_output=True,
                timeout=seconds,
                cwd=scratch,
                check=False,
            )
        except subprocess.TimeoutExpired as err:
            raise UnreadableFile(f"LibreOffice did not convert the file within {seconds:.0f} s") from err
        except OSError as err:
            raise NeedsConverter(f"LibreOffice ({command}) cannot be run ({err}); `{INSTALL}`") from err
        converted = out / f"report.{to}"
        if not converted.exists():
            said = (result.stderr or result.stdout).decode("utf-8", "replace").strip()[:200]
            raise UnreadableFile(
                f"LibreOffice could not convert the file (not a Word document, or damaged){': ' + said if said else ''}"
            )
        return converted.read_bytes()
