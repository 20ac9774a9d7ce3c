"""Issue 14 §4–§5: each shortcut taken for speed gives what the general path gives.

Cached rows are copies, never shared state; a count printed as plain digits is an int and every other
printed number stays a Decimal (a sign is still seen); the garbage collector's freezing ends with the
corpus. Speed itself is measured in bench/speed.py, not here.
"""

from __future__ import annotations

import gc
import weakref
from decimal import Decimal

import pandas as pd
import pytest

import xxgk
from xxgk.contract.identities import fmt
from xxgk.read.lines import line_from_cells, parse_value
from xxgk.run.pipeline import fewer_collections

ROW = ["(一)予以公开", "5", "0", "", "/", "1", "0", "6"]


def test_a_table_row_read_twice_is_two_lines_each_with_its_own_number():
    first = line_from_cells(list(ROW), 7, grid=True)
    second = line_from_cells(list(ROW), 31, grid=True)  # the same row in another report: from the cache
    assert [c.line for c in second.cells if c] == [31] * 6
    assert [c.line for c in first.cells if c] == [7] * 6  # the first copy is not renumbered by the second
    assert [c.col for c in second.cells if c] == [2, 3, 5, 6, 7, 8]  # grid columns, the blank one skipped
    assert second.cells[2] is None and second.label == first.label == "(一)予以公开"
    second.cells[0] = None  # a caller changing its copy changes no other copy
    assert line_from_cells(list(ROW), 9, grid=True).cells[0].number == 5


def test_a_count_in_plain_digits_is_an_int_and_other_printed_numbers_stay_decimal():
    assert type(parse_value("0012", 1).number) is int and parse_value("0012", 1).number == 12
    for printed, number in (("1,774", Decimal(1774)), ("9116.36", Decimal("9116.36")), ("-0", Decimal("-0"))):
        assert type(parse_value(printed, 1).number) is Decimal and parse_value(printed, 1).number == number
    assert parse_value("-0", 1).number.is_signed()  # the sign a count never prints is still seen
    assert [fmt(n) for n in (12, Decimal("12.0"), Decimal("1.50"), 3 + Decimal(4))] == [
        "12",
        "12",
        "1.50",
        "7",
    ]


def test_a_signed_zero_is_still_refused_as_a_count_and_plain_counts_are_read(tmp_path):
    rows = [
        "三、收到和处理政府信息公开申请情况",
        "一、本年新收政府信息公开申请数量\t-0\t0\t0\t0\t0\t0\t3",
        "二、上年结转政府信息公开申请数量\t1\t0\t0\t0\t0\t0\t1",
    ]
    path = tmp_path / "r.txt"
    path.write_text("某县人民政府2022年政府信息公开工作年度报告\n" + "\n".join(rows) + "\n", encoding="utf-8")
    tables = xxgk.parse(path)
    req = tables["requests"]
    new = req[req["row_code"] == "new_received"]["count"].tolist()
    assert pd.isna(new[0]) and new[1:] == [0, 0, 0, 0, 0, 3]
    assert req[req["row_code"] == "carried_over"]["count"].tolist() == [1, 0, 0, 0, 0, 0, 1]
    issues = tables["issues"]
    refused = issues[issues["check"] == "not_a_count"]["message"].tolist()
    assert len(refused) == 1 and "'-0'" in refused[0]
    assert "parser_error" not in set(issues["check"])


class _Node:
    """An object that can be part of a reference cycle (and be watched by a weak reference)."""


def test_the_collector_freezes_what_survives_while_a_corpus_is_parsed_and_thaws_it_after():
    assert gc.get_freeze_count() == 0
    with fewer_collections():
        kept = [_Node() for _ in range(100)]
        gc.collect(1)  # a collection of an older generation: what survived it is frozen
        assert gc.get_freeze_count() >= len(kept)
        cycle = _Node()
        cycle.me = cycle
        watch = weakref.ref(cycle)
        del cycle
        gc.collect(0)  # a young cycle is still collected
        assert watch() is None
    assert gc.get_freeze_count() == 0 and gc.get_threshold()[0] < 100_000


def test_what_the_caller_froze_stays_frozen():
    gc.freeze()
    try:
        before = gc.get_freeze_count()
        with fewer_collections():
            gc.collect(1)
        assert gc.get_freeze_count() >= before
    finally:
        gc.unfreeze()


@pytest.mark.filterwarnings("ignore:invalid value encountered in cast:RuntimeWarning")  # pandas, on 2**63
def test_number_columns_built_through_arrow_equal_pandas_conversion_and_can_be_edited():
    from xxgk.contract.schema import _array

    cases = [[1, None, 3], [1.5, None, 2], [], [None], [2**60 + 1, 1], [2**63, 1], [True, 1], [1.0, 2]]
    for values in cases:
        for dtype in ("Int64", "Float64"):
            try:
                expected = pd.array(values, dtype=dtype)
            except (TypeError, ValueError) as err:  # pandas refuses: so does the table (a float is no count)
                try:
                    _array(values, dtype)
                except type(err):
                    continue
                raise AssertionError(f"{values} as {dtype} should be refused") from None
            got = _array(values, dtype)
            assert got.dtype == expected.dtype and got.equals(expected), (values, dtype)
            if len(got):
                got[0] = 7  # a column of the output may be edited in place


