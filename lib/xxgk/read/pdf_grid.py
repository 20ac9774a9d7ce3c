"""The table grid of a PDF page, rebuilt from its ruling paths (pdfplumber's "lines" strategy).

Given the page's painted paths: their horizontal and vertical edges (:func:`rulings`), merged when they
nearly touch, the corners where they cross, each corner's smallest cell closed on four sides, and the cells
grouped into tables by shared corners (:func:`tables`). Text is not read here: :mod:`xxgk.read.pdf` places
characters into these cells.
"""

from __future__ import annotations

import ctypes
from bisect import bisect_left, bisect_right

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from xxgk.read.pdfium_calls import (
    bounds,
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


def rulings(page: pdfium.PdfPage, height: float) -> list[tuple[str, float, float, float]]:
    """The horizontal and vertical edges of every painted path on the page (lines, rectangles, and each
    side of a path with several segments), in points from the top-left corner."""
    edges: list[tuple[str, float, float, float]] = []
    handle = ctypes.c_void_p(ctypes.cast(page.raw, ctypes.c_void_p).value)
    stack = [(handle, count_objects, get_object, (1, 0, 0, 1, 0, 0))]
    while stack:
        parent, count, get, outer = stack.pop()
        for j in range(count(parent)):
            obj = get(parent, j)
            kind = object_type(obj)
            if kind == _PATH:
                _path_edges(obj, outer, height, edges)
            elif kind == _FORM:  # a form XObject: its own objects, placed by its matrix
                stack.append((obj, form_count, form_object, _compose(_matrix(obj), outer)))
    return edges


_PATH, _FORM = pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_FORM


def _matrix(obj) -> tuple:
    m = pdfium_c.FS_MATRIX()
    object_matrix(obj, ctypes.byref(m))
    return m.a, m.b, m.c, m.d, m.e, m.f


def _compose(inner: tuple, outer: tuple) -> tuple:
    """The matrix that applies ``inner``, then ``outer`` (PDF row-vector convention)."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _is_white(getter, obj) -> bool:
    """White, or fully transparent: not seen on the page, so no ruling."""
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    getter(obj, ctypes.byref(r), ctypes.byref(g), ctypes.byref(b), ctypes.byref(a))
    return (r.value, g.value, b.value) == (255, 255, 255) or a.value == 0


def _path_edges(obj, outer: tuple, height: float, edges: list) -> None:
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    draw_mode(obj, ctypes.byref(fill), ctypes.byref(stroke))
    filled = fill.value and not _is_white(fill_color, obj)
    stroked = stroke.value and not _is_white(stroke_color, obj)
    if not (filled or stroked):
        return  # unpainted, or painted white on white: WPS puts a white box behind every paragraph
    # A thin path is one ruling whatever its segments (a line, a hairline box): its bounds say where.
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    bounds(obj, ctypes.byref(left), ctypes.byref(bottom), ctypes.byref(right), ctypes.byref(top))
    corners = [_apply(outer, x, y) for x in (left.value, right.value) for y in (bottom.value, top.value)]
    x0, x1 = min(p[0] for p in corners), max(p[0] for p in corners)
    y0, y1 = height - max(p[1] for p in corners), height - min(p[1] for p in corners)
    if x1 - x0 <= _THIN and y1 - y0 >= 1:
        edges.append(("v", (x0 + x1) / 2, y0, y1))
        return
    if y1 - y0 <= _THIN and x1 - x0 >= 1:
        edges.append(("h", (y0 + y1) / 2, x0, x1))
        return
    a, b, c, d, e, f = _compose(_matrix(obj), outer)
    x, y = ctypes.c_float(), ctypes.c_float()
    start = current = None
    for k in range(count_segments(obj)):
        segment = get_segment(obj, k)
        segment_point(segment, ctypes.byref(x), ctypes.byref(y))
        point = (a * x.value + c * y.value + e, height - (b * x.value + d * y.value + f))
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


def _apply(m: tuple, x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


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


def _merge(edges: list) -> tuple[list, list]:
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


def tables(edges: list) -> list[list[tuple]]:
    """Table cells from the rulings (pdfplumber's lines strategy): the corners where a horizontal and a
    vertical ruling meet, each corner's smallest cell closed by rulings on all four sides, and the cells
    grouped into tables by shared corners. A cell without an inner ruling is a merged cell."""
    if not edges:
        return []
    h_edges, v_edges = _merge(edges)
    corners: dict[tuple, tuple[set, set]] = {}
    h_positions = [e[0] for e in h_edges]  # _merge returns them top to bottom
    for vi, (x, top, bottom) in enumerate(v_edges):
        for hi in range(bisect_left(h_positions, top - _SNAP), bisect_right(h_positions, bottom + _SNAP)):
            y, x0, x1 = h_edges[hi]
            if x0 - _SNAP <= x <= x1 + _SNAP:
                v_ids, h_ids = corners.setdefault((x, y), (set(), set()))
                v_ids.add(vi)
                h_ids.add(hi)
    points = sorted(corners)
    by_x: dict[float, list] = {}  # each column of corners top to bottom, each row left to right
    by_y: dict[float, list] = {}
    after: dict[tuple, tuple[int, int]] = {}  # where a corner's column goes on below it, its row right of it
    for point in points:
        column = by_x.setdefault(point[0], [])
        row = by_y.setdefault(point[1], [])
        column.append(point)
        row.append(point)
    for column in by_x.values():
        for i, point in enumerate(column):
            after[point] = (i + 1, 0)
    for row in by_y.values():
        for i, point in enumerate(row):
            after[point] = (after[point][0], i + 1)
    cells = []
    for x, y in points:
        v_ids, h_ids = corners[(x, y)]
        next_below, next_right = after[(x, y)]
        # the first corner below and the first to the right nearly always close the cell: look lazily
        below = (p for p in by_x[x][next_below:] if not v_ids.isdisjoint(corners[p][0]))
        right = [p for p in by_y[y][next_right:] if not h_ids.isdisjoint(corners[p][1])]
        cell = next(
            (
                (x, y, r[0], b[1])
                for b in below
                for r in right
                if (r[0], b[1]) in corners
                and not corners[(r[0], b[1])][0].isdisjoint(corners[r][0])
                and not corners[(r[0], b[1])][1].isdisjoint(corners[b][1])
            ),
            None,
        )
        if cell:
            cells.append(cell)
    return _group(cells)


def _group(cells: list[tuple]) -> list[list[tuple]]:
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
            if corner in owner:
                parent[root(i)] = root(owner[corner])
            else:
                owner[corner] = i
    groups: dict[int, list] = {}
    for i, cell in enumerate(cells):
        groups.setdefault(root(i), []).append(cell)
    tables = [g for g in groups.values() if len(g) > 1]
    return sorted(tables, key=lambda t: min((c[1], c[0]) for c in t))


def bbox(cells: list[tuple]) -> tuple:
    return (
        min(c[0] for c in cells),
        min(c[1] for c in cells),
        max(c[2] for c in cells),
        max(c[3] for c in cells),
    )
