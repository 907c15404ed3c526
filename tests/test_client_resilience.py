"""MaxWithdrawalClient with its rate limiter, retry policy and batching (issue 4)."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable
from decimal import Decimal

import httpx
import pytest
from _faults import FlakyAccountAPI
from _simclock import SimClock
from freezegun import freeze_time
from hypothesis import given, settings
from hypothesis import strategies as st
from okx_fakes import FakeAccountAPI, FakeExchange

from okx_ext import (
    AuthenticationError,
    CurrencyValidationError,
    InvalidParameterError,
    MaxWithdrawal,
    MaxWithdrawalClient,
    OkxApiError,
    OkxExtError,
    PermissionDeniedError,
    RateLimit,
    RateLimiter,
    RateLimitError,
    ResponseFormatError,
    Retry,
    ServiceUnavailableError,
    TransportError,
)

NO_JITTER = Retry(jitter=0.0)


def ok_body(ccys: list[str]) -> dict[str, object]:
    # Each row's maxWd encodes the currency's position in its request, so a test can tell
    # rows apart; answered in REVERSE order to prove the client restores the asked order.
    data = [
        {"ccy": code, "maxWd": str(index), "maxWdEx": "", "spotOffsetMaxWd": "",
         "spotOffsetMaxWdEx": ""}
        for index, code in enumerate(ccys)
    ]
    return {"code": "0", "msg": "", "data": data[::-1]}


def error_body(code: str, msg: str = "error") -> dict[str, object]:
    return {"code": code, "msg": msg, "data": []}


Answer = Callable[[int, list[str]], object]  # (call number from 0, ccys asked) -> body


class ScriptedAPI:
    """A python-okx style stub: records each call (time, ccy) and answers via ``answer``.

    ``answer`` may return a body or raise; the default answers every currency asked.
    """

    def __init__(self, clock: SimClock, answer: Answer | None = None) -> None:
        self.clock = clock
        self.answer = answer or (lambda _, ccys: ok_body(ccys))
        self.calls: list[tuple[float, str]] = []
        self._lock = threading.Lock()

    def get_max_withdrawal(self, ccy: str = "") -> object:
        with self._lock:
            number = len(self.calls)
            self.calls.append((self.clock.time(), ccy))
        return self.answer(number, ccy.split(",") if ccy else [])

    @property
    def times(self) -> list[float]:
        return [time for time, _ in self.calls]

    @property
    def ccys(self) -> list[str]:
        return [ccy for _, ccy in self.calls]


def client_for(
    api: ScriptedAPI | FakeAccountAPI | FlakyAccountAPI, clock: SimClock, **kwargs: object
) -> MaxWithdrawalClient:
    return MaxWithdrawalClient(
        api, clock=clock.time, sleep=clock.sleep, **kwargs  # type: ignore[arg-type]
    )


def codes(count: int) -> list[str]:
    return [f"C{index}" for index in range(count)]


def max_in_window(times: list[float], window_s: float) -> int:
    ordered = sorted(times)
    most = first = 0
    for last, at in enumerate(ordered):
        while ordered[first] <= at - window_s:
            first += 1
        most = max(most, last - first + 1)
    return most


# --- construction -------------------------------------------------------------------------


def test_defaults_are_okx_rate_limit_and_default_retry() -> None:
    clock = SimClock()
    api = ScriptedAPI(clock)
    client = client_for(api, clock)
    for _ in range(41):
        client.get_max_withdrawal("BTC")
    assert api.times == [0.0] * 20 + [2.0] * 20 + [4.0]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rate_limit": (20, 2.0)}, "rate_limit must be"),
        ({"rate_limit": 20}, "rate_limit must be"),
        ({"retry": 3}, "retry must be"),
    ],
)
def test_wrong_policy_types_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(TypeError, match=message):
        MaxWithdrawalClient(ScriptedAPI(SimClock()), **kwargs)  # type: ignore[arg-type]


# --- retry through the client ---------------------------------------------------------------


def test_transient_errors_retried_with_exact_delays() -> None:
    clock = SimClock()
    failures = {0: error_body("50011", "Too Many Requests"), 1: error_body("50001")}
    api = ScriptedAPI(clock, lambda n, ccys: failures.get(n) or ok_body(ccys))
    rows = client_for(api, clock, retry=NO_JITTER).get_max_withdrawal("BTC")
    assert rows == {"BTC": MaxWithdrawal("BTC", Decimal("0"), None, None, None)}
    assert api.times == [0.0, 0.5, 1.5]
    assert clock.sleeps == [0.5, 1.0]


def test_transport_faults_retried_then_last_error_with_attempts() -> None:
    clock = SimClock()
    faults = [httpx.ConnectError(f"refused #{n}") for n in range(5)]

    def answer(number: int, ccys: list[str]) -> object:
        raise faults[number]

    api = ScriptedAPI(clock, answer)
    with pytest.raises(TransportError) as raised:
        client_for(api, clock, retry=NO_JITTER).get_max_withdrawal("BTC")
    assert raised.value.attempts == 5
    assert raised.value.__cause__ is faults[4]
    assert api.times == [0.0, 0.5, 1.5, 3.5, 7.5]


@pytest.mark.parametrize(
    ("code", "error_class"),
    [
        ("50005", ServiceUnavailableError),
        ("50113", AuthenticationError),
        ("50111", AuthenticationError),
        ("50120", PermissionDeniedError),
        ("51000", InvalidParameterError),
        ("50025", InvalidParameterError),
        ("59999", OkxApiError),
    ],
)
def test_non_retryable_codes_are_sent_once(code: str, error_class: type[OkxApiError]) -> None:
    clock = SimClock()
    api = ScriptedAPI(clock, lambda n, ccys: error_body(code))
    with pytest.raises(error_class) as raised:
        client_for(api, clock).get_max_withdrawal("BTC")
    assert raised.value.attempts == 1
    assert len(api.calls) == 1
    assert clock.sleeps == []


def test_response_format_error_is_not_retried() -> None:
    clock = SimClock()
    api = ScriptedAPI(clock, lambda n, ccys: {"code": "0", "data": [{"ccy": "BTC"}]})
    with pytest.raises(ResponseFormatError):
        client_for(api, clock).get_max_withdrawal("BTC")
    assert len(api.calls) == 1


def test_a_bug_in_the_wrapped_object_is_not_retried() -> None:
    clock = SimClock()

    def answer(number: int, ccys: list[str]) -> object:
        raise KeyError("bug")

    api = ScriptedAPI(clock, answer)
    with pytest.raises(KeyError):
        client_for(api, clock).get_max_withdrawal("BTC")
    assert len(api.calls) == 1


def test_retry_none_sends_once() -> None:
    clock = SimClock()
    api = ScriptedAPI(clock, lambda n, ccys: error_body("50011"))
    with pytest.raises(RateLimitError) as raised:
        client_for(api, clock, retry=None).get_max_withdrawal("BTC")
    assert raised.value.attempts == 1 and len(api.calls) == 1


def test_budget_respected_including_the_wait_for_a_slot() -> None:
    # One request per 10 s: the retry after 0.1 s would need a slot at t=10, past the
    # 5 s budget, so the first error is raised at once without waiting for the slot.
    clock = SimClock()
    api = ScriptedAPI(clock, lambda n, ccys: error_body("50011"))
    client = client_for(
        api, clock, rate_limit=RateLimit(1, 10.0),
        retry=Retry(backoff=0.1, jitter=0.0, max_elapsed_s=5.0),
    )
    with pytest.raises(RateLimitError) as raised:
        client.get_max_withdrawal("BTC")
    assert raised.value.attempts == 1
    assert api.times == [0.0]
    assert clock.now == pytest.approx(0.1)
    assert clock.sleeps == [0.1]


def test_budget_bounds_total_time() -> None:
    clock = SimClock()
    api = ScriptedAPI(clock, lambda n, ccys: error_body("50001"))
    retry = Retry(attempts=100, backoff=1.0, max_delay=4.0, jitter=0.0, max_elapsed_s=10.0)
    with pytest.raises(ServiceUnavailableError) as raised:
        client_for(api, clock, retry=retry).get_max_withdrawal("BTC")
    # Delays 1, 2, 4 (t=7), then 4 would end at 11 > 10.
    assert api.times == [0.0, 1.0, 3.0, 7.0]
    assert raised.value.attempts == 4
    assert clock.now == 7.0


def test_exchange_rate_limit_despite_the_limiter_is_retried() -> None:
    # Another process of the same user (a second key on the same uid) used up the
    # window: our client's limiter cannot know, OKX answers 50011, the retry waits.
    clock = SimClock()
    exchange = FakeExchange(clock=clock.time, max_skew_s=None)
    account = exchange.add_account("ours", "s1", "p1")
    exchange.add_account("theirs", "s2", "p2", uid=account.uid)
    account.set_balance("BTC", available="1.5")
    theirs = FakeAccountAPI("theirs", "s2", "p2", exchange=exchange)
    for _ in range(20):
        assert theirs.get_max_withdrawal("BTC")["code"] == "0"
    ours = client_for(FakeAccountAPI("ours", "s1", "p1", exchange=exchange), clock,
                      retry=NO_JITTER)
    rows = ours.get_max_withdrawal("BTC")
    assert rows["BTC"].max_wd == Decimal("1.5")
    assert [(r.code, r.time) for r in exchange.requests[20:]] == [
        ("50011", 0.0), ("50011", 0.5), ("50011", 1.5), ("0", 3.5)
    ]


def test_freezegun_drives_the_default_clock() -> None:
    with freeze_time("2024-05-01T00:00:00Z") as frozen:
        api_calls: list[float] = []

        class Api:
            def get_max_withdrawal(self, ccy: str = "") -> object:
                api_calls.append(dt.datetime.now(dt.timezone.utc).timestamp())
                return error_body("50011") if len(api_calls) < 3 else ok_body([ccy])

        def sleep(delay_s: float) -> None:
            frozen.tick(dt.timedelta(seconds=delay_s))

        client = MaxWithdrawalClient(Api(), retry=NO_JITTER, sleep=sleep)
        assert list(client.get_max_withdrawal("BTC")) == ["BTC"]
    start = dt.datetime(2024, 5, 1, tzinfo=dt.timezone.utc).timestamp()
    assert [at - start for at in api_calls] == [0.0, 0.5, 1.5]


# --- get_max_withdrawals: any number of currencies ---------------------------------------------


def test_batches_of_twenty_in_order() -> None:
    clock = SimClock()
    api = ScriptedAPI(clock)
    asked = codes(45)
    rows = client_for(api, clock).get_max_withdrawals(asked)
    assert api.ccys == [",".join(asked[:20]), ",".join(asked[20:40]), ",".join(asked[40:])]
    assert list(rows) == asked
    assert rows["C44"].max_wd == Decimal(4)  # 5th of its batch
    assert rows["C20"].max_wd == Decimal(0)


def test_plural_normalises_like_the_singular() -> None:
    clock = SimClock()
    api = ScriptedAPI(clock)
    rows = client_for(api, clock).get_max_withdrawals(" btc,ETH,btc, usdt ")
    assert api.ccys == ["BTC,ETH,USDT"]
    assert list(rows) == ["BTC", "ETH", "USDT"]
    rows = client_for(api, clock).get_max_withdrawals(iter(["eth", "BTC", "Eth"]))
    assert list(rows) == ["ETH", "BTC"]


def test_plural_empty_means_all_currencies() -> None:
    clock = SimClock()
    api = ScriptedAPI(clock, lambda n, ccys: ok_body(["BTC", "ETH"]))
    rows = client_for(api, clock).get_max_withdrawals([])
    assert api.ccys == [""]
    assert list(rows) == ["ETH", "BTC"]  # OKX's order when nothing was asked


@pytest.mark.parametrize(
    "bad", [[*codes(30), "B-T"], [*codes(30), ""], [*codes(25), b"BTC"], [*codes(21), "É"]]
)
def test_plural_validates_everything_before_any_request(bad: list[object]) -> None:
    clock = SimClock()
    api = ScriptedAPI(clock)
    with pytest.raises(CurrencyValidationError) as raised:
        client_for(api, clock).get_max_withdrawals(bad)  # type: ignore[arg-type]
    assert raised.value.position == len(bad) - 1
    assert api.calls == []


def test_plural_missing_rows_are_absent() -> None:
    clock = SimClock()
    api = ScriptedAPI(clock, lambda n, ccys: ok_body([c for c in ccys if c != "C3"]))
    rows = client_for(api, clock).get_max_withdrawals(codes(25))
    assert list(rows) == [c for c in codes(25) if c != "C3"]


def test_failing_batch_keeps_partial_results() -> None:
    clock = SimClock()
    api = ScriptedAPI(
        clock, lambda n, ccys: error_body("50113", "Invalid Sign") if n == 2 else ok_body(ccys)
    )
    with pytest.raises(AuthenticationError) as raised:
        client_for(api, clock).get_max_withdrawals(codes(65))
    assert list(raised.value.partial) == codes(40)
    assert raised.value.partial["C21"].max_wd == Decimal(1)
    assert raised.value.attempts == 1
    assert len(api.calls) == 3  # the 4th batch is never sent


def test_failing_batch_after_retries_keeps_partial_and_attempts() -> None:
    clock = SimClock()
    api = ScriptedAPI(clock, lambda n, ccys: error_body("50001") if n >= 1 else ok_body(ccys))
    with pytest.raises(ServiceUnavailableError) as raised:
        client_for(api, clock, retry=Retry(attempts=3, jitter=0.0)).get_max_withdrawals(
            codes(30)
        )
    assert list(raised.value.partial) == codes(20)
    assert raised.value.attempts == 3
    assert api.times == [0.0, 0.0, 0.5, 1.5]


def test_singular_error_has_empty_partial() -> None:
    clock = SimClock()
    api = ScriptedAPI(clock, lambda n, ccys: error_body("51000"))
    with pytest.raises(InvalidParameterError) as raised:
        client_for(api, clock).get_max_withdrawal("BTC")
    assert raised.value.partial == {}


@settings(max_examples=50)
@given(
    asked=st.lists(st.sampled_from(codes(70)), max_size=90),
    failing_call=st.integers(0, 6) | st.none(),
)
def test_plural_results_are_the_asked_rows_in_order(
    asked: list[str], failing_call: int | None
) -> None:
    clock = SimClock()
    api = ScriptedAPI(
        clock,
        lambda n, ccys: error_body("50120") if n == failing_call else ok_body(ccys),
    )
    distinct = list(dict.fromkeys(asked))
    try:
        rows = client_for(api, clock).get_max_withdrawals(asked)
    except PermissionDeniedError as error:
        assert failing_call is not None
        rows = error.partial
        assert list(rows) == distinct[: 20 * failing_call]
    else:
        assert list(rows) == (distinct or [])
    batches = [ccy.split(",") for ccy in api.ccys if ccy]
    assert all(1 <= len(batch) <= 20 for batch in batches)
    assert [code for batch in batches for code in batch] == distinct[: 20 * len(batches)]


# --- the limiter through the client ------------------------------------------------------------


def test_rate_limit_none_sends_at_once() -> None:
    clock = SimClock()
    api = ScriptedAPI(clock)
    client = client_for(api, clock, rate_limit=None)
    for _ in range(50):
        client.get_max_withdrawal("BTC")
    assert api.times == [0.0] * 50


def test_plural_batches_go_through_the_limiter() -> None:
    clock = SimClock()
    api = ScriptedAPI(clock)
    client_for(api, clock, rate_limit=RateLimit(2, 1.0)).get_max_withdrawals(codes(100))
    assert api.times == [0.0, 0.0, 1.0, 1.0, 2.0]


def test_clients_sharing_one_limiter_share_its_budget() -> None:
    clock = SimClock()
    shared = RateLimiter(RateLimit(20, 2.0), clock=clock.time, sleep=clock.sleep)
    api_a, api_b = ScriptedAPI(clock), ScriptedAPI(clock)
    client_a = client_for(api_a, clock, rate_limit=shared)
    client_b = client_for(api_b, clock, rate_limit=shared)
    for _ in range(15):
        client_a.get_max_withdrawal("BTC")
        client_b.get_max_withdrawal("ETH")
    times = api_a.times + api_b.times
    assert max_in_window(times, 2.0) == 20
    assert sorted(times) == [0.0] * 20 + [2.0] * 10


def test_separate_clients_have_separate_limiters() -> None:
    clock = SimClock()
    api = ScriptedAPI(clock)
    for _ in range(2):
        client = client_for(api, clock)
        for _ in range(20):
            client.get_max_withdrawal("BTC")
    assert api.times == [0.0] * 40


def test_slot_is_held_while_a_request_is_in_flight() -> None:
    # A request that takes 3 s (a slow network): the next one may start only 2 s after
    # it returned, so the exchange, whenever it stamped the first, sees them 2 s apart.
    clock = SimClock()

    def slow(number: int, ccys: list[str]) -> object:
        clock.sleep(3.0 if number == 0 else 0.0)
        return ok_body(ccys)

    api = ScriptedAPI(clock, slow)
    client = client_for(api, clock, rate_limit=RateLimit(1, 2.0))
    client.get_max_withdrawal("BTC")
    client.get_max_withdrawal("BTC")
    assert api.times == [0.0, 5.0]


# --- thread safety ------------------------------------------------------------------------------


def run_threads(count: int, target: Callable[[int], None]) -> None:
    threads = [threading.Thread(target=target, args=(n,), daemon=True) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive()


def funded_exchange(clock: SimClock, currencies: list[str]) -> tuple[FakeExchange, FakeAccountAPI]:
    exchange = FakeExchange(clock=clock.time, max_skew_s=None)
    account = exchange.add_account("key", "secret", "pass")
    for index, code in enumerate(currencies):
        account.set_balance(code, available=str(index + 1))
    return exchange, FakeAccountAPI("key", "secret", "pass", exchange=exchange)


def test_one_client_many_threads_against_the_fake() -> None:
    clock = SimClock()
    currencies = codes(8)
    exchange, api = funded_exchange(clock, currencies)
    client = client_for(api, clock)
    per_thread = 40
    results: list[tuple[int, int, dict[str, MaxWithdrawal]]] = []
    lock = threading.Lock()

    def worker(thread_number: int) -> None:
        for call in range(per_thread):
            code = currencies[(thread_number + call) % len(currencies)]
            rows = client.get_max_withdrawal(code)
            with lock:
                results.append((thread_number, call, rows))

    run_threads(8, worker)
    # No lost or duplicated results, each the right row.
    assert Counter((t, c) for t, c, _ in results) == Counter(
        (t, c) for t in range(8) for c in range(per_thread)
    )
    for thread_number, call, rows in results:
        code = currencies[(thread_number + call) % len(currencies)]
        assert list(rows) == [code]
        assert rows[code].max_wd == Decimal(currencies.index(code) + 1)
    records = exchange.requests
    assert len(records) == 8 * per_thread
    assert {record.code for record in records} == {"0"}  # zero 50011
    # The guarantee is "never more than 20"; a window may hold fewer when, on the simulated
    # clock, another thread's sleep moves time while a request is in flight (the slot then
    # counts from the later return), so full use of every window is not asserted.
    assert max_in_window([record.time for record in records], 2.0) <= 20
    # 320 requests at 20 per 2 s need 15 windows after the first: no fewer. (More is
    # possible: on a simulated clock one thread may jump time while another holds a
    # slot it has not used yet, and that slot then counts from the later time.)
    assert clock.now >= 30.0


def test_plural_from_many_threads_against_the_fake() -> None:
    clock = SimClock()
    currencies = codes(50)
    exchange, api = funded_exchange(clock, currencies)
    client = client_for(api, clock)
    results: dict[int, dict[str, MaxWithdrawal]] = {}

    def worker(thread_number: int) -> None:
        rotated = currencies[thread_number:] + currencies[:thread_number]
        results[thread_number] = client.get_max_withdrawals(rotated)

    run_threads(8, worker)
    for thread_number, rows in results.items():
        assert list(rows) == currencies[thread_number:] + currencies[:thread_number]
        assert all(rows[code].max_wd == Decimal(i + 1) for i, code in enumerate(currencies))
    records = exchange.requests
    assert len(records) == 8 * 3
    assert {record.code for record in records} == {"0"}
    assert max_in_window([record.time for record in records], 2.0) <= 20


def test_threads_with_flaky_exchange_all_succeed() -> None:
    clock = SimClock()
    exchange, api = funded_exchange(clock, ["BTC"])
    flaky = FlakyAccountAPI(api, fault_rate=0.3, seed=4)
    client = client_for(flaky, clock, retry=Retry(attempts=15, max_elapsed_s=None))
    successes: list[Decimal] = []
    errors: list[OkxExtError] = []

    def worker(_: int) -> None:
        for _ in range(25):
            try:
                successes.append(client.get_max_withdrawal("BTC")["BTC"].max_wd)
            except OkxExtError as error:  # pragma: no cover - reported by the assert
                errors.append(error)

    run_threads(6, worker)
    assert errors == []
    assert successes == [Decimal(1)] * 150
    records = exchange.requests
    assert flaky.faults_injected > 20
    assert len(records) == 150 + flaky.faults_injected
    answered = [record.time for record in records if record.code == "0"]
    assert len(answered) == 150
    assert max_in_window([record.time for record in records], 2.0) <= 20
