"""Run the notebook suite over a file of parameter sets: papermill, in parallel, then HTML and an index.

``xxgk batch notebooks/params/sample.yml --out output/ --workers 2`` executes every notebook × parameter set
of the YAML file with papermill (driven from Python: the papermill CLI adds ~2 s of imports per call),
each in a process of its own (``--workers`` at a time, each stopped after ``--notebook-timeout`` seconds,
each cell after ``--timeout``), with a progress bar. Each executed notebook is rendered to HTML by
nbconvert from the executed file itself (no second run; a page that loads nothing from the network), and
``index.html`` links everything. A failing notebook does not stop the others; its name and failing cell
are collected, printed, and make the command exit 1, as does an index that could not be written (the old
one is then kept: every file here is written whole or not at all).

The parameters file::

    notebook_dir: ..          # where the notebooks are, relative to this file; runs name notebooks in it
    defaults: {lang: zh}      # given to every notebook that declares the parameter
    runs:
      - notebook: 00-corpus-quality.ipynb          # no parameters: the notebook's defaults
      - notebook: 50-yearly-analysis.ipynb
        parameters: [{year: 2021}, {year: 2023}]   # one run per set

Values are read as text and converted to the type the notebook's parameters cell declares
(``year: int``, ``agencies: list[str]``), so an identifier such as an agency code ``"0101"`` stays a
string (``papermill -p`` would turn it into the number 101), and a parameter the notebook does not
declare is an error before anything runs.

(Longer than most modules: parameters, killable workers, rendering and the index share one batch's
result records; split, each part would re-read them.)
"""

from __future__ import annotations

import argparse
import contextlib
import html
import json
import os
import re
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from hashlib import sha1
from multiprocessing import get_context
from multiprocessing.connection import wait
from pathlib import Path
from urllib.parse import quote

from xxgk.output.files import file_mode, output_folder_problem

#: The longest output name in characters before it is shortened with a hash (file systems allow 255 bytes;
#: a CJK character takes 3 in UTF-8, and ".ipynb"/".html" must still fit).
MAX_NAME = 70
#: Seconds a single cell may run before papermill gives up on it (``xxgk batch --timeout`` changes it).
CELL_TIMEOUT = 600
#: Seconds a whole notebook may run before its process is stopped (``xxgk batch --notebook-timeout``): a
#: notebook of many slow cells, or a kernel that hangs between cells, never holds the batch for ever.
NOTEBOOK_TIMEOUT = 3600


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
        return not self.failures and not self.problems

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
        lines += [f"NOT WRITTEN {problem}" for problem in self.problems]
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
        notebook, problem = _notebook_in(notebook_dir, entry.get("notebook"))
        if problem:
            problems.append(problem)
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


def _notebook_in(folder: Path, name) -> tuple[Path, str]:
    """The notebook a run names, and what is wrong with the name ("" when nothing is): a parameters file
    names notebooks by their path inside the notebook folder, never outside it (no absolute path, no
    ``..``, no link out of it)."""
    if not isinstance(name, str) or not name.strip():
        return folder, f"a run names no notebook: {name!r}"
    path = (folder / name).resolve()
    if Path(name).is_absolute() or not path.is_relative_to(folder) or path.suffix != ".ipynb":
        return path, f"{name}: not a notebook inside the notebook folder {folder}"
    if not path.is_file():
        return path, f"{name}: no such notebook in {folder}"
    return path, ""


# --------------------------------------------------------------------------------------------------------
# Executing and rendering

#: The HTML template: nbconvert's "lab" page without what it would load from a CDN (require.js, MathJax,
#: Mermaid, the widget manager). A rendered notebook loads nothing from the network: charts are embedded
#: PNG, tables are HTML; LaTeX in markdown stays as typed.
OFFLINE_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""


def render_html(ipynb: Path, target: Path, show_code: bool = False) -> Path:
    """Render an executed notebook to HTML as it is (nbconvert does not run it again), loading nothing
    from the network (:data:`OFFLINE_TEMPLATE`). A page is for readers who do not program: code cells
    (and the injected parameters cell) are left out unless ``show_code``; their outputs stay."""
    import jinja2
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        extra_loaders=[jinja2.DictLoader({"xxgk-offline.html.j2": OFFLINE_TEMPLATE})],
        template_file="xxgk-offline.html.j2",
        embed_images=True,
        exclude_input=not show_code,
        exclude_input_prompt=not show_code,
        exclude_output_prompt=not show_code,
    )
    body, _ = exporter.from_filename(str(ipynb))
    write_text(target, body)
    return target


