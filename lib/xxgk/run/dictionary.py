"""The documentation of the data contract, generated from its declarations: ``docs/*.md`` and the README's index.

One generator, so the documentation cannot drift from the code: every page is a function of
:mod:`xxgk.contract` (codes, checks, identities, derived measures, output tables) and of the not-applicable
marks the reader knows (:data:`xxgk.read.lines.NOT_APPLICABLE`). ``xxgk docs --write docs/`` writes the
pages, ``xxgk dictionary --write README.md`` refreshes the README's block between the markers (an index of
the pages), and tests/test_setup.py fails when either is stale.

The output tables' columns are documented once, in ``docs/README.md``; the README links there rather than
carrying a second copy.

(Longer than most modules: most of it is the pages' own prose, kept beside the code that fills it in.)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path

from xxgk.contract import checks, codes, identities, schema
from xxgk.contract import measures as derived
from xxgk.read.lines import NOT_APPLICABLE

START, END = "<!-- dictionary:start -->", "<!-- dictionary:end -->"


def _table(header: list[str], rows: Iterable[list[str]]) -> list[str]:
    """A Markdown table (pipes inside cells escaped), followed by a blank line."""
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return out + [""]


def _generated(*sources: str) -> list[str]:
    files = ", ".join(f"`lib/xxgk/{s}`" for s in sources)
    return [
        f"_Generated from {files} by `xxgk docs --write docs/` (`make docs`). Edit the declarations, not this "
        "page: a test fails when it is stale._",
        "",
    ]


def _code(code: str) -> str:
    return f"`{code}`"


def _mark(printed: bool) -> str:
    return "✓" if printed else ""


# ---------------------------------------------------------------------------------------------------------
# docs/README.md: the index and the output tables


#: The pages of docs/, in reading order, with what each says (the index of docs/README.md and of the README).
PAGE_TITLES = {
    "template.md": "The report template: sections, tables 二, 三 and 四, prose facts, template versions; every code "
    "with its Chinese label and the templates that print it",
    "missing.md": 'Missing, "/" and zero: `cell_status`, how NA looks in CSV, Parquet and pandas',
    "identities.md": "The identities (勾稽关系) a report satisfies, and how they are checked",
    "checks.md": "Every check of the `issues` table, with its severity and meaning",
    "measures.md": "The derived rates and mixes, their formulas, and the small-N rule",
}

#: Columns whose values are codes, and the page that lists them.
_CODED_COLUMNS = {
    "template": "template.md#template-versions",
    "row_code": "template.md#rows-row_code",
    "applicant_code": "template.md#columns-applicant_code",
    "proceeding": "template.md#table-四-administrative-review-and-litigation-reviews",
    "outcome": "template.md#table-四-administrative-review-and-litigation-reviews",
    "item_code": "template.md#table-二-proactive-disclosure-proactive",
    "measure": "template.md#measures-measure",
    "fact_code": "template.md#prose-facts-facts",
    "cell_status": "missing.md",
    "check": "checks.md",
    "severity": "checks.md#severities",
}


def _index_rows(prefix: str) -> list[list[str]]:
    return [[f"[{prefix}{name}]({prefix}{name})", what] for name, what in PAGE_TITLES.items()]


def index_page() -> str:
    lines = [
        "# The data contract",
        "",
        *_generated("contract/schema.py", "contract/codes.py"),
        "What `xxgk` promises about the tables it writes. The codes are the project's public data contract: "
        "the tidy tables and the CSV/Parquet exports use exactly these, so that users, notebooks and tests can "
        "rely on them; changing one is changing the contract.",
        "",
        *_table(["page", "what it says"], _index_rows("")),
        "## The output tables",
        "",
        "`xxgk parse` writes each table as `NAME.csv` and `NAME.parquet`; `xxgk.load_tables(folder)` reads them "
        "back with these types. A column marked with a page holds codes listed there.",
        "",
    ]
    for name, columns in schema.TABLES.items():
        lines += [f"### {name}", ""]
        lines += _table(
            ["column", "type", "meaning", "codes"],
            ([_code(c.name), c.dtype, c.meaning, _page_link(c.name)] for c in columns),
        )
    return "\n".join(lines).rstrip() + "\n"


def _page_link(column: str) -> str:
    target = _CODED_COLUMNS.get(column)
    return f"[{target.split('#')[0]}]({target})" if target else ""


# ---------------------------------------------------------------------------------------------------------
# docs/template.md


def _labelled(code: str, table) -> str:
    return f"`{code}` {codes.label(code, table)}"


def template_page() -> str:
    lines = [
        "# The report template (政府信息公开工作年度报告格式)",
        "",
        *_generated("contract/codes.py"),
        "Every Chinese government agency at county level and above publishes a 政府信息公开工作年度报告 each "
        "year. Since the reports for 2021 the layout is fixed by 国办公开办函〔2021〕30号; reports for 2019 and "
        "2020 (and some later ones) use the trial format of 国办公开办函〔2019〕60号. Reports before 2019 follow "
        "older provincial layouts and are out of scope.",
        "",
        "The Chinese labels below are what the template prints. Real reports vary them (wrapped labels, OCR "
        "slips, 合计 for 总计): the variants are data, matched through `lib/xxgk/contract/aliases.csv`, and "
        "reported (check `label_variant`), never corrected.",
        "",
        *_template_versions(),
        *_sections(),
        *_table_two(),
        *_table_three(),
        *_table_four(),
        *_facts(),
    ]
    return "\n".join(lines).rstrip() + "\n"


def _template_versions() -> list[str]:
    return [
        "## Template versions",
        "",
        "The `template` column of `reports`: decided from what tables 二 and 三 show. Each template keeps its "
        "own rows and measures, and the identities use the template's rows.",
        "",
        *_table(
            ["template", "中文", "meaning"], ([_code(t.code), t.zh, t.en] for t in codes.TEMPLATE_VERSIONS)
        ),
    ]


def _sections() -> list[str]:
    return [
        "## Sections",
        "",
        *_table(
            ["section", "heading (2021)", "what it holds"],
            ([_code(s.code), s.zh, s.en] for s in codes.SECTIONS),
        ),
    ]


def _item_measures_text(item: codes.ProactiveItem, template: str) -> str:
    return (
        " · ".join(_labelled(m, codes.MEASURES) for m in item.measures.get(template, ())) or "(not printed)"
    )


def _table_two() -> list[str]:
    return [
        "## Table 二: proactive disclosure (`proactive`)",
        "",
        "One row per item and measure it has in the report's template, in printed order.",
        "",
        *_table(
            ["item_code", "中文", "English", "measures (2021)", "measures (2019)"],
            (
                [_code(i.code), i.zh, i.en, _item_measures_text(i, "2021"), _item_measures_text(i, "2019")]
                for i in codes.PROACTIVE_ITEMS
            ),
        ),
        "### Measures (`measure`)",
        "",
        *_table(
            ["measure", "中文", "English", "2021", "2019"],
            (
                [_code(m.code), m.zh, m.en, _mark("2021" in m.templates), _mark("2019" in m.templates)]
                for m in codes.MEASURES
            ),
        ),
    ]


def _places(row: str) -> list[str]:
    """The row's place (1, 2, …) in the 2021 and in the 2019 table 三; blank where it is not printed."""
    return [
        str(rows.index(row) + 1) if row in rows else ""
        for rows in (codes.request_rows("2021"), codes.request_rows("2019"))
    ]


