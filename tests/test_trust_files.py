"""Trust at the edges of a run (issue 10, classes 7–11 and 13–15): what is read, under which name, and
what is written.

Files that are not regular files, folders that cannot be listed, report ids, formats sniffed from content,
damaged encodings, HTML nested past the parser's limits, output tables as one unit, file modes and output
folders, and the notebook batch. Each test covers a kind of input, in every format it reaches.
"""

from __future__ import annotations

import pytest

import xxgk
from test_trust import LAYOUTS, NEW, OVER, _cells, _document

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
