"""Suite-wide test settings.

Hypothesis deadlines are off: speed is measured in ``benchmarks/``, not asserted in
unit tests, and a per-example deadline only makes a loaded CI machine flaky. Under CI
(``CI`` set) examples are derandomized so that a red run is reproducible. The
``redis_url`` fixture runs one real redis-server for the session.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from _redis_server import redis_url_fixture
from hypothesis import HealthCheck, settings

settings.register_profile("dev", deadline=None)
settings.register_profile(
    "ci",
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A real redis-server for the session (see tests/_redis_server.py)."""
    yield from redis_url_fixture()
