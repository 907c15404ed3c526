"""The fake beside the user's other httpx mocks: ``fallback=``, and FakeTransport as a handler.

Each way of the recipe page docs/recipes/other-mocks.md is a test here: one python-okx
client runs a balance, a ticker, a max-withdrawal and a transfer call, the fake
answering the two it models and respx, pytest-httpx or ``httpx.MockTransport`` the
others.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from unittest import mock

import httpx
import pytest
import respx
from fake_support import DEMO_KEY, DEMO_PASSPHRASE, DEMO_SECRET, funded_exchange
from okx.Account import AccountAPI
from okx.Funding import FundingAPI
from okx.MarketData import MarketAPI
from okx_fakes import (
    FakeAccountAPI,
    FakeExchange,
    FakeFundingAPI,
    FakeTransport,
    UnmodelledRequestError,
)
from okx_fakes._auth import format_timestamp, prehash, sign
from pytest_httpx import HTTPXMock

OKX = "https://www.okx.com"
BALANCE = {"code": "0", "msg": "", "data": [{"totalEq": "41624.32", "details": []}]}
TICKER = {"code": "0", "msg": "", "data": [{"instId": "BTC-USDT", "last": "64000.1"}]}
# The paths the fake answers itself, as a pattern other mocks can route by.
FAKE_PATHS = (r"/api/v5/(account/(max-withdrawal|balance|config)"
              r"|asset/(transfer|transfer-state|balances))")


class OkxClient(AccountAPI, FundingAPI, MarketAPI):
    """One python-okx client with all four calls (the three share OkxClient's constructor)."""


@pytest.fixture
def exchange() -> FakeExchange:
    return funded_exchange()


@pytest.fixture
def client() -> Iterator[OkxClient]:
    with OkxClient(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, flag="1", debug=False) as okx:
        yield okx


def four_calls(okx: Any) -> tuple[Any, Any, Any, Any]:
    return (okx.get_positions("SWAP"), okx.get_ticker("BTC-USDT"),
            okx.get_max_withdrawal("BTC"), okx.funds_transfer("BTC", "1", "18", "6"))


def assert_four_answers(answers: tuple[Any, Any, Any, Any], exchange: FakeExchange, *,
                        all_entered: bool = True) -> None:
    balance, ticker, max_withdrawal, transfer = answers
    assert (balance, ticker) == (BALANCE, TICKER)
    assert max_withdrawal["data"][0]["maxWd"] == "1.5"
    assert (transfer["code"], transfer["data"][0]["amt"]) == ("0", "1")
    assert exchange.account_for_key(DEMO_KEY).funding_balance("BTC") == Decimal(1)
    # Under install() every call entered the fake and is recorded, the fallback answering
    # the first two; as another mock's handler, the fake sees only what it is routed.
    uid = exchange.account_for_key(DEMO_KEY).uid
    fallback_bound = [("GET", "/api/v5/account/positions", "instType=SWAP", uid, "0", 200),
                      ("GET", "/api/v5/market/ticker", "instId=BTC-USDT", uid, "0", 200)]
    assert [(r.method, r.path, r.query, r.uid, r.code, r.status)
            for r in exchange.requests] == [
        *(fallback_bound if all_entered else []),
        ("GET", "/api/v5/account/max-withdrawal", "ccy=BTC", uid, "0", 200),
        ("POST", "/api/v5/asset/transfer", "", uid, "0", 200)]


def other_routes(request: httpx.Request) -> httpx.Response:
    """What a test's own mock answers for the routes the fake leaves to it."""
    if request.url.path == "/api/v5/account/positions":
        return httpx.Response(200, json=BALANCE)
    if request.url.path == "/api/v5/market/ticker":
        return httpx.Response(200, json=TICKER)
    return httpx.Response(599, text="not mocked")


# -- install(client, fallback=...) ---------------------------------------------------------


def respx_router() -> respx.Router:
    router = respx.Router(base_url=OKX, assert_all_called=False)
    router.get("/api/v5/account/positions", params={"instType": "SWAP"}).respond(json=BALANCE)
    router.get("/api/v5/market/ticker", params={"instId": "BTC-USDT"}).respond(json=TICKER)
    return router


def test_install_with_a_respx_router_as_fallback(exchange: FakeExchange,
                                                 client: OkxClient) -> None:
    router = respx_router()
    with exchange.install(client, fallback=router):
        answers = four_calls(client)
    assert_four_answers(answers, exchange)
    assert [call.request.url.path for call in router.calls] == [
        "/api/v5/account/positions", "/api/v5/market/ticker"]


def test_install_with_a_respx_mock_router_as_fallback(exchange: FakeExchange) -> None:
    # respx.mock(...) gives a MockRouter: callable (as a decorator) and a router. Not
    # started here: it patches nothing, it only answers what install() hands it.
    router = respx.mock(base_url=OKX, assert_all_called=False)
    assert isinstance(router, respx.MockRouter)
    ticker = router.get("/api/v5/market/ticker", params={"instId": "BTC-USDT"})
    ticker.respond(json=TICKER)
    with MarketAPI(flag="1", debug=False) as market, exchange.install(market, fallback=router):
        answer = market.get_ticker("BTC-USDT")
    assert answer == TICKER
    assert ticker.call_count == 1
    assert str(ticker.calls.last.request.url) == f"{OKX}/api/v5/market/ticker?instId=BTC-USDT"
    # It entered the fake (recorded: a public request, no key, so no uid), then respx.
    assert [(r.path, r.uid, r.code, r.status) for r in exchange.requests] == [
        ("/api/v5/market/ticker", None, "0", 200)]


def test_install_with_the_respx_mock_fixture_as_fallback(
    exchange: FakeExchange, client: OkxClient, respx_mock: respx.MockRouter,
) -> None:
    ticker = respx_mock.get(f"{OKX}/api/v5/market/ticker").respond(json=TICKER)
    with exchange.install(client, fallback=respx_mock):
        answer = client.get_ticker("BTC-USDT")
        withdrawal = client.get_max_withdrawal("BTC")
    assert answer == TICKER
    assert ticker.call_count == 1
    assert withdrawal["data"][0]["maxWd"] == "1.5"  # the modelled path stays the fake's
    assert [record.path for record in exchange.requests] == [
        "/api/v5/market/ticker", "/api/v5/account/max-withdrawal"]


def test_install_is_exported_and_routes_an_sdk_client(exchange: FakeExchange) -> None:
    from okx_fakes import install

    with AccountAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, flag="1", debug=False) as api:
        with install(exchange, api) as installation:
            answer = api.get_max_withdrawal("ETH")
        assert not installation.installed
    assert (answer["code"], answer["data"][0]["maxWd"]) == ("0", "10")
    assert [record.path for record in exchange.requests] == ["/api/v5/account/max-withdrawal"]


