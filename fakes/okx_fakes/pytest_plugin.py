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

Two fixtures are there for a suite to override in its ``conftest.py`` (as pytest-httpx's
options are): ``okx_accounts`` (session-scoped: the :class:`~okx_fakes.AccountSpec` list
``okx_account`` and the session exchange are seeded with, so that every reset returns to
them; the first one's key is the clients' key; default: the one funded account) and
``okx_fallback`` (what answers the requests the fake does not model and no stub answers:
the client fixtures pass it as ``fallback=``, the session clients' installations take
each test's; default None: such a request fails the test). Example::

    @pytest.fixture(scope="session")
    def okx_accounts():
        return [AccountSpec("k", "s", "p", mode="multi_currency", balances={"BTC": ("2", "0")})]

    @pytest.fixture
    def okx_fallback():
        return httpx.MockTransport(lambda request: httpx.Response(200, json=TICKER))

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
        AccountSpec,
        ExchangeState,
        FakeAccount,
        FakeAccountAPI,
        FakeExchange,
        FakeFundingAPI,
        Installation,
    )

__all__ = [
    "API_KEY",
    "BALANCES",
    "PASSPHRASE",
    "SECRET_KEY",
    "okx_account",
    "okx_account_api",
    "okx_account_api_session",
    "okx_accounts",
    "okx_exchange",
    "okx_exchange_reset",
    "okx_exchange_session",
    "okx_fallback",
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


@pytest.fixture(scope="session")
def okx_accounts() -> list[AccountSpec]:
    """Give the accounts ``okx_account`` and the session exchange are seeded with.

    Override it in a ``conftest.py`` to seed the suite's own accounts: session-scoped,
    so the override must be too (or wider; pytest refuses a narrower one, as the session
    exchange depends on it). The first spec is the key the client fixtures sign with.
    Default: one demo ``multi_currency`` account of :data:`API_KEY`, funded with
    :data:`BALANCES`.
    """
    return _default_accounts()


def _default_accounts() -> list[AccountSpec]:
    """Return the plugin's own accounts (what ``okx_accounts`` gives unless overridden)."""
    from okx_fakes import AccountSpec

    return [AccountSpec(API_KEY, SECRET_KEY, PASSPHRASE, demo=True, mode="multi_currency",
                        balances=BALANCES)]


@pytest.fixture
def okx_fallback() -> Any:
    """Give what answers unmodelled, unstubbed requests: None (they fail the test).

    Override it to answer them elsewhere: an ``httpx.BaseTransport``, a respx router or
    a callable ``(httpx.Request) -> httpx.Response`` for the session clients (their
    ``install()``); for ``okx_account_api``/``okx_funding_api`` any object their
    ``fallback=`` takes (a python-okx client under respx, a ``Mock``).
    """
    return None


def _seed(exchange: FakeExchange, specs: list[AccountSpec]) -> FakeAccount:
    """Seed ``specs`` on ``exchange`` (one transaction) and return the first one's account."""
    from okx_fakes import seed_exchange

    if not specs:
        raise ValueError("okx_accounts is empty: the fixtures sign with its first account")
    return seed_exchange(exchange, specs)[0]


@pytest.fixture
def okx_account(okx_exchange: FakeExchange, okx_accounts: list[AccountSpec]) -> FakeAccount:
    """Seed ``okx_accounts`` on ``okx_exchange``; give the first one's account (see module docs)."""
    return _seed(okx_exchange, okx_accounts)


def _client(api_class: Any, spec: AccountSpec, **kwargs: Any) -> Any:
    return api_class(spec.api_key, spec.secret_key, spec.passphrase, flag=spec.flag, **kwargs)


@pytest.fixture
def okx_account_api(okx_exchange: FakeExchange, okx_account: FakeAccount,
                    okx_accounts: list[AccountSpec], okx_fallback: Any) -> FakeAccountAPI:
    """Bind a ``FakeAccountAPI`` (``okx_account``'s credentials) to ``okx_exchange``.

    Its flag is the key's ("1" for a demo key); ``fallback=`` is ``okx_fallback``.
    """
    from okx_fakes import FakeAccountAPI

    return _client(FakeAccountAPI, okx_accounts[0], exchange=okx_exchange,  # type: ignore[no-any-return]
                   fallback=okx_fallback)


@pytest.fixture
def okx_funding_api(okx_exchange: FakeExchange, okx_account: FakeAccount,
                    okx_accounts: list[AccountSpec], okx_fallback: Any) -> FakeFundingAPI:
    """Bind a ``FakeFundingAPI`` (``okx_account``'s credentials) to ``okx_exchange``.

    Its flag is the key's ("1" for a demo key); ``fallback=`` is ``okx_fallback``.
    """
    from okx_fakes import FakeFundingAPI

    return _client(FakeFundingAPI, okx_accounts[0], exchange=okx_exchange,  # type: ignore[no-any-return]
                   fallback=okx_fallback)


class _SharedExchange(NamedTuple):
    exchange: FakeExchange
    seeded: ExchangeState


@pytest.fixture(scope="session")
def _okx_shared_exchange(okx_accounts: list[AccountSpec]) -> _SharedExchange:
    from okx_fakes import FakeExchange

    exchange = FakeExchange()
    _seed(exchange, okx_accounts)
    # Taken here, before any test can touch the exchange, so every reset goes back to
    # exactly what okx_accounts seeds.
    return _SharedExchange(exchange, exchange.snapshot())


@pytest.fixture(scope="session")
def okx_exchange_session(_okx_shared_exchange: _SharedExchange) -> FakeExchange:
    """Give the session's one shared exchange, seeded with ``okx_accounts``.

    Nothing resets it: a test that changes it should ask for ``okx_exchange_reset``
    instead (as the ``*_session`` client fixtures do). For session-scoped fixtures of
    your own, e.g. to ``install()`` another client on it once.
    """
    return _okx_shared_exchange.exchange


@pytest.fixture
def okx_exchange_reset(_okx_shared_exchange: _SharedExchange) -> FakeExchange:
    """Give the shared exchange, restored for this test to its seeded state.

    ``FakeExchange.restore`` puts back the ``okx_accounts`` balances and keys and empties
    the faults, the stubs, the recorded requests and the rate-limit windows; accounts
    added by an earlier test are dropped. Held ``FakeAccount`` objects stay valid.
    """
    _okx_shared_exchange.exchange.restore(_okx_shared_exchange.seeded)
    return _okx_shared_exchange.exchange


class _Installed(NamedTuple):
    client: Any
    installation: Installation


def _installed(client: httpx.Client, exchange: FakeExchange) -> Iterator[_Installed]:
    with client, exchange.install(client) as installation:
        yield _Installed(client, installation)


def _with_fallback(installed: _Installed, fallback: Any) -> Iterator[Any]:
    """Give the session client with this test's ``fallback`` on its installation, then none."""
    transport = installed.installation.transport
    transport.fallback = fallback
    try:
        yield installed.client
    finally:
        transport.fallback = None


@pytest.fixture(scope="session")
def _okx_account_api_client(okx_exchange_session: FakeExchange,
                            okx_accounts: list[AccountSpec]) -> Iterator[_Installed]:
    # Imported here: a suite that never asks for a real client does not pay for it.
    from okx.Account import AccountAPI

    yield from _installed(_client(AccountAPI, okx_accounts[0], debug=False),
                          okx_exchange_session)


@pytest.fixture(scope="session")
def _okx_funding_api_client(okx_exchange_session: FakeExchange,
                            okx_accounts: list[AccountSpec]) -> Iterator[_Installed]:
    from okx.Funding import FundingAPI

    yield from _installed(_client(FundingAPI, okx_accounts[0], debug=False),
                          okx_exchange_session)


@pytest.fixture
def okx_account_api_session(_okx_account_api_client: _Installed,
                            okx_exchange_reset: FakeExchange, okx_fallback: Any) -> Iterator[Any]:
    """Give python-okx's ``AccountAPI``, built once per session, on the reset shared exchange.

    The same object in every test (``okx_accounts``' first key, its flag, routed to
    ``okx_exchange_session`` by ``install()``, with this test's ``okx_fallback``); the
    exchange is reset for each test, so no balance, fault, stub, record or rate-limit
    window leaks from one test to the next.
    """
    yield from _with_fallback(_okx_account_api_client, okx_fallback)


@pytest.fixture
def okx_funding_api_session(_okx_funding_api_client: _Installed,
                            okx_exchange_reset: FakeExchange, okx_fallback: Any) -> Iterator[Any]:
    """Give python-okx's ``FundingAPI``, built once per session, on the reset shared exchange.

    As ``okx_account_api_session``, for transfers and funding balances; both clients talk
    to the same exchange, the same account.
    """
    yield from _with_fallback(_okx_funding_api_client, okx_fallback)
