"""Rate limit and timestamp skew on the fake's clock: freezegun and injected clocks."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import datetime, timezone

import okx.Account as Account
import okx.utils
import pytest
from fake_support import (
    DEMO_KEY,
    DEMO_PASSPHRASE,
    DEMO_SECRET,
    frozen_clock,
    funded_exchange,
    sdk_client,
)
from freezegun import freeze_time
from hypothesis import given, settings
from hypothesis import strategies as st
from okx_fakes import FakeAccountAPI, FakeExchange, FakeRequest
from okx_fakes._auth import is_epoch_digits
from okx_fakes._exchange import default_clock

PATH = "/api/v5/account/max-withdrawal?ccy=BTC"


def _codes(api: object, count: int) -> list[str]:
    return [api.get_max_withdrawal("BTC")["code"] for _ in range(count)]  # type: ignore[attr-defined]


def test_freezegun_tick_moves_the_rate_window_through_the_sdk() -> None:
    with freeze_time("2024-05-01 12:00:00") as frozen:
        exchange = funded_exchange()  # the default clock, looked up at each call
        with sdk_client(exchange) as api:
            assert _codes(api, 21) == ["0"] * 20 + ["50011"]
            frozen.tick(1.999)
            assert _codes(api, 1) == ["50011"]  # rejected requests do not consume the window
            frozen.tick(0.001)  # the first 20 are now exactly 2 s old: out of the window
            assert _codes(api, 21) == ["0"] * 20 + ["50011"]
            frozen.move_to("2024-05-01 13:00:00")
            assert _codes(api, 1) == ["0"]
    codes = [r.code for r in exchange.requests]
    assert codes.count("50011") == 3 and codes.count("0") == 41


def test_sliding_window_not_fixed_buckets() -> None:
    with freeze_time("2024-05-01 12:00:00") as frozen:
        exchange = funded_exchange()
        api = FakeAccountAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, exchange=exchange)
        assert _codes(api, 10) == ["0"] * 10
        frozen.tick(1.5)
        assert _codes(api, 11) == ["0"] * 10 + ["50011"]
        frozen.tick(0.5)  # the first 10 leave the window, the last 10 stay
        assert _codes(api, 11) == ["0"] * 10 + ["50011"]


def test_sub_keys_share_the_limit_and_other_users_do_not() -> None:
    exchange = funded_exchange(frozen_clock())
    uid = exchange.accounts[0].uid
    exchange.add_account("sub", "sub-secret", "sub-pass", uid=uid)
    other = exchange.add_account("other", "other-secret", "other-pass")
    main_api = FakeAccountAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, exchange=exchange)
    sub_api = FakeAccountAPI("sub", "sub-secret", "sub-pass", exchange=exchange)
    other_api = FakeAccountAPI("other", "other-secret", "other-pass", exchange=exchange)
    assert _codes(main_api, 15) == ["0"] * 15
    assert _codes(sub_api, 6) == ["0"] * 5 + ["50011"]
    assert _codes(other_api, 20) == ["0"] * 20
    assert {r.uid for r in exchange.requests if r.code == "50011"} == {uid}
    assert other.uid != uid
    exchange.reset_rate_limits()
    assert _codes(main_api, 1) == ["0"]


def test_auth_failures_and_injected_faults_do_not_consume_the_window() -> None:
    exchange = funded_exchange(frozen_clock())
    api = FakeAccountAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, exchange=exchange)
    bad = FakeAccountAPI(DEMO_KEY, DEMO_SECRET, "wrong", exchange=exchange)
    assert _codes(bad, 30) == ["50105"] * 30
    exchange.fail_next(50001, times=30)
    assert _codes(api, 30) == ["50001"] * 30
    assert _codes(api, 21) == ["0"] * 20 + ["50011"]


def test_parameter_errors_do_consume_the_window() -> None:
    exchange = funded_exchange(frozen_clock())
    api = FakeAccountAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, exchange=exchange)
    assert [api.get_max_withdrawal("BTC,,X")["code"] for _ in range(20)] == ["51000"] * 20
    assert _codes(api, 1) == ["50011"]


def _signed_now(timestamp: str) -> FakeRequest:
    sign = okx.utils.sign(okx.utils.pre_hash(timestamp, "GET", PATH, "", False), DEMO_SECRET)
    return FakeRequest("GET", PATH, {
        "ok-access-key": DEMO_KEY, "ok-access-sign": sign.decode(),
        "ok-access-timestamp": timestamp, "ok-access-passphrase": DEMO_PASSPHRASE,
        "x-simulated-trading": "1",
    })


def test_freezegun_moves_the_skew_check() -> None:
    with freeze_time("2024-05-01 12:00:00") as frozen:
        exchange = funded_exchange()
        request = _signed_now(okx.utils.get_timestamp())  # the SDK's own timestamp: frozen
        frozen.tick(30)
        assert exchange.handle(request).status == 200  # 30 s old: still accepted
        frozen.tick(0.001)
        assert b'"50102"' in exchange.handle(request).body
        frozen.move_to("2024-05-01 11:59:29.999")  # 30.001 s in the future
        assert b'"50102"' in exchange.handle(request).body


def test_skew_check_can_be_disabled_or_widened() -> None:
    request = _signed_now("2020-01-01T00:00:00.000Z")
    assert b'"50102"' in funded_exchange().handle(request).body
    assert funded_exchange(max_skew_s=None).handle(request).status == 200
    exchange = funded_exchange(clock=lambda: 1577836800.0 + 100, max_skew_s=120)
    assert exchange.handle(request).status == 200


def test_fake_account_api_signs_with_the_exchange_clock() -> None:
    exchange = FakeExchange(clock=lambda: 86400.5)  # 1970-01-02T00:00:00.500Z
    exchange.add_account(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE)
    api = FakeAccountAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, exchange=exchange)
    assert api.get_max_withdrawal("BTC")["code"] == "0"
    assert exchange.requests[-1].time == 86400.5


@settings(max_examples=300)
@given(epoch_s=st.floats(min_value=0, max_value=4e9, allow_nan=False))
def test_timestamp_codec_writes_python_okx_form_and_reads_it_back(epoch_s: float) -> None:
    from okx_fakes._auth import format_timestamp, parse_timestamp

    moment = datetime.fromtimestamp(epoch_s, timezone.utc).replace(tzinfo=None)
    expected = moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    assert format_timestamp(epoch_s) == expected
    parsed = parse_timestamp(expected)
    assert parsed is not None
    assert abs(parsed - moment.replace(microsecond=moment.microsecond // 1000 * 1000,
                                       tzinfo=timezone.utc).timestamp()) < 1e-6


@pytest.mark.parametrize("bad", ["2023-02-29T00:00:00.000Z", "2024-04-31T00:00:00.000Z",
                                 "2024-01-01T24:00:00.000Z", "2024-01-01T00:60:00.000Z",
                                 "2024-01-01T00:00:60.000Z", "2024-01-01T00:00:00.000",
                                 "2024-01-01T00:00:00.0000Z", "\uff12024-01-01T00:00:00.000Z"])
def test_impossible_timestamps_answer_50112(bad: str) -> None:
    assert b'"50112"' in funded_exchange(max_skew_s=None).handle(_signed_now(bad)).body


def _from_threads(send: Callable[[], object], count: int = 8) -> None:
    """Run ``send`` in each of ``count`` plain threads, as their very target.

    No wrapper frame: freezegun's real-time-in-threads rule looks 5 frames up the stack.
    """
    threads = [threading.Thread(target=send) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


@pytest.mark.parametrize("way", ["handle", "direct", "install", "serve"])
def test_frozen_time_and_eight_sending_threads_all_pass(way: str) -> None:
    # freezegun freezes datetime in every thread but not time.time inside a thread: a fake
    # clock reading time.time answered 50102 to what python-okx signed (handle, direct).
    with freeze_time("2021-03-04 05:06:07"), ExitStack() as stack:
        exchange = funded_exchange()  # the default clock
        if way == "handle":  # a downstream test driving the model with python-okx's signature
            send: Callable[[], object] = functools.partial(
                exchange.handle, _signed_now(okx.utils.get_timestamp()))
        elif way == "direct":
            api = FakeAccountAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, exchange=exchange)
            send = functools.partial(api.get_max_withdrawal, "BTC")
        elif way == "install":
            send = functools.partial(stack.enter_context(sdk_client(exchange)).get_max_withdrawal,
                                     "BTC")
        else:
            url = stack.enter_context(exchange.serve())
            served = stack.enter_context(Account.AccountAPI(
                DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, flag="1", domain=url))
            send = functools.partial(served.get_max_withdrawal, "BTC")
        _from_threads(send)
    assert [(record.code, record.time) for record in exchange.requests] == [
        ("0", 1614834367.0)] * 8


def test_default_clock_reads_datetime_at_each_call() -> None:
    with freeze_time("2021-03-04 05:06:07.25") as frozen:
        assert default_clock() == 1614834367.25
        seen: list[float] = []
        _from_threads(lambda: seen.append(default_clock()), 1)
        assert seen == [1614834367.25]
        frozen.tick(1)
        assert FakeExchange().now() == 1614834368.25
    assert abs(default_clock() - time.time()) < 5


def test_an_injected_clock_still_wins_under_freezegun() -> None:
    with freeze_time("2021-03-04 05:06:07"):
        assert FakeExchange(clock=lambda: 86400.5).now() == 86400.5


@pytest.mark.parametrize("digits", ["1607417337715", "0", "1614834367000", "99999999999999999999"])
def test_an_all_digits_timestamp_answers_50102_even_without_the_skew_check(digits: str) -> None:
    response = funded_exchange(max_skew_s=None).handle(_signed_now(digits))
    assert (response.status, response.body) == (
        401, b'{"msg":"Timestamp request expired","code":"50102"}')


@pytest.mark.parametrize("text", ["\u0661607417337715", "1607417337715 ", "+1607417337715", ""])
def test_only_ascii_digits_are_epoch_digits(text: str) -> None:
    assert is_epoch_digits(text) is False