def test_install_with_a_respx_routers_handler_as_fallback(exchange: FakeExchange,
                                                          client: OkxClient) -> None:
    with exchange.install(client, fallback=respx_router().handler):
        assert_four_answers(four_calls(client), exchange)


def test_a_route_respx_does_not_know_fails_as_respx_fails(exchange: FakeExchange,
                                                          client: OkxClient) -> None:
    with exchange.install(client, fallback=respx_router()), pytest.raises(
            AssertionError, match="not mocked"):
        client.get_positions()


def test_install_with_pytest_httpx_behind_an_http_transport(
    exchange: FakeExchange, client: OkxClient, httpx_mock: HTTPXMock
) -> None:
    # pytest-httpx answers every httpx.HTTPTransport: hand the fake one as its fallback.
    httpx_mock.add_response(url=f"{OKX}/api/v5/account/positions?instType=SWAP", json=BALANCE)
    httpx_mock.add_callback(other_routes, url=re.compile(rf"{OKX}/api/v5/market/ticker.*"))
    with exchange.install(client, fallback=httpx.HTTPTransport()):
        assert_four_answers(four_calls(client), exchange)
    assert [request.url.path for request in httpx_mock.get_requests()] == [
        "/api/v5/account/positions", "/api/v5/market/ticker"]


@pytest.mark.parametrize("fallback", [other_routes, httpx.MockTransport(other_routes)],
                         ids=["callable", "MockTransport"])
def test_install_with_a_plain_callable_or_a_mock_transport(exchange: FakeExchange,
                                                           client: OkxClient,
                                                           fallback: Any) -> None:
    with exchange.install(client, fallback=fallback):
        assert_four_answers(four_calls(client), exchange)


