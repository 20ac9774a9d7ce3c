"""Dask as the executor: ``xxgk parse … --scheduler ADDRESS`` and ``xxgk batch … --scheduler ADDRESS``.

A corpus that outgrows one machine is parsed by a Dask cluster, from a laptop's ``LocalCluster``
(``--scheduler local:4``) to a scheduler with workers on many machines (``--scheduler
tcp://10.0.0.1:8786``). Dask is an optional extra (``pip install 'xxgk[dask]'``); without ``--scheduler``
nothing here is imported.

- Parsing (:func:`xxgk.run.stream.write_corpus` with ``executor=client``): each chunk of reports is a
  task. The files are read by this process and their bytes sent with the chunk (or, for fsspec URLs, read
  by the worker), so workers need no shared disk. Chunks are taken as they finish, never in a queue
  behind a slow one; a chunk whose worker is lost is run again by Dask on another one. With the dataset
  layout each worker writes its chunk's Parquet parts itself (to ``--out``, a folder every worker can
  write, or an object-store URL) and only a small summary comes back.
- The notebook batch (:func:`notebook_runner` for :func:`xxgk.run.batch.run_batch`): each notebook run is
  a task that executes the notebook in a kernel of its own on a worker and renders it; the executed
  notebook and its HTML come back as text and are written here, into the same folder and index as a
  local batch. The notebooks' data must be where the workers can read it (the same path on every machine,
  or a parameter naming a URL): the notebook itself is sent with the task.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

#: Threads per worker process of a ``local:N`` cluster: parsing and notebooks hold the GIL, so processes,
#: not threads, are what runs in parallel.
LOCAL_THREADS = 1
#: Seconds to wait for a scheduler given by address before giving up with a message.
CONNECT_TIMEOUT = 30
#: Seconds between two looks at the running notebooks (for their deadlines).
POLL = 0.5


class SchedulerError(RuntimeError):
    """The scheduler could not be reached or started (a usage error: the command exits 2)."""


def dask_missing() -> str | None:
    """The message for ``--scheduler`` when Dask is not installed (None when it is)."""
    from importlib.util import find_spec

    missing = [m for m in ("dask", "distributed", "fsspec") if find_spec(m) is None]
    if not missing:
        return None
    return f"--scheduler needs Dask (not installed: {', '.join(missing)}): pip install 'xxgk[dask]'"


#: ``--scheduler local`` or ``local:N``: a LocalCluster started here (anything else is an address).
_LOCAL = re.compile(r"local(?::(\d+))?")


def is_local(scheduler: str) -> bool:
    """Whether ``scheduler`` names a cluster of this machine's processes (``local:N``), not an address."""
    return _LOCAL.fullmatch(scheduler.strip()) is not None