def _table_three() -> list[str]:
    legal = ", ".join(_code(a) for a in codes.LEGAL_PERSON_APPLICANTS)
    n2021, n2019 = len(codes.request_rows("2021")), len(codes.request_rows("2019"))
    return [
        "## Table 三: requests received and handled (`requests`)",
        "",
        f"{n2021} rows in the 2021 template, {n2019} in the 2019 trial format, each with "
        f"{len(codes.APPLICANTS)} columns: one row of `requests` per row and column.",
        "",
        "### Columns (`applicant_code`)",
        "",
        *_table(
            ["#", "applicant_code", "中文", "English"],
            ([str(i), _code(a.code), a.zh, a.en] for i, a in enumerate(codes.APPLICANTS, 1)),
        ),
        f"{legal} are printed under the heading {codes.LEGAL_PERSON.zh} ({codes.LEGAL_PERSON.en}). Some reports "
        f"add a {codes.LEGAL_PERSON.zh} subtotal column: it is not one of the {len(codes.APPLICANTS)}; it is "
        "checked against the five (check `subtotal_column`) and then dropped.",
        "",
        "### Rows (`row_code`)",
        "",
        "The columns 2021 and 2019 give the row's place in that template's table (blank: not printed).",
        "",
        *_table(
            ["row_code", "中文", "English", "group", "2021", "2019"],
            ([_code(r.code), r.zh, r.en, _code(r.group), *_places(r.code)] for r in codes.REQUEST_ROWS),
        ),
        "### Row groups",
        "",
        "The blocks of table 三. Group rows such as （三）不予公开 carry no numbers in the template; a report that "
        "prints subtotals there has them checked against their rows (check `group_subtotal`), not stored. The "
        "rows of the outcome groups add up to `total_processed` (check `identity_outcomes`).",
        "",
        *_table(
            ["group", "中文", "English", "outcome group", "rows (2021)", "rows (2019)"],
            (
                [
                    _code(g.code),
                    g.zh,
                    g.en,
                    _mark(g.code in codes.OUTCOME_GROUPS),
                    str(len(codes.group_rows(g.code, "2021"))),
                    str(len(codes.group_rows(g.code, "2019"))),
                ]
                for g in codes.ROW_GROUPS
            ),
        ),
    ]


