"""The fake against hostile input: malformed HTTP, odd bodies, str subclasses, bad credentials."""

from __future__ import annotations

from typing import Any

import httpx
import okx.Account as Account
import pytest
from fake_support import (
    DEMO_KEY,
    DEMO_PASSPHRASE,
    DEMO_SECRET,
    frozen_clock,
    funded_exchange,
    raw_exchange,
)
from okx_fakes import FakeAccountAPI, FakeExchange

PATH = "/api/v5/account/max-withdrawal"


@pytest.mark.parametrize(
    ("content_length", "status"),
    [
        (b"abc", b"400"),
        (b"1.5", b"400"),
        (b"99999999999999999999999", b"413"),  # read() of it: OverflowError
        (b"1073741824", b"413"),  # 1 GiB: read() would allocate it up front
    ],
)
def test_server_answers_a_bad_content_length_with_an_http_error(
    content_length: bytes, status: bytes, capfd: pytest.CaptureFixture[str]
) -> None:
    exchange = funded_exchange(frozen_clock())
    with exchange.server() as server:
        answer = raw_exchange(
            server.port,
            b"GET " + PATH.encode() + b" HTTP/1.0\r\nContent-Length: " + content_length
            + b"\r\n\r\n",
        )
    assert answer.startswith(b"HTTP/1.0 " + status + b" ")
    assert "Traceback" not in capfd.readouterr().err
    assert exchange.requests == []  # refused before the exchange: nothing to record


@pytest.mark.parametrize("nesting", [100_000])
def test_server_logs_and_answers_a_deeply_nested_injected_body(nesting: int) -> None:
    exchange = funded_exchange(frozen_clock())
    lines: list[str] = []
    body = "[" * nesting
    exchange.fail_next_http(502, body)
    with exchange.server(log=lines.append) as server:
        response = httpx.get(server.url + PATH)
    assert (response.status_code, response.text) == (502, body)
    assert lines == [f"GET {PATH} -> 502 code=-"]


def test_server_log_line_shows_only_a_string_code() -> None:
    exchange = funded_exchange(frozen_clock())
    lines: list[str] = []
    exchange.fail_next_http(502, '{"code": 1e999}')
    with exchange.server(log=lines.append) as server:
        httpx.get(server.url + PATH)
    assert lines == [f"GET {PATH} -> 502 code=-"]


def test_server_log_line_escapes_control_characters_of_the_target() -> None:
    exchange = funded_exchange(frozen_clock())
    lines: list[str] = []
    with exchange.server(log=lines.append) as server:
        target = PATH.encode() + b"?ccy=\x1b[2J\x07\xff"
        raw_exchange(server.port, b"GET " + target + b" HTTP/1.0\r\n\r\n")
    # waitress refuses a target that is not UTF-8 itself (400 Bad URI): logged all the same.
    assert lines == [f"GET {PATH}?ccy=\\x1b[2J\\x07\\xff -> 400 code=-"]


def test_server_head_answer_has_no_body() -> None:
    exchange = funded_exchange(frozen_clock())
    with exchange.server() as server:
        answer = raw_exchange(server.port, b"HEAD " + PATH.encode() + b" HTTP/1.0\r\n\r\n")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 405 ") and body == b""  # 50115: HEAD is not GET


# -- FakeAccountAPI as a drop-in for AccountAPI -------------------------------------------


def _api(exchange: FakeExchange, **kwargs: Any) -> FakeAccountAPI:
    return FakeAccountAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, flag="1", exchange=exchange,
                          **kwargs)


def test_fake_account_api_is_a_context_manager_and_closes_like_the_sdk() -> None:
    exchange = funded_exchange(frozen_clock())
    with _api(exchange) as api:
        assert api.get_max_withdrawal("BTC")["code"] == "0"
    with pytest.raises(RuntimeError, match="client has been closed"):
        api.get_max_withdrawal("BTC")
    with pytest.raises(RuntimeError, match="once it has been closed"):
        api.__enter__()
    api.close()  # idempotent, as httpx.Client.close
    assert len(exchange.requests) == 1


def test_fake_account_api_cannot_be_entered_twice_like_the_sdk() -> None:
    exchange = funded_exchange(frozen_clock())
    real = Account.AccountAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, flag="1")
    fake = _api(exchange)
    for api in (real, fake):
        with api, pytest.raises(RuntimeError, match="more than once"):
            api.__enter__()


@pytest.mark.parametrize("method", ["get_positions", "get_account_bills", "set_leverage"])
def test_other_account_api_methods_raise_not_implemented_naming_the_method(method: str) -> None:
    api = _api(funded_exchange(frozen_clock()))
    assert hasattr(Account.AccountAPI, method)
    assert callable(getattr(api, method))  # hasattr() stays True, as on the real class
    with pytest.raises(NotImplementedError, match=rf"{method}.*only get_max_withdrawal"):
        getattr(api, method)()


