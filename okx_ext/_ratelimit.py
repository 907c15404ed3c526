"""Client-side rate limiting: never send more than the exchange accepts.

OKX allows 20 requests per 2 seconds per user id on the max-withdrawal endpoint and
answers the 21st with ``50011``. `RateLimit` is the frozen policy; `RateLimiter` is
the thread-safe object that enforces it. A client given a `RateLimit` builds a private
limiter; several clients of one user (or several threads) share one budget by being
given the same `RateLimiter`::

    shared = RateLimiter(RateLimit(20, 2.0))
    a = MaxWithdrawalClient(api_a, rate_limit=shared)
    b = MaxWithdrawalClient(api_b, rate_limit=shared)
"""

from __future__ import annotations

import heapq
import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from okx_ext._checks import check_seconds
from okx_ext._endpoint import RATE_LIMIT_REQUESTS, RATE_LIMIT_WINDOW_S

__all__ = ["RateLimit", "RateLimiter", "RateLimiterProtocol"]


_MAX_STALLS = 3
_FROZEN_CLOCK = (
    f"RateLimiter: the clock did not move across {_MAX_STALLS} sleeps of a whole window, "
    "so no slot can ever free up. "
    "Under freezegun use freeze_time(..., tick=True) or a sleep that ticks the frozen "
    "clock; with a simulated clock, a sleep that advances it"
)


@dataclass(frozen=True, slots=True)
class RateLimit:
    """At most `max_requests` requests in any `window_s`-second window.

    A frozen, hashable policy (the default argument of `MaxWithdrawalClient`, so it
    must hold no state). Build a `RateLimiter` from it to enforce it.
    """

    max_requests: int = RATE_LIMIT_REQUESTS
    window_s: float = RATE_LIMIT_WINDOW_S

    def __post_init__(self) -> None:
        if type(self.max_requests) is not int or self.max_requests < 1:
            raise ValueError(
                f"RateLimit.max_requests must be an int >= 1, got {self.max_requests!r}"
            )
        check_seconds("RateLimit.window_s", self.window_s)


@runtime_checkable
class RateLimiterProtocol(Protocol):
    """What `MaxWithdrawalClient(rate_limit=...)` needs of a limiter; plug in your own.

    `RateLimiter` (one process) and `RedisRateLimiter` (shared through Redis) have it.
    The contract: a slot is taken by `acquire` and held while the request is in
    flight, and for the policy's window after `release` (the request returned or
    raised); `acquire` blocks until a slot is free.
    """

    def acquire(self, deadline: float | None = None) -> bool:
        """Block until a slot is free, take it and return True.

        With a ``deadline`` (a time on the client's clock), return False without a slot
        if none can free up by then. The client pairs each True with one `release`.
        """
        ...

    def release(self) -> None:
        """Give back a slot taken by `acquire`: the request has returned or raised."""
        ...

    def slot(self) -> AbstractContextManager[None]:
        """Hold one slot for the duration of a ``with`` block (one request)."""
        ...


def _window_end(returned: float, window_s: float) -> float:
    """Return the first time at which a request that returned at `returned` stops counting.

    Nudged up by an ulp where needed so that both ways a counter may test it agree:
    ``end >= returned + window_s`` and ``end - window_s >= returned`` (in floats,
    0.4 + 2.0 - 2.0 < 0.4, and an exchange counting with ``t - window_s`` would then
    still see the old request).
    """
    end = returned + window_s
    while end - window_s < returned:
        end = math.nextafter(end, math.inf)
    return end


