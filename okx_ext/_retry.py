"""Retrying transient failures: exponential backoff with jitter, bounded twice.

`Retry` is a frozen policy. Only errors whose ``retryable`` flag is true are retried
(``RateLimitError``, ``ServiceUnavailableError`` except 50005, ``TransportError``):
the errors decide, so the list lives in ``okx_ext.errors`` and nowhere else.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from okx_ext._checks import check_seconds
from okx_ext.errors import OkxExtError

__all__ = ["Retry"]

_T = TypeVar("_T")

# 2.0 ** 1024 overflows a float: past this exponent every delay is max_delay anyway.
_MAX_EXPONENT = 1000


class BudgetExhausted(Exception):
    """Raised by an attempt that could not start before the retry deadline.

    Private protocol between `Retry.call` and the attempt function (e.g. a rate
    limiter that would have to wait past the deadline); never escapes `Retry.call`.
    """


@dataclass(frozen=True, slots=True)
class Retry:
    """How to retry transient failures of one request.

    - ``attempts``: total attempts, the first included (1 = never retry).
    - ``backoff``: the base delay in seconds; before retry ``n`` (1-based) the delay
      is ``min(max_delay, backoff * 2 ** (n - 1))``: 0.5, 1, 2, 4, 8, 8...
    - ``jitter``: the fraction of that delay which is random. The delay slept is
      ``delay * (1 - jitter * u)`` with ``u`` uniform in [0, 1): 0 is no jitter, 1 is
      "full jitter", the default 0.5 sleeps between half and all of the delay.
      Jitter only ever shortens the schedule, so ``max_elapsed_s`` can be reasoned
      about without it, and threads that failed together do not retry together.
    - ``max_elapsed_s``: the total time budget in seconds, measured on the client's
      clock from the start of the first attempt (its wait for a rate-limit slot
      included). A retry whose delay, or whose wait for a slot, would end past the
      budget is not made: the last error is raised at once. None: no time bound.
    - ``random``: the source of ``u`` (a zero-argument callable returning a float in
      [0, 1)); None means `random.random`, looked up at call time. Inject one for
      deterministic tests.

    The defaults retry up to 4 times over at most 0.5 + 1 + 2 + 4 = 7.5 s of sleep.
    """

    attempts: int = 5
    backoff: float = 0.5
    max_delay: float = 8.0
    jitter: float = 0.5
    max_elapsed_s: float | None = 30.0
    random: Callable[[], float] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if type(self.attempts) is not int or self.attempts < 1:
            raise ValueError(f"Retry.attempts must be an int >= 1, got {self.attempts!r}")
        for name in ("backoff", "max_delay", "jitter"):
            check_seconds(f"Retry.{name}", getattr(self, name), allow_zero=True)
        if self.max_elapsed_s is not None:
            check_seconds("Retry.max_elapsed_s", self.max_elapsed_s, allow_zero=True)
        if self.jitter > 1:
            raise ValueError(f"Retry.jitter must be between 0 and 1, got {self.jitter!r}")
        if self.random is not None and not callable(self.random):
            raise ValueError("Retry.random must be a zero-argument callable or None")

    def delay(self, retry_number: int, draw: float) -> float:
        """Return the seconds to sleep before retry ``retry_number`` (1 = the first retry).

        ``draw`` is the jitter sample in [0, 1)::

            >>> Retry(backoff=0.5, max_delay=8.0, jitter=0.5).delay(3, 0.5)
            1.5
        """
        if retry_number < 1:
            raise ValueError(f"retry_number must be >= 1, got {retry_number!r}")
        exponent = min(retry_number - 1, _MAX_EXPONENT)
        base = min(self.max_delay, self.backoff * 2.0**exponent)
        return base * (1.0 - self.jitter * draw)

    def call(
        self,
        attempt: Callable[[float | None], _T],
        *,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], object] | None = None,
    ) -> _T:
        """Run ``attempt(deadline)`` until it succeeds or must not be repeated.

        ``deadline`` is None for the first attempt, then the clock time by which a
        retry must have started (None without a time budget); an attempt that cannot
        start by then raises `BudgetExhausted`. The error finally raised is the last
        OkxExtError, its ``attempts`` set to the number of attempts made. Exceptions
        that are not OkxExtError (bugs) propagate at once, never retried.
        """
        now = clock or time.time
        pause = sleep or time.sleep
        started = now()
        deadline = None if self.max_elapsed_s is None else started + self.max_elapsed_s
        attempts_made = 0
        last_error: OkxExtError | None = None
        while True:
            try:
                return attempt(None if attempts_made == 0 else deadline)
            except BudgetExhausted:
                if last_error is None:
                    raise  # the first attempt has no deadline: a bug in `attempt`
                budget_exhausted = True
            except OkxExtError as error:
                attempts_made += 1
                error.attempts = attempts_made
                if not error.retryable or attempts_made >= self.attempts:
                    raise
                wait_s = self.delay(attempts_made, (self.random or random.random)())
                if deadline is not None and now() + wait_s > deadline:
                    raise
                last_error = error
                budget_exhausted = False
            if budget_exhausted:
                # Raised outside the except block so that the error keeps its own
                # __cause__/__context__ rather than gaining BudgetExhausted's.
                raise last_error
            pause(wait_s)
