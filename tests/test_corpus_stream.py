"""write_corpus (bounded memory, chunked) writes the same tables as write_tables(parse_many(...))."""

from __future__ import annotations

import pandas as pd

import xxgk
from xxgk.stream import write_corpus

from conftest import RAW, SEEDS


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values(list(df.columns), na_position="first", kind="stable").reset_index(drop=True)


def test_streamed_tables_equal_the_in_memory_ones(tmp_path):
    for folder in ("a", "b"):  # the same file name in two folders: ids made unique by the hash
        (tmp_path / folder).mkdir()
    (tmp_path / "a" / "r.txt").write_bytes(SEEDS[0].read_bytes())
    (tmp_path / "b" / "r.txt").write_bytes(SEEDS[4].read_bytes())
    (tmp_path / "a" / "empty.txt").write_bytes(b"")
    paths = [RAW, tmp_path / "a", tmp_path / "b"]
    expected = xxgk.parse_many(paths)
    counts = write_corpus(paths, tmp_path / "out", chunk=3)
    got = xxgk.load_tables(tmp_path / "out")
    for name, df in expected.items():
        assert counts[name] == len(df), name
        pd.testing.assert_frame_equal(_sorted(got[name]), _sorted(df), obj=name)
    csv = pd.read_csv(tmp_path / "out" / "requests.csv", keep_default_na=False, dtype=str)
    assert len(csv) == len(expected["requests"])


def test_cross_year_issues_reach_the_streamed_tables(tmp_path):
    text = ("某县人民政府{year}年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n"
            "二、上年结转政府信息公开申请数量 {over} 0 0 0 0 0 {over}\n"
            "四、结转下年度继续办理 {forward} 0 0 0 0 0 {forward}\n")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "y2021.txt").write_text(text.format(year=2021, over=0, forward=3), encoding="utf-8")
    (tmp_path / "in" / "y2022.txt").write_text(text.format(year=2022, over=2, forward=0), encoding="utf-8")
    write_corpus([tmp_path / "in"], tmp_path / "out", chunk=1)
    got = xxgk.load_tables(tmp_path / "out")
    expected = xxgk.parse_many([tmp_path / "in"])
    assert (got["issues"]["check"] == "cross_year").sum() == (expected["issues"]["check"] == "cross_year").sum() > 0
    pd.testing.assert_frame_equal(_sorted(got["reports"]), _sorted(expected["reports"]))
