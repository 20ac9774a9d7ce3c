"""Digit runs: cells whose separators the document lost, read back only where every identity allows one reading.

Web pages that lose their cell separators print a table-三 row as one run of digits after its label
("713000074" for 71 3 0 0 0 0 74), table 四 as a run of fifteen or more digits, and now and then keep one
separator as a space ("310 000031"). A :class:`Run` is such a run: its digit tokens as printed, on one line.

**Candidates.** A run's candidates are its readings as blocks of numbers each followed by their sum: a
table-三 row is one block (six applicant columns, then the total), table 四 three blocks (four outcomes,
then the total). Every piece is printed without a leading zero and has at most 15 digits (a count); a space
that survives in a run is a separator, so a cell never spans it. The sum in each block is the row-total or
block identity, so a candidate already satisfies the identities inside its own row or block.

**Solving jointly.** The candidates of every table-三 run are then solved together against the column
identities of table 三 (:func:`xxgk.contract.identities.column_equations`: the balance identity and the
outcome total, on each applicant column), with the printed cells as constants: :func:`solve` searches the
combinations (backtracking, smallest domain first, each column equation checked against the least and
greatest values still possible as soon as a run in it is placed). A run is placed only when it has the same
reading in every combination that satisfies them all; otherwise it is NA and its candidates are listed. No
identity joins table 四 to table 三, so table 四's run is solved on its own, by its three block identities.

**Bounds.** A run with more than :data:`MAX_CANDIDATES` candidates (or whose enumeration takes more than
:data:`MAX_STEPS` steps) is not a variable: its cells are NA, with an issue naming the bound, and the
identities it takes part in are left out of the search. The search itself stops after :data:`MAX_NODES`
placements; past that bound no run is placed by the search (a run whose own identity leaves one candidate
still is) and the others are NA with an issue saying the bound was hit.

**Cells the identities force (class 6 of issue 10) are not filled.** A blank cell in a row whose printed
numbers already sum to its total would have to be 0 for the identity to hold, but it is left NA. The rule
"a cell missing from the document is NA, never 0" is part of the data contract; unlike a glued run, whose
digits are all printed and only the separators are placed, a forced 0 stands nowhere in the document, so it
would have no source to cite; and it presupposes the very identity it would then appear to confirm (a blank
that was a lost number beside a misprinted total looks the same), turning a check that cannot be made into
one that silently passes. A user who accepts that convention can fill such blanks knowingly: their cells are
``missing`` and the completeness checks name them.

(Longer than most modules: listing candidates, the joint search and placing its answer are one algorithm
with shared bounds, read here in one place.)
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from xxgk.read.lines import Value, is_whole

#: Most candidates a run may have to be solved (more: NA with an issue). Real rows have one to a few dozen.
MAX_CANDIDATES = 500
#: Most steps the enumeration of one run's candidates may take.
MAX_STEPS = 50_000
#: Most placements the joint search may try (about a second of work).
MAX_NODES = 50_000
#: A count has at most 15 digits (below 10**15, as xxgk.parse.document.MAX_COUNT).
MAX_DIGITS = 15


class Run(NamedTuple):
    """A run of digits that may be several cells glued together: its tokens as printed, and their line."""

    tokens: tuple[str, ...]
    line: int

    @property
    def raw(self) -> str:
        """The run as printed (tokens apart where a space survived)."""
        return " ".join(self.tokens)


#: A number with this many digits is taken for cells glued together (no count in table 三 or 四 has that
#: many beside numbers printed apart; a single count in the millions is printed alone, and is not a run).
MIN_RUN = 7


def is_glued(raw: str) -> bool:
    """A printed number that is cells glued together rather than one count: a run with a leading zero
    ("00606"), or of seven digits or more.

    >>> is_glued("640020470"), is_glued("0000"), is_glued("0"), is_glued("1234")
    (True, True, False, False)
    """
    return (len(raw) >= MIN_RUN and raw.isdigit() and raw.isascii()) or zero_led_run(raw)


def zero_led_run(raw: str) -> bool:
    """Digits with a leading zero ("00606", "00"): never one count as printed, always cells run together.

    >>> zero_led_run("00606"), zero_led_run("0"), zero_led_run("606")
    (True, False, False)
    """
    return len(raw) > 1 and raw[0] == "0" and raw.isdigit() and raw.isascii()


def as_run(values: Sequence, width: int = 7) -> Run | None:
    """Given a row's printed values: a run when they are digit tokens (or not-applicable marks) on one line,
    fewer than its ``width`` cells, and glued: a single token glued (:func:`is_glued`), or, among several,
    one with a leading zero. Otherwise None.

    A row's numbers spread over several lines are not a run: a line below may belong to something else.
    Several tokens with none led by a zero ("1645923 0 0 1645923") are more likely a row that lost some
    cells (a blank cell pdftotext drops) than cells glued together: they are not a run.
    """
    if not values or None in values or len(values) >= width or len({v.line for v in values}) != 1:
        return None
    if not all((v.raw.isdigit() and v.raw.isascii()) or v.number is None for v in values):
        return None
    if not (is_glued(values[0].raw) if len(values) == 1 else any(zero_led_run(v.raw) for v in values)):
        return None
    return Run(tuple(v.raw for v in values), values[0].line)


def as_values(reading: Sequence[int | None], run: Run) -> list[Value]:
    """A reading's cells on the run's line: numbers marked derived (their cell was placed by the reading),
    and the run's not-applicable marks in order, as printed.

    >>> [v.status for v in as_values((3, None), Run(("3", "/"), 9))]
    ['derived', 'not_applicable']
    """
    marks = iter(t for t in run.tokens if not t.isdigit())
    return [
        Value(None, run.line, next(marks)) if n is None else Value(Decimal(n), run.line, str(n), derived=True)
        for n in reading
    ]


def has_marks(run: Run) -> bool:
    """The run holds a not-applicable mark ("/"): the identities of its row or block cannot be evaluated."""
    return not all(t.isdigit() for t in run.tokens)


def plain_readings(run: Run, cells: int, limit: int = 2, steps: int = MAX_STEPS) -> list[tuple] | None:
    """The readings of a run as ``cells`` cells with no identity to check: each digit token cut into numbers
    without leading zeros, each mark one cell (None). At most ``limit`` (None: the enumeration took more
    than ``steps`` steps).

    >>> plain_readings(Run(("000", "/", "000"), 1), 7)
    [(0, 0, 0, None, 0, 0, 0)]
    >>> len(plain_readings(Run(("12", "/", "00000"), 1), 7))
    1
    """
    counter = _Steps(steps)
    out: list[tuple] = []
    try:
        for found in _token_readings(run.tokens, cells, counter):
            out.append(found)
            if len(out) >= limit:
                break
    except _Bound:
        return None
    return out


def _token_readings(tokens: Sequence[str], cells: int, counter: _Steps) -> Iterator[tuple]:
    if not tokens:
        if cells == 0:
            yield ()
        return
    head, rest = tokens[0], tokens[1:]
    if not head.isdigit():
        for more in _token_readings(rest, cells - 1, counter):
            yield (None, *more)
        return
    for k in range(1, min(len(head), cells - len(rest)) + 1):
        for cut in _cuts(head, k, counter):
            for more in _token_readings(rest, cells - k, counter):
                yield (*cut, *more)


def _cuts(digits: str, k: int, counter: _Steps) -> Iterator[tuple[int, ...]]:
    """Every way to cut ``digits`` into exactly ``k`` numbers printed without leading zeros."""
    if k == 1:
        if len(digits) <= MAX_DIGITS and (digits == "0" or digits[:1] != "0"):
            yield (int(digits),)
        return
    longest = 1 if digits[:1] == "0" else min(len(digits) - k + 1, MAX_DIGITS)
    for n in range(1, longest + 1):
        counter.take()
        for rest in _cuts(digits[n:], k - 1, counter):
            yield (int(digits[:n]), *rest)


class _Steps:
    """A step counter for one enumeration: raises _Bound past the limit."""

    __slots__ = ("left",)

    def __init__(self, limit: int) -> None:
        self.left = limit

    def take(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise _Bound


class _Bound(Exception):
    """A bound was hit."""


def block_splits(
    run: Run, blocks: int, parts: int, limit: int | None = None, steps: int = MAX_STEPS
) -> list[tuple[int, ...]] | None:
    """Every reading of a run as ``blocks`` blocks of ``parts`` numbers each followed by their sum.

    None when there are more than ``limit`` readings (:data:`MAX_CANDIDATES` by default) or the enumeration
    takes more than ``steps`` steps.

    >>> block_splits(Run(("713000074",), 1), 1, 6)
    [(71, 3, 0, 0, 0, 0, 74)]
    >>> block_splits(Run(("310", "000031"), 1), 1, 6)
    [(31, 0, 0, 0, 0, 0, 31)]
    >>> block_splits(Run(("011021000100000",), 1), 3, 4)
    [(0, 1, 1, 0, 2, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0)]
    """
    digits = "".join(run.tokens)
    wall = _walls(run.tokens)
    limit = MAX_CANDIDATES if limit is None else limit
    counter = _Steps(steps)
    out: list[tuple[int, ...]] = []
    try:
        for found in _blocks(digits, 0, blocks, parts, wall, counter):
            out.append(found)
            if len(out) > limit:
                return None
    except _Bound:
        return None
    return out


def _walls(tokens: Sequence[str]) -> list[int]:
    """For each position of the joined digits: where the token it stands in ends (a piece cannot go past it)."""
    wall: list[int] = []
    end = 0
    for token in tokens:
        end += len(token)
        wall += [end] * len(token)
    return [*wall, end]


def _blocks(
    s: str, p: int, blocks: int, parts: int, wall: list[int], counter: _Steps
) -> Iterator[tuple[int, ...]]:
    """The readings of s[p:] as ``blocks`` blocks (each: ``parts`` numbers and their sum)."""
    if blocks == 0:
        if p == len(s):
            yield ()
        return
    if blocks == 1:
        yield from _last_block(s, p, parts, wall, counter)
        return
    limit = len(s) - (blocks - 1) * (parts + 1)  # the later blocks need a digit per cell at least
    for cells, q in _parts(s, p, parts, 0, limit, wall, counter):
        total = str(sum(cells))
        end = q + len(total)
        if end <= min(wall[q], limit) and s.startswith(total, q):
            for rest in _blocks(s, end, blocks - 1, parts, wall, counter):
                yield (*cells, int(total), *rest)


def _last_block(s: str, p: int, parts: int, wall: list[int], counter: _Steps) -> Iterator[tuple[int, ...]]:
    """The readings of s[p:] as one block: its sum is the end of the run, so each length of the sum is tried
    and the numbers before it must add up to it exactly (none larger, none longer)."""
    end = len(s)
    for length in range(1, min(end - p - parts, MAX_DIGITS) + 1):
        start = end - length
        if wall[start] < end or (length > 1 and s[start] == "0"):
            continue  # the sum would span a space, or start with a zero
        total = int(s[start:])
        for cells in _summing(s, p, start, parts, total, length, wall, counter):
            yield (*cells, total)


def _summing(
    s: str, p: int, end: int, k: int, target: int, longest: int, wall: list[int], counter: _Steps
) -> Iterator[tuple[int, ...]]:
    """``k`` numbers that print s[p:end] exactly (no leading zeros, within their token, at most ``longest``
    digits) and add up to ``target``."""
    left = end - p
    if left < k or left > k * longest:
        return
    if k == 1:
        if wall[p] >= end and (left == 1 or s[p] != "0") and int(s[p:end]) == target:
            yield (target,)
        return
    most = 1 if s[p] == "0" else min(wall[p] - p, longest, left - k + 1)
    for n in range(1, most + 1):
        counter.take()
        value = int(s[p : p + n])
        if value > target:
            break
        for rest in _summing(s, p + n, end, k - 1, target - value, longest, wall, counter):
            yield (value, *rest)


def _parts(
    s: str, p: int, k: int, total: int, limit: int, wall: list[int], counter: _Steps
) -> Iterator[tuple[tuple[int, ...], int]]:
    """``k`` numbers from position p (no leading zeros, within their token), each with room left for the
    numbers after it and for a sum at least as long as the sum so far; yields them with where they end."""
    if k == 0:
        yield (), p
        return
    if p >= limit:
        return
    longest = 1 if s[p] == "0" else min(wall[p] - p, MAX_DIGITS)
    for n in range(1, longest + 1):
        counter.take()
        value = int(s[p : p + n])
        if p + n + (k - 1) + len(str(total + value)) > limit:
            break
        for rest, end in _parts(s, p + n, k - 1, total + value, limit, wall, counter):
            yield (value, *rest), end


# ---------------------------------------------------------------------------------------------------------
# The joint search


@dataclass
class Variable:
    """A run to solve: its candidates, and the cell each position of a candidate fills."""

    key: str
    candidates: list[tuple[int, ...]]
    cells: tuple[Hashable, ...]


@dataclass
class Solution:
    """What the search found: for each variable, the candidates that stand in some full solution."""

    seen: dict[str, set[int]] = field(default_factory=dict)
    complete: bool = True  # False: the search stopped at MAX_NODES
    used: dict[str, set[str]] = field(default_factory=dict)  # variable -> checks of the equations it is in


class _Compiled(NamedTuple):
    """Equations over variables: for each variable the (equation, position, sign) terms; constants."""

    terms: list[list[tuple[int, int, int]]]
    constants: list[int | Decimal]
    checks: list[str]


def solve(
    variables: list[Variable],
    equations: Sequence[tuple[str, Sequence[Hashable], Sequence[Hashable]]],
    known: dict[Hashable, Decimal | None],
    max_nodes: int | None = None,
) -> Solution:
    """Every combination of the variables' candidates under which each equation holds (plus cells = minus
    cells), with ``known`` cells as constants; an equation with a cell neither known nor a variable's (NA,
    or printed "/") is left out. Returns, per variable, the candidates found in some combination, and
    whether the search ran to its end (it stops after ``max_nodes`` placements, :data:`MAX_NODES` by
    default, or as soon as every variable with a choice has shown two readings: none can be placed then).

    >>> a = Variable("a", [(1,), (2,)], ("x",))
    >>> b = Variable("b", [(3,), (5,)], ("y",))
    >>> solve([a, b], [("sum", ("x", "y"), ("z",))], {"z": Decimal(7)}).seen
    {'a': {1}, 'b': {1}}
    """
    compiled = _compile(variables, equations, known)
    out = Solution(
        used={v.key: {compiled.checks[e] for e, _, _ in compiled.terms[i]} for i, v in enumerate(variables)}
    )
    if any(not v.candidates for v in variables):
        raise ValueError("a variable with no candidate: leave it out (its cells are NA)")
    free = [i for i, terms in enumerate(compiled.terms) if not terms]
    for i in free:  # in no equation: every candidate stands
        out.seen[variables[i].key] = set(range(len(variables[i].candidates)))
    bound = [i for i, terms in enumerate(compiled.terms) if terms]
    if bound:
        search = _Search(variables, bound, compiled, MAX_NODES if max_nodes is None else max_nodes)
        out.complete = search.run()
        out.seen.update({variables[i].key: search.seen[j] for j, i in enumerate(bound)})
    return out


def _compile(
    variables: list[Variable],
    equations: Sequence[tuple[str, Sequence[Hashable], Sequence[Hashable]]],
    known: dict[Hashable, Decimal | None],
) -> _Compiled:
    """The equations that involve a variable and no NA cell, as terms per variable and a constant each."""
    where = {cell: (i, pos) for i, v in enumerate(variables) for pos, cell in enumerate(v.cells)}
    terms: list[list[tuple[int, int, int]]] = [[] for _ in variables]
    constants: list[int | Decimal] = []
    checks: list[str] = []
    for check, plus, minus in equations:
        constant: int | Decimal = 0
        own: list[tuple[int, int, int]] = []
        for cell, sign in [*((c, 1) for c in plus), *((c, -1) for c in minus)]:
            if cell in where:
                own.append((*where[cell], sign))
            elif known.get(cell) is not None:
                number = known[cell]
                constant += sign * (int(number) if is_whole(number) else number)
            else:
                break
        else:
            if own:
                e = len(constants)
                constants.append(constant)
                checks.append(check)
                for i, pos, sign in own:
                    terms[i].append((e, pos, sign))
    return _Compiled(terms, constants, checks)


class _Search:
    """Backtracking over the variables in equations, smallest domain first, with bounds on every equation."""

    def __init__(self, variables: list[Variable], bound: list[int], compiled: _Compiled, max_nodes: int):
        self.domains = [variables[i].candidates for i in bound]
        self.order = sorted(range(len(bound)), key=lambda j: len(self.domains[j]))
        self.terms = [compiled.terms[i] for i in bound]
        self.partial = list(compiled.constants)
        self.rest_lo, self.rest_hi = self._rest_bounds(len(compiled.constants))
        self.seen: list[set[int]] = [set() for _ in bound]
        self.open = [j for j, d in enumerate(self.domains) if len(d) > 1]  # variables with a choice
        self.choice = [0] * len(bound)
        self.nodes = max_nodes

    def _rest_bounds(self, n_equations: int) -> tuple[list[list[int]], list[list[int]]]:
        """For each depth d and equation: the least and greatest sum the variables placed after d can add."""
        depth = len(self.order)
        lo = [[0] * n_equations for _ in range(depth + 1)]
        hi = [[0] * n_equations for _ in range(depth + 1)]
        for d in range(depth - 1, -1, -1):
            lo[d], hi[d] = list(lo[d + 1]), list(hi[d + 1])
            j = self.order[d]
            for e, pos, sign in self.terms[j]:
                values = [sign * c[pos] for c in self.domains[j]]
                lo[d][e] += min(values)
                hi[d][e] += max(values)
        return lo, hi

    def run(self) -> bool:
        """Search every combination; False when the search stopped at its bound."""
        try:
            self._place(0)
        except _Done:
            return True
        except _Bound:
            return False
        return True

    def _place(self, d: int) -> None:
        if d == len(self.order):
            for j, c in enumerate(self.choice):
                self.seen[j].add(c)
            if all(len(self.seen[j]) > 1 for j in self.open):
                raise _Done
            return
        j = self.order[d]
        partial, lo, hi, terms = self.partial, self.rest_lo[d + 1], self.rest_hi[d + 1], self.terms[j]
        for ci, cand in enumerate(self.domains[j]):
            self.nodes -= 1
            if self.nodes < 0:
                raise _Bound
            for e, pos, sign in terms:
                partial[e] += sign * cand[pos]
            if all(partial[e] + lo[e] <= 0 <= partial[e] + hi[e] for e, _, _ in terms):
                self.choice[j] = ci
                self._place(d + 1)
            for e, pos, sign in terms:
                partial[e] -= sign * cand[pos]


class _Done(_Bound):
    """Every variable already has two readings: nothing more can be placed (the search is complete)."""
