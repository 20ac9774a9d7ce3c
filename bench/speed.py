"""Issue 14 §4–§5, side by side in one run: prints figures, asserts nothing.

(a) PDF: xxgk's reader (:func:`xxgk.read.pdf.read`, the PDF's Lines) and the whole parse of a PDF
    (:func:`xxgk.run.pipeline.parse_file`) against pypdfium2's plain text extraction of the same file (every page's
    ``get_textpage().get_text_range()``), timed in this process on the same bytes, interleaved file by file,
    ``--repeats`` rounds; CPU time (this thread) and wall time, totals over the rounds.
(b) Text: reports per CPU second of this checkout against another commit of the project (``--base``,
    default the commit issue 14's work started from), on the same synthetic corpus. Two versions of the
    package cannot live in one interpreter, so each round parses the corpus in a fresh child process per
    version, the versions alternating (A B A B …) so that machine load hits both alike; the old code is
    ``git archive BASE lib`` unpacked in a temp folder and put first on the child's PYTHONPATH. Each child
    first parses a tenth as many other reports (another seed): imports done, caches holding what reports
    share, but not this corpus's own lines.

    python bench/speed.py                          # both, the data/raw PDFs (+ --pdfs FOLDER …)
    python bench/speed.py --pdf-only --pdfs /tmp/pdfs --repeats 10
    python bench/speed.py --text-only --n 2000 --rounds 3 --base 7fa69a8
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The commit issue 14 (§4–§5) started from: "today" in its targets.
BASE = "7fa69a8"


# (a) PDF --------------------------------------------------------------------------------------------------


def plain_text(data: bytes) -> list[str]:
    """pypdfium2's plain text of every page: the floor a PDF reader cannot go below."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        out = []
        for k in range(len(doc)):
            page = doc[k]
            textpage = page.get_textpage()
            out.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return out
    finally:
        doc.close()


def calls_floor(data: bytes) -> None:
    """The plain text, plus only the pdfium calls the reader cannot do without in Python: a box per
    character (pdfium has no bulk call for boxes) and a type per page object (to find the ruling paths):
    no Python work on their results. What is left between this and the reader is the reader's own work."""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    from xxgk.read.pdfium_calls import count_objects, get_object, loose_box, object_type

    doc = pdfium.PdfDocument(data)
    try:
        for k in range(len(doc)):
            page = doc[k]
            textpage = page.get_textpage()
            textpage.get_text_range()
            handle = ctypes.c_void_p(ctypes.cast(textpage.raw, ctypes.c_void_p).value)
            box = ctypes.byref(pdfium_c.FS_RECTF())
            for i in range(pdfium_c.FPDFText_CountChars(textpage.raw)):
                loose_box(handle, i, box)
            page_handle = ctypes.c_void_p(ctypes.cast(page.raw, ctypes.c_void_p).value)
            for j in range(count_objects(page_handle)):
                object_type(get_object(page_handle, j))
            textpage.close()
            page.close()
    finally:
        doc.close()


def pure_python_read(data: bytes):
    """:func:`xxgk.read.pdf.read` on the pure-Python path (what ``XXGK_PURE_PYTHON=1`` gives), in this
    process: every compiled twin swapped for its Python specification for the call (a twin ``X`` of
    pdf.py and pdf_grid.py has its specification in ``X_py``, wherever ``X`` was imported; the functions
    that choose at the call read the modules' ``core``)."""
    from xxgk.read import pdf, pdf_grid

    modules = (pdf, pdf_grid)
    twins = {  # each compiled function, and its specification
        id(getattr(m, name[:-3])): getattr(m, name)
        for m in modules
        for name in vars(m)
        if name.endswith("_py") and hasattr(m, name[:-3])
    }
    saved = []
    for module in modules:
        saved.append((module, "core", module.core))
        module.core = None
        for name, value in list(vars(module).items()):
            if id(value) in twins and value is not twins[id(value)]:  # (pdf.py imports pdf_grid.bbox too)
                saved.append((module, name, value))
                setattr(module, name, twins[id(value)])
    compiled = [n for m in (pdf, pdf_grid) for n, v in vars(m).items() if _is_core(v)]
    assert not compiled, f"compiled functions left on the pure path: {compiled}"
    try:
        return pdf.read(data)
    finally:
        for module, name, value in saved:
            setattr(module, name, value)