def test_the_fallback_gets_the_request_unchanged_and_its_response_is_returned(
        exchange: FakeExchange, client: OkxClient) -> None:
    seen: list[httpx.Request] = []
    made: list[httpx.Response] = []

    def spy(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        made.append(httpx.Response(418, json={"code": "51000", "data": [], "msg": "x"},
                                   headers={"x-from": "fallback"}))
        return made[-1]

    with exchange.install(client, fallback=spy):
        answer = client.get("/api/v5/account/positions?instType=A%20B", headers={"x-odd": "1"})
    (request,) = seen
    assert (request.method, request.url.raw_path) == (
        "GET", b"/api/v5/account/positions?instType=A%20B")
    assert request.headers["x-odd"] == "1"
    assert answer is made[0]
    assert [(r.path, r.query, r.uid, r.code, r.status) for r in exchange.requests] == [
        ("/api/v5/account/positions", "instType=A%20B", None, "51000", 418)]


def test_a_fallback_bound_request_is_checked_as_the_wire_would(exchange: FakeExchange,
                                                               client: OkxClient) -> None:
    # h11 refuses such a header value before sending: a fallback-bound request too.
    with exchange.install(client, fallback=other_routes), pytest.raises(
            httpx.LocalProtocolError, match="Illegal header value in x-odd"):
        client.get("/api/v5/account/positions", headers={"x-odd": " padded "})
    assert exchange.requests == []


def test_a_modelled_path_with_another_method_stays_the_fakes(exchange: FakeExchange,
                                                             client: OkxClient) -> None:
    with exchange.install(client, fallback=other_routes):
        answer = client.post("/api/v5/account/max-withdrawal", content=b"{}")
    assert (answer.status_code, answer.json()["code"]) == (405, "50115")


def test_a_fallback_returning_no_response_is_a_type_error(exchange: FakeExchange,
                                                          client: OkxClient) -> None:
    with exchange.install(client, fallback=lambda request: None), pytest.raises(
            TypeError, match=r"returned NoneType, not an httpx\.Response"):
        client.get_positions()


def test_a_fallback_that_answers_nothing_is_refused_at_once(exchange: FakeExchange,
                                                            client: OkxClient) -> None:
    with pytest.raises(TypeError, match=r"fallback must be an httpx\.BaseTransport.*got int"):
        exchange.install(client, fallback=42)  # type: ignore[arg-type]


# -- without a fallback: loud -------------------------------------------------------------


def test_an_unmodelled_call_without_fallback_fails_naming_the_recipe(exchange: FakeExchange,
                                                                     client: OkxClient) -> None:
    with exchange.install(client), pytest.raises(UnmodelledRequestError) as caught:
        client.get_positions("SWAP")
    message = str(caught.value)
    assert message.startswith("GET /api/v5/account/positions is not modelled by the fake OKX "
                              "exchange (it models GET /api/v5/account/max-withdrawal, ")
    assert "stub it: exchange.stub(method, path, json={...}); or pass fallback=" in message
    assert "exchange.install(client, fallback=...)" in message
    assert isinstance(caught.value, AssertionError)
    assert (caught.value.method, caught.value.path) == ("GET", "/api/v5/account/positions")
    # It entered the fake: authenticated (the key is valid), recorded as the 404 it got.
    uid = exchange.account_for_key(DEMO_KEY).uid
    assert [(r.path, r.query, r.uid, r.code, r.status) for r in exchange.requests] == [
        ("/api/v5/account/positions", "instType=SWAP", uid, None, 404)]


def test_a_drop_in_method_without_fallback_raises_not_implemented_naming_the_recipe() -> None:
    api = FakeAccountAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, exchange=funded_exchange())
    with pytest.raises(NotImplementedError) as caught:
        api.get_positions("SWAP")
    assert str(caught.value) == (
        "FakeAccountAPI.get_positions is not modelled: the fake exchange models only "
        "get_max_withdrawal, get_account_balance, get_account_config, funds_transfer, "
        "transfer_state, get_balances, withdrawal, get_withdrawal_history, "
        "cancel_withdrawal, get_currencies and get_deposit_withdraw_status. Pass fallback= "
        "to answer it: FakeAccountAPI(..., exchange=exchange, fallback=obj) calls "
        "obj.get_positions(...) (a real python-okx client under respx or pytest-httpx, "
        "or a unittest.mock.Mock)")


def test_a_drop_in_request_to_an_unmodelled_path_without_fallback_fails() -> None:
    api = FakeFundingAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, exchange=funded_exchange())
    with pytest.raises(UnmodelledRequestError, match=r"^GET /api/v5/asset/deposit-history is not"):
        api._request_with_params("GET", "/api/v5/asset/deposit-history", {"ccy": "BTC"})


