"""The batch's index page: what each notebook is about, from which data, and every file it made.

One page for a reader who does not program: a line per run with the notebook's own description (the first
paragraph of its first prose cell, in the run's language), its parameters, its page and executed
notebook, and its figure files (``OUT/figures/<run name>/``, as the charts saved them); above, the data
each run read (the folder and when ``xxgk parse`` wrote it: the run stamp of its tables), the panel
exports found in the output folder, and the package version. It loads nothing from the network.
"""

from __future__ import annotations

import html
from collections import Counter
from pathlib import Path
from urllib.parse import quote

from xxgk.analysis.corpus import resolve
from xxgk.analysis.parameters import LANGS
from xxgk.output.files import tables_run
from xxgk.output.panel import FORMATS as PANEL_FORMATS

#: The page's words in each language of :data:`xxgk.analysis.parameters.LANGS`.
WORDS = {
    "zh": {
        "title": "xxgk 分析报告",
        "ran": "{ok} / {n} 个笔记本运行成功，{failed} 个失败；用时 {seconds:.1f} 秒（{workers} 个并行进程）。",
        "version": "xxgk 版本",
        "data": "数据",
        "written": "解析于",
        "unknown": "未记录",
        "panel": "面板数据（每个机关每年一行）",
        "head": ("笔记本", "说明", "参数", "页面", "笔记本文件", "图表文件", "用时", "状态"),
        "page": "网页",
        "figures": "{n} 个图表",
        "none": "—",
        "ok": "成功",
        "failed": "失败：",
        "defaults": "默认",
        "seconds": "{s:.1f} 秒",
    },
    "en": {
        "title": "xxgk reports",
        "ran": "{ok} of {n} notebooks ran, {failed} failed; {seconds:.1f} s with {workers} worker(s).",
        "version": "xxgk version",
        "data": "Data",
        "written": "parsed",
        "unknown": "not recorded",
        "panel": "Panel (one row per agency and year)",
        "head": (
            "notebook",
            "about",
            "parameters",
            "page",
            "notebook file",
            "figure files",
            "time",
            "status",
        ),
        "page": "page",
        "figures": "{n} figures",
        "none": "—",
        "ok": "ok",
        "failed": "FAILED: ",
        "defaults": "defaults",
        "seconds": "{s:.1f} s",
    },
}

STYLE = """body{font-family:"Noto Sans CJK SC","Noto Sans SC",sans-serif;margin:2em;max-width:90em}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}
tr.failed td{background:#fde2e2}td.about{max-width:28em}details summary{cursor:pointer}"""


def page(results: list, out_dir: Path, title: str, seconds: float, workers: int) -> str:
    """The index page's HTML for a batch's results (:class:`xxgk.run.batch.RunResult`), failures first."""
    out_dir = Path(out_dir)
    lang = Counter(r.parameters.get("lang", "zh") for r in results).most_common(1)[0][0] if results else "zh"
    w = WORDS.get(lang, WORDS["zh"])
    failed = sum(not r.ok for r in results)
    head = "".join(f"<th>{h}</th>" for h in w["head"])
    rows = "\n".join(
        _row(r, out_dir, WORDS.get(r.parameters.get("lang"), w)) for r in sorted(results, key=lambda r: r.ok)
    )
    about = [
        "<p>"
        + w["ran"].format(
            ok=len(results) - failed, n=len(results), failed=failed, seconds=seconds, workers=workers
        )
        + "</p>",
        f"<p>{w['version']} {html.escape(_version())}</p>",
        *(f"<p>{w['data']}: {line}</p>" for line in _data_lines(results, w)),
    ]
    panels = [p for p in sorted(out_dir.glob("panel*")) if p.suffix.lower() in PANEL_FORMATS and p.is_file()]
    if panels:
        about.append(f"<p>{w['panel']}: " + " · ".join(_link(p, out_dir, p.name) for p in panels) + "</p>")
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{w["title"]} · {html.escape(title)}</title>
<style>{STYLE}</style></head><body>
<h1>{w["title"]} · {html.escape(title)}</h1>
{chr(10).join(about)}
<table><tr>{head}</tr>
{rows}
</table></body></html>
"""


def _row(r, out_dir: Path, w: dict) -> str:
    """One run's line of the table."""
    status = w["ok"] if r.ok else w["failed"] + html.escape(r.failure.describe() if r.failure else "")
    shown = ", ".join(f"{k}={v}" for k, v in r.parameters.items()) or w["defaults"]
    cells = [
        html.escape(r.notebook),
        html.escape(description(r.ipynb, r.parameters.get("lang", "zh")) if r.ipynb else ""),
        html.escape(shown),
        _link(r.html, out_dir, w["page"]) if r.html else w["none"],
        _link(r.ipynb, out_dir, "ipynb") if r.ipynb else w["none"],
        _figures(out_dir / "figures" / r.name, out_dir, w),
        w["seconds"].format(s=r.seconds),
        status,
    ]
    tds = "".join(f'<td class="about">{c}</td>' if i == 1 else f"<td>{c}</td>" for i, c in enumerate(cells))
    return f'<tr class="{"ok" if r.ok else "failed"}">{tds}</tr>'


