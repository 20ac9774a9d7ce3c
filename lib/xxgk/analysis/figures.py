"""Figures as files: one name per figure, SVG + PDF + 300-dpi PNG with the caption inside, and the hook that
saves every figure a notebook displays.

- **One name.** :func:`figure_name` makes every file name, from the figure's title (``Figure.get_label()``,
  which every chart of :mod:`xxgk.analysis.plotting` sets) or a title: stable (the same title gives the same
  name), safe on every file system (letters, digits, CJK and ``-`` only), short (:data:`MAX_NAME`
  characters), and with a number in display order when the hook saves it, so two charts with one title in
  a notebook run never overwrite each other.
- **The caption is in the image.** :func:`save` writes with a tight bounding box, which takes in the caption
  written under the chart. The CJK font travels with the file: the PDF embeds the subset of Noto Sans CJK
  SC it uses (``pdf.fonttype`` 42, text that can still be searched and copied), the SVG draws its text as
  paths (it needs no font at all). So the caption's words are also put in each file's metadata (SVG and
  PNG ``Description``, PDF ``Subject``): a reader can search them and a test can find them. Dates are left
  out of the metadata, so the same figure gives the same bytes.
- **The hook.** When the environment variable :data:`FIGURES_DIR` (``XXGK_FIGURES_DIR``) names a folder,
  every figure IPython displays is also saved there (:func:`save_displayed`). It is an IPython display
  formatter that writes files and adds nothing to the output: every displayed figure passes through the
  display formatters, whether a cell returns one of the charts' Figures or pyplot's inline backend shows
  its figure at the end of a cell, and unlike the PNG formatter it is not replaced when the inline backend
  sets its figure formats. ``plotting.theme()``, which every notebook calls first, installs it.
"""

from __future__ import annotations

import itertools
import os
import re
import unicodedata
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # matplotlib is the notebooks extra: this module imports without it (the core install)
    from matplotlib.figure import Figure

#: The environment variable naming the folder every displayed figure is saved into (the batch sets it per
#: run; unset, nothing is saved).
FIGURES_DIR = "XXGK_FIGURES_DIR"
#: The formats :func:`save` writes: vector for print and slides, PNG for web pages.
FORMATS = ("svg", "pdf", "png")
#: PNG resolution: 300 dpi, the usual minimum for print.
PNG_DPI = 300
#: Longest name (characters, before the number): short enough for any file system and a page's links.
MAX_NAME = 40
#: The ``gid`` of the caption text the charts write under themselves (read back for the metadata).
CAPTION_GID = "xxgk-caption"
#: The MIME type of the display formatter that saves figures (it never outputs anything of that type).
_HOOK_MIME = "application/vnd.xxgk.figure-files"


def title_of(fig: Figure) -> str:
    """A figure's title: its label (the charts set it), else its suptitle, else its first axes' title."""
    if fig.get_label():
        return fig.get_label()
    if fig._suptitle is not None and fig._suptitle.get_text():
        return fig._suptitle.get_text()
    return next((ax.get_title() for ax in fig.axes if ax.get_title()), "")


def caption_of(fig: Figure) -> str:
    """The caption a chart wrote under itself, as one line of text ("" if it has none)."""
    import matplotlib

    texts = [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_gid() == CAPTION_GID]
    return " ".join(" ".join(t.split("\n")) for t in texts)


def figure_name(fig_or_title: Figure | str, number: int | None = None) -> str:
    """The file name (no suffix) of a figure or a title: stable, file-system safe, CJK kept, short.

    >>> figure_name("申请数量 · 一、本年新收 (2021/2022)")
    '申请数量-一-本年新收-2021-2022'
    >>> figure_name("Who asked: new requests", 3)
    '03-who-asked-new-requests'
    >>> figure_name("")
    'figure'
    """
    title = fig_or_title if isinstance(fig_or_title, str) else title_of(fig_or_title)
    # NFKC: full-width letters and digits become ASCII; \w keeps letters, digits and CJK of every script
    slug = re.sub(r"[\W_]+", "-", unicodedata.normalize("NFKC", title).lower()).strip("-")
    slug = slug[:MAX_NAME].rstrip("-") or "figure"
    return slug if number is None else f"{number:02d}-{slug}"


def save(fig: Figure, folder: str | Path, name: str | None = None) -> list[Path]:
    """Write ``fig`` as ``name``.svg, .pdf and .png (300 dpi) into ``folder``, caption included; returns the
    three paths. ``name`` defaults to :func:`figure_name` of the figure."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    name = name or figure_name(fig)
    title, caption = title_of(fig), caption_of(fig)
    metadata = {
        "svg": {"Title": title, "Description": caption, "Date": None},
        "pdf": {"Title": title, "Subject": caption, "CreationDate": None},
        "png": {"Title": title, "Description": caption},
    }
    import matplotlib

    settings = {"pdf.fonttype": 42, "svg.fonttype": "path", "svg.hashsalt": name}
    paths = []
    with matplotlib.rc_context(settings):
        for fmt in FORMATS:
            path = folder / f"{name}.{fmt}"
            fig.savefig(
                path,
                format=fmt,
                dpi=PNG_DPI,
                bbox_inches="tight",
                pad_inches=0.1,
                metadata=metadata[fmt],
            )
            paths.append(path)
    return paths


#: Figures displayed in this process, numbered in display order (one notebook run is one kernel).
_displayed = itertools.count(1)


def save_displayed(fig: Figure) -> list[Path]:
    """Save a figure being displayed into ``$XXGK_FIGURES_DIR`` with the next number (nothing if unset)."""
    folder = os.environ.get(FIGURES_DIR, "")
    if not folder:
        return []
    return save(fig, folder, figure_name(fig, next(_displayed)))


def install_hook(shell=None) -> bool:
    """Register :func:`save_displayed` as an IPython display formatter of Figures (once per shell).

    Returns whether a shell was there to install it in (not in a plain Python script)."""
    try:
        from IPython import get_ipython
        from IPython.core.formatters import BaseFormatter
        from traitlets import Unicode
    except ImportError:
        return False
    shell = shell or get_ipython()
    if shell is None:
        return False
    formatters = shell.display_formatter.formatters
    if _HOOK_MIME not in formatters:

        class SaveFigures(BaseFormatter):
            """Saves a displayed Figure when $XXGK_FIGURES_DIR is set; its output is always empty.

            It tests the type itself rather than registering a printer for Figure: IPython's
            ``select_figure_formats`` (run again when pyplot's inline backend loads) removes the Figure
            printers of every formatter."""

            format_type = Unicode(_HOOK_MIME)

            def __call__(self, obj):
                from matplotlib.figure import Figure

                if isinstance(obj, Figure):
                    try:
                        save_displayed(obj)
                    except OSError as error:  # the figure is still shown; the missing files are said
                        warnings.warn(f"figure not saved into ${FIGURES_DIR}: {error}", stacklevel=2)
                return None

        formatters[_HOOK_MIME] = SaveFigures(parent=shell.display_formatter)
    return True
