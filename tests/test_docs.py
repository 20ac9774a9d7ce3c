"""The data contract documented in docs/ stays generated from the declarations, and the declarations agree.

`make docs` (xxgk docs --write docs/) refreshes the pages; these tests fail when a declaration changed and the
pages were not regenerated, and they show that the staleness check can fail.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from conftest import ROOT
from xxgk.contract import checks, codes
from xxgk.contract import measures as derived
from xxgk.run import dictionary
from xxgk.run.cli import main

DOCS = ROOT / "docs"


def test_docs_are_generated_from_the_contract():
    assert dictionary.stale_pages(DOCS) == [], "run `make docs` (xxgk docs --write docs/) to refresh docs/"


def test_a_changed_declaration_makes_its_page_stale(tmp_path, monkeypatch):
    dictionary.write_pages(tmp_path)
    assert dictionary.stale_pages(tmp_path) == []
    renamed = tuple(replace(c, zh="改名") if c.code == "cell_missing" else c for c in checks.CHECKS)
    monkeypatch.setattr(checks, "CHECKS", renamed)
    assert dictionary.stale_pages(tmp_path) == ["checks.md"]
    monkeypatch.setattr(derived, "SMALL_N", 50)
    assert "measures.md" in dictionary.stale_pages(tmp_path)


def _mostly_chinese(text: str) -> bool:
    """More than half the letters of ``text`` are Chinese characters (codes such as PDF or SHA-256 may stand
    among them)."""
    letters = [c for c in text if c.isalpha()]
    return sum("\u4e00" <= c <= "\u9fff" for c in letters) > len(letters) / 2


def test_every_check_has_its_meaning_in_chinese():
    for check in checks.CHECKS:
        assert check.meaning_zh.strip() and _mostly_chinese(check.meaning_zh), check.code
    # the test can fail: an English meaning copied in, or none, is refused
    assert not _mostly_chinese(checks.BY_CODE["duplicate"].en) and not _mostly_chinese("")
    # and the Chinese meaning is on the checks page
    assert checks.BY_CODE["identity_balance"].meaning_zh in dictionary.pages()["checks.md"]


def test_a_hand_edit_a_lost_page_and_a_stray_page_are_stale(tmp_path):
    dictionary.write_pages(tmp_path)
    (tmp_path / "template.md").write_text("edited by hand\n", encoding="utf-8")
    (tmp_path / "identities.md").unlink()
    (tmp_path / "old.md").write_text("a page no declaration generates\n", encoding="utf-8")
    assert dictionary.stale_pages(tmp_path) == ["template.md", "identities.md", "old.md"]
    assert main(["docs", "--check", str(tmp_path)]) == 1
    assert main(["docs", "--write", str(tmp_path)]) == 0
    assert dictionary.stale_pages(tmp_path) == ["old.md"]


def _github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_links_from_the_output_tables_reach_a_heading():
    pages = dictionary.pages()
    for target in dictionary._CODED_COLUMNS.values():
        page, _, anchor = target.partition("#")
        assert page in pages
        if anchor:
            headings = re.findall(r"^#+ (.+)$", pages[page], flags=re.M)
            assert anchor in {_github_slug(h) for h in headings}, target


def test_every_page_is_in_the_index():
    assert set(dictionary.PAGES) == {"README.md", *dictionary.PAGE_TITLES}


# ---------------------------------------------------------------------------------------------------------
# The declarations agree with one another


def test_table_two_measures_are_declared_with_the_templates_that_use_them():
    used = {m.code: set() for m in codes.MEASURES}
    for item in codes.PROACTIVE_ITEMS:
        for template, measures in item.measures.items():
            for m in measures:
                used[m].add(template)
    assert {m.code: set(m.templates) for m in codes.MEASURES} == used


def test_row_groups_cover_the_rows():
    assert {r.group for r in codes.REQUEST_ROWS} == set(codes.codes(codes.ROW_GROUPS))
    for template in ("2021", "2019"):
        grouped = [r for g in codes.codes(codes.ROW_GROUPS) for r in codes.group_rows(g, template)]
        assert sorted(grouped) == sorted(codes.request_rows(template))


def test_group_rows_refuses_an_unknown_group():
    with pytest.raises(ValueError, match="unknown row group 'refused'"):
        codes.group_rows("refused", "2021")


def test_a_rate_refuses_a_cell_that_is_not_in_the_tables():
    with pytest.raises(ValueError, match="not a table-三 row or a table-四 cell"):
        derived.Rate("r", "率", "R", ("granted",), (("review", "withdrawn"),))


def test_mix_categories_are_codes():
    outcome, reason, applicant = (m.categories for m in derived.MIXES)
    assert set(outcome) <= set(codes.codes(codes.ROW_GROUPS))
    assert set(reason) <= set(codes.codes(codes.REQUEST_ROWS))
    assert set(applicant) < set(codes.codes(codes.APPLICANTS))
