"""Shared set-up for the fake exchange's tests (test_fake_*.py): keys, accounts, clients."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import okx.Account as Account
from okx_fakes import FakeAccount, FakeExchange

DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE = "demo-key-7f3a", "demo-secret-91c2", "demo-pass-55e0"
LIVE_KEY, LIVE_SECRET, LIVE_PASSPHRASE = "live-key-2b8d", "live-secret-4a61", "live-pass-0c9e"
SECRETS = (DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, LIVE_KEY, LIVE_SECRET, LIVE_PASSPHRASE)

# Where a StepClock starts: a fixed epoch second, so recorded times are exact.
START_S = 1_700_000_000.0

# The funded demo account every scenario starts from: ccy -> (available, borrowable).
FUNDS = {"BTC": ("1.5", "0.5"), "ETH": ("10", "2"), "USDT": ("2500.25", "0")}


class StepClock:
    """A clock that moves only when told (``clock.now_s += 1``): rate windows are exact."""

    def __init__(self) -> None:
        self.now_s = START_S

    def __call__(self) -> float:
        return self.now_s


def frozen_clock() -> Callable[[], float]:
    """A clock stuck at the real 'now': the rate window never moves, skew checks pass."""
    start = time.time()
    return lambda: start


def funded_exchange(clock: Callable[[], float] | None = None, **kwargs: Any) -> FakeExchange:
    """An exchange with the funded demo account (multi_currency) and a live key."""
    exchange = FakeExchange(clock=clock, **kwargs)
    fund(exchange.add_account(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, mode="multi_currency"))
    exchange.add_account(LIVE_KEY, LIVE_SECRET, LIVE_PASSPHRASE, demo=False)
    return exchange


def fund(account: FakeAccount) -> FakeAccount:
    """Give ``account`` the FUNDS balances."""
    for ccy, (available, borrowable) in FUNDS.items():
        account.set_balance(ccy, available=available, borrowable=borrowable)
    return account


@contextmanager
def sdk_client(
    exchange: FakeExchange,
    key: str = DEMO_KEY,
    secret: str = DEMO_SECRET,
    passphrase: str = DEMO_PASSPHRASE,
    flag: str = "1",
) -> Iterator[Account.AccountAPI]:
    """A real python-okx AccountAPI routed to ``exchange`` with install()."""
    api = Account.AccountAPI(key, secret, passphrase, flag=flag)
    try:
        with exchange.install(api):
            yield api
    finally:
        api.close()


def error(code: str, msg: str) -> dict[str, Any]:
    """An endpoint-level error body: ``{"code": ..., "data": [], "msg": ...}``."""
    return {"code": code, "data": [], "msg": msg}


def gateway_error(code: str, msg: str) -> dict[str, Any]:
    """A gateway-level error body (authentication, the 429): ``{"msg": ..., "code": ...}``."""
    return {"msg": msg, "code": code}


def raw_exchange(port: int, request: bytes) -> bytes:
    """Send raw bytes to a loopback server and return everything it answers before closing."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)
