"""Reading bytes: encodings, broken files, and a batch that survives them."""

from __future__ import annotations

import codecs

import pandas as pd
import pytest

import xxgk
from conftest import SEEDS
from xxgk.read.text import UnreadableFile, decode
from xxgk.run.cli import main

SEED = SEEDS[4]  # 004: the richest seed (every table, prose facts)


def _without_id(tables):
    return {
        name: df.drop(columns=["report_id"], errors="ignore").reset_index(drop=True)
        for name, df in tables.items()
        if name != "reports"
    }


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"])
def test_other_encodings_give_the_same_tables(tmp_path, encoding):
    text = SEED.read_text(encoding="utf-8")
    copy = tmp_path / f"copy-{encoding}.txt"
    copy.write_bytes(text.encode(encoding))
    original, converted = xxgk.parse(SEED), xxgk.parse(copy)
    for name, df in _without_id(original).items():
        pd.testing.assert_frame_equal(_without_id(converted)[name], df, obj=name)
    assert converted["reports"]["status"].iloc[0] == original["reports"]["status"].iloc[0]


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (bytes(range(256)) * 20, "binary"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00\x01\x02" * 500, "binary"),
    ],
)
def test_unreadable_bytes_say_why(data, reason):
    with pytest.raises(UnreadableFile, match=reason):
        decode(data)


def test_a_few_broken_bytes_are_replaced_and_reported(tmp_path):
    data = SEED.read_bytes()
    broken = tmp_path / "broken.txt"
    broken.write_bytes(data[:2000] + b"\xff\xfe\xfa" + data[2000:])
    tables = xxgk.parse(broken)
    issues = tables["issues"]
    assert (issues["check"] == "encoding").sum() == 1
    assert tables["reports"]["status"].iloc[0] != "failed"


def test_a_broken_file_never_stops_a_batch(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 10)
    (tmp_path / "prose.txt").write_text("会议纪要\n\n今天天气很好。\n", encoding="utf-8")
    tables = xxgk.parse_many([tmp_path, *SEEDS])
    reports = tables["reports"].set_index("report_id")
    assert reports.loc[["empty", "binary", "prose"], "status"].tolist() == ["failed"] * 3
    assert (reports.drop(index=["empty", "binary", "prose"])["status"] != "failed").all()
    issues = tables["issues"].set_index("report_id")
    assert "empty" in issues.loc["empty", "message"]
    assert "binary" in issues.loc["binary", "message"]
    assert "not_a_report" in set(issues.loc[["prose"], "check"])
    # Failed reports contribute no cells at all (not NA rows that look like a report).
    assert not tables["requests"]["report_id"].isin(["empty", "binary", "prose"]).any()


def test_cli_writes_csv_and_parquet_and_exit_codes(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["parse", str(SEED), "--out", str(out), "--quiet"]) == 0
    for name in ("reports", "requests", "reviews", "proactive", "facts", "issues"):
        assert (out / f"{name}.csv").exists() and (out / f"{name}.parquet").exists()
    # NA is an empty CSV field, not 0 (004's litigation cells are not in the document).
    reviews = pd.read_csv(out / "reviews.csv", keep_default_na=False, dtype=str)
    lit = reviews[reviews["proceeding"] == "litigation_direct"]
    assert (lit["count"] == "").all() and (lit["cell_status"] == "missing").all()
    # 004 has error-severity issues, so --strict fails; usage errors exit 2.
    assert main(["parse", str(SEED), "--out", str(out), "--quiet", "--strict"]) == 1
    assert main(["parse", str(tmp_path / "nope.txt"), "--out", str(out)]) == 2
    assert "no such file" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["parse"])
    assert exit_info.value.code == 2


def test_same_file_name_in_two_folders_stays_apart(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
    (tmp_path / "a" / "r.txt").write_bytes(SEEDS[0].read_bytes())
    (tmp_path / "b" / "r.txt").write_bytes(SEEDS[4].read_bytes())
    ids = xxgk.parse_many([tmp_path])["reports"]["report_id"]
    assert ids.is_unique and len(ids) == 2


def test_utf16_bom_is_detected():
    assert decode(codecs.BOM_UTF16_LE + "年度报告".encode("utf-16-le")).text == "年度报告"
