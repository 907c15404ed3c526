"""pytest fixtures for the fake OKX exchange, registered under the ``pytest11`` entry point.

Each fixture wires a public object of :mod:`okx_fakes`: ``okx_exchange`` (a fresh
:class:`~okx_fakes.FakeExchange`), ``okx_account`` (the account of :data:`API_KEY` on it,
funded with :data:`BALANCES`), ``okx_account_api`` (a :class:`~okx_fakes.FakeAccountAPI`
for that key) and ``okx_funding_api`` (a :class:`~okx_fakes.FakeFundingAPI` for it).
Example::

    def test_reads_btc(okx_account_api):
        body = okx_account_api.get_max_withdrawal("BTC")
        assert body["data"][0]["maxWd"] == "1.5"

The session fixtures give python-okx's own clients, built once per session (building
one costs about 20 ms, mostly httpx's SSL context) and routed to one shared exchange
with :meth:`~okx_fakes.FakeExchange.install`: ``okx_exchange_session`` (that exchange,
holding the same funded account), ``okx_exchange_reset`` (it, restored for this test to
that seeded state), ``okx_account_api_session`` and ``okx_funding_api_session`` (the
same ``okx.Account.AccountAPI`` / ``okx.Funding.FundingAPI`` object in every test, the
exchange reset first). Example::

    def test_reads_btc_through_the_sdk(okx_account_api_session, okx_exchange_reset):
        body = okx_account_api_session.get_max_withdrawal(ccy="BTC")
        assert body["data"][0]["maxWd"] == "1.5"
        assert len(okx_exchange_reset.requests) == 1  # only this test's request

Installing okx-ext registers this plugin in every pytest run of the environment, so it
imports nothing of the fake (nor httpx) until a test asks for one of its fixtures: a
suite that never does pays nothing for it at start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator

    import httpx

    from okx_fakes import (
        ExchangeState,
        FakeAccount,
        FakeAccountAPI,
        FakeExchange,
        FakeFundingAPI,
    )

__all__ = [
    "API_KEY",
    "BALANCES",
    "PASSPHRASE",
    "SECRET_KEY",
    "okx_account",
    "okx_account_api",
    "okx_account_api_session",
    "okx_exchange",
    "okx_exchange_reset",
    "okx_exchange_session",
    "okx_funding_api",
    "okx_funding_api_session",
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
    from okx_fakes import FakeExchange

    return FakeExchange()


def _open_funded_account(exchange: FakeExchange) -> FakeAccount:
    from okx_fakes import AccountSpec, seed_exchange

    spec = AccountSpec(API_KEY, SECRET_KEY, PASSPHRASE, demo=True, mode="multi_currency",
                       balances=BALANCES)
    [account] = seed_exchange(exchange, [spec])
    return account


@pytest.fixture
def okx_account(okx_exchange: FakeExchange) -> FakeAccount:
    """Open a funded demo ``multi_currency`` account on ``okx_exchange`` (see module docs)."""
    return _open_funded_account(okx_exchange)


@pytest.fixture
def okx_account_api(okx_exchange: FakeExchange, okx_account: FakeAccount) -> FakeAccountAPI:
    """Bind a ``FakeAccountAPI`` (``okx_account``'s credentials, flag "1") to ``okx_exchange``."""
    from okx_fakes import FakeAccountAPI

    return FakeAccountAPI(API_KEY, SECRET_KEY, PASSPHRASE, flag="1", exchange=okx_exchange)


@pytest.fixture
def okx_funding_api(okx_exchange: FakeExchange, okx_account: FakeAccount) -> FakeFundingAPI:
    """Bind a ``FakeFundingAPI`` (``okx_account``'s credentials, flag "1") to ``okx_exchange``."""
    from okx_fakes import FakeFundingAPI

    return FakeFundingAPI(API_KEY, SECRET_KEY, PASSPHRASE, flag="1", exchange=okx_exchange)


class _SharedExchange(NamedTuple):
    exchange: FakeExchange
    seeded: ExchangeState


@pytest.fixture(scope="session")
def _okx_shared_exchange() -> _SharedExchange:
    from okx_fakes import FakeExchange

    exchange = FakeExchange()
    _open_funded_account(exchange)
    # Taken here, before any test can touch the exchange, so every reset goes back to
    # exactly what okx_account would give.
    return _SharedExchange(exchange, exchange.snapshot())


@pytest.fixture(scope="session")
def okx_exchange_session(_okx_shared_exchange: _SharedExchange) -> FakeExchange:
    """Give the session's one shared exchange, with ``okx_account``'s funded account.

    Nothing resets it: a test that changes it should ask for ``okx_exchange_reset``
    instead (as the ``*_session`` client fixtures do). For session-scoped fixtures of
    your own, e.g. to ``install()`` another client on it once.
    """
    return _okx_shared_exchange.exchange


@pytest.fixture
def okx_exchange_reset(_okx_shared_exchange: _SharedExchange) -> FakeExchange:
    """Give the shared exchange, restored for this test to its seeded state.

    ``FakeExchange.restore`` puts back the funded account's balances and keys and empties
    the faults, the recorded requests and the rate-limit windows; accounts added by an
    earlier test are dropped. Held ``FakeAccount`` objects stay valid.
    """
    _okx_shared_exchange.exchange.restore(_okx_shared_exchange.seeded)
    return _okx_shared_exchange.exchange


def _installed(client: httpx.Client, exchange: FakeExchange) -> Iterator[Any]:
    with client, exchange.install(client):
        yield client


@pytest.fixture(scope="session")
def _okx_account_api_client(okx_exchange_session: FakeExchange) -> Iterator[Any]:
    # Imported here: a suite that never asks for a real client does not pay for it.
    from okx.Account import AccountAPI

    yield from _installed(
        AccountAPI(API_KEY, SECRET_KEY, PASSPHRASE, flag="1", debug=False), okx_exchange_session
    )


@pytest.fixture(scope="session")
def _okx_funding_api_client(okx_exchange_session: FakeExchange) -> Iterator[Any]:
    from okx.Funding import FundingAPI

    yield from _installed(
        FundingAPI(API_KEY, SECRET_KEY, PASSPHRASE, flag="1", debug=False), okx_exchange_session
    )


@pytest.fixture
def okx_account_api_session(_okx_account_api_client: Any, okx_exchange_reset: FakeExchange) -> Any:
    """Give python-okx's ``AccountAPI``, built once per session, on the reset shared exchange.

    The same object in every test (``okx_account``'s credentials, ``flag="1"``, routed to
    ``okx_exchange_session`` by ``install()``); the exchange is reset for each test, so
    no balance, fault, record or rate-limit window leaks from one test to the next.
    """
    return _okx_account_api_client


@pytest.fixture
def okx_funding_api_session(_okx_funding_api_client: Any, okx_exchange_reset: FakeExchange) -> Any:
    """Give python-okx's ``FundingAPI``, built once per session, on the reset shared exchange.

    As ``okx_account_api_session``, for transfers and funding balances; both clients talk
    to the same exchange, the same account.
    """
    return _okx_funding_api_client
