"""The ccy parameter, routing and the recorded requests, through handle() and FakeAccountAPI."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
from fake_support import (
    DEMO_KEY,
    DEMO_PASSPHRASE,
    DEMO_SECRET,
    SECRETS,
    error,
    funded_exchange,
    gateway_error,
)
from okx_fakes import FakeAccountAPI, FakeExchange, FakeRequest, RequestRecord

PATH = "/api/v5/account/max-withdrawal"
TIMESTAMP = "2024-01-02T03:04:05.678Z"


def signed(target: str, method: str = "GET", secret: str = DEMO_SECRET) -> FakeRequest:
    """A request signed over exactly ``target`` (what a client that encodes first would send)."""
    digest = hmac.new(secret.encode(), (TIMESTAMP + method + target).encode(), hashlib.sha256)
    headers = {
        "ok-access-key": DEMO_KEY,
        "ok-access-sign": base64.b64encode(digest.digest()).decode(),
        "ok-access-timestamp": TIMESTAMP,
        "ok-access-passphrase": DEMO_PASSPHRASE,
        "x-simulated-trading": "1",
    }
    return FakeRequest(method, target, headers)


def answer(exchange: FakeExchange, target: str, method: str = "GET") -> tuple[int, object]:
    response = exchange.handle(signed(target, method))
    return response.status, json.loads(response.body)


def ccys(exchange: FakeExchange, query: str) -> list[str]:
    status, body = answer(exchange, f"{PATH}?{query}")
    assert status == 200 and isinstance(body, dict) and body["code"] == "0", body
    return [entry["ccy"] for entry in body["data"]]


@pytest.fixture
def exchange() -> FakeExchange:
    return funded_exchange(max_skew_s=None)


def test_query_forms(exchange: FakeExchange) -> None:
    assert ccys(exchange, "") == ["BTC", "ETH", "USDT"]
    assert ccys(exchange, "ccy=") == ["BTC", "ETH", "USDT"]
    assert ccys(exchange, "ccy=eth,Btc") == ["ETH", "BTC"]
    assert ccys(exchange, "ccy=ETH,BTC,eth,ETH") == ["ETH", "BTC"]  # duplicates answered once
    assert ccys(exchange, "other=1&ccy=ZRX") == ["ZRX"]  # unknown parameters are ignored
    assert ccys(exchange, "ccy=" + ",".join(["BTC"] * 10 + [f"C{n}" for n in range(10)])) == [
        "BTC", *[f"C{n}" for n in range(10)]]
    assert ccys(exchange, "ccy=%42TC") == ["BTC"]  # the query is percent-decoded


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("ccy=" + ",".join(f"C{n}" for n in range(21)), "50025"),
        ("ccy=" + ",".join(["BTC"] * 21), "50025"),  # counted before duplicates collapse
        ("ccy=" + ",".join(["BTC"] * 20 + [""]), "50025"),  # count first, then items
        ("ccy=BTC,", "51000"),
        ("ccy=,BTC", "51000"),
        ("ccy=BTC,%20ETH", "51000"),
        ("ccy=BTC-USDT", "51000"),
        ("ccy=%C3%89TH", "51000"),
        ("ccy=BTC%2CETH&ccy=BTC", "51000"),  # a repeated parameter is ambiguous
        ("ccy=" + "B" * 33, "51000"),
    ],
)
def test_bad_ccy_answers_parameter_errors(exchange: FakeExchange, query: str, code: str) -> None:
    status, body = answer(exchange, f"{PATH}?{query}")
    expected = {"50025": (200, "Parameter ccy count exceeds the limit 20."),
                "51000": (400, "Parameter ccy error")}[code]
    assert (status, body) == (expected[0], error(code, expected[1]))


@pytest.mark.parametrize(("method", "target"), [("GET", "/api/v5/account/positions"),
                                                 ("POST", "/api/v5/account/positions"),
                                                 ("GET", PATH + "/")])
def test_unmodelled_paths_answer_404(exchange: FakeExchange, method: str, target: str) -> None:
    # JSON (python-okx reads every answer with response.json()) saying so, with no
    # "code": never an OKX-looking answer python-okx would hand back as a normal one.
    response = exchange.handle(signed(target, method))
    assert response.status == 404
    assert dict(response.headers)["content-type"] == "application/json"
    assert dict(response.headers)["x-okx-fake"] == "not-modelled"
    body = json.loads(response.body)
    assert sorted(body) == ["error", "msg"]
    assert body["error"] == "not modelled by okx-fakes"
    assert body["msg"].startswith(
        f"{method} {target} is not modelled by okx-fakes (it models "
        "GET /api/v5/account/max-withdrawal, GET /api/v5/account/balance, "
        "GET /api/v5/account/config, POST /api/v5/asset/transfer, ")
    assert body["msg"].endswith(
        '; stub it: PUT /_fake/stubs {"method": ..., "path": ..., "json": {...}} '
        "(okx-ext docs: recipes/stub-a-route)")
    # Signed with a valid key: authenticated, so the record has the uid.
    uid = exchange.account_for_key(DEMO_KEY).uid
    assert exchange.requests[-1] == RequestRecord(method, target, "", uid, None, 404,
                                                  exchange.requests[-1].time)


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "HEAD", "get"])
def test_other_methods_on_a_modelled_path_answer_50115(exchange: FakeExchange,
                                                        method: str) -> None:
    response = exchange.handle(signed(PATH + "?ccy=BTC", method))
    assert (response.status, response.body) == (
        405, b'{"msg":"Invalid request method.","code":"50115"}')
    assert json.loads(response.body) == gateway_error("50115", "Invalid request method.")
    record = exchange.requests[-1]
    assert (record.method, record.path, record.code, record.status, record.uid) == (
        method, PATH, "50115", 405, None)


def test_records_hold_the_request_and_no_secret(exchange: FakeExchange) -> None:
    api = FakeAccountAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, exchange=exchange)
    api.get_max_withdrawal("BTC,ETH")
    FakeAccountAPI("unknown", "x", "y", exchange=exchange).get_max_withdrawal()
    records = exchange.requests
    assert [(r.method, r.path, r.query, r.code, r.status) for r in records] == [
        ("GET", PATH, "ccy=BTC,ETH", "0", 200),
        ("GET", PATH, "", "50111", 401),
    ]
    assert records[0].uid == exchange.accounts[0].uid and records[1].uid is None
    shown = repr(records) + repr(exchange) + repr(api) + repr(exchange.accounts)
    shown += repr(signed(PATH))
    assert not any(secret in shown for secret in SECRETS)
    records.clear()  # a copy
    assert len(exchange.requests) == 2
    exchange.reset_requests()
    assert exchange.requests == []


def test_fault_queue_is_fifo_and_validated(exchange: FakeExchange) -> None:
    api = FakeAccountAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, exchange=exchange)
    exchange.fail_next("50013", times=2, msg="custom")
    exchange.fail_next(50026)
    codes = [api.get_max_withdrawal("BTC")["code"] for _ in range(4)]
    assert codes == ["50013", "50013", "50026", "0"]
    exchange.fail_next(50001)  # faults apply before auth: a client without keys gets it too
    assert FakeAccountAPI(exchange=exchange).get_max_withdrawal()["code"] == "50001"
    exchange.fail_next(50001)
    exchange.clear_faults()
    assert api.get_max_withdrawal("BTC")["code"] == "0"
    with pytest.raises(ValueError, match="unknown OKX code"):
        exchange.fail_next(12345)
    with pytest.raises(ValueError, match="times"):
        exchange.fail_next(50001, times=0)
    with pytest.raises(ValueError, match="status"):
        exchange.fail_next_http(99, "x")
    assert exchange.handle(signed(PATH)).status == 200
    exchange.fail_next(50001, msg="custom message")
    expected = b'{"code":"50001","data":[],"msg":"custom message"}'
    assert exchange.handle(signed(PATH)).body == expected
