"""How many cells of tables 三 and 四 the parser gets back from web text that lost its cell separators.

``python -m xxgk.testing.runs --n 500 --seed 1`` draws consistent synthetic reports
(:func:`xxgk.testing.synth.draw`), prints each as web text with its cells glued into digit runs (the
``webtext`` rendering), parses it and compares every cell of tables 三 and 四 with the truth. It prints the
share of cells recovered (the right number, printed or derived), the cells wrong (a number that is not the
truth's) and the cells left NA, per table; the exit code is 1 when a cell is wrong.

Only cells the truth prints as numbers are counted as recoverable; a truth cell printed "/" must come back
as not applicable (or NA), never as a number.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import dataclass, field

import pandas as pd

from xxgk.contract import codes
from xxgk.testing import synth


@dataclass
class Tally:
    """Cells of one table: recovered, wrong (with examples), NA."""

    cells: int = 0
    recovered: int = 0
    wrong: list[str] = field(default_factory=list)

    @property
    def missing(self) -> int:
        return self.cells - self.recovered - len(self.wrong)

    def line(self, name: str) -> str:
        share = 100 * self.recovered / self.cells if self.cells else 100.0
        return (
            f"{name}: cells recovered {share:.1f} % ({self.recovered}/{self.cells}), "
            f"wrong {len(self.wrong)}, NA {self.missing}"
        )


def _score(tally: Tally, where: str, count, status: str, truth) -> None:
    """One cell against the truth (an int, or NA_MARK for a cell printed "/")."""
    has_number = not pd.isna(count)
    if truth == synth.NA_MARK:
        if has_number:
            tally.wrong.append(f"{where}: {count} where the truth prints /")
        return
    tally.cells += 1
    if has_number and int(count) == truth and status in ("printed", "derived", "ocr"):
        tally.recovered += 1
    elif has_number:
        tally.wrong.append(f"{where}: {count} ({status}), truth {truth}")


def score_rendering(rendering: synth.Rendering, tallies: dict[str, Tally], name: str = "") -> None:
    """Parse one rendering and add its table-三 and table-四 cells to the tallies."""
    tables = synth.parse_rendering(rendering)
    truth = rendering.truth
    req = {(r.row_code, r.applicant_code): r for r in tables["requests"].itertuples()}
    for row in truth.request_rows:
        for applicant, cell in zip(codes.codes(codes.APPLICANTS), truth.requests[row], strict=True):
            got = req.get((row, applicant))
            count, status = (got.count, got.cell_status) if got is not None else (pd.NA, "missing")
            _score(tallies["三"], f"{name} requests {row}/{applicant}", count, status, cell)
    rev = {(r.proceeding, r.outcome): r for r in tables["reviews"].itertuples()}
    for p in codes.codes(codes.PROCEEDINGS):
        for o, cell in zip(codes.codes(codes.OUTCOMES), truth.reviews[p], strict=True):
            got = rev.get((p, o))
            count, status = (got.count, got.cell_status) if got is not None else (pd.NA, "missing")
            _score(tallies["四"], f"{name} reviews {p}/{o}", count, status, cell)


def measure(n: int, seed: int = 1) -> dict[str, Tally]:
    """Draw, render as web text, parse and score ``n`` reports (deterministic for a seed)."""
    tallies = {"三": Tally(), "四": Tally()}
    for i in range(n):
        rng = random.Random(seed * 1_000_003 + i)
        rendering = synth.render(synth.draw(rng), "webtext", rng)
        score_rendering(rendering, tallies, f"case {seed}/{i}")
    return tallies


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m xxgk.testing.runs", description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200, help="reports to draw")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    start = time.perf_counter()
    tallies = measure(args.n, args.seed)
    total = Tally(
        sum(t.cells for t in tallies.values()),
        sum(t.recovered for t in tallies.values()),
        [w for t in tallies.values() for w in t.wrong],
    )
    for name, tally in tallies.items():
        print(tally.line(f"table {name}"))
    print(total.line("tables 三+四") + f"  ({args.n} reports, {time.perf_counter() - start:.0f} s)")
    for w in total.wrong[:20]:
        print("  wrong:", w)
    return 1 if total.wrong else 0


if __name__ == "__main__":
    sys.exit(main())
