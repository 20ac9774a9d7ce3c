"""Fuzzing: corrupted reports must never crash the parser and never make it print a number not in the file.

``python -m xxgk.testing.fuzz --n 10000 --seed 1`` draws synthetic reports (:mod:`xxgk.testing.synth`),
renders each in a random layout, corrupts it (lines deleted, duplicated or shuffled, OCR noise, random bytes, a wrong
encoding, a cut mid-character, digits glued together) and parses it through the public front door. It
prints the number of crashes (an exception escaped) and of *invented numbers*: a printed cell whose value
does not appear as a number on the line of the input that the parser gives as its source (a prose fact: in
the whole input). Both must be 0; the exit code is 1 otherwise. ``--save DIR`` keeps each failing input.

A cell marked ``derived`` (a glued digit run split by the identities) must have its digits inside a digit
run of its source line. Why "on its source line": a parser that sums, shifts or joins numbers, or cites the
wrong line, is caught, not only one that makes numbers up out of nothing.

A printed cell is held to more: its number must stand on its source line as a number of its own, with its
sign (:func:`cell_numbers_in`): 15 read from "15件", "约15", "15%", "3-5" or "−15" is invented, and so is a cell
whose source line is a note (注：…) or a page number ("— 5 —"). A prose fact may come from a note.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
import tempfile
import time
import traceback
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd

from xxgk.read.text import UnreadableFile, decode
from xxgk.testing import synth
from xxgk.testing.damage import Case, make_case

# ---------------------------------------------------------------------------------------------------------
# The invented-number check


# Digits are decimal digits only (\d: ASCII and full-width), never superscripts or circled numbers, which
# NFKC would turn into digits: the check reads the text as printed, before the parser's normalisation.
_RUN = re.compile(r"\d+(?:[.,，．]\d+)*")
_SEPARATORS = str.maketrans("，．", ",.")


def numbers_in(text: str) -> set[Decimal]:
    """Every number a reader can see in a text as printed: each run of decimal digits (full-width ones
    count), read whole without thousands separators, and each of its pieces between separators. Signs are
    ignored. A footnote mark is not a digit: "66²" holds 66 only.

    >>> [str(n) for n in sorted(numbers_in("合计 1,774 件，金额 9116.36 万元，共１２件，66²"))]
    ['1', '12', '36', '66', '774', '1774', '9116', '9116.36']
    """
    out: set[Decimal] = set()
    for found in _RUN.findall(text):
        run = found.translate(_SEPARATORS)
        for piece in (run.replace(",", ""), *re.split(r"[.,]", run), *run.split(",")):
            try:
                out.add(abs(Decimal(piece)))
            except InvalidOperation:
                continue
    return out


# Written apart from the reader's own rules on purpose: the check must not share the code it checks.
_MINUS = frozenset("-−－")
_APPROX_BEFORE = frozenset("约近超逾~～≈")
_UNIT_AFTER = frozenset("件个条项次人份宗起%％‰")
_RANGE = frozenset("-~～至到")
_NOTE_LINE = re.compile(r"[*※]?(?:注|说明|备注|附注)")
# A whole line that only numbers its page (a row with a page number glued before it is still a row).
_PAGE_LINE = re.compile(r"[-—–－]+\s*\d+\s*[-—–－]+|第\s*\d+\s*页(?:\s*共\D{0,3}\d+\s*页)?")
_MARKUP = re.compile(r"<[^<>]*>|[|\s#*]+")


def cell_numbers_in(text: str) -> set[Decimal]:
    """The numbers a table cell may take from a line as printed: each number standing on its own, with its
    sign; not one glued to a unit or an approximation, in a range, or with a stray point after it.

    >>> [str(n) for n in sorted(cell_numbers_in("规章 15件 约3 7% 3-5 −2 1,774 12. 9116.36万元 0 -**8"))]
    ['-8', '-2', '0', '1', '36', '774', '1774', '9116', '9116.36']
    """
    out: set[Decimal] = set()
    for m in _RUN.finditer(text):
        i, j = m.start(), m.end()
        while i > 0 and text[i - 1] in "*_>":  # markup is not print: "-**20", "-<b>20" are printed -20
            if text[i - 1] == ">":
                i = max(text.rfind("<", 0, i - 1), 0)
            else:
                i -= 1
        before, after = text[i - 1 : i], text[j : j + 1]
        if (before and before in _APPROX_BEFORE) or (after and after in _UNIT_AFTER | {".", "．"}):
            continue
        if after and after in _RANGE and text[j + 1 : j + 2].isdigit():
            continue
        negative = bool(before) and before in _MINUS
        if negative and text[i - 2 : i - 1].isdigit():  # the end of a range (3-5)
            continue
        sign = -1 if negative else 1
        out |= {sign * n for n in numbers_in(m.group())}
    return out


def set_aside_source(line: str) -> str:
    """What a line is when no table cell may come from it ("a note", "a page number"), else ""."""
    bare = _MARKUP.sub("", line)
    if _NOTE_LINE.match(bare):
        return "a note"
    return "a page number" if _PAGE_LINE.fullmatch(line.strip()) else ""


def document_lines(data: bytes, layout: str = "") -> list[str] | None:
    """The lines of the input as the parser sees them (same decoding), or None when it is unreadable.

    HTML is numbered by blocks, not lines (:mod:`xxgk.read.html`), so its numbers are checked against the whole
    page as shown (read with lxml): block and cell tags separate text, other tags (also unknown or broken
    ones a damaged byte made, such as ``2<d>0`` or ``77</td3<td>0``) do not.
    """
    try:
        text = decode(data).text
    except UnreadableFile:
        return None
    lines = text.splitlines()
    if layout != "html":
        return lines
    # lxml may stop at damaged bytes where the parser's reading goes on: the markup with its tags read as
    # separators (cells apart) covers the rest.
    shown = _html_shown(text) + "\n" + _HTML_TAG.sub(" ", text)
    return [shown] * max(1, len(lines))


_HTML_TAG = re.compile(r"<[^<>]*>")


_HTML_BLOCKS = frozenset(
    {
        "td",
        "th",
        "tr",
        "table",
        "tbody",
        "thead",
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "title",
        "head",
        "body",
        "html",
    }
)


def _html_shown(text: str) -> str:
    """The text of a page as shown: blocks and cells apart, inline and unknown tags not separating."""
    import lxml.html

    try:
        doc = lxml.html.document_fromstring(text)
    except Exception:
        return text
    for el in doc.iter():
        if isinstance(el.tag, str) and el.tag in _HTML_BLOCKS:
            for attr in ("text", "tail"):
                # ValueError: control characters lxml will not store; keep the text as it is.
                with contextlib.suppress(ValueError):
                    setattr(el, attr, " " + (getattr(el, attr) or ""))
    return doc.text_content()


def invented_numbers(tables: dict[str, pd.DataFrame], docs: dict[str, list[str] | None]) -> list[str]:
    """Printed cells (and prose facts) whose value is not a number of the input (on their source line)."""
    found = []
    cache: dict[tuple[str, int], tuple[set[Decimal], set[Decimal]]] = {}
    whole: dict[str, set[Decimal]] = {}
    for name, column in (
        ("requests", "count"),
        ("reviews", "count"),
        ("proactive", "value"),
        ("facts", "value"),
    ):
        df = tables[name]
        if name == "facts":  # a zero stated in words (未收取信息处理费, 没有收到申请) is stated, not invented
            df = df[~((df["value"] == 0) & df["sentence"].str.contains("无|未|没有", regex=True))]
        statuses = df["cell_status"] if name != "facts" else pd.Series("printed", index=df.index)
        if name != "facts":
            keep = statuses.isin(["printed", "derived"])
            df, statuses = df[keep], statuses[keep]
        for rid, value, line, status in zip(
            df["report_id"], df[column], df["source_line"], statuses, strict=False
        ):
            lines = docs.get(rid)
            if lines is None:
                found.append(f"{rid} {name}: {value} from an unreadable input")
                continue
            if pd.isna(value):
                if name != "facts":
                    found.append(f"{rid} {name}: a printed cell without a value")
                continue
            number = abs(Decimal(str(value)))
            if number == number.to_integral():
                number = number.quantize(Decimal(1))
            if name == "facts":
                if rid not in whole:
                    whole[rid] = numbers_in("\n".join(lines))
                ok = any(number == n for n in whole[rid])
            else:
                if pd.isna(line) or not 1 <= int(line) <= len(lines):
                    found.append(f"{rid} {name}: {value} cites line {line}, not a line of the input")
                    continue
                if status == "derived":  # split from a glued run: its digits must stand in that run
                    ok = _in_a_digit_run(number, lines[int(line) - 1])
                else:
                    text = lines[int(line) - 1]
                    numbers = cache.get((rid, int(line))) or cache.setdefault(
                        (rid, int(line)), _line_numbers(text)
                    )
                    ok, problem = _printed_cell(Decimal(str(value)), number, text, numbers)
                    if problem:
                        found.append(f"{rid} {name}: {value} (line {line}) {problem}")
            if not ok:
                found.append(f"{rid} {name}: {value} (line {line}) is not a number of the input")
    return found


def _in_a_digit_run(number: Decimal, text: str) -> bool:
    digits = format(number, "f")
    runs = re.findall(r"\d+(?:,\d{3})*", unicodedata.normalize("NFKC", text))  # 13,973 is the run 13973
    return any(digits in run.replace(",", "") for run in runs)


def _line_numbers(text: str) -> tuple[set[Decimal], set[Decimal]]:
    """A line's numbers as any reader sees them, and those a table cell may take (:func:`cell_numbers_in`)."""
    return numbers_in(text), cell_numbers_in(text)


