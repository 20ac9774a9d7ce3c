"""Run the notebook suite over a file of parameter sets: papermill, in parallel, then HTML and an index.

``xxgk batch notebooks/params/sample.yml --out output/ --workers 2`` executes every notebook × parameter set
of the YAML file with papermill (driven from Python: the papermill CLI adds ~2 s of imports per call),
in worker processes, with a progress bar. Each executed notebook is rendered to HTML by nbconvert from the
executed file itself (no second run), and ``index.html`` links everything. A failing notebook does not
stop the others; its name and failing cell are collected, printed, and make the command exit 1.

The parameters file::

    notebook_dir: ..          # where the notebooks are, relative to this file
    defaults: {lang: zh}      # given to every notebook that declares the parameter
    runs:
      - notebook: 00-corpus-quality.ipynb          # no parameters: the notebook's defaults
      - notebook: 50-yearly-analysis.ipynb
        parameters: [{year: 2021}, {year: 2023}]   # one run per set

Values are read as text and converted to the type the notebook's parameters cell declares
(``year: int``, ``agencies: list[str]``), so an identifier such as an agency code ``"0101"`` stays a
string (``papermill -p`` would turn it into the number 101), and a parameter the notebook does not
declare is an error before anything runs.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from hashlib import sha1
from multiprocessing import get_context
from pathlib import Path
from urllib.parse import quote

#: The longest output name in characters before it is shortened with a hash (file systems allow 255 bytes;
#: a CJK character takes 3 in UTF-8, and ".ipynb"/".html" must still fit).
MAX_NAME = 70
#: Seconds a single cell may run before papermill gives up on it (``xxgk batch --timeout`` changes it).
CELL_TIMEOUT = 600


@dataclass(frozen=True)
class Run:
    """One notebook with one parameter set (already typed)."""

    notebook: Path
    parameters: dict
    name: str


@dataclass(frozen=True)
class CellFailure:
    """Where and why a notebook failed. ``cell`` is the 0-based cell index, ``execution_count`` the In [N]."""

    cell: int | None
    execution_count: int | None
    ename: str
    evalue: str
    source: str = ""

    def describe(self) -> str:
        where = (
            f"cell {self.cell} (In [{self.execution_count}])" if self.cell is not None else "before any cell"
        )
        first = self.source.strip().splitlines()[0] if self.source.strip() else ""
        return f"{where}: {self.ename}: {self.evalue}" + (f"  ← {first}" if first else "")


@dataclass
class RunResult:
    """What happened to one run."""

    notebook: str
    parameters: dict
    name: str
    ok: bool
    seconds: float
    ipynb: Path | None = None
    html: Path | None = None
    failure: CellFailure | None = None
    render_seconds: float = 0.0


@dataclass
class BatchResult:
    """All runs of a batch, the index page, and the wall-clock time."""

    results: list[RunResult]
    out_dir: Path
    index: Path
    seconds: float
    workers: int
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def failures(self) -> list[RunResult]:
        return [r for r in self.results if not r.ok]

    def summary(self) -> str:
        lines = [
            f"{len(self.results) - len(self.failures)} of {len(self.results)} notebooks ran in "
            f"{self.seconds:.1f} s with {self.workers} worker(s); index: {self.index}"
        ]
        for r in self.failures:
            lines.append(
                f"FAILED {r.name} ({r.notebook}, {_show(r.parameters)}): "
                f"{r.failure.describe() if r.failure else 'unknown error'}"
            )
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------------------
# The parameters file


def output_name(notebook: str | Path, parameters: dict) -> str:
    """The one place that names outputs: the notebook's stem and its parameter set, file-system safe.

    >>> output_name("notebooks/50-yearly-analysis.ipynb", {"year": 2021})
    '50-yearly-analysis__year-2021'
    >>> output_name("40-agency-profile.ipynb", {"agency": "广州市番禺区人民政府", "lang": "en"})
    '40-agency-profile__agency-广州市番禺区人民政府__lang-en'
    >>> output_name("10-request-volumes.ipynb", {"years": [2021, 2023]})
    '10-request-volumes__years-2021+2023'
    """
    stem = Path(notebook).stem
    parts = [stem]
    for key in sorted(parameters):
        value = parameters[key]
        text = "+".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
        parts.append(f"{key}-{text}" if text else key)
    name = re.sub(r"[^\w.+-]+", "_", "__".join(parts)).strip("._")
    if len(name) > MAX_NAME:
        digest = sha1(json.dumps(parameters, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:8]
        name = f"{name[: MAX_NAME - 9]}~{digest}"
    return name


def _convert(value, type_name: str):
    """Convert a value read as text to the notebook's declared type (str, int, float, bool, list[...])."""
    type_name = type_name.replace(" ", "")
    inner = re.fullmatch(r"(?:list|List|tuple)\[(.+)\]", type_name)
    if isinstance(value, list):
        if not (inner or type_name in ("list", "tuple")):
            raise ValueError(f"a list was given for a parameter of type {type_name}")
        return [_convert(v, inner.group(1) if inner else "str") for v in value]
    if inner or type_name in ("list", "tuple"):
        raise ValueError(f"expected a list for a parameter of type {type_name}, got {value!r}")
    if isinstance(value, dict):
        raise ValueError(f"a mapping was given for a parameter of type {type_name}")
    if type_name == "int":
        return int(value)
    if type_name == "float":
        return float(value)
    if type_name == "bool":
        lowered = str(value).lower()
        if lowered not in ("true", "false", "yes", "no", "1", "0"):
            raise ValueError(f"not a boolean: {value!r}")
        return lowered in ("true", "yes", "1")
    return str(value)


