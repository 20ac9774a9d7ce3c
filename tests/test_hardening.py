"""Hardening (issue 5): size limit, atomic writes, names that stay in the output folder, no network."""

from __future__ import annotations

import socket
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import xxgk
from conftest import RAW, SEEDS
from xxgk.output.files import write_tables
from xxgk.read.formats import MAX_BYTES, report_id_for


def test_a_file_over_the_size_limit_is_refused_with_a_clear_message(tmp_path, monkeypatch):
    big = tmp_path / "huge.txt"
    with big.open("wb") as f:  # sparse: no real disk or memory used
        f.truncate(MAX_BYTES + 1)
    read = []
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(self) or b"")
    tables = xxgk.parse(big)
    assert read == []  # refused before reading
    assert tables["reports"]["status"].iloc[0] == "failed"
    issue = tables["issues"].iloc[0]
    assert issue["check"] == "file_too_large" and issue["severity"] == "error"
    assert f"{MAX_BYTES // 2**20} MiB limit" in issue["message"]


def test_an_interrupted_write_leaves_the_old_tables_and_no_temp_file(tmp_path, monkeypatch):
    tables = xxgk.parse(SEEDS[0])
    out = tmp_path / "out"
    write_tables(tables, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def broken(table, path, *args, **kwargs):
        Path(path).write_bytes(b"half a parquet file")
        raise OSError("disk full")

    monkeypatch.setattr(pq, "write_table", broken)
    with pytest.raises(OSError, match="disk full"):
        write_tables(xxgk.parse(SEEDS[4]), out)
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert after.keys() == before.keys()  # no temp file left behind
    for name, data in before.items():
        if name.endswith(".parquet"):
            assert after[name] == data  # never half-written
    assert pd.read_parquet(out / "reports.parquet")["report_id"].tolist() == [SEEDS[0].stem]


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd.txt",
        "a/../../b.txt",
        "...txt",
        ".hidden.txt",
        "番禺区/../../信访局.txt",
        "x\x00y.txt",
        "  .txt",
    ],
)
def test_report_ids_never_leave_the_output_folder(name):
    rid = report_id_for(Path(name))
    assert rid and "/" not in rid and "\\" not in rid and not rid.startswith(".") and "\x00" not in rid


@pytest.mark.parametrize("name", ["../escape", "sub/../../escape", ".hidden"])
def test_table_names_never_leave_the_output_folder(tmp_path, name):
    with pytest.raises(ValueError, match="outside"):
        write_tables({name: pd.DataFrame({"a": [1]})}, tmp_path / "out")
    assert not (tmp_path / "escape.csv").exists()


def test_parsing_opens_no_network_connection(monkeypatch, tmp_path):
    def refuse(*args, **kwargs):
        raise AssertionError("network access at run time")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    # An HTML page that points at remote resources must still be read offline.
    page = tmp_path / "remote.html"
    page.write_text(
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" "http://www.w3.org/TR/xhtml1/DTD/x.dtd">'
        '<html><head><link rel="stylesheet" href="http://example.invalid/a.css">'
        '<script src="http://example.invalid/a.js"></script></head><body>'
        '<img src="http://example.invalid/a.png"><p>某县人民政府2022年政府信息公开工作年度报告</p>'
        "</body></html>",
        encoding="utf-8",
    )
    tables = xxgk.parse_many([RAW, page])
    assert len(tables["reports"]) >= 6
    xxgk.write_tables(tables, tmp_path / "out")


def test_the_library_imports_no_network_module():
    src = "\n".join(p.read_text(encoding="utf-8") for p in Path(xxgk.__file__).parent.rglob("*.py"))
    # urllib.parse (quoting link names) is string handling; the network parts are urllib.request and below.
    for word in ("urllib.request", "requests", "http.client", "httpx", "socket"):
        assert f"import {word}" not in src and f"from {word}" not in src, word


@pytest.mark.parametrize(
    "agency",
    [
        "../../etc/passwd",
        "a/b\\c",
        "..",
        ".",
        "/abs/path",
        "x\x00y",
        "~root",
        "广州市" * 60,
        "番禺区/../信访局",
        "C:\\Windows",
    ],
)
def test_agency_names_in_batch_output_names_stay_in_the_output_folder(tmp_path, agency):
    from xxgk.run.batch import output_name

    name = output_name("40-agency-profile.ipynb", {"agency": agency})
    out = tmp_path / "out"
    for suffix in (".ipynb", ".html"):
        target = (out / f"{name}{suffix}").resolve()
        assert target.parent == out.resolve()
        assert len(target.name.encode("utf-8")) <= 255
    assert not name.startswith(".") and "/" not in name and "\\" not in name and "\x00" not in name


def test_a_parser_bug_on_one_file_does_not_stop_the_corpus(tmp_path, monkeypatch):
    # "One broken file never stops a batch" holds for our own bugs too: the file becomes a failed report
    # naming the error, with no number kept, and every other file is still read.
    import xxgk.run.pipeline

    good = tmp_path / "a_good.txt"
    good.write_text(
        "某某县教育局2022年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n"
        "一、本年新收政府信息公开申请数量 3 0 0 0 0 0 3\n",
        encoding="utf-8",
    )
    bad = tmp_path / "b_bad.txt"
    bad.write_text("某某县财政局2022年政府信息公开工作年度报告\n", encoding="utf-8")
    real = xxgk.run.pipeline.parse_lines

    def parse_lines(lines, report):
        if report.source_file == bad.name:
            raise ZeroDivisionError("a bug")
        return real(lines, report)

    monkeypatch.setattr(xxgk.run.pipeline, "parse_lines", parse_lines)
    tables = xxgk.parse_many([tmp_path])
    status = dict(zip(tables["reports"]["source_file"], tables["reports"]["status"], strict=False))
    assert status == {"a_good.txt": "incomplete", "b_bad.txt": "failed"}
    bug = tables["issues"][tables["issues"]["check"] == "parser_error"]
    assert bug["report_id"].tolist() == ["b_bad"] and bug["message"].str.contains("ZeroDivisionError").all()
    assert not (tables["requests"]["report_id"] == "b_bad").any()
    assert tables["requests"].loc[tables["requests"]["report_id"] == "a_good", "count"].notna().any()
