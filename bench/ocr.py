"""OCR of scans (issue 11): the corpus PDFs rasterised with damage, read by each engine, scored per file.

    python bench/ocr.py                          # both engines: the default damage, the worst, 2 random
    python bench/ocr.py --engines rapidocr --seeds 1 2 3

For every (file, damage, engine): cells right / wrong / missing / invented against tests/golden/corpus,
how many wrong or invented cells no issue flags (must be 0), and seconds per page (wall clock, and CPU of
this process and its children: Tesseract runs as a child). The default damage is
:class:`xxgk.testing.scan.ScanDamage` (170 dpi, 1°, noise 8, JPEG 60); a seed draws one from the issue's
range (150-200 dpi, up to 1.5°, noise 2-12, JPEG 50-80); "worst" is that range's worst corner. The
machine's load is printed: OCR is CPU bound and the figures move with it.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lib"))

from xxgk.read import ocr  # noqa: E402
from xxgk.testing import scan  # noqa: E402

FILES = ("huaian_city_2024", "huaian_hongze_district_2024")
#: The worst corner of the issue's range (the golden test's damage): lowest dpi, most noise, lowest JPEG.
WORST = scan.ScanDamage(dpi=150, angle=-1.4, noise=12, jpeg=50)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", nargs="+", default=list(ocr.ENGINES))
    parser.add_argument(
        "--seeds", nargs="*", type=int, default=[1, 2], help="random damages (besides the default)"
    )
    args = parser.parse_args(argv)
    damages = [("default", scan.ScanDamage()), ("worst", WORST)] + [
        (f"seed {s}", scan.ScanDamage.random(random.Random(s))) for s in args.seeds
    ]
    print(f"load before: {os.getloadavg()[0]:.1f} (1 min), {os.cpu_count()} cores")
    for name in args.engines:
        print(f"engine {name}: {ocr.engine(name).version()}")
    head = "| engine | file | damage | cells | right | wrong | missing | invented | unflagged | s/page | CPU s/page |"
    print(head)
    print("|---" * (head.count("|") - 1) + "|")
    totals: dict[str, list[float]] = {}
    for engine in args.engines:
        for label, damage in damages:
            for stem in FILES:
                r = scan.score_scan(
                    ROOT / "data" / "raw" / f"{stem}.pdf",
                    ROOT / "tests" / "golden" / "corpus" / f"{stem}.json",
                    damage,
                    engine,
                ).row()
                how = f"{label}: {r['dpi']} dpi, {r['angle']}°, noise {r['noise']}, JPEG {r['jpeg']}"
                print(
                    f"| {engine} | {stem} | {how} | {r['cells']} | {r['right']} | {r['wrong']} | {r['missing']} | "
                    f"{r['invented']} | {r['unflagged']} | {r['s_per_page']} | {r['cpu_s_per_page']} |",
                    flush=True,
                )
                t = totals.setdefault(engine, [0, 0, 0, 0, 0, 0, 0.0, 0.0, 0])
                for k, key in enumerate(("cells", "right", "wrong", "missing", "invented", "unflagged")):
                    t[k] += r[key]
                pages = scan_pages_of(stem)
                t[6] += r["s_per_page"] * pages
                t[7] += r["cpu_s_per_page"] * pages
                t[8] += pages
    print()
    print("| engine | cells | right | wrong | missing | invented | unflagged | s/page | CPU s/page |")
    print("|---|---|---|---|---|---|---|---|---|")
    for engine, t in totals.items():
        share = 100 * t[1] / t[0]
        print(
            f"| {ocr.engine(engine).version()} | {t[0]} | {t[1]} ({share:.1f} %) | {t[2]} | {t[3]} | {t[4]} | {t[5]} | "
            f"{t[6] / t[8]:.1f} | {t[7] / t[8]:.1f} |"
        )
    print(f"load after: {os.getloadavg()[0]:.1f} (1 min)")
    return 0


def scan_pages_of(stem: str) -> int:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(ROOT / "data" / "raw" / f"{stem}.pdf"))
    try:
        return len(doc)
    finally:
        doc.close()


if __name__ == "__main__":
    raise SystemExit(main())
