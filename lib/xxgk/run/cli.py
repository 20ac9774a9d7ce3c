"""The command line: ``xxgk parse | score | batch | panel | dictionary | docs``.

``import xxgk`` and ``xxgk --help`` need only the core dependencies. A subcommand that needs an optional
extra (``xxgk batch``: papermill, nbconvert, pyyaml and the notebooks' plotting stack) imports it inside the
subcommand, after checking that it is installed; when it is not, it names the extra to install and exits 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from importlib.util import find_spec
from pathlib import Path

from xxgk.contract import schema
from xxgk.output.dataset import PartsNotFound
from xxgk.output.files import load_tables, output_folder_problem, write_tables
from xxgk.read.formats import BY_EXTENSION, collect_paths
from xxgk.run.dictionary import markdown, pages, refresh, stale_pages, write_pages
from xxgk.run.distributed import SchedulerError, dask_missing
from xxgk.run.pipeline import parse_many
from xxgk.run.stream import collect_urls, is_url, write_corpus

#: From this many files on, `xxgk parse` streams them (xxgk.run.stream.write_corpus): memory stays bounded
#: however large the corpus. Same tables as the in-memory path, except that the issues of the cross-year
#: checks come at the end of the issues table; below it, the in-memory path keeps them in their report's block.
STREAM_FROM = 2000

#: The optional extras of pyproject.toml: what each subcommand that needs one imports.
EXTRAS = {
    "batch": (
        "notebooks",
        ("yaml", "papermill", "nbconvert", "ipykernel", "matplotlib", "seaborn", "mpl_font"),
    ),
}


def _parse(args: argparse.Namespace) -> int:
    args.layout = args.layout or ("dataset" if is_url(args.out) else "files")
    files, problem = _parse_inputs(args)
    if problem:
        print(f"xxgk parse: {problem}", file=sys.stderr)
        return 2
    tables = None
    if args.scheduler is not None:
        try:
            written = _parse_on_dask(files, args)
        except (SchedulerError, PartsNotFound) as err:
            print(f"xxgk parse: {err}", file=sys.stderr)
            return 2
    elif len(files) >= STREAM_FROM or args.workers > 1 or args.layout == "dataset":
        # Bounded memory: chunks parsed and written as they come; the summary reads back the two small tables.
        write_corpus(files, args.out, progress=not args.quiet, workers=args.workers, layout=args.layout)
        written = _written(args.out, args.layout)
    else:
        tables = parse_many(files, progress=not args.quiet and len(files) > 1)
        written = write_tables(tables, args.out)
    if tables is None:
        tables = load_tables(args.out, ["reports", "issues"], columns={"issues": ["check", "severity"]})
    if not args.quiet:
        print(summary(tables))
        what = "files" if args.layout == "files" else "tables"
        kinds = ".csv and .parquet" if args.layout == "files" else "Parquet parts listed in _manifest.json"
        print(
            f"\nWrote {len(written)} {what} to {args.out}/ "
            f"({', '.join(sorted({Path(p).stem for p in written}))}; {kinds})"
        )
    errors = (tables["issues"]["severity"] == "error").sum()
    return 1 if args.strict and errors else 0


def _parse_inputs(args: argparse.Namespace) -> tuple[list, str | None]:
    """The report files (local, and fsspec URLs), or why the command cannot run: checked before any work."""
    needs_dask = args.scheduler is not None or args.layout == "dataset" or is_url(args.out)
    needs_dask = needs_dask or any(is_url(p) for p in args.paths)
    if needs_dask and dask_missing():
        return [], dask_missing()
    if args.layout == "files" and is_url(args.out):
        return [], "--out: a URL takes the dataset layout only (--layout dataset)"
    if args.shared_disk and args.scheduler is None:
        return [], "--shared-disk is said of a Dask cluster's workers: give --scheduler too"
    missing = [str(p) for p in args.paths if not is_url(p) and not os.path.lexists(p)]
    if missing:
        return [], f"no such file or folder: {', '.join(missing)}"
    local = [p for p in args.paths if not is_url(p)]
    try:
        files = [
            *(collect_paths(local) if local else []),
            *collect_urls([p for p in args.paths if is_url(p)]),
        ]
    except (OSError, ValueError) as err:
        return [], f"cannot list the inputs: {err}"
    if not files:
        return [], f"no report files ({', '.join(sorted(BY_EXTENSION))}) found in the paths given"
    # before anything is parsed: a run never ends unwritten (a URL is checked when it is written)
    problem = None if is_url(args.out) else output_folder_problem(args.out)
    return files, problem and f"--out {problem}"


def _written(out: str, layout: str) -> list[str]:
    suffixes = (".csv", ".parquet") if layout == "files" else ("",)
    return [f"{out}/{name}{suffix}" for name in schema.TABLES for suffix in suffixes]


def _parse_on_dask(files: list, args: argparse.Namespace) -> list[str]:
    """``xxgk parse --scheduler``: the chunks as tasks of a Dask cluster (xxgk.run.distributed)."""
    from xxgk.run import distributed

    # a local cluster's workers are processes of this machine: they read the files themselves
    shared = args.shared_disk or distributed.is_local(args.scheduler)
    with distributed.connect(args.scheduler) as client:
        write_corpus(
            files, args.out, progress=not args.quiet, executor=client, layout=args.layout, shared_disk=shared
        )
    return _written(args.out, args.layout)


def _score(args: argparse.Namespace) -> int:
    import json

    import pandas as pd

    from xxgk.testing.score import score_files

    files = sorted(f for p in map(Path, args.expected) for f in ([p] if p.is_file() else p.rglob("*.json")))
    names = [json.loads(f.read_text(encoding="utf-8")).get("file", f.stem) for f in files]
    reports = [Path(args.raw) / n for n in names]
    missing = [str(r) for r in reports if not r.exists()]
    if missing or not files:
        print(
            f"xxgk score: report files not found: {', '.join(missing) or 'no expected JSON given'}",
            file=sys.stderr,
        )
        return 2
    scores = score_files(parse_many(reports), files)
    table = pd.DataFrame([s.row() for s in scores])
    table.loc[len(table)] = ["all", *table.drop(columns="report_id").sum()]
    print(table.to_string(index=False))
    if args.details:
        for s in scores:
            for kind in ("wrong", "missing", "invented"):
                for cell in getattr(s, kind):
                    print(f"{s.report_id}\t{kind}\t{cell}")
    return 0


def _dictionary(args: argparse.Namespace) -> int:
    if args.write:
        changed = refresh(Path(args.write))
        print(f"{args.write}: {'updated' if changed else 'already up to date'}")
    else:
        print(markdown(), end="")
    return 0


def _docs(args: argparse.Namespace) -> int:
    if args.check:
        stale = stale_pages(Path(args.check))
        for name in stale:
            print(f"{Path(args.check) / name}: stale (run `xxgk docs --write {args.check}`)", file=sys.stderr)
        return 1 if stale else 0
    if args.write:
        changed = write_pages(Path(args.write))
        print(f"{args.write}: {', '.join(changed) + ' updated' if changed else 'already up to date'}")
    else:
        for name, text in pages().items():
            print(f"<!-- docs/{name} -->\n{text}")
    return 0


def _panel(args: argparse.Namespace) -> int:
    """``xxgk panel PARSED_DIR --out PATH``: one row per agency and year, in the format of PATH's extension."""
    from xxgk.analysis import panel as panels
    from xxgk.analysis.corpus import load
    from xxgk.output.panel import FORMATS, write_panel

    out = Path(args.out)
    if out.suffix.lower() not in FORMATS:
        print(f"xxgk panel: --out must end in {', '.join(FORMATS)}", file=sys.stderr)
        return 2
    if out.suffix.lower() == ".xlsx" and find_spec("openpyxl") is None:
        print("xxgk panel: .xlsx needs openpyxl: pip install 'xxgk[panel]'", file=sys.stderr)
        return 2
    try:
        tables = load(Path(args.parsed).resolve(), duplicates=True)
    except (FileNotFoundError, OSError) as err:
        print(f"xxgk panel: {err}", file=sys.stderr)
        return 2
    panel = panels.build(tables)
    if args.balanced:
        panel = panels.balanced(panel, args.years or ())
    elif args.years:
        panel = panel[panel["year"].isin([int(y) for y in args.years]).fillna(False).to_numpy()]
    write_panel(
        panel,
        panels.dictionary(),
        panels.sources(tables),
        out,
        bom=not args.no_bom,
        categorical=panels.CATEGORICAL,
    )
    per_year = panel.groupby("year")["agency_id"].nunique()
    print(
        f"{out}: {len(panel)} agency-years, {panel['agency_id'].nunique()} agencies "
        f"({', '.join(f'{y}: {n}' for y, n in per_year.items())}), {panel.shape[1]} columns"
    )
    return 0