# -- the drop-in clients' fallback -------------------------------------------------------


def test_drop_in_clients_call_the_fallback_for_what_they_do_not_model() -> None:
    exchange = funded_exchange()
    fallback = mock.Mock(**{"get_positions.return_value": BALANCE,
                            "get_ticker.return_value": TICKER,
                            "_request_with_params.return_value": {"code": "0", "data": []}})
    account = FakeAccountAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, exchange=exchange,
                             fallback=fallback)
    funding = FakeFundingAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, exchange=exchange,
                             fallback=fallback)

    assert account.get_positions("SWAP") == BALANCE
    assert account.get_ticker("BTC-USDT") == TICKER  # a method of no AccountAPI: public, passed on
    assert account.get_max_withdrawal("BTC")["data"][0]["maxWd"] == "1.5"  # still the fake's
    assert funding._request_with_params("GET", "/api/v5/asset/deposit-history", {}) == {
        "code": "0", "data": []}
    assert funding.funds_transfer("BTC", "1", "18", "6")["code"] == "0"

    fallback.get_positions.assert_called_once_with("SWAP")
    fallback._request_with_params.assert_called_once_with(
        "GET", "/api/v5/asset/deposit-history", {})
    with pytest.raises(AttributeError):
        account._private  # noqa: B018  (private names never go to the fallback)


def test_a_real_sdk_client_under_respx_as_the_drop_ins_fallback() -> None:
    exchange = funded_exchange()
    with respx.mock(base_url=OKX, assert_all_called=False) as router:
        router.get("/api/v5/account/positions").respond(json=BALANCE)
        real = AccountAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, flag="1", debug=False)
        account = FakeAccountAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, exchange=exchange,
                                 fallback=real)
        assert account.get_positions() == BALANCE
        assert account.get_max_withdrawal("ETH")["data"][0]["maxWd"] == "10"


# -- FakeTransport.handle_request inside other mocks (no install) -------------------------


def test_fake_transport_as_a_respx_side_effect(exchange: FakeExchange, client: OkxClient) -> None:
    with respx.mock(base_url=OKX, assert_all_called=False) as router:
        router.route(path__regex=FAKE_PATHS).mock(side_effect=FakeTransport(exchange).handle_request)
        router.get("/api/v5/account/positions").respond(json=BALANCE)
        router.get("/api/v5/market/ticker").respond(json=TICKER)
        assert_four_answers(four_calls(client), exchange, all_entered=False)


def test_fake_transport_as_a_pytest_httpx_callback(exchange: FakeExchange, client: OkxClient,
                                                   httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_callback(FakeTransport(exchange).handle_request,
                            url=re.compile(rf"{OKX}{FAKE_PATHS}.*"), is_reusable=True)
    httpx_mock.add_response(url=f"{OKX}/api/v5/account/positions?instType=SWAP", json=BALANCE)
    httpx_mock.add_response(url=f"{OKX}/api/v5/market/ticker?instId=BTC-USDT", json=TICKER)
    assert_four_answers(four_calls(client), exchange, all_entered=False)


def test_fake_transport_in_an_httpx_mock_transport(exchange: FakeExchange) -> None:
    # A code base's own httpx client that takes a transport: the fake is its handler.
    fake = FakeTransport(exchange, fallback=other_routes)
    with httpx.Client(base_url=OKX, transport=httpx.MockTransport(fake.handle_request)) as http:
        def call(method: str, target: str, body: str = "") -> Any:
            timestamp = format_timestamp(exchange.now())
            headers = {"OK-ACCESS-KEY": DEMO_KEY, "OK-ACCESS-PASSPHRASE": DEMO_PASSPHRASE,
                       "OK-ACCESS-TIMESTAMP": timestamp, "x-simulated-trading": "1",
                       "OK-ACCESS-SIGN": sign(DEMO_SECRET, prehash(timestamp, method, target,
                                                                   body)),
                       "Content-Type": "application/json"}
            return http.request(method, target, content=body, headers=headers).json()

        answers = (call("GET", "/api/v5/account/positions?instType=SWAP"),
                   call("GET", "/api/v5/market/ticker?instId=BTC-USDT"),
                   call("GET", "/api/v5/account/max-withdrawal?ccy=BTC"),
                   call("POST", "/api/v5/asset/transfer",
                        json.dumps({"ccy": "BTC", "amt": "1", "from": "18", "to": "6"})))
    assert_four_answers(answers, exchange)