def _printed_cell(
    value: Decimal, number: Decimal, text: str, numbers: tuple[set[Decimal], set[Decimal]]
) -> tuple[bool, str]:
    """Given a printed cell's value (and its absolute ``number``) and its source line: whether the number is
    on the line at all, and what is wrong when it is there but a cell may not take it from there."""
    if not any(number == n for n in numbers[0]):
        return False, ""
    if value not in numbers[1]:
        return True, f"stands there only inside a token that is not a number: {text.strip()[:80]!r}"
    source = set_aside_source(text)
    return True, f"comes from {source}: {text.strip()[:80]!r}" if source else ""


# ---------------------------------------------------------------------------------------------------------
# The run


@dataclass
class Result:
    cases: int = 0
    crashes: list[str] = field(default_factory=list)
    invented: list[str] = field(default_factory=list)
    failed_reports: int = 0
    seconds: float = 0.0


def run(n: int, seed: int = 1, save: Path | None = None, batch: int = 500, progress: bool = False) -> Result:
    """Parse ``n`` corrupted inputs (cases ``seed * 10**6`` onwards), in batches written to a temp folder."""
    from xxgk.output.tables import to_tables
    from xxgk.run.pipeline import parse_file

    result = Result()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="xxgk-fuzz-") as tmp:
        folder = Path(tmp)
        for first in range(0, n, batch):
            reports, docs, cases = [], {}, {}
            for i in range(first, min(n, first + batch)):
                case = make_case(seed * 10**6 + i)
                rid = f"case{case.seed}"
                path = folder / f"{rid}{Path(synth.FILE_NAMES[case.layout]).suffix}"
                path.write_bytes(case.data)
                cases[rid] = case
                docs[rid] = document_lines(case.data, case.layout)
                try:
                    report = parse_file(path)
                    reports.append(report)
                    # parse_file turns a parser exception into a failed report: for the fuzz run it is a crash.
                    bug = next((i.message for i in report.issues if i.check == "parser_error"), None)
                    if bug:
                        result.crashes.append(f"{rid} ({case.layout}, {'+'.join(case.corruptions)}): {bug}")
                        _save(save, case)
                except Exception as err:
                    result.crashes.append(
                        f"{rid} ({case.layout}, {'+'.join(case.corruptions)}): {_where(err)}"
                    )
                    _save(save, case)
                path.unlink()
                result.cases += 1
            try:
                tables = to_tables(reports)
            except Exception as err:
                result.crashes.append(f"to_tables for cases {first}..: {_where(err)}")
                continue
            result.failed_reports += int((tables["reports"]["status"] == "failed").sum())
            invented = invented_numbers(tables, docs)
            result.invented.extend(invented)
            for rid in {msg.split(" ", 1)[0] for msg in invented}:
                _save(save, cases[rid])
            if progress:
                print(
                    f"  {result.cases} cases, {len(result.crashes)} crashes, {len(result.invented)} invented",
                    file=sys.stderr,
                )
    result.seconds = time.perf_counter() - start
    return result


