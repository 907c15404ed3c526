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
import shutil
import uuid
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest
from _redis_server import redis_server
from _simclock import SimClock
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
    """A real redis-server for the session (see tests/_redis_server.py).

    Skipped where redis-server is missing, unless OKX_EXT_REQUIRE_REDIS=1 (CI sets it),
    where a missing server is a failure rather than a silently smaller suite.
    """
    if shutil.which("redis-server") is None:
        reason = "redis-server is not on PATH (apt-get install redis-server)"
        if os.environ.get("OKX_EXT_REQUIRE_REDIS") == "1":
            pytest.fail(f"{reason}, and OKX_EXT_REQUIRE_REDIS=1")
        pytest.skip(f"{reason}; set OKX_EXT_REQUIRE_REDIS=1 to fail instead")
    with redis_server() as url:
        yield url


@pytest.fixture
def make_limiter(redis_url: str) -> Iterator[Callable[..., RedisRateLimiter]]:
    """Build limiters on a key of this test's own; ``clock`` drives the server's time too.

    The Lua scripts take an optional "now" (``limiter._server_now``, tests only) in place
    of Redis TIME, so schedules on a `SimClock` are exact and nothing really sleeps.
    """
    from okx_ext import RedisRateLimiter

    key = f"test:{uuid.uuid4().hex}"
    built: list[RedisRateLimiter] = []

    def make(
        limit: RateLimit, clock: SimClock | None = None, *, key: str = key, **kwargs: object
    ) -> RedisRateLimiter:
        if clock is not None:
            kwargs.setdefault("clock", clock.time)
            kwargs.setdefault("sleep", clock.sleep)
        limiter = RedisRateLimiter(redis_url, key=key, limit=limit, **kwargs)  # type: ignore[arg-type]
        if clock is not None:
            limiter._server_now = clock.time
        built.append(limiter)
        return limiter

    yield make
    for limiter in built:
        limiter.close()
