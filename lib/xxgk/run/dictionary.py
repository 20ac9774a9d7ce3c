"""The data dictionary (markdown), generated from :mod:`xxgk.contract.schema` and :mod:`xxgk.contract.codes`.

The README carries a copy between markers; tests/test_docs.py fails when the copy is stale, and
`xxgk dictionary --write README.md` refreshes it.
"""

from __future__ import annotations

import re
from pathlib import Path

from xxgk.contract import checks, codes, schema

START, END = "<!-- dictionary:start -->", "<!-- dictionary:end -->"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return out + [""]


def markdown() -> str:
    lines: list[str] = []
    for name, columns in schema.TABLES.items():
        lines += [f"**{name}**", ""]
        lines += _table(["column", "type", "meaning"], [[f"`{c.name}`", c.dtype, c.meaning] for c in columns])
    sections = [
        ("Applicant codes (`applicant_code`, table 三 columns)", codes.APPLICANTS, False),
        ("Row codes (`row_code`, table 三 rows; 2021: 25 rows, 2019: 23)", codes.REQUEST_ROWS, True),
        ("Proceedings (`proceeding`, table 四)", codes.PROCEEDINGS, False),
        ("Outcomes (`outcome`, table 四)", codes.OUTCOMES, False),
        ("Table-二 items (`item_code`)", codes.PROACTIVE_ITEMS, False),
        ("Table-二 measures (`measure`)", codes.MEASURES, True),
        ("Prose facts (`fact_code`)", codes.FACTS, False),
        ("Cell status (`cell_status`)", codes.CELL_STATUSES, False),
        ("Checks (`check` in issues)", checks.CHECKS, False),
    ]
    for title, table, with_templates in sections:
        lines += [f"**{title}**", ""]
        header = ["code", "中文", "English"] + (["templates"] if with_templates else [])
        rows = [
            [f"`{c.code}`", c.zh, c.en] + (["/".join(sorted(c.templates))] if with_templates else [])
            for c in table
        ]
        lines += _table(header, rows)
    return "\n".join(lines).rstrip() + "\n"


def refresh(readme: Path) -> bool:
    """Replace the block between the markers; True when the file changed."""
    text = readme.read_text(encoding="utf-8")
    block = f"{START}\n{markdown()}{END}"
    new = re.sub(re.escape(START) + r".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    if new != text:
        readme.write_text(new, encoding="utf-8")
    return new != text
