"""pytest fixtures for the fake OKX exchange, registered under the ``pytest11`` entry point.

Installing ``okx-ext`` makes these fixtures available in every test suite, with no conftest:

``okx_exchange``
    A fresh :class:`~okx_fakes.FakeExchange` per test (clock: ``time.time``, so freezegun moves it).
``okx_account``
    A funded demo account on ``okx_exchange``, mode ``"multi_currency"``, credentials
    :data:`API_KEY` / :data:`SECRET_KEY` / :data:`PASSPHRASE`, balances (available /
    borrowable): BTC 1.5 / 0.5, ETH 10 / 0, USDT 2500 / 0 (see :data:`BALANCES`).
``okx_account_api``
    A :class:`~okx_fakes.FakeAccountAPI` with that account's credentials and ``flag="1"``, bound
    to ``okx_exchange``: ``okx_account_api.get_max_withdrawal("BTC")`` answers ``maxWd`` "1.5",
    ``maxWdEx`` "2".

Example::

    def test_reads_btc(okx_account_api):
        body = okx_account_api.get_max_withdrawal("BTC")
        assert body["data"][0]["maxWd"] == "1.5"
"""

from __future__ import annotations

import pytest

from okx_fakes import FakeAccount, FakeAccountAPI, FakeExchange

__all__ = [
    "API_KEY",
    "BALANCES",
    "PASSPHRASE",
    "SECRET_KEY",
    "okx_account",
    "okx_account_api",
    "okx_exchange",
]

API_KEY = "okx-ext-test-key"
SECRET_KEY = "okx-ext-test-secret"
PASSPHRASE = "okx-ext-test-passphrase"
# currency -> (available, borrowable), the funded account's balances.
BALANCES: dict[str, tuple[str, str]] = {
    "BTC": ("1.5", "0.5"),
    "ETH": ("10", "0"),
    "USDT": ("2500", "0"),
}


@pytest.fixture
def okx_exchange() -> FakeExchange:
    """Give this test a fresh, empty fake OKX exchange."""
    return FakeExchange()


@pytest.fixture
def okx_account(okx_exchange: FakeExchange) -> FakeAccount:
    """Open a funded demo ``multi_currency`` account on ``okx_exchange`` (see module docs)."""
    account = okx_exchange.add_account(
        API_KEY, SECRET_KEY, PASSPHRASE, mode="multi_currency", demo=True
    )
    for ccy, (available, borrowable) in BALANCES.items():
        account.set_balance(ccy, available=available, borrowable=borrowable)
    return account


@pytest.fixture
def okx_account_api(okx_exchange: FakeExchange, okx_account: FakeAccount) -> FakeAccountAPI:
    """Bind a ``FakeAccountAPI`` (``okx_account``'s credentials, flag "1") to ``okx_exchange``."""
    return FakeAccountAPI(API_KEY, SECRET_KEY, PASSPHRASE, flag="1", exchange=okx_exchange)