def test_unknown_attributes_still_raise_attribute_error() -> None:
    api = _api(funded_exchange(frozen_clock()))
    with pytest.raises(AttributeError, match="no_such_method"):
        api.no_such_method  # type: ignore[attr-defined]  # noqa: B018
    assert not hasattr(api, "__html__")


class _LyingStr(str):
    """A str whose str() is another currency: python-okx sends str(ccy)."""

    def __str__(self) -> str:
        return "ETH"


class _HostileEq(str):
    __hash__ = str.__hash__

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("__eq__ called")


class _HostileHash(str):
    def __hash__(self) -> int:
        raise RuntimeError("__hash__ called")


@pytest.mark.parametrize("ccy", [_LyingStr("BTC"), _HostileEq("BTC"), _HostileHash("BTC")])
def test_str_subclasses_are_sent_as_the_sdk_sends_them(ccy: str) -> None:
    exchange = funded_exchange(frozen_clock())
    api = _api(exchange)
    api.get_max_withdrawal(_LyingStr("BTC"))  # a cached answer must not stand in for ccy
    api.get_max_withdrawal("BTC")
    with Account.AccountAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, flag="1") as real:
        exchange.install(real)
        assert api.get_max_withdrawal(ccy) == real.get_max_withdrawal(ccy)


def test_a_too_long_url_raises_invalid_url_like_the_sdk() -> None:
    exchange = funded_exchange(frozen_clock())
    ccy = "A" * 70_000
    with Account.AccountAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, flag="1") as real:
        exchange.install(real)
        with pytest.raises(httpx.InvalidURL, match="too long"):
            real.get_max_withdrawal(ccy)
    with pytest.raises(httpx.InvalidURL, match="too long"):
        _api(exchange).get_max_withdrawal(ccy)
    assert exchange.requests == []


# -- credentials the wire cannot carry ------------------------------------------------------

# Header values h11 (httpx's HTTP/1.1) refuses to send: NUL, CR/LF and other whitespace
# inside, or whitespace around the value. Each hides a secret-looking word.
ILLEGAL_HEADER_VALUES = [" sekrit", "sekrit ", "sek\nrit", "sek\r\nX-Injected: 1", "sek\x00rit",
                         "sek\x0brit"]


@pytest.mark.parametrize("passphrase", ILLEGAL_HEADER_VALUES)
def test_every_way_in_refuses_a_credential_the_wire_cannot_carry(passphrase: str) -> None:
    exchange = funded_exchange(frozen_clock())
    with exchange.serve() as base_url, Account.AccountAPI(
        DEMO_KEY, DEMO_SECRET, passphrase, flag="1", domain=base_url
    ) as over_http, pytest.raises(httpx.LocalProtocolError):
        over_http.get_max_withdrawal("BTC")  # the real SDK over a real socket
    with Account.AccountAPI(DEMO_KEY, DEMO_SECRET, passphrase, flag="1") as installed:
        exchange.install(installed)
        with pytest.raises(httpx.LocalProtocolError) as through_install:
            installed.get_max_withdrawal("BTC")
    with pytest.raises(httpx.LocalProtocolError) as direct:
        FakeAccountAPI(DEMO_KEY, DEMO_SECRET, passphrase, exchange=exchange).get_max_withdrawal()
    for raised in (through_install, direct):
        assert "sek" not in str(raised.value)
        assert "ok-access-passphrase" in str(raised.value).lower()
    assert exchange.requests == []  # nothing left the client


@pytest.mark.parametrize("api_key", ["kéy-sekrit", "sekrit\u2028"])
def test_fake_account_api_refuses_a_non_ascii_header_like_httpx_without_showing_it(
    api_key: str,
) -> None:
    exchange = funded_exchange(frozen_clock())
    with Account.AccountAPI(api_key, DEMO_SECRET, DEMO_PASSPHRASE, flag="1") as real:
        exchange.install(real)
        with pytest.raises(UnicodeEncodeError) as from_httpx:
            real.get_max_withdrawal("BTC")
    fake = FakeAccountAPI(api_key, DEMO_SECRET, DEMO_PASSPHRASE, exchange=exchange)
    with pytest.raises(UnicodeEncodeError) as from_fake:
        fake.get_max_withdrawal()
    assert (from_fake.value.encoding, from_fake.value.start) == (
        from_httpx.value.encoding, from_httpx.value.start)
    assert "sekrit" not in str(from_fake.value) and "sekrit" not in from_fake.value.object
    assert exchange.requests == []


