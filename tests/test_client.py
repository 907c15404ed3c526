"""MaxWithdrawalClient: validation before any call, one round trip, error mapping, secrets."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import warnings
from decimal import Decimal
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from okx.Account import AccountAPI
from test_models import DOC_EXAMPLE  # OKX's documented response example

from okx_ext import (
    CurrencyValidationError,
    DebugLoggingWarning,
    MaxWithdrawal,
    MaxWithdrawalClient,
    OkxApiError,
    OkxExtError,
    RateLimitError,
    ResponseFormatError,
    TooManyCurrenciesError,
    TransportError,
)

API_KEY = "AK-3c1f-do-not-leak"
SECRET_KEY = "SK-9e7a-do-not-leak"
PASSPHRASE = "PP-51b2-do-not-leak"
SECRETS = (API_KEY, SECRET_KEY, PASSPHRASE)


class RecordingAPI:
    """A python-okx style stub: records each ccy argument, answers ``answer`` or raises it."""

    def __init__(self, answer: object = DOC_EXAMPLE) -> None:
        self.answer = answer
        self.calls: list[str] = []

    def get_max_withdrawal(self, ccy: str = "") -> object:
        self.calls.append(ccy)
        if isinstance(self.answer, BaseException):
            raise self.answer
        return self.answer


def assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


# --- the happy path --------------------------------------------------------------------


def test_issue_example() -> None:
    api = RecordingAPI()
    rows = MaxWithdrawalClient(api).get_max_withdrawal(["btc", "ETH"])
    assert api.calls == ["BTC,ETH"]
    assert rows["BTC"].max_wd == Decimal("124")
    assert rows == {
        "BTC": MaxWithdrawal("BTC", Decimal("124"), Decimal("125")),
        "ETH": MaxWithdrawal("ETH", Decimal("10"), Decimal("12")),
    }


@pytest.mark.parametrize(
    ("ccy", "sent"),
    [(None, ""), ("", ""), ([], ""), ("BTC,ETH", "BTC,ETH"), ("btc, eth", "BTC,ETH"),
     (" ETH ,btc,ETH", "ETH,BTC")],
)
def test_the_sdk_receives_the_normalised_comma_joined_string(ccy: object, sent: str) -> None:
    api = RecordingAPI()
    MaxWithdrawalClient(api).get_max_withdrawal(ccy)  # type: ignore[arg-type]
    assert api.calls == [sent]


@pytest.mark.parametrize(
    "ccy",
    ["B TC", "BTC,,ETH", "BTC,", "BTC-USDT", "BTC&x=1", "\u00df", b"BTC", 42, ["BTC", 1],
     ",".join(f"C{i}" for i in range(21))],
)
def test_hostile_currency_arguments_make_no_call(ccy: object) -> None:
    api = RecordingAPI()
    with pytest.raises(CurrencyValidationError):
        MaxWithdrawalClient(api).get_max_withdrawal(ccy)  # type: ignore[arg-type]
    assert api.calls == []


def test_too_many_currencies_make_no_call() -> None:
    api = RecordingAPI()
    with pytest.raises(TooManyCurrenciesError):
        MaxWithdrawalClient(api).get_max_withdrawal([f"C{i}" for i in range(21)])
    assert api.calls == []


def test_answer_for_a_currency_not_asked_is_refused() -> None:
    with pytest.raises(ResponseFormatError, match="not asked"):
        MaxWithdrawalClient(RecordingAPI()).get_max_withdrawal("BTC")


def test_exchange_error_code_becomes_its_typed_error() -> None:
    api = RecordingAPI({"code": "50011", "msg": "Too Many Requests", "data": []})
    with pytest.raises(RateLimitError) as info:
        MaxWithdrawalClient(api, retry=None).get_max_withdrawal("BTC")
    assert info.value.retryable is True
    assert api.calls == ["BTC"]


# --- exception mapping -----------------------------------------------------------------


@pytest.mark.parametrize(
    "fault",
    [
        httpx.ConnectError("connection refused"),
        httpx.ReadTimeout("timed out"),
        httpx.RemoteProtocolError("server disconnected"),
        ConnectionResetError(104, "Connection reset by peer"),
        OSError("network unreachable"),
        json.JSONDecodeError("Expecting value", "<html>", 0),
        UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"),
    ],
)
def test_transport_faults_become_transport_error_with_cause(fault: BaseException) -> None:
    with pytest.raises(TransportError) as info:
        MaxWithdrawalClient(RecordingAPI(fault), retry=None).get_max_withdrawal("BTC")
    assert info.value.__cause__ is fault
    assert type(fault).__name__ in str(info.value)
    assert info.value.retryable is True


def test_h2_protocol_errors_become_transport_error() -> None:
    h2_exceptions = pytest.importorskip("h2.exceptions")
    fault = h2_exceptions.ProtocolError("stream reset")
    with pytest.raises(TransportError) as info:
        MaxWithdrawalClient(RecordingAPI(fault), retry=None).get_max_withdrawal("BTC")
    assert info.value.__cause__ is fault


def test_transport_error_message_is_truncated() -> None:
    with pytest.raises(TransportError) as info:
        MaxWithdrawalClient(RecordingAPI(OSError("x" * 10_000)), retry=None).get_max_withdrawal()
    assert len(str(info.value)) < 300


@pytest.mark.parametrize(
    "bug", [RuntimeError("bug"), ValueError("bug in stub"), KeyError("k"), TypeError("t")]
)
def test_other_exceptions_from_the_wrapped_object_propagate_unchanged(bug: Exception) -> None:
    with pytest.raises(type(bug)) as info:
        MaxWithdrawalClient(RecordingAPI(bug)).get_max_withdrawal("BTC")
    assert info.value is bug


def test_a_typed_error_from_the_wrapped_object_passes_through() -> None:
    error = RateLimitError("50011", "slow down")
    with pytest.raises(RateLimitError) as info:
        MaxWithdrawalClient(RecordingAPI(error), retry=None).get_max_withdrawal("BTC")
    assert info.value is error


def test_an_object_without_the_method_is_refused_at_construction() -> None:
    with pytest.raises(TypeError, match="get_max_withdrawal"):
        MaxWithdrawalClient(object())  # type: ignore[arg-type]


# --- the real python-okx SDK over httpx.MockTransport -----------------------------------


def real_api(handler: Any, **kwargs: Any) -> AccountAPI:
    api = AccountAPI(API_KEY, SECRET_KEY, PASSPHRASE, flag="1", **kwargs)
    # OkxClient is an httpx.Client: swapping its transport keeps every request local.
    api._transport = httpx.MockTransport(handler)
    api._mounts = {}  # proxy mounts from the environment would bypass _transport
    return api


def test_real_sdk_doc_example_and_the_signed_path_is_the_sent_path() -> None:
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200, json=DOC_EXAMPLE)

    rows = MaxWithdrawalClient(real_api(handler)).get_max_withdrawal(" btc, eth ")
    assert rows["ETH"].max_wd_ex == Decimal("12")
    (request,) = requests
    sent_path = request.url.raw_path.decode()
    assert sent_path == "/api/v5/account/max-withdrawal?ccy=BTC,ETH"
    prehash = request.headers["OK-ACCESS-TIMESTAMP"] + "GET" + sent_path
    expected = base64.b64encode(
        hmac.new(SECRET_KEY.encode(), prehash.encode(), hashlib.sha256).digest()
    )
    assert request.headers["OK-ACCESS-SIGN"] == expected.decode()
    assert request.headers["x-simulated-trading"] == "1"


def test_real_sdk_all_currencies_sends_no_query() -> None:
    paths: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        paths.append(request.url.raw_path)
        return httpx.Response(200, json=DOC_EXAMPLE)

    assert list(MaxWithdrawalClient(real_api(handler)).get_max_withdrawal()) == ["BTC", "ETH"]
    assert paths == [b"/api/v5/account/max-withdrawal"]


def test_real_sdk_error_body() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, json={"code": "50011", "msg": "Too Many Requests", "data": []})

    with pytest.raises(RateLimitError) as info:
        MaxWithdrawalClient(real_api(handler), retry=None).get_max_withdrawal("BTC")
    assert str(info.value) == "OKX error 50011: Too Many Requests"
    assert_no_secret(str(info.value) + repr(info.value))


def test_real_sdk_html_502_is_a_transport_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, html="<html><body>502 Bad Gateway</body></html>")

    with pytest.raises(TransportError) as info:
        MaxWithdrawalClient(real_api(handler), retry=None).get_max_withdrawal("BTC")
    assert isinstance(info.value.__cause__, json.JSONDecodeError)
    assert_no_secret(str(info.value) + repr(info.value))


def test_real_sdk_connect_error_is_a_transport_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    with pytest.raises(TransportError, match="ConnectError") as info:
        MaxWithdrawalClient(real_api(handler), retry=None).get_max_withdrawal("BTC")
    assert isinstance(info.value.__cause__, httpx.ConnectError)
    assert_no_secret(str(info.value) + repr(info.value))


def test_real_sdk_malformed_body_is_a_response_format_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"code": "0", "data": [{"ccy": "BTC", "maxWd": "NaN"}]})

    with pytest.raises(ResponseFormatError, match="'maxWd'"):
        MaxWithdrawalClient(real_api(handler)).get_max_withdrawal("BTC")


# --- secrets, repr, debug warning, logging ---------------------------------------------


def test_repr_names_the_wrapped_class_flag_and_domain_never_secrets() -> None:
    client = MaxWithdrawalClient(real_api(lambda request: httpx.Response(200)))
    assert repr(client) == (
        "MaxWithdrawalClient(AccountAPI flag='1' domain='https://www.okx.com')"
    )
    assert_no_secret(repr(client) + str(client))
    assert repr(MaxWithdrawalClient(RecordingAPI())) == "MaxWithdrawalClient(RecordingAPI)"


@pytest.mark.parametrize("debug", [True, 1])
def test_debug_sdk_client_warns_once(debug: object) -> None:
    with pytest.warns(DebugLoggingWarning) as record:
        MaxWithdrawalClient(real_api(lambda request: httpx.Response(200), debug=debug))
    assert len(record) == 1
    message = str(record[0].message)
    assert "debug=True" in message and "passphrase" in message
    assert_no_secret(message)


@pytest.mark.parametrize("debug", [False, 0, None, "yes"])
def test_no_warning_without_debug(debug: object) -> None:
    api = RecordingAPI()
    api.debug = debug  # type: ignore[attr-defined]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        MaxWithdrawalClient(api)
        MaxWithdrawalClient(RecordingAPI())


def test_debug_logging_names_currencies_and_rows_never_secrets(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=DOC_EXAMPLE)

    caplog.set_level(logging.DEBUG, logger="okx_ext")
    MaxWithdrawalClient(real_api(handler)).get_max_withdrawal("BTC,ETH")
    ours = [record for record in caplog.records if record.name.startswith("okx_ext")]
    text = "\n".join(record.getMessage() for record in ours)
    assert "ccy='BTC,ETH'" in text
    assert "2 rows" in text
    assert_no_secret(caplog.text)


# --- property: nothing but OkxExtError escapes -----------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
plausible_entries = st.fixed_dictionaries(
    {"ccy": st.sampled_from(["BTC", "ETH", "btc", "", 1]),
     "maxWd": st.sampled_from(["1", "0.5", "", "-1", "NaN", 1, 0.1, None])},
    optional={"maxWdEx": json_values, "spotOffsetMaxWd": st.sampled_from(["", "2", "x"])},
)
bodies = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {"code": st.sampled_from(["0", 0, "50011", 50005, "51000", "1", True, None, "x"])},
        optional={"msg": json_values, "data": json_values | st.lists(plausible_entries)},
    ),
)
currency_arguments = st.one_of(
    json_values,
    st.binary(max_size=8),
    st.text(alphabet="BTCETH ,-\u00df\n", max_size=20),
    st.lists(st.one_of(st.text(max_size=6), st.integers(), st.binary(max_size=4), st.none(),
                       st.lists(st.text(max_size=3))), max_size=25),
    st.tuples(st.text(max_size=5), st.text(max_size=5)),
    st.frozensets(st.text(max_size=4), max_size=5),
    st.builds(object),
)


@settings(max_examples=300)
@given(ccy=currency_arguments, body=bodies)
def test_no_input_of_any_type_raises_anything_but_okx_ext_error(
    ccy: object, body: object
) -> None:
    api = RecordingAPI(body)
    try:
        rows = MaxWithdrawalClient(api, retry=None).get_max_withdrawal(ccy)  # type: ignore[arg-type]
    except OkxExtError as error:
        assert isinstance(error, (CurrencyValidationError, OkxApiError, ResponseFormatError))
        if isinstance(error, CurrencyValidationError):
            assert api.calls == []
        return
    assert len(api.calls) == 1
    assert all(isinstance(row, MaxWithdrawal) and row.ccy == ccy_key
               for ccy_key, row in rows.items())


def test_a_fault_whose_str_fails_still_gives_transport_error() -> None:
    class BrokenText(OSError):
        def __str__(self) -> str:
            raise RuntimeError("no text")

    with pytest.raises(TransportError, match="BrokenText"):
        MaxWithdrawalClient(RecordingAPI(BrokenText()), retry=None).get_max_withdrawal("BTC")
