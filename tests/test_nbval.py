"""nbval in lax mode fails a notebook whose cell raises or whose assert fails, and passes a sound one."""

import nbformat
import pytest

pytest_plugins = ["pytester"]


def _write(path, *cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


@pytest.mark.parametrize(
    "cells, failed",
    [
        (("x = [0.25, 0.75]", "assert abs(sum(x) - 1) < 1e-9"), 0),
        (("x = [0.25, 0.5]", "assert abs(sum(x) - 1) < 1e-9, 'shares do not sum to 1'"), 1),
        (("x = 1", "x / 0"), 1),
    ],
)
def test_nbval_lax_catches_a_broken_notebook(pytester, cells, failed):
    _write(pytester.path / "nb.ipynb", *cells)
    result = pytester.runpytest_subprocess(
        "--nbval-lax", "--nbval-current-env", "-p", "no:cacheprovider", "nb.ipynb"
    )
    result.assert_outcomes(passed=len(cells) - failed, failed=failed)
