"""Digit runs (issue 10, class 5) and cells the identities force (class 6).

Web pages that lost their cell separators print a table-三 row or table 四 as one run of digits. Each test
covers a kind of input in every layout it reaches: web text (text), a tab-separated export with the run in
one cell, a markdown pipe table and an HTML table.
"""

from __future__ import annotations

import itertools
import random
from decimal import Decimal

import pandas as pd
import pytest

from test_trust import LAYOUTS, _parse
from xxgk.contract import codes
from xxgk.contract.identities import column_equations, identity_failures
from xxgk.parse import runs
from xxgk.parse.recover import splits
from xxgk.parse.runs import Run, Variable, block_splits, solve
from xxgk.read.lines import Value
from xxgk.testing.damage import glue_runs_with_a_space
from xxgk.testing.runs import measure

TITLE = "某县教育局2022年政府信息公开工作年度报告"
HEADING3 = "三、收到和处理政府信息公开申请情况"
HEADING4 = "四、政府信息公开行政复议、行政诉讼情况"
HEADER4 = "行政复议 行政诉讼 结果维持 结果纠正 其他结果 尚未审结 总计 未经复议直接起诉 复议后起诉"
ROWS = codes.request_rows("2021")
ZERO = "0000000"


def _row(label_row: str, cells: str, layout: str) -> str:
    label = codes.by_code(codes.REQUEST_ROWS)[label_row].zh
    if layout == "text":
        return f"{label}{cells}\n"
    if layout == "tsv":
        return f"{label}\t{cells}\n"
    if layout == "markdown":
        return f"| {label} | {cells} |\n"
    return f"<tr><td>{label}</td><td>{cells}</td></tr>"


def _document(runs3: dict[str, str], layout: str, table4: str = "", header_line: bool = False) -> str:
    """A report whose table 三 prints each row as given (zeros glued for rows not given), then table 四."""
    body = "".join(_row(code, runs3.get(code, ZERO), layout) for code in ROWS)
    if layout == "html":
        t4 = ""
        if table4:
            head = f"<td>{HEADER4}</td>"
            t4 = (
                f"<p>{HEADING4}</p><table>"
                + (
                    f"<tr>{head}<td>{table4}</td></tr>"
                    if header_line
                    else f"<tr>{head}</tr><tr><td>{table4}</td></tr>"
                )
                + "</table>"
            )
        return (
            f"<html><body><p>{TITLE}</p><p>一、总体情况</p><p>{HEADING3}</p><table>{body}</table>{t4}"
            "<p>五、存在的主要问题及改进情况</p></body></html>"
        )
    t4 = ""
    if table4:
        if layout == "markdown":
            lines = (
                [f"| {HEADER4} | {table4} |"] if header_line else [f"| {HEADER4} |  |", f"|  | {table4} |"]
            )
        else:
            sep = "\t" if layout == "tsv" else " "
            lines = [f"{HEADER4}{sep}{table4}"] if header_line else [HEADER4, table4]
        t4 = "\n".join([HEADING4, *lines]) + "\n"
    return f"{TITLE}\n一、总体情况\n{HEADING3}\n{body}{t4}五、存在的主要问题及改进情况\n"


def _cells(tables, row: str) -> list:
    req = tables["requests"]
    return req[req["row_code"] == row]["count"].tolist()


def _statuses(tables, row: str) -> set:
    req = tables["requests"]
    return set(req[req["row_code"] == row]["cell_status"])


def _glued(tables) -> list[str]:
    issues = tables["issues"]
    return issues[issues["check"] == "glued_digits"]["message"].tolist()


# Table 三 -------------------------------------------------------------------------------------------------

