"""Dask as the executor (issue 14): the same tables and notebook outputs as the local path, a lost worker
loses and duplicates nothing, and a dataset is what its manifest lists.

One LocalCluster of 2 worker processes serves the module. Its workers cannot read a report from their own
disk (:class:`NoDisk`): what they parse is what the driver sent, as on a cluster without a shared disk.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest

import xxgk
from conftest import RAW, SEEDS
from xxgk.analysis import corpus
from xxgk.output import dataset
from xxgk.run import cli, stream
from xxgk.run.stream import write_corpus

distributed = pytest.importorskip("distributed")
cloudpickle = pytest.importorskip("cloudpickle")
# The workers cannot import this test module by name: its plugins and functions travel by value.
cloudpickle.register_pickle_by_value(sys.modules[__name__])


class NoDisk(distributed.WorkerPlugin):
    """On a worker, reading a report file from the disk is an error."""

    def setup(self, worker):
        def refuse(path):
            raise AssertionError(f"a worker read {path} from its own disk")

        stream.read_source = refuse


class Slow(distributed.WorkerPlugin):
    """On a worker, a chunk waits ``seconds`` after writing its part files, before it returns: time to kill
    the worker between the two (its parts are on disk, and the chunk will run again elsewhere)."""

    def __init__(self, seconds: float):
        self.seconds = seconds

    def setup(self, worker):
        real = dataset.Parts.write_chunk

        def slow(parts, *args):
            written = real(parts, *args)
            time.sleep(self.seconds)
            return written

        dataset.Parts.write_chunk, self.real = slow, real

    def teardown(self, worker):
        dataset.Parts.write_chunk = self.real


class Poison(distributed.WorkerPlugin):
    """On a worker, parsing a file whose name starts with "poison" ends the worker's process (as a crash in
    a C library or running out of memory would): its task is lost each time it runs."""

    def setup(self, worker):
        real = stream.parse_source

        def parse_or_die(source, report_id=None):
            if os.path.basename(source.path).startswith("poison"):
                os._exit(3)
            return real(source, report_id)

        stream.parse_source = parse_or_die


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        client.register_plugin(NoDisk(), name="no-disk")
        yield client


def _same_tables(got: dict, expected: dict) -> None:
    for name, df in expected.items():
        pd.testing.assert_frame_equal(got[name], df, obj=name)


def test_parse_on_a_cluster_gives_the_local_tables(client, tmp_path):
    address = client.scheduler.address
    assert cli.main(["parse", str(RAW), "--out", str(tmp_path / "local"), "--quiet"]) == 0
    expected = xxgk.load_tables(tmp_path / "local")
    for layout in ("dataset", "files"):
        out = tmp_path / layout
        argv = ["parse", str(RAW), "--out", str(out), "--scheduler", address, "--layout", layout, "--quiet"]
        assert cli.main(argv) == 0
        _same_tables(xxgk.load_tables(out), expected)
    assert (tmp_path / "dataset" / "_manifest.json").exists()
    assert not (tmp_path / "files" / "_manifest.json").exists()


def test_workers_on_a_shared_disk_read_the_files_themselves(tmp_path, monkeypatch):
    """--shared-disk (and local:N, whose workers are this machine's processes): the driver sends paths and
    reads no report; the workers read them and give the local tables."""
    assert cli.main(["parse", str(RAW), "--out", str(tmp_path / "local"), "--quiet"]) == 0
    expected = xxgk.load_tables(tmp_path / "local")

    def refuse(path):
        raise AssertionError(f"the driver read {path}")

    monkeypatch.setattr(stream, "read_source", refuse)  # in this process only: the workers read as usual
    for layout in ("files", "dataset"):
        argv = ["parse", str(RAW), "--out", str(tmp_path / layout), "--layout", layout, "--quiet"]
        assert cli.main([*argv, "--scheduler", "local:1"]) == 0
        _same_tables(xxgk.load_tables(tmp_path / layout), expected)
    # said of a cluster only
    assert cli.main(["parse", str(RAW), "--out", str(tmp_path / "x"), "--shared-disk", "--quiet"]) == 2
    # a local cluster is local:N, not an address that happens to start with "local"
    from xxgk.run.distributed import is_local

    assert [is_local(s) for s in ("local", "local:2", "localhost:8786", "tcp://localhost:8786")] == [
        True,
        True,
        False,
        False,
    ]


def test_a_lost_worker_loses_and_duplicates_nothing(client, tmp_path):
    reports = tmp_path / "in"
    reports.mkdir()
    for i in range(4):  # 20 reports in 10 chunks of 2, each chunk a second longer on a worker
        for seed in SEEDS:
            shutil.copyfile(seed, reports / f"{i}_{seed.name}")
    expected = xxgk.parse_many([reports])
    client.register_plugin(Slow(1.0), name="slow")
    killed = []

    def kill_a_busy_worker():
        pids = client.run(os.getpid)
        while not killed:  # once a chunk's parts are written, a worker still on a chunk is killed
            busy = [w for w, tasks in client.processing().items() if tasks]
            if busy and list((tmp_path / "out").glob("requests/*/*.parquet")):
                killed.append(client.processing()[busy[0]])
                os.kill(pids[busy[0]], signal.SIGKILL)
            time.sleep(0.1)

    killer = threading.Thread(target=kill_a_busy_worker, daemon=True)
    try:
        killer.start()
        counts = write_corpus([reports], tmp_path / "out", chunk=2, executor=client, layout="dataset")
    finally:
        client.unregister_worker_plugin("slow")
        killer.join(5)
    assert killed and killed[0], "a worker was killed while it parsed a chunk"
    got = xxgk.load_tables(tmp_path / "out")
    listed = {
        p["path"] for parts in dataset.read_manifest(str(tmp_path / "out"))["tables"].values() for p in parts
    }
    on_disk = {p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.parquet")}
    assert on_disk == listed  # the lost attempt's parts, if it wrote any, are gone
    assert got["reports"]["report_id"].is_unique and len(got["reports"]) == counts["reports"] == 20
    for name, df in expected.items():
        pd.testing.assert_frame_equal(_sorted(got[name]), _sorted(df), obj=name)


def test_a_report_that_kills_every_worker_fails_alone(tmp_path):
    # Dask runs a lost task again (here once: allowed-failures 1), then gives it up; the chunk is then run
    # report by report, and only the report that kills its worker is lost: a failed report saying so.
    import dask

    reports = tmp_path / "in"
    reports.mkdir()
    for i, seed in enumerate([*SEEDS, *SEEDS[:3]]):
        shutil.copyfile(seed, reports / (f"poison_{seed.name}" if i == 6 else f"{i}_{seed.name}"))
    expected = xxgk.parse_many([reports])  # in this process nothing dies
    poison = expected["reports"].loc[expected["reports"]["source_file"].str.startswith("poison"), "report_id"]
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 1}),
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        client.register_plugin(Poison(), name="poison")
        counts = write_corpus([reports], tmp_path / "out", chunk=3, executor=client, layout="dataset")
    got = xxgk.load_tables(tmp_path / "out")
    assert counts["reports"] == len(got["reports"]) == 8 and got["reports"]["report_id"].is_unique
    failed = got["reports"]["report_id"] == poison.item()
    assert got["reports"].loc[failed, "status"].tolist() == ["failed"]
    assert "parser_crashed" in set(got["issues"].loc[got["issues"]["report_id"] == poison.item(), "check"])
    for name in ("requests", "proactive", "reviews", "facts"):
        keep = [df[df["report_id"] != poison.item()] for df in (got[name], expected[name])]
        pd.testing.assert_frame_equal(*(_sorted(df) for df in keep), obj=name)


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values(list(df.columns), na_position="first", kind="stable").reset_index(drop=True)


def test_the_manifest_decides_which_parts_are_read(tmp_path):
    out = tmp_path / "out"
    write_corpus(SEEDS, out, chunk=2, layout="dataset")
    expected = xxgk.load_tables(out)
    listed = dataset.read_manifest(str(out))["tables"]["requests"]
    # a stray part (a chunk's lost attempt, a stopped run): the same rows again, under another name
    first = out / listed[0]["path"]
    stray = first.with_name("part-stray.parquet")
    shutil.copyfile(first, stray)
    got = xxgk.load_tables(out)
    _same_tables(got, expected)
    assert len(corpus.load(out, duplicates=True)["requests"]) == len(expected["requests"])
    # the next complete run removes what its manifest does not list
    write_corpus(SEEDS, out, chunk=2, layout="dataset")
    assert not stray.exists() and not first.exists()
    _same_tables(xxgk.load_tables(out), expected)
    # parts a worker wrote where this machine cannot see them: no manifest, the dataset stays as it was
    with pytest.raises(dataset.PartsNotFound, match="do not share this folder"):
        dataset.write_manifest(
            str(out), {"run": "x"}, {"requests": [{"path": "requests/gone.parquet", "rows": 1}]}
        )
    _same_tables(xxgk.load_tables(out), expected)
    # the single files written into the folder supersede the dataset
    xxgk.write_tables(xxgk.parse_many(SEEDS[:1]), out)
    assert len(xxgk.load_tables(out)["reports"]) == 1


def test_a_slow_chunk_holds_up_only_itself(tmp_path, monkeypatch):
    """Chunk 0 waits until every other chunk has been parsed: taken as they finish, they all can be."""
    files = []
    for i, seed in enumerate([*SEEDS, *SEEDS]):
        files.append(tmp_path / f"{i}.txt")
        shutil.copyfile(seed, files[-1])
    parsed, rest_done = [], threading.Event()
    real = stream.parse_source

    def gated(source, report_id=None):
        if report_id == "first":
            rest_done.wait(20)
        report = real(source, report_id)
        parsed.append(report_id)
        if len(parsed) == len(files) - 1:
            rest_done.set()
        return report

    monkeypatch.setattr(stream, "parse_source", gated)
    monkeypatch.setattr(stream, "report_ids", lambda fs: ["first", *(f"r{i}" for i in range(1, len(fs)))])
    with ThreadPoolExecutor(2) as pool:
        start = time.perf_counter()
        counts = write_corpus(files, tmp_path / "out", chunk=1, executor=pool, layout="dataset")
    assert rest_done.is_set() and time.perf_counter() - start < 15
    assert counts["reports"] == len(files) and parsed[-1] == "first"


def test_batch_on_a_cluster_writes_the_local_outputs(client, tmp_path):
    from test_batch import _notebook

    nbs = tmp_path / "nbs"
    nbs.mkdir()
    figure = "import os, pathlib\n(pathlib.Path(os.environ['XXGK_FIGURES_DIR']) / 'f-1.svg').write_text('x')"
    _notebook(nbs / "10-good.ipynb", 'code: str = "x"\nn: int = 1', "print(code, n + 1)", figure)
    _notebook(nbs / "20-broken.ipynb", "n: int = 1", "x = n + 1", "x / 0")
    params = nbs / "batch.yml"
    params.write_text(
        "runs:\n  - notebook: 10-good.ipynb\n    parameters: [{code: '0101', n: 7}]\n"
        "  - notebook: 20-broken.ipynb\n",
        encoding="utf-8",
    )
    local, remote = tmp_path / "local", tmp_path / "dask"
    assert cli.main(["batch", str(params), "--out", str(local), "--workers", "2", "--quiet"]) == 1
    argv = ["batch", str(params), "--out", str(remote), "--scheduler", client.scheduler.address, "--quiet"]
    assert cli.main(argv) == 1
    # the same files, figure files included (a worker's figures come back with its pages)
    files = [sorted(str(p.relative_to(d)) for p in d.rglob("*")) for d in (local, remote)]
    assert files[0] == files[1] and any(f.endswith("f-1.svg") for f in files[0])
    for page in local.glob("*.html"):
        if page.name != "index.html":
            assert _timeless(page.read_text("utf-8")) == _timeless((remote / page.name).read_text("utf-8"))
    statuses = [
        re.findall(
            r'<tr class="(\w+)"><td>([^<]+)</td><td class="about">([^<]*)</td><td>([^<]*)</td>',
            (d / "index.html").read_text("utf-8"),
        )
        for d in (local, remote)
    ]
    assert statuses[0] == statuses[1] and [s[0] for s in statuses[0]] == ["failed", "ok"]


def _timeless(page: str) -> str:
    """A rendered page without what differs between two executions (times, durations)."""
    return re.sub(r"\d{4}-\d\d-\d\dT[\d:.]+Z?|\"duration\": [\d.e-]+|cell-id=[\w-]+", "", page)


def test_reports_and_dataset_at_urls(tmp_path):
    """fsspec URLs in and out (memory://, visible to this process's threads): the same tables as from files."""
    import fsspec

    fs = fsspec.filesystem("memory")
    for seed in [*SEEDS, RAW / "MANIFEST.csv"]:  # the manifest beside them is read there too
        fs.pipe(f"/xxgk-in/{seed.name}", seed.read_bytes())
    fs.pipe("/xxgk-in/notes.csv", b"not a report")  # not a report file: not listed
    try:
        with ThreadPoolExecutor(2) as pool:
            write_corpus(["memory://xxgk-in"], "memory://xxgk-out", chunk=2, executor=pool, layout="dataset")
        got = xxgk.load_tables("memory://xxgk-out")
        assert len(corpus.load("memory://xxgk-out")["reports"]) == len(SEEDS)  # notebooks read it too
        with pytest.raises(FileNotFoundError, match="no parsed tables"):
            corpus.load("memory://xxgk-nothing")
    finally:
        fs.rm("/xxgk-in", recursive=True)
        if fs.exists("/xxgk-out"):
            fs.rm("/xxgk-out", recursive=True)
    (tmp_path / "in").mkdir()  # the same files and manifest in a folder
    for seed in [*SEEDS, RAW / "MANIFEST.csv"]:
        shutil.copyfile(seed, tmp_path / "in" / seed.name)
    write_corpus([tmp_path / "in"], tmp_path / "local", chunk=2)
    _same_tables(got, xxgk.load_tables(tmp_path / "local"))
    assert got["reports"]["manifest_agency"].notna().all()


def test_a_manifest_at_a_url_is_read_again_when_it_changes():
    import fsspec

    from xxgk.read import manifest

    fs = fsspec.filesystem("memory")
    try:
        fs.pipe("/xxgk-m/MANIFEST.csv", b"file,agency,year\nr.txt,A,2023\n")
        assert manifest.entry_at(fs, "/xxgk-m/r.txt")["manifest_agency"] == "A"
        assert manifest.entry_at(fs, "/xxgk-m/other.txt") is None  # a file the manifest does not list
        fs.pipe("/xxgk-m/MANIFEST.csv", b"file,agency,year\nr.txt,Bee,2023\n")  # rewritten: size differs
        assert manifest.entry_at(fs, "/xxgk-m/r.txt")["manifest_agency"] == "Bee"
        fs.pipe("/xxgk-m/MANIFEST.csv", b"\xff\xfe\x00garbage")
        with pytest.raises(manifest.ManifestError, match="not UTF-8"):
            manifest.entry_at(fs, "/xxgk-m/r.txt")
        assert manifest.entry_at(fs, "/xxgk-none/r.txt") is None  # no manifest there
    finally:
        fs.rm("/xxgk-m", recursive=True)


def test_the_run_stamp_of_either_layout(tmp_path):
    # the batch index says when the data was parsed: from reports.parquet, or from a dataset's manifest
    from xxgk.output.files import run_of, tables_run

    for layout in ("files", "dataset"):
        write_corpus(SEEDS[:2], tmp_path / layout, layout=layout)
    assert tables_run(tmp_path / "files") == run_of(tmp_path / "files" / "reports.parquet")
    stamp = tables_run(tmp_path / "dataset")
    assert stamp == dataset.read_manifest(str(tmp_path / "dataset"))["run"] and stamp["written"]


def test_parse_against_a_scheduler_started_from_the_dask_command_line(tmp_path):
    """What the README says to do on a real cluster, on loopback: `dask scheduler`, `dask worker` (each its own
    process tree), then the `xxgk parse` command (another process) with --scheduler: the local run's files, byte
    for byte, and the same tables in the dataset layout."""
    dask_command = shutil.which("dask", path=os.path.dirname(sys.executable)) or shutil.which("dask")
    if dask_command is None:
        pytest.skip("the dask command line is not installed")
    scheduler_file = tmp_path / "scheduler.json"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "start_new_session": True}
    started = [
        subprocess.Popen(
            [
                dask_command,
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(scheduler_file),
            ],
            **quiet,
        )
    ]
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() or not scheduler_file.read_text().strip():
            assert time.monotonic() < deadline and started[0].poll() is None, "the scheduler did not start"
            time.sleep(0.2)
        address = json.loads(scheduler_file.read_text())["address"]
        started.append(
            subprocess.Popen(
                [
                    dask_command,
                    "worker",
                    address,
                    "--nworkers",
                    "2",
                    "--nthreads",
                    "1",
                    "--host",
                    "127.0.0.1",
                    "--no-dashboard",
                ],
                **quiet,
            )
        )
        with distributed.Client(address, timeout=60) as probe:
            probe.wait_for_workers(2, timeout=60)
            xxgk_command = [sys.executable, "-m", "xxgk", "parse", str(RAW), "--quiet"]
            subprocess.run([*xxgk_command, "--out", str(tmp_path / "local")], check=True, timeout=300)
            for layout in ("files", "dataset"):
                argv = [
                    *xxgk_command,
                    "--out",
                    str(tmp_path / layout),
                    "--scheduler",
                    address,
                    "--layout",
                    layout,
                ]
                subprocess.run(argv, check=True, timeout=300)
            # the workers did the parsing: the scheduler saw the chunks' tasks run (a --scheduler ignored would
            # leave it with no task at all)
            assert probe.run_on_scheduler(lambda dask_scheduler: dask_scheduler.transition_counter) > 0
    finally:
        for process in reversed(started):
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=60)
    local = sorted(p.name for p in (tmp_path / "local").glob("*.csv"))
    assert len(local) == 7
    for name in local:
        assert (tmp_path / "files" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name
    _same_tables(xxgk.load_tables(tmp_path / "dataset"), xxgk.load_tables(tmp_path / "local"))
