"""The optional compiled core of the PDF reader (lib/xxgk/read/_pdfcore.pyx); everything else is in
pyproject.toml.

The extension is optional: without Cython at build time (a build without isolation) it is skipped, and a
build that cannot compile it (no C compiler) still installs the package, which then reads PDFs with the
pure-Python code (same results, about 1.5 times slower; README, "Dependencies, and why").
"""

import hashlib
import sys
from pathlib import Path

from setuptools import setup

SOURCE = "lib/xxgk/read/_pdfcore.pyx"

try:
    from Cython.Build import cythonize
except ImportError:  # no Cython at build time: the pure-Python reader only
    extensions = []
else:
    from setuptools import Extension

    # No fused multiply-add: the compiled loops must round exactly as the Python ones (identical output).
    flags = [] if sys.platform == "win32" else ["-ffp-contract=off"]
    # The source's hash, built in: a checkout whose .pyx changed since its build is not read with the old
    # build (xxgk.read.pdfium_calls.compiled_core).
    digest = hashlib.sha256((Path(__file__).parent / SOURCE).read_bytes()).hexdigest()[:16]
    extension = Extension(
        "xxgk.read._pdfcore",
        [SOURCE],
        extra_compile_args=flags,
        define_macros=[("XXGK_PDFCORE_SOURCE", f'"{digest}"')],
    )
    extensions = cythonize(
        [extension],
        compiler_directives={"language_level": 3},
        quiet=True,
    )
    for extension in extensions:
        extension.optional = True  # a failed compile is a warning, not a failed install (cythonize drops it)

setup(ext_modules=extensions)
