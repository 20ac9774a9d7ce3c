"""Trust at the edges of a run (issue 10, classes 7–11 and 13–15): what is read, under which name, and
what is written.

Files that are not regular files, folders that cannot be listed, report ids, formats sniffed from content,
damaged encodings, HTML nested past the parser's limits, output tables as one unit, file modes and output
folders, and the notebook batch. Each test covers a kind of input, in every format it reaches.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pyarrow.parquet as pq
import pytest

import xxgk
from test_trust import LAYOUTS, NEW, OVER, _cells, _document
from xxgk.contract.schema import TABLES

ROWS = [(NEW, ["5", "0", "0", "0", "0", "0", "5"]), (OVER, ["1", "0", "0", "0", "0", "0", "1"])]
PROSE = "本年度共受理政府信息公开申请5件。\n"


def _report(layout: str = "text") -> str:
    return _document(ROWS, layout, prose=PROSE)


# 10. GB18030 text with a few invalid bytes is read with replacement and a warning --------------------------


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_gb18030_with_a_few_invalid_bytes_is_read_with_a_warning(tmp_path, layout):
    text = _report(layout)
    clean = tmp_path / ("clean" + LAYOUTS[layout][1:])
    clean.write_bytes(text.encode("gb18030"))
    data = bytearray(clean.read_bytes())
    cut = data.index("受理".encode("gb18030"))  # three broken bytes in the prose, none in a number
    data[cut - 2 : cut - 2] = b"\xff\xff\xff"
    damaged = tmp_path / ("damaged" + LAYOUTS[layout][1:])
    damaged.write_bytes(bytes(data))
    expected, tables = xxgk.parse(clean), xxgk.parse(damaged)
    report = tables["reports"].iloc[0]
    assert report["status"] != "failed" and report["encoding"] == "gb18030"
    warning = tables["issues"][tables["issues"]["check"] == "encoding"]
    assert warning["severity"].tolist() == ["warning"] and int(warning["actual"].iloc[0]) >= 1
    assert _cells(tables, "new_received") == _cells(expected, "new_received") == [5, 0, 0, 0, 0, 0, 5]
    assert _cells(tables, "carried_over") == _cells(expected, "carried_over") == [1, 0, 0, 0, 0, 0, 1]


@pytest.mark.parametrize("name", ["page.html", "page.txt"])
def test_a_gb18030_web_page_with_much_markup_is_read(tmp_path, name):
    # Markup is ASCII: in a page most characters are not Chinese, though nearly all that are not ASCII are.
    style = "<style>" + "td { border: 1px solid #ccc; padding: 2px 4px; }\n" * 80 + "</style>"
    page = _report("html").replace("<html><body>", f'<html><head><meta charset="gbk">{style}</head><body>')
    path = tmp_path / name
    path.write_bytes(page.encode("gb18030"))
    tables = xxgk.parse(path)
    assert tables["reports"][["encoding", "input_format"]].values.tolist() == [["gb18030", "html"]]
    assert _cells(tables, "new_received") == [5, 0, 0, 0, 0, 0, 5]


def test_utf8_with_a_few_invalid_bytes_stays_utf8(tmp_path):
    data = bytearray(_report().encode("utf-8"))
    cut = data.index("受理".encode())
    data[cut:cut] = b"\xff\xfe"
    path = tmp_path / "r.txt"
    path.write_bytes(bytes(data))
    tables = xxgk.parse(path)
    assert tables["reports"]["encoding"].iloc[0] == "utf-8"
    assert _cells(tables, "new_received") == [5, 0, 0, 0, 0, 0, 5]
    assert "encoding" in set(tables["issues"]["check"])


# 7. FIFOs, sockets and devices are never opened; folders that cannot be listed are failed entries ----------


def _run(code: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run Python in a fresh process with a deadline: a FIFO opened for reading would block it forever."""
    env = {**os.environ, "PYTHONPATH": str(Path(xxgk.__file__).parents[1])}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout, env=env, check=False
    )


