"""Report metadata from the title: agency, year, region, agency kind."""

from __future__ import annotations

import re

from xxgk.read.lines import Line
from xxgk.read.text import compact

_TITLE_END = re.compile(r"(?:政府)?(?:信息公开|政务公开).{0,8}(?:年度)?报告")
# "<agency>[关于]<year>年[度]…报告" or "<year>年[度]<agency>…报告".
_AGENCY_YEAR = re.compile(r"^(?P<agency>.+?)(?:关于)?(?P<year>(?:19|20)\d{2})年度?")
_YEAR_AGENCY = re.compile(r"^(?P<year>(?:19|20)\d{2})年度?(?P<agency>.+?)(?:政府信息公开|信息公开|政务公开)")
_YEAR_FIRST = re.compile(r"^(?:19|20)\d{2}年度?(?:政府信息公开|政务公开|信息公开)")
_AGENCY_LINE = re.compile(r"[\u4e00-\u9fff()]{2,30}")
_YEAR = re.compile(r"(?:19|20)\d{2}")
_TITLE_PREFIX = re.compile(r"^(?:标题|题目|title)[:]", re.IGNORECASE)

# Region names as stated in the agency name (never inferred from elsewhere).
_PROVINCE = re.compile(r"^(?P<name>[\u4e00-\u9fff]{2,7}?(?:省|自治区))")
_CITY = re.compile(r"^(?P<name>[\u4e00-\u9fff]{2,7}?市)")
_DISTRICT = re.compile(r"^(?P<name>[\u4e00-\u9fff]{1,8}?(?:自治县|新区|实验区|区|县|旗))")
# Words that end an agency name rather than a place name: "政务服务数据管理局" is not a district.
_NOT_PLACE = re.compile(r"[局委办厅院所部会处署站中心]")
_GOVERNMENT = re.compile(r"(?:人民政府|政府|管委会|管理委员会|省|市|区|县|旗|自治州)$")


def read_title(lines: list[Line], first_section: int | None) -> tuple[str, int]:
    """The title text (joined over up to three lines) and the line it starts on."""
    end = first_section if first_section is not None else min(len(lines), 15)
    parts, start, previous = [], 0, None
    for line in lines[:end]:
        text = _TITLE_PREFIX.sub("", compact(line.text))
        if not text:
            continue
        if not parts and not _YEAR.search(text) and "报告" not in text:
            previous = line
            continue
        if not parts and _agency_above(text, previous):
            parts.append(compact(previous.text))
            start = previous.no
        parts.append(text)
        start = start or line.no
        if "报告" in text or len(parts) == 3:
            break
    title = "".join(parts)
    return (title, start) if "报告" in title else ("", 0)


def _agency_above(text: str, previous: Line | None) -> bool:
    """Given a title's first line that starts with its year: True when the line above is the agency's name.

    ("淮安市洪泽区人民政府" / "2024年政府信息公开工作年度报告".)
    """
    return bool(
        _YEAR_FIRST.match(text) and previous is not None and _AGENCY_LINE.fullmatch(compact(previous.text))
    )


def parse_title(title: str) -> dict:
    """Agency, year, region and kind from a title.

    >>> m = parse_title("广州市番禺区人民政府2024年政府信息公开工作年度报告")
    >>> m["agency"], m["year"], m["city"], m["district"], m["agency_kind"]
    ('广州市番禺区人民政府', 2024, '广州市', '番禺区', 'government')
    >>> parse_title("番禺区信访局关于2021年政府信息公开工作年度报告")["agency"]
    '番禺区信访局'
    """
    meta = {
        "agency": None,
        "year": None,
        "province": None,
        "city": None,
        "district": None,
        "agency_kind": None,
    }
    head = _TITLE_END.split(title)[0] if title else ""
    m = _AGENCY_YEAR.match(head) or _YEAR_AGENCY.match(title)
    if m:
        agency = m.group("agency").strip("的")
        meta["agency"] = agency or None
        meta["year"] = int(m.group("year"))
    elif head:
        meta["agency"] = head
    agency = meta["agency"] or ""
    rest = agency
    for key, pattern in (("province", _PROVINCE), ("city", _CITY), ("district", _DISTRICT)):
        found = pattern.match(rest)
        if found and not _NOT_PLACE.search(found.group("name")):
            meta[key] = found.group("name")
            rest = rest[found.end() :]
    if agency:
        meta["agency_kind"] = "government" if _GOVERNMENT.search(agency) else "department"
    return meta
