"""A simulated clock shared by threads: sleeping advances it instead of waiting.

Used by the tests and by benchmarks/run.py (which puts tests/ on sys.path), so there
is one implementation. `sleep(d)` moves the clock to max(now, t + d), where t is the
time this thread last read, not to now + d: eight threads that each read t=0 and
sleep 2 s end at t=2, not t=16.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

#: Sleeps one limiter may take in a test before it counts as never admitting: a script
#: that pauses on every call would otherwise spin on simulated time until the timeout.
MAX_SLEEPS = 1000


def bounded(
    sleep: Callable[[float], None], max_sleeps: int = MAX_SLEEPS
) -> Callable[[float], None]:
    """Wrap ``sleep`` to raise AssertionError after ``max_sleeps`` calls, in seconds not minutes."""
    count = 0

    def bounded_sleep(delay_s: float) -> None:
        nonlocal count
        count += 1
        if count > max_sleeps:
            raise AssertionError(f"{max_sleeps} sleeps without a slot: a limiter that never admits")
        sleep(delay_s)

    return bounded_sleep


class SimClock:
    """Monotonic simulated time; `time` and `sleep` are drop-in for time.time/sleep."""

    def __init__(self, start: float = 0.0) -> None:
        self._now = start
        self._lock = threading.Lock()
        self._last_read = threading.local()
        self.sleeps: list[float] = []

    def time(self) -> float:
        with self._lock:
            now = self._now
        self._last_read.value = now
        return now

    def sleep(self, delay_s: float) -> None:
        if delay_s < 0:
            raise ValueError(f"sleep length must be non-negative, got {delay_s!r}")
        with self._lock:
            since = getattr(self._last_read, "value", self._now)
            self._now = max(self._now, since + delay_s)
            self.sleeps.append(delay_s)
            now = self._now
        self._last_read.value = now

    def advance(self, delay_s: float) -> None:
        """Move time forward for everyone (what a test does between steps)."""
        with self._lock:
            self._now += delay_s

    @property
    def now(self) -> float:
        with self._lock:
            return self._now
