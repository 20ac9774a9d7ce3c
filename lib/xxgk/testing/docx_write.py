"""Writing Word documents (``.docx``) for tests: blocks of paragraphs and tables with merged cells.

A table is given as rows of cells, each cell listed in the row it starts in as text or (text, rowspan,
colspan), the way an HTML table is written; it is written the way Word writes it: ``gridSpan`` for a
colspan, and for a rowspan a ``vMerge="restart"`` cell followed by one ``vMerge`` (continue) cell in each
row below. :func:`from_html` turns a page such as :mod:`xxgk.testing.synth`'s ``html`` rendering into
blocks, so a synthetic report (with its truth) or a golden one can be written as a Word document, with the
variants Word documents show: a table cut in two at a page break with its header rows printed again, the
report tables laid inside a page-frame table, a paragraph in a text box, a number in a field.

No dependency: the package is three XML parts in a zip, enough for the reader and for LibreOffice.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from io import BytesIO
from xml.sax.saxutils import escape

import lxml.html

Cell = tuple[str, int, int]  # text, rowspan, colspan


@dataclass
class Table:
    rows: list[list[Cell]]
    header_rows: int = 0  # rows repeated when the table is cut in two (w:tblHeader)


@dataclass
class Blocks:
    items: list = field(default_factory=list)  # str (a paragraph) or Table


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/></Relationships>'
)
_NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:v="urn:schemas-microsoft-com:vml" mc:Ignorable="wps"'
)
_BORDERS = "".join(
    f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
    for side in ("top", "left", "bottom", "right", "insideH", "insideV")
)
_PAGE_WIDTH = 9000  # twentieths of a point across the text of an A4 page


def _run(text: str) -> str:
    return f'<w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def paragraph(text: str, *, field_numbers: bool = False, textbox: bool = False) -> str:
    """A paragraph; ``field_numbers`` prints a number as a field's result (a formula field ``= 3001``: the
    instruction holds digits too, and must never be read), ``textbox`` puts the text in a text box
    anchored in an empty paragraph."""
    if textbox:
        inner = f"<w:p>{_run(text)}</w:p>"
        return (
            '<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:wsp><wps:txbx>'
            f"<w:txbxContent>{inner}</w:txbxContent></wps:txbx></wps:wsp></w:drawing></mc:Choice>"
            f"<mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>{inner}</w:txbxContent>"
            "</v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>"
        )
    if field_numbers and text.strip().replace(",", "").isdigit():
        return (
            '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> = {text.replace(",", "")} \\# "0" </w:instrText></w:r>'
            f'<w:r><w:fldChar w:fldCharType="separate"/></w:r>{_run(text)}'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
        )
    return f"<w:p>{_run(text)}</w:p>"


def _positions(rows: list[list[Cell]]) -> list[list[tuple[int, Cell, str]]]:
    """Each row's cells with their grid column and merge mark ("", "restart", "continue")."""
    out: list[list[tuple[int, Cell, str]]] = [[] for _ in rows]
    covered: dict[tuple[int, int], Cell] = {}
    for r, cells in enumerate(rows):
        c = 0
        for cell in cells:
            while (r, c) in covered:
                out[r].append((c, covered.pop((r, c)), "continue"))
                c += out[r][-1][1][2]
            text, rowspan, colspan = cell
            out[r].append((c, cell, "restart" if rowspan > 1 else ""))
            for dr in range(1, rowspan):
                covered[(r + dr, c)] = (text, 1, colspan)
            c += colspan
        while (r, c) in covered:
            out[r].append((c, covered.pop((r, c)), "continue"))
            c += out[r][-1][1][2]
    return out


