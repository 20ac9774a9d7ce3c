# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=False
"""The PDF reader's hot loops, compiled: the same steps as their Python twins in :mod:`xxgk.read.pdf` and
:mod:`xxgk.read.pdf_grid`, which are the specification (and the fallback when this module is not built, or
``XXGK_PURE_PYTHON=1``). Each function here names its twin; the results are identical, value for value:
the same operations on the same doubles in the same order (the extension is built with
``-ffp-contract=off``, so no fused multiply-add changes a rounding), tuples of the same shape, the same
exceptions and messages (tests/test_pdf_core.py compares the two paths on every PDF the tests have).

Why compiled: a page costs pdfium some 2 ms in C, and reading it in Python cost as much again (a tuple,
a ctypes call and a struct unpack per character; a ctypes call per path object and segment). Here pdfium
is called through plain C function pointers, taken from the library pypdfium2 already loaded
(:func:`init`): no pdfium headers, no linking.
"""

from cpython.list cimport PyList_GET_ITEM, PyList_GET_SIZE
from cpython.mem cimport PyMem_Calloc, PyMem_Free, PyMem_Malloc
from cpython.unicode cimport (
    Py_UNICODE_ISSPACE,
    PyUnicode_4BYTE_KIND,
    PyUnicode_DecodeUTF16,
    PyUnicode_FromKindAndData,
)
from libc.math cimport atan2, fabs
from libc.stdlib cimport qsort
from libc.stdint cimport uintptr_t

from operator import itemgetter


cdef extern from *:
    """
    #ifndef XXGK_PDFCORE_SOURCE
    #define XXGK_PDFCORE_SOURCE ""
    #endif
    typedef struct { float left, top, right, bottom; } xxgk_rectf;
    typedef struct { float a, b, c, d, e, f; } xxgk_matrix;
    """
    ctypedef struct xxgk_rectf:
        float left, top, right, bottom
    ctypedef struct xxgk_matrix:
        float a, b, c, d, e, f
    const char* XXGK_PDFCORE_SOURCE

#: The first 16 hex digits of the sha256 of the .pyx this module was built from (setup.py), "" if unknown.
SOURCE = XXGK_PDFCORE_SOURCE.decode("ascii")


# pdfium's signatures (fpdf_text.h, fpdf_edit.h), handles as void pointers
ctypedef int (*f_get_text)(void*, int, int, unsigned short*) noexcept nogil
ctypedef int (*f_loose_box)(void*, int, xxgk_rectf*) noexcept nogil
ctypedef int (*f_is_generated)(void*, int) noexcept nogil
ctypedef int (*f_count)(void*) noexcept nogil
ctypedef void* (*f_page_object)(void*, int) noexcept nogil
ctypedef void* (*f_form_object)(void*, unsigned long) noexcept nogil
ctypedef int (*f_object_type)(void*) noexcept nogil
ctypedef int (*f_matrix)(void*, xxgk_matrix*) noexcept nogil
ctypedef int (*f_bounds)(void*, float*, float*, float*, float*) noexcept nogil
ctypedef int (*f_draw_mode)(void*, int*, int*) noexcept nogil
ctypedef int (*f_color)(void*, unsigned int*, unsigned int*, unsigned int*, unsigned int*) noexcept nogil
ctypedef void* (*f_segment)(void*, int) noexcept nogil
ctypedef int (*f_point)(void*, float*, float*) noexcept nogil

cdef f_get_text get_text = NULL
cdef f_loose_box loose_box = NULL
cdef f_is_generated is_generated = NULL
cdef f_count count_objects = NULL
cdef f_page_object get_object = NULL
cdef f_count form_count = NULL
cdef f_form_object form_object = NULL
cdef f_object_type object_type = NULL
cdef f_matrix object_matrix = NULL
cdef f_bounds bounds = NULL
cdef f_draw_mode draw_mode = NULL
cdef f_color fill_color = NULL
cdef f_color stroke_color = NULL
cdef f_count count_segments = NULL
cdef f_segment get_segment = NULL
cdef f_point segment_point = NULL
cdef f_object_type segment_type = NULL
cdef f_object_type segment_close = NULL
cdef int PATH = 0, FORM = 0, MOVETO = 0, LINETO = 0
# pdf.py's knobs, handed over once by configure() (one source of truth: pdf.py)
cdef double X_TOLERANCE = 0, Y_TOLERANCE = 0, SMALLER = 0
cdef Py_ssize_t PAIRS = 1, MIN_PAIRS = 0
cdef object MARKABLE = frozenset()
cdef double BAND = 0


def init(dict functions, dict constants):
    """Bind pdfium: ``functions`` maps each name above to the function's address (an int), ``constants``
    the object and segment kinds (pypdfium2.raw's FPDF_PAGEOBJ_PATH, _FORM, FPDF_SEGMENT_MOVETO, _LINETO)."""
    global get_text, loose_box, is_generated, count_objects, get_object, form_count, form_object, object_type
    global object_matrix, bounds, draw_mode, fill_color, stroke_color, count_segments, get_segment
    global segment_point, segment_type, segment_close, PATH, FORM, MOVETO, LINETO
    get_text = <f_get_text><uintptr_t>functions["get_text"]
    loose_box = <f_loose_box><uintptr_t>functions["loose_box"]
    is_generated = <f_is_generated><uintptr_t>functions["is_generated"]
    count_objects = <f_count><uintptr_t>functions["count_objects"]
    get_object = <f_page_object><uintptr_t>functions["get_object"]
    form_count = <f_count><uintptr_t>functions["form_count"]
    form_object = <f_form_object><uintptr_t>functions["form_object"]
    object_type = <f_object_type><uintptr_t>functions["object_type"]
    object_matrix = <f_matrix><uintptr_t>functions["object_matrix"]
    bounds = <f_bounds><uintptr_t>functions["bounds"]
    draw_mode = <f_draw_mode><uintptr_t>functions["draw_mode"]
    fill_color = <f_color><uintptr_t>functions["fill_color"]
    stroke_color = <f_color><uintptr_t>functions["stroke_color"]
    count_segments = <f_count><uintptr_t>functions["count_segments"]
    get_segment = <f_segment><uintptr_t>functions["get_segment"]
    segment_point = <f_point><uintptr_t>functions["segment_point"]
    segment_type = <f_object_type><uintptr_t>functions["segment_type"]
    segment_close = <f_object_type><uintptr_t>functions["segment_close"]
    PATH, FORM = constants["path"], constants["form"]
    MOVETO, LINETO = constants["moveto"], constants["lineto"]


