"""The table grid of a PDF page, rebuilt from its ruling paths (pdfplumber's "lines" strategy).

Given the page's painted paths: their horizontal and vertical edges (:func:`rulings`), merged when they
nearly touch, the corners where they cross, each corner's smallest cell closed on four sides, and the cells
grouped into tables by shared corners (:func:`tables`). Text is not read here: :mod:`xxgk.read.pdf` places
characters into these cells. The ruling walk and the grid's steps have compiled twins in
:mod:`xxgk.read._pdfcore` (``X`` is the compiled one or ``X_py``, its Python specification).
"""

from __future__ import annotations

import ctypes
from bisect import bisect_left, bisect_right

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from xxgk.read.pdfium_calls import (
    bounds,
    core,
    count_objects,
    count_segments,
    draw_mode,
    fill_color,
    form_count,
    form_object,
    get_object,
    get_segment,
    object_matrix,
    object_type,
    segment_close,
    segment_point,
    segment_type,
    stroke_color,
)

# Distances in points, pdfplumber's defaults: rulings closer than this are one ruling, and shorter ones
# are none.
_SNAP = 3
_MIN_RULING = 3


# An edge: ("h", y, x0, x1) or ("v", x, top, bottom).


def rulings(page: pdfium.PdfPage | int, height: float, turn=None) -> list[tuple[str, float, float, float]]:
    """:func:`_rulings_py`, compiled when the core is built (:func:`xxgk.read._pdfcore.rulings`)."""
    if core:
        return core.rulings(_address(page), height, turn, MAX_SEGMENTS)
    return _rulings_py(page, height, turn)


def _address(page: pdfium.PdfPage | int) -> int:
    """pdfium's handle of a page: a pypdfium2 page's, or the handle itself (the reader opens its pages)."""
    return page if isinstance(page, int) else ctypes.cast(page.raw, ctypes.c_void_p).value


def _rulings_py(
    page: pdfium.PdfPage | int, height: float, turn=None
) -> list[tuple[str, float, float, float]]:
    """The horizontal and vertical edges of every painted path on the page (a pypdfium2 page or pdfium's
    handle: lines, rectangles, and each side of a path with several segments), in points from the top-left
    corner; on a skewed page, turned back by ``turn`` (a function of a point, :class:`xxgk.read.pdf.Turn`)
    first.

    Past :data:`MAX_SEGMENTS` drawing operations :class:`GridTooComplex` is raised (a form drawn many
    times, forms within forms, count each time)."""
    edges: list[tuple[str, float, float, float]] = []
    handle = ctypes.c_void_p(_address(page))
    stack = [(handle, count_objects, get_object, (1, 0, 0, 1, 0, 0))]
    budget = MAX_SEGMENTS
    out = _Out()
    while stack:
        parent, count, get, outer = stack.pop()
        n = count(parent)
        budget -= n
        for j in range(n):
            obj = get(parent, j)
            kind = object_type(obj)
            if kind == _PATH:
                budget -= _path_edges(obj, outer, height, edges, turn, out)
            elif kind == _FORM:  # a form XObject: its own objects, placed by its matrix
                stack.append((obj, form_count, form_object, _compose(_matrix(obj, out), outer)))
            if budget < 0:
                raise GridTooComplex(f"over {MAX_SEGMENTS} drawing operations, the budget of a page")
    return edges


class _Out:
    """The out-parameters of the per-path pdfium calls, made once per page rather than once per call (a
    page paints hundreds of paths, and making the ctypes objects cost more than the calls)."""

    def __init__(self) -> None:
        self.ints = [ctypes.c_int() for _ in range(2)]
        self.uints = [ctypes.c_uint() for _ in range(4)]
        self.floats = [ctypes.c_float() for _ in range(4)]
        self.matrix = pdfium_c.FS_MATRIX()
        self.int_refs = [ctypes.byref(v) for v in self.ints]
        self.uint_refs = [ctypes.byref(v) for v in self.uints]
        self.float_refs = [ctypes.byref(v) for v in self.floats]
        self.matrix_ref = ctypes.byref(self.matrix)


#: Drawing operations (objects, counting those inside forms each time a form is drawn, and path segments)
#: a page may paint: the corpus pages paint at most 1,500 (750 objects, 740 segments), a ruled table of 40
#: rows by 12 columns drawn cell by cell some 2,500. Past this the page's grid is not rebuilt.
MAX_SEGMENTS = 100_000


_PATH, _FORM = pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_FORM


def _matrix(obj, out: _Out) -> tuple:
    object_matrix(obj, out.matrix_ref)
    m = out.matrix
    return m.a, m.b, m.c, m.d, m.e, m.f


