"""Thread safety: many threads on one exchange lose no request and never beat the limit."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from typing import Any

import okx.Account as Account
import okx_fakes._path as path_module
import pytest
from fake_support import DEMO_KEY, DEMO_PASSPHRASE, DEMO_SECRET, funded_exchange
from okx_fakes import FakeAccountAPI, FakeExchange, RequestRecord

THREADS, CALLS = 8, 40


class TickingClock:
    """Each reading moves time on by ``step_s``: the window slides while threads race."""

    def __init__(self, start: float, step_s: float) -> None:
        self._ticks = itertools.count()
        self._lock = threading.Lock()
        self._start, self._step_s = start, step_s

    def __call__(self) -> float:
        with self._lock:
            return self._start + next(self._ticks) * self._step_s


def _hammer(worker: Callable[[], list[str]]) -> list[str]:
    barrier = threading.Barrier(THREADS)
    results: list[list[str]] = []
    results_lock = threading.Lock()

    def run() -> None:
        barrier.wait()
        codes = worker()
        with results_lock:
            results.append(codes)

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [code for codes in results for code in codes]


def _assert_window_respected(records: list[RequestRecord], uid: str) -> None:
    accepted = sorted(r.time for r in records if r.uid == uid and r.code != "50011")
    for first, twenty_first in zip(accepted, accepted[20:], strict=False):
        assert twenty_first - first >= 2.0, (first, twenty_first)


def _check(exchange: FakeExchange, codes: list[str]) -> None:
    records = exchange.requests
    assert len(codes) == len(records) == THREADS * CALLS
    assert sorted(codes) == sorted(str(r.code) for r in records)
    assert set(codes) == {"0", "50011"}  # both happened: the limit was really exercised
    _assert_window_respected(records, exchange.accounts[0].uid)


def test_fake_account_api_from_many_threads() -> None:
    exchange = funded_exchange(TickingClock(1_700_000_000.0, 0.002), max_skew_s=None)

    def worker() -> list[str]:
        api = FakeAccountAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, exchange=exchange)
        return [api.get_max_withdrawal("BTC")["code"] for _ in range(CALLS)]

    _check(exchange, _hammer(worker))


def test_installed_sdk_from_many_threads() -> None:
    exchange = funded_exchange(TickingClock(1_700_000_000.0, 0.002), max_skew_s=None)

    def worker() -> list[str]:
        with Account.AccountAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, flag="1") as api:
            exchange.install(api)
            return [api.get_max_withdrawal("BTC")["code"] for _ in range(CALLS)]

    _check(exchange, _hammer(worker))


def test_window_check_detects_a_violation() -> None:
    # The checker above must be able to fail: 21 accepted requests within 2 s.
    records = [RequestRecord("GET", "/", "", "u", "0", 200, 0.09 * n) for n in range(21)]
    with pytest.raises(AssertionError):
        _assert_window_respected(records, "u")
    spread = [RequestRecord("GET", "/", "", "u", "0", 200, 0.1 * n) for n in range(21)]
    _assert_window_respected(spread, "u")  # the 21st exactly 2 s after the 1st is allowed


def test_a_key_dropped_while_its_request_authenticates_answers_as_unknown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    exchange = FakeExchange(max_skew_s=None)
    restore_to = exchange.snapshot()  # no key at all
    authenticate = path_module.authenticate

    def authenticate_then_reset(*args: Any) -> Any:
        answer = authenticate(*args)
        exchange.restore(restore_to)  # a reset racing the request, inside the signature check
        return answer

    monkeypatch.setattr(path_module, "authenticate", authenticate_then_reset)
    orphan = exchange.add_account(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE)
    orphan.set_balance("BTC", available="1")
    api = FakeAccountAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, exchange=exchange)
    assert api.get_max_withdrawal("BTC")["code"] == "50111"
    # Recorded as an unknown key is: no uid, and no rate window of the orphaned account.
    assert [(record.uid, record.code, record.status) for record in exchange.requests] == [
        (None, "50111", 401)]
    assert len(exchange._windows) == 0
