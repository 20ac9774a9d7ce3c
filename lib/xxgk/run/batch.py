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
      - notebook: 40-agency-profile.ipynb
        for_each: agency                           # one run per agency of the parsed tables
        min_years: 2                               # (optional) only agencies with reports in 2+ years
      - notebook: 50-yearly-analysis.ipynb
        for_each: year                             # one run per report year (min_reports: N optional)
        parameters: [{lang: en}]                   # for_each goes over each set: here, every year in English

``for_each`` (:data:`xxgk.analysis.parameters.FOR_EACH`) is expanded from the parsed tables of the run's
``data_dir`` (its parameter set's, else the defaults', else the sample's ``data/processed``) when the
file is read, so a new report needs no edit here; agencies are named by their canonical name, and only
reports that charts use count (read, duplicates left out).

Values are read as text and converted to the type the notebook's parameters cell declares
(``year: int``, ``agencies: list[str]``) by :func:`xxgk.analysis.parameters.convert`, the converter the
notebooks' own check cell uses, so an identifier such as an agency code ``"0101"`` stays a string
(``papermill -p`` would turn it into the number 101), and a parameter the notebook does not declare is an
error before anything runs.

Each run's figures go to ``OUT/figures/<output name>/``: the kernel gets ``XXGK_FIGURES_DIR`` set to that
folder (the charts save every figure they show there), and the index links what it finds. Pages are
rendered in the run's ``lang``: markdown cells tagged with the other language are left out.

(Longer than most modules: parameters, killable workers, rendering and the index share one batch's
result records; split, each part would re-read them.)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from hashlib import sha1
from multiprocessing import get_context
from multiprocessing.connection import wait
from pathlib import Path

from xxgk.analysis.figures import FIGURES_DIR  # the variable the charts read: one name, declared there
from xxgk.analysis.parameters import FOR_EACH, LANGS, convert, each
from xxgk.output.files import file_mode, output_folder_problem
from xxgk.run.kernel import SOCKETS_ENV

#: The longest output name in characters before it is shortened with a hash (file systems allow 255 bytes;
#: a CJK character takes 3 in UTF-8, and ".ipynb"/".html" must still fit).
MAX_NAME = 70
#: Seconds a single cell may run before papermill gives up on it (``xxgk batch --timeout`` changes it).
CELL_TIMEOUT = 600
#: Seconds a whole notebook may run before its process is stopped (``xxgk batch --notebook-timeout``): a
#: notebook of many slow cells, or a kernel that hangs between cells, never holds the batch for ever.
NOTEBOOK_TIMEOUT = 3600
#: The keys a run of the parameters file may have (besides the conditions of ``for_each``).
RUN_KEYS = ("notebook", "parameters", "for_each")


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
        try:
            sets = _parameter_sets(entry, defaults, declared)
        except (ValueError, FileNotFoundError) as err:
            problems.append(f"{notebook.name}: {err}")
            continue
        for given in sets:
            unknown = sorted(set(given) - set(declared))
            if unknown:
                problems.append(
                    f"{notebook.name}: unknown parameter(s) {unknown}; it declares {sorted(declared)}"
                )
                continue
            merged = {k: v for k, v in defaults.items() if k in declared} | given
            try:
                typed = {k: convert(v, declared[k]["inferred_type_name"]) for k, v in merged.items()}
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


def _parameter_sets(entry: dict, defaults: dict, declared: dict) -> list[dict]:
    """A run's parameter sets, with ``for_each`` expanded from the data (see the module docstring)."""
    key = entry.get("for_each")
    conditions = FOR_EACH.get(key, ()) if key is not None else ()
    unknown = sorted(set(entry) - set(RUN_KEYS) - set(conditions))
    if unknown:
        allowed = [*RUN_KEYS, *(conditions or [c for cs in FOR_EACH.values() for c in cs])]
        raise ValueError(f"unknown key(s) {unknown} in a run; a run takes {allowed}")
    sets = entry.get("parameters") or [{}]
    if not isinstance(sets, list) or not all(isinstance(g, dict) for g in sets):
        raise ValueError(f"parameters must be a list of sets ({{name: value}}), not {sets!r}")
    if key is None:
        return sets
    if key not in FOR_EACH:
        raise ValueError(f"for_each: {key!r} is not something to go over; use one of {sorted(FOR_EACH)}")
    if key not in declared:
        raise ValueError(
            f"for_each: {key} needs a parameter {key!r}; the notebook declares {sorted(declared)}"
        )
    limits = {c: convert(entry[c], "int") for c in conditions if c in entry}
    expanded = []
    for given in sets:
        data_dir = given.get("data_dir", defaults.get("data_dir", ""))
        values = each(key, data_dir, **limits)
        if not values:
            raise ValueError(
                f"for_each: {key} finds nothing in the parsed tables of {data_dir or 'the sample'}"
            )
        expanded += [{**given, key: value} for value in values]
    return expanded


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


def render_html(ipynb: Path, target: Path, show_code: bool = False, lang: str | None = None) -> Path:
    """Render an executed notebook to HTML as it is (nbconvert does not run it again), loading nothing
    from the network (:data:`OFFLINE_TEMPLATE`). A page is for readers who do not program: code cells
    (and the injected parameters cell) are left out unless ``show_code``; their outputs stay. Prose is
    in one language: markdown cells tagged with another language of :data:`LANGS` than ``lang`` (by
    default the notebook's own ``lang`` parameter, as it ran) are left out."""
    import jinja2
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    nb = nbformat.read(str(ipynb), as_version=4)
    lang = lang or notebook_lang(nb)

    exporter = HTMLExporter(
        extra_loaders=[jinja2.DictLoader({"xxgk-offline.html.j2": OFFLINE_TEMPLATE})],
        template_file="xxgk-offline.html.j2",
        embed_images=True,
        exclude_input=not show_code,
        exclude_input_prompt=not show_code,
        exclude_output_prompt=not show_code,
        language_code=lang,  # <html lang>: a browser picks Chinese glyphs (not Japanese) for a zh page
    )
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags=set(LANGS) - {lang}), enabled=True)
    body, _ = exporter.from_notebook_node(nb)
    write_text(target, body)
    return target


