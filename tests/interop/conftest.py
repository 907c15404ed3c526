"""Interop tests: OKX clients written by others (ccxt, the okx-api Node SDK) read the fake.

Each test serves a fresh fake exchange on loopback (waitress) and talks to it over real
HTTP, so what is proven is the wire: the fake's bodies, headers and signatures as the
clients send and parse them, not a Python object handed over in-process.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from interop_support import Served, seeded_exchange


@pytest.fixture
def served() -> Iterator[Served]:
    """A freshly seeded exchange served on loopback for one test (transfers change it)."""
    exchange = seeded_exchange()
    with exchange.serve() as base_url:
        yield Served(exchange, base_url)