def _table_four() -> list[str]:
    run = [(p, o) for p in codes.PROCEEDINGS for o in codes.OUTCOMES]
    return [
        "## Table 四: administrative review and litigation (`reviews`)",
        "",
        f"{len(codes.PROCEEDINGS)} proceedings with {len(codes.OUTCOMES)} outcomes each, printed as one run of "
        f"{len(run)} numbers in this order (flattened text often shows it as one line). With fewer numbers, "
        "the first five are read as 行政复议 only if they satisfy that block's identity; the rest stay NA.",
        "",
        *_table(
            ["#", "proceeding", "outcome", "中文"],
            ([str(i), _code(p.code), _code(o.code), f"{p.zh}·{o.zh}"] for i, (p, o) in enumerate(run, 1)),
        ),
        *_table(["proceeding", "中文", "English"], ([_code(p.code), p.zh, p.en] for p in codes.PROCEEDINGS)),
        *_table(["outcome", "中文", "English"], ([_code(o.code), o.zh, o.en] for o in codes.OUTCOMES)),
    ]


def _fact_cell(fact: str) -> str:
    """The table cell a prose fact is compared with (check ``prose_vs_table``)."""
    if fact in codes.FACT_TABLE_CELLS:
        table, row, column = codes.FACT_TABLE_CELLS[fact]
        return f"{table}: `{row}` / `{column}`"
    if fact.startswith("litigation_"):
        both = " + ".join(_code(p) for p in codes.LITIGATION_PROCEEDINGS)
        return f"reviews: {both} / `{fact.removeprefix('litigation_')}`"
    return ""


def _facts() -> list[str]:
    return [
        "## Prose facts (`facts`)",
        "",
        "Numbers the prose of sections 一 and 六 states, each with the sentence it was read from. Where a fact "
        "describes a table cell, the two are compared (check `prose_vs_table`).",
        "",
        *_table(
            ["fact_code", "中文", "English", "unit", "compared with"],
            ([_code(f.code), f.zh, f.en, f.unit, _fact_cell(f.code)] for f in codes.FACTS),
        ),
    ]


# ---------------------------------------------------------------------------------------------------------
# docs/missing.md


def missing_page() -> str:
    marks = " ".join(f"`{m}`" for m in sorted(NOT_APPLICABLE))
    numeric = [
        f"`{t}.{c.name}` ({c.dtype})"
        for t, cols in schema.TABLES.items()
        for c in cols
        if c.name in ("count", "value")
    ]
    return (
        "\n".join(
            [
                '# Missing, "/" and zero',
                "",
                *_generated("contract/codes.py", "read/lines.py"),
                "Three things that look alike in a report and must never be confused:",
                "",
                '- **"0" is zero.** A printed 0 is the number 0 (`cell_status` printed).',
                f'- **"/" is not applicable.** A cell printed as one of {marks} (after the text is normalised: '
                "full-width ／ and － read as / and -) has no number: its count is NA and its `cell_status` is "
                "`not_applicable`, so it stays distinguishable from 0 and from missing.",
                "- **Missing is NA, never 0.** A cell the file does not contain (a table cut off, a row or cell "
                "lost in extraction, a blank cell) has its count NA and `cell_status` `missing`, and an issue says "
                "where (checks `table_missing`, `table_truncated`, `row_missing`, `cell_missing`).",
                "- **What is not a count is NA, and quoted.** A cell printed as a number with a unit, an "
                "approximation, a range or in words (`15件`, `约15`, `15%`, `3-5`, `二十一`), or as a negative "
                "number where a count stands, has its count NA and `cell_status` `missing`, with an error issue "
                "(`not_a_number`, `not_a_count`) whose `actual` is what is printed; the other cells of its row "
                "keep their numbers, and no issue calls that cell blank.",
                "- **Derived is marked.** Digits whose cell was placed by the identities (a glued digit run split, "
                "value rows paired with their labels) are `derived`, each with an info issue; only when the "
                "report's own arithmetic leaves one answer. Nothing else is ever filled in, and no number is "
                "invented to balance an identity: that is an issue with `expected` and `actual`.",
                "",
                "## `cell_status`",
                "",
                "In `requests`, `reviews` and `proactive`:",
                "",
                *_table(
                    ["cell_status", "中文", "meaning"],
                    ([_code(s.code), s.zh, s.en] for s in codes.CELL_STATUSES),
                ),
                "## How NA looks",
                "",
                *_table(
                    ["where", "NA is"],
                    [
                        ["CSV", "an empty field"],
                        ["Parquet", "null"],
                        [
                            "pandas (`xxgk.parse`, `xxgk.load_tables`)",
                            "`<NA>`, in nullable columns: " + ", ".join(numeric),
                        ],
                    ],
                ),
                "`xxgk.load_tables` reads the Parquet files with the declared types. Reading a CSV yourself, give the "
                'types (e.g. `dtype={"count": "Int64"}`), or pandas turns a count column with NA into floats. A '
                "derived measure that needs an NA cell is NA itself, and pooling leaves that report out and "
                "counts it (`n_missing`): see [measures.md](measures.md).",
                "",
                "## `status` per report",
                "",
                "`ok`; `incomplete` (some cells are missing: see its issues); `failed` (not read: the issue says why).",
            ]
        )
        + "\n"
    )