def _special_files(folder: Path) -> dict[str, str]:
    """A FIFO and a socket named like reports, in ``folder``: name -> what the issue calls it."""
    os.mkfifo(folder / "pipe.txt")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(folder / "sock.html"))
    sock.close()
    return {"pipe": "FIFO", "sock": "socket"}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_special_files_in_a_folder_are_failed_reports_never_opened(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "good.txt").write_text(_report(), encoding="utf-8")
    kinds = _special_files(tmp_path / "in")
    done = _run(
        "import json, sys, xxgk\n"
        f"t = xxgk.parse_many([{str(tmp_path / 'in')!r}])\n"
        "i = t['issues']\n"
        "print(json.dumps({'status': dict(zip(t['reports']['report_id'], t['reports']['status'])),"
        " 'issues': i[i['check'] == 'not_a_file'][['report_id', 'message']].values.tolist()}))"
    )
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    assert got["status"] == {"good": "incomplete", "pipe": "failed", "sock": "failed"}
    assert {rid: kinds[rid] in message for rid, message in got["issues"]} == {"pipe": True, "sock": True}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("workers", [1, 2])
def test_a_fifo_on_the_command_line_does_not_hang_the_run(tmp_path, workers):
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "good.txt").write_text(_report(), encoding="utf-8")
    paths = [str(tmp_path / "pipe.txt"), str(tmp_path / "good.txt"), os.devnull]
    done = _run(
        "import sys; from xxgk.run.cli import main\n"
        f"sys.exit(main(['parse', *{paths!r}, '--out', {str(tmp_path / 'out')!r}, '--quiet',"
        f" '--workers', '{workers}']))"
    )
    assert done.returncode == 0, done.stderr
    tables = xxgk.load_tables(tmp_path / "out")
    status = dict(zip(tables["reports"]["report_id"], tables["reports"]["status"], strict=True))
    assert status == {"pipe": "failed", "good": "incomplete", "null": "failed"}
    issues = tables["issues"].set_index("report_id")
    assert issues.loc["pipe", "check"] == "not_a_file" and "FIFO" in issues.loc["pipe", "message"]
    assert issues.loc["null", "check"] == "not_a_file" and "device" in issues.loc["null", "message"]


