"""Every OKX code in the fake's table, produced through the real python-okx SDK (install)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
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
    sdk_client,
)
from okx_fakes import ERRORS, FakeExchange

# The codes okx_ext maps (brief F1): the table must hold each, and nothing it cannot back.
WRAPPER_CODES = {
    "50001", "50004", "50005", "50011", "50013", "50014", "50025", "50026", "50030", "50035",
    "50100", "50101", "50102", "50103", "50104", "50105", "50106", "50107", "50110", "50111",
    "50112", "50113", "50114", "50119", "50120", "50121", "51000",
}

# Status and message per code, pinned here independently of the table (a typo there fails).
EXPECTED = {
    "50001": (503, "Service temporarily unavailable. Try again later"),
    "50004": (400, "API endpoint request timeout (does not mean that the request was "
                   "successful or failed, please check the request result)"),
    "50005": (410, "API is offline or unavailable"),
    "50011": (429, "Too Many Requests"),
    "50013": (429, "Systems are busy. Please try again later"),
    "50014": (400, "Parameter ccy cannot be empty"),
    "50025": (200, "Parameter ccy count exceeds the limit 20"),
    "50026": (500, "System error. Try again later"),
    "50030": (200, "You don't have permission to use this API endpoint"),
    "50035": (403, "This endpoint requires that APIKey must be bound to IP"),
    "50100": (400, "API frozen, please contact customer service"),
    "50101": (401, "APIKey does not match current environment"),
    "50102": (401, "Timestamp request expired"),
    "50103": (401, 'Request header "OK-ACCESS-KEY" cannot be empty'),
    "50104": (401, 'Request header "OK-ACCESS-PASSPHRASE" cannot be empty'),
    "50105": (401, 'Request header "OK-ACCESS-PASSPHRASE" incorrect'),
    "50106": (401, 'Request header "OK-ACCESS-SIGN" cannot be empty'),
    "50107": (401, 'Request header "OK-ACCESS-TIMESTAMP" cannot be empty'),
    "50110": (401, "Your IP 127.0.0.1 is not included in your API key's IP whitelist"),
    "50111": (401, "Invalid OK-ACCESS-KEY"),
    "50112": (401, "Invalid OK-ACCESS-TIMESTAMP"),
    "50113": (401, "Invalid Sign"),
    "50114": (401, "Invalid authorization"),
    "50119": (401, "API key doesn't exist"),
    "50120": (200, "This API key doesn't have permission to use this function"),
    "50121": (401, "You can't access our services through the IP address (127.0.0.1)"),
    "51000": (400, "Parameter ccy error"),
    # The funding codes the transfer answers (issue 12; the wrapper does not map them).
    "58102": (429, "Rate limit reached. Please refer to API docs and throttle requests "
                   "accordingly."),
    "58114": (400, "Transfer amount must be greater than 0"),
    "58116": (200, "Transfer exceeds the available amount."),
    "58123": (200, "The From parameter cannot be the same as the To parameter."),
    "58127": (200, "Main account API key does not support current transfer 'type' parameter. "
                   "Please refer to the API documentation."),
}
FUNDING_CODES = {"58102", "58114", "58116", "58123", "58127"}


def test_table_holds_exactly_the_codes_the_wrapper_maps_and_the_transfers() -> None:
    assert set(ERRORS) == WRAPPER_CODES | FUNDING_CODES == set(EXPECTED)


@pytest.mark.parametrize("code", sorted(set(EXPECTED) - {"50025", "51000"}))
def test_injected_code_through_the_sdk_and_plain_httpx(code: str) -> None:
    exchange = funded_exchange(frozen_clock())
    status, msg = EXPECTED[code]
    exchange.fail_next(code, times=2)
    with sdk_client(exchange) as api:
        assert api.get_max_withdrawal("BTC") == error(code, msg)
    with httpx.Client(base_url="https://example.invalid") as plain:
        exchange.install(plain)
        response = plain.get("/api/v5/account/max-withdrawal")
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert response.json() == error(code, msg)
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
    status, msg = EXPECTED[code]
    assert scenario(exchange) == error(code, msg)
    assert (exchange.requests[-1].code, exchange.requests[-1].status) == (code, status)


def test_live_key_with_demo_flag_is_50101_and_with_live_flag_passes() -> None:
    exchange = funded_exchange(frozen_clock())
    with sdk_client(exchange, LIVE_KEY, LIVE_SECRET, LIVE_PASSPHRASE, flag="1") as api:
        assert api.get_max_withdrawal("BTC") == error("50101", EXPECTED["50101"][1])
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
        ("50112", {"OK-ACCESS-TIMESTAMP": "1704164645678"}),
    ],
)
def test_missing_headers_through_a_plain_httpx_client(code: str, overrides: dict[str, str]) -> None:
    exchange = funded_exchange(max_skew_s=None)
    with httpx.Client() as plain:
        exchange.install(plain)
        response = plain.get("https://www.okx.com/api/v5/account/max-withdrawal",
                             headers=_signed_headers(**overrides))
    assert (response.status_code, response.json()) == (EXPECTED[code][0],
                                                        error(code, EXPECTED[code][1]))


def test_demo_sdk_client_passes_auth_with_the_right_keys() -> None:
    exchange = funded_exchange(frozen_clock())
    with sdk_client(exchange, DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE) as api:
        assert api.get_max_withdrawal("BTC")["code"] == "0"