# ---------------------------------------------------------------------------------------------------------
# docs/identities.md


def identities_page() -> str:
    rows = [
        [
            _code(i.check),
            i.table,
            i.applies_to,
            i.formula,
            i.zh,
            "warning (a hint, not a law)" if i.hint else checks.BY_CODE[i.check].severity,
        ]
        for i in identities.IDENTITIES
    ]
    outcome = {t: codes.outcome_rows(t) for t in ("2021", "2019")}
    return (
        "\n".join(
            [
                "# Identities (勾稽关系)",
                "",
                *_generated("contract/identities.py"),
                "The arithmetic a published report satisfies. The template prints the first in its own header "
                "(第一项加第二项之和，等于第三项加第四项之和); the others follow from its tables.",
                "",
                "- **Reported, never repaired.** A broken identity is a row of the `issues` table (the check, "
                "`expected`, `actual`, where); no published number is changed and no balancing number is invented.",
                "- **Evaluated only where every cell it needs holds a number** (printed, or derived). A missing "
                "cell is reported once, by the completeness checks, not again as a broken identity; a cell "
                'printed "/" leaves the identity unevaluated too.',
                "- **One evaluation.** The validation and the recovery of lost cells (which accepts a placement only "
                "when every identity holds) use the same functions, so they cannot disagree on what adds up.",
                "",
                *_table(["check", "table", "applies to", "formula", "中文", "severity"], rows),
                f"The outcome rows: {len(outcome['2021'])} in 2021 ({', '.join(map(_code, outcome['2021']))}); "
                f"{len(outcome['2019'])} in 2019 (the three `other_*` rows are one `other_processed`).",
            ]
        )
        + "\n"
    )


# ---------------------------------------------------------------------------------------------------------
# docs/checks.md


def checks_page() -> str:
    return (
        "\n".join(
            [
                "# Checks (the `issues` table)",
                "",
                *_generated("contract/checks.py"),
                "Every problem found in a report is a row of `issues`: which check, its severity, `expected`, "
                "`actual`, where, and a message. Checks report; they never change a number. A check that is not "
                "declared here cannot be reported (the library refuses it).",
                "",
                "## Severities",
                "",
                *_table(
                    ["severity", "中文", "meaning"], ([_code(s.code), s.zh, s.en] for s in checks.SEVERITIES)
                ),
                "## Checks",
                "",
                "Where a check has two severities, the first is the usual one; e.g. a group subtotal that agrees "
                "with its rows is `info`, one that does not is an `error`. The Chinese pages' issues table shows the "
                "Chinese meaning (说明) of each issue's check, and its English message, which names the rows and "
                "numbers, as 详情（英文）.",
                "",
                *_table(
                    ["check", "中文", "severity", "meaning", "说明"],
                    (
                        [_code(c.code), c.zh, ", ".join(c.severities), c.en, c.meaning_zh]
                        for c in checks.CHECKS
                    ),
                ),
            ]
        ).rstrip()
        + "\n"
    )


# ---------------------------------------------------------------------------------------------------------
# docs/measures.md


