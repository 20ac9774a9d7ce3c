"""The optional compiled core of the PDF reader (lib/xxgk/read/_pdfcore.pyx); everything else is in
pyproject.toml.

The extension is optional: without Cython at build time (a build without isolation) it is skipped, and a
build that cannot compile it (no C compiler) still installs the package, which then reads PDFs with the
pure-Python code (same results, about 1.5 times slower; README, "Dependencies, and why").
"""

import sys

from setuptools import setup

try:
    from Cython.Build import cythonize
except ImportError:  # no Cython at build time: the pure-Python reader only
    extensions = []
else:
    from setuptools import Extension

    # No fused multiply-add: the compiled loops must round exactly as the Python ones (identical output).
    flags = [] if sys.platform == "win32" else ["-ffp-contract=off"]
    extensions = cythonize(
        [Extension("xxgk.read._pdfcore", ["lib/xxgk/read/_pdfcore.pyx"], extra_compile_args=flags)],
        compiler_directives={"language_level": 3},
        quiet=True,
    )
    for extension in extensions:
        extension.optional = True  # a failed compile is a warning, not a failed install (cythonize drops it)

setup(ext_modules=extensions)