def _compose(inner: tuple, outer: tuple) -> tuple:
    """The matrix that applies ``inner``, then ``outer`` (PDF row-vector convention)."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _is_white(getter, obj, out: _Out) -> bool:
    """White, or fully transparent: not seen on the page, so no ruling."""
    getter(obj, *out.uint_refs)
    r, g, b, a = out.uints
    return (r.value == g.value == b.value == 255) or a.value == 0


def _path_edges(obj, outer: tuple, height: float, edges: list, turn, out: _Out) -> int:
    """Add the path's rulings to ``edges``; how many drawing operations it took (its segments, or 1)."""
    draw_mode(obj, *out.int_refs)
    fill, stroke = out.ints
    filled = fill.value and not _is_white(fill_color, obj, out)
    stroked = stroke.value and not _is_white(stroke_color, obj, out)
    if not (filled or stroked):
        return 1  # unpainted, or painted white on white: WPS puts a white box behind every paragraph
    # A thin path is one ruling whatever its segments (a line, a hairline box): its bounds say where.
    bounds(obj, *out.float_refs)
    left, bottom, right, top = (v.value for v in out.floats)
    a, b, c, d, e, f = outer
    xs, ys = [], []
    for x in (left, right):
        for y in (bottom, top):
            px, py = a * x + c * y + e, height - (b * x + d * y + f)
            if turn is not None:
                px, py = turn(px, py)
            xs.append(px)
            ys.append(py)
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    if x1 - x0 <= _THIN and y1 - y0 >= 1:
        edges.append(("v", (x0 + x1) / 2, y0, y1))
        return 1
    if y1 - y0 <= _THIN and x1 - x0 >= 1:
        edges.append(("h", (y0 + y1) / 2, x0, x1))
        return 1
    return _segment_edges(obj, outer, height, edges, turn, out)


def _segment_edges(obj, outer: tuple, height: float, edges: list, turn, out: _Out) -> int:
    """Add the edges of a path's straight segments; how many segments it has (at least 1)."""
    a, b, c, d, e, f = _compose(_matrix(obj, out), outer)
    x, y = out.floats[:2]
    refs = out.float_refs[:2]
    start = current = None
    n = count_segments(obj)
    for k in range(n):
        segment = get_segment(obj, k)
        segment_point(segment, *refs)
        point = (a * x.value + c * y.value + e, height - (b * x.value + d * y.value + f))
        if turn is not None:
            point = turn(*point)
        kind = segment_type(segment)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            start = point
        elif kind == pdfium_c.FPDF_SEGMENT_LINETO and current is not None:
            _edge(current, point, edges)
        # a Bézier segment is no ruling; the path goes on from its end point
        current = point
        if segment_close(segment) and start is not None:
            _edge(current, start, edges)
            current = start
    return max(n, 1)


# A path no wider (or taller) than this is a line, whatever its shape (pdfplumber's hairline rectangles
# become two edges that its snapping then merges into one; this is the same result, sooner).
_THIN = 2


def _edge(p: tuple, q: tuple, edges: list) -> None:
    """A straight segment as a horizontal or vertical edge; slanted ones are no ruling, and ones under a
    point long (the ends of a hairline box) would only pull a real ruling's snapped position."""
    if abs(p[0] - q[0]) < 0.5 and abs(p[1] - q[1]) >= 1:
        edges.append(("v", (p[0] + q[0]) / 2, min(p[1], q[1]), max(p[1], q[1])))
    elif abs(p[1] - q[1]) < 0.5 and abs(p[0] - q[0]) >= 1:
        edges.append(("h", (p[1] + q[1]) / 2, min(p[0], q[0]), max(p[0], q[0])))


def _merge_py(edges: list) -> tuple[list, list]:
    """Rulings drawn a little apart are one (snapped to their mean position), collinear pieces that touch
    or nearly touch are joined, and short ones (tick marks, a thin box's ends) dropped."""
    merged = {}
    for orientation in ("h", "v"):
        group = sorted((e for e in edges if e[0] == orientation), key=lambda e: e[1])
        clusters: list[list] = []
        for edge in group:
            if clusters and edge[1] <= clusters[-1][-1][1] + _SNAP:
                clusters[-1].append(edge)
            else:
                clusters.append([edge])
        out = []
        for cluster in clusters:
            position = sum(e[1] for e in cluster) / len(cluster)
            pieces = sorted((e[2], e[3]) for e in cluster)
            lo, hi = pieces[0]
            for start, end in pieces[1:]:
                if start <= hi + _SNAP:
                    hi = max(hi, end)
                else:
                    out.append((position, lo, hi))
                    lo, hi = start, end
            out.append((position, lo, hi))
        merged[orientation] = [e for e in out if e[2] - e[1] >= _MIN_RULING]
    return merged["h"], merged["v"]


def tables(edges: list, check_time=None) -> list[list[tuple]]:
    """Table cells from the rulings (pdfplumber's lines strategy): the corners where a horizontal and a
    vertical ruling meet, each corner's smallest cell closed by rulings on all four sides, and the cells
    grouped into tables by shared corners. A cell without an inner ruling is a merged cell.

    Past the page budget (:data:`MAX_RULINGS`, :data:`MAX_CORNERS`) :class:`GridTooComplex` is raised;
    ``check_time``, if given, is called now and then and may raise to stop a search that takes too long.
    """
    if not edges:
        return []
    h_edges, v_edges = _merge(edges)
    if len(h_edges) + len(v_edges) > MAX_RULINGS:
        raise GridTooComplex(f"{len(h_edges) + len(v_edges)} rulings, over the budget of {MAX_RULINGS}")
    corners = _corners(h_edges, v_edges)
    if len(corners) > MAX_CORNERS:
        raise GridTooComplex(f"{len(corners)} ruling crossings, over the budget of {MAX_CORNERS}")
    return _group(_cells(corners, check_time))


