"""Writing the panel (``xxgk.analysis.panel``) for the researcher's tool: the format follows the extension.

- ``.xlsx``: sheet ``data`` (row 1 the Chinese labels, row 2 the column names, frozen; numbers as numbers,
  NA as an empty cell), ``dictionary`` (every column: labels, type, source) and ``sources`` (every file,
  duplicates included). Needs openpyxl: ``pip install 'xxgk[panel]'``.
- ``.csv``: UTF-8 with a BOM, so that Excel on a Chinese Windows opens it as UTF-8 (``bom=False`` for
  tools that dislike it); NA is an empty field.
- ``.dta``: Stata 14+ (format 118, Unicode), with variable labels (Chinese, cut to Stata's 80 characters)
  and value labels for the categorical columns; NA is Stata's missing (``.``).
- ``.parquet``: the DataFrame with its nullable dtypes.

NA stays missing in every format: never 0. Written to a temp file and renamed into place.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd

FORMATS = (".xlsx", ".csv", ".dta", ".parquet")
STATA_LABEL_MAX = 80


def write_panel(
    panel: pd.DataFrame,
    dictionary: pd.DataFrame,
    sources: pd.DataFrame,
    path: str | os.PathLike,
    bom: bool = True,
    categorical: tuple[str, ...] = (),
) -> Path:
    """Write the panel to ``path`` in the format of its extension (one of :data:`FORMATS`)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(
            f"{path.name}: the panel is written as {', '.join(FORMATS)}, not {suffix or 'no extension'}"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    try:
        if suffix == ".csv":
            panel.to_csv(tmp, index=False, encoding="utf-8-sig" if bom else "utf-8")
        elif suffix == ".parquet":
            panel.to_parquet(tmp, index=False)
        elif suffix == ".dta":
            _stata(panel, dictionary, tmp, categorical)
        else:
            _excel(panel, dictionary, sources, tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def _cells(df: pd.DataFrame) -> pd.DataFrame:
    """Values openpyxl writes as they are: numbers as Python numbers, NA as None (an empty cell)."""
    out = df.astype(object)
    return out.where(df.notna(), None)


def _excel(panel: pd.DataFrame, dictionary: pd.DataFrame, sources: pd.DataFrame, path: str) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    labels = dictionary.set_index("column")["label_zh"]
    wb = Workbook()
    data = wb.active
    data.title = "data"
    data.append([str(labels.get(c, c)) for c in panel.columns])
    data.append(list(panel.columns))
    for row in _cells(panel).itertuples(index=False):
        data.append(list(row))
    for cell in (*data[1], *data[2]):
        cell.font = Font(bold=True)
    data.freeze_panes = "B3"  # the two header rows and the agency id stay in view
    for title, frame in (("dictionary", dictionary), ("sources", sources)):
        sheet = wb.create_sheet(title)
        sheet.append(list(frame.columns))
        for row in _cells(frame).itertuples(index=False):
            sheet.append(list(row))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    wb.save(path)


def _stata(panel: pd.DataFrame, dictionary: pd.DataFrame, path: str, categorical: tuple[str, ...]) -> None:
    too_long = [c for c in panel.columns if len(c) > 32]
    if too_long:
        raise ValueError(f"column names longer than Stata's 32 characters: {too_long}")
    out = panel.copy()
    for c in out.columns:
        if c in categorical:
            out[c] = out[c].astype("category")  # written with value labels
        elif isinstance(out[c].dtype, pd.StringDtype) or out[c].dtype == object:
            out[c] = out[c].astype(object).where(out[c].notna(), "")  # Stata strings have no missing
        elif isinstance(out[c].dtype, pd.BooleanDtype):
            out[c] = out[c].astype("Float64")
    labels = dictionary.set_index("column")["label_zh"]
    variable_labels = {c: _cut(str(labels.get(c, c))) for c in out.columns}
    out.to_stata(path, write_index=False, version=118, variable_labels=variable_labels)


def _cut(text: str) -> str:
    """A Stata variable label: at most 80 bytes of UTF-8 (a Chinese character takes 3)."""
    data = text.encode("utf-8")
    if len(data) <= STATA_LABEL_MAX:
        return text
    return data[: STATA_LABEL_MAX - 3].decode("utf-8", errors="ignore") + "…"