def missing_extra(command: str) -> str | None:
    """The message for a subcommand whose optional extra is not installed (None when it is).

    >>> missing_extra("parse") is None
    True
    """
    if command not in EXTRAS:
        return None
    extra, modules = EXTRAS[command]
    missing = [m for m in modules if find_spec(m) is None]
    if not missing:
        return None
    return (
        f"xxgk {command} needs the optional dependencies of the '{extra}' extra "
        f"(not installed: {', '.join(missing)}): pip install 'xxgk[{extra}]'"
    )


def _batch(args: argparse.Namespace) -> int:
    message = missing_extra("batch") or (args.scheduler and dask_missing())
    if message:
        print(message, file=sys.stderr)
        return 2
    from xxgk.run import batch  # here, not at the top: `xxgk --help` and `xxgk parse` need no extra

    if args.scheduler is None:
        return batch.run_args(args)
    from xxgk.run import distributed

    try:
        with distributed.connect(args.scheduler) as client:
            args.executor = distributed.notebook_runner(client)
            args.workers = distributed.threads(client)
            return batch.run_args(args)
    except SchedulerError as err:
        print(f"xxgk batch: {err}", file=sys.stderr)
        return 2


def _batch_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "params", help="YAML file of notebooks and parameter sets (e.g. notebooks/params/sample.yml)"
    )
    parser.add_argument(
        "--out",
        default="output",  # where the command is run: an installed package has no repository folder
        help="folder for executed notebooks, HTML and index.html (default: ./output)",
    )
    parser.add_argument("--workers", type=int, default=2, help="notebooks run side by side (default 2)")
    parser.add_argument(
        "--timeout", type=int, help="seconds one cell may run (default: xxgk.run.batch.CELL_TIMEOUT)"
    )
    parser.add_argument(
        "--notebook-timeout",
        type=float,
        help="seconds one notebook may run before it is stopped (default: xxgk.run.batch.NOTEBOOK_TIMEOUT)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument(
        "--show-code",
        action="store_true",
        help="keep the code cells and their In/Out prompts in the HTML pages (default: prose, tables and "
        "charts only, for readers who do not program)",
    )
    _scheduler_argument(parser, "each notebook a task on a worker; outputs written here")


