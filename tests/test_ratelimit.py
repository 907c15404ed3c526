from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable

import pytest
from _simclock import SimClock
from freezegun import freeze_time
from hypothesis import given, settings
from hypothesis import strategies as st

from okx_ext._ratelimit import RateLimit, RateLimiter, _window_end


def wait_until(condition: Callable[[], bool], timeout_s: float = 5.0) -> None:
    """Poll (1 ms steps) until another thread has reached the state a test needs."""
    give_up = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < give_up, "the other threads never got there"
        time.sleep(0.001)

Interval = tuple[float, float]  # (slot acquired, call returned)


def max_overlap(intervals: list[Interval], window_s: float) -> int:
    """Most slots held at one instant, a slot lasting from acquire to return + window_s."""
    events: list[tuple[float, int]] = []
    for start, end in intervals:
        events.append((start, 1))
        events.append((end + window_s, -1))
    # At equal times the -1 (slot freed) comes first: the window is half-open.
    events.sort(key=lambda event: (event[0], event[1]))
    held = most = 0
    for _, delta in events:
        held += delta
        most = max(most, held)
    return most


def max_in_window(arrivals: list[float], window_s: float) -> int:
    """Most arrivals in any window (t - window_s, t], counted as the fake exchange does.

    Written as ``t - window_s`` on purpose: in floats 0.4 + 1.0 - 1.0 < 0.4, so a
    limiter that only adds window_s would let an exchange counting this way see one
    request too many.
    """
    arrivals = sorted(arrivals)
    most = 0
    first = 0
    for last, arrived in enumerate(arrivals):
        while arrivals[first] <= arrived - window_s:
            first += 1
        most = max(most, last - first + 1)
    return most


def run_calls(
    limiter: RateLimiter, clock: SimClock, durations: list[float], gaps: list[float]
) -> list[Interval]:
    intervals = []
    for duration, gap in zip(durations, gaps, strict=True):
        clock.sleep(gap)
        with limiter.slot():
            start = clock.time()
            clock.sleep(duration)
            end = clock.time()
        intervals.append((start, end))
    return intervals


class TestRateLimitConfig:
    def test_defaults_are_okx_limits(self) -> None:
        assert RateLimit() == RateLimit(20, 2.0)
        assert RateLimiter().limit == RateLimit(max_requests=20, window_s=2.0)

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"max_requests": 0},
            {"max_requests": -1},
            {"max_requests": 2.0},
            {"max_requests": True},
            {"window_s": 0},
            {"window_s": -1.0},
            {"window_s": float("inf")},
            {"window_s": float("nan")},
            {"window_s": "2"},
            {"window_s": True},
        ],
    )
    def test_invalid_config_refused(self, kwargs: dict[str, object]) -> None:
        with pytest.raises(ValueError, match="RateLimit"):
            RateLimit(**kwargs)  # type: ignore[arg-type]

    def test_frozen_and_hashable(self) -> None:
        limit = RateLimit(5, 1.0)
        with pytest.raises(AttributeError):
            limit.max_requests = 6  # type: ignore[misc]
        assert {limit: 1}[RateLimit(5, 1.0)] == 1

    def test_limiter_refuses_non_config(self) -> None:
        with pytest.raises(TypeError, match="RateLimit"):
            RateLimiter((20, 2.0))  # type: ignore[arg-type]

    def test_repr(self) -> None:
        assert repr(RateLimiter(RateLimit(3, 0.5))) == (
            "RateLimiter(RateLimit(max_requests=3, window_s=0.5))"
        )


@given(returned=st.floats(0, 1e9), window_s=st.floats(1e-3, 1e3))
def test_window_end_agrees_with_both_ways_of_counting(returned: float, window_s: float) -> None:
    end = _window_end(returned, window_s)
    assert end >= returned + window_s
    assert end - window_s >= returned
    assert end <= returned + window_s * (1 + 1e-12)