def test_the_footnote_mark_classes_written_as_ranges_hold_exactly_the_marks():
    from xxgk.read import text

    marks, digit_like = set(text._MARK_CHARS), set(text._DIGIT_MARKS)
    assert {"²", "①", "⒈", "❶", "⓫", "🄁", "※", "*"} <= marks and not marks & set("0123456789一")
    for code in range(0x30000):
        ch = chr(code)
        assert (text._MARKS.fullmatch(ch) is not None) == (ch in marks), hex(code)
        assert (text._DIGIT_LIKE.fullmatch(ch) is not None) == (ch in digit_like), hex(code)


def test_tab_rows_of_plain_counts_get_the_columns_the_search_finds(monkeypatch):
    """A tab row's numbers are placed at their cells' starts without searching the line, when only plain
    counts and blanks follow the label; on random rows (marks, units, glued cells, full-width digits,
    stray digits in text) that gives exactly what at_columns' search gives, and is taken often."""
    import random

    from xxgk.read import lines

    rng = random.Random(5)
    tokens = ["0", "12", "007", " 5 ", "", "  ", "/", "-", "1,234", "15件", "0 0", "１２", "**", "<b>3</b>"]
    tokens += ["66²", "x5y", "3.5", "二十", "\u3000", "12 "]
    labels = ["(一)予以公开", "规章", "", "1.属于国家秘密", "12", "a5"]
    direct = lines._at_cell_starts
    taken = []

    def counted(*args):
        located = direct(*args)
        taken.append(located is not None)
        return located

    for _ in range(3000):
        printed = [rng.choice(labels)] + [rng.choice(tokens) for _ in range(rng.randrange(9))]
        raw = "\t".join(printed)
        monkeypatch.setattr(lines, "_at_cell_starts", counted)
        fast = lines._line_from_cells(printed, 3, False, raw)
        monkeypatch.setattr(lines, "_at_cell_starts", lambda *args: None)
        searched = lines._line_from_cells(printed, 3, False, raw)
        assert [c and tuple(c) for c in fast.cells] == [c and tuple(c) for c in searched.cells], raw
    assert sum(taken) > 200


def _agencies_by_pandas_groups(reports: pd.DataFrame) -> pd.DataFrame:
    """The agencies table as it was built before issue 14, one pandas group per agency: the reference."""
    from xxgk.contract import schema
    from xxgk.output.agencies import _REGION

    have = reports[reports["agency_id"].notna()]
    records = []
    for aid, group in have.groupby("agency_id", sort=True):
        first = group.iloc[0]
        years = group["year"].dropna()
        usable = group[(group["status"] != "failed") & group["year"].notna()]
        seen = pd.concat([group["agency_name"], group["agency"], group["manifest_agency"]]).dropna()
        records.append(
            {
                "agency_id": aid,
                **{k: (None if pd.isna(first[k]) else first[k]) for k in _REGION},
                "names": " | ".join(dict.fromkeys(str(n) for n in seen)),
                "first_year": int(years.min()) if len(years) else None,
                "last_year": int(years.max()) if len(years) else None,
                "n_reports": len(group),
                "n_years": usable["year"].nunique(),
            }
        )
    return schema.frame("agencies", records)


def test_the_agencies_table_read_from_columns_equals_one_pandas_group_per_agency():
    import random

    from xxgk.contract import schema
    from xxgk.output.agencies import agencies_table

    rng = random.Random(3)
    names = ["某县人民政府", "某县政府", None, "某市教育局"]
    records = [
        {
            "report_id": f"r{i}",
            "agency_id": rng.choice(["b2", "a1", "c3", None]),
            "agency_name": rng.choice(names),
            "agency": rng.choice(names),
            "manifest_agency": rng.choice(names),
            "province": rng.choice(["福建省", None]),
            "adcode": rng.choice(["350128", None]),
            "year": rng.choice([2021, 2022, None]),
            "status": rng.choice(["ok", "incomplete", "failed"]),
        }
        for i in range(200)
    ]
    records += [  # an agency whose 2020 report failed: one year counted, both years covered
        {"report_id": "d1", "agency_id": "d4", "year": 2020, "status": "failed", "agency": "某区司法局"},
        {"report_id": "d2", "agency_id": "d4", "year": 2021, "status": "ok"},
    ]
    reports = schema.frame("reports", records)
    assert len(reports["agency_id"].dropna().unique()) == 4
    table = agencies_table(reports)
    pd.testing.assert_frame_equal(table, _agencies_by_pandas_groups(reports))
    d4 = table[table["agency_id"] == "d4"].iloc[0]
    assert (d4["n_years"], d4["first_year"], d4["names"]) == (1, 2020, "某区司法局")


