"""RateLimit and RateLimiter: what `make mutate` found the suite did not pin.

Exact error messages, and the frozen-clock check's exact boundary: it fails once three
sleeps on an unmoving clock add up to a whole window, not one sleep later.
"""

from __future__ import annotations

import re

import pytest

from okx_ext import RateLimit, RateLimiter


def exactly(message: str) -> str:
    return f"^{re.escape(message)}$"


def test_a_refused_window_names_the_policy_field() -> None:
    with pytest.raises(ValueError, match=exactly(
            "RateLimit.window_s must be a finite number > 0, got 0")):
        RateLimit(1, 0)


def test_a_limiter_of_something_else_names_what_it_was_given() -> None:
    with pytest.raises(TypeError, match=exactly("RateLimiter expects a RateLimit, got str")):
        RateLimiter("20/2s")  # type: ignore[arg-type]


def test_a_release_without_acquire_says_so_in_those_words() -> None:
    with pytest.raises(RuntimeError, match=exactly(
            "RateLimiter.release() without a matching acquire()")):
        RateLimiter().release()


def test_the_frozen_clock_check_fails_when_the_stalled_sleeps_reach_a_whole_window() -> None:
    # The clock stops at 1.75, a quarter second before the slot freed at 0.0 ends: each
    # wait is 0.25 s and never moves it. Eight stalled sleeps make exactly the 2 s window.
    now = [0.0]
    slept: list[float] = []
    limiter = RateLimiter(RateLimit(1, 2.0), clock=lambda: now[0], sleep=slept.append)
    with limiter.slot():
        pass
    now[0] = 1.75

    with pytest.raises(RuntimeError, match="clock did not move across 3 sleeps"):
        limiter.acquire()
    assert slept == [0.25] * 8