class TestSingleThread:
    def test_burst_schedule_is_exact(self) -> None:
        clock = SimClock()
        limiter = RateLimiter(RateLimit(20, 2.0), clock=clock.time, sleep=clock.sleep)
        intervals = run_calls(limiter, clock, [0.0] * 45, [0.0] * 45)
        assert [start for start, _ in intervals] == [0.0] * 20 + [2.0] * 20 + [4.0] * 5

    def test_slot_counts_until_window_after_return(self) -> None:
        # Each call takes 0.5 s: the 3rd may start only 1 s after the 1st RETURNED
        # (1.5), not 1 s after it started (1.0, which a start-based window would give).
        clock = SimClock()
        limiter = RateLimiter(RateLimit(2, 1.0), clock=clock.time, sleep=clock.sleep)
        intervals = run_calls(limiter, clock, [0.5] * 4, [0.0] * 4)
        assert [start for start, _ in intervals] == [0.0, 0.5, 1.5, 2.0]

    def test_no_wait_when_requests_are_spread(self) -> None:
        clock = SimClock()
        limiter = RateLimiter(RateLimit(2, 1.0), clock=clock.time, sleep=clock.sleep)
        run_calls(limiter, clock, [0.0] * 6, [0.5] * 6)
        assert clock.sleeps == [0.5, 0.0] * 6  # only the callers' own sleeps

    def test_slot_released_when_call_raises(self) -> None:
        clock = SimClock()
        limiter = RateLimiter(RateLimit(1, 1.0), clock=clock.time, sleep=clock.sleep)
        with pytest.raises(ZeroDivisionError), limiter.slot():
            1 / 0  # noqa: B018
        with limiter.slot():
            assert clock.time() == 1.0

    def test_release_without_acquire(self) -> None:
        with pytest.raises(RuntimeError, match="without a matching acquire"):
            RateLimiter().release()

    def test_freezegun_moves_the_default_clock(self) -> None:
        # clock=None means time.time looked up at call time, so freezegun controls it.
        with freeze_time("2024-01-01T00:00:00Z") as frozen:
            slept: list[float] = []

            def sleep(delay_s: float) -> None:
                slept.append(delay_s)
                frozen.tick(dt.timedelta(seconds=delay_s))

            limiter = RateLimiter(RateLimit(2, 2.0), sleep=sleep)
            for _ in range(5):
                with limiter.slot():
                    pass
        assert slept == [2.0, 2.0]

    def test_a_clock_that_never_moves_fails_instead_of_blocking_forever(self) -> None:
        # freeze_time without tick=True and a sleep that does not tick it: before, the 21st
        # request waited forever.
        slept: list[float] = []
        with freeze_time("2024-01-01T00:00:00Z"):
            limiter = RateLimiter(RateLimit(2, 2.0), sleep=slept.append)
            for _ in range(2):
                with limiter.slot():
                    pass
            with pytest.raises(RuntimeError, match="clock did not move across 3 sleeps"):
                limiter.acquire()
        assert slept == [2.0, 2.0, 2.0]

    def test_a_coarse_clock_that_moves_never_trips_the_stall_check(self) -> None:
        # A 10 ms clock: waits shorter than a tick read the same time again, legitimately.
        fine = [0.4]

        def clock() -> float:
            return int(fine[0] * 100) / 100

        def sleep(delay_s: float) -> None:
            fine[0] += max(delay_s, 1e-6)

        limiter = RateLimiter(RateLimit(1, 2.0), clock=clock, sleep=sleep)
        for _ in range(5):
            with limiter.slot():
                pass
        assert clock() >= 8.4

    def test_a_release_wakes_every_waiter_so_one_leaving_strands_none(self) -> None:
        # B waits first, with a deadline the next slot misses; C waits after it, without
        # one. With notify() only B woke, left by its deadline, and C waited forever.
        clock = SimClock()
        limiter = RateLimiter(RateLimit(1, 2.0), clock=clock.time, sleep=clock.sleep)
        limiter.acquire()  # A, in flight
        outcomes: dict[str, bool] = {}

        def request(name: str, deadline: float | None) -> None:
            outcomes[name] = limiter.acquire(deadline)
            if outcomes[name]:
                limiter.release()  # as a request returns

        def waiting() -> int:
            return len(limiter._cond._waiters)  # type: ignore[attr-defined]

        waiters = []
        for name, deadline in (("B", 0.5), ("C", None)):
            # Daemon threads: a stranded one must fail this test, not hang the interpreter.
            waiter = threading.Thread(target=request, args=(name, deadline), daemon=True)
            waiter.start()
            waiters.append(waiter)
            count = len(waiters)
            wait_until(lambda: waiting() == count)  # noqa: B023 (called before count changes)
        limiter.release()  # A returns at 0: its slot frees at 2
        for waiter in waiters:
            waiter.join(5)
        assert not any(waiter.is_alive() for waiter in waiters)
        # C always gets a slot; B only if C's sleep moved the clock before B looked.
        assert outcomes["C"] is True and "B" in outcomes

    def test_a_clock_that_moves_by_the_sleep_never_trips_the_stall_check(self) -> None:
        clock = [0.0]

        def sleep(delay_s: float) -> None:
            clock[0] += delay_s

        limiter = RateLimiter(RateLimit(1, 2.0), clock=lambda: clock[0], sleep=sleep)
        for _ in range(10):
            with limiter.slot():
                pass
        assert clock[0] == 18.0

    @settings(max_examples=200)
    @given(
        max_requests=st.integers(1, 6),
        window_s=st.sampled_from([0.5, 1.0, 2.0]),
        calls=st.lists(
            st.tuples(
                st.sampled_from([0.0, 0.01, 0.1, 0.3, 1.7]) | st.floats(0, 2),
                st.sampled_from([0.0, 0.0, 0.05, 0.4, 0.995, 2.5]) | st.floats(0, 3),
            ),
            max_size=40,
        ),
    )
    def test_never_more_than_max_in_any_window(
        self, max_requests: int, window_s: float, calls: list[tuple[float, float]]
    ) -> None:
        clock = SimClock()
        limiter = RateLimiter(
            RateLimit(max_requests, window_s), clock=clock.time, sleep=clock.sleep
        )
        durations = [duration for duration, _ in calls]
        gaps = [gap for _, gap in calls]
        intervals = run_calls(limiter, clock, durations, gaps)
        assert max_overlap(intervals, window_s) <= max_requests
        # Whenever the exchange stamps the arrival (as sent, or as late as the return):
        assert max_in_window([start for start, _ in intervals], window_s) <= max_requests
        assert max_in_window([end for _, end in intervals], window_s) <= max_requests
        # And it never waits longer than needed: a delayed start is at a slot's end.
        slot_ends = {_window_end(end, window_s) for _, end in intervals}
        requested = 0.0
        for (start, end), gap in zip(intervals, gaps, strict=True):
            requested += gap
            assert start == requested or start in slot_ends
            requested = end