class _SlotLimiter:
    """`slot()` over `acquire()` and `release()`: one implementation for both limiters."""

    __slots__ = ()

    def acquire(self, deadline: float | None = None) -> bool:
        """Take a slot (see `RateLimiterProtocol`); subclasses implement it."""
        raise NotImplementedError

    def release(self) -> None:
        """Give back a slot (see `RateLimiterProtocol`); subclasses implement it."""
        raise NotImplementedError

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one slot for the duration of the ``with`` block (one request)."""
        self.acquire()
        try:
            yield
        finally:
            self.release()


class RateLimiter(_SlotLimiter):
    """Thread-safe sliding-window-log limiter enforcing one `RateLimit`.

    Use ``with limiter.slot(): send()`` around each request. Entering blocks (through
    the injected `sleep`) until a slot is free; the slot stays taken while the request
    is in flight and for `window_s` seconds after it returns or raises.

    `clock` and `sleep` default to `time.time` and `time.sleep`, looked up at each call
    so freezegun and simulated clocks both work.
    """

    # A log, not a token bucket: a bucket admits request 21 soon after a burst of 20,
    # which OKX's sliding window refuses. A slot ends `window_s` after the call RETURNS,
    # so however late OKX stamped it, the next request cannot land in its window.

    __slots__ = ("_clock", "_cond", "_ends", "_in_flight", "_sleep", "limit")

    def __init__(
        self,
        limit: RateLimit | None = None,
        *,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], object] | None = None,
    ) -> None:
        self.limit = limit if limit is not None else RateLimit()
        if not isinstance(self.limit, RateLimit):
            raise TypeError(f"RateLimiter expects a RateLimit, got {type(limit).__name__}")
        self._clock = clock
        self._sleep = sleep
        self._cond = threading.Condition(threading.Lock())
        # A min-heap of the times at which finished requests stop counting (a heap,
        # not a queue, so a clock that steps back cannot unsort it).
        self._ends: list[float] = []
        self._in_flight = 0

    def __repr__(self) -> str:
        return (
            f"RateLimiter(RateLimit(max_requests={self.limit.max_requests}, "
            f"window_s={self.limit.window_s}))"
        )

    def _now(self) -> float:
        return (self._clock or time.time)()

    def acquire(self, deadline: float | None = None) -> bool:
        """Block until a request may be sent, take a slot and return True.

        With a ``deadline`` (a time on this limiter's clock), return False at once,
        without sleeping and without a slot, if no slot frees up by then. Waiting for
        a request still in flight is not bounded by it (its end is not known yet).
        Pair each True with exactly one `release` (prefer `slot`). Raises RuntimeError
        when the clock reads the same across three sleeps adding up to a whole window: a
        frozen clock would block forever.
        """
        max_requests = self.limit.max_requests
        slept_at: float | None = None  # the clock's reading before the last sleep
        while True:
            with self._cond:
                now = self._now()
                if now != slept_at:
                    # The clock moved (or this is the first pass): no sleep has stalled.
                    stalls, stalled_s = 0, 0.0
                # A coarse clock may read the same across short sleeps; a whole window of
                # sleep on an unmoving clock means it is frozen, and waiting would never end.
                if stalls >= _MAX_STALLS and stalled_s >= self.limit.window_s:
                    raise RuntimeError(_FROZEN_CLOCK)
                ends = self._ends
                # An end equal to now no longer counts: the window is (now - window_s, now].
                while ends and ends[0] <= now:
                    heapq.heappop(ends)
                if self._in_flight + len(ends) < max_requests:
                    self._in_flight += 1
                    return True
                if not ends:
                    # Every slot is in flight: only a release can change anything.
                    self._cond.wait()
                    continue
                if deadline is not None and ends[0] > deadline:
                    return False
                wait_s = ends[0] - now
            # Outside the lock, so other threads can release and acquire meanwhile.
            (self._sleep or time.sleep)(wait_s)
            slept_at = now
            # Counted as stalled until a reading shows the clock moved across it.
            stalls, stalled_s = stalls + 1, stalled_s + wait_s

    def release(self) -> None:
        """Give back a slot taken by `acquire`: it stops counting `window_s` from now."""
        with self._cond:
            if self._in_flight <= 0:
                raise RuntimeError("RateLimiter.release() without a matching acquire()")
            self._in_flight -= 1
            heapq.heappush(self._ends, _window_end(self._now(), self.limit.window_s))
            # Every waiter: one woken alone may leave (its deadline) and strand the rest.
            self._cond.notify_all()