def _link(path: Path, out_dir: Path, text: str) -> str:
    """A link relative to the index (the output folder can be moved or published as it is)."""
    relative = Path(path).resolve().relative_to(Path(out_dir).resolve())
    return f'<a href="{quote(relative.as_posix())}">{html.escape(text)}</a>'


def _figures(folder: Path, out_dir: Path, w: dict) -> str:
    """The run's figure files, one line per figure with a link per format (SVG · PDF · PNG)."""
    files = (
        sorted(p for p in folder.glob("*") if p.is_file() and not p.name.startswith("."))
        if folder.is_dir()
        else []
    )
    if not files:
        return w["none"]
    stems: dict[str, list[Path]] = {}
    for f in files:
        stems.setdefault(f.stem, []).append(f)
    lines = [
        html.escape(stem) + ": " + " · ".join(_link(f, out_dir, f.suffix.lstrip(".").upper()) for f in group)
        for stem, group in stems.items()
    ]
    return f"<details><summary>{w['figures'].format(n=len(stems))}</summary>{'<br>'.join(lines)}</details>"


def description(ipynb: Path, lang: str = "zh") -> str:
    """A notebook's description: the first paragraph (not a heading) of its first markdown cell in
    ``lang`` (cells tagged ``zh``/``en``; an untagged cell counts for every language)."""
    import nbformat

    try:
        nb = nbformat.read(str(ipynb), as_version=4)
    except (OSError, ValueError):
        return ""
    for cell in nb.cells:
        tags = set(cell.metadata.get("tags", [])) & set(LANGS)
        if cell.cell_type != "markdown" or (tags and lang not in tags):
            continue
        for paragraph in cell.source.split("\n\n"):
            if paragraph.strip() and not paragraph.lstrip().startswith("#"):
                return " ".join(paragraph.split())
        return ""
    return ""


def _data_lines(results: list, w: dict) -> list[str]:
    """Each data folder the runs read, with when its tables were written (their run stamp)."""
    lines = []
    for data_dir in dict.fromkeys(str(r.parameters.get("data_dir", "")) for r in results):
        folder = data_dir if "://" in data_dir else resolve(data_dir)
        try:
            stamp = tables_run(folder)
        except (OSError, ValueError):
            stamp = None
        written = stamp["written"] if stamp else w["unknown"]
        lines.append(f"{html.escape(str(folder))} ({w['written']} {html.escape(written)})")
    return lines


def _version() -> str:
    """The installed package's version, as ``xxgk.__version__`` gives it (the facade is not imported here)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("xxgk")
    except PackageNotFoundError:
        return "0+unknown"
