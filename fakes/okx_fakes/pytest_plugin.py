"""pytest fixtures for the fake OKX exchange, registered under the ``pytest11`` entry point.

Each fixture wires a public object of :mod:`okx_fakes`: ``okx_exchange`` (a fresh
:class:`~okx_fakes.FakeExchange`), ``okx_account`` (the account of :data:`API_KEY` on it,
funded with :data:`BALANCES`), ``okx_account_api`` (a :class:`~okx_fakes.FakeAccountAPI`
for that key) and ``okx_funding_api`` (a :class:`~okx_fakes.FakeFundingAPI` for it).
Example::

    def test_reads_btc(okx_account_api):
        body = okx_account_api.get_max_withdrawal("BTC")
        assert body["data"][0]["maxWd"] == "1.5"
"""

from __future__ import annotations

import pytest

from okx_fakes import FakeAccount, FakeAccountAPI, FakeExchange, FakeFundingAPI
from okx_fakes._accounts_file import AccountSpec, seed_exchange

__all__ = [
    "API_KEY",
    "BALANCES",
    "PASSPHRASE",
    "SECRET_KEY",
    "okx_account",
    "okx_account_api",
    "okx_exchange",
    "okx_funding_api",
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
    spec = AccountSpec(API_KEY, SECRET_KEY, PASSPHRASE, demo=True, mode="multi_currency",
                       balances=BALANCES)
    [account] = seed_exchange(okx_exchange, [spec])
    return account


@pytest.fixture
def okx_account_api(okx_exchange: FakeExchange, okx_account: FakeAccount) -> FakeAccountAPI:
    """Bind a ``FakeAccountAPI`` (``okx_account``'s credentials, flag "1") to ``okx_exchange``."""
    return FakeAccountAPI(API_KEY, SECRET_KEY, PASSPHRASE, flag="1", exchange=okx_exchange)


@pytest.fixture
def okx_funding_api(okx_exchange: FakeExchange, okx_account: FakeAccount) -> FakeFundingAPI:
    """Bind a ``FakeFundingAPI`` (``okx_account``'s credentials, flag "1") to ``okx_exchange``."""
    return FakeFundingAPI(API_KEY, SECRET_KEY, PASSPHRASE, flag="1", exchange=okx_exchange)