@pytest.mark.parametrize(
    ("field", "value"),
    [("api_key", "kéy-sekrit"), ("api_key", " sekrit"), ("passphrase", "sekrit\r\nX: 1"),
     ("passphrase", "sekrit\x00"), ("passphrase", "sekrité"), ("secret_key", "sekrit\ud800"),
     ("passphrase", "sekrit\udc80")],
)
def test_add_account_refuses_credentials_no_client_can_send(field: str, value: str) -> None:
    credentials = {"api_key": "k", "secret_key": "s", "passphrase": "p", field: value}
    with pytest.raises(ValueError, match=field) as raised:
        FakeExchange().add_account(**credentials)
    assert "sekrit" not in str(raised.value)


# -- bounded state ------------------------------------------------------------------------


def test_max_records_keeps_only_the_latest_requests() -> None:
    exchange = funded_exchange(frozen_clock(), max_records=3)
    api = FakeAccountAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, exchange=exchange)
    for ccy in ("BTC", "ETH", "USDT", "XRP", "SOL"):
        api.get_max_withdrawal(ccy)
    assert [record.query for record in exchange.requests] == ["ccy=USDT", "ccy=XRP", "ccy=SOL"]


@pytest.mark.parametrize("max_records", [0, -1, 1.5, True, "10"])
def test_max_records_must_be_a_positive_int_or_none(max_records: object) -> None:
    with pytest.raises(ValueError, match="max_records"):
        FakeExchange(max_records=max_records)  # type: ignore[arg-type]


def test_a_huge_fault_count_takes_no_memory() -> None:
    exchange = funded_exchange(frozen_clock())
    api = FakeAccountAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, exchange=exchange)
    exchange.fail_next(50001, times=10**15)  # was a list of that many entries: MemoryError
    exchange.fail_next(50013, times=1)
    assert [api.get_max_withdrawal("BTC")["code"] for _ in range(3)] == ["50001"] * 3
    exchange.clear_faults()
    exchange.fail_next(50026, times=2)
    exchange.fail_next(50013)
    codes = [api.get_max_withdrawal("BTC")["code"] for _ in range(4)]
    assert codes == ["50026", "50026", "50013", "0"]


@pytest.mark.parametrize("reading", [float("nan"), float("inf"), float("-inf")])
def test_a_clock_reading_that_is_not_finite_is_a_clear_error(reading: float) -> None:
    exchange = funded_exchange(lambda: reading)
    with pytest.raises(ValueError, match="clock returned"):
        exchange.now()
    api = FakeAccountAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, exchange=exchange)
    with pytest.raises(ValueError, match="clock returned"):
        api.get_max_withdrawal("BTC")


@pytest.mark.parametrize("max_skew_s", [-1, -0.001, float("nan"), "30", True])
def test_max_skew_s_must_be_a_non_negative_number_or_none(max_skew_s: object) -> None:
    with pytest.raises(ValueError, match="max_skew_s"):
        FakeExchange(max_skew_s=max_skew_s)  # type: ignore[arg-type]


# -- amounts at the edges ----------------------------------------------------------------


@pytest.mark.parametrize(
    "available",
    [
        "1e999999999",  # was decimal.Overflow
        "1e-999999999",  # was silently 0
        "1." + "0" * 200 + "1",  # was silently rounded to 1
        "0." + "0" * 30 + "1",  # 31 fraction digits
        "1" + "0" * 30,  # 31 integer digits
        10**5000,  # its repr in the message was a ValueError (int max str digits)
        "9" * 100_000,
    ],
    ids=["1e999999999", "1e-999999999", "201_fraction_digits", "31_fraction_digits",
         "31_integer_digits", "int_5001_digits", "100000_nines"],
)
def test_amounts_out_of_range_are_refused_with_a_short_message(available: object) -> None:
    account = FakeExchange().add_account("k", "s", "p")
    with pytest.raises(ValueError, match="available out of range") as raised:
        account.set_balance("BTC", available=available)  # type: ignore[arg-type]
    assert len(str(raised.value)) < 200
    assert account.currencies == []


@pytest.mark.parametrize(
    ("available", "shown"),
    [("1." + "0" * 200, "1"), ("0." + "0" * 29 + "1", "0." + "0" * 29 + "1"),
     ("9" * 30, "9" * 30), ("12.50000", "12.5"), ("1e-30", "0." + "0" * 29 + "1")],
)
def test_amounts_within_range_are_exact(available: str, shown: str) -> None:
    account = FakeExchange().add_account("k", "s", "p")
    account.set_balance("BTC", available=available)
    assert account.entry("BTC").max_wd == shown
