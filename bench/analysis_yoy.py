"""Benchmarks for issue 13 §4–§5: notebook 70's anomaly lists over a synthetic national panel, and notebook
60's prose repetition as the prose grows. Prints one table of medians (seconds, CPU time of this process).

    python bench/analysis_yoy.py                  # national panel of 8 provinces (~1,800 files), 3 repeats
    python bench/analysis_yoy.py --provinces 2    # smaller, for a smoke check

The panel is generated, written and parsed before the clock starts (:mod:`xxgk.testing.national`); the
figures are the anomaly functions over its tables as ``corpus.load`` returns them, and
:func:`xxgk.analysis.yoy.repetition` over two made-up texts of n characters that share half their
sentences (its cost is the sentence split and the 20-character windows: linear in n).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time
from pathlib import Path

import xxgk
from xxgk.analysis import anomalies, corpus, yoy
from xxgk.output.files import write_tables
from xxgk.testing.national import generate


def _median(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return statistics.median(times)


def _texts(n: int) -> tuple[str, str]:
    """Two texts of about n characters: the second keeps every other sentence of the first."""
    sentences = [
        f"第{i}项工作按照要求推进落实并取得阶段性成效共办理事项{i * 7}件。" for i in range(n // 30 + 1)
    ]
    new = [f"本年新增第{i}项措施进一步完善制度建设提升服务水平。" for i in range(len(sentences))]
    mixed = [s if i % 2 else new[i] for i, s in enumerate(sentences)]
    return "".join(sentences), "".join(mixed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provinces", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        raw, data = Path(folder) / "raw", Path(folder) / "processed"
        generate(n_provinces=args.provinces, seed=3).write(raw)
        write_tables(xxgk.parse_many([raw]), data)
        tables = corpus.load(data)
        n = len(tables["reports"])
        for fn in (
            anomalies.identical_tables,
            anomalies.all_zero_tables,
            anomalies.identity_failures,
            anomalies.extreme_rates,
            anomalies.summary,
        ):
            rows.append((f"{fn.__name__} ({n} reports)", _median(lambda fn=fn: fn(tables), args.repeats)))
    for size in (2_000, 20_000, 200_000):
        before, after = _texts(size)
        rows.append(
            (
                f"repetition ({size:,} characters)",
                _median(lambda b=before, a=after: yoy.repetition(b, a), args.repeats),
            )
        )
    print(
        f"machine: {platform.machine()}, Python {platform.python_version()}; CPU seconds, median of {args.repeats}"
    )
    for name, seconds in rows:
        print(f"{name:<45} {seconds:8.3f}")


if __name__ == "__main__":
    main()