def notebook_lang(nb) -> str:
    """The language a notebook ran in: its ``lang`` as papermill injected it, else its parameters cell's
    default, else Chinese."""
    import ast

    given = nb.metadata.get("papermill", {}).get("parameters", {})
    if given.get("lang") in LANGS:
        return given["lang"]
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", []):
            for node in ast.parse(cell.source).body:
                target = getattr(node, "target", None)
                if getattr(target, "id", None) == "lang" and isinstance(node.value, ast.Constant):
                    return node.value.value if node.value.value in LANGS else "zh"
    return "zh"


def write_text(target: Path, text: str) -> None:
    """Write a text file whole or not at all (:func:`write_bytes`)."""
    write_bytes(target, text.encode("utf-8"))


def write_bytes(target: Path, data: bytes) -> None:
    """Write a file whole or not at all: a temp file beside it, renamed over it (the old one is kept when
    the new one cannot be written: a full disk), with the mode the umask gives."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, file_mode())
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def figures_dir(out_dir: Path, name: str) -> Path:
    """Where a run's figure files go: ``OUT/figures/<output name>``."""
    return Path(out_dir) / "figures" / name


@contextlib.contextmanager
def _environment(name: str, value: str):
    """``name=value`` in this process's environment (which a kernel started now inherits), then as before."""
    old = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = old


def execute(run: Run, out_dir: Path, timeout: int = CELL_TIMEOUT, show_code: bool = False) -> RunResult:
    """Execute one run with papermill and render it; never raises for a failing notebook.

    The kernel (:mod:`xxgk.run.kernel`: local, quiet) has :data:`xxgk.analysis.figures.FIGURES_DIR` set to
    the run's figure folder, created here.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from xxgk.run.kernel import quiet

    out_dir = Path(out_dir)
    ipynb = out_dir / f"{run.name}.ipynb"
    target = out_dir / f"{run.name}.html"
    figures = figures_dir(out_dir, run.name)
    start = time.perf_counter()
    failure = None
    try:
        figures.mkdir(parents=True, exist_ok=True)
        with _environment(FIGURES_DIR, str(figures.resolve())):
            papermill.execute_notebook(
                str(run.notebook),
                str(ipynb),
                parameters=run.parameters,
                cwd=str(run.notebook.parent),
                progress_bar=False,
                execution_timeout=timeout,
                log_output=False,
                **quiet(),
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
            html_path = render_html(ipynb, target, show_code)
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
    show_code: bool = False,
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
    sockets = tempfile.mkdtemp(prefix="xxgk-")  # the kernels' sockets, whatever becomes of them
    try:
        with _environment(SOCKETS_ENV, sockets):
            run_all = executor or _run_all
            results = run_all(runs, out_dir, max(1, workers), timeout, notebook_timeout, bar, show_code)
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
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
    runs, out_dir: Path, workers: int, timeout: int, notebook_timeout: float, bar, show_code: bool = False
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
                pool.append(_Worker(context, out_dir, timeout, show_code))
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

    def __init__(self, context, out_dir: Path, timeout: int, show_code: bool = False):
        self.conn, theirs = context.Pipe()
        self.process = context.Process(target=_serve, args=(theirs, out_dir, timeout, show_code), daemon=True)
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


def _serve(conn, out_dir: Path, timeout: int, show_code: bool = False) -> None:
    """A worker process: execute each run it is sent and send its result back, until told to stop."""
    while True:
        try:
            run = conn.recv()
        except EOFError:
            return
        if run is None:
            return
        try:
            result = execute(run, out_dir, timeout, show_code)
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
    """index.html (:mod:`xxgk.run.index`): a line per run with its description, page, notebook and figure
    files, failures first and in red; the data, the panel exports and the version above."""
    from xxgk.run.index import page

    index = Path(out_dir) / "index.html"
    write_text(index, page(results, out_dir, title, seconds, workers))
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
            show_code=args.show_code,
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
