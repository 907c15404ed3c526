"""Stubs, and every request entering ``handle()``: one mechanism for every way in.

A stub answers a path the fake does not model (the ticker), the same from Python
(``exchange.stub``) and over HTTP (``PUT /_fake/stubs``); faults, aimed or not, hit such a
request on every way in, in the same order.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

import httpx
import pytest
from fake_support import DEMO_KEY, DEMO_PASSPHRASE, DEMO_SECRET, frozen_clock, funded_exchange
from okx.Account import AccountAPI
from okx.MarketData import MarketAPI
from okx_fakes import FakeAccountAPI, FakeExchange, FakeTransport, Stub, UnmodelledRequestError

TICKER_PATH = "/api/v5/market/ticker"
TICKER = {"code": "0", "msg": "", "data": [{"instId": "BTC-USDT", "last": "64000.1"}]}
JSON = {"content-type": "application/json"}
OKX = "https://www.okx.com"


@pytest.fixture
def exchange() -> FakeExchange:
    return funded_exchange(frozen_clock())


def outcomes(exchange: FakeExchange) -> list[tuple[str, str, str | None, str | None, int | None]]:
    return [(r.method, r.path, r.uid, r.code, r.status) for r in exchange.requests]


# -- the one-line stub, on every way in ----------------------------------------------------


def test_a_stub_answers_python_okx_market_api_under_install(exchange: FakeExchange) -> None:
    stub = exchange.stub("GET", TICKER_PATH, json=TICKER)
    with MarketAPI(flag="1", debug=False) as market, exchange.install(market):
        assert market.get_ticker("BTC-USDT") == TICKER
        assert market.get_ticker("ETH-USDT") == TICKER  # no query given: any query
    assert (stub.calls, stub.remaining, stub.times) == (2, None, None)
    # A public request carries no key: no auth, no uid; recorded with the body's code.
    assert [(r.method, r.path, r.query, r.uid, r.code, r.status) for r in exchange.requests] == [
        ("GET", TICKER_PATH, "instId=BTC-USDT", None, "0", 200),
        ("GET", TICKER_PATH, "instId=ETH-USDT", None, "0", 200)]


def test_a_stub_answers_the_drop_in_clients_generic_call_without_fallback(
        exchange: FakeExchange) -> None:
    exchange.stub("GET", TICKER_PATH, query={"instId": "BTC-USDT"}, json=TICKER)
    api = FakeAccountAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, exchange=exchange)
    assert api._request_with_params("GET", TICKER_PATH, {"instId": "BTC-USDT"}) == TICKER
    uid = exchange.account_for_key(DEMO_KEY).uid
    # A keyed request: authenticated first, so the record has its uid.
    assert outcomes(exchange) == [("GET", TICKER_PATH, uid, "0", 200)]


def test_a_stub_answers_over_http_and_is_listed_and_cleared(exchange: FakeExchange) -> None:
    with exchange.server() as server, httpx.Client(base_url=server.url, headers=JSON) as client:
        put = client.put("/_fake/stubs", json={"method": "GET", "path": TICKER_PATH,
                                               "query": {"instId": "BTC-USDT"}, "json": TICKER,
                                               "times": 2})
        listed = {"method": "GET", "path": TICKER_PATH, "query": {"instId": "BTC-USDT"},
                  "status": 200, "json": TICKER, "times": 2, "remaining": 2, "calls": 0}
        assert (put.status_code, put.json()) == (201, {"stub": listed})
        with MarketAPI(flag="1", domain=server.url, debug=False) as market:
            assert market.get_ticker("BTC-USDT") == TICKER
        assert client.get("/_fake/stubs").json() == {
            "stubs": [{**listed, "remaining": 1, "calls": 1}]}
        assert client.delete("/_fake/stubs").json() == {"stubs": []}
        assert exchange.stubs == []
        gone = client.get(f"{TICKER_PATH}?instId=BTC-USDT")
    assert gone.status_code == 404
    assert gone.json()["error"] == "not modelled by okx-fakes"
    assert gone.json()["msg"].endswith("stub it: PUT /_fake/stubs "
                                       '{"method": ..., "path": ..., "json": {...}} '
                                       "(okx-ext docs: recipes/stub-a-route)")
    assert outcomes(exchange) == [("GET", TICKER_PATH, None, "0", 200),
                                  ("GET", TICKER_PATH, None, None, 404)]


def test_python_okx_over_http_reads_the_not_modelled_404_as_json(exchange: FakeExchange) -> None:
    # Before: a plain-text 404, and python-okx's response.json() raised JSONDecodeError.
    with exchange.serve() as base_url, MarketAPI(flag="1", domain=base_url,
                                                 debug=False) as market:
        answer = market.get_ticker("BTC-USDT")
    assert answer["error"] == "not modelled by okx-fakes"
    assert "code" not in answer  # never an answer that reads as OKX's


# -- matching, order, counts --------------------------------------------------------------


def test_the_query_is_a_subset_match_of_the_decoded_parameters(exchange: FakeExchange) -> None:
    exchange.stub("GET", TICKER_PATH, query={"instId": "BTC USDT"}, json=TICKER)
    with httpx.Client(base_url="https://www.okx.com") as client, exchange.install(client):
        assert client.get(TICKER_PATH, params={"instId": "BTC USDT", "x": "1"}).json() == TICKER
        with pytest.raises(UnmodelledRequestError, match=r"^GET /api/v5/market/ticker is not"):
            client.get(TICKER_PATH, params={"instId": "ETH-USDT"})
        with pytest.raises(UnmodelledRequestError):
            client.post(TICKER_PATH, params={"instId": "BTC USDT"})  # another method


def test_the_oldest_matching_stub_answers_and_a_used_up_one_is_dropped(
        exchange: FakeExchange) -> None:
    first = exchange.stub("GET", TICKER_PATH, status=503, json={"code": "50001"}, times=1)
    then = exchange.stub("GET", TICKER_PATH, json=TICKER)
    with httpx.Client(base_url="https://www.okx.com") as client, exchange.install(client):
        answers = [client.get(TICKER_PATH) for _ in range(3)]
    assert [(a.status_code, a.json()["code"]) for a in answers] == [
        (503, "50001"), (200, "0"), (200, "0")]
    assert exchange.stubs == [then]
    assert (first.calls, first.remaining, then.calls) == (1, 0, 2)
    assert [r.code for r in exchange.requests] == ["50001", "0", "0"]


def test_a_stub_comes_before_the_fallback(exchange: FakeExchange) -> None:
    called: list[httpx.Request] = []

    def fallback(request: httpx.Request) -> httpx.Response:
        called.append(request)
        return httpx.Response(200, json={"code": "0", "data": ["fallback"]})

    exchange.stub("GET", TICKER_PATH, json=TICKER, times=1)
    with httpx.Client(base_url="https://www.okx.com") as client, exchange.install(
            client, fallback=fallback):
        assert client.get(TICKER_PATH).json() == TICKER
        assert client.get(TICKER_PATH).json()["data"] == ["fallback"]
    assert len(called) == 1


def test_the_record_takes_the_code_of_the_stubbed_body(exchange: FakeExchange) -> None:
    exchange.stub("GET", "/a", status=400, json={"code": "51001", "msg": "no"}, times=1)
    exchange.stub("GET", "/a", json={"code": 0}, times=1)
    exchange.stub("GET", "/a", json=["no", "code"], times=1)
    with httpx.Client(base_url="https://www.okx.com") as client, exchange.install(client):
        statuses = [client.get("/a").status_code for _ in range(3)]
    assert statuses == [400, 200, 200]
    assert [(r.code, r.status) for r in exchange.requests] == [
        ("51001", 400), ("0", 200), (None, 200)]


def test_a_keyed_request_is_authenticated_before_any_stub(exchange: FakeExchange) -> None:
    stub = exchange.stub("GET", TICKER_PATH, json=TICKER)
    wrong = AccountAPI(DEMO_KEY, "not-the-secret", DEMO_PASSPHRASE, flag="1", debug=False)
    with wrong, exchange.install(wrong):
        answer = wrong._request_with_params("GET", TICKER_PATH, {"instId": "BTC-USDT"})
    assert answer == {"msg": "Invalid Sign", "code": "50113"}
    assert stub.calls == 0
    uid = exchange.account_for_key(DEMO_KEY).uid
    assert outcomes(exchange) == [("GET", TICKER_PATH, uid, "50113", 401)]


def test_a_keyed_unmodelled_request_takes_no_rate_window(exchange: FakeExchange) -> None:
    # The fake knows no limit for an endpoint it does not model (an assumption).
    exchange.stub("GET", TICKER_PATH, json=TICKER)
    api = FakeAccountAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, exchange=exchange)
    codes = {api._request_with_params("GET", TICKER_PATH, {})["code"] for _ in range(50)}
    assert codes == {"0"}


def test_restore_drops_the_stubs_unless_keep_activity(exchange: FakeExchange) -> None:
    state = exchange.snapshot()
    stub = exchange.stub("GET", TICKER_PATH, json=TICKER)
    exchange.restore(state, keep_activity=True)
    assert exchange.stubs == [stub]
    exchange.restore(state)
    assert exchange.stubs == []
    exchange.stub("GET", TICKER_PATH, json=TICKER)
    exchange.clear_stubs()
    assert exchange.stubs == []


def test_the_stub_keeps_its_own_copy_of_the_body(exchange: FakeExchange) -> None:
    body: dict[str, Any] = {"code": "0", "data": []}
    stub = exchange.stub("GET", "/a", json=body)
    body["data"].append("changed later")
    assert stub.json == {"code": "0", "data": []}
    assert stub.response().body == b'{"code":"0","data":[]}'
    assert isinstance(stub, Stub) and "json" not in repr(stub)


# -- refusals -----------------------------------------------------------------------------


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"path": "/api/v5/account/max-withdrawal"},
     "path: /api/v5/account/max-withdrawal is modelled by the fake, which answers it (stub "
     "only paths it does not model; to fail it, use a fault)"),
    ({"path": "/a?b=1"}, "path: expected a request path such as '/api/v5/market/ticker' "
                         "(no query, no space), got '/a?b=1'"),
    ({"method": "GE T"}, "method: expected an HTTP method such as 'GET', got 'GE T'"),
    ({"status": 600}, "status: expected an HTTP status code (100-599), got 600"),
    ({"status": True}, "status: expected an HTTP status code (100-599), got True"),
    ({"times": 0}, "times: expected a positive whole number, got 0"),
    ({"query": {"instId": 1}}, "query: expected an object of string values, got {'instId': 1}"),
    ({"json": {1, 2}}, "json: expected a JSON value, got {1, 2}"),
    ({"json": float("nan")}, "json: expected a JSON value, got nan"),
])
def test_a_stub_no_request_could_use_is_refused(exchange: FakeExchange, kwargs: dict[str, Any],
                                                message: str) -> None:
    arguments: dict[str, Any] = {"method": "GET", "path": TICKER_PATH, "json": TICKER, **kwargs}
    with pytest.raises(ValueError) as caught:
        exchange.stub(arguments.pop("method"), arguments.pop("path"), **arguments)
    assert str(caught.value) == message
    assert exchange.stubs == []


def test_the_control_api_refuses_a_bad_stub_naming_the_field(exchange: FakeExchange) -> None:
    with exchange.server() as server, httpx.Client(base_url=server.url, headers=JSON) as client:
        answers = [client.put("/_fake/stubs", json=body) for body in (
            {"method": "GET", "path": TICKER_PATH},
            {"method": "GET", "path": "/api/v5/asset/transfer", "json": {}},
            {"method": "GET", "path": TICKER_PATH, "json": {}, "extra": 1},
            [1],
        )]
        # A fraction in the body is answered back as JSON reads it (a float, not refused).
        fraction = client.put("/_fake/stubs", json={"method": "GET", "path": "/f",
                                                    "json": {"last": 64000.1}})
        fraction_answer = client.get("/f").json()
    assert [(a.status_code, a.json()["error"]) for a in answers] == [
        (400, "json: missing"),
        (400, "path: /api/v5/asset/transfer is modelled by the fake, which answers it (stub "
              "only paths it does not model; to fail it, use a fault)"),
        (400, "'extra': unknown field (allowed: json, method, path, query, status, times)"),
        (400, "body: expected a JSON object, got [1]"),
    ]
    assert fraction.status_code == 201
    assert fraction_answer == {"last": 64000.1}


# -- faults: on every way in, in the same order -------------------------------------------


def _installed_ticker(exchange: FakeExchange) -> Any:
    with MarketAPI(flag="1", debug=False) as market, exchange.install(market):
        return market.get_ticker("BTC-USDT")


def _transport_ticker(exchange: FakeExchange) -> Any:
    transport = httpx.MockTransport(FakeTransport(exchange).handle_request)
    with httpx.Client(base_url="https://www.okx.com", transport=transport) as client:
        return client.get(TICKER_PATH, params={"instId": "BTC-USDT"}).json()


def _served_ticker(exchange: FakeExchange) -> Any:
    with exchange.serve() as base_url, MarketAPI(flag="1", domain=base_url,
                                                 debug=False) as market:
        return market.get_ticker("BTC-USDT")


def _drop_in_ticker(exchange: FakeExchange) -> Any:
    api = FakeAccountAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, exchange=exchange)
    return api._request_with_params("GET", TICKER_PATH, {"instId": "BTC-USDT"})


WAYS: dict[str, Callable[[FakeExchange], Any]] = {
    "install": _installed_ticker, "transport": _transport_ticker, "served": _served_ticker,
    "drop-in": _drop_in_ticker}


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("stubbed", [True, False])
def test_a_fault_aimed_at_the_ticker_hits_it_on_every_way_in(exchange: FakeExchange, way: str,
                                                             stubbed: bool) -> None:
    if stubbed:
        stub = exchange.stub("GET", TICKER_PATH, json=TICKER)
    exchange.fail_next(50001, path=TICKER_PATH)
    assert WAYS[way](exchange) == {"code": "50001", "data": [],
                                   "msg": "Service temporarily unavailable. Please try again "
                                          "later."}
    # The fault answers before auth: no uid. A stub it answered for is not used up.
    assert outcomes(exchange) == [("GET", TICKER_PATH, None, "50001", 503)]
    if stubbed:
        assert stub.calls == 0
        assert WAYS[way](exchange) == TICKER


@pytest.mark.parametrize("way", ["install", "transport", "drop-in"])
def test_a_network_fault_after_answer_uses_the_stub_then_drops(exchange: FakeExchange,
                                                               way: str) -> None:
    stub = exchange.stub("GET", TICKER_PATH, json=TICKER)
    exchange.fail_next_network(path=TICKER_PATH, after_answer=True)
    with pytest.raises(httpx.ConnectError):
        WAYS[way](exchange)
    assert stub.calls == 1
    assert [r.code for r in exchange.requests] == ["0"]


def _sequence(exchange: FakeExchange, base_url: str) -> list[Any]:
    """Stub the ticker, queue an unaimed and an aimed fault, send four requests."""
    exchange.stub("GET", TICKER_PATH, json=TICKER)
    exchange.fail_next(50001)  # unaimed: the next request, whatever it is
    exchange.fail_next(50011, path="/api/v5/account/max-withdrawal")
    with ExitStack() as stack:
        client = stack.enter_context(httpx.Client(base_url=base_url))
        account = stack.enter_context(AccountAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE,
                                                 flag="1", debug=False, domain=base_url))
        if base_url == OKX:  # in-process: both clients installed on the exchange
            stack.enter_context(exchange.install(client))
            stack.enter_context(exchange.install(account))
        codes = [client.get(TICKER_PATH, params={"instId": "BTC-USDT"}).json()["code"],
                 account.get_max_withdrawal("BTC")["code"],
                 client.get(TICKER_PATH).json()["code"],
                 account.get_max_withdrawal("BTC")["code"]]
    return [codes, outcomes(exchange)]


def test_unaimed_faults_take_the_same_requests_in_process_and_over_http() -> None:
    in_process = funded_exchange(frozen_clock())
    got_in_process = _sequence(in_process, OKX)
    served = funded_exchange(frozen_clock())
    with served.serve() as base_url:
        got_served = _sequence(served, base_url)
    uid = in_process.account_for_key(DEMO_KEY).uid
    # Before: in-process, the unmodelled ticker went around the exchange and the unaimed
    # fault waited for the max-withdrawal read; over HTTP the ticker took it.
    assert got_in_process == got_served == [
        ["50001", "50011", "0", "0"],
        [("GET", TICKER_PATH, None, "50001", 503),
         ("GET", "/api/v5/account/max-withdrawal", None, "50011", 429),
         ("GET", TICKER_PATH, None, "0", 200),
         ("GET", "/api/v5/account/max-withdrawal", uid, "0", 200)]]


# -- the fallback's record, the transport's fallback, threads, the log line ----------------


def test_a_fallback_that_raises_is_recorded_unanswered_and_its_error_raised(
        exchange: FakeExchange) -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("the fallback's own network", request=request)

    with httpx.Client(base_url=OKX) as client, exchange.install(client, fallback=broken), \
            pytest.raises(httpx.ConnectTimeout, match="the fallback's own network"):
        client.get(TICKER_PATH)
    assert outcomes(exchange) == [("GET", TICKER_PATH, None, None, None)]


def test_a_drop_in_fallback_object_is_recorded_with_its_answers_code(
        exchange: FakeExchange) -> None:
    class Other:
        def _request_with_params(self, method: str, path: str, params: dict[str, Any]) -> Any:
            return {"code": "51001", "data": [], "msg": (method, path, params)}

    api = FakeAccountAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, exchange=exchange,
                         fallback=Other())
    answer = api._request_with_params("GET", TICKER_PATH, {"instId": "X"})
    assert answer == {"code": "51001", "data": [], "msg": ("GET", TICKER_PATH, {"instId": "X"})}
    uid = exchange.account_for_key(DEMO_KEY).uid
    # The object gives no HTTP status: 200 is recorded (an assumption, see RequestRecord).
    assert outcomes(exchange) == [("GET", TICKER_PATH, uid, "51001", 200)]


def test_the_transports_fallback_may_be_replaced_and_is_checked_when_set(
        exchange: FakeExchange) -> None:
    transport = FakeTransport(exchange)
    with pytest.raises(TypeError, match=r"fallback must be an httpx\.BaseTransport.*got int"):
        transport.fallback = 42  # type: ignore[assignment]
    assert transport.fallback is None
    with httpx.Client(base_url=OKX, transport=transport) as client:
        with pytest.raises(UnmodelledRequestError):
            client.get(TICKER_PATH)
        transport.fallback = lambda request: httpx.Response(200, json=TICKER)
        assert client.get(TICKER_PATH).json() == TICKER


def test_a_counted_stub_answers_exactly_its_times_across_threads(exchange: FakeExchange) -> None:
    from concurrent.futures import ThreadPoolExecutor

    stub = exchange.stub("GET", TICKER_PATH, json=TICKER, times=7)
    api = FakeAccountAPI(exchange=exchange)  # public: no key, no auth

    def ask(_: int) -> str:
        try:
            return str(api._request_with_params("GET", TICKER_PATH, {})["code"])
        except UnmodelledRequestError:
            return "unmodelled"

    with ThreadPoolExecutor(max_workers=4) as pool:
        codes = list(pool.map(ask, range(20)))
    assert sorted(codes).count("0") == 7 and codes.count("unmodelled") == 13
    assert (stub.calls, stub.remaining, exchange.stubs) == (7, 0, [])


def test_a_stubbed_request_logs_its_answer_not_the_not_modelled_mark(
        exchange: FakeExchange) -> None:
    lines: list[str] = []
    exchange.stub("GET", TICKER_PATH, json=TICKER, times=1)
    app = exchange.wsgi_app(log=lines.append)
    for _ in range(2):
        b"".join(app({"REQUEST_METHOD": "GET", "REQUEST_URI": TICKER_PATH},
                     lambda *args: None))
    assert lines == [f"GET {TICKER_PATH} -> 200 code=0",
                     f"GET {TICKER_PATH} -> 404 code=- (not modelled by the fake)"]
