"""Every OKX code in the fake's table, produced through the real python-okx SDK (install)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

import httpx
import okx.Account
import okx.okxclient
import pytest
from fake_support import (
    DEMO_KEY,
    DEMO_PASSPHRASE,
    DEMO_SECRET,
    LIVE_KEY,
    LIVE_PASSPHRASE,
    LIVE_SECRET,
    error,
    frozen_clock,
    funded_exchange,
    gateway_error,
    sdk_client,
)
from okx_fakes import ERRORS, FakeAccountAPI, FakeExchange

from okx_ext import MaxWithdrawalClient, OkxApiError, error_for_code

# The codes okx_ext maps: the table must hold each, and nothing it cannot back.
WRAPPER_CODES = {
    "50001", "50004", "50005", "50007", "50008", "50009", "50011", "50012", "50013", "50014",
    "50025", "50026", "50030", "50035", "50038", "50040", "50100", "50101", "50102", "50103",
    "50104", "50105", "50106", "50107", "50108", "50109", "50110", "50111", "50112", "50113",
    "50114", "50115", "50119", "50120", "50121", "51000",
}

G, E = "gateway", "endpoint"
# Status, message and body shape per code, pinned here from
# /work/shared/reference/okx-error-codes.md independently of the table (a typo there fails):
# the wire's status and wording where observed, OKX's table otherwise.
EXPECTED = {
    "50001": (503, "Service temporarily unavailable. Please try again later.", E),
    "50004": (400, "API endpoint request timeout. (does not mean that the request was "
                   "successful or failed, please check the request result).", E),
    "50005": (410, "API endpoint is inactive or unavailable.", E),
    "50007": (200, "User blocked.", E),
    "50008": (200, "User doesn't exist.", E),
    "50009": (200, "Account is frozen due to stop-out.", E),
    "50011": (429, "Too Many Requests", G),
    "50012": (200, "Account status invalid. Check account status", E),
    "50013": (429, "Systems are busy. Please try again later.", E),
    "50014": (400, "Parameter ccy can not be empty.", E),
    "50025": (200, "Parameter ccy count exceeds the limit 20.", E),
    "50026": (500, "System error. Try again later", E),
    "50030": (200, "You don't have permission to use this API endpoint", E),
    "50035": (403, "This endpoint requires that APIKey must be bound to IP", E),
    "50038": (200, "This feature is unavailable in demo trading", E),
    "50040": (200, "Too frequent operations, please try again later", E),
    "50100": (400, "API frozen, please contact customer service.", G),
    "50101": (401, "APIKey does not match current environment.", G),
    "50102": (401, "Timestamp request expired", G),
    "50103": (401, "Request header OK-ACCESS-KEY can not be empty.", G),
    "50104": (401, 'Request header "OK-ACCESS-PASSPHRASE" cannot be empty.', G),
    "50105": (401, "Request header OK-ACCESS-PASSPHRASE incorrect.", G),
    "50106": (401, 'Request header "OK-ACCESS-SIGN" cannot be empty.', G),
    "50107": (401, 'Request header "OK-ACCESS-TIMESTAMP" cannot be empty.', G),
    "50108": (401, "Exchange ID does not exist.", G),
    "50109": (401, "Exchange domain does not exist.", G),
    "50110": (401, "Your IP 127.0.0.1 is not included in your API key's IP whitelist.", G),
    "50111": (401, "Invalid OK-ACCESS-KEY", G),
    "50112": (401, "Invalid OK-ACCESS-TIMESTAMP.", G),
    "50113": (401, "Invalid Sign", G),
    "50114": (401, "Invalid authorization.", G),
    "50115": (405, "Invalid request method.", G),
    "50119": (401, "API key doesn't exist", G),
    "50120": (200, "This API key doesn't have permission to use this function", E),
    "50121": (200, "You can't access our services through the IP address (127.0.0.1)", E),
    "51000": (400, "Parameter ccy error", E),
    # The funding codes the transfer answers (issue 12; the wrapper does not map them).
    "58102": (429, "Rate limit reached. Please refer to API docs and throttle requests "
                   "accordingly.", E),
    "58114": (400, "Transfer amount must be greater than 0", E),
    "58116": (200, "Transfer exceeds the available amount.", E),
    "58123": (200, "The From parameter cannot be the same as the To parameter.", E),
    "58127": (200, "Main account API key does not support current transfer 'type' parameter. "
                   "Please refer to the API documentation.", E),
    "58129": (200, "transId is incorrect or transId does not match with 'type'", E),
    "58350": (200, "Insufficient balance", E),
    # The withdrawal's.
    "58010": (200, "Chain chain isn't supported", E),
    "58205": (200, "Withdrawal amount exceeds the upper limit.", E),
    "58206": (200, "Withdrawal amount is less than the lower limit.", E),
    "58213": (200, "The internal transfer address is illegal. It must be an email, phone "
                   "number, or account name", E),
    "58214": (200, "Withdrawals suspended due to chain maintenance", E),
    "58215": (200, "Withdrawal ID does not exist.", E),
    "58216": (200, "Operation not allowed.", E),
    "58220": (200, "Withdrawal request already canceled.", E),
}
FUNDING_CODES = {"58102", "58114", "58116", "58123", "58127", "58129", "58350", "58010",
                 "58205", "58206", "58213", "58214", "58215", "58216", "58220"}


def expected_body(code: str) -> dict[str, object]:
    _, msg, shape = EXPECTED[code]
    return gateway_error(code, msg) if shape == G else error(code, msg)


def expected_bytes(code: str) -> bytes:
    """The exact bytes: compact JSON, msg first and no data for the gateway."""
    _, msg, shape = EXPECTED[code]
    if shape == G:
        return b'{"msg":' + json.dumps(msg).encode() + b',"code":"' + code.encode() + b'"}'
    return b'{"code":"' + code.encode() + b'","data":[],"msg":' + json.dumps(msg).encode() + b"}"


def test_table_holds_exactly_the_codes_the_wrapper_maps_and_the_transfers() -> None:
    assert set(ERRORS) == WRAPPER_CODES | FUNDING_CODES == set(EXPECTED)


def test_every_row_names_its_source_and_a_wire_row_names_a_thread() -> None:
    for code, spec in ERRORS.items():
        assert spec.source.kind in ("table", "wire", "assumed"), code
        if spec.source.kind == "table":
            assert spec.source.evidence == "", code
        else:
            assert spec.source.evidence, code
        if spec.source.kind == "wire":
            # A thread (owner/repo#N), or a file of a suite run against live OKX
            # (owner/repo@commit:path).
            assert all(re.fullmatch(r"[\w.-]+/[\w.-]+(#\d+|@[0-9a-f]{40}:[\w./-]+)", thread)
                       for thread in spec.source.evidence.split(", ")), code


def test_the_gateway_rule_holds_for_every_row() -> None:
    # Gateway-level: the API class answered with a 4xx status, and the 429 rate limit.
    for code, spec in ERRORS.items():
        gateway = (code.startswith("501") and 400 <= spec.status < 500) or code == "50011"
        assert spec.shape == ("gateway" if gateway else "endpoint"), code


@pytest.mark.parametrize("code", sorted(set(EXPECTED) - {"50025", "51000"}))
def test_injected_code_through_the_sdk_and_plain_httpx(code: str) -> None:
    exchange = funded_exchange(frozen_clock())
    status = EXPECTED[code][0]
    exchange.fail_next(code, times=2)
    with sdk_client(exchange) as api:
        assert api.get_max_withdrawal("BTC") == expected_body(code)
    with httpx.Client(base_url="https://example.invalid") as plain:
        exchange.install(plain)
        response = plain.get("/api/v5/account/max-withdrawal")
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert response.content == expected_bytes(code)
    assert [(r.code, r.status, r.uid) for r in exchange.requests] == [(code, status, None)] * 2


def _sdk_call(ccy: str = "BTC", **client: str) -> Callable[[FakeExchange], object]:
    """One real-SDK call with these client arguments (defaults: the funded demo key)."""

    def call(exchange: FakeExchange) -> object:
        with sdk_client(exchange, **client) as api:
            return api.get_max_withdrawal(ccy)

    call.__name__ = " ".join([*(f"{name}={value!r}" for name, value in client.items()),
                              f"ccy={ccy[:12]!r}"])
    return call


def _with_sdk_timestamp(timestamp: str) -> Callable[[FakeExchange], object]:
    def call(exchange: FakeExchange) -> object:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(okx.okxclient.utils, "get_timestamp", lambda: timestamp)
            return _sdk_call()(exchange)

    call.__name__ = f"timestamp_{timestamp}"
    return call


def _twenty_first(exchange: FakeExchange) -> object:
    with sdk_client(exchange) as api:
        for _ in range(20):
            assert api.get_max_withdrawal("BTC")["code"] == "0"
        return api.get_max_withdrawal("BTC")


NATURAL: list[tuple[str, Callable[[FakeExchange], object]]] = [
    ("50103", _sdk_call(key="-1")),  # python-okx then sends no auth headers at all
    ("50104", _sdk_call(passphrase="")),
    ("50112", _with_sdk_timestamp("2024-01-02T03:04:05Z")),
    ("50102", _with_sdk_timestamp("1607417337715")),
    ("50102", _with_sdk_timestamp("2020-01-02T03:04:05.678Z")),
    ("50111", _sdk_call(key="no-such-key")),
    ("50105", _sdk_call(passphrase="wrong")),
    ("50101", _sdk_call(flag="0")),
    ("50113", _sdk_call("BTC, ETH")),  # signed unencoded, sent as BTC,%20ETH
    ("50113", _sdk_call(secret="not-the-secret")),
    ("50011", _twenty_first),
    ("50025", _sdk_call(",".join(f"C{n}" for n in range(21)))),
    ("51000", _sdk_call("BTC,,ETH")),
]


@pytest.mark.parametrize(("code", "scenario"), NATURAL, ids=[s.__name__ for _, s in NATURAL])
def test_code_the_fake_produces_by_itself_through_the_sdk(
    code: str, scenario: Callable[[FakeExchange], object]
) -> None:
    exchange = funded_exchange(frozen_clock())
    assert scenario(exchange) == expected_body(code)
    assert (exchange.requests[-1].code, exchange.requests[-1].status) == (code, EXPECTED[code][0])


def test_live_key_with_demo_flag_is_50101_and_with_live_flag_passes() -> None:
    exchange = funded_exchange(frozen_clock())
    with sdk_client(exchange, LIVE_KEY, LIVE_SECRET, LIVE_PASSPHRASE, flag="1") as api:
        assert api.get_max_withdrawal("BTC") == expected_body("50101")
    with sdk_client(exchange, LIVE_KEY, LIVE_SECRET, LIVE_PASSPHRASE, flag="0") as api:
        assert api.get_max_withdrawal("BTC")["data"][0]["maxWd"] == "0"


def _signed_headers(**overrides: str) -> dict[str, str]:
    headers = {
        "OK-ACCESS-KEY": DEMO_KEY,
        "OK-ACCESS-SIGN": "c2lnbg==",
        "OK-ACCESS-TIMESTAMP": "2024-01-02T03:04:05.678Z",
        "OK-ACCESS-PASSPHRASE": DEMO_PASSPHRASE,
        "x-simulated-trading": "1",
    }
    headers.update(overrides)
    return {name: value for name, value in headers.items() if value != "<absent>"}


@pytest.mark.parametrize(
    ("code", "overrides"),
    [
        ("50103", {"OK-ACCESS-KEY": "<absent>"}),
        ("50103", {"OK-ACCESS-KEY": ""}),
        ("50106", {"OK-ACCESS-SIGN": "<absent>"}),
        ("50107", {"OK-ACCESS-TIMESTAMP": ""}),
        ("50104", {"OK-ACCESS-PASSPHRASE": "<absent>"}),
        # The first failure in AUTH_ORDER wins when several headers are missing.
        ("50106", {"OK-ACCESS-SIGN": "", "OK-ACCESS-TIMESTAMP": "", "OK-ACCESS-PASSPHRASE": ""}),
        ("50112", {"OK-ACCESS-TIMESTAMP": "2024-13-02T03:04:05.678Z", "OK-ACCESS-KEY": "nope"}),
        ("50102", {"OK-ACCESS-TIMESTAMP": "1704164645678"}),  # okxapi/python-okx#55
        ("50102", {"OK-ACCESS-TIMESTAMP": "1607417337715", "OK-ACCESS-KEY": "nope"}),
        ("50112", {"OK-ACCESS-TIMESTAMP": "-1607417337715"}),
        ("50112", {"OK-ACCESS-TIMESTAMP": "1607417337.715"}),
    ],
)
def test_missing_headers_through_a_plain_httpx_client(code: str, overrides: dict[str, str]) -> None:
    exchange = funded_exchange(max_skew_s=None)
    with httpx.Client() as plain:
        exchange.install(plain)
        response = plain.get("https://www.okx.com/api/v5/account/max-withdrawal",
                             headers=_signed_headers(**overrides))
    assert (response.status_code, response.content) == (EXPECTED[code][0], expected_bytes(code))


def test_demo_sdk_client_passes_auth_with_the_right_keys() -> None:
    exchange = funded_exchange(frozen_clock())
    with sdk_client(exchange, DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE) as api:
        assert api.get_max_withdrawal("BTC")["code"] == "0"


@pytest.mark.parametrize("way", ["direct", "install", "serve"])
def test_the_wrapper_reads_both_body_shapes_through_every_way_in(way: str) -> None:
    exchange = funded_exchange(frozen_clock())
    with ExitStack() as stack:
        if way == "direct":
            api: Any = FakeAccountAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, exchange=exchange)
        elif way == "install":
            api = stack.enter_context(sdk_client(exchange))
        else:
            api = stack.enter_context(okx.Account.AccountAPI(
                DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, flag="1",
                domain=stack.enter_context(exchange.serve())))
        client = MaxWithdrawalClient(api, retry=None, rate_limit=None)
        for code in sorted(EXPECTED):
            exchange.fail_next(code)
            with pytest.raises(OkxApiError) as caught:
                client.get_max_withdrawal("BTC")
            assert type(caught.value) is type(error_for_code(code, "m")), code
            assert (caught.value.code, caught.value.msg) == (code, EXPECTED[code][1])


def test_every_sourced_row_has_an_address() -> None:
    for code, spec in ERRORS.items():
        urls = spec.source.urls
        if spec.source.kind == "assumed":
            assert urls == (), code
            continue
        assert urls and all(url.startswith("https://") for url in urls), code
    assert ERRORS["50113"].source.urls == (
        "https://github.com/ccxt/ccxt/issues/11109",
        "https://github.com/sieblyio/okx-api/issues/22",
    )