def _as_read(line) -> tuple:
    """Everything a Line tells the parser, its cells as plain tuples."""
    fields = ("no", "text", "label", "last_label", "delimited", "grid", "trailing_text", "trimmed", "marks")
    return (*(getattr(line, f) for f in fields), line.furniture, [c and tuple(c) for c in line.cells])


def test_rows_read_through_their_template_equal_rows_read_whole():
    """A short row is read through its template (its plain-count cells printed as "0") and gets its own
    counts and, in a tab row, their columns put back in: on random rows (counts of every length, marks,
    units, page numbers, text after the numbers, full-width digits, blanks) that is exactly the row read
    whole, and the template is shared by rows with other counts."""
    import random

    from xxgk.read import lines

    rng = random.Random(7)
    tokens = ["0", "12", "007", "123456", " 5 ", "", "  ", "/", "-", "1,234", "15件", "0 0", "１２", "**"]
    tokens += ["66²", "<b>3</b>", "3.5", "二十", "\u3000", "12 ", "共12件", "— 5 —", "第3页", "x5y", "2"]
    tokens += ["%", "5%"]
    labels = ["(一)予以公开", "规章", "", "1.属于国家秘密", "12", "a5", "— 5 —"]
    before = lines._template.cache_info()
    for _ in range(4000):
        printed = [rng.choice(labels)] + [rng.choice(tokens) for _ in range(rng.randrange(9))]
        for grid, tab in ((True, False), (False, False), (False, True)):
            no = rng.choice([0, 3, 41])
            whole = lines._line_from_cells(list(printed), no, grid, "\t".join(printed) if tab else None)
            templated = lines._from_template("\t".join(printed), no, grid, tab)
            assert _as_read(templated) == _as_read(whole), (printed, grid, tab)
    after = lines._template.cache_info()
    assert after.hits - before.hits > 1000  # rows that differ only in their counts share a template


def test_space_separated_lines_get_the_columns_the_search_finds():
    """A space-separated line whose numbers are its last whole tokens, printed as normalised, gets each
    number's column without searching the line: on random lines (full-width forms, marks, glued labels,
    units, text after the numbers, repeated tokens) that is exactly what at_columns' search finds."""
    import random

    from xxgk.read import lines

    rng = random.Random(11)
    tokens = ["0", "12", "007", "1,234", "/", "-", "15件", "约15", "１２", "66²", "3.5", "二十", "其他", "12"]
    tokens += ["规章000", "(一)", "（二）", "1.属于", "5%", "  ", "x5y", "0.", "——", "1)"]
    tokens += ["12\x1f", "5\r", "\u16803", "7\u2028"]  # white space a value is stripped of, kept in the line
    labels = ["(一)予以公开", "规章", "", "1.属于国家秘密", "12", "第 3 页", "办结1097件"]
    fast = 0
    for _ in range(4000):
        raw = " ".join([rng.choice(labels)] + [rng.choice(tokens) for _ in range(rng.randrange(9))])
        line = lines._split_line(raw, 3)
        searched = lines.at_columns(raw, [c and c._replace(col=0) for c in line.cells])
        assert [c and tuple(c) for c in line.cells] == [c and tuple(c) for c in searched], raw
        fast += bool(line.cells) and not line.trailing_text and lines.same_length_nfkc(raw) == line.text
    assert fast > 500


def test_a_full_row_is_taken_whole_only_into_an_empty_row():
    """A line as wide as table 三 fills an empty row at once; into a row already read, a blank cell is
    filled and a printed one keeps its first number, with an issue (the general path's rule)."""
    from xxgk.parse.cells import WIDTH, merge
    from xxgk.parse.report import Report

    report = Report("r", "r.txt")
    row = [None] * WIDTH
    assert merge(
        row, line_from_cells(["(一)予以公开", "5", "0", "", "1", "0", "0", "6"], 3, grid=True), report, "x"
    )
    assert [c and c.number for c in row] == [5, 0, None, 1, 0, 0, 6]
    assert merge(
        row, line_from_cells(["(一)予以公开", "7", "0", "2", "1", "0", "0", "6"], 9, grid=True), report, "x"
    )
    assert [c and c.number for c in row] == [5, 0, 2, 1, 0, 0, 6]
    assert [(c.line, c.col) for c in row if c] == [(3, 2), (3, 3), (9, 4), (3, 5), (3, 6), (3, 7), (3, 8)]
    assert [i.check for i in report.issues] == ["conflicting_values"]


def test_threads_parsing_at_once_leave_the_collector_as_it_was():
    # one collector per process: two threads inside fewer_collections at once (a thread pool parsing
    # chunks) must not leave the raised threshold behind whoever leaves last
    import threading

    before = gc.get_threshold()
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen = []

    def first():
        with fewer_collections():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second():
        first_in.wait(5)
        with fewer_collections():
            second_in.set()
            first_out.wait(5)
            seen.append(gc.get_threshold()[0])  # still raised while this thread parses

    threads = [threading.Thread(target=f) for f in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert seen and seen[0] >= 100_000
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