def test_a_broken_link_in_a_folder_is_a_failed_report_and_the_run_goes_on(tmp_path, capsys):
    from xxgk.run import cli

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "good.txt").write_text(_report(), encoding="utf-8")
    (tmp_path / "in" / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    assert cli.main(["parse", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    tables = xxgk.load_tables(tmp_path / "out")
    status = dict(zip(tables["reports"]["report_id"], tables["reports"]["status"], strict=True))
    assert status == {"gone": "failed", "good": "incomplete"}
    assert tables["issues"].set_index("report_id").loc["gone", "check"] == "file_unreadable"


def _deny(monkeypatch, *denied: Path) -> None:
    """Folders that cannot be listed. chmod 000 does not deny root (the tests may run as root), so the
    listing itself is refused, the way the operating system refuses it to an ordinary user."""
    real = os.scandir
    refused = {os.fspath(p) for p in denied}

    def scandir(path="."):
        if os.fspath(path) in refused:
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)


@pytest.mark.parametrize("stream", [False, True])
def test_a_folder_that_cannot_be_listed_is_a_failed_entry_and_the_others_are_read(
    tmp_path, monkeypatch, stream
):
    root = tmp_path / "in"
    for sub in ("a", "locked", "z"):
        (root / sub).mkdir(parents=True)
    (root / "a" / "first.txt").write_text(_report(), encoding="utf-8")
    (root / "locked" / "hidden.txt").write_text(_report(), encoding="utf-8")
    (root / "z" / "last.md").write_text(_report("markdown"), encoding="utf-8")
    _deny(monkeypatch, root / "locked")
    if stream:
        from xxgk.run.stream import write_corpus

        write_corpus([root], tmp_path / "out")
        tables = xxgk.load_tables(tmp_path / "out")
    else:
        tables = xxgk.parse_many([root])
    status = dict(zip(tables["reports"]["report_id"], tables["reports"]["status"], strict=True))
    assert status == {"first": "incomplete", "locked": "failed", "last": "incomplete"}
    [issue] = tables["issues"][tables["issues"]["report_id"] == "locked"].itertuples()
    assert issue.check == "folder_unreadable" and "Permission denied" in issue.message


def test_a_folder_given_that_cannot_be_listed_is_a_failed_entry(tmp_path, monkeypatch):
    (tmp_path / "locked").mkdir()
    (tmp_path / "good.txt").write_text(_report(), encoding="utf-8")
    _deny(monkeypatch, tmp_path / "locked")
    tables = xxgk.parse_many([tmp_path / "locked", tmp_path / "good.txt"])
    assert tables["reports"]["status"].tolist() == ["failed", "incomplete"]
    assert tables["issues"]["check"].iloc[0] == "folder_unreadable"


# 8. Two different files never share a report_id; the ids are stable and the same when streamed ------------


def _collisions(root: Path, layout: str) -> list[Path]:
    """Files whose names give one id: the same name in two folders (identical and different bytes), names
    that are made safe alike, and one name with two extensions."""
    text, ext = _report(layout), LAYOUTS[layout][1:]
    other = text.replace("5", "7")
    files = {
        f"a/r{ext}": text,
        f"b/r{ext}": text,  # byte-identical to a/r
        f"c/r{ext}": other,
        f"a b{ext}": text,
        f"a_b{ext}": text,
        f"报告{ext}": text,
        "报告.md" if layout != "markdown" else "报告.txt": text,
    }
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(content, encoding="utf-8")
    return [root / name for name in files]


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_files_whose_names_give_one_id_get_distinct_stable_ids(tmp_path, monkeypatch, layout):
    files = _collisions(tmp_path / "one", layout)
    tables = xxgk.parse_many([tmp_path / "one"])
    ids = tables["reports"]["report_id"].tolist()
    assert len(ids) == len(files) == len(set(ids))
    for name, df in tables.items():  # every key of every table stays unique: no row is duplicated
        if name in ("requests", "reviews", "proactive"):
            keys = [
                c
                for c in df.columns
                if c not in ("count", "value", "cell_status", "source_line", "source_page")
            ]
            assert not df.duplicated(keys).any(), name
    assert (tables["requests"].groupby("report_id").size() == 25 * 7).all()
    # the same corpus elsewhere, given another way, gives the same ids
    (tmp_path / "two").mkdir()
    _collisions(tmp_path / "two" / "moved", layout)
    monkeypatch.chdir(tmp_path / "two")
    again = xxgk.parse_many([Path("moved")])
    assert again["reports"]["report_id"].tolist() == ids


@pytest.mark.parametrize("workers", [1, 2])
def test_streamed_ids_are_the_in_memory_ids(tmp_path, workers):
    _collisions(tmp_path / "in", "text")
    _collisions(tmp_path / "in" / "html", "html")
    expected = xxgk.parse_many([tmp_path / "in"])["reports"]["report_id"].tolist()
    from xxgk.run.stream import write_corpus

    write_corpus([tmp_path / "in"], tmp_path / "out", chunk=2, workers=workers)
    got = xxgk.load_tables(tmp_path / "out", ["reports"])["reports"]["report_id"].tolist()
    assert got == expected and len(set(got)) == len(got)


def test_reports_parsed_one_by_one_still_get_distinct_ids(tmp_path):
    from xxgk.output.tables import to_tables
    from xxgk.run.pipeline import parse_file

    files = _collisions(tmp_path, "text")
    tables = to_tables([parse_file(f) for f in files] + [parse_file(files[0])])
    ids = tables["reports"]["report_id"]
    assert ids.is_unique and len(ids) == len(files) + 1


# 9. A web page (or a PDF) saved under a text name is read as what it is -----------------------------------

PAGE = "<!DOCTYPE html>\n" + _document(ROWS, "html", prose=PROSE)
FRAGMENT = _document(ROWS, "html", prose=PROSE).removeprefix("<html><body>").removesuffix("</body></html>")


@pytest.mark.parametrize("name", ["page.txt", "page.TEXT", "page", "page.aspx"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
@pytest.mark.parametrize("markup", ["page", "fragment"])
def test_a_web_page_under_a_text_name_is_read_as_html(tmp_path, name, encoding, markup):
    path = tmp_path / name
    path.write_bytes((PAGE if markup == "page" else FRAGMENT).encode(encoding))
    tables = xxgk.parse(path)
    assert tables["reports"]["input_format"].tolist() == ["html"]
    assert _cells(tables, "new_received") == [5, 0, 0, 0, 0, 0, 5]
    assert _cells(tables, "carried_over") == [1, 0, 0, 0, 0, 0, 1]


@pytest.mark.parametrize("layout", ["text", "tsv", "markdown"])
def test_text_with_a_few_tags_stays_text(tmp_path, layout):
    # OCR and markdown extractions leave stray tags (<br>, <td>…) in running text: that is not a web page.
    text = _report(layout).replace(PROSE, "<p>本年度共受理政府信息公开申请5件。<br></p>\n") + "<td>注</td>\n"
    path = tmp_path / ("r" + LAYOUTS[layout][1:])
    path.write_text(text, encoding="utf-8")
    tables = xxgk.parse(path)
    assert tables["reports"]["input_format"].iloc[0] == {"markdown": "markdown"}.get(layout, "text")
    assert _cells(tables, "new_received") == [5, 0, 0, 0, 0, 0, 5]


def test_markdown_with_html_tables_is_read_as_markdown(tmp_path):
    path = tmp_path / "r.md"
    path.write_text(PAGE, encoding="utf-8")
    assert xxgk.parse(path)["reports"]["input_format"].tolist() == ["markdown"]


def test_a_pdf_under_a_text_name_is_read_as_pdf(tmp_path):
    from conftest import RAW

    pdf = sorted(RAW.glob("*.pdf"))[0]
    path = tmp_path / "report.txt"
    path.write_bytes(pdf.read_bytes())
    got, expected = xxgk.parse(path), xxgk.parse(pdf)
    assert got["reports"]["input_format"].tolist() == ["pdf"]
    assert got["requests"]["count"].tolist() == expected["requests"]["count"].tolist()


# 11. Deep or broken HTML loses nothing silently ----------------------------------------------------------


def _wrapped(opening: str, n: int, closing: str = "") -> str:
    """The test page with its body inside ``n`` copies of a tag (unclosed unless ``closing`` is given)."""
    body = _report("html").removeprefix("<html><body>").removesuffix("</body></html>")
    return f"<html><body><p>x</p>{opening * n}{body}{closing * n}</body></html>"


@pytest.mark.parametrize("name", ["r.html", "r.txt"])
@pytest.mark.parametrize(
    ("opening", "n", "closing", "check"),
    [
        ("<font face='宋体'>", 600, "", None),  # past libxml2's default depth (256): kept with huge_tree
        ("<div>", 600, "", None),
        ("<span>", 3000, "", "html_flattened"),  # past even huge_tree's limit: read again flattened
        ("<font size=3>", 3000, "", "html_flattened"),
        ("<div class='x'>", 3000, "", "html_flattened"),
        ("<div>", 1500, "</div>", None),  # deep but closed: deeper than Python's recursion limit
    ],
)
def test_deep_html_is_read_whole(tmp_path, name, opening, n, closing, check):
    path = tmp_path / name
    path.write_text(_wrapped(opening, n, closing), encoding="utf-8")
    tables = xxgk.parse(path)
    assert tables["reports"]["status"].iloc[0] != "failed", tables["issues"]["message"].tolist()
    assert _cells(tables, "new_received") == [5, 0, 0, 0, 0, 0, 5]
    assert _cells(tables, "carried_over") == [1, 0, 0, 0, 0, 0, 1]
    checks = set(tables["issues"]["check"])
    assert "html_truncated" not in checks and "parser_error" not in checks
    assert ("html_flattened" in checks) == (check is not None)


def test_a_cell_nested_deeper_than_python_recursion_is_read(tmp_path):
    deep = "<font>" * 1500 + "5" + "</font>" * 1500
    path = tmp_path / "r.html"
    path.write_text(_report("html").replace("<td>5</td>", f"<td>{deep}</td>", 1), encoding="utf-8")
    tables = xxgk.parse(path)
    assert _cells(tables, "new_received") == [5, 0, 0, 0, 0, 0, 5]
    assert "parser_error" not in set(tables["issues"]["check"])


@pytest.mark.parametrize("name", ["r.html", "r.txt"])
@pytest.mark.parametrize(
    "breakage",
    [
        "<table><tr><td>" * 3000,  # tables nested past every limit: cannot be flattened
        "<!-- an unclosed comment ",  # everything after it is a comment to the parser
    ],
)
def test_html_text_the_parser_loses_is_reported_never_invented(tmp_path, name, breakage):
    page = _report("html").replace(f"<td>{OVER}</td>", breakage + f"<td>{OVER}</td>")
    path = tmp_path / name
    path.write_text(page, encoding="utf-8")
    tables = xxgk.parse(path)
    issues = tables["issues"]
    [lost] = issues[issues["check"] == "html_truncated"].itertuples()
    assert lost.severity == "warning" and int(lost.actual) < int(lost.expected)
    assert _cells(tables, "new_received") == [5, 0, 0, 0, 0, 0, 5]  # before the break: read
    counts = tables["requests"]["count"].dropna()
    assert set(counts) <= {0, 5}  # nothing after the break turns into a number


# 13. The tables of one run are one unit ------------------------------------------------------------------


def _two_corpora(tmp_path: Path) -> tuple[Path, Path]:
    first, second = tmp_path / "first", tmp_path / "second"
    for folder, n in ((first, "5"), (second, "7")):
        folder.mkdir()
        (folder / "r.txt").write_text(_report().replace("5", n), encoding="utf-8")
        (folder / "p.html").write_text(_report("html").replace("5", n), encoding="utf-8")
    return first, second


def _write(way: str, paths: list[Path], out: Path) -> None:
    if way == "memory":
        xxgk.write_tables(xxgk.parse_many(paths), out)
    else:
        xxgk.write_corpus(paths, out, chunk=1)


def _files(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


WAYS = ["memory", "stream"]


@pytest.mark.parametrize("way", WAYS)
def test_a_failure_while_writing_any_table_leaves_the_whole_old_set(tmp_path, monkeypatch, way):
    first, second = _two_corpora(tmp_path)
    out = tmp_path / "out"
    _write(way, [first], out)
    before = _files(out)
    real = pq.ParquetWriter.write_table if way == "stream" else pq.write_table
    calls = []

    def full(*args, **kwargs):  # the disk fills up at the fourth table
        calls.append(1)
        if len(calls) >= 4:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)

    if way == "stream":
        monkeypatch.setattr(pq.ParquetWriter, "write_table", full)
    else:
        monkeypatch.setattr(pq, "write_table", full)
    with pytest.raises(OSError, match="No space"):
        _write(way, [second], out)
    assert _files(out) == before  # every table the old one, and no temp file left
    monkeypatch.undo()
    assert xxgk.load_tables(out)["requests"]["count"].max() == 5


@pytest.mark.parametrize("way", WAYS)
def test_a_crash_between_two_renames_is_refused_by_load_tables(tmp_path, monkeypatch, way):
    first, second = _two_corpora(tmp_path)
    out = tmp_path / "out"
    _write(way, [first], out)
    real, renamed = os.replace, []

    def crash(src, dst):
        if len(renamed) == 5:
            raise KeyboardInterrupt  # stopped between the 5th and the 6th rename
        renamed.append(dst)
        return real(src, dst)

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        _write(way, [second], out)
    monkeypatch.undo()
    with pytest.raises(xxgk.MixedTablesError, match="not written by one run") as refused:
        xxgk.load_tables(out)
    assert "reports" in str(refused.value) and "issues" in str(refused.value)
    with pytest.raises(xxgk.MixedTablesError):
        xxgk.load_tables(out, ["reports"])  # the folder is one unit, whatever part of it is read
    from xxgk.analysis.corpus import load

    with pytest.raises(xxgk.MixedTablesError):
        load(out)
    _write(way, [second], out)  # written again: one run, read as one
    assert xxgk.load_tables(out)["requests"]["count"].max() == 7


def test_a_killed_run_leaves_nothing_that_is_read_and_its_leftovers_are_removed(tmp_path):
    first, second = _two_corpora(tmp_path)
    out = tmp_path / "out"
    done = _run(
        "import os, xxgk\n"
        f"xxgk.write_corpus([{str(first)!r}], {str(out)!r})\n"
        "real, n = os.replace, []\n"
        "def killed(src, dst):\n"
        "    n.append(dst)\n"
        "    if len(n) == 4: os._exit(9)  # as kill -9: no clean-up runs\n"
        "    real(src, dst)\n"
        "os.replace = killed\n"
        f"xxgk.write_corpus([{str(second)!r}], {str(out)!r})\n"
    )
    assert done.returncode == 9, done.stderr
    leftovers = [p for p in out.iterdir() if p.name.startswith(".")]
    assert (
        len(leftovers) == 2 * len(TABLES) - 3
    )  # the killed run's temp files not yet renamed (CSV + Parquet each)
    with pytest.raises(xxgk.MixedTablesError):
        xxgk.load_tables(out)
    mine = out / f".xxgk.{leftovers[0].name.split('.')[2]}.{os.getpid()}.requests.x.csv"
    mine.write_text("a run still writing (this process): left alone", encoding="utf-8")
    xxgk.write_tables(xxgk.parse_many([second]), out)
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == [mine.name]
    assert xxgk.load_tables(out)["requests"]["count"].max() == 7


# 14. Output files follow the umask; an --out that cannot take the tables stops the run before parsing ------


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_output_files_respect_the_umask(tmp_path, way, umask):
    first, _ = _two_corpora(tmp_path)
    old = os.umask(umask)
    try:
        _write(way, [first], tmp_path / "out")
    finally:
        os.umask(old)
    modes = {p.name: p.stat().st_mode & 0o777 for p in (tmp_path / "out").iterdir()}
    assert len(modes) == 2 * len(TABLES) and set(modes.values()) == {0o666 & ~umask}, modes


def _parse_cli(tmp_path, monkeypatch, capsys, out: str) -> tuple[int, list[str]]:
    from xxgk.run import cli

    (tmp_path / "r.txt").write_text(_report(), encoding="utf-8")

    def never(*args, **kwargs):
        raise AssertionError("parsed before the output folder was checked")

    monkeypatch.setattr(cli, "parse_many", never)
    monkeypatch.setattr(cli, "write_corpus", never)
    code = cli.main(["parse", str(tmp_path / "r.txt"), "--out", out, "--quiet"])
    return code, capsys.readouterr().err.splitlines()


def test_an_out_that_is_a_file_stops_the_run_before_parsing(tmp_path, monkeypatch, capsys):
    (tmp_path / "taken").write_text("not a folder", encoding="utf-8")
    code, err = _parse_cli(tmp_path, monkeypatch, capsys, str(tmp_path / "taken"))
    assert code == 2 and len(err) == 1 and "is a file, not a folder" in err[0]


def test_an_out_under_a_file_stops_the_run_before_parsing(tmp_path, monkeypatch, capsys):
    (tmp_path / "taken").write_text("not a folder", encoding="utf-8")
    code, err = _parse_cli(tmp_path, monkeypatch, capsys, str(tmp_path / "taken" / "sub" / "out"))
    assert code == 2 and len(err) == 1 and "which is a file" in err[0]


def test_a_read_only_out_stops_the_run_before_parsing(tmp_path, monkeypatch, capsys):
    # As root the permission bits do not refuse a write (and os.access says yes): the write itself is
    # refused here, as a read-only file system refuses it even to root.
    import tempfile

    def refused(*args, **kwargs):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(tempfile, "TemporaryFile", refused)
    code, err = _parse_cli(tmp_path, monkeypatch, capsys, str(tmp_path / "out"))
    assert code == 2 and len(err) == 1 and "Read-only file system" in err[0]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes in a 0555 folder")
def test_a_folder_without_write_permission_stops_the_run_before_parsing(tmp_path, monkeypatch, capsys):
    (tmp_path / "locked").mkdir(mode=0o555)
    code, err = _parse_cli(tmp_path, monkeypatch, capsys, str(tmp_path / "locked" / "out"))
    assert code == 2 and len(err) == 1 and "Permission denied" in err[0]


# 15. The notebook batch: a complete index or the old one, a time limit per notebook, notebooks from their
# folder only, and pages that load nothing from the network ----------------------------------------------

# A reference a page would fetch: src/href, CSS url() and @import, a JS module import.
REMOTE = re.compile(
    r"""(?:\b(?:src|href)\s*=\s*["']?|\burl\(\s*["']?|@import\s+["']|\bimport\(\s*["']|\bfrom\s+["'])"""
    r"""\s*(?:https?:)?//""",
    re.IGNORECASE,
)


def _notebook(path: Path, *cells: str) -> None:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("n: int = 1  # a number")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_markdown_cell("# 标题 $x^2$"), *map(nbformat.v4.new_code_cell, cells)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def _suite(tmp_path: Path, *runs: str) -> Path:
    nbs = tmp_path / "nbs"
    nbs.mkdir(exist_ok=True)
    _notebook(nbs / "10-quick.ipynb", "import pandas as pd\npd.DataFrame({'a': [n]})")
    params = nbs / "batch.yml"
    params.write_text(
        "notebook_dir: .\nruns:\n" + "".join(f"  - notebook: {r}\n" for r in runs), encoding="utf-8"
    )
    return params


@pytest.mark.parametrize(
    "name",
    ["../outside.ipynb", "sub/../../outside.ipynb", "{tmp}/outside.ipynb", "link.ipynb", "10-quick.py"],
)
def test_a_parameters_file_cannot_name_a_notebook_outside_its_folder(tmp_path, name):
    from xxgk.run import batch

    params = _suite(tmp_path, "10-quick.ipynb", name.format(tmp=tmp_path))
    _notebook(tmp_path / "outside.ipynb", "open('escaped', 'w')")
    (tmp_path / "nbs" / "link.ipynb").symlink_to(tmp_path / "outside.ipynb")
    (tmp_path / "nbs" / "10-quick.py").write_text("", encoding="utf-8")
    with pytest.raises(ValueError, match="not a notebook inside the notebook folder"):
        batch.load_runs(params)
    assert batch.main([str(params), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_a_notebook_past_its_time_limit_is_stopped_and_the_others_run(tmp_path, monkeypatch):
    import tempfile

    from xxgk.run import batch

    (tmp_path / "tmp").mkdir()  # the batch's temporary files, to see that none stays behind
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    monkeypatch.setattr(tempfile, "tempdir", None)
    params = _suite(tmp_path, "10-quick.ipynb", "20-stuck.ipynb")
    pid_file = tmp_path / "kernel.pid"
    _notebook(
        tmp_path / "nbs" / "20-stuck.ipynb",
        f"import os, time\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))",
        "time.sleep(600)  # each cell may run 600 s: only the notebook's limit stops it",
    )
    start = time.monotonic()
    result = batch.run_batch(params, tmp_path / "out", workers=2, progress=False, notebook_timeout=20)
    assert time.monotonic() - start < 120
    status = {r.name: (r.ok, r.failure and r.failure.ename) for r in result.results}
    assert status == {"10-quick": (True, None), "20-stuck": (False, "NotebookTimeout")}
    assert "20-stuck" in result.summary() and "NotebookTimeout" in result.summary()
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert index.count("<tr class=") == 2 and "NotebookTimeout" in index
    kernel = int(pid_file.read_text())
    for _ in range(30):  # the stuck notebook's kernel goes with its process
        if not _running(kernel):
            break
        time.sleep(1)
    assert not _running(kernel)
    assert list((tmp_path / "tmp").iterdir()) == []  # the killed kernel's sockets went with the batch


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0]
    except (OSError, IndexError):
        return False
    return state not in "ZX"


def test_rendered_pages_load_nothing_from_the_network(tmp_path):
    from xxgk.run import batch

    params = _suite(tmp_path, "10-quick.ipynb", "20-broken.ipynb")
    _notebook(tmp_path / "nbs" / "20-broken.ipynb", "1 / 0")
    result = batch.run_batch(params, tmp_path / "out", workers=1, progress=False)
    pages = sorted((tmp_path / "out").glob("*.html"))
    assert [p.name for p in pages] == ["10-quick.html", "20-broken.html", "index.html"]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert not REMOTE.findall(text), (page.name, REMOTE.findall(text)[:3])
    assert "ZeroDivisionError" in (tmp_path / "out" / "20-broken.html").read_text(encoding="utf-8")
    assert not result.ok


def test_an_index_that_cannot_be_written_keeps_the_old_one_and_exits_non_zero(tmp_path, monkeypatch, capsys):
    from xxgk.run import batch

    params = _suite(tmp_path, "10-quick.ipynb")
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.html").write_text("the previous index", encoding="utf-8")
    real_fdopen = os.fdopen

    class Full:  # a disk that fills up half-way through writing the page
        def __init__(self, f):
            self.f = f

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

        def write(self, text):
            self.f.write(text[: len(text) // 2])
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(batch.os, "fdopen", lambda fd, *a, **k: Full(real_fdopen(fd, *a, **k)))
    code = batch.main([str(params), "--out", str(out), "--quiet"])
    monkeypatch.undo()
    assert code == 1
    err = capsys.readouterr().err
    assert "1 of 1 notebooks ran" in err and "index.html: No space left on device" in err
    assert (out / "index.html").read_text(encoding="utf-8") == "the previous index"
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]  # no half-written temp file
    assert (out / "10-quick.html").exists()  # rendered in the notebook's own process


def test_an_unwritable_batch_output_stops_before_any_notebook_runs(tmp_path, monkeypatch, capsys):
    from xxgk.run import batch

    params = _suite(tmp_path, "10-quick.ipynb")
    (tmp_path / "taken").write_text("a file", encoding="utf-8")
    monkeypatch.setattr(batch, "run_batch", lambda *a, **k: pytest.fail("ran before checking --out"))
    assert batch.main([str(params), "--out", str(tmp_path / "taken"), "--quiet"]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        f"xxgk batch: --out {tmp_path / 'taken'} is a file, not a folder"
    ]


def test_the_project_notebooks_render_to_pages_that_load_nothing_from_the_network(tmp_path):
    from conftest import ROOT
    from xxgk.run import batch

    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks
    for notebook in notebooks:  # their own content (markdown images, links to scripts) as well as the page
        page = batch.render_html(notebook, tmp_path / f"{notebook.stem}.html").read_text(encoding="utf-8")
        assert not REMOTE.findall(page), (notebook.name, REMOTE.findall(page)[:3])
