from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterable

import httpx
import pytest
from _simclock import SimClock
from freezegun import freeze_time
from hypothesis import given
from hypothesis import strategies as st

from okx_ext import (
    AuthenticationError,
    CurrencyValidationError,
    EnvironmentMismatchError,
    InvalidParameterError,
    OkxApiError,
    OkxExtError,
    PermissionDeniedError,
    RateLimitError,
    ResponseFormatError,
    ServiceUnavailableError,
    TimestampError,
    TransportError,
)
from okx_ext._retry import BudgetExhausted, Retry


def transport_error() -> TransportError:
    try:
        try:
            raise httpx.ConnectError("connection refused")
        except httpx.ConnectError as exc:
            raise TransportError("max-withdrawal request failed: ConnectError") from exc
    except TransportError as error:
        return error


class Script:
    """An attempt function that raises the given errors in turn, then returns "ok"."""

    def __init__(
        self,
        outcomes: Iterable[BaseException],
        clock: SimClock | None = None,
        duration_s: float = 0.0,
    ) -> None:
        self.outcomes = list(outcomes)
        self.clock = clock
        self.duration_s = duration_s
        self.deadlines: list[float | None] = []
        self.started_at: list[float] = []

    def __call__(self, deadline: float | None) -> str:
        self.deadlines.append(deadline)
        if self.clock is not None:
            self.started_at.append(self.clock.time())
            if self.duration_s:
                self.clock.sleep(self.duration_s)
        if self.outcomes:
            raise self.outcomes.pop(0)
        return "ok"

    @property
    def calls(self) -> int:
        return len(self.deadlines)


def no_jitter(**kwargs: object) -> Retry:
    return Retry(jitter=0.0, **kwargs)  # type: ignore[arg-type]


def run(
    retry: Retry, script: Callable[[float | None], str], clock: SimClock
) -> str:
    return retry.call(script, clock=clock.time, sleep=clock.sleep)


class TestPolicy:
    def test_defaults(self) -> None:
        assert Retry() == Retry(
            attempts=5, backoff=0.5, max_delay=8.0, jitter=0.5, max_elapsed_s=30.0
        )

    def test_exponential_schedule_capped(self) -> None:
        retry = Retry(backoff=0.5, max_delay=8.0, jitter=0.0)
        assert [retry.delay(n, 0.7) for n in range(1, 9)] == [
            0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0, 8.0,
        ]

    def test_proportional_jitter(self) -> None:
        retry = Retry(backoff=1.0, max_delay=100.0, jitter=0.5)
        assert retry.delay(3, 0.0) == 4.0
        assert retry.delay(3, 0.5) == 3.0
        assert retry.delay(3, 0.75) == 2.5
        full = Retry(backoff=1.0, max_delay=100.0, jitter=1.0)
        assert full.delay(2, 0.25) == 1.5

    def test_huge_retry_number_does_not_overflow(self) -> None:
        assert Retry(jitter=0.0).delay(10_000, 0.0) == 8.0

    def test_retry_number_starts_at_one(self) -> None:
        with pytest.raises(ValueError, match="retry_number"):
            Retry().delay(0, 0.0)

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"attempts": 0},
            {"attempts": 1.5},
            {"attempts": True},
            {"backoff": -0.1},
            {"backoff": float("nan")},
            {"max_delay": float("inf")},
            {"jitter": 1.5},
            {"jitter": -0.5},
            {"max_elapsed_s": -1},
            {"max_elapsed_s": "30"},
            {"random": 0.5},
        ],
    )
    def test_invalid_policy_refused(self, kwargs: dict[str, object]) -> None:
        with pytest.raises(ValueError, match="Retry"):
            Retry(**kwargs)  # type: ignore[arg-type]

    def test_repr_and_equality_ignore_the_random_source(self) -> None:
        assert Retry(random=lambda: 0.0) == Retry()
        assert "random" not in repr(Retry(random=lambda: 0.0))

    @given(
        backoff=st.floats(0, 10),
        max_delay=st.floats(0, 60),
        jitter=st.floats(0, 1),
        retry_number=st.integers(1, 2000),
        draw=st.floats(0, 1, exclude_max=True),
    )
    def test_delay_within_policy_bounds(
        self, backoff: float, max_delay: float, jitter: float, retry_number: int, draw: float
    ) -> None:
        retry = Retry(backoff=backoff, max_delay=max_delay, jitter=jitter)
        base = min(max_delay, backoff * 2.0 ** min(retry_number - 1, 1000))
        delay = retry.delay(retry_number, draw)
        assert base * (1 - jitter) - 1e-12 <= delay <= base
        assert delay <= retry.delay(retry_number + 1, draw) + 1e-12