def configure(double x_tolerance, double y_tolerance, Py_ssize_t pairs, Py_ssize_t min_pairs, double smaller,
              markable, double band):
    """pdf.py's knobs: _X_TOLERANCE, _Y_TOLERANCE, _PAIRS, _MIN_PAIRS, _SMALLER, _MARKABLE, _BAND."""
    global X_TOLERANCE, Y_TOLERANCE, PAIRS, MIN_PAIRS, SMALLER, MARKABLE, BAND
    X_TOLERANCE, Y_TOLERANCE, PAIRS, MIN_PAIRS = x_tolerance, y_tolerance, pairs, min_pairs
    SMALLER, MARKABLE, BAND = smaller, markable, band


# Characters (pdf._all_text_py, pdf._char_boxes_py) ------------------------------------------------------


def all_text(uintptr_t textpage, int n):
    """Twin of :func:`xxgk.read.pdf._all_text_py`: the same zeroed buffer of 2 (n + 1) UTF-16 units, the
    same decoding of all but the closing NUL."""
    cdef Py_ssize_t size = 4 * (<Py_ssize_t>n + 1), used
    cdef char* buffer = <char*>PyMem_Calloc(size, 1)
    cdef int units, order = -1  # little-endian, a byte-order mark kept as a character: "utf-16-le"
    if buffer == NULL:
        raise MemoryError()
    try:
        units = get_text(<void*>textpage, 0, n, <unsigned short*>buffer)
        used = 2 * (<Py_ssize_t>units - 1) if units > 1 else 0
        return PyUnicode_DecodeUTF16(buffer, used if used < size else size, "replace", &order)
    finally:
        PyMem_Free(buffer)


def char_boxes(uintptr_t textpage, str text, double height, checked):
    """Twin of :func:`xxgk.read.pdf._char_boxes_py`: each character of ``text`` (the page's, index for
    index) the PDF draws, with its loose box; ``checked`` (pdf._checked_box) for a box taller than 40."""
    cdef void* handle = <void*>textpage
    cdef xxgk_rectf box
    cdef Py_ssize_t i, n = len(text)
    cdef Py_UCS4 ch
    cdef double left, top, right, bottom
    cdef list chars = []
    box.left = box.top = box.right = box.bottom = 0  # ctypes' FS_RECTF() starts at zero, and is reused
    for i in range(n):
        ch = text[i]
        if ch == u"\r" or ch == u"\n" or ch == 0 or ch == 0xFFFE or ch == 0xFFFF:
            continue
        if ch == u" " and is_generated(handle, <int>i):
            continue  # a space pdfium inferred from a gap
        loose_box(handle, <int>i, &box)
        left, top, right, bottom = box.left, box.top, box.right, box.bottom
        top, bottom = height - top, height - bottom
        if bottom - top > 40:
            left, top, right, bottom = checked(textpage, i, height, (left, top, right, bottom))
        chars.append((ch, left, top, right, bottom, (left + right) / 2, (top + bottom) / 2))
    return chars


# Skew (pdf._skew_py) ---------------------------------------------------------------------------------------