def _scheduler_argument(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help=f"run on a Dask cluster ({what}): a running scheduler's address (tcp://host:8786), or "
        "local:N for a local cluster of N worker processes; needs pip install 'xxgk[dask]'",
    )


def summary(tables) -> str:
    """A short plain-text summary: reports by status, issues by check and severity."""
    reports, issues = tables["reports"], tables["issues"]
    lines = [
        f"{len(reports)} reports: "
        + ", ".join(f"{n} {s}" for s, n in reports["status"].value_counts().sort_index().items())
    ]
    cols = ["report_id", "agency", "year", "template", "status", "n_issues", "n_errors"]
    lines.append(reports[cols].to_string(index=False))
    if len(issues):
        counts = issues.groupby(["check", "severity"]).size().rename("n").reset_index()
        lines.append("\nIssues by check:\n" + counts.to_string(index=False))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="xxgk",
        description="Government information disclosure annual reports "
        "(政府信息公开工作年度报告) as validated, tidy tables.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("parse", help="parse report files and/or folders into tables (CSV and Parquet)")
    p.add_argument("paths", nargs="+", help="report files or folders of them")
    p.add_argument("--out", required=True, help="folder for the tables")
    p.add_argument("--strict", action="store_true", help="exit 1 when any issue of severity error exists")
    p.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        help="processes parsing in parallel (default 1); the tables written are the same",
    )
    p.add_argument(
        "--layout",
        choices=("files", "dataset"),
        help="files: one CSV and one Parquet file per table (the default for a folder); dataset: Parquet "
        "parts partitioned by year, written by the workers, listed in _manifest.json (the default for a "
        "URL --out such as s3://bucket/out; needs pip install 'xxgk[dask]')",
    )
    _scheduler_argument(p, "each chunk of reports a task; the files' bytes are sent, no shared disk needed")
    p.add_argument(
        "--shared-disk",
        action="store_true",
        help="with --scheduler: the workers see the report files at the same paths (a shared file system): "
        "they read them, and this machine sends only their paths (always so with local:N)",
    )
    p.set_defaults(func=_parse)
    sc = sub.add_parser(
        "score", help="compare the parser with hand-checked expected values (JSON), cell by cell"
    )
    sc.add_argument("expected", nargs="+", help="expected JSON files or folders of them")
    sc.add_argument("--raw", default="data/raw", help="folder holding the report files the JSONs name")
    sc.add_argument("--details", action="store_true", help="list every cell that is not correct")
    sc.set_defaults(func=_score)
    b = sub.add_parser(
        "batch",
        help="run the notebooks over a parameters file (papermill) and render HTML "
        "(needs pip install 'xxgk[notebooks]')",
    )
    _batch_arguments(b)
    b.set_defaults(func=_batch)
    pn = sub.add_parser(
        "panel",
        help="one row per agency and year (duplicates resolved) as .xlsx, .csv, .dta or .parquet",
    )
    pn.add_argument("parsed", help="folder of tables written by `xxgk parse`")
    pn.add_argument(
        "--out", required=True, help="file to write: .xlsx, .csv (UTF-8 with BOM), .dta or .parquet"
    )
    pn.add_argument("--no-bom", action="store_true", help=".csv without the BOM (for tools that dislike it)")
    pn.add_argument("--years", nargs="+", type=int, help="keep these years only")
    pn.add_argument(
        "--balanced",
        action="store_true",
        help="only agencies read in every year (of --years, or of the panel)",
    )
    pn.set_defaults(func=_panel)
    d = sub.add_parser("dictionary", help="print the data dictionary (markdown) or refresh it in a README")
    d.add_argument("--write", metavar="README", help="replace the dictionary block in this file")
    d.set_defaults(func=_dictionary)
    dc = sub.add_parser("docs", help="print the data contract's pages (docs/*.md), write them, or check them")
    dc.add_argument("--write", metavar="DIR", help="write every page into this folder (docs/)")
    dc.add_argument("--check", metavar="DIR", help="exit 1 when a page in this folder is stale")
    dc.set_defaults(func=_docs)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
