"""``python -m okx_fakes``: serve the fake exchange over HTTP (see :mod:`okx_fakes.cli`)."""

from okx_fakes.cli import main

raise SystemExit(main())