def skew(list chars):
    """Twin of :func:`xxgk.read.pdf._skew_py` (the median picked from a C array, not sorted: the same
    value, and of two zeros the one Python's stable sort puts there)."""
    cdef Py_ssize_t k, m = 0, n = PyList_GET_SIZE(chars), below, rank
    cdef Py_ssize_t step = n // PAIRS
    cdef double dx, dy, size, d, v
    cdef tuple a, b
    cdef double* angles = NULL
    cdef double* work = NULL
    if step < 1:
        step = 1
    try:
        angles = <double*>PyMem_Malloc((n // step + 2) * sizeof(double))
        work = <double*>PyMem_Malloc((n // step + 2) * sizeof(double))
        if angles == NULL or work == NULL:
            raise MemoryError()
        k = -step
        while True:  # range(0, n - 1, step)
            k += step
            if k >= n - 1:
                break
            a = <tuple>PyList_GET_ITEM(chars, k)
            b = <tuple>PyList_GET_ITEM(chars, k + 1)
            dx = <double>b[5] - <double>a[5]
            dy = <double>b[6] - <double>a[6]
            size = <double>a[4] - <double>a[2]
            d = dx * dx + dy * dy
            # (a NaN fails both comparisons: no angle is NaN, so they have an order)
            if 0.09 * size * size < d and d < 4 * size * size:
                angles[m] = atan2(dy, dx)
                work[m] = angles[m]
                m += 1
        if m < MIN_PAIRS:
            return 0.0
        v = _select(work, m, m // 2)
        if v == 0:  # +0 or -0: a stable sort keeps equal values in the order drawn
            below = 0
            for k in range(m):
                if angles[k] < 0:
                    below += 1
            rank = m // 2 - below
            for k in range(m):
                if angles[k] == 0:
                    if rank == 0:
                        v = angles[k]
                        break
                    rank -= 1
        return v
    finally:
        PyMem_Free(angles)
        PyMem_Free(work)


cdef double _select(double* a, Py_ssize_t n, Py_ssize_t k) noexcept:
    """The value ``sorted(a[:n])[k]`` has (``a`` has no NaN, and is reordered), in linear time rather than
    a sort's n log n: Hoare's selection, with a sort of what is left after 64 rounds (so a crafted order
    cannot make it quadratic)."""
    cdef Py_ssize_t lo = 0, hi = n - 1, i, j, rounds = 0
    cdef double pivot, t
    while lo < hi:
        rounds += 1
        if rounds > 64:
            qsort(a + lo, hi - lo + 1, sizeof(double), _compare)
            break
        pivot = a[lo + (hi - lo) // 2]
        i, j = lo, hi
        while i <= j:
            while a[i] < pivot:
                i += 1
            while a[j] > pivot:
                j -= 1
            if i <= j:
                t = a[i]
                a[i] = a[j]
                a[j] = t
                i += 1
                j -= 1
        if k <= j:
            hi = j
        elif k >= i:
            lo = i
        else:
            break  # between j and i: every value there equals the pivot
    return a[k]


# Rulings (pdf_grid._rulings_py) ------------------------------------------------------------------------


cdef struct Out:
    # the out-parameters of the per-path calls, one set per page and reused, as pdf_grid._Out (a call
    # that fails leaves the previous values, in both)
    int fill, stroke
    unsigned int r, g, b, a
    float f[4]
    xxgk_matrix m


cdef struct Turn:
    bint on
    double cos, sin, cx, cy


cdef inline void turned(const Turn* t, double* x, double* y) noexcept:
    """pdf.Turn.__call__, the same operations in the same order."""
    cdef double dx = x[0] - t.cx, dy = y[0] - t.cy
    x[0] = t.cx + dx * t.cos + dy * t.sin
    y[0] = t.cy - dx * t.sin + dy * t.cos


def turn_chars(list chars, double cos, double sin, double cx, double cy):
    """Twin of :meth:`xxgk.read.pdf.Turn.chars_py` (``cos``, ``sin``, ``cx``, ``cy``: the Turn's)."""
    cdef Turn t
    cdef double abs_sin = fabs(sin), scale, width, height, w, h, half_w, half_h, x, y
    cdef list out = []
    cdef tuple c
    t.on, t.cos, t.sin, t.cx, t.cy = True, cos, sin, cx, cy
    scale = 1 / (cos * cos - abs_sin * abs_sin)  # (a ZeroDivisionError, as in Python, at 45°: never reached)
    for c in chars:
        width, height = <double>c[3] - <double>c[1], <double>c[4] - <double>c[2]
        w = (width * cos - height * abs_sin) * scale
        h = (height * cos - width * abs_sin) * scale
        # max(v, 0): v itself unless 0 is greater (so -0.0 and NaN stay), halved
        half_w = (w if not (0 > w) else 0.0) / 2
        half_h = (h if not (0 > h) else 0.0) / 2
        x = (<double>c[1] + <double>c[3]) / 2
        y = (<double>c[2] + <double>c[4]) / 2
        turned(&t, &x, &y)
        out.append((c[0], x - half_w, y - half_h, x + half_w, y + half_h, x, y))
    return out


cdef inline bint white(f_color getter, void* obj, Out* out) noexcept:
    getter(obj, &out.r, &out.g, &out.b, &out.a)
    return (out.r == out.g and out.g == out.b and out.b == 255) or out.a == 0


cdef inline void compose(const double* inner, const double* outer, double* m) noexcept:
    """pdf_grid._compose: ``inner``, then ``outer``."""
    m[0] = inner[0] * outer[0] + inner[1] * outer[2]
    m[1] = inner[0] * outer[1] + inner[1] * outer[3]
    m[2] = inner[2] * outer[0] + inner[3] * outer[2]
    m[3] = inner[2] * outer[1] + inner[3] * outer[3]
    m[4] = inner[4] * outer[0] + inner[5] * outer[2] + outer[4]
    m[5] = inner[4] * outer[1] + inner[5] * outer[3] + outer[5]


cdef inline void read_matrix(void* obj, Out* out, double* m) noexcept:
    object_matrix(obj, &out.m)
    m[0], m[1], m[2], m[3], m[4], m[5] = out.m.a, out.m.b, out.m.c, out.m.d, out.m.e, out.m.f


cdef inline void edge(double px, double py, double qx, double qy, list edges):
    """pdf_grid._edge."""
    if fabs(px - qx) < 0.5 and fabs(py - qy) >= 1:
        edges.append(("v", (px + qx) / 2, qy if qy < py else py, qy if qy > py else py))
    elif fabs(py - qy) < 0.5 and fabs(px - qx) >= 1:
        edges.append(("h", (py + qy) / 2, qx if qx < px else px, qx if qx > px else px))


cdef long long path_edges(void* obj, const double* outer, double height, list edges, const Turn* turn,
                          Out* out) except -1:
    """pdf_grid._path_edges."""
    cdef double xs[4]
    cdef double ys[4]
    cdef double corner_x[2]
    cdef double corner_y[2]
    cdef double px, py, x0, x1, y0, y1
    cdef int i, j, k
    cdef bint filled, stroked
    draw_mode(obj, &out.fill, &out.stroke)
    filled = out.fill != 0 and not white(fill_color, obj, out)
    stroked = out.stroke != 0 and not white(stroke_color, obj, out)
    if not (filled or stroked):
        return 1
    bounds(obj, &out.f[0], &out.f[1], &out.f[2], &out.f[3])  # left, bottom, right, top
    corner_x[0], corner_x[1] = out.f[0], out.f[2]
    corner_y[0], corner_y[1] = out.f[1], out.f[3]
    k = 0
    for i in range(2):
        for j in range(2):
            px = outer[0] * corner_x[i] + outer[2] * corner_y[j] + outer[4]
            py = height - (outer[1] * corner_x[i] + outer[3] * corner_y[j] + outer[5])
            if turn.on:
                turned(turn, &px, &py)
            xs[k], ys[k] = px, py
            k += 1
    x0 = x1 = xs[0]
    y0 = y1 = ys[0]
    for k in range(1, 4):  # Python's min and max: the first of equal values
        if xs[k] < x0:
            x0 = xs[k]
        if xs[k] > x1:
            x1 = xs[k]
        if ys[k] < y0:
            y0 = ys[k]
        if ys[k] > y1:
            y1 = ys[k]
    if x1 - x0 <= 2 and y1 - y0 >= 1:  # pdf_grid._THIN
        edges.append(("v", (x0 + x1) / 2, y0, y1))
        return 1
    if y1 - y0 <= 2 and x1 - x0 >= 1:
        edges.append(("h", (y0 + y1) / 2, x0, x1))
        return 1
    return segment_edges(obj, outer, height, edges, turn, out)


cdef long long segment_edges(void* obj, const double* outer, double height, list edges, const Turn* turn,
                             Out* out) except -1:
    """pdf_grid._segment_edges."""
    cdef double inner[6]
    cdef double m[6]
    cdef double px, py, cx = 0, cy = 0, sx = 0, sy = 0
    cdef bint has_start = False, has_current = False
    cdef int k, n, kind
    cdef void* segment
    read_matrix(obj, out, inner)
    compose(inner, outer, m)
    n = count_segments(obj)
    for k in range(n):
        segment = get_segment(obj, k)
        segment_point(segment, &out.f[0], &out.f[1])
        px = m[0] * <double>out.f[0] + m[2] * <double>out.f[1] + m[4]
        py = height - (m[1] * <double>out.f[0] + m[3] * <double>out.f[1] + m[5])
        if turn.on:
            turned(turn, &px, &py)
        kind = segment_type(segment)
        if kind == MOVETO:
            sx, sy, has_start = px, py, True
        elif kind == LINETO and has_current:
            edge(cx, cy, px, py, edges)
        cx, cy, has_current = px, py, True
        if segment_close(segment) and has_start:
            edge(cx, cy, sx, sy, edges)
            cx, cy = sx, sy
    return n if n > 1 else 1


def rulings(uintptr_t page, double height, turn, long long max_segments):
    """Twin of :func:`xxgk.read.pdf_grid._rulings_py` (``turn``: a :class:`xxgk.read.pdf.Turn` or None;
    ``max_segments``: pdf_grid.MAX_SEGMENTS, read at the call as the Python path reads it)."""
    cdef list edges = []
    cdef Out out
    cdef Turn t
    cdef double outer[6]
    cdef double inner[6]
    cdef double composed[6]
    cdef long long budget = max_segments
    cdef int n, j, kind
    cdef void* parent
    cdef void* obj
    cdef bint is_form
    cdef list stack
    out.fill = out.stroke = 0
    out.r = out.g = out.b = out.a = 0
    out.f[0] = out.f[1] = out.f[2] = out.f[3] = 0
    out.m.a = out.m.b = out.m.c = out.m.d = out.m.e = out.m.f = 0
    t.cos = t.sin = t.cx = t.cy = 0
    t.on = turn is not None
    if t.on:
        t.cos, t.sin, t.cx, t.cy = turn.cos, turn.sin, turn.cx, turn.cy
    stack = [(page, False, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0)]
    while stack:
        entry = stack.pop()
        parent = <void*><uintptr_t>entry[0]
        is_form = entry[1]
        for j in range(6):
            outer[j] = entry[2 + j]
        n = form_count(parent) if is_form else count_objects(parent)
        budget -= n
        for j in range(n):
            obj = form_object(parent, <unsigned long>j) if is_form else get_object(parent, j)
            kind = object_type(obj)
            if kind == PATH:
                budget -= path_edges(obj, outer, height, edges, &t, &out)
            elif kind == FORM:
                read_matrix(obj, &out, inner)
                compose(inner, outer, composed)
                stack.append((<uintptr_t>obj, True, composed[0], composed[1], composed[2], composed[3],
                              composed[4], composed[5]))
            if budget < 0:
                from xxgk.read.pdf_grid import GridTooComplex

                raise GridTooComplex(f"over {max_segments} drawing operations, the budget of a page")
    return edges


# Characters in boxes (pdf._outside_py, pdf._centred_in_py) ---------------------------------------------


def outside(list chars, tuple box):
    """Twin of :func:`xxgk.read.pdf._outside_py`: the characters whose centre is not in ``box`` (closed)."""
    cdef double x0 = box[0], top = box[1], x1 = box[2], bottom = box[3], cx, cy
    cdef list out = []
    cdef tuple c
    for c in chars:
        cx, cy = c[5], c[6]
        if not (x0 <= cx and cx <= x1 and top <= cy and cy <= bottom):
            out.append(c)
    return out


cpdef list centred_in(list chars, tuple box):
    """Twin of :func:`xxgk.read.pdf._centred_in_py`: the characters centred in ``box`` (right and bottom
    open)."""
    cdef double x0 = box[0], top = box[1], x1 = box[2], bottom = box[3], cx, cy
    cdef list out = []
    cdef tuple c
    for c in chars:
        cx, cy = c[5], c[6]
        if x0 <= cx and cx < x1 and top <= cy and cy < bottom:
            out.append(c)
    return out


# Footnote marks (pdf._mark_candidates_py) -----------------------------------------------------------------


def mark_candidates(list chars):
    """Twin of :func:`xxgk.read.pdf._mark_candidates_py` (the median height from a C array; a NaN height,
    which has no order, takes the Python sort)."""
    cdef list candidates = []
    cdef tuple c
    cdef double small
    cdef Py_ssize_t k, n = len(chars)
    cdef double* heights = <double*>PyMem_Malloc((n + 1) * sizeof(double))
    cdef bint ordered = n > 0
    if heights == NULL:
        raise MemoryError()
    try:
        for k in range(n):
            c = <tuple>PyList_GET_ITEM(chars, k)
            heights[k] = <double>c[4] - <double>c[2]
            if heights[k] != heights[k]:
                ordered = False
        if ordered:  # (of two zeros either: 0.8 times ±0 is less than the same heights)
            small = SMALLER * _select(heights, n, n // 2)
        else:
            small = SMALLER * <double>sorted([c[4] - c[2] for c in chars])[n // 2]
    finally:
        PyMem_Free(heights)
    for k in range(n):
        c = <tuple>PyList_GET_ITEM(chars, k)
        if <double>c[4] - <double>c[2] < small and c[0] in MARKABLE:  # (the cheap test first)
            candidates.append(k)
    return candidates


# Lines of text (pdf._lines_py, pdf._line_text_py, pdf._text_py, pdf._text_lines_py) -----------------------


cdef object BOTTOM = itemgetter(4)
cdef object LEFT = itemgetter(1, 3)


cpdef list lines(list chars):
    """Twin of :func:`xxgk.read.pdf._lines_py`."""
    cdef list out = [], line = []
    cdef double last, bottom
    cdef tuple char
    if not chars:
        return []
    chars = sorted(chars, key=BOTTOM)
    last = (<tuple>chars[0])[4]
    for char in chars:
        bottom = char[4]
        if bottom > last + Y_TOLERANCE:
            out.append(line)
            line = []
        line.append(char)
        last = bottom
    out.append(line)
    for line in out:
        if len(line) > 1:
            line.sort(key=LEFT)
    return out


cdef str _line_text(list line):
    """pdf._line_text_py, with its " ".join(s.split()) done as it goes: a space only between two
    characters, never at either end, never two."""
    cdef Py_ssize_t n = len(line), used = 0
    cdef Py_UCS4* buffer
    cdef Py_UCS4 u
    cdef bint pending = False, has_prev = False
    cdef double left, right, bottom, prev_left = 0, prev_right = 0, prev_bottom = 0
    cdef tuple c
    cdef str ch
    if n == 0:
        return ""
    buffer = <Py_UCS4*>PyMem_Malloc(2 * n * sizeof(Py_UCS4))
    if buffer == NULL:
        raise MemoryError()
    try:
        for c in line:
            ch = <str>c[0]
            if len(ch) != 1:  # never from the reader (one character a box); the Python rule, to be safe
                return _line_text_slow(line)
            u = ch[0]
            if Py_UNICODE_ISSPACE(u):
                pending = True
                has_prev = False
                continue
            left, right, bottom = c[1], c[3], c[4]
            if has_prev and (
                left < prev_left or left > prev_right + X_TOLERANCE or fabs(bottom - prev_bottom) > Y_TOLERANCE
            ):
                pending = True
            if pending and used:
                buffer[used] = u" "
                used += 1
            pending = False
            buffer[used] = u
            used += 1
            prev_left, prev_right, prev_bottom, has_prev = left, right, bottom, True
        return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, buffer, used)
    finally:
        PyMem_Free(buffer)


cdef str _line_text_slow(list line):
    out = []
    prev_left = prev_right = prev_bottom = None
    for ch, left, _, right, bottom, _, _ in line:
        if ch.isspace():
            out.append(" ")
            prev_left = None
            continue
        if prev_left is not None and (
            left < prev_left or left > prev_right + X_TOLERANCE or abs(bottom - prev_bottom) > Y_TOLERANCE
        ):
            out.append(" ")
        out.append(ch)
        prev_left, prev_right, prev_bottom = left, right, bottom
    return " ".join("".join(out).split())


def line_text(list line):
    """Twin of :func:`xxgk.read.pdf._line_text_py`."""
    return _line_text(line)


cdef enum:
    SMALL = 64  # a cell of up to this many characters takes _small_text


cpdef str text(list chars):
    """Twin of :func:`xxgk.read.pdf._text_py`."""
    cdef str small
    if len(chars) == 1:
        return (<tuple>chars[0])[0].strip()
    if len(chars) <= SMALL:
        small = _small_text(chars)
        if small is not None:
            return small
    return "".join([_line_text(line) for line in lines(chars)])


cdef str _small_text(list chars):
    """text() of a cell's few characters without the Python lists and sorts: the same stable orders
    (timsort sorts so few by insertion), by bottom, then each line by (left, right). None when it
    cannot be sure to give the same (a NaN coordinate has no order; a box of more than one character)."""
    cdef double bottoms[SMALL]
    cdef double lefts[SMALL]
    cdef double rights[SMALL]
    cdef Py_ssize_t order[SMALL]
    cdef Py_UCS4 codes[SMALL]
    cdef Py_UCS4 buffer[2 * SMALL]
    cdef Py_ssize_t n = len(chars), i, j, k, start, stop, used = 0, line_start
    cdef double last, left, right, bottom, prev_left = 0, prev_right = 0, prev_bottom = 0
    cdef bint pending, has_prev
    cdef tuple c
    cdef object ch
    buffer[0] = 0
    for i in range(n):
        c = <tuple>PyList_GET_ITEM(chars, i)
        ch = c[0]
        if type(ch) is not str or len(<str>ch) != 1:
            return None
        codes[i] = (<str>ch)[0]
        lefts[i], rights[i], bottoms[i] = c[1], c[3], c[4]
        if lefts[i] != lefts[i] or rights[i] != rights[i] or bottoms[i] != bottoms[i]:
            return None
        order[i] = i
    for i in range(1, n):  # stable, by bottom
        k = order[i]
        j = i - 1
        while j >= 0 and bottoms[order[j]] > bottoms[k]:
            order[j + 1] = order[j]
            j -= 1
        order[j + 1] = k
    start = 0
    while start < n:
        stop = start + 1
        last = bottoms[order[start]]
        while stop < n and not bottoms[order[stop]] > last + Y_TOLERANCE:
            last = bottoms[order[stop]]
            stop += 1
        for i in range(start + 1, stop):  # stable, by (left, right)
            k = order[i]
            j = i - 1
            while j >= start and (
                lefts[order[j]] > lefts[k] or (lefts[order[j]] == lefts[k] and rights[order[j]] > rights[k])
            ):
                order[j + 1] = order[j]
                j -= 1
            order[j + 1] = k
        line_start = used  # the line's text, as _line_text makes it
        pending = has_prev = False
        for i in range(start, stop):
            k = order[i]
            if Py_UNICODE_ISSPACE(codes[k]):
                pending = True
                has_prev = False
                continue
            left, right, bottom = lefts[k], rights[k], bottoms[k]
            if has_prev and (
                left < prev_left or left > prev_right + X_TOLERANCE or fabs(bottom - prev_bottom) > Y_TOLERANCE
            ):
                pending = True
            if pending and used > line_start:
                buffer[used] = u" "
                used += 1
            pending = False
            buffer[used] = codes[k]
            used += 1
            prev_left, prev_right, prev_bottom, has_prev = left, right, bottom, True
        start = stop
    return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, buffer, used)


cpdef list text_lines(list chars):
    """Twin of :func:`xxgk.read.pdf._text_lines_py`."""
    cdef list out = []
    cdef list line
    cdef tuple c
    cdef str s
    cdef object top, bottom
    for line in lines(chars):
        s = _line_text(line)
        if s:
            top = bottom = None
            for c in line:  # Python's min and max: the first of equal values
                if top is None or c[2] < top:
                    top = c[2]
                if bottom is None or c[4] > bottom:
                    bottom = c[4]
            out.append((top, bottom, s))
    return out


# Characters in cells (pdf._chars_by_cell_py) -------------------------------------------------------------


cdef inline Py_ssize_t bisect_right(const double* a, Py_ssize_t n, double x) noexcept:
    """bisect.bisect_right on a sorted array of doubles."""
    cdef Py_ssize_t lo = 0, hi = n, mid
    while lo < hi:
        mid = (lo + hi) // 2
        if x < a[mid]:
            hi = mid
        else:
            lo = mid + 1
    return lo


cdef inline Py_ssize_t bisect_left(const double* a, Py_ssize_t n, double x) noexcept:
    """bisect.bisect_left on a sorted array of doubles."""
    cdef Py_ssize_t lo = 0, hi = n, mid
    while lo < hi:
        mid = (lo + hi) // 2
        if a[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


cdef int _compare(const void* a, const void* b) noexcept nogil:
    cdef double x = (<const double*>a)[0], y = (<const double*>b)[0]
    return (x > y) - (x < y)


cdef Py_ssize_t _distinct(double* values, Py_ssize_t n) noexcept:
    """``values`` sorted, each value once (as a set of floats, then sorted); how many there are."""
    cdef Py_ssize_t i, m = 0
    qsort(values, n, sizeof(double), _compare)
    for i in range(n):
        if m == 0 or values[i] != values[m - 1]:
            values[m] = values[i]
            m += 1
    return m


cpdef dict chars_by_cell(list cells, list chars, long long max_slots):
    """Twin of :func:`xxgk.read.pdf._chars_by_cell_py` (``max_slots``: pdf.MAX_SLOTS at the call). The
    cell edges are sorted as C doubles; a NaN edge (which pdfium never gives) has no order, and takes the
    Python function."""
    cdef list order = []  # the cells in the order their first characters come, as the dict's keys
    cdef list by_index = _chars_by_index(cells, chars, max_slots, order)
    cdef dict cell_chars = {}
    if by_index is None:
        from xxgk.read.pdf import _chars_by_cell_py

        return _chars_by_cell_py(cells, chars)
    for k in order:
        cell_chars[<object>PyList_GET_ITEM(cells, k)] = by_index[k]
    return cell_chars


cdef list _chars_by_index(list cells, list chars, long long max_slots, list order):
    """The characters of each cell, by its index in ``cells`` (None for a cell without any), in page
    order; None when a cell edge is NaN. Equal cells have the same slots, so the later one takes them all,
    and their list is the one :func:`chars_by_cell` gives both under their one key, as the Python
    function does."""
    cdef Py_ssize_t nx, ny, i, j, k, n = len(cells)
    cdef long long slots = 0
    cdef double* x_edges = NULL
    cdef double* y_edges = NULL
    cdef Py_ssize_t* spans = NULL
    cdef Py_ssize_t* slot_cell = NULL  # the cell (index) of each slot, -1 for none
    cdef tuple c
    cdef list by_index
    try:
        x_edges = <double*>PyMem_Malloc((2 * n + 1) * sizeof(double))
        y_edges = <double*>PyMem_Malloc((2 * n + 1) * sizeof(double))
        spans = <Py_ssize_t*>PyMem_Malloc((4 * n + 1) * sizeof(Py_ssize_t))
        if x_edges == NULL or y_edges == NULL or spans == NULL:
            raise MemoryError()
        for k in range(n):
            c = <tuple>PyList_GET_ITEM(cells, k)
            x_edges[2 * k], x_edges[2 * k + 1] = c[0], c[2]
            y_edges[2 * k], y_edges[2 * k + 1] = c[1], c[3]
        for k in range(2 * n):
            if x_edges[k] != x_edges[k] or y_edges[k] != y_edges[k]:
                return None
        nx, ny = _distinct(x_edges, 2 * n), _distinct(y_edges, 2 * n)
        for k in range(n):
            c = <tuple>PyList_GET_ITEM(cells, k)
            spans[4 * k] = bisect_left(x_edges, nx, c[0])  # the edge's own slot: it is in the list
            spans[4 * k + 1] = bisect_left(x_edges, nx, c[2])
            spans[4 * k + 2] = bisect_left(y_edges, ny, c[1])
            spans[4 * k + 3] = bisect_left(y_edges, ny, c[3])
            slots += (spans[4 * k + 1] - spans[4 * k]) * (spans[4 * k + 3] - spans[4 * k + 2])
        if slots > max_slots:
            from xxgk.read.pdf_grid import GridTooComplex

            raise GridTooComplex(f"cells over {slots} grid slots, over the budget of {max_slots}")
        slot_cell = <Py_ssize_t*>PyMem_Malloc((nx * ny + 1) * sizeof(Py_ssize_t))
        if slot_cell == NULL:
            raise MemoryError()
        for k in range(nx * ny):
            slot_cell[k] = -1
        for k in range(n):  # where cells overlap, the later one's
            for i in range(spans[4 * k], spans[4 * k + 1]):
                for j in range(spans[4 * k + 2], spans[4 * k + 3]):
                    slot_cell[i * ny + j] = k
        by_index = [None] * n
        for c in chars:
            i = bisect_right(x_edges, nx, c[5]) - 1
            j = bisect_right(y_edges, ny, c[6]) - 1
            if i < 0 or j < 0 or i >= nx or j >= ny or slot_cell[i * ny + j] < 0:
                continue
            k = slot_cell[i * ny + j]
            found = by_index[k]
            if found is None:
                by_index[k] = [c]
                if order is not None:
                    order.append(k)
            else:
                (<list>found).append(c)
        return by_index
    finally:
        PyMem_Free(x_edges)
        PyMem_Free(y_edges)
        PyMem_Free(spans)
        PyMem_Free(slot_cell)


# The grid (pdf_grid._corners_py, _cells_py, _group_py) ---------------------------------------------------

cdef double SNAP = 0, MIN_RULING = 0


def configure_grid(double snap, double min_ruling):
    """pdf_grid.py's knobs: _SNAP, _MIN_RULING."""
    global SNAP, MIN_RULING
    SNAP, MIN_RULING = snap, min_ruling


cdef object POSITION = itemgetter(1)


def merge(list edges):
    """Twin of :func:`xxgk.read.pdf_grid._merge_py`."""
    cdef list merged = [], group, clusters, cluster, out, pieces, last
    cdef tuple edge, piece
    cdef Py_ssize_t k
    for orientation in ("h", "v"):
        group = sorted([e for e in edges if e[0] == orientation], key=POSITION)
        clusters = []
        last = None
        for edge in group:
            if last is not None and <double>edge[1] <= <double>(<tuple>last[len(last) - 1])[1] + SNAP:
                last.append(edge)
            else:
                last = [edge]
                clusters.append(last)
        out = []
        for cluster in clusters:
            position = sum([e[1] for e in cluster]) / len(cluster)
            pieces = sorted([(e[2], e[3]) for e in cluster])
            piece = <tuple>pieces[0]
            lo, hi = piece[0], piece[1]
            for k in range(1, len(pieces)):
                piece = <tuple>pieces[k]
                start, end = piece[0], piece[1]
                if <double>start <= <double>hi + SNAP:
                    if end > hi:  # Python's max: the first of equal values
                        hi = end
                else:
                    out.append((position, lo, hi))
                    lo, hi = start, end
            out.append((position, lo, hi))
        merged.append([e for e in out if <double>e[2] - <double>e[1] >= MIN_RULING])
    return merged[0], merged[1]


cpdef tuple bbox(list cells):
    """Twin of :func:`xxgk.read.pdf_grid.bbox_py`."""
    return _bbox(cells)


cdef inline Py_ssize_t bisect_list(list a, double x, bint right):
    """bisect.bisect_right (or _left) on a sorted list of floats."""
    cdef Py_ssize_t lo = 0, hi = PyList_GET_SIZE(a), mid
    cdef double v
    while lo < hi:
        mid = (lo + hi) // 2
        v = <double><object>PyList_GET_ITEM(a, mid)
        if right:
            if x < v:
                hi = mid
            else:
                lo = mid + 1
        elif v < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


def corners(list h_edges, list v_edges):
    """Twin of :func:`xxgk.read.pdf_grid._corners_py`."""
    cdef dict found = {}
    cdef list h_positions = [e[0] for e in h_edges]
    cdef Py_ssize_t hi, start, stop
    cdef double x, top, bottom, x0, x1, a, b
    cdef list reach
    cdef tuple v, h
    for v in v_edges:
        x, top, bottom = v[0], v[1], v[2]
        start = bisect_list(h_positions, top - SNAP, False)
        stop = bisect_list(h_positions, bottom + SNAP, True)
        for hi in range(start, stop):
            h = <tuple>PyList_GET_ITEM(h_edges, hi)
            x0, x1 = h[1], h[2]
            if x0 - SNAP <= x and x <= x1 + SNAP:
                key = (v[0], h[0])
                got = found.get(key)
                if got is None:
                    found[key] = [x1 + SNAP, bottom + SNAP]
                else:
                    reach = <list>got
                    a, b = reach[0], reach[1]
                    if x1 + SNAP > a:  # Python's max: the first of equal values
                        reach[0] = x1 + SNAP
                    if bottom + SNAP > b:
                        reach[1] = bottom + SNAP
    return found


cdef struct Pair:
    double x, y
    Py_ssize_t i


cdef int _by_y_then_x(const void* a, const void* b) noexcept nogil:
    cdef const Pair* p = <const Pair*>a
    cdef const Pair* q = <const Pair*>b
    if p.y != q.y:
        return -1 if p.y < q.y else 1
    if p.x != q.x:
        return -1 if p.x < q.x else 1
    return (p.i > q.i) - (p.i < q.i)


cdef int _by_x_then_y(const void* a, const void* b) noexcept nogil:
    cdef const Pair* p = <const Pair*>a
    cdef const Pair* q = <const Pair*>b
    if p.x != q.x:
        return -1 if p.x < q.x else 1
    if p.y != q.y:
        return -1 if p.y < q.y else 1
    return (p.i > q.i) - (p.i < q.i)


def cells(dict corners, check_time):
    """Twin of :func:`xxgk.read.pdf_grid._cells_py`, on arrays: the corners sorted by (x, y) put each
    column in a run; sorted by (y, x), each row. A NaN position (never from pdfium) has no order and
    takes the Python function."""
    cdef list points = sorted(corners)
    cdef Py_ssize_t n = len(points), k, m, first, last, lo, hi, top_end
    cdef double* px = NULL
    cdef double* py = NULL
    cdef double* rx = NULL
    cdef double* ry = NULL
    cdef Py_ssize_t* column_end = NULL  # the end of each point's column run (points sorted by x, y)
    cdef Py_ssize_t* row_at = NULL  # each point's place in the rows order
    cdef Py_ssize_t* row_start = NULL
    cdef Py_ssize_t* row_end = NULL
    cdef Pair* rows = NULL
    cdef list found = []
    cdef tuple point
    cdef list reach
    cdef bint closed
    try:
        px = <double*>PyMem_Malloc((n + 1) * sizeof(double))
        py = <double*>PyMem_Malloc((n + 1) * sizeof(double))
        rx = <double*>PyMem_Malloc((n + 1) * sizeof(double))
        ry = <double*>PyMem_Malloc((n + 1) * sizeof(double))
        column_end = <Py_ssize_t*>PyMem_Malloc((n + 1) * sizeof(Py_ssize_t))
        row_at = <Py_ssize_t*>PyMem_Malloc((n + 1) * sizeof(Py_ssize_t))
        row_start = <Py_ssize_t*>PyMem_Malloc((n + 1) * sizeof(Py_ssize_t))
        row_end = <Py_ssize_t*>PyMem_Malloc((n + 1) * sizeof(Py_ssize_t))
        rows = <Pair*>PyMem_Malloc((n + 1) * sizeof(Pair))
        if not (px and py and rx and ry and column_end and row_at and row_start and row_end and rows):
            raise MemoryError()
        for k in range(n):
            point = <tuple>PyList_GET_ITEM(points, k)
            px[k], py[k] = point[0], point[1]
            reach = <list>corners[point]
            rx[k], ry[k] = reach[0], reach[1]
            if px[k] != px[k] or py[k] != py[k] or rx[k] != rx[k] or ry[k] != ry[k]:
                from xxgk.read.pdf_grid import _cells_py

                return _cells_py(corners, check_time)
            rows[k].x, rows[k].y, rows[k].i = px[k], py[k], k
        k = n - 1
        while k >= 0:  # columns: runs of one x
            m = k
            while m >= 0 and px[m] == px[k]:
                column_end[m] = k + 1
                m -= 1
            k = m
        qsort(rows, n, sizeof(Pair), _by_y_then_x)
        k = 0
        while k < n:  # rows: runs of one y
            m = k
            while m < n and rows[m].y == rows[k].y:
                m += 1
            for lo in range(k, m):
                row_at[rows[lo].i], row_start[rows[lo].i], row_end[rows[lo].i] = lo, k, m
            k = m
        for k in range(n):
            if check_time is not None and not k & 4095:
                check_time()
            # below: the column's corners under this one, down to its vertical ruling's reach
            hi = column_end[k]
            top_end = k + 1
            lo, m = top_end, hi
            while lo < m:  # bisect_right(column, y_reach) within the run
                first = (lo + m) // 2
                if ry[k] < py[first]:
                    m = first
                else:
                    lo = first + 1
            hi = lo
            # the row's corners right of this one, up to its horizontal ruling's reach
            first = row_at[k] + 1
            lo, m = first, row_end[k]
            while lo < m:
                last = (lo + m) // 2
                if rx[k] < rows[last].x:
                    m = last
                else:
                    lo = last + 1
            last = lo
            closed = False
            for m in range(top_end, hi):  # b: the corner m of the column
                while first < last and rows[first].x <= rx[m]:
                    if ry[rows[first].i] >= py[m]:
                        found.append((px[k], py[k], rows[first].x, py[m]))
                        closed = True
                        break
                    first += 1
                if closed:
                    break
        return found
    finally:
        PyMem_Free(px)
        PyMem_Free(py)
        PyMem_Free(rx)
        PyMem_Free(ry)
        PyMem_Free(column_end)
        PyMem_Free(row_at)
        PyMem_Free(row_start)
        PyMem_Free(row_end)
        PyMem_Free(rows)


cdef inline Py_ssize_t root(Py_ssize_t* parent, Py_ssize_t i) noexcept:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def group(list cells):
    """Twin of :func:`xxgk.read.pdf_grid._group_py`: the same union-find in the same order, so the same
    roots; each corner's first cell found by sorting the corners (a NaN position takes the Python
    function)."""
    cdef Py_ssize_t n = len(cells), i, j, k, m, corner
    cdef Py_ssize_t* parent = <Py_ssize_t*>PyMem_Malloc((n + 1) * sizeof(Py_ssize_t))
    cdef Py_ssize_t* owner = <Py_ssize_t*>PyMem_Malloc((4 * n + 1) * sizeof(Py_ssize_t))
    cdef Pair* corners = <Pair*>PyMem_Malloc((4 * n + 1) * sizeof(Pair))
    cdef dict groups = {}
    cdef tuple cell
    cdef double x0, top, x1, bottom
    try:
        if parent == NULL or owner == NULL or corners == NULL:
            raise MemoryError()
        for i in range(n):
            parent[i] = i
            cell = <tuple>PyList_GET_ITEM(cells, i)
            x0, top, x1, bottom = cell[0], cell[1], cell[2], cell[3]
            if x0 != x0 or top != top or x1 != x1 or bottom != bottom:
                from xxgk.read.pdf_grid import _group_py

                return _group_py(cells)
            # the corners in the Python order: (x0, top), (x0, bottom), (x1, top), (x1, bottom)
            corners[4 * i].x, corners[4 * i].y, corners[4 * i].i = x0, top, 4 * i
            corners[4 * i + 1].x, corners[4 * i + 1].y, corners[4 * i + 1].i = x0, bottom, 4 * i + 1
            corners[4 * i + 2].x, corners[4 * i + 2].y, corners[4 * i + 2].i = x1, top, 4 * i + 2
            corners[4 * i + 3].x, corners[4 * i + 3].y, corners[4 * i + 3].i = x1, bottom, 4 * i + 3
        qsort(corners, 4 * n, sizeof(Pair), _by_x_then_y)
        k = 0
        while k < 4 * n:  # owner: each corner's first cell (setdefault in the Python order)
            m = k
            while m < 4 * n and corners[m].x == corners[k].x and corners[m].y == corners[k].y:
                owner[corners[m].i] = corners[k].i // 4  # (sorted by place in the order within a run)
                m += 1
            k = m
        for corner in range(4 * n):
            i, j = corner // 4, owner[corner]
            if j != i:
                parent[root(parent, i)] = root(parent, j)
        for i in range(n):
            j = root(parent, i)
            got = groups.get(j)
            if got is None:
                groups[j] = [<object>PyList_GET_ITEM(cells, i)]
            else:
                (<list>got).append(<object>PyList_GET_ITEM(cells, i))
    finally:
        PyMem_Free(parent)
        PyMem_Free(owner)
        PyMem_Free(corners)
    tables = [g for g in groups.values() if len(g) > 1]
    return sorted(tables, key=_table_corner)


def _table_corner(list table):
    return min([(c[1], c[0]) for c in table])


# Table rows (pdf._table_rows_py) ---------------------------------------------------------------------------

cdef tuple _bbox(list cells):
    """pdf_grid.bbox (Python's min and max: the first of equal values)."""
    cdef tuple c = <tuple>cells[0]
    x0, top, x1, bottom = c[0], c[1], c[2], c[3]
    for c in cells:
        if c[0] < x0:
            x0 = c[0]
        if c[1] < top:
            top = c[1]
        if c[2] > x1:
            x1 = c[2]
        if c[3] > bottom:
            bottom = c[3]
    return (x0, top, x1, bottom)


def table_rows(list cells, list chars, inner, double height, long long max_slots):
    """Twin of :func:`xxgk.read.pdf._table_rows_py` (``max_slots``: pdf.MAX_SLOTS at the call). The
    characters by centre height are sorted when a row is first read as text (rows of cells need no such
    order), in C arrays: by (centre, index), which is Python's stable sort by centre (a character inside
    the table has no NaN centre: it failed the comparisons of ``centred_in``)."""
    cdef tuple table_box = _bbox(cells)
    cdef list inside = centred_in(chars, table_box)
    # each cell's characters by its index (a dict by cell would hash four floats a look-up)
    cdef list by_index = _chars_by_index(cells, inside, max_slots, None)
    cdef dict cell_chars = None if by_index is not None else chars_by_cell(cells, inside, max_slots)
    cdef Py_ssize_t at
    cdef list columns = sorted({c[0] for c in cells})
    cdef dict rows = {}
    cdef list items = [], row, texts, present, nested, parts, part
    cdef Py_ssize_t r, filled, p, lo, hi, k, j, n = PyList_GET_SIZE(inside)
    cdef double x0v, x1v, cx, start_v, stop_v
    cdef tuple c, b
    cdef Pair* by_centre = NULL  # (unused x, centre, index), sorted; made when first needed
    cdef Py_ssize_t* band = NULL
    for at in range(len(cells)):  # each row's cells by x0, as their indices (a later cell replaces one)
        cell = <tuple>PyList_GET_ITEM(cells, at)
        got = rows.get(cell[1])
        if got is None:
            rows[cell[1]] = {cell[0]: at}
        else:
            (<dict>got)[cell[0]] = at
    try:
        r = 0
        for top in sorted(rows):
            r += 1
            row_of = <dict>rows[top]
            row = [row_of.get(x) for x in columns]
            texts = []
            present = []
            filled = 0
            for index in row:
                if index is not None:
                    cell = <tuple>PyList_GET_ITEM(cells, <Py_ssize_t>index)
                    if by_index is not None:
                        found = by_index[<Py_ssize_t>index]
                        t = text(found if found is not None else [])
                    else:
                        t = text(cell_chars.get(cell, []))
                    present.append(cell)
                else:
                    t = ""
                texts.append(t)
                if (<str>t).strip():
                    filled += 1
            x0, y0, x1, y1 = _bbox(present)
            if filled > 1:
                items.append((top, y1, "cells", texts, r))
                continue
            if by_centre == NULL:
                by_centre = <Pair*>PyMem_Malloc((n + 1) * sizeof(Pair))
                band = <Py_ssize_t*>PyMem_Malloc((n + 1) * sizeof(Py_ssize_t))
                if by_centre == NULL or band == NULL:
                    raise MemoryError()
                for k in range(n):
                    c = <tuple>PyList_GET_ITEM(inside, k)
                    by_centre[k].x, by_centre[k].y, by_centre[k].i = 0, c[6], k
                qsort(by_centre, n, sizeof(Pair), _by_y_then_x)
            nested = sorted([b for b in inner if x0 <= b[0] and b[2] <= x1 and y0 <= b[1] and b[3] <= y1])
            parts = [y0]
            for b in nested:
                parts.append(b[1])
                parts.append(b[3])
            parts.append(y1)
            x0v, x1v = x0, x1
            for p in range(0, len(parts) - 1, 2):
                start, stop = parts[p], parts[p + 1]
                start_v, stop_v = start, stop
                lo = _bisect_centre(by_centre, n, start_v)
                hi = _bisect_centre(by_centre, n, stop_v)
                if hi < lo:  # (a band upside down, from tables drawn overlapping: empty, as a slice)
                    hi = lo
                for j in range(lo, hi):  # the band, in page order
                    band[j - lo] = by_centre[j].i
                qsort(band, hi - lo, sizeof(Py_ssize_t), _compare_index)
                part = []
                for j in range(hi - lo):
                    c = <tuple>PyList_GET_ITEM(inside, band[j])
                    cx = c[5]
                    if x0v <= cx and cx < x1v:
                        part.append(c)
                if height and (stop_v < BAND * height or start_v > (1 - BAND) * height):
                    for t_top, t_bottom, line in text_lines(part):
                        items.append((t_top, t_bottom, "text", line))
                    continue
                s = text(part)
                if s or not nested:
                    items.append((start, stop, "text", s))
        return items
    finally:
        PyMem_Free(by_centre)
        PyMem_Free(band)


cdef inline Py_ssize_t _bisect_centre(const Pair* a, Py_ssize_t n, double x) noexcept:
    """bisect.bisect_left on the centres of ``a`` (sorted by centre)."""
    cdef Py_ssize_t lo = 0, hi = n, mid
    while lo < hi:
        mid = (lo + hi) // 2
        if a[mid].y < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


cdef int _compare_index(const void* a, const void* b) noexcept nogil:
    cdef Py_ssize_t x = (<const Py_ssize_t*>a)[0], y = (<const Py_ssize_t*>b)[0]
    return (x > y) - (x < y)