def _is_core(value) -> bool:
    return getattr(value, "__module__", None) == "xxgk.read._pdfcore" or getattr(value, "__name__", "") == (
        "xxgk.read._pdfcore"
    )


def pdf_side_by_side(paths: list[Path], repeats: int) -> dict[str, dict[str, float]]:
    """CPU and wall seconds of each contender over ``repeats`` rounds of every file, interleaved."""
    from xxgk.read import pdf, pdfium_calls
    from xxgk.run.pipeline import parse_file

    datas = [p.read_bytes() for p in paths]
    which = "compiled core" if pdfium_calls.core else "pure Python"
    contenders = {
        "pypdfium2 plain text": plain_text,
        "  + a box per char, a type per object": calls_floor,
        f"xxgk PDF reader (Lines), {which}": pdf.read,
        "xxgk PDF reader, pure Python": pure_python_read if pdfium_calls.core else None,
        "xxgk parse_file (whole parse)": parse_file,  # from the path, as a corpus run reads it
    }
    contenders = {name: fn for name, fn in contenders.items() if fn is not None}
    for path, data in zip(paths, datas, strict=True):  # warm-up: imports, caches, fonts
        plain_text(data), pdf.read(data), pure_python_read(data), parse_file(path)
    cpu = dict.fromkeys(contenders, 0.0)
    wall = dict.fromkeys(contenders, 0.0)
    for _ in range(repeats):
        for path, data in zip(paths, datas, strict=True):
            for name, fn in contenders.items():
                c, w = time.thread_time(), time.perf_counter()
                fn(path) if fn is parse_file else fn(data)
                cpu[name] += time.thread_time() - c
                wall[name] += time.perf_counter() - w
    return {name: {"cpu": cpu[name], "wall": wall[name]} for name in contenders}


def print_pdf(paths: list[Path], repeats: int) -> None:
    figures = pdf_side_by_side(paths, repeats)
    pages = sum(len(plain_text(p.read_bytes())) for p in paths)
    n = len(paths) * repeats
    floor = figures["pypdfium2 plain text"]
    print(f"\n(a) PDF: {len(paths)} files, {pages} pages, {repeats} rounds interleaved (load {_load()})")
    print(f"parse_file and the first reader line read with {_path()}")
    print(f"{'':38} {'CPU ms/file':>12} {'wall ms/file':>13} {'CPU ratio':>10} {'wall ratio':>11}")
    for name, f in figures.items():
        print(
            f"{name:38} {1000 * f['cpu'] / n:12.2f} {1000 * f['wall'] / n:13.2f} "
            f"{f['cpu'] / floor['cpu']:9.2f}x {f['wall'] / floor['wall']:10.2f}x"
        )


# (b) text -------------------------------------------------------------------------------------------------