def _cell_text(cell: derived.Cell) -> str:
    if isinstance(cell, str):
        return f"`{cell}` {codes.label(cell, codes.REQUEST_ROWS)}"
    proceeding, outcome = cell
    zh = f"{codes.label(proceeding, codes.PROCEEDINGS)}·{codes.label(outcome, codes.OUTCOMES)}"
    return f"`{proceeding}.{outcome}` {zh}"


def _side_text(cells: tuple, less: tuple = ()) -> str:
    return " + ".join(map(_cell_text, cells)) + "".join(f" − {_cell_text(c)}" for c in less)


def measures_page() -> str:
    rates = (
        [
            _code(r.code),
            r.zh,
            r.en,
            f"`{r.formula}`",
            _side_text(r.numerator),
            _side_text(r.denominator, r.denominator_less),
            r.meaning,
        ]
        for r in derived.RATES
    )
    mixes = ([_code(m.code), m.zh, m.en, ", ".join(map(_code, m.categories)), m.part] for m in derived.MIXES)
    return (
        "\n".join(
            [
                "# Derived measures",
                "",
                *_generated("contract/measures.py"),
                "The rates and mixes `xxgk.analysis.measures` computes from the tidy tables. Table-三 cells are read "
                "in one applicant column (`total` unless asked otherwise); table-四 cells are written "
                "`proceeding.outcome`.",
                "",
                '- **NA stays NA.** A measure that needs a cell that is missing or printed "/" is NA, never '
                "computed as if the cell were 0; a zero denominator gives NA.",
                "- **Pooled, not averaged.** Over several reports, numerators and denominators are added over the "
                "reports where both are known and the rate is recomputed; `n_reports` counts the reports used and "
                "`n_missing` those left out.",
                f"- **Small N: shown, not ranked.** A rate or share over a denominator under {derived.SMALL_N} "
                "(`SMALL_N`) is shown with its counts and marked (`is_small_n`; `*` in tables, hatched in charts), "
                f"and never ranked: at n = {derived.SMALL_N} the standard error of a proportion can reach 9 "
                "percentage points (√(0.25/30) ≈ 0.09).",
                "",
                "## Rates",
                "",
                *_table(
                    ["measure", "中文", "English", "formula", "numerator", "denominator", "meaning"], rates
                ),
                "## Mixes",
                "",
                "A mix splits a whole into parts: each part over the sum of the parts (not over a printed total), "
                "so one report's shares add up to 1. Where a printed total differs from the sum of its parts, "
                "check `identity_outcomes` says so.",
                "",
                *_table(["mix", "中文", "English", "categories", "one part is"], mixes),
            ]
        ).rstrip()
        + "\n"
    )


# ---------------------------------------------------------------------------------------------------------
# Writing and checking


#: Every page of docs/, by file name.
PAGES: dict[str, Callable[[], str]] = {
    "README.md": index_page,
    "template.md": template_page,
    "missing.md": missing_page,
    "identities.md": identities_page,
    "checks.md": checks_page,
    "measures.md": measures_page,
}


def pages() -> dict[str, str]:
    """Every page of docs/ as generated now, by file name."""
    return {name: page() for name, page in PAGES.items()}


def stale_pages(folder: Path) -> list[str]:
    """The pages of ``folder`` that differ from the declarations (or are absent), and Markdown files there
    that no declaration generates any more. Empty when the documentation is up to date."""
    folder = Path(folder)
    generated = pages()
    stale = [name for name, text in generated.items() if _read(folder / name) != text]
    extra = sorted(p.name for p in folder.glob("*.md") if p.name not in generated)
    return stale + extra


def write_pages(folder: Path) -> list[str]:
    """Write every page into ``folder``; returns the names of the pages that changed."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    changed = []
    for name, text in pages().items():
        if _read(folder / name) != text:
            (folder / name).write_text(text, encoding="utf-8")
            changed.append(name)
    return changed


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.exists() else None


def markdown() -> str:
    """The README's block: where the data contract is documented (the pages of docs/)."""
    lines = [
        "The output tables and their columns: [docs/README.md](docs/README.md). The contract, page by page:",
        "",
        *_table(["page", "what it says"], _index_rows("docs/")),
    ]
    return "\n".join(lines).rstrip() + "\n"


def refresh(readme: Path) -> bool:
    """Replace the block between the markers; True when the file changed."""
    text = readme.read_text(encoding="utf-8")
    block = f"{START}\n{markdown()}{END}"
    new = re.sub(re.escape(START) + r".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    if new != text:
        readme.write_text(new, encoding="utf-8")
    return new != text
