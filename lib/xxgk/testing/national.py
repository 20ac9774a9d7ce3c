"""A SYNTHETIC national panel: hundreds of agencies over several years, with their truth. Not real data.

Places are real (provinces, prefectures and counties with their 行政区划代码, from the gazetteer that
``xxgk.parse.agency`` reads); the agencies in them, their names and every number are made up. Each file
says so (its manifest's ``source`` column, and the URLs are under ``example.invalid``).

What a researcher meets in a real corpus is drawn in:

- a hierarchy: a province's government and departments, its prefectures' and its counties', and streets
  (街道办事处) under the counties;
- sizes spread as in real reports: most agencies receive a handful of requests a year, a few thousands
  (log-normal), each with its own trend over the years;
- missing years (an agency's report not collected), agencies that start publishing late;
- renamed agencies: the title prints the old name up to a year, the new one after; the manifest names
  the agency by its current name, so both are one agency;
- duplicate downloads: a byte-identical copy under another name, or the same report in another layout;
- published inconsistencies: a report whose printed row total is off by one (an identity that fails:
  the parser reports it and keeps the printed number).

:func:`generate` draws it; :meth:`NationalPanel.write` writes the files (text, TSV, markdown, HTML) and a
MANIFEST.csv into a folder; ``truth`` holds one row per agency-year with the numbers the panel must show.
"""

from __future__ import annotations

import csv
import hashlib
import math
import random
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from xxgk.contract import codes
from xxgk.parse.agency import agency_id, gazetteer
from xxgk.testing.synth import Truth, draw, render

YEARS = tuple(range(2019, 2026))
SYNTHETIC = "SYNTHETIC (xxgk.testing.national): made-up agencies and numbers in real places; not real data"
_PROVINCE_DEPARTMENTS = ("教育厅", "民政厅", "自然资源厅", "生态环境厅", "交通运输厅", "卫生健康委员会")
_DEPARTMENTS = (
    "教育局",
    "民政局",
    "自然资源局",
    "住房和城乡建设局",
    "市场监督管理局",
    "信访局",
    "卫生健康委员会",
)
_STREETS = ("城关", "东城", "西城", "新华", "人民", "和平", "建设", "解放")
# Renamed: a synthetic department's former name (a title before the rename prints it).
_FORMER = {
    "市场监督管理局": "工商行政管理局",
    "卫生健康委员会": "卫生和计划生育委员会",
    "信访局": "群众来访接待办公室",
}
_LAYOUTS = (("tsv", ".txt"), ("pdftotext", ".txt"), ("html", ".html"), ("ocr", ".md"))
#: Columns of ``truth`` checked against the panel (total column of table 三, and table 四's review total).
CELLS = (
    "new_received_tot",
    "carried_over_tot",
    "granted_tot",
    "total_processed_tot",
    "carried_forward_tot",
    "rev_total",
)


@dataclass
class Agency:
    key: int
    name: str  # current (canonical) name
    former: str | None  # the name printed before ``renamed_in``
    renamed_in: int | None
    province: str
    prefecture: str | None
    county: str | None
    adcode: str
    level: str
    kind: str
    size: float  # requests in 2019
    growth: float  # yearly growth of requests
    years: tuple[int, ...]  # years with a report


