"""Benchmark for issue 13 §2: time to draw each chart type for the sample (9 agencies) and the synthetic
national panel (303 agencies; one year, and all seven years). Prints one table.

    python bench/charts.py              # median of 3 runs per chart
    python bench/charts.py --repeats 1

A figure is timed from the chart function's call to a PNG at the notebooks' 100 dpi written into memory
(what a notebook cell costs), median over ``--repeats`` runs, one process. The corpora are parsed before the
clock starts: data/raw, and ``xxgk.testing.national.generate(n_provinces=8, seed=3)`` written to a temp
folder. The chart calls use only the arguments every version of the charts takes, so the same script
times an older checkout (``PYTHONPATH=<old>/lib``) for a before/after ratio.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def corpora() -> dict:
    import xxgk
    from xxgk.analysis import corpus
    from xxgk.testing.national import generate

    sample = corpus.used(xxgk.parse_many([ROOT / "data" / "raw"]))
    with tempfile.TemporaryDirectory() as folder:
        generate(n_provinces=8, seed=3).write(folder)
        national = corpus.used(xxgk.parse_many([folder]))
    return {
        "sample": sample,
        "national, 1 year": corpus.select(national, years=[2023]),
        "national, 7 years": national,
    }


def charts() -> dict:
    from xxgk.analysis import corpus, measures, plotting

    return {
        "volumes by year": lambda t: plotting.volumes_chart(t),
        "volumes by agency": lambda t: plotting.volumes_chart(t, by="agency"),
        "volume heatmap": lambda t: plotting.volume_heatmap(t),
        "applicants by year": lambda t: plotting.applicant_mix_chart(t),
        "applicants by agency": lambda t: plotting.applicant_mix_chart(t, by="agency"),
        "outcomes by agency": lambda t: plotting.outcome_mix_chart(t, by="agency"),
        "reasons": lambda t: plotting.reasons_chart(t),
        "rates by year": lambda t: plotting.rates_chart(t),
        "rates by agency": lambda t: plotting.rates_chart(t, by="agency"),
        "reviews by year": lambda t: plotting.reviews_chart(t),
        "reviews by agency": lambda t: plotting.reviews_chart(t, by="agency"),
        "ranking": lambda t: plotting.ranking_chart(measures.rates(t), "not_held_rate"),
        "coverage": lambda t: plotting.coverage_chart(corpus.coverage(t)),
        "report card": lambda t: plotting.report_card(t, t["reports"]["agency"].iloc[0]),
    }


def time_chart(draw, tables, repeats: int) -> tuple[float, float]:
    """Median seconds to draw and render one chart, and the figure's height in inches."""
    times, height = [], 0.0
    for _ in range(repeats):
        started = time.perf_counter()
        fig = draw(tables)
        fig.savefig(io.BytesIO(), format="png", dpi=100)
        times.append(time.perf_counter() - started)
        height = fig.get_figheight()
    return statistics.median(times), height


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    from xxgk.analysis import plotting

    plotting.theme()
    sets = corpora()
    agencies = {name: t["reports"]["agency"].nunique() for name, t in sets.items()}
    print(f"seconds to draw and render a chart (median of {args.repeats}), figure height in inches")
    print(f"{'chart':<22}" + "".join(f"{f'{n} ({agencies[n]} names)':>30}" for n in sets))
    for name, draw in charts().items():
        cells = []
        for tables in sets.values():
            try:
                seconds, height = time_chart(draw, tables, args.repeats)
                cells.append(f"{seconds:8.2f} s  {height:6.1f} in")
            except Exception as error:  # an older checkout may fail on a corpus: say so, keep going
                cells.append(f"failed: {type(error).__name__}"[:28])
        print(f"{name:<22}" + "".join(f"{c:>30}" for c in cells))
    print(
        f"python {sys.version.split()[0]}; the machine is shared (2 cores, 6 jobs): compare ratios, not seconds"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