def _where(err: BaseException) -> str:
    """The exception and the innermost frame of the library it came from."""
    frames = [
        f for f in traceback.extract_tb(err.__traceback__) if "/xxgk/" in f.filename
    ] or traceback.extract_tb(err.__traceback__)
    f = frames[-1]
    return f"{type(err).__name__}: {err} at {Path(f.filename).name}:{f.lineno} ({f.name})"


def _save(folder: Path | None, case: Case) -> None:
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"case{case.seed}-{case.layout}-{'+'.join(case.corruptions)}.txt").write_bytes(case.data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m xxgk.testing.fuzz", description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="number of corrupted inputs (default 10000)")
    parser.add_argument("--seed", type=int, default=1, help="run seed: cases seed*10**6 … seed*10**6+n-1")
    parser.add_argument("--save", type=Path, help="folder to keep the inputs that crash or invent numbers")
    parser.add_argument("--progress", action="store_true", help="print a line per batch of 500")
    parser.add_argument(
        "--scans",
        type=int,
        default=0,
        help="also this many synthetic scans read by OCR (a few s each; ocr extra)",
    )
    args = parser.parse_args(argv)
    result = run(args.n, args.seed, args.save, progress=args.progress)
    scan_failures = run_scans(args.scans, args.seed) if args.scans else []
    print(
        f"{result.cases} corrupted inputs in {result.seconds:.1f} s "
        f"({result.cases / result.seconds:.0f}/s); {result.failed_reports} read as failed reports"
    )
    print(f"crashes: {len(result.crashes)}")
    for msg in result.crashes[:20]:
        print("  " + msg)
    print(f"invented numbers: {len(result.invented)}")
    for msg in result.invented[:20]:
        print("  " + msg)
    return 1 if result.crashes or result.invented or scan_failures else 0


def run_scans(n: int, seed: int = 1) -> list[str]:
    """``n`` synthetic reports drawn as damaged page images and read by OCR (:mod:`xxgk.testing.scan`):
    prints the cells right, and returns the crashes, wrong numbers and unflagged lost numbers."""
    from xxgk.testing.scan import scan_problems

    failures: list[str] = []
    cells = right = 0
    start = time.perf_counter()
    for i in range(n):
        try:
            c, r, problems = scan_problems(seed * 10**6 + i)
        except Exception as err:
            failures.append(f"scan {seed * 10**6 + i}: {_where(err)}")
            continue
        cells, right = cells + c, right + r
        failures += problems
    share = f"{100 * right / cells:.1f} %" if cells else "n/a"
    print(
        f"synthetic scans: {n} in {time.perf_counter() - start:.0f} s, cells right {right}/{cells} ({share})"
    )
    print(f"scan failures (crash, wrong number, NA without an issue): {len(failures)}")
    for msg in failures[:20]:
        print("  " + msg)
    return failures


if __name__ == "__main__":
    sys.exit(main())