RETRYABLE = [
    RateLimitError("50011", "Too Many Requests", 429),
    ServiceUnavailableError("50001", "Service temporarily unavailable", 503),
    ServiceUnavailableError("50004", "Endpoint request timeout", 400),
    ServiceUnavailableError("50013", "Systems are busy", 429),
    ServiceUnavailableError("50026", "System error", 500),
    TransportError("max-withdrawal request failed: ConnectError"),
]

NOT_RETRYABLE = [
    ServiceUnavailableError("50005", "API is offline or unavailable", 503),
    AuthenticationError("50113", "Invalid Sign", 401),
    TimestampError("50102", "Timestamp request expired", 401),
    EnvironmentMismatchError("50101", "APIKey does not match current environment", 401),
    PermissionDeniedError("50120", "Api key does not have permission", 401),
    InvalidParameterError("51000", "Parameter ccy error", 400),
    OkxApiError("59999", "unknown", 400),
    ResponseFormatError("field 'maxWd' is missing", field="maxWd"),
    CurrencyValidationError("bad"),
]


class TestCall:
    @pytest.mark.parametrize("error", RETRYABLE, ids=repr)
    def test_transient_errors_are_retried(self, error: OkxExtError) -> None:
        clock = SimClock()
        script = Script([error, error], clock)
        assert run(no_jitter(), script, clock) == "ok"
        assert script.calls == 3
        assert clock.sleeps == [0.5, 1.0]
        assert script.started_at == [0.0, 0.5, 1.5]

    @pytest.mark.parametrize("error", NOT_RETRYABLE, ids=repr)
    def test_other_errors_are_never_retried(self, error: OkxExtError) -> None:
        clock = SimClock()
        script = Script([error], clock)
        with pytest.raises(type(error)) as raised:
            run(no_jitter(attempts=10), script, clock)
        assert raised.value is error
        assert raised.value.attempts == 1
        assert script.calls == 1
        assert clock.sleeps == []

    def test_non_okx_errors_propagate_at_once(self) -> None:
        clock = SimClock()
        script = Script([ZeroDivisionError("bug")], clock)
        with pytest.raises(ZeroDivisionError):
            run(no_jitter(), script, clock)
        assert script.calls == 1

    def test_gives_up_after_attempts_with_the_last_error(self) -> None:
        clock = SimClock()
        errors = [RateLimitError("50011", f"Too Many Requests #{i}", 429) for i in range(4)]
        script = Script(errors[:], clock)
        with pytest.raises(RateLimitError) as raised:
            run(no_jitter(attempts=4), script, clock)
        assert raised.value is errors[3]
        assert raised.value.attempts == 4
        assert script.calls == 4
        assert clock.sleeps == [0.5, 1.0, 2.0]

    def test_last_error_is_typed_and_keeps_its_cause(self) -> None:
        clock = SimClock()
        error = transport_error()
        script = Script([error, error, error], clock)
        with pytest.raises(TransportError) as raised:
            run(no_jitter(attempts=3), script, clock)
        assert raised.value.attempts == 3
        assert isinstance(raised.value.__cause__, httpx.ConnectError)

    def test_success_first_time_makes_one_attempt(self) -> None:
        clock = SimClock()
        script = Script([], clock)
        assert run(Retry(), script, clock) == "ok"
        assert script.deadlines == [None]
        assert clock.sleeps == []

    def test_attempts_one_never_retries(self) -> None:
        clock = SimClock()
        script = Script([RETRYABLE[0]], clock)
        with pytest.raises(RateLimitError) as raised:
            run(Retry(attempts=1), script, clock)
        assert raised.value.attempts == 1 and script.calls == 1

    def test_injected_jitter_source(self) -> None:
        clock = SimClock()
        draws = iter([0.0, 0.5, 0.9])
        retry = Retry(backoff=1.0, jitter=1.0, random=lambda: next(draws))
        script = Script([RETRYABLE[0]] * 3, clock)
        assert run(retry, script, clock) == "ok"
        assert clock.sleeps == [1.0, 1.0, 4.0 * (1 - 0.9)]

    def test_default_jitter_source_looked_up_at_call_time(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(random, "random", lambda: 0.5)
        clock = SimClock()
        script = Script([RETRYABLE[0]] * 2, clock)
        run(Retry(backoff=2.0, jitter=0.5), script, clock)
        assert clock.sleeps == [1.5, 3.0]


class TestBudget:
    def test_does_not_sleep_past_the_budget(self) -> None:
        # Attempts take 0.5 s; delays 1, 2, 4. After attempt 3 the clock is at 4.5 and a
        # 4 s delay would end at 8.5 > 6: raise at once, without sleeping.
        clock = SimClock()
        script = Script([RETRYABLE[0]] * 10, clock, duration_s=0.5)
        retry = no_jitter(attempts=10, backoff=1.0, max_delay=100.0, max_elapsed_s=6.0)
        with pytest.raises(RateLimitError) as raised:
            run(retry, script, clock)
        assert raised.value.attempts == 3
        assert script.started_at == [0.0, 1.5, 4.0]
        assert clock.now == 4.5
        assert script.deadlines == [None, 6.0, 6.0]

    def test_a_delay_ending_exactly_at_the_budget_is_taken(self) -> None:
        clock = SimClock()
        script = Script([RETRYABLE[0]] * 2, clock)
        retry = no_jitter(backoff=1.0, max_elapsed_s=3.0)
        assert run(retry, script, clock) == "ok"
        assert clock.now == 3.0

    def test_no_budget(self) -> None:
        clock = SimClock()
        script = Script([RETRYABLE[0]] * 6, clock)
        retry = no_jitter(attempts=7, backoff=10.0, max_delay=1000.0, max_elapsed_s=None)
        assert run(retry, script, clock) == "ok"
        assert clock.now == 10.0 + 20 + 40 + 80 + 160 + 320
        assert script.deadlines == [None] * 7

    def test_attempt_out_of_budget_raises_the_previous_error(self) -> None:
        clock = SimClock()
        first = transport_error()

        def attempt(deadline: float | None) -> str:
            if deadline is None:
                raise first
            raise BudgetExhausted

        with pytest.raises(TransportError) as raised:
            run(no_jitter(), attempt, clock)
        assert raised.value is first
        assert raised.value.attempts == 1
        assert isinstance(raised.value.__cause__, httpx.ConnectError)
        assert not isinstance(raised.value.__context__, BudgetExhausted)

    def test_budget_exhausted_on_first_attempt_is_a_bug(self) -> None:
        def attempt(deadline: float | None) -> str:
            raise BudgetExhausted

        with pytest.raises(BudgetExhausted):
            Retry().call(attempt, clock=lambda: 0.0, sleep=lambda _: None)

    @given(
        attempts=st.integers(1, 12),
        backoff=st.floats(0, 5),
        max_delay=st.floats(0, 20),
        jitter=st.floats(0, 1),
        max_elapsed_s=st.floats(0, 40),
        duration_s=st.sampled_from([0.0, 0.1, 1.0]),
        failures=st.integers(0, 15),
        seed=st.integers(0, 2**32 - 1),
    )
    def test_bounded_in_attempts_and_time(
        self,
        attempts: int,
        backoff: float,
        max_delay: float,
        jitter: float,
        max_elapsed_s: float,
        duration_s: float,
        failures: int,
        seed: int,
    ) -> None:
        clock = SimClock()
        retry = Retry(
            attempts=attempts,
            backoff=backoff,
            max_delay=max_delay,
            jitter=jitter,
            max_elapsed_s=max_elapsed_s,
            random=random.Random(seed).random,
        )
        script = Script([RETRYABLE[-1]] * failures, clock, duration_s)
        try:
            outcome: object = run(retry, script, clock)
        except TransportError as error:
            outcome = error
            assert error.attempts == script.calls
        assert script.calls <= min(attempts, failures + 1)
        if outcome == "ok":
            assert script.calls == failures + 1
        elif script.calls < attempts:
            # It gave up early only because the next delay would have ended past the
            # budget (replay the same jitter draws to know that delay).
            draws = random.Random(seed)
            delay = [retry.delay(n, draws.random()) for n in range(1, script.calls + 1)][-1]
            assert clock.now + delay > max_elapsed_s
        # Every retry STARTS within the budget (only an attempt's own duration may
        # run past it).
        assert all(started <= max_elapsed_s for started in script.started_at[1:])


def test_freezegun_moves_the_default_clock() -> None:
    with freeze_time("2024-01-01T00:00:00Z") as frozen:
        script = Script([RETRYABLE[0]] * 5)

        def sleep(delay_s: float) -> None:
            frozen.tick(dt.timedelta(seconds=delay_s))

        retry = no_jitter(attempts=10, backoff=1.0, max_elapsed_s=5.0)
        with pytest.raises(RateLimitError) as raised:
            retry.call(script, sleep=sleep)
        # Slept 1 + 2 = 3 s by freezegun's clock; the next 4 s would end at 7 > 5.
        assert raised.value.attempts == 3
        start = dt.datetime(2024, 1, 1).timestamp()
        assert script.deadlines == [None, start + 5.0, start + 5.0]
