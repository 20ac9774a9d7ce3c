"""``python -m xxgk …``: the ``xxgk`` command, for an environment whose scripts folder is not on PATH."""

import sys

from xxgk.run.cli import main

if __name__ == "__main__":  # importing the module (a walk over the package) runs nothing
    sys.exit(main())
