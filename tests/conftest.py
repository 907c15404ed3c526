"""Suite-wide test settings.

Hypothesis deadlines are off: speed is measured in ``benchmarks/``, not asserted in
unit tests, and a per-example deadline only makes a loaded CI machine flaky. Under CI
(``CI`` set) examples are derandomized so that a red run is reproducible;
``OKX_EXT_HYPOTHESIS_PROFILE`` names another profile (``make mutate`` sets "mutate"). The
``redis_url`` fixture runs one real redis-server for the session; ``make_limiter`` builds
RedisRateLimiters on it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest
from _redis_server import redis_url_fixture
from _simclock import SimClock, bounded
from hypothesis import HealthCheck, settings

if TYPE_CHECKING:
    from okx_ext import RateLimit, RedisRateLimiter

settings.register_profile("dev", deadline=None)
settings.register_profile(
    "ci",
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
# make mutate: many short runs, each reproducible. mutmut runs a test class's tests several
# times in one process, each time on a new instance: that is not the flakiness
# differing_executors warns of.
settings.register_profile(
    "mutate",
    deadline=None,
    derandomize=True,
    database=None,
    max_examples=25,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.differing_executors],
)
settings.load_profile(
    os.environ.get("OKX_EXT_HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A real redis-server for the session (see tests/_redis_server.py)."""
    yield from redis_url_fixture()


@pytest.fixture
def make_limiter(redis_url: str) -> Iterator[Callable[..., RedisRateLimiter]]:
    """Build limiters on a key of this test's own; ``clock`` drives the server's time too.

    The Lua scripts take an optional "now" (``limiter._server_now``, tests only) in place
    of Redis TIME, so schedules on a `SimClock` are exact and nothing really sleeps; a
    limiter that sleeps on it 1000 times without a slot fails the test. The key is
    vouched fresh (``assume_fresh=True``); ``known=False`` leaves that to the server's
    facts, so the first acquire may pause.
    """
    from okx_ext import RedisRateLimiter

    key = f"test:{uuid.uuid4().hex}"
    built: list[RedisRateLimiter] = []

    def make(
        limit: RateLimit, clock: SimClock | None = None, *, key: str = key,
        url: str = redis_url, known: bool = True, **kwargs: object,
    ) -> RedisRateLimiter:
        if clock is not None:
            kwargs.setdefault("clock", clock.time)
            kwargs.setdefault("sleep", bounded(clock.sleep))
        kwargs.setdefault("assume_fresh", known)
        limiter = RedisRateLimiter(url, key=key, limit=limit, **kwargs)  # type: ignore[arg-type]
        if clock is not None:
            limiter._server_now = clock.time
        built.append(limiter)
        return limiter

    yield make
    for limiter in built:
        limiter.close()