def write_text(target: Path, text: str) -> None:
    """Write a file whole or not at all: a temp file beside it, renamed over it (the old one is kept when
    the new one cannot be written: a full disk), with the mode the umask gives."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, file_mode())
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


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
    notebook_timeout: float = NOTEBOOK_TIMEOUT,
    executor=None,
) -> BatchResult:
    """Execute every notebook × parameter set of ``params_file`` into ``out_dir`` and write ``index.html``.

    Each run has a process of its own (which starts the notebook's kernel), ``workers`` of them side by
    side; a run still going after ``notebook_timeout`` seconds is stopped and reported as failed. The
    index and ``batch.json`` are written whole or not at all: when they cannot be (a full disk), the old
    ones stay and the result says so (``problems``).

    ``executor``: what runs them instead of this module's worker processes, called as :func:`_run_all` is
    (:func:`xxgk.run.distributed.notebook_runner` runs them on a Dask cluster).
    """
    from tqdm.auto import tqdm

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    runs = load_runs(params_file)
    start = time.perf_counter()
    bar = tqdm(total=len(runs), desc="notebooks", unit="nb", disable=not progress)
    results = (executor or _run_all)(runs, out_dir, max(1, workers), timeout, notebook_timeout, bar)
    bar.close()
    order = {run.name: i for i, run in enumerate(runs)}
    results.sort(key=lambda r: order[r.name])
    seconds = time.perf_counter() - start
    index, problems = out_dir / "index.html", []
    try:
        write_index(results, out_dir, Path(params_file).name, seconds, workers)
    except OSError as err:
        problems.append(f"{index}: {err.strerror or err} (the previous index, if any, is kept)")
    record = {"seconds": seconds, "workers": workers, "runs": [_record(r) for r in results]}
    try:
        write_text(out_dir / "batch.json", json.dumps(record, ensure_ascii=False, indent=1, default=str))
    except OSError as err:
        problems.append(f"{out_dir / 'batch.json'}: {err.strerror or err}")
    return BatchResult(results, out_dir, index, seconds, workers, problems)


def _run_all(
    runs, out_dir: Path, workers: int, timeout: int, notebook_timeout: float, bar
) -> list[RunResult]:
    """Every run in a worker process, ``workers`` at a time, each stopped at its deadline.

    Workers live for many runs (papermill's imports are paid once per worker), but each is this module's
    own process, not a pool's: a worker whose notebook passes its deadline is killed, which stops that
    notebook alone (its kernel, the worker's child, exits when it sees its parent gone), and a new worker
    takes the next run. "spawn", not fork: a forked child would inherit this process's threads and ZeroMQ
    state.
    """
    context = get_context("spawn")
    waiting = list(reversed(runs))
    pool: list[_Worker] = []
    results = []
    try:
        while waiting or any(w.run for w in pool):
            for w in pool:
                if w.run is None and waiting:
                    w.give(waiting.pop(), notebook_timeout)
            while waiting and len(pool) < workers:
                pool.append(_Worker(context, out_dir, timeout))
                pool[-1].give(waiting.pop(), notebook_timeout)
            busy = [w for w in pool if w.run]
            soonest = min(w.deadline for w in busy)
            ready = wait(
                [x for w in busy for x in (w.conn, w.process.sentinel)], max(0.0, soonest - time.monotonic())
            )
            for w in busy:
                run, result = w.run, w.collect(ready, out_dir, notebook_timeout)
                if result is not None:
                    results.append(result)
                    bar.set_postfix_str(run.name, refresh=False)
                    bar.update()
            for w in [w for w in pool if not w.process.is_alive()]:  # stopped or died: replaced when needed
                w.close()
                pool.remove(w)
    finally:
        for w in pool:
            w.close()
    return results


class _Worker:
    """A process running notebooks one after another (:func:`_serve`), and the run it is on."""

    def __init__(self, context, out_dir: Path, timeout: int):
        self.conn, theirs = context.Pipe()
        self.process = context.Process(target=_serve, args=(theirs, out_dir, timeout), daemon=True)
        self.process.start()
        theirs.close()
        self.run: Run | None = None
        self.deadline = 0.0

    def give(self, run: Run, limit: float) -> None:
        self.conn.send(run)
        self.run, self.deadline = run, time.monotonic() + limit

    def collect(self, ready, out_dir: Path, limit: float) -> RunResult | None:
        """The run's result once it is done, stopped at its deadline, or its worker dead; None while it
        is still running. A worker that is stopped or dead is not given another run."""
        run = self.run
        if self.conn in ready or self.conn.poll():
            try:
                result = self.conn.recv()
            except EOFError:  # the process ended without a word: see below what became of it
                result = None
            if result is not None:
                self.run = None
                return result
        if self.process.sentinel in ready or not self.process.is_alive():
            self.process.join()
            why = f"the notebook's process ended with exit code {self.process.exitcode}"
            return self._lost(_unfinished(run, out_dir, CellFailure(None, None, "WorkerDied", why)))
        if time.monotonic() >= self.deadline:
            self.process.kill()
            self.process.join()
            why = f"still running after {limit:g} s, the limit for one notebook; stopped"
            return self._lost(_unfinished(run, out_dir, CellFailure(None, None, "NotebookTimeout", why)))
        return None

    def _lost(self, result: RunResult) -> RunResult:
        self.run = None
        self.conn.close()
        return result

    def close(self) -> None:
        """End the worker: asked to when idle, killed when still on a run (an error stopped the batch)."""
        if self.process.is_alive() and self.run is None and not self.conn.closed:
            with contextlib.suppress(OSError):
                self.conn.send(None)
            self.process.join(10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        if not self.conn.closed:
            self.conn.close()


def _serve(conn, out_dir: Path, timeout: int) -> None:
    """A worker process: execute each run it is sent and send its result back, until told to stop."""
    while True:
        try:
            run = conn.recv()
        except EOFError:
            return
        if run is None:
            return
        try:
            result = execute(run, out_dir, timeout)
        except BaseException as err:  # execute reports a failing notebook itself; this is anything else
            failure = CellFailure(None, None, type(err).__name__, str(err))
            result = RunResult(run.notebook.name, run.parameters, run.name, False, 0.0, failure=failure)
        conn.send(result)


def _unfinished(run: Run, out_dir: Path, failure: CellFailure) -> RunResult:
    """A run whose process did not finish: what papermill had saved of it, rendered, with the reason."""
    ipynb = out_dir / f"{run.name}.ipynb"
    page = None
    if ipynb.exists():
        try:
            page = render_html(ipynb, out_dir / f"{run.name}.html")
        except Exception:  # saved mid-write: the failure already says what happened
            page = None
    return RunResult(
        run.notebook.name,
        run.parameters,
        run.name,
        False,
        0.0,
        ipynb if ipynb.exists() else None,
        page,
        failure,
    )


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
    write_text(index, page)
    return index


# --------------------------------------------------------------------------------------------------------
# Command line


def run_args(args: argparse.Namespace) -> int:
    """Run ``xxgk batch`` from parsed arguments: 0 when every notebook ran and the index was written, 1 when
    not, 2 on bad input (checked before anything runs)."""
    problem = output_folder_problem(args.out)
    if problem:
        print(f"xxgk batch: --out {problem}", file=sys.stderr)
        return 2
    try:
        result = run_batch(
            args.params,
            args.out,
            workers=args.workers,
            progress=not args.quiet,
            timeout=CELL_TIMEOUT if args.timeout is None else args.timeout,
            notebook_timeout=NOTEBOOK_TIMEOUT if args.notebook_timeout is None else args.notebook_timeout,
            executor=getattr(args, "executor", None),  # xxgk batch --scheduler (xxgk.run.cli)
        )
    except (ValueError, FileNotFoundError) as err:
        print(f"xxgk batch: {err}", file=sys.stderr)
        return 2
    print(result.summary(), file=sys.stdout if result.ok else sys.stderr)
    if result.index.exists():
        print(f"Open {result.index.resolve()}")
    return 0 if result.ok else 1


def main(argv: list[str] | None = None) -> int:
    """``python -m xxgk.run.batch PARAMS [--out DIR] [--workers N]``: the same as ``xxgk batch``."""
    from xxgk.run.cli import main as xxgk

    return xxgk(["batch", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
