"""Benchmarks for issue 5: text parse throughput, a 100,000-report corpus end to end, PDF and batch (n/a
until their modules exist). Prints one table; BENCHMARKS.md records the figures with the machine.

    python bench/run.py                 # the full set (about as long as the parser needs for 100,000 reports)
    python bench/run.py --quick         # small sizes, a minute or so: for a smoke check
    python bench/run.py --e2e 20000     # another corpus size for the end-to-end run
    python bench/run.py --e2e-only --e2e-modes stream-2    # only the end-to-end figure, 2 worker processes
    python bench/run.py --issue14       # issue 14's figures in one run: 100,000 reports through the local path
                                        # and 1 and 2 Dask workers, then bench/speed.py (PDF vs pypdfium2's
                                        # plain text, text vs the start commit)

Every figure is a median over ``--repeats`` runs, on one core (one process) unless it says workers, with
the files on the local disk (a temp folder). The synthetic corpus comes from :mod:`xxgk.testing.synth` (all three
text layouts); its files are written before the clock starts. The end-to-end run happens in a fresh
subprocess: parsing with validation, and writing CSV + Parquet, done three ways: every table in memory
(``write_tables(parse_many(...))``), streamed in chunks (:func:`xxgk.run.stream.write_corpus`), and streamed
with ``--workers`` worker processes parsing the chunks. Its peak memory is the resident memory of the whole
process tree (the child and its workers, summed), sampled twice a second by the watchdog; CPU seconds are
the child's and its workers'.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import random
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "data" / "raw").glob("00*.txt"))

# Goals of issue 5 (benchmarks, not timed tests).
GOAL_SEEDS_PER_S = 2500
GOAL_PDF_PER_S = 20
GOAL_E2E_SECONDS = 300
GOAL_E2E_MB = 2048
#: Resident-memory cap of an end-to-end child (MB): over it the run is stopped and reported.
E2E_MEMORY_CAP_MB = 8192


def write_seed_corpus(folder: Path, repeat: int) -> int:
    for i in range(repeat):
        for seed in SEEDS:
            shutil.copyfile(seed, folder / f"{i:05d}_{seed.name}")
    return repeat * len(SEEDS)


def write_synthetic_corpus(folder: Path, n: int, seed: int = 1, agencies: bool = False) -> int:
    """``n`` synthetic reports. ``agencies``: each report's agency drawn from n/4 distinct agencies (about 4
    reports each, years drawn by synth), as in a real corpus; :func:`xxgk.testing.synth.draw` picks from 63 names,
    so 100,000 reports would give hundreds per agency and year, and the cross-year checks, which compare
    every pair of an agency's consecutive years, tens of millions of issues no real corpus has."""
    import dataclasses

    from xxgk.testing import synth

    rng = random.Random(seed)
    for i in range(n):
        truth = synth.draw(rng)
        if agencies:  # agency k: a place and kind of synth's, and a numbered 街道 between them
            k = rng.randrange(max(1, n // 4))
            place, kind = "".join(synth._PLACES[k % 9]), synth._AGENCY_KINDS[k // 9 % 7]
            truth = dataclasses.replace(truth, agency=f"{place}{_chinese_number(k)}街道{kind}")
        rendering = synth.render(truth, rng.choice(synth.LAYOUTS), rng)
        (folder / f"synth_{i:06d}.txt").write_text(rendering.text, encoding="utf-8")
    return n


def _chinese_number(k: int) -> str:
    """k in Chinese digits (一零三): no Arabic digit in an agency name, where a year is looked for."""
    return "".join("零一二三四五六七八九"[int(d)] for d in str(k + 1))


def time_parse_many(folder: Path, repeats: int) -> tuple[float, int]:
    """Median seconds for parse_many over a folder (tables built once per corpus), and the report count."""
    import xxgk

    times, n = [], 0
    for _ in range(repeats):
        start = time.perf_counter()
        tables = xxgk.parse_many([folder])
        times.append(time.perf_counter() - start)
        n = len(tables["reports"])
    return statistics.median(times), n


def e2e_child(mode: str, folder: str, out: str) -> None:
    """Run in a subprocess: parse, validate and write the corpus; print seconds and peak memory as JSON.

    ``memory``: ``write_tables(parse_many(...))``, every table built in memory (what notebooks use);
    ``stream``: :func:`xxgk.run.stream.write_corpus`, chunks of reports written as they are parsed;
    ``stream-N``: the same with N worker processes parsing the chunks;
    ``dask-N``: a Dask LocalCluster of N worker processes (started in this process; ``parse_seconds`` is its
    start-up), the files' bytes sent to the workers, which write a Parquet dataset (layout="dataset");
    ``dask-N-shared``: the same, the workers sent the paths and reading the files themselves.
    """
    import xxgk

    start = time.perf_counter()
    if mode.startswith("dask"):
        from xxgk.run.distributed import connect
        from xxgk.run.stream import write_corpus

        with connect(f"local:{mode.split('-')[1]}") as client:
            parsed = time.perf_counter()  # the cluster is up: its start-up is apart from the parse
            shared = mode.endswith("-shared")  # the workers read the files (xxgk parse --shared-disk)
            n = write_corpus([folder], out, executor=client, layout="dataset", shared_disk=shared)["reports"]
            done = time.perf_counter()
    elif mode.startswith("stream"):
        from xxgk.run.stream import write_corpus

        workers = int(mode.split("-")[1]) if "-" in mode else 1
        n = write_corpus([folder], out, workers=workers)["reports"]
        parsed = done = time.perf_counter()
    else:
        tables = xxgk.parse_many([folder])
        n = len(tables["reports"])
        parsed = time.perf_counter()
        xxgk.write_tables(tables, out)
        done = time.perf_counter()
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    print(
        json.dumps(
            {
                "seconds": done - start,
                "parse_seconds": parsed - start,
                "write_seconds": done - parsed,
                "cpu_seconds": sum(u.ru_utime + u.ru_stime for u in usage),
                # this process alone: the driver (and, with dask-N, the scheduler, which runs in it)
                "driver_cpu_seconds": usage[0].ru_utime + usage[0].ru_stime,
                "reports": n,
                "max_rss_mb": usage[0].ru_maxrss / 1024,  # KiB on Linux
                "worker_max_rss_mb": usage[1].ru_maxrss / 1024,
            }
        )
    )  # the largest worker's peak


def run_e2e(n: int, repeats: int, modes: tuple[str, ...] = ("memory", "stream")) -> dict[str, dict]:
    figures = {}
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-e2e-") as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        write_synthetic_corpus(corpus, n, seed=2, agencies=True)
        for mode in modes:
            results = []
            for r in range(repeats):
                out = Path(tmp) / f"out-{mode}-{r}"
                returncode, stdout, over_cap, tree_mb = _run_capped(
                    [sys.executable, __file__, "--e2e-child", mode, str(corpus), str(out)]
                )
                files = [f for f in out.rglob("*") if f.is_file()] if out.exists() else []
                out_mb = sum(f.stat().st_size for f in files) / 2**20
                parquet_mb = sum(f.stat().st_size for f in files if f.suffix == ".parquet") / 2**20
                shutil.rmtree(out, ignore_errors=True)
                if returncode != 0:
                    reason = (
                        f"stopped at {E2E_MEMORY_CAP_MB:,} MB resident" if over_cap else f"exit {returncode}"
                    )
                    results = [{"failed": reason}]
                    break
                results.append(
                    {
                        **json.loads(stdout.strip().splitlines()[-1]),
                        "tree_rss_mb": tree_mb,
                        "out_mb": out_mb,
                        "parquet_mb": parquet_mb,
                    }
                )
            figures[mode] = (
                results[0]
                if "failed" in results[0]
                else {key: statistics.median(r[key] for r in results) for key in results[0]}
            )
    return figures


def _tree_rss_kb(pid: int) -> int:
    """Resident memory (KiB) of a process and all its descendants, summed (pages shared between them, such
    as the interpreter's, count once per process: an upper bound)."""
    total = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            total += next(
                int(line.split()[1])
                for line in Path(f"/proc/{p}/status").read_text().splitlines()
                if line.startswith("VmRSS:")
            )
            for task in Path(f"/proc/{p}/task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, StopIteration, ValueError):
            continue  # the process ended between two reads
    return total


def _run_capped(cmd: list[str]) -> tuple[int, str, bool, float]:
    """Run a child, killing it and its workers when their resident memory passes the cap (so a run that
    cannot fit does not take the shared machine); returns the peak resident memory of the tree (MB) too.
    An address-space limit would not do: pyarrow reserves far more address space than it uses."""
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True
    )  # its own process group: the workers are killed with it
    over, peak_kb = False, 0
    while proc.poll() is None:
        rss_kb = _tree_rss_kb(proc.pid)
        peak_kb = max(peak_kb, rss_kb)
        if rss_kb > E2E_MEMORY_CAP_MB * 1024:
            over = True
            os.killpg(proc.pid, signal.SIGKILL)
        time.sleep(0.5)
    return proc.returncode, proc.stdout.read(), over, peak_kb / 1024


def pdf_throughput(repeats: int) -> str:
    """PDFs parsed per second of CPU time (one core; the machine's other load does not count): 10 copies of
    each corpus PDF in a temp folder, in one parse_many call, so that the fixed cost of building the output
    tables is spread as it is over a real batch (copies, not the same path 10 times: parse_many reads a path
    given twice once). Median of ``repeats`` runs."""
    if importlib.util.find_spec("xxgk.read.pdf") is None:
        return "n/a"
    import xxgk

    originals = sorted((ROOT / "data" / "raw").glob("*.pdf"))
    if not originals:
        return "n/a"
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-pdf-") as tmp:
        pdfs = []
        for i in range(10):
            for pdf in originals:
                pdfs.append(Path(tmp) / f"{i:02d}_{pdf.name}")
                shutil.copyfile(pdf, pdfs[-1])
        xxgk.parse_many(pdfs[:2])  # warm-up: imports, caches
        times = []
        for _ in range(repeats):
            start = time.process_time()
            tables = xxgk.parse_many(pdfs)
            times.append(time.process_time() - start)
        assert len(tables["reports"]) == len(pdfs), "every copy parsed"
    return f"{len(pdfs) / statistics.median(times):.1f}"


def docx_throughput(repeats: int, n: int = 200) -> str:
    """Word documents parsed per second of CPU time (one core): ``n`` synthetic reports written as .docx
    (merges, split tables; xxgk.testing.synth.render_docx) in one parse_many call. Median of ``repeats``."""
    import random

    import xxgk
    from xxgk.testing import synth

    with tempfile.TemporaryDirectory(prefix="xxgk-bench-docx-") as tmp:
        for i in range(n):
            rng = random.Random(i)
            data = synth.render_docx(synth.draw(rng), rng, split=rng.choice((None, 10)))
            (Path(tmp) / f"r{i:05d}.docx").write_bytes(data)
        xxgk.parse_many([Path(tmp) / "r00000.docx"])  # warm-up
        times = []
        for _ in range(repeats):
            start = time.process_time()
            xxgk.parse_many([tmp])
            times.append(time.process_time() - start)
    return f"{n / statistics.median(times):.0f}"


def doc_conversion(repeats: int) -> str:
    """Seconds (wall clock: LibreOffice is another process) to convert one .doc to .docx, median of
    ``repeats`` conversions of the .doc golden fixture; n/a without LibreOffice."""
    from xxgk.read import docx

    fixture = ROOT / "tests" / "fixtures" / "formats" / "pingtan_2022.doc"
    if docx.soffice() is None or not fixture.exists():
        return "n/a (LibreOffice not installed)"
    data = fixture.read_bytes()
    times = [_timed(lambda: docx.convert(data, "doc")) for _ in range(max(repeats, 1))]
    return f"{statistics.median(times):.2f}"


def batch_figures(repeats: int) -> tuple[str, float | None, str, float | None]:
    """Papermill batch (xxgk.run.batch): overhead per notebook against a bare kernel start, and the speed-up of
    2 workers over 1 on the sample batch (notebooks/params/sample.yml). n/a when the runner is absent."""
    if importlib.util.find_spec("xxgk.run.batch") is None:
        return "n/a", None, "n/a", None
    import nbformat
    from jupyter_client.manager import start_new_kernel

    from xxgk.run import batch

    def bare() -> float:
        start = time.perf_counter()
        km, kc = start_new_kernel(kernel_name="python3")
        kc.execute_interactive("x = 1", timeout=60)
        kc.stop_channels()
        km.shutdown_kernel(now=True)
        return time.perf_counter() - start

    with tempfile.TemporaryDirectory(prefix="xxgk-bench-batch-") as tmp:
        tmp = Path(tmp)
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nb.cells = [
            nbformat.v4.new_code_cell("x: int = 1", metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell("x + 1"),
        ]
        trivial = tmp / "trivial.ipynb"
        nbformat.write(nb, trivial)
        bare_s = statistics.median(bare() for _ in range(repeats))
        runs = [batch.Run(trivial, {"x": i}, f"trivial-{i}") for i in range(repeats)]
        nb_s = statistics.median(_timed(lambda r=r: batch.execute(r, tmp)) for r in runs)
        overhead = f"{nb_s:.1f} s per notebook vs {bare_s:.1f} s bare kernel = {nb_s / bare_s:.2f}x"
        processed = ROOT / "data" / "processed"
        if not (processed / "reports.parquet").exists():
            import xxgk

            xxgk.write_tables(xxgk.parse_many([ROOT / "data" / "raw"]), processed)
        sample = ROOT / "notebooks" / "params" / "sample.yml"
        times = {}
        for workers in (1, 2):
            result = batch.run_batch(sample, tmp / f"out{workers}", workers=workers, progress=False)
            times[workers] = result.seconds
        n = len(batch.load_runs(sample))
        speedup = (
            f"{times[1] / times[2]:.2f}x ({n} notebooks: {times[1]:.0f} s with 1 worker, "
            f"{times[2]:.0f} s with 2)"
        )
    return overhead, nb_s / bare_s, speedup, times[1] / times[2]


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{platform.system()} {platform.machine()}, {cpu}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="small sizes (smoke check)")
    p.add_argument(
        "--repeats", type=int, default=3, help="runs per figure; the median is printed (default 3)"
    )
    p.add_argument(
        "--seed-repeat", type=int, default=400, help="copies of each seed (default 400: 2,000 files)"
    )
    p.add_argument("--synthetic", type=int, default=10_000, help="synthetic corpus size (default 10000)")
    p.add_argument("--e2e", type=int, default=100_000, help="end-to-end corpus size (default 100000)")
    p.add_argument("--e2e-repeats", type=int, default=1, help="end-to-end runs (default 1: it is long)")
    p.add_argument(
        "--e2e-modes",
        default="memory,stream,stream-2",
        help="end-to-end ways, comma-separated: memory (write_tables(parse_many)), stream "
        "(write_corpus), stream-N (write_corpus with N worker processes), dask-N (a Dask LocalCluster of "
        "N workers writing a Parquet dataset; needs xxgk[dask]); default the first three",
    )
    p.add_argument("--e2e-only", action="store_true", help="only the end-to-end figures")
    p.add_argument(
        "--issue14",
        action="store_true",
        help="issue 14's figures in one run: end to end through the local path (1 process) and 1 and 2 Dask "
        "workers, then bench/speed.py's PDF and text comparisons",
    )
    p.add_argument("--e2e-child", nargs=3, metavar=("MODE", "CORPUS", "OUT"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.e2e_child:
        e2e_child(*args.e2e_child)
        return 0
    if args.issue14:
        args.e2e_only, args.e2e_modes = True, "stream,dask-1,dask-2"
    if args.quick:
        args.seed_repeat, args.synthetic, args.e2e, args.repeats = 40, 1000, 2000, 1

    rows = []
    if not args.e2e_only:
        rows += parse_figures(args.seed_repeat, args.synthetic, args.repeats)
    from xxgk.run import stream

    load = os.getloadavg()[0]
    for mode, e2e in run_e2e(args.e2e, args.e2e_repeats, tuple(args.e2e_modes.split(","))).items():
        how = (
            "write_tables(parse_many)"
            if mode == "memory"
            else f"write_corpus, chunks of {stream.CHUNK:,}"
            + (
                f", Dask LocalCluster of {mode.split('-')[1]} worker(s), Parquet dataset"
                + (", the workers reading the files" if mode.endswith("-shared") else "")
                if mode.startswith("dask")
                else f", {mode.split('-')[1]} worker processes"
                if "-" in mode
                else ", 1 process"
            )
        )
        if "failed" in e2e:
            rows.append(
                (
                    f"{args.e2e:,} synthetic reports end to end, {how}",
                    f"not completed: {e2e['failed']}",
                    f"< {GOAL_E2E_SECONDS} s, < {GOAL_E2E_MB:,} MB",
                    "no",
                )
            )
            continue
        detail = (
            f", parse {e2e['parse_seconds']:,.0f} s, write {e2e['write_seconds']:,.0f} s"
            if mode == "memory"
            else f", driver {e2e['driver_cpu_seconds']:,.0f} s; cluster start-up {e2e['parse_seconds']:,.1f} s"
            if mode.startswith("dask")
            else ""
        )
        detail += f"; output {e2e['out_mb']:,.1f} MB, of which Parquet {e2e['parquet_mb']:,.1f} MB"
        rows.append(
            (
                f"{args.e2e:,} synthetic reports end to end, {how}: time",
                f"{e2e['seconds']:,.0f} s (CPU {e2e['cpu_seconds']:,.0f} s{detail})",
                f"< {GOAL_E2E_SECONDS} s",
                "yes" if e2e["seconds"] < GOAL_E2E_SECONDS else "no",
            )
        )
        rows.append(
            (
                f"{args.e2e:,} synthetic reports end to end, {how}: peak memory (process tree)",
                f"{e2e['tree_rss_mb']:,.0f} MB sampled (main process's peak {e2e['max_rss_mb']:,.0f} MB"
                + (f", largest worker's {e2e['worker_max_rss_mb']:,.0f} MB)" if "-" in mode else ")"),
                f"< {GOAL_E2E_MB:,} MB",
                "yes" if e2e["tree_rss_mb"] < GOAL_E2E_MB else "no",
            )
        )
    load = f"load average {load:.1f} before the end-to-end runs, {os.getloadavg()[0]:.1f} after"
    if args.e2e_only:
        _print_table(rows, f"machine: {machine()}; end to end {args.e2e_repeats} run(s); {load}")
        if args.issue14:
            import speed  # bench/speed.py, beside this file

            speed.main(["--repeats", "10" if args.quick else "20", "--rounds", "1" if args.quick else "5"])
        return 0
    pdf = pdf_throughput(args.repeats)
    rows.append(
        (
            "PDF parse (data/raw/*.pdf, CPU time, 1 core)",
            pdf if pdf == "n/a" else f"{pdf} reports/s",
            f">= {GOAL_PDF_PER_S}/s",
            "" if pdf == "n/a" else ("yes" if float(pdf) >= GOAL_PDF_PER_S else "no"),
        )
    )
    overhead, ratio, speedup, gain = batch_figures(args.repeats)
    rows.append(
        (
            "papermill batch: overhead per notebook vs bare kernel start",
            overhead,
            "<= 1.5x",
            "" if ratio is None else "yes" if ratio <= 1.5 else "no",
        )
    )
    rows.append(
        (
            "papermill batch: speed-up with 2 workers",
            speedup,
            ">= 1.8x",
            "" if gain is None else "yes" if gain >= 1.8 else "no",
        )
    )

    _print_table(
        rows,
        f"machine: {machine()}; medians of {args.repeats} run(s)"
        + (f", end to end {args.e2e_repeats} run(s)" if args.e2e_repeats else "")
        + f"; {load}",
    )
    return 0


def parse_figures(seed_repeat: int, synthetic: int, repeats: int) -> list[tuple]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-") as tmp:
        seeds_dir = Path(tmp) / "seeds"
        seeds_dir.mkdir()
        write_seed_corpus(seeds_dir, seed_repeat)
        seconds, n = time_parse_many(seeds_dir, repeats)
        rate = n / seconds
        rows.append(
            (
                f"text parse, 5 seeds x {seed_repeat} (parse_many, 1 core)",
                f"{rate:,.0f} reports/s",
                f">= {GOAL_SEEDS_PER_S:,}/s",
                "yes" if rate >= GOAL_SEEDS_PER_S else "no",
            )
        )
        synth_dir = Path(tmp) / "synthetic"
        synth_dir.mkdir()
        write_synthetic_corpus(synth_dir, synthetic)
        seconds, n = time_parse_many(synth_dir, repeats)
        rows.append(
            (f"text parse, {n:,} synthetic reports (1 core)", f"{n / seconds:,.0f} reports/s", "", "")
        )
    rows.append(
        (
            "DOCX parse, 200 synthetic reports (CPU time, 1 core)",
            f"{docx_throughput(repeats)} reports/s",
            "",
            "",
        )
    )
    rows.append(
        ("DOC conversion by LibreOffice (wall clock, per file)", f"{doc_conversion(repeats)} s", "", "")
    )
    return rows


def _print_table(rows: list[tuple], heading: str) -> None:
    print(heading)
    widths = [max(len(r[i]) for r in rows + [("figure", "measured", "goal", "met")]) for i in range(4)]
    for r in [("figure", "measured", "goal", "met"), tuple("-" * w for w in widths), *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=False)).rstrip())


if __name__ == "__main__":
    sys.exit(main())
