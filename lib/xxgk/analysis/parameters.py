"""A notebook's parameters, converted to their declared types and checked against what the data holds.

Parameters reach a notebook in several shapes: the defaults of its parameters cell, a YAML value from
``xxgk batch`` or ``papermill -y``, or text from ``papermill -p`` (which turns ``2022`` into a number and
leaves ``'["平潭综合实验区"]'`` a string). :func:`convert` is the one converter for all of them, used by the
batch runner before a run and by the notebooks' check cell after the parameters cell; :func:`check` then
tests each value against what is allowed (a language, a measure, a year or agency the data holds) and
raises one :class:`ParameterError` naming every bad parameter, the value given and what is allowed, before
any cell computes on it. A notebook holds no ``def`` or regex, so the whole check is one call here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from xxgk.analysis import corpus
from xxgk.contract.measures import RATES
from xxgk.output.files import load_tables

#: The languages of labels, tables and prose: code → the language's own name (docs and messages).
LANGS = {"zh": "中文", "en": "English"}
#: How many known years or agencies an error message lists before it says "and N more".
SHOW_KNOWN = 12

_LIST = re.compile(r"(?:list|List|tuple)(?:\[(.+)\])?")


class ParameterError(ValueError):
    """A parameter with a value that is not allowed; the message names each one and what is allowed."""


def convert(value, type_name: str):
    """Convert a parameter value to its declared type (``str``, ``int``, ``float``, ``bool``, ``list[...]``).

    A list parameter takes a list, one value (``2022`` → ``[2022]``), or a YAML/JSON list written as text
    (``'["平潭综合实验区"]'``, what ``papermill -p`` passes); its items are read as text first, so an
    identifier such as ``"0101"`` stays a string unless the item type says otherwise.

    >>> convert("2022", "list[int]")
    [2022]
    >>> convert('["平潭综合实验区"]', "list[str]")
    ['平潭综合实验区']
    >>> convert("[2021, 2023]", "list[int]"), convert([], "list[int]"), convert("", "list[str]")
    ([2021, 2023], [], [])
    >>> convert("0101", "str"), convert(7, "str"), convert("yes", "bool")
    ('0101', '7', True)
    """
    type_name = type_name.replace(" ", "")
    listed = _LIST.fullmatch(type_name)
    if listed:
        return [convert(v, listed.group(1) or "str") for v in _as_list(value)]
    if isinstance(value, (list, tuple)):
        raise ValueError(f"a list was given for a parameter of type {type_name}")
    if isinstance(value, dict):
        raise ValueError(f"a mapping was given for a parameter of type {type_name}")
    if type_name == "int":
        if isinstance(value, float) and not value.is_integer():
            raise ValueError(f"not a whole number: {value!r}")
        if isinstance(value, (int, float)):
            return int(value)
        if not re.fullmatch(r"[+-]?\d+", str(value).strip()):
            raise ValueError(f"not a whole number: {value!r}")
        return int(str(value).strip())
    if type_name == "float":
        return float(value)
    if type_name == "bool":
        lowered = str(value).strip().lower()
        if lowered not in ("true", "false", "yes", "no", "1", "0"):
            raise ValueError(f"not a boolean (true or false): {value!r}")
        return lowered in ("true", "yes", "1")
    return str(value)


def _as_list(value) -> list:
    """A list parameter's items: a list as it is; text that is a YAML/JSON list read with every item as text
    (YAML's base loader: ``0101`` is not the octal 65); empty text no item; anything else one item."""
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, dict):
        raise ValueError("a mapping was given for a list parameter")
    text = str(value).strip()
    if not text:
        return []
    if text.startswith("["):
        import yaml  # here: only a list written as text needs it (papermill and the batch have it)

        try:
            items = yaml.load(text, Loader=yaml.BaseLoader)
        except yaml.YAMLError as err:
            raise ValueError(f"not a list: {value!r} ({err.problem})") from None
        if not isinstance(items, list) or any(isinstance(i, (list, dict)) for i in items):
            raise ValueError(f"not a list of values: {value!r}")
        return items
    return [value]


@dataclass(frozen=True)
class Parameters:
    """A notebook's parameters after :func:`check`: typed, and each one allowed."""

    data_dir: str = ""
    raw_dir: str = ""
    lang: str = "zh"
    years: tuple[int, ...] = ()
    agencies: tuple[str, ...] = ()
    year: int | None = None
    agency: str | None = None
    rank_by: str | None = None


#: Each parameter :func:`check` knows, with its declared type (as in the notebooks' parameters cells).
TYPES = {
    "data_dir": "str",
    "raw_dir": "str",
    "lang": "str",
    "years": "list[int]",
    "agencies": "list[str]",
    "year": "int",
    "agency": "str",
    "rank_by": "str",
}