# new_received reads 1 0 0 0 1000 0 1001 or 1000 1 0 0 0 0 1001 by its own total; the balance identity of
# the natural_person column (new + carried over = handled + carried forward = 1 + 0) takes the first.
JOINT = {
    "new_received": "1000100001001",
    "granted": "1000001",
    "total_processed": "1000001",
    "carried_forward": "0000100001000",
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_a_run_ambiguous_by_its_row_is_solved_by_the_column_identities(tmp_path, layout):
    tables = _parse(tmp_path, _document(JOINT, layout), LAYOUTS[layout])
    assert _cells(tables, "new_received") == [1, 0, 0, 0, 1000, 0, 1001]
    assert _statuses(tables, "new_received") == {"derived"}
    assert _cells(tables, "carried_forward") == [0, 0, 0, 0, 1000, 0, 1000]
    said = [m for m in _glued(tables) if "Row new_received" in m]
    assert len(said) == 1 and "identity_balance" in said[0] and "the only one of its 2 splits" in said[0]
    assert not identity_failures_in(tables)


def identity_failures_in(tables) -> list[str]:
    issues = tables["issues"]
    return issues[issues["check"].str.startswith("identity_")]["message"].tolist()


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_runs_that_stay_ambiguous_together_are_na_with_their_candidates(tmp_path, layout):
    # new_received and carried_forward print the same run, nothing else is handled: both readings balance.
    both = {"new_received": "1000100001001", "carried_forward": "1000100001001"}
    tables = _parse(tmp_path, _document(both, layout), LAYOUTS[layout])
    for row in both:
        assert pd.isna(_cells(tables, row)).all()
        assert _statuses(tables, row) == {"missing"}
        said = [m for m in _glued(tables) if f"Row {row} " in m]
        assert len(said) == 1
        assert "1 0 0 0 1000 0 1001; 1000 1 0 0 0 0 1001" in said[0] and "2 of its splits" in said[0]


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_a_run_with_a_stray_space_is_split_at_the_space(tmp_path, layout):
    # "310 000031": the space is a separator that survived (31 | 0 …), not a digit boundary to ignore.
    doc = _document(
        {"new_received": "310 000031", "granted": "310000031", "total_processed": "310000031"}, layout
    )
    tables = _parse(tmp_path, doc, LAYOUTS[layout])
    assert _cells(tables, "new_received") == [31, 0, 0, 0, 0, 0, 31]
    assert _statuses(tables, "new_received") == {"derived"}


def test_a_space_is_a_separator_so_a_cell_never_spans_it():
    # Read without the space, 3 10000031 would be 31 0 0 0 0 0 31; with it, 3 is a cell of its own.
    assert block_splits(Run(("3", "10000031"), 1), 1, 6) == []
    assert block_splits(Run(("310000031",), 1), 1, 6) == [(31, 0, 0, 0, 0, 0, 31)]


def test_a_run_with_a_mark_is_placed_only_when_it_has_one_reading(tmp_path):
    # "000 / 000": seven cells, one digit each (no identity is needed, and none could be checked).
    tables = _parse(tmp_path, _document({"denied_state_secret": "000 / 000"}, "text"), "r.txt")
    req = tables["requests"].query("row_code == 'denied_state_secret'")
    assert req["cell_status"].tolist() == ["derived"] * 3 + ["not_applicable"] + ["derived"] * 3
    # "100 / 0011": 10 0 / 0 0 1 1 or 1 0 0 / 0 0 11, and the "/" leaves the row total unevaluated.
    tables = _parse(tmp_path, _document({"denied_state_secret": "100 / 0011"}, "text"), "r.txt")
    assert _statuses(tables, "denied_state_secret") == {"missing"}
    assert any("more than one reading" in m for m in _glued(tables))


def test_a_glued_row_is_not_continued_by_the_numbers_of_a_label_it_does_not_know(tmp_path):
    # Found by the web-text measurement: a row printed as one run, then a line whose label is not read
    # ("3.其他/" with its first mark glued to it) gave its marks to the run's row as if it had wrapped.
    text = _document({}, "text").replace(
        "3.其他0000000\n", "3.其他\n"
    )  # other_other's label alone, so its numbers may come next
    text = text.replace(
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请0000000",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请8660701100\n某某其他/ / / / / /",
    )
    tables = _parse(tmp_path, text, "r.txt")
    assert _cells(tables, "other_overdue_fee") == [86, 6, 0, 7, 0, 1, 100]
    assert "unknown_label" in set(tables["issues"]["check"])


def test_numbers_below_a_row_with_a_zero_led_run_are_not_its_cells(tmp_path):
    # Found by the web-text measurement: table 四's heading not recognised, its run "00 2 02 0 000 0 00000"
    # continued the last row of table 三 ("00 00606"), giving it seven wrong cells.
    text = _document({"carried_forward": "00 00606"}, "text").replace(
        "五、存在的主要问题及改进情况", "某某情况说明\n00 2 02 0 000 0 00000\n五、存在的主要问题及改进情况"
    )
    tables = _parse(tmp_path, text, "r.txt")
    assert _cells(tables, "carried_forward") == [0, 0, 0, 0, 6, 0, 6]  # "00 00606" read alone


# Bounds ---------------------------------------------------------------------------------------------------


def test_past_the_search_bound_runs_are_na_with_an_issue_saying_so(tmp_path, monkeypatch):
    monkeypatch.setattr(runs, "MAX_NODES", 1)
    tables = _parse(tmp_path, _document(JOINT, "text"), "r.txt")
    assert _statuses(tables, "new_received") == {"missing"}
    said = [m for m in _glued(tables) if "Row new_received" in m]
    assert "stopped at its bound of 1 steps" in said[0] and "1 0 0 0 1000 0 1001" in said[0]
    # A run its own identity settles is still placed.
    assert _cells(tables, "carried_forward") == [0, 0, 0, 0, 1000, 0, 1000]


def test_a_run_with_more_candidates_than_the_bound_is_na_with_an_issue(tmp_path, monkeypatch):
    monkeypatch.setattr(runs, "MAX_CANDIDATES", 1)
    tables = _parse(tmp_path, _document(JOINT, "text"), "r.txt")
    assert _statuses(tables, "new_received") == {"missing"}
    assert any("more than 1 splits" in m for m in _glued(tables))
    assert _cells(tables, "granted") == [1, 0, 0, 0, 0, 0, 1]


def test_the_enumeration_of_a_long_run_is_bounded(tmp_path):
    # Sixty digits have millions of cuts into seven cells: the enumeration stops at its step bound.
    assert block_splits(Run(("1" * 60,), 1), 1, 6) is None
    assert block_splits(Run(("9" * 40,), 1), 1, 6, steps=1000) is None
    tables = _parse(tmp_path, _document({"granted": "1" * 60}, "text"), "r.txt")
    assert _statuses(tables, "granted") == {"missing"}
    assert any("Row granted" in m and "more than" in m for m in _glued(tables))


# Table 四 -------------------------------------------------------------------------------------------------

T4_15 = ("011021000100000", [0, 1, 1, 0, 2, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0])
T4_17 = ("30003000001200315", [3, 0, 0, 0, 3, 0, 0, 0, 0, 0, 12, 0, 0, 3, 15])


def _reviews(tables) -> list:
    rev = tables["reviews"]
    order = {p: i for i, p in enumerate(codes.codes(codes.PROCEEDINGS))}
    rev = rev.assign(k=rev["proceeding"].map(order)).sort_values("k", kind="stable")
    return rev["count"].tolist(), set(rev["cell_status"])


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("run", [T4_15, T4_17], ids=["15 digits", "17 digits"])
@pytest.mark.parametrize("header_line", [False, True], ids=["own line", "after the header"])
def test_table_4_printed_as_a_run_is_split_by_its_block_identities(tmp_path, layout, run, header_line):
    tables = _parse(tmp_path, _document({}, layout, run[0], header_line), LAYOUTS[layout])
    counts, statuses = _reviews(tables)
    assert counts == run[1] and statuses == {"derived"}
    assert any("Table 四 is printed as one run" in m and "marked derived" in m for m in _glued(tables))


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_table_4_run_with_one_ambiguous_block_places_only_the_others(tmp_path, layout):
    # 1010011 reads 10 1 0 0 11 or 1 0 10 0 11: litigation after review is NA, the other two are placed.
    tables = _parse(tmp_path, _document({}, layout, "30003000001010011"), LAYOUTS[layout])
    rev = tables["reviews"].set_index(["proceeding", "outcome"])["count"]
    assert [rev[("review", o)] for o in codes.codes(codes.OUTCOMES)] == [3, 0, 0, 0, 3]
    assert rev.loc["litigation_after_review"].isna().all()
    said = [m for m in _glued(tables) if "Table 四" in m]
    assert "10 1 0 0 11" in said[0] and "1 0 10 0 11" in said[0] and "(review, litigation_direct)" in said[0]


def test_table_4_run_with_a_stray_space_respects_it(tmp_path):
    tables = _parse(tmp_path, _document({}, "text", "01102 1000100000"), "r.txt")
    counts, statuses = _reviews(tables)
    assert counts == T4_15[1] and statuses == {"derived"}


# Class 6: cells the identities force are not filled --------------------------------------------------------


@pytest.mark.parametrize("layout", ["tsv", "markdown", "html"])
def test_a_blank_the_identities_force_to_zero_stays_na(tmp_path, layout):
    # 5 _ 0 0 0 0 5: the printed cells already sum to the total, so the blank "must" be 0; it is not filled.
    cells = {"tsv": "5\t\t0\t0\t0\t0\t5", "markdown": "5 |  | 0 | 0 | 0 | 0 | 5", "html": ""}[layout]
    if layout == "html":
        label = codes.by_code(codes.REQUEST_ROWS)["new_received"].zh
        doc = _document({}, "html").replace(
            f"<tr><td>{label}</td><td>{ZERO}</td></tr>",
            f"<tr><td>{label}</td><td>5</td><td></td>" + "<td>0</td>" * 4 + "<td>5</td></tr>",
        )
    else:
        doc = _document({"new_received": cells}, layout)
    tables = _parse(tmp_path, doc, LAYOUTS[layout])
    req = tables["requests"].query("row_code == 'new_received'")
    assert req["cell_status"].tolist()[1] == "missing" and req["count"].isna().tolist()[1]
    assert "derived" not in set(req["cell_status"])


# The solver and the equations ---------------------------------------------------------------------------


def _brute(variables, equations, known):
    """By trying every combination: the candidates of each variable that stand in some combination under
    which every equation holds. An equation is left out when a cell of it is NA or none is a variable's
    (printed numbers alone are the validation's business); a variable in no equation keeps every candidate.
    """
    owned = {c for v in variables for c in v.cells}
    usable = [
        (plus, minus)
        for _, plus, minus in equations
        if all(c in owned or known.get(c) is not None for c in (*plus, *minus))
        and any(c in owned for c in (*plus, *minus))
    ]
    bound = [
        v for v in variables if any(c in owned and c in v.cells for eq in usable for c in (*eq[0], *eq[1]))
    ]
    seen = {v.key: set(range(len(v.candidates))) for v in variables if v not in bound}
    seen.update({v.key: set() for v in bound})
    for combo in itertools.product(*(range(len(v.candidates)) for v in bound)):
        cell = dict(known)
        for v, ci in zip(bound, combo, strict=True):
            cell.update(zip(v.cells, v.candidates[ci], strict=True))
        if all(sum(cell[c] for c in plus) == sum(cell[c] for c in minus) for plus, minus in usable):
            for v, ci in zip(bound, combo, strict=True):
                seen[v.key].add(ci)
    return seen


def _random_problem(rng: random.Random):
    """A few variables of two cells each, known cells (one NA) and equations over them all."""
    cells = [f"c{i}" for i in range(8)]
    variables = []
    for k in range(rng.randint(1, 4)):
        mine = rng.sample(cells, 2)
        cands = [tuple(rng.randint(0, 3) for _ in mine) for _ in range(rng.randint(1, 4))]
        variables.append(Variable(f"v{k}", sorted(set(cands)), tuple(f"{k}{c}" for c in mine)))
    pool = [c for v in variables for c in v.cells] + ["k1", "k2", "na"]
    known = {"k1": Decimal(rng.randint(0, 3)), "k2": Decimal(rng.randint(0, 3)), "na": None}
    equations = [
        ("eq", tuple(rng.sample(pool, 2)), tuple(rng.sample(pool, rng.randint(1, 2))))
        for _ in range(rng.randint(1, 4))
    ]
    return variables, equations, known


def test_the_search_finds_what_trying_every_combination_finds():
    for seed in range(300):
        variables, equations, known = _random_problem(random.Random(seed))
        got = solve(variables, equations, known)
        want = _brute(variables, equations, known)
        assert got.complete
        if all(len(want[v.key]) > 1 or len(v.candidates) == 1 for v in variables):
            # Nothing can be placed: the search may stop once every choice has shown two readings.
            assert all(got.seen[v.key] <= want[v.key] for v in variables), seed
            assert all(len(got.seen[v.key]) > 1 or len(v.candidates) == 1 for v in variables), seed
        else:
            assert got.seen == want, seed


@pytest.mark.parametrize("template", ["2021", "2019"])
def test_the_column_equations_are_the_identities_validation_checks(template):
    rng = random.Random(template)
    rows = codes.request_rows(template)
    for _ in range(30):
        numbers = {r: [rng.randint(0, 2) for _ in range(7)] for r in rows}
        requests = {r: [Value(Decimal(n), 1, str(n)) for n in c] for r, c in numbers.items()}
        failures = {
            (i.check, i.location)
            for i in identity_failures(requests, rows, template)
            if i.check != "identity_row_total"
        }
        broken = {
            (e.check, f"table 三, column {codes.APPLICANTS[e.column].code}")
            for e in column_equations(rows, template)
            if sum(numbers[r][e.column] for r in e.plus) != sum(numbers[r][e.column] for r in e.minus)
        }
        assert failures == broken


def test_the_split_enumeration_is_every_split_that_sums():
    # Against the plain enumeration of every cut (recover.splits) filtered by the row total, on glued rows
    # of a consistent report and on random digits, with and without a space kept somewhere in the run.
    for seed in range(300):
        rng = random.Random(seed)
        cells = [rng.choice([0, 0, 0, 1, 5, 12, rng.randint(0, 999)]) for _ in range(6)]
        glued = "".join(map(str, [*cells, sum(cells)]))
        digits = glued if seed % 2 else "".join(rng.choice("0012") for _ in range(9))
        want = sorted(tuple(x) for x in splits(digits, 7) if sum(x[:6]) == x[6])
        assert sorted(block_splits(Run((digits,), 1), 1, 6, limit=10**6)) == want, digits
        cut = rng.randrange(1, len(digits))
        kept = [w for w in want if cut in set(itertools.accumulate(len(str(v)) for v in w))]
        spaced = Run((digits[:cut], digits[cut:]), 1)
        assert sorted(block_splits(spaced, 1, 6, limit=10**6)) == kept, spaced


def test_web_text_renderings_give_back_their_cells_and_none_wrong():
    # A sample of the measurement `python -m xxgk.testing.runs` (see its docstring for the full run).
    tallies = measure(40, seed=3)
    for tally in tallies.values():
        assert tally.wrong == []
    assert tallies["三"].recovered >= 0.85 * tallies["三"].cells
    assert tallies["四"].recovered >= 0.85 * tallies["四"].cells


def test_the_damage_glues_a_line_and_leaves_one_space_in_a_run():
    line = "1.属于国家秘密 0 0 0 31 0 0 31"
    damaged = {glue_runs_with_a_space([line], random.Random(seed))[0] for seed in range(60)}
    changed = damaged - {line}
    assert changed and all(d.count(" ") == 2 and d.replace(" ", "") == line.replace(" ", "") for d in changed)
