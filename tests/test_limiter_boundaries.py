"""RedisRateLimiter at the edges the older tests stepped over, on a real redis-server.

Each test here was written against a bug planted by hand that the suite let through:
a release after the lease expired, one limiter holding two slots in flight, and a
window that is not a whole number of microseconds. The window runs on a simulated
clock (conftest's ``make_limiter``), so every time below is exact and nothing really sleeps.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from _simclock import SimClock

from okx_ext import RateLimit, RedisRateLimiter

MakeLimiter = Callable[..., RedisRateLimiter]


def test_a_release_after_the_lease_expired_still_counts_for_a_window(
    make_limiter: MakeLimiter,
) -> None:
    # The lease ran out while the request was in flight and another acquire swept it
    # away; the request was sent all the same, so its release must put the slot back.
    clock = SimClock()
    slow = make_limiter(RateLimit(2, 1.0), clock, lease_s=1.0)
    other = make_limiter(RateLimit(2, 1.0), clock, lease_s=1.0)
    assert slow.acquire()  # lease until 1.0
    clock.advance(1.5)
    assert other.acquire()  # sweeps slow's expired lease; its own lease until 2.5
    slow.release()  # counts until 2.5 again

    assert other.acquire()
    assert clock.time() == 2.5


def test_release_gives_back_the_oldest_of_two_slots_in_flight(
    make_limiter: MakeLimiter,
) -> None:
    # The earlier request is the one that returned; the later one keeps its longer lease.
    clock = SimClock()
    limiter = make_limiter(RateLimit(2, 2.0), clock, lease_s=4.0)
    assert limiter.acquire()  # first: lease until 4
    clock.advance(1.0)
    assert limiter.acquire()  # second: lease until 5
    limiter.release()  # the first now counts until 3; the second keeps its lease until 5

    assert limiter.acquire()  # the first's slot, at 3: lease until 7
    assert clock.time() == 3.0
    assert limiter.acquire()  # the second's lease ends at 5 (the first's was 4)
    assert clock.time() == 5.0


def test_a_window_a_tenth_of_a_microsecond_over_two_seconds_is_not_cut_short(
    make_limiter: MakeLimiter,
) -> None:
    # Rounded down to whole microseconds, the window would end exactly at 2.0 and admit
    # a request there; rounded up, it ends a microsecond later.
    clock = SimClock()
    limiter = make_limiter(RateLimit(1, 2.0000001), clock)
    with limiter.slot():
        pass
    clock.advance(2.0)

    assert limiter.acquire()
    assert clock.time() == pytest.approx(2.000001, abs=1e-9)
    assert clock.sleeps == [pytest.approx(1e-6, abs=1e-9)]