def write_corpus(folder: Path, n: int, seed: int) -> None:
    """``n`` synthetic reports in every layout synth has (text, TSV, OCR, HTML), a fifth with cells lost,
    spread over n/4 agencies as bench/run.py does (synth's 63 agencies would make most reports duplicates
    of each other and give tens of thousands of cross-year issues no real corpus has)."""
    import dataclasses

    from xxgk.testing import synth

    rng = random.Random(seed)
    for i in range(n):
        truth = synth.draw(rng)
        k = rng.randrange(max(1, n // 4))
        place, kind = "".join(synth._PLACES[k % 9]), synth._AGENCY_KINDS[k // 9 % 7]
        number = "".join("零一二三四五六七八九"[int(d)] for d in str(k + 1))  # no digit in a name
        truth = dataclasses.replace(truth, agency=f"{place}{number}街道{kind}")
        if i % 5 == 0:
            truth = synth.with_missing_cells(truth, rng)
        text = synth.render(truth, rng.choice(synth.LAYOUTS), rng).text
        (folder / f"s{i:05d}.txt").write_text(text, encoding="utf-8")


def child(folder: str, warm: str) -> None:
    """In a fresh process: parse the ``warm`` folder (imports; caches filled with rows any corpus shares,
    not with this corpus's own lines), then the folder, timed."""
    import xxgk

    xxgk.parse_many([warm])
    c, w = time.process_time(), time.perf_counter()
    tables = xxgk.parse_many([folder])
    out = {"cpu": time.process_time() - c, "wall": time.perf_counter() - w, "n": len(tables["reports"])}
    print(json.dumps({**out, "module": xxgk.__file__}))


def unpack(ref: str, into: Path) -> Path:
    """The project's ``lib`` at commit ``ref``, unpacked into ``into``."""
    archive = into / "lib.tar"
    with archive.open("wb") as f:
        subprocess.run(["git", "-C", str(ROOT), "archive", ref, "lib"], stdout=f, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    return into / "lib"


def text_side_by_side(n: int, rounds: int, base: str, seed: int) -> None:
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-speed-") as tmp:
        tmp = Path(tmp)
        corpus, warm = tmp / "corpus", tmp / "warm"
        corpus.mkdir()
        warm.mkdir()
        write_corpus(corpus, n, seed)
        write_corpus(warm, max(n // 10, 1), seed + 1000)
        versions = {f"base {base}": unpack(base, tmp), "this checkout": ROOT / "lib"}
        runs: dict[str, list[dict]] = {v: [] for v in versions}
        for _ in range(rounds):
            for name, lib in versions.items():
                env = {**os.environ, "PYTHONPATH": str(lib)}
                cmd = [sys.executable, __file__, "--child", str(corpus), str(warm)]
                out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
                runs[name].append(json.loads(out.strip().splitlines()[-1]))
        print(
            f"\n(b) text: {n} synthetic reports (seed {seed}), {rounds} rounds alternating (load {_load()})"
        )
        print(f"{'':20} {'reports/CPU s':>14} {'reports/wall s':>15}   runs (CPU s)        module")
        rates = {}
        for name, rs in runs.items():
            cpu = statistics.median(r["cpu"] for r in rs)
            wall = statistics.median(r["wall"] for r in rs)
            rates[name] = rs[0]["n"] / cpu
            each = " ".join(f"{r['cpu']:.2f}" for r in rs)
            print(f"{name:20} {rates[name]:14.0f} {rs[0]['n'] / wall:15.0f}   {each:18}  {rs[0]['module']}")
        old, new = rates.values()
        print(f"speed-up (median CPU): {new / old:.2f}x")


def _path() -> str:
    from xxgk.read import pdfium_calls

    if pdfium_calls.core:
        return f"the compiled core ({Path(pdfium_calls.core.__file__).name})"
    why = "XXGK_PURE_PYTHON=1" if os.environ.get("XXGK_PURE_PYTHON") == "1" else "the core is not built"
    return f"pure Python ({why})"


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--pdfs", nargs="*", default=[], help="more folders of PDFs besides data/raw")
    p.add_argument("--repeats", type=int, default=10, help="PDF rounds (default 10)")
    p.add_argument("--n", type=int, default=2000, help="synthetic text reports (default 2000)")
    p.add_argument("--rounds", type=int, default=3, help="text rounds per version (default 3)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--base", default=BASE, help=f"commit to compare the text path with (default {BASE})")
    p.add_argument("--pdf-only", action="store_true")
    p.add_argument("--text-only", action="store_true")
    p.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    if not args.text_only:
        paths = sorted((ROOT / "data" / "raw").glob("*.pdf"))
        paths += sorted(q for folder in args.pdfs for q in Path(folder).glob("*.pdf"))
        print_pdf(paths, args.repeats)
    if not args.pdf_only:
        text_side_by_side(args.n, args.rounds, args.base, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