@contextmanager
def connect(scheduler: str) -> Iterator:
    """A Dask client for ``scheduler``: ``local:N`` starts a LocalCluster of N worker processes here (``local``
    alone: one per core) and stops it afterwards; anything else is the address of a running scheduler."""
    from distributed import Client, LocalCluster

    local = _LOCAL.fullmatch(scheduler.strip())
    if local:
        n = int(local[1] or os.cpu_count() or 1)
        if n < 1:
            raise SchedulerError(f"--scheduler {scheduler}: a local cluster needs at least one worker")
        # ":0": the scheduler's HTTP server (and a dashboard, if bokeh is installed) on a free port, so two
        # clusters at once, or a dashboard already on 8787, give no warning
        with (
            LocalCluster(
                n_workers=n, threads_per_worker=LOCAL_THREADS, processes=True, dashboard_address=":0"
            ) as cluster,
            Client(cluster) as client,
        ):
            yield client
        return
    try:
        client = Client(scheduler, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as err:
        raise SchedulerError(f"--scheduler {scheduler}: cannot reach the scheduler ({err})") from None
    with client:
        if not client.scheduler_info()["workers"]:
            client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
        yield client


def threads(client) -> int:
    """How many tasks the cluster runs at once."""
    return sum(w["nthreads"] for w in client.scheduler_info()["workers"].values()) or 1


# --------------------------------------------------------------------------------------------------------
# The notebook batch


def notebook_runner(client) -> Callable:
    """What :func:`xxgk.run.batch.run_batch` calls instead of its own worker processes (``executor=``):
    the same arguments and the same results, the notebooks run as tasks on ``client``'s cluster."""

    def run_all(
        runs, out_dir: Path, workers: int, timeout: int, notebook_timeout: float, bar, show_code
    ) -> list:
        return _run_on_dask(client, runs, Path(out_dir), timeout, notebook_timeout, bar, show_code)

    return run_all


def _run_on_dask(client, runs, out_dir: Path, timeout: int, notebook_timeout: float, bar, show_code) -> list:
    """Every run as a task; results as they finish. A run still going ``notebook_timeout`` seconds after its
    task started is reported as stopped, and its worker restarted (which ends its kernel)."""
    from distributed import wait

    futures = {}
    for run in runs:
        key = f"xxgk-notebook-{run.name}-{uuid.uuid4().hex[:8]}"
        data = run.notebook.read_bytes()
        futures[client.submit(_execute_remote, run, data, timeout, show_code, key=key, pure=False)] = run
    started: dict[str, float] = {}
    results = []
    try:
        while futures:
            try:
                done = wait(list(futures), timeout=POLL, return_when="FIRST_COMPLETED").done
            except TimeoutError:
                done = set()
            for future in done:
                run = futures.pop(future)
                results.append(_written(_outcome(future, run), out_dir))
                bar.set_postfix_str(run.name, refresh=False)
                bar.update()
            results += _past_deadline(client, futures, started, notebook_timeout, bar)
    finally:
        for future in futures:
            future.cancel()
    return results


def _past_deadline(client, futures: dict, started: dict, limit: float, bar) -> list:
    """Runs whose task has been on a worker longer than ``limit``: stopped, each a failed result."""
    from xxgk.run.batch import CellFailure, RunResult

    now = time.monotonic()
    on_worker = {key: worker for worker, keys in client.processing().items() for key in keys}
    stopped = []
    for future, run in list(futures.items()):
        if future.key in on_worker:
            started.setdefault(future.key, now)
        if now - started.get(future.key, now) < limit:
            continue
        futures.pop(future)
        future.cancel()
        if future.key in on_worker:
            client.restart_workers([on_worker[future.key]])
        why = f"still running after {limit:g} s, the limit for one notebook; stopped"
        failure = CellFailure(None, None, "NotebookTimeout", why)
        stopped.append(RunResult(run.notebook.name, run.parameters, run.name, False, limit, failure=failure))
        bar.update()
    return stopped


def _outcome(future, run):
    """A finished task's (result, notebook text, HTML text); a task that raised (its worker lost too often,
    an error outside the notebook) is a failed run saying so."""
    from xxgk.run.batch import CellFailure, RunResult

    try:
        return future.result()
    except Exception as err:
        failure = CellFailure(None, None, type(err).__name__, str(err))
        return (
            RunResult(run.notebook.name, run.parameters, run.name, False, 0.0, failure=failure),
            None,
            None,
            {},
        )


def _written(outcome, out_dir: Path):
    """The worker's texts and figure files written here (each whole or not at all), the result pointing
    at them."""
    from xxgk.run.batch import figures_dir, write_bytes, write_text

    result, ipynb, page, figures = outcome
    folder = figures_dir(out_dir, result.name)  # made for every run, as the local batch does
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in figures.items():
        write_bytes(folder / name, data)
    paths = {}
    for suffix, text in ((".ipynb", ipynb), (".html", page)):
        if text is not None:
            paths[suffix] = out_dir / f"{result.name}{suffix}"
            write_text(paths[suffix], text)
    return replace(result, ipynb=paths.get(".ipynb"), html=paths.get(".html"))


def _execute_remote(run, notebook: bytes, timeout: int, show_code: bool):
    """On a worker: execute and render one run in a scratch folder; return the result, both texts and the
    figure files the notebook saved (name → bytes).

    The notebook runs where it lies when the worker sees the same file (relative paths inside it then work
    as locally); otherwise from the bytes sent with the task."""
    from xxgk.run.batch import execute, figures_dir

    with tempfile.TemporaryDirectory(prefix="xxgk-notebook-") as tmp:
        here = Path(tmp)
        if not (run.notebook.is_file() and run.notebook.read_bytes() == notebook):
            local = here / "notebook" / run.notebook.name
            local.parent.mkdir()
            local.write_bytes(notebook)
            run = replace(run, notebook=local)
        result = execute(run, here, timeout, show_code)
        texts = [p.read_text(encoding="utf-8") if p else None for p in (result.ipynb, result.html)]
        folder = figures_dir(here, run.name)
        figures = {f.name: f.read_bytes() for f in sorted(folder.iterdir())} if folder.is_dir() else {}
    return replace(result, ipynb=None, html=None), *texts, figures
