"""Hostile input from every side gives a typed error, never a bare one, and leaks no secret.

Currency arguments (str subclasses, iterables that raise), payloads (amounts with huge
exponents, objects whose dunder methods raise or lie), bodies python-okx cannot decode
(deep nesting, integers past the str-conversion limit) and credentials that an HTTP
header cannot carry (non-ASCII, a trailing newline).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from okx.Account import AccountAPI
from okx_fakes import FakeExchange

from okx_ext import (
    CurrencyValidationError,
    MaxWithdrawal,
    MaxWithdrawalClient,
    OkxApiError,
    RateLimitError,
    ResponseFormatError,
    TransportError,
    error_for_code,
    normalize_currencies,
)


class Boom(Exception):
    """Raised by the hostile objects below; must never escape the library bare."""


class Payload:
    """A python-okx style API that answers one fixed body."""

    def __init__(self, body: object) -> None:
        self.body = body
        self.calls: list[str] = []

    def get_max_withdrawal(self, ccy: str = "") -> object:
        self.calls.append(ccy)
        return self.body


def fetch(body: object, ccy: Any = None) -> dict[str, MaxWithdrawal]:
    client = MaxWithdrawalClient(Payload(body), retry=None, rate_limit=None)
    return client.get_max_withdrawal(ccy)


def ok_body(**entry: object) -> dict[str, object]:
    return {"code": "0", "msg": "", "data": [{"ccy": "BTC", "maxWd": "1", **entry}]}


# --- amounts --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "amount", ["1e999999999999999999999", "1E+99999999999999999999", "0.5e-999999999999999999"]
)
def test_an_amount_whose_exponent_decimal_cannot_hold_is_a_format_error(amount: str) -> None:
    with pytest.raises(ResponseFormatError) as info:
        fetch(ok_body(maxWdEx=amount))
    assert info.value.field == "maxWdEx"


class LyingFloat(float):
    def __repr__(self) -> str:
        return "0.5"


class BrokenReprFloat(float):
    def __repr__(self) -> str:
        return "abc"


def test_a_float_subclass_is_read_by_its_value_not_by_its_repr() -> None:
    assert fetch(ok_body(maxWd=LyingFloat(0.25)))["BTC"].max_wd == Decimal("0.25")
    assert fetch(ok_body(maxWd=BrokenReprFloat(0.75)))["BTC"].max_wd == Decimal("0.75")


class RaisingStr(str):
    def __eq__(self, other: object) -> bool:
        raise Boom("__eq__")

    def __hash__(self) -> int:
        raise Boom("__hash__")

    def __len__(self) -> int:
        raise Boom("__len__")


class RaisingInt(int):
    def __lt__(self, other: object) -> bool:
        raise Boom("__lt__")

    def __ge__(self, other: object) -> bool:
        raise Boom("__ge__")

    def __str__(self) -> str:
        raise Boom("__str__")


class LyingInt(int):
    def __str__(self) -> str:
        return "50011"

    __repr__ = __str__


def test_str_and_int_subclasses_in_a_payload_are_read_by_their_value() -> None:
    rows = fetch(
        {"code": RaisingStr("0"), "msg": RaisingStr(""),
         "data": [{"ccy": RaisingStr("BTC"), "maxWd": RaisingStr("1.5"),
                   "maxWdEx": RaisingInt(2), "spotOffsetMaxWd": RaisingStr("")}]}
    )
    assert rows == {"BTC": MaxWithdrawal("BTC", Decimal("1.5"), Decimal("2"))}
    (row,) = rows.values()
    assert type(row.ccy) is str
    assert type(next(iter(rows))) is str


def test_a_code_is_its_value_whatever_its_str_says() -> None:
    assert fetch({"code": LyingInt(0), "data": []}) == {}
    with pytest.raises(RateLimitError) as info:
        fetch({"code": RaisingInt(50011), "msg": RaisingStr("slow"), "data": []})
    assert (info.value.code, info.value.msg, str(info.value)) == (
        "50011", "slow", "OKX error 50011: slow"
    )


class RaisingDict(dict):  # type: ignore[type-arg]
    def get(self, *args: object) -> object:
        raise Boom("get")

    def __contains__(self, key: object) -> bool:
        raise Boom("__contains__")

    def __getitem__(self, key: object) -> object:
        raise Boom("__getitem__")


class RaisingKey(str):
    """A key equal in hash to "ccy" whose comparison raises once armed (after the dict is built)."""

    armed = False

    def __hash__(self) -> int:
        return hash("ccy")

    def __eq__(self, other: object) -> bool:
        if RaisingKey.armed:
            raise Boom("__eq__")
        return str.__eq__(self, other)


@pytest.fixture(autouse=True)
def _disarm_raising_key() -> Iterator[None]:
    RaisingKey.armed = False
    yield
    RaisingKey.armed = False


@pytest.mark.parametrize(
    "body",
    [
        RaisingDict({"code": "0", "data": []}),
        {"code": "0", "data": [RaisingDict({"ccy": "BTC", "maxWd": "1"})]},
        {"code": "0", "data": [{RaisingKey("x"): 1, "ccy": "BTC", "maxWd": "1"}]},
    ],
    ids=["body", "entry", "key"],
)
def test_a_payload_whose_methods_raise_gives_a_format_error(body: object) -> None:
    RaisingKey.armed = True
    with pytest.raises(ResponseFormatError) as info:
        fetch(body)
    assert isinstance(info.value.__cause__, Boom)


def test_an_error_built_with_a_message_that_is_not_a_str_still_renders() -> None:
    error = error_for_code(50011, None)  # type: ignore[arg-type]
    assert str(error) == "OKX error 50011: None"
    assert isinstance(error, OkxApiError)


# --- currency arguments ---------------------------------------------------------------


class StripReturnsInt(str):
    def strip(self, *args: object) -> Any:
        return 5


class SplitRaises(str):
    def split(self, *args: object, **kwargs: object) -> Any:
        raise Boom("split")


class UpperLies(str):
    def upper(self) -> Any:
        return "ETH"


def test_str_subclass_arguments_follow_the_rule_for_their_value() -> None:
    assert normalize_currencies([StripReturnsInt(" btc ")]) == ("BTC",)
    assert normalize_currencies(SplitRaises("btc, eth")) == ("BTC", "ETH")
    assert normalize_currencies([UpperLies("btc")]) == ("BTC",)
    assert all(type(code) is str for code in normalize_currencies([UpperLies("btc")]))


def raising_generator() -> Iterator[str]:
    yield "BTC"
    raise Boom("generator")


class IterRaises:
    def __iter__(self) -> Iterator[str]:
        raise Boom("__iter__")


@pytest.mark.parametrize(
    ("make_argument", "position"), [(raising_generator, 1), (IterRaises, None)]
)
def test_an_iterable_that_raises_gives_a_validation_error_and_sends_nothing(
    make_argument: Any, position: int | None
) -> None:
    with pytest.raises(CurrencyValidationError) as info:
        normalize_currencies(make_argument())
    assert info.value.position == position
    assert isinstance(info.value.__cause__, Boom)
    api = Payload(ok_body())
    for call in (MaxWithdrawalClient(api).get_max_withdrawal,
                 MaxWithdrawalClient(api).get_max_withdrawals):
        with pytest.raises(CurrencyValidationError):
            call(make_argument())
    assert api.calls == []


# --- bodies the real SDK cannot decode ------------------------------------------------


def sdk_over(handler: Any, passphrase: str = "p", api_key: str = "k") -> AccountAPI:
    api = AccountAPI(api_key, "s", passphrase, flag="1")
    api._transport = httpx.MockTransport(handler)
    api._mounts = {}
    return api


@pytest.mark.parametrize(
    "content",
    [
        b"[" * 100_000,
        b'{"code": ' + b"1" * 5000 + b', "data": []}',
        b'{"code": "0", "data": [{"ccy": "BTC", "maxWd": ' + b"9" * 5000 + b"}]}",
    ],
    ids=["deeply-nested", "huge-int-code", "huge-int-amount"],
)
def test_a_body_python_cannot_decode_is_a_transport_error(content: bytes) -> None:
    api = sdk_over(lambda request: httpx.Response(200, content=content))
    with pytest.raises(TransportError) as info:
        MaxWithdrawalClient(api, retry=None).get_max_withdrawal("BTC")
    assert isinstance(info.value.__cause__, (ValueError, RecursionError))
    assert len(str(info.value)) < 300


def test_other_value_errors_from_the_wrapped_object_still_propagate() -> None:
    class Buggy:
        def get_max_withdrawal(self, ccy: str = "") -> object:
            raise ValueError("a bug in a stub")

    with pytest.raises(ValueError, match="a bug in a stub"):
        MaxWithdrawalClient(Buggy(), retry=None).get_max_withdrawal()


# --- credentials an HTTP header cannot carry ------------------------------------------


@pytest.mark.parametrize(
    ("api_key", "passphrase"),
    [("key-Ä", "p"), ("k", "pässphrase-Ä"), ("k", "pass\udcff-Ä")],
    ids=["non-ascii-key", "non-ascii-passphrase", "surrogate-passphrase"],
)
def test_a_credential_httpx_cannot_encode_is_a_typed_error_without_its_text(
    api_key: str, passphrase: str
) -> None:
    calls: list[httpx.Request] = []
    api = sdk_over(lambda request: calls.append(request) or httpx.Response(200), passphrase,
                   api_key)
    client = MaxWithdrawalClient(api, sleep=lambda seconds: None)
    with pytest.raises(TransportError) as info:
        client.get_max_withdrawal("BTC")
    error = info.value
    text = str(error) + repr(error) + repr(error.__cause__) + repr(error.__context__)
    assert "Ä" not in text and "\\xc4" not in text and "position" not in text
    assert "credential" in str(error)
    # The same request would fail the same way: not retried.
    assert (error.retryable, error.attempts, calls) == (False, 1, [])


@pytest.fixture
def served() -> Iterator[tuple[FakeExchange, str]]:
    exchange = FakeExchange()
    exchange.add_account("k", "s", "p")
    with exchange.serve() as base_url:
        yield exchange, base_url


@pytest.mark.parametrize("passphrase", ["SeCrEtPaSs\n", "SeCrEtPaSs\r", "Se\x00CrEtPaSs"])
def test_a_credential_with_a_control_character_never_reaches_the_error_text(
    served: tuple[FakeExchange, str], passphrase: str
) -> None:
    exchange, base_url = served
    api = AccountAPI("k", "s", passphrase, flag="1", domain=base_url)
    client = MaxWithdrawalClient(api, sleep=lambda seconds: None)
    try:
        with pytest.raises(TransportError) as info:
            client.get_max_withdrawal("BTC")
    finally:
        api.close()
    error = info.value
    text = str(error) + repr(error) + repr(error.__cause__) + repr(error.__context__)
    assert "SeCrEtPaSs" not in text and "CrEtPaSs" not in text
    assert "credential" in str(error)
    assert (error.retryable, error.attempts, exchange.requests) == (False, 1, [])