def table_xml(table: Table, *, field_numbers: bool = False, rows: range | None = None) -> str:
    """A table; ``rows`` writes only those rows (after the header rows) — one part of a cut table."""
    placed = _positions(table.rows)
    width = max((c + cell[2] for row in placed for c, cell, _ in row), default=1)
    keep = list(range(len(placed))) if rows is None else [*range(table.header_rows), *rows]
    grid = "".join(f'<w:gridCol w:w="{_PAGE_WIDTH // width}"/>' for _ in range(width))
    out = [
        f'<w:tbl><w:tblPr><w:tblW w:w="{_PAGE_WIDTH}" w:type="dxa"/><w:tblBorders>{_BORDERS}</w:tblBorders>'
        f"</w:tblPr><w:tblGrid>{grid}</w:tblGrid>"
    ]
    first_data = keep[table.header_rows] if rows is not None and len(keep) > table.header_rows else None
    for r in keep:
        header = "<w:trPr><w:tblHeader/></w:trPr>" if r < table.header_rows else ""
        cells = []
        for _, (text, _, colspan), merge in placed[r]:
            if merge == "continue" and r == first_data:
                merge = "restart"  # the first row of a table's second part: its label printed again
            elif merge == "continue":
                text = ""
            props = f'<w:tcW w:w="{_PAGE_WIDTH // width * colspan}" w:type="dxa"/>'
            props += f'<w:gridSpan w:val="{colspan}"/>' if colspan > 1 else ""
            if merge:
                props += '<w:vMerge w:val="restart"/>' if merge == "restart" else "<w:vMerge/>"
            body = paragraph(text, field_numbers=field_numbers)
            cells.append(f"<w:tc><w:tcPr>{props}</w:tcPr>{body}</w:tc>")
        out.append(f"<w:tr>{header}{''.join(cells)}</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def _frame(inner: str) -> str:
    """Blocks laid inside a one-cell page-frame table (page layout, not a report table)."""
    return (
        f'<w:tbl><w:tblPr><w:tblW w:w="{_PAGE_WIDTH}" w:type="dxa"/></w:tblPr>'
        f'<w:tblGrid><w:gridCol w:w="{_PAGE_WIDTH}"/></w:tblGrid><w:tr><w:tc><w:tcPr>'
        f'<w:tcW w:w="{_PAGE_WIDTH}" w:type="dxa"/></w:tcPr>{inner}<w:p/></w:tc></w:tr></w:tbl>'
    )


def document(
    blocks: Blocks,
    *,
    split: dict[int, int] | None = None,
    frame: bool = False,
    textbox: int | None = None,
    field_numbers: bool = False,
) -> bytes:
    """The blocks as a ``.docx``. ``split`` maps a table's index to the row (after its header rows) where it
    is cut in two, the header rows printed again above the second part; ``frame`` lays the body inside a
    page-frame table; ``textbox`` puts that paragraph (by index among the blocks) in a text box."""
    parts = []
    tables = 0
    for i, item in enumerate(blocks.items):
        if isinstance(item, Table):
            cut = (split or {}).get(tables)
            if cut is None or not item.header_rows < cut < len(item.rows):
                parts.append(table_xml(item, field_numbers=field_numbers))
            else:
                parts.append(table_xml(item, field_numbers=field_numbers, rows=range(item.header_rows, cut)))
                parts.append('<w:p><w:r><w:br w:type="page"/></w:r></w:p>')
                parts.append(table_xml(item, field_numbers=field_numbers, rows=range(cut, len(item.rows))))
            tables += 1
        else:
            parts.append(paragraph(item, textbox=i == textbox))
    body = "".join(parts)
    return package(_frame(body) if frame else body)


def package(body: str) -> bytes:
    """A ``.docx`` whose body is the given WordprocessingML (paragraphs and tables)."""
    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {_NS}><w:body>{body}'
        '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1200" '
        'w:bottom="1440" w:left="1200" w:header="720" w:footer="720" w:gutter="0"/></w:sectPr>'
        "</w:body></w:document>"
    )
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("word/document.xml", xml)
    return out.getvalue()


def from_html(page: str) -> Blocks:
    """A simple web page (headings, paragraphs, tables with rowspan/colspan) as blocks."""
    root = lxml.html.document_fromstring(page)
    blocks = Blocks()
    for el in root.body.iter("h1", "h2", "h3", "p", "table"):
        if el.tag == "table":
            rows = [
                [
                    (
                        " ".join(td.text_content().split()),
                        int(td.get("rowspan", 1)),
                        int(td.get("colspan", 1)),
                    )
                    for td in tr
                    if td.tag in ("td", "th")
                ]
                for tr in el.iter("tr")
            ]
            blocks.items.append(Table(rows, header_rows=_header_rows(rows)))
        elif el.getparent().tag not in ("td", "th"):
            text = " ".join(el.text_content().split())
            if text:
                blocks.items.append(text)
    return blocks


def _header_rows(rows: list[list[Cell]]) -> int:
    """Rows before the first that holds a number: the header printed again on the next page."""
    for i, row in enumerate(rows):
        if any(text.replace(",", "").replace(".", "").isdigit() for text, _, _ in row):
            return i
    return 0