class TestThreads:
    def test_eight_threads_share_one_limiter(self) -> None:
        clock = SimClock()
        limiter = RateLimiter(RateLimit(20, 2.0), clock=clock.time, sleep=clock.sleep)
        intervals: list[Interval] = []
        record = threading.Lock()

        def worker() -> None:
            for _ in range(50):
                with limiter.slot():
                    now = clock.time()
                with record:
                    intervals.append((now, now))

        threads = [threading.Thread(target=worker, daemon=True) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
            assert not thread.is_alive()
        assert len(intervals) == 400
        assert max_overlap(intervals, 2.0) <= 20
        # 400 requests at 20 per 2 s cannot all start before t=38. (Exactly 38 is the
        # usual outcome but not guaranteed: a thread may jump the simulated clock while
        # another holds a slot it has not used yet, which then counts from later.)
        assert max(start for start, _ in intervals) >= 38.0

    def test_waits_for_in_flight_requests(self) -> None:
        # Both slots are in flight (no end time known yet): the third caller must
        # block on the condition, not spin or sleep, until a release.
        clock = SimClock()
        limiter = RateLimiter(RateLimit(2, 1.0), clock=clock.time, sleep=clock.sleep)
        limiter.acquire()
        limiter.acquire()
        acquired_at: list[float] = []

        def third_caller() -> None:
            limiter.acquire()
            acquired_at.append(clock.time())

        third = threading.Thread(target=third_caller, daemon=True)
        third.start()
        third.join(timeout=0.02)
        assert third.is_alive() and acquired_at == []
        clock.advance(0.25)
        limiter.release()
        third.join(timeout=5)
        assert acquired_at == [1.25]
        assert clock.sleeps == [1.0]


class TestDeadline:
    def test_refuses_without_sleeping_when_no_slot_frees_in_time(self) -> None:
        clock = SimClock()
        limiter = RateLimiter(RateLimit(1, 2.0), clock=clock.time, sleep=clock.sleep)
        assert limiter.acquire()
        limiter.release()
        assert limiter.acquire(deadline=1.999) is False
        assert clock.sleeps == [] and clock.now == 0.0
        assert limiter.acquire(deadline=2.0) is True
        assert clock.now == 2.0
        limiter.release()

    def test_deadline_in_the_past_still_takes_a_free_slot(self) -> None:
        clock = SimClock(start=10.0)
        limiter = RateLimiter(RateLimit(1, 2.0), clock=clock.time, sleep=clock.sleep)
        assert limiter.acquire(deadline=5.0) is True
        limiter.release()
        assert limiter.acquire(deadline=5.0) is False
        assert limiter.acquire(deadline=12.0) is True
        assert clock.now == 12.0
