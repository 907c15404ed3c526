"""``python -m okx_ext``: the ``okx-ext`` command line."""

import sys

from okx_ext.cli import main

if __name__ == "__main__":
    sys.exit(main())