class GridTooComplex(Exception):
    """A page's rulings are beyond any report table (a crafted file or a drawing): no grid is rebuilt."""


#: The page budget of the grid builder. A report table has some 30 rows and 10 columns (the corpus PDFs
#: draw at most 48 ruling pieces and 150 crossings a page); a 400 × 400 grid (802 rulings, 160,801
#: crossings) is still rebuilt, in about a second. Past these a page's table grid is not rebuilt.
MAX_RULINGS = 2_000
MAX_CORNERS = 250_000


def _corners_py(h_edges: list, v_edges: list) -> dict[tuple, list[float]]:
    """Each corner (x, y) where a vertical and a horizontal ruling meet, with how far its rulings reach:
    right along its horizontal rulings, down along its vertical ones (their far ends plus the snap)."""
    corners: dict[tuple, list[float]] = {}
    h_positions = [e[0] for e in h_edges]  # _merge returns them top to bottom
    for x, top, bottom in v_edges:
        for hi in range(bisect_left(h_positions, top - _SNAP), bisect_right(h_positions, bottom + _SNAP)):
            y, x0, x1 = h_edges[hi]
            if x0 - _SNAP <= x <= x1 + _SNAP:
                reach = corners.get((x, y))
                if reach is None:
                    corners[(x, y)] = [x1 + _SNAP, bottom + _SNAP]
                else:
                    reach[0], reach[1] = max(reach[0], x1 + _SNAP), max(reach[1], bottom + _SNAP)
    return corners


def _cells_py(corners: dict[tuple, list[float]], check_time=None) -> list[tuple]:
    """Each corner's smallest cell: the first corner below it on its vertical ruling, and for that the
    first corner right of it on its horizontal ruling, such that the two rulings from those corners meet
    (pdfplumber's search order). A ruling reaches a corner when it runs on to it: the corners a corner's
    rulings reach form a run of its column (or row), found by bisection, so a cell is found in a few
    steps and a search never looks at a corner twice."""
    points = sorted(corners)
    columns: dict[float, list[float]] = {}  # the corners' y in each column, top to bottom
    rows: dict[float, list[float]] = {}  # the corners' x in each row, left to right
    for x, y in points:
        columns.setdefault(x, []).append(y)
        rows.setdefault(y, []).append(x)
    cells = []
    for n, (x, y) in enumerate(points):
        if check_time is not None and not n & 4095:
            check_time()
        x_reach, y_reach = corners[(x, y)]
        column, row = columns[x], rows[y]
        below = column[bisect_right(column, y) : bisect_right(column, y_reach)]
        first = bisect_right(row, x)
        last = bisect_right(row, x_reach)
        for b in below:
            # a corner r right of this one closes the cell at b when r's vertical ruling runs down to b
            # and b's horizontal one runs right to r; one whose ruling stops above b stops above every
            # later b too, so the next b's search starts after it
            b_reach = corners[(x, b)][0]
            while first < last and row[first] <= b_reach:
                r = row[first]
                if corners[(r, y)][1] >= b:
                    cells.append((x, y, r, b))
                    break
                first += 1
            else:
                continue
            break
    return cells


def _group_py(cells: list[tuple]) -> list[list[tuple]]:
    """Cells that share a corner belong to one table; tables top to bottom, single cells dropped."""
    parent = list(range(len(cells)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[tuple, int] = {}
    for i, (x0, top, x1, bottom) in enumerate(cells):
        for corner in ((x0, top), (x0, bottom), (x1, top), (x1, bottom)):
            j = owner.setdefault(corner, i)
            if j != i:
                parent[root(i)] = root(j)
    groups: dict[int, list] = {}
    for i, cell in enumerate(cells):
        groups.setdefault(root(i), []).append(cell)
    tables = [g for g in groups.values() if len(g) > 1]
    return sorted(tables, key=lambda t: min((c[1], c[0]) for c in t))


# The compiled twins (xxgk.read._pdfcore) when the core is built; the Python functions above are their
# specification, and the path taken with XXGK_PURE_PYTHON=1.
if core:
    core.configure_grid(_SNAP, _MIN_RULING)
_merge = core.merge if core else _merge_py
_corners = core.corners if core else _corners_py
_cells = core.cells if core else _cells_py
_group = core.group if core else _group_py


def bbox_py(cells: list[tuple]) -> tuple:
    return (
        min(c[0] for c in cells),
        min(c[1] for c in cells),
        max(c[2] for c in cells),
        max(c[3] for c in cells),
    )


bbox = core.bbox if core else bbox_py
