"""PDFs with a text layer: table rows as cells (pdfplumber's table finder), the rest as text lines.

Reader choice (README, "PDF"): pdfplumber recovers every table-三/四 cell of the corpus PDFs, keeps blank
cells in place, is MIT-licensed and small; PyMuPDF is faster but AGPL.

Each page is read top to bottom. A table row that holds more than one filled cell becomes a grid row (blank
cells stay blank, NA); a row with a single filled cell is usually a paragraph inside a page-frame table,
which the finder clips to its first column, so its whole row box is read as text instead. Text outside
tables is read line by line. Lines are numbered through the document; ``pages`` maps each to its page.
"""

from __future__ import annotations

import re
from pathlib import Path

import pdfplumber

from xxgk.lines import Line, line_from_cells, split_line
from xxgk.text import UnreadableFile


# Page headers/footers that only number the page: "- 3 -", "— 3 —", "第 3 页", "3 / 6".
_PAGE_NUMBER = re.compile(r"[-—–\s]*\d{1,4}[-—–\s]*|第\s*\d{1,4}\s*页(?:\s*共\s*\d+\s*页)?|\d{1,4}\s*/\s*\d{1,4}")


def _inside(obj: dict, boxes: list[tuple]) -> bool:
    x = (obj["x0"] + obj["x1"]) / 2
    y = (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)


def pdf_lines(path: str | Path) -> tuple[list[Line], dict[int, int]]:
    """The document as Lines, and the page of each line number."""
    try:
        pdf = pdfplumber.open(path)
    except Exception as err:  # pdfminer raises many types for a damaged file; all mean the same here
        raise UnreadableFile(f"the PDF cannot be opened ({type(err).__name__}: {err})") from err
    lines: list[Line] = []
    pages: dict[int, int] = {}
    with pdf:
        for page_no, page in enumerate(pdf.pages, 1):
            items: list[tuple[float, str, object]] = []
            tables = page.find_tables()
            boxes = [t.bbox for t in tables]
            for table in tables:
                for row, texts in zip(table.rows, table.extract()):
                    cells = [(t or "").replace("\n", "") for t in texts]
                    if sum(1 for c in cells if c.strip()) > 1:
                        items.append((row.bbox[1], "cells", cells))
                    else:
                        text = page.crop(row.bbox).extract_text() or ""
                        items.append((row.bbox[1], "text", text.replace("\n", "")))
            outside = page.filter(lambda obj: obj.get("object_type") != "char" or not _inside(obj, boxes))
            for text_line in outside.extract_text_lines():
                if not _PAGE_NUMBER.fullmatch(text_line["text"].strip()):
                    items.append((text_line["top"], "text", text_line["text"]))
            for _, kind, payload in sorted(items, key=lambda item: item[0]):
                no = len(lines) + 1
                if kind == "cells":
                    lines.append(line_from_cells(payload, no, grid=True))
                elif payload.strip():
                    lines.append(split_line(payload, no))
                else:
                    continue
                pages[no] = page_no
    if not any(line.text for line in lines):
        raise UnreadableFile("the PDF has no text layer (a scan): it needs OCR first")
    return lines, pages
