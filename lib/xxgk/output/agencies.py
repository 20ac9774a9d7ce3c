"""Across reports: duplicates resolved (one report per file content and per agency-year), and the agencies table.

**Duplicates.** Two files are the same report when their bytes are identical (a second download under
another name), or when they are different files for the same agency (``agency_id``) and year. One of them
is *used*; the others keep every row in every table but get ``duplicate_of`` (the report used) and a
``duplicate`` issue naming both files and why. The choice is deterministic, by the first of these that
differs:

1. status: ``ok`` before ``incomplete`` before ``failed`` (the most complete reading);
2. fewer error-severity issues (the reading that holds together best);
3. listed in its folder's MANIFEST.csv (a file its maintainer recorded, with its provenance);
4. file name, then report id, in code-point order (only so the choice never depends on the order given).

Byte-identical files are resolved first (their readings are the same, so rules 3 and 4 decide), then
agency-years among the reports left. Measures, charts and the panel read only reports whose
``duplicate_of`` is NA (``xxgk.analysis.corpus.used``).
"""

from __future__ import annotations

import pandas as pd

from xxgk.contract import schema

_STATUS_RANK = {"ok": 0, "incomplete": 1, "failed": 2}


def _listed(row: dict) -> bool:
    return not pd.isna(row["listed"]) and bool(row["listed"])


def _keys(reports: pd.DataFrame) -> pd.DataFrame:
    """The sort keys of the policy above, one row per report (smaller is preferred)."""
    return pd.DataFrame(
        {
            "status": reports["status"].map(_STATUS_RANK).fillna(3).astype(int),
            "errors": reports["n_errors"].fillna(0).astype(int),
            "unlisted": (~reports["listed"].fillna(False).astype(bool)).astype(int),
            "file": reports["source_file"].fillna("").astype(str),
            "rid": reports["report_id"].astype(str),
        },
        index=reports.index,
    )


def _why(used: dict, other: dict) -> str:
    """Why the report ``used`` was preferred to ``other`` (rows of the reports table)."""
    if used["status"] != other["status"]:
        return f"{used['report_id']} parsed {used['status']}, this one {other['status']}"
    if used["n_errors"] != other["n_errors"]:
        return f"{used['report_id']} has fewer errors ({used['n_errors']} against {other['n_errors']})"
    if _listed(used) != _listed(other):
        return f"{used['report_id']} is listed in its folder's MANIFEST.csv and this one is not"
    return f"both read alike; {used['report_id']} comes first by file name"


def _resolve(keys: pd.DataFrame, groups: pd.Series, what: str, out: dict) -> None:
    """For each group of two or more reports (by ``groups``, NA = no group), pick one; note the others
    in ``out`` (index of a duplicate -> (index of the report used, why they are the same))."""
    grouped = groups[groups.notna()]
    shared = grouped[grouped.duplicated(keep=False)]
    if shared.empty:
        return
    ordered = keys.loc[shared.index].assign(_group=shared.to_numpy())
    ordered = ordered.sort_values(["_group", *keys.columns], kind="stable")
    first = ~ordered["_group"].duplicated().to_numpy()
    used = dict(zip(ordered["_group"].to_numpy()[first], ordered.index[first], strict=True))
    for i, group in zip(ordered.index[~first], ordered["_group"].to_numpy()[~first], strict=True):
        out[i] = (used[group], what)


def resolve_duplicates(reports: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    """The reports table with ``duplicate_of`` filled, and the ``duplicate`` issue rows to append.

    ``n_issues`` of each duplicate counts its new issue (the issue is a warning: ``n_errors`` is unchanged).
    """
    reports = reports.copy()
    keys = _keys(reports)
    found: dict = {}
    _resolve(keys, reports["sha256"].astype("object"), "the same bytes (SHA-256)", found)
    agency_year = (reports["agency_id"].astype("string") + "|" + reports["year"].astype("string")).astype(
        "object"
    )
    agency_year[reports.index.isin(list(found))] = None
    _resolve(keys, agency_year.where(agency_year.notna(), None), "the same agency and year", found)
    involved = sorted({*found, *(used for used, _ in found.values())}, key=reports.index.get_loc)
    rows = reports.loc[involved].to_dict("index")
    issues = []
    duplicate_of = pd.Series(None, index=reports.index, dtype="object")
    for i in sorted(found, key=reports.index.get_loc):
        used_at, what = found[i]
        used, this = rows[used_at], rows[i]
        duplicate_of[i] = used["report_id"]
        same = (
            f"{this['agency_name']} {this['year']}" if what.startswith("the same agency") else used["sha256"]
        )
        issues.append(
            {
                "report_id": this["report_id"],
                "check": "duplicate",
                "severity": "warning",
                "expected": used["source_file"],
                "actual": this["source_file"],
                "location": this["source_file"],
                "message": (
                    f"{this['source_file']} and {used['source_file']} are the same report: {what} "
                    f"({same}). {used['source_file']} is used ({_why(used, this)}); this file is kept "
                    "with duplicate_of set and left out of measures, charts and the panel"
                ),
            }
        )
    reports["duplicate_of"] = pd.array(duplicate_of.tolist(), dtype="string")
    counted = pd.Series(1, index=list(found), dtype="Int64").reindex(reports.index, fill_value=0)
    reports["n_issues"] = (reports["n_issues"].astype("Int64") + counted).astype("Int64")
    return reports, issues


_REGION = ("agency_name", "province", "prefecture", "county", "adcode", "level", "agency_kind")
_NAMES = ("agency_name", "agency", "manifest_agency")  # every name seen, in this order


def agencies_table(reports: pd.DataFrame) -> pd.DataFrame:
    """One row per ``agency_id``: canonical name, every name seen, region, level, kind, years covered.

    Read from the columns as lists, agency by agency (a pandas group per agency cost ~1.5 ms: most of the
    time of a corpus of many agencies)."""
    have = reports[reports["agency_id"].notna()]
    if have.empty:
        return schema.empty("agencies")
    col = {
        k: [None if pd.isna(v) else v for v in have[k].tolist()]
        for k in {*_REGION, *_NAMES, "year", "status"}
    }
    rows_of: dict[str, list[int]] = {}
    for i, aid in enumerate(have["agency_id"].tolist()):
        rows_of.setdefault(aid, []).append(i)
    records = []
    for aid in sorted(rows_of):
        rows = rows_of[aid]
        years = [col["year"][i] for i in rows if col["year"][i] is not None]
        names = (col[k][i] for k in _NAMES for i in rows)
        records.append(
            {
                "agency_id": aid,
                **{k: col[k][rows[0]] for k in _REGION},
                "names": " | ".join(dict.fromkeys(str(n) for n in names if n is not None)),
                "first_year": int(min(years)) if years else None,
                "last_year": int(max(years)) if years else None,
                "n_reports": len(rows),
                "n_years": len({col["year"][i] for i in rows if col["status"][i] != "failed"} - {None}),
            }
        )
    return schema.frame("agencies", records)