def load_runs(params_file: str | Path) -> list[Run]:
    """Read a parameters file into typed runs; every problem found is raised at once, before running."""
    import papermill
    import yaml

    params_file = Path(params_file)
    # BaseLoader keeps every scalar as text: the notebook's declared types decide what it becomes.
    spec = yaml.load(params_file.read_text(encoding="utf-8"), Loader=yaml.BaseLoader) or {}
    notebook_dir = (params_file.parent / spec.get("notebook_dir", ".")).resolve()
    defaults = spec.get("defaults") or {}
    runs, problems = [], []
    for entry in spec.get("runs") or []:
        notebook = notebook_dir / entry["notebook"]
        if not notebook.exists():
            problems.append(f"{entry['notebook']}: no such notebook in {notebook_dir}")
            continue
        declared = papermill.inspect_notebook(str(notebook))
        for given in entry.get("parameters") or [{}]:
            unknown = sorted(set(given) - set(declared))
            if unknown:
                problems.append(
                    f"{notebook.name}: unknown parameter(s) {unknown}; it declares {sorted(declared)}"
                )
                continue
            merged = {k: v for k, v in defaults.items() if k in declared} | given
            try:
                typed = {k: _convert(v, declared[k]["inferred_type_name"]) for k, v in merged.items()}
            except ValueError as err:
                problems.append(f"{notebook.name} {given}: {err}")
                continue
            typed_own = {k: typed[k] for k in given}
            runs.append(Run(notebook, typed, output_name(notebook, typed_own)))
    names = [r.name for r in runs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        problems.append(f"two runs would write the same output: {duplicates}")
    if problems:
        raise ValueError(f"{params_file}: " + "; ".join(problems))
    return runs


# --------------------------------------------------------------------------------------------------------
# Executing and rendering


def render_html(ipynb: Path, target: Path) -> Path:
    """Render an executed notebook to HTML as it is (nbconvert does not run it again)."""
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter().from_filename(str(ipynb))
    target.write_text(body, encoding="utf-8")
    return target


def execute(run: Run, out_dir: Path, timeout: int = CELL_TIMEOUT) -> RunResult:
    """Execute one run with papermill and render it; never raises for a failing notebook."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    out_dir = Path(out_dir)
    ipynb = out_dir / f"{run.name}.ipynb"
    target = out_dir / f"{run.name}.html"
    start = time.perf_counter()
    failure = None
    try:
        papermill.execute_notebook(
            str(run.notebook),
            str(ipynb),
            parameters=run.parameters,
            cwd=str(run.notebook.parent),
            progress_bar=False,
            execution_timeout=timeout,
            log_output=False,
        )
    except PapermillExecutionError as err:
        failure = CellFailure(err.cell_index, err.exec_count, err.ename, str(err.evalue), err.source or "")
    except (
        Exception
    ) as err:  # a kernel that dies, a timeout, an unreadable notebook: still a reported failure
        failure = CellFailure(None, None, type(err).__name__, str(err))
    seconds = time.perf_counter() - start
    html_path = None
    start = time.perf_counter()
    if ipynb.exists():
        try:
            html_path = render_html(ipynb, target)
        except Exception as err:
            failure = failure or CellFailure(None, None, f"render: {type(err).__name__}", str(err))
    return RunResult(
        run.notebook.name,
        run.parameters,
        run.name,
        failure is None,
        seconds,
        ipynb if ipynb.exists() else None,
        html_path,
        failure,
        time.perf_counter() - start,
    )


def run_batch(
    params_file: str | Path,
    out_dir: str | Path,
    workers: int = 2,
    progress: bool = True,
    timeout: int = CELL_TIMEOUT,
) -> BatchResult:
    """Execute every notebook × parameter set of ``params_file`` into ``out_dir`` and write ``index.html``.

    ``workers`` processes run notebooks side by side (each notebook also starts its own kernel process);
    with ``workers=1`` they run one after another in this process.
    """
    from tqdm.auto import tqdm

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    runs = load_runs(params_file)
    start = time.perf_counter()
    results: list[RunResult] = []
    bar = tqdm(total=len(runs), desc="notebooks", unit="nb", disable=not progress)
    if workers <= 1:
        for run in runs:
            bar.set_postfix_str(run.name, refresh=True)
            results.append(execute(run, out_dir, timeout))
            bar.update()
    else:
        # spawn, not fork: a forked child would inherit this process's threads and ZeroMQ state.
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
            futures = {pool.submit(execute, run, out_dir, timeout): run for run in runs}
            for future in as_completed(futures):
                results.append(future.result())
                bar.set_postfix_str(futures[future].name, refresh=False)
                bar.update()
    bar.close()
    order = {run.name: i for i, run in enumerate(runs)}
    results.sort(key=lambda r: order[r.name])
    seconds = time.perf_counter() - start
    index = write_index(results, out_dir, Path(params_file).name, seconds, workers)
    (out_dir / "batch.json").write_text(
        json.dumps(
            {"seconds": seconds, "workers": workers, "runs": [_record(r) for r in results]},
            ensure_ascii=False,
            indent=1,
            default=str,
        ),
        encoding="utf-8",
    )
    return BatchResult(results, out_dir, index, seconds, workers)


def _record(result: RunResult) -> dict:
    record = asdict(result)
    record["failure"] = result.failure.describe() if result.failure else None
    return record


def _show(parameters: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in parameters.items()) or "defaults"


def write_index(results: list[RunResult], out_dir: Path, title: str, seconds: float, workers: int) -> Path:
    """index.html: one line per run, linking its HTML and executed notebook, failures first and in red."""

    def link(path: Path | None, text: str) -> str:
        return f'<a href="{quote(path.name)}">{text}</a>' if path else "—"

    rows = []
    for r in sorted(results, key=lambda r: r.ok):
        status = "ok" if r.ok else "FAILED: " + html.escape(r.failure.describe() if r.failure else "")
        rows.append(
            f'<tr class="{"ok" if r.ok else "failed"}"><td>{html.escape(r.notebook)}</td>'
            f"<td>{html.escape(_show(r.parameters))}</td><td>{link(r.html, 'HTML')}</td>"
            f"<td>{link(r.ipynb, 'ipynb')}</td><td>{r.seconds:.1f} s</td><td>{status}</td></tr>"
        )
    failed = sum(not r.ok for r in results)
    page = f"""<!DOCTYPE html>
<html lang="zh"><head><meta charset="utf-8"><title>xxgk · {html.escape(title)}</title>
<style>body{{font-family:"Noto Sans CJK SC","Noto Sans SC",sans-serif;margin:2em}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.3em .6em;text-align:left}}
tr.failed td{{background:#fde2e2}}</style></head><body>
<h1>xxgk notebooks · {html.escape(title)}</h1>
<p>{len(results) - failed} of {len(results)} ran, {failed} failed; {seconds:.1f} s with {workers} worker(s).</p>
<table><tr><th>notebook</th><th>parameters</th><th>page</th><th>notebook</th><th>time</th><th>status</th></tr>
{chr(10).join(rows)}
</table></body></html>
"""
    index = Path(out_dir) / "index.html"
    index.write_text(page, encoding="utf-8")
    return index


# --------------------------------------------------------------------------------------------------------
# Command line


def run_args(args: argparse.Namespace) -> int:
    """Run ``xxgk batch`` from parsed arguments: 0 when every notebook ran, 1 when any failed, 2 on bad input."""
    try:
        result = run_batch(
            args.params,
            args.out,
            workers=args.workers,
            progress=not args.quiet,
            timeout=CELL_TIMEOUT if args.timeout is None else args.timeout,
        )
    except (ValueError, FileNotFoundError) as err:
        print(f"xxgk batch: {err}", file=sys.stderr)
        return 2
    print(result.summary(), file=sys.stderr if result.failures else sys.stdout)
    print(f"Open {result.index.resolve()}")
    return 0 if result.ok else 1


def main(argv: list[str] | None = None) -> int:
    """``python -m xxgk.run.batch PARAMS [--out DIR] [--workers N]``: the same as ``xxgk batch``."""
    from xxgk.run.cli import main as xxgk

    return xxgk(["batch", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