@dataclass
class NationalPanel:
    agencies: list[Agency]
    reports: list[
        dict
    ]  # per agency-year: agency, year, truth (synth.Truth), files: [(name, layout, bytes, listed)]
    seed: int
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def truth(self) -> pd.DataFrame:
        """One row per agency-year with a report: identity, region and the cells of :data:`CELLS`."""
        rows = []
        for rep in self.reports:
            a, t = rep["agency"], rep["truth"]
            rows.append(
                {
                    "agency_key": a.key,
                    "agency_id": agency_id(a.name),
                    "agency_name": a.name,
                    "title_name": t.agency,
                    "province": a.province,
                    "prefecture": a.prefecture,
                    "county": a.county,
                    "adcode": a.adcode,
                    "level": a.level,
                    "agency_kind": a.kind,
                    "year": t.year,
                    "template": t.template,
                    "inconsistent": rep["inconsistent"],
                    "n_files": len(rep["files"]),
                    "duplicate": rep["duplicate"],
                    **{
                        "new_received_tot": t.requests["new_received"][6],
                        "carried_over_tot": t.requests["carried_over"][6],
                        "granted_tot": t.requests["granted"][6],
                        "total_processed_tot": t.requests["total_processed"][6],
                        "carried_forward_tot": t.requests["carried_forward"][6],
                        "rev_total": t.reviews["review"][4],
                    },
                }
            )
        out = pd.DataFrame(rows)
        for c in CELLS + ("year",):
            out[c] = out[c].astype("Int64")
        return out

    def write(self, folder: str | Path) -> list[Path]:
        """Write every file and a MANIFEST.csv (the listed files) into ``folder``; returns the report files."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        paths, manifest = [], []
        for rep in self.reports:
            a, t = rep["agency"], rep["truth"]
            for name, layout, data, listed in rep["files"]:
                path = folder / name
                path.write_bytes(data)
                paths.append(path)
                if listed:
                    manifest.append(
                        {
                            "file": name,
                            "sha256": hashlib.sha256(data).hexdigest(),
                            "agency": a.name,
                            "year": t.year,
                            "format": layout,
                            "url": f"https://example.invalid/xxgk-synthetic/{name}",
                            "published": f"{t.year + 1}-0{1 + a.key % 3}-{10 + a.key % 18:02d}",
                            "source": SYNTHETIC,
                        }
                    )
        with open(folder / "MANIFEST.csv", "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(manifest[0]))
            writer.writeheader()
            writer.writerows(manifest)
        return paths


def _hierarchy(rng: random.Random, n_provinces: int) -> list[tuple]:
    """(name, province, prefecture, county, adcode, level, kind) of every synthetic agency."""
    g = gazetteer()
    provinces = sorted(p for p in g.places.values() if p.level == "province" and p.type in ("省", "自治区"))
    out = []
    for prov in rng.sample(provinces, n_provinces):
        out.append((f"{prov.name}人民政府", prov.name, None, None, prov.code, "province", "government"))
        for dept in rng.sample(_PROVINCE_DEPARTMENTS, 2):
            out.append((prov.name + dept, prov.name, None, None, prov.code, "province", "department"))
        prefs = sorted(p for p in g.places.values() if p.level == "prefecture" and p.province == prov.code)
        for pref in rng.sample(prefs, min(3, len(prefs))):
            out.append(
                (f"{pref.name}人民政府", prov.name, pref.name, None, pref.code, "prefecture", "government")
            )
            for dept in rng.sample(_DEPARTMENTS, 2):
                out.append(
                    (pref.name + dept, prov.name, pref.name, None, pref.code, "prefecture", "department")
                )
            counties = sorted(
                p for p in g.places.values() if p.level == "county" and p.prefecture == pref.code
            )
            for county in rng.sample(counties, min(3, len(counties))):
                where = pref.name + county.name
                row = (prov.name, pref.name, county.name, county.code)
                out.append((f"{where}人民政府", *row, "county", "government"))
                out.append((where + rng.choice(_DEPARTMENTS), *row, "county", "department"))
                out.append((f"{where}{rng.choice(_STREETS)}街道办事处", *row, "township", "township"))
    return out


def _requests(template: str, size: int, rng: random.Random) -> dict[str, tuple]:
    """Table 三 for an agency that received about ``size`` new requests: every identity holds."""
    rows = codes.request_rows(template)
    outcome = codes.outcome_rows(template)
    weights = {r: 0.2 for r in outcome}
    weights.update(granted=6.0, partially_granted=2.0, unable_not_held=3.0, unable_unclear=1.0)
    numbers = {r: [0] * 6 for r in rows}
    shares = [0.85, 0.06, 0.01, 0.01, 0.02, 0.05]
    for j, share in enumerate(shares):
        new = round(size * share * rng.uniform(0.6, 1.4)) if size else 0
        over = rng.randint(0, max(0, new // 10))
        forward = rng.randint(0, max(0, (new + over) // 10))
        handled = new + over - forward
        for _ in range(handled):
            numbers[rng.choices(outcome, [weights[r] for r in outcome])[0]][j] += 1
        numbers["new_received"][j], numbers["carried_over"][j] = new, over
        numbers["carried_forward"][j], numbers["total_processed"][j] = forward, handled
    return {r: (*numbers[r], sum(numbers[r])) for r in rows}


def _draw_report(a: Agency, year: int, rng: random.Random, inconsistent: bool) -> Truth:
    template = "2019" if year < 2021 else "2021"
    base = draw(rng, template)  # table 二, table 四 and prose from the synthetic report generator
    size = max(0, round(a.size * (1 + a.growth) ** (year - YEARS[0]) * rng.uniform(0.8, 1.2)))
    requests = _requests(template, min(size, 20_000), rng)
    if inconsistent:  # a printed row total off by one: granted's total ≠ the sum of its columns
        granted = requests["granted"]
        requests["granted"] = (*granted[:6], granted[6] + 1)
    title = a.former if a.former and a.renamed_in and year < a.renamed_in else a.name
    facts = {"new_received": requests["new_received"][6]} if rng.random() < 0.5 else {}
    return replace(base, agency=title, year=year, requests=requests, facts=facts)


def generate(n_provinces: int = 8, seed: int = 0, years: tuple[int, ...] = YEARS) -> NationalPanel:
    """A synthetic national panel: about 39 agencies per province (8 provinces: ~310 agencies) × ``years``."""
    rng = random.Random(seed)
    agencies = []
    for key, (name, prov, pref, county, adcode, level, kind) in enumerate(_hierarchy(rng, n_provinces)):
        dept = next((d for d in _FORMER if name.endswith(d)), None)
        renamed = dept is not None and rng.random() < 0.3
        size = math.exp(rng.gauss(1.6, 1.5)) * (3 if level in ("province", "prefecture") else 1)
        start = years[0] if rng.random() < 0.8 else rng.choice(years)
        present = tuple(y for y in years if y >= start and rng.random() < 0.9)
        agencies.append(
            Agency(
                key,
                name,
                name[: -len(dept)] + _FORMER[dept] if renamed else None,
                rng.choice(years[1:]) if renamed else None,
                prov,
                pref,
                county,
                adcode,
                level,
                kind,
                size,
                rng.gauss(0.05, 0.15),
                present,
            )
        )
    reports = []
    for a in agencies:
        for year in a.years:
            inconsistent = rng.random() < 0.03
            truth = _draw_report(a, year, rng, inconsistent)
            layout, ext = rng.choice(_LAYOUTS)
            stem = f"n{a.key:04d}_{year}"
            data = render(truth, layout, rng).bytes()
            files = [(stem + ext, layout, data, True)]
            duplicate = None
            r = rng.random()
            if r < 0.03:  # a second download of the same file
                files.append((f"{stem}_copy{ext}", layout, data, False))
                duplicate = "same_bytes"
            elif r < 0.05:  # the same report collected again in another layout
                other, other_ext = rng.choice([x for x in _LAYOUTS if x[0] != layout])
                # listed too: a maintainer records every file collected (so the manifest names the agency)
                files.append((f"{stem}_b{other_ext}", other, render(truth, other, rng).bytes(), True))
                duplicate = "same_agency_year"
            reports.append(
                {
                    "agency": a,
                    "truth": truth,
                    "files": files,
                    "inconsistent": inconsistent,
                    "duplicate": duplicate,
                }
            )
    return NationalPanel(agencies, reports, seed)
