"""The control API reads state (never a secret), and refuses bad fault, pending and settle bodies.

Through the WSGI app directly: the same app ``serve()`` runs (the server's own tests cover
the socket).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fake_support import DEMO_KEY, DEMO_PASSPHRASE, DEMO_SECRET, SECRETS, funded_exchange
from okx_fakes import FakeExchange, FakeFundingAPI


def call(exchange: FakeExchange, method: str, path: str,
         body: object = None) -> tuple[int, Any]:
    app = exchange.wsgi_app()
    raw = b"" if body is None else json.dumps(body).encode()
    response = app.control.handle(method, path, raw)  # type: ignore[union-attr]
    return response.status, json.loads(response.body)


@pytest.fixture
def exchange() -> FakeExchange:
    exchange = funded_exchange()
    account = exchange.account_for_key(DEMO_KEY)
    account.set_funding_balance("USDT", "12.5")
    account.set_balance("SOL", available="0", borrowable="3")
    return exchange


def test_get_accounts_lists_uid_mode_currencies(exchange: FakeExchange) -> None:
    demo, live = exchange.accounts
    assert call(exchange, "GET", "/_fake/accounts") == (200, {"accounts": [
        {"uid": demo.uid, "mode": "multi_currency", "currencies": ["BTC", "ETH", "USDT", "SOL"]},
        {"uid": live.uid, "mode": "spot", "currencies": []},
    ]})


def test_get_account_reads_trading_funding_and_transfers(exchange: FakeExchange) -> None:
    api = FakeFundingAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, exchange=exchange)
    api.funds_transfer("BTC", "1.6", "18", "6", loanTrans=True)
    uid = exchange.account_for_key(DEMO_KEY).uid

    status, body = call(exchange, "GET", f"/_fake/accounts/{uid}")

    assert status == 200
    assert (body["uid"], body["mode"]) == (uid, "multi_currency")
    assert body["trading"][0] == {
        "ccy": "BTC", "available": "0", "borrowable": "0.4", "borrowed": "0.1",
        "cash": "0", "frozen": "0", "margin": "0",
        "maxWithdrawal": {"ccy": "BTC", "maxWd": "0", "maxWdEx": "0.4",
                          "spotOffsetMaxWd": "", "spotOffsetMaxWdEx": ""}}
    assert [row["ccy"] for row in body["trading"]] == ["BTC", "ETH", "USDT", "SOL"]
    assert body["trading"][3]["maxWithdrawal"]["maxWdEx"] == "3"
    assert body["funding"] == [{"ccy": "USDT", "availBal": "12.5", "frozenBal": "0"},
                               {"ccy": "BTC", "availBal": "1.6", "frozenBal": "0"}]
    (row,) = body["transfers"]
    assert (row["amt"], row["from"], row["to"], row["state"]) == ("1.6", "18", "6", "success")
    assert not any(secret in json.dumps(body) for secret in SECRETS)


def test_get_account_of_an_unknown_uid_is_404(exchange: FakeExchange) -> None:
    assert call(exchange, "GET", "/_fake/accounts/42") == (404, {"error": "uid: unknown, got '42'"})


@pytest.mark.parametrize(("body", "status", "error"), [
    ({"code": 50001, "path": "/api/v5/market/ticker?instId=BTC-USDT"}, 400,
     "path: expected a request path such as '/api/v5/market/ticker' (no query, no space), "
     "got '/api/v5/market/ticker?instId=BTC-USDT'"),
    ({"network": True, "after_answer": "yes"}, 400, "after_answer: expected true or false"),
    ({"code": 50001, "after_answer": True}, 400, "'after_answer': unknown field"),
])
def test_bad_aimed_faults_are_refused_naming_the_field(exchange: FakeExchange, body: object,
                                                       status: int, error: str) -> None:
    answer_status, answer = call(exchange, "POST", "/_fake/faults", body)
    assert (answer_status, answer["error"][:len(error)]) == (status, error)


def test_an_aimed_fault_is_echoed(exchange: FakeExchange) -> None:
    body = {"network": True, "path": "/api/v5/asset/transfer", "after_answer": True}
    assert call(exchange, "POST", "/_fake/faults", body) == (201, {"queued": {**body, "times": 1}})


@pytest.mark.parametrize(("path", "body", "expected"), [
    ("/_fake/transfers/pending", {"times": 0}, (400, {
        "error": "times: expected a positive whole number, got 0"})),
    ("/_fake/transfers/pending", {"count": 1}, (400, {
        "error": "'count': unknown field (allowed: times)"})),
    ("/_fake/transfers/pending", None, (201, {"queued": {"pending_transfers": 1}})),
    ("/_fake/transfers/1000001/settle", {}, (400, {"error": "state: missing"})),
    ("/_fake/transfers/1000001/settle", {"state": "done"}, (400, {
        "error": "state: expected one of success, failed, got 'done'"})),
    ("/_fake/transfers/77/settle", {"state": "failed"}, (404, {
        "error": "transId: unknown, got '77'"})),
])
def test_pending_and_settle_bodies(exchange: FakeExchange, path: str, body: object,
                                   expected: tuple[int, object]) -> None:
    assert call(exchange, "POST", path, body) == expected


def test_settling_twice_is_a_conflict(exchange: FakeExchange) -> None:
    exchange.pend_next_transfers()
    api = FakeFundingAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, exchange=exchange)
    trans_id = api.funds_transfer("BTC", "1", "18", "6")["data"][0]["transId"]
    first = call(exchange, "POST", f"/_fake/transfers/{trans_id}/settle", {"state": "failed"})
    second = call(exchange, "POST", f"/_fake/transfers/{trans_id}/settle", {"state": "success"})
    assert (first[0], first[1]["state"]) == (200, "failed")
    assert second == (409, {"error": f"transId: transfer {trans_id} is failed, not pending: "
                                     "it settles once"})
