"""``python -m xxgk …``: the ``xxgk`` command, for an environment whose scripts folder is not on PATH."""

import sys

from xxgk.run.cli import main

sys.exit(main())
