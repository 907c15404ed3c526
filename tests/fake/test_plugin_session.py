"""The session fixtures: python-okx's clients built once, the shared exchange reset per test.

A downstream suite (run by pytester in a subprocess, its tests in file order) changes
everything a test can change in its first test and checks, in the next ones, that none
of it is left and that the client is the same object. A twin suite on the un-reset
``okx_exchange_session`` shows that the exchange is shared, so the reset is what
isolates the tests.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest
from okx.Account import AccountAPI
from okx.Funding import FundingAPI
from okx_fakes import FakeExchange, FakeTransport
from okx_fakes import pytest_plugin as plugin

from okx_ext import MaxWithdrawalClient

pytest_plugins = ["pytester"]

DOWNSTREAM_TESTS = '''
from decimal import Decimal

SEEN = {}

def btc_max_wd(api):
    [entry] = api.get_max_withdrawal(ccy="BTC")["data"]
    return entry["maxWd"]

def test_first_changes_everything(okx_account_api_session, okx_funding_api_session,
                                  okx_exchange_reset):
    SEEN["account_api"] = okx_account_api_session
    SEEN["funding_api"] = okx_funding_api_session
    SEEN["exchange"] = okx_exchange_reset
    assert btc_max_wd(okx_account_api_session) == "1.5"
    answer = okx_funding_api_session.funds_transfer("BTC", "1", "18", "6")
    assert answer["code"] == "0", answer
    assert btc_max_wd(okx_account_api_session) == "0.5"
    okx_exchange_reset.account_for_key("{key}").set_balance("SOL", available="7")
    okx_exchange_reset.add_account("another-key", "s", "p")
    for _ in range(20):  # the rest of the 20-per-2-s window
        okx_account_api_session.get_max_withdrawal(ccy="ETH")
    assert okx_account_api_session.get_max_withdrawal(ccy="ETH")["code"] == "50011"
    okx_exchange_reset.fail_next(50001, times=5)

def test_second_starts_from_the_seeded_state(okx_account_api_session, okx_funding_api_session,
                                             okx_exchange_reset):
    assert okx_account_api_session is SEEN["account_api"]
    assert okx_funding_api_session is SEEN["funding_api"]
    assert okx_exchange_reset is SEEN["exchange"]
    assert okx_exchange_reset.requests == []
    assert len(okx_exchange_reset.accounts) == 1
    account = okx_exchange_reset.account_for_key("{key}")
    assert account.funding_balances == {}
    assert btc_max_wd(okx_account_api_session) == "1.5"  # no fault, no full window
    assert okx_funding_api_session.get_balances()["data"] == []
    every = okx_account_api_session.get_max_withdrawal(ccy="")["data"]
    assert sorted(entry["ccy"] for entry in every) == ["BTC", "ETH", "USDT"]  # no SOL
    assert [record.code for record in okx_exchange_reset.requests] == ["0", "0", "0"]

def test_third_sees_the_same_client_and_a_fresh_state(okx_account_api_session,
                                                      okx_exchange_session):
    assert okx_account_api_session is SEEN["account_api"]
    assert okx_exchange_session is SEEN["exchange"]
    assert okx_exchange_session.requests == []
'''.replace("{key}", plugin.API_KEY)

# The same changes through the un-reset session exchange: they are all still there.
UNRESET_TESTS = '''
def test_first_changes_the_shared_exchange(okx_exchange_session):
    okx_exchange_session.add_account("another-key", "s", "p")
    okx_exchange_session.fail_next(50001)

def test_second_sees_them(okx_exchange_session):
    assert len(okx_exchange_session.accounts) == 2
'''


@pytest.mark.parametrize(
    ("suite", "passed"),
    [(DOWNSTREAM_TESTS, 3), (UNRESET_TESTS, 2)],
    ids=["reset-between-tests", "session-exchange-keeps-changes"],
)
def test_session_clients_are_shared_and_only_the_reset_isolates_tests(
    pytester: pytest.Pytester, suite: str, passed: int
) -> None:
    pytester.makepyfile(test_downstream=suite)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=passed)


# In this suite too: this module's two tests share the clients with every other test that
# asks for them, whatever runs in between.
_SEEN: dict[str, Any] = {}


@pytest.mark.parametrize("run", [1, 2])
def test_session_clients_are_the_real_sdk_installed_on_the_shared_exchange(
    run: int,
    okx_account_api_session: Any,
    okx_funding_api_session: Any,
    okx_exchange_reset: FakeExchange,
    okx_exchange_session: FakeExchange,
) -> None:
    assert type(okx_account_api_session) is AccountAPI
    assert type(okx_funding_api_session) is FundingAPI
    for client in (okx_account_api_session, okx_funding_api_session):
        assert isinstance(client, httpx.Client)
        assert isinstance(client._transport, FakeTransport)
        assert client.API_KEY == plugin.API_KEY
        assert client.flag == "1"
    assert okx_exchange_reset is okx_exchange_session
    assert _SEEN.setdefault("clients", (okx_account_api_session, okx_funding_api_session)) == (
        okx_account_api_session, okx_funding_api_session)
    assert okx_exchange_reset.requests == []
    rows = okx_account_api_session.get_max_withdrawal(ccy="BTC,ETH,USDT")["data"]
    assert {row["ccy"]: row["maxWd"] for row in rows} == {
        ccy: available for ccy, (available, _) in plugin.BALANCES.items()
    }
    okx_exchange_reset.account_for_key(plugin.API_KEY).set_balance("BTC", available="99")
    assert len(okx_exchange_reset.requests) == 1


def test_session_fixture_credentials_stay_out_of_reprs(okx_exchange_reset: FakeExchange) -> None:
    for shown in (repr(okx_exchange_reset), repr(okx_exchange_reset.snapshot())):
        assert plugin.SECRET_KEY not in shown
        assert plugin.PASSPHRASE not in shown


def test_readme_example_a_fault_through_the_shared_sdk_client(
    okx_account_api_session: Any, okx_exchange_reset: FakeExchange
) -> None:
    okx_exchange_reset.fail_next(50011, times=1)
    client = MaxWithdrawalClient(okx_account_api_session, sleep=lambda s: None)
    rows = client.get_max_withdrawal("BTC")
    assert rows["BTC"].max_wd == Decimal("1.5") and len(okx_exchange_reset.requests) == 2
    assert [record.code for record in okx_exchange_reset.requests] == ["50011", "0"]


# -- the suite's own accounts and fallback: okx_accounts, okx_fallback --------------------

OWN_SUITE = '''
import httpx
import pytest
from okx_fakes import AccountSpec

TICKER = {"code": "0", "msg": "", "data": [{"instId": "BTC-USDT", "last": "1"}]}


@pytest.fixture(scope="session")
def okx_accounts():
    return [AccountSpec("own-key", "own-secret", "own-pass", mode="multi_currency",
                        balances={"BTC": ("2", "0")}),
            AccountSpec("live-key", "live-secret", "live-pass", demo=False)]


@pytest.fixture
def okx_fallback(request):
    if "no_fallback" in request.node.name:
        return None
    return httpx.MockTransport(lambda req: httpx.Response(200, json=TICKER))


def max_wd(api):
    return api.get_max_withdrawal(ccy="BTC")["data"][0]["maxWd"]


def test_first_changes_the_own_account(okx_account_api_session, okx_exchange_reset):
    assert max_wd(okx_account_api_session) == "2"
    okx_exchange_reset.account_for_key("own-key").set_balance("BTC", available="9")
    okx_exchange_reset.stub("GET", "/api/v5/market/ticker", json={"code": "0", "data": []})
    assert max_wd(okx_account_api_session) == "9"


def test_reset_returns_to_the_own_accounts(okx_account_api_session, okx_exchange_reset):
    assert max_wd(okx_account_api_session) == "2"
    assert len(okx_exchange_reset.accounts) == 2
    assert okx_exchange_reset.stubs == []  # the reset dropped the stub


def test_the_fallback_answers_what_no_stub_does(okx_account_api_session, okx_exchange_reset):
    answer = okx_account_api_session._request_with_params(
        "GET", "/api/v5/market/ticker", {"instId": "BTC-USDT"})
    assert answer == TICKER


def test_no_fallback_fails_an_unmodelled_request(okx_account_api_session):
    from okx_fakes import UnmodelledRequestError
    with pytest.raises(UnmodelledRequestError):
        okx_account_api_session._request_with_params("GET", "/api/v5/market/ticker", {})


def test_the_drop_in_clients_use_the_first_account_and_the_fallback(
        okx_account_api, okx_account, okx_exchange, okx_fallback):
    assert okx_account_api.API_KEY == "own-key" and okx_account_api.flag == "1"
    assert okx_account_api.fallback is okx_fallback
    assert max_wd(okx_account_api) == "2"
    assert [a.uid for a in okx_exchange.accounts] == [okx_account.uid, okx_exchange.accounts[1].uid]
'''

NARROW_OVERRIDE = '''
import pytest

@pytest.fixture
def okx_accounts():
    return []

def test_session_client(okx_account_api_session):
    pass
'''


def test_a_suite_seeds_its_own_accounts_and_fallback(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_own=OWN_SUITE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=5)


def test_a_function_scoped_accounts_override_is_a_scope_mismatch(
        pytester: pytest.Pytester) -> None:
    # pytest refuses it: the session exchange is seeded from okx_accounts.
    pytester.makepyfile(test_narrow=NARROW_OVERRIDE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*ScopeMismatch*okx_accounts*"])


def test_an_empty_accounts_list_is_refused_naming_the_fixture() -> None:
    with pytest.raises(ValueError, match=r"^okx_accounts is empty: the fixtures sign with its "
                                         r"first account$"):
        plugin._seed(FakeExchange(), [])