def check(**given) -> Parameters:
    """Convert and check a notebook's parameters (keyword arguments, named as in its parameters cell).

    Every problem is collected and raised at once as a :class:`ParameterError` whose message names the
    parameter, the value given and what is allowed: ``lang`` is one of :data:`LANGS`, ``rank_by`` a code
    of :data:`xxgk.contract.measures.RATES`, ``year``/``years`` and ``agency``/``agencies`` must be in the
    parsed tables of ``data_dir`` (an agency by any of its names, as :func:`corpus.select` takes it; ``year``
    0 means none chosen). ``raw_dir`` (the report files, for notebooks that read the prose) is only converted.
    """
    unknown = sorted(set(given) - set(TYPES))
    if unknown:
        raise TypeError(f"check() knows no parameter {unknown}; it knows {sorted(TYPES)}")
    values, problems = {}, []
    for name, value in given.items():
        try:
            values[name] = convert(value, TYPES[name])
        except ValueError as err:
            problems.append(f"{name} = {value!r}: {err}; expected {TYPES[name]}")
    if "lang" in values and values["lang"] not in LANGS:
        allowed = ", ".join(f"{k!r} ({v})" for k, v in LANGS.items())
        problems.append(f"lang = {values['lang']!r} is not a language of the labels; use one of {allowed}")
    if values.get("rank_by") is not None and values["rank_by"] not in {r.code for r in RATES}:
        allowed = ", ".join(f"{r.code!r} ({r.zh})" for r in RATES)
        problems.append(f"rank_by = {values['rank_by']!r} is not a measure; use one of {allowed}")
    if any(k in values for k in ("year", "years", "agency", "agencies")):
        problems += _against_data(values)
    if problems:
        raise ParameterError("Parameters not allowed:\n- " + "\n- ".join(problems))
    for name in ("years", "agencies"):
        if name in values:
            values[name] = tuple(values[name])
    return Parameters(**values)


def _against_data(values: dict) -> list[str]:
    """Years and agencies that the parsed tables of ``data_dir`` do not hold, each with what they hold."""
    try:
        folder = corpus.locate(values.get("data_dir", ""))
        reports = load_tables(folder, ["reports"])["reports"]
    except FileNotFoundError as err:
        return [f"data_dir = {values.get('data_dir', '')!r}: {err}"]
    problems = []
    held_years = sorted(set(reports["year"].dropna().astype(int)))
    for name in ("year", "years"):
        wanted = values.get(name)
        # year 0 is "none chosen": the notebook picks one (60 takes the agency's latest)
        wanted = [wanted] if name == "year" and wanted else wanted or []
        missing = [y for y in wanted if y not in held_years]
        if missing:
            problems.append(
                f"{name} = {values[name]!r}: no report of {missing} in {folder}; {_held(held_years)}"
            )
    names = [c for c in ("agency", "agency_name", "manifest_agency", "agency_id") if c in reports.columns]
    known = set().union(*(set(reports[c].dropna()) for c in names))
    for name in ("agency", "agencies"):
        wanted = values.get(name)
        wanted = [wanted] if name == "agency" and wanted is not None else wanted or []
        missing = [a for a in wanted if a not in known]
        if missing:
            held = sorted(set(reports["agency"].dropna()))
            problems.append(
                f"{name} = {values[name]!r}: no agency named {missing} in {folder}; {_held(held)}"
            )
    return problems


def _held(items: list) -> str:
    shown = ", ".join(map(str, items[:SHOW_KNOWN]))
    more = f" and {len(items) - SHOW_KNOWN} more" if len(items) > SHOW_KNOWN else ""
    return f"the data holds {shown}{more}" if items else "the data holds none"


#: What ``for_each`` in a batch file can go over: the parameter it sets, and the conditions it takes.
FOR_EACH = {"agency": ("min_years",), "year": ("min_reports",)}


def each(key: str, data_dir: str | Path = "", min_years: int = 1, min_reports: int = 1) -> list:
    """Every agency or every year the parsed tables of ``data_dir`` hold, for a batch's ``for_each``.

    Only the reports that charts use count (read, not failed; duplicates left out). ``agency``: each
    agency by its canonical name (``agency_name``, which :func:`corpus.select` takes, the printed title
    when there is none), with reports in at least ``min_years`` years, sorted by name. ``year``: each
    report year with at least ``min_reports`` reports, in order.
    """
    if key not in FOR_EACH:
        raise ValueError(f"for_each: {key!r} is not something to go over; use one of {sorted(FOR_EACH)}")
    reports = load_tables(corpus.locate(data_dir), ["reports"])["reports"]
    reports = corpus.used({"reports": reports})["reports"]  # duplicates out
    reports = reports[(reports["status"] != "failed") & reports["year"].notna()]
    if key == "year":
        counts = reports["year"].astype(int).value_counts()
        return sorted(int(y) for y, n in counts.items() if n >= min_reports)
    names = (
        reports["agency_name"].fillna(reports["agency"]) if "agency_name" in reports else reports["agency"]
    )
    who = reports["agency_id"].fillna(names) if "agency_id" in reports else names
    years = reports.assign(who=who, name=names).dropna(subset=["name"]).groupby("who")
    kept = years["year"].nunique() >= min_years
    return sorted(years["name"].first()[kept])
