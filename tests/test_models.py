"""MaxWithdrawal.from_okx / to_okx and parse_max_withdrawal_response."""

from __future__ import annotations

import dataclasses
import decimal
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from okx_ext import (
    MaxWithdrawal,
    OkxApiError,
    RateLimitError,
    ResponseFormatError,
)
from okx_ext._models import parse_max_withdrawal_response

# The response example of OKX's documentation page for the endpoint.
DOC_EXAMPLE: dict[str, Any] = {
    "code": "0",
    "msg": "",
    "data": [
        {"ccy": "BTC", "maxWd": "124", "maxWdEx": "125", "spotOffsetMaxWd": "",
         "spotOffsetMaxWdEx": ""},
        {"ccy": "ETH", "maxWd": "10", "maxWdEx": "12", "spotOffsetMaxWd": "",
         "spotOffsetMaxWdEx": ""},
    ],
}


def entry(**fields: object) -> dict[str, object]:
    return {"ccy": "BTC", "maxWd": "1", **fields}


def test_doc_example_parses_to_exact_values() -> None:
    rows = parse_max_withdrawal_response(DOC_EXAMPLE)
    assert list(rows) == ["BTC", "ETH"]
    assert rows["BTC"] == MaxWithdrawal("BTC", Decimal("124"), Decimal("125"), None, None)
    assert rows["ETH"] == MaxWithdrawal("ETH", Decimal("10"), Decimal("12"), None, None)


def test_result_keeps_the_exchange_order() -> None:
    body = {"code": "0", "data": [entry(ccy=c) for c in ["ETH", "BTC", "USDT", "ADA"]]}
    assert list(parse_max_withdrawal_response(body)) == ["ETH", "BTC", "USDT", "ADA"]


def test_missing_optional_fields_are_none_and_unknown_keys_ignored() -> None:
    row = MaxWithdrawal.from_okx({"ccy": "BTC", "maxWd": "3", "newField": [1, 2], "x": None})
    assert row == MaxWithdrawal("BTC", Decimal("3"))
    assert (row.max_wd_ex, row.spot_offset_max_wd, row.spot_offset_max_wd_ex) == (None,) * 3


def test_portfolio_margin_fields() -> None:
    row = MaxWithdrawal.from_okx(
        entry(maxWdEx="2", spotOffsetMaxWd="0.5", spotOffsetMaxWdEx="0.75")
    )
    assert row.spot_offset_max_wd == Decimal("0.5")
    assert row.spot_offset_max_wd_ex == Decimal("0.75")


@pytest.mark.parametrize(
    "text",
    [
        "0.00000001",
        "123456789012345678901234567890.123456789",
        "0",
        "0.0",
        "1.",
        ".5",
        "1e3",
        "2.5E-8",
        "00012.3400",
    ],
)
def test_decimal_is_exact_under_a_hostile_context(text: str) -> None:
    with decimal.localcontext(decimal.Context(prec=3, traps=[decimal.Inexact, decimal.Rounded])):
        row = MaxWithdrawal.from_okx(entry(maxWd=text, maxWdEx=text))
    assert row.max_wd.as_tuple() == Decimal(text).as_tuple()
    assert row.max_wd_ex == Decimal(text)


def test_long_amount_round_trips_digit_for_digit() -> None:
    text = "123456789012345678901234567890.123456789"
    with decimal.localcontext(decimal.Context(prec=3)):
        row = MaxWithdrawal.from_okx(entry(maxWd=text))
        assert str(row.max_wd) == text
        assert row.to_okx()["maxWd"] == text


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, Decimal(0)), (124, Decimal(124)), (10**40, Decimal(10**40)), (0.5, Decimal("0.5")),
     (2.0, Decimal("2.0")), (0.25, Decimal("0.25"))],
)
def test_numbers_that_convert_exactly_are_accepted(value: object, expected: Decimal) -> None:
    assert MaxWithdrawal.from_okx(entry(maxWd=value)).max_wd == expected


@pytest.mark.parametrize(
    "value",
    [
        "NaN", "nan", "sNaN", "Infinity", "inf", "-Infinity", "-1", "+1", "-0", "1,000", "1_000",
        "abc", " 1", "1 ", "1\n", "\u0661", "\uff11", "1e", "e5", ".", "0x10", "1/2", "--1",
        "1e999999", "1e-1001",
        -1, True, False, 0.1, -0.0, -0.5, float("nan"), float("inf"), None, [], {}, Decimal("1"),
    ],
)
def test_bad_amounts_are_response_format_errors_naming_the_field(value: object) -> None:
    for field in ["maxWd", "maxWdEx", "spotOffsetMaxWd", "spotOffsetMaxWdEx"]:
        with pytest.raises(ResponseFormatError) as info:
            MaxWithdrawal.from_okx(entry(**{field: value}))
        assert info.value.field == field
        assert repr(field) in str(info.value)


def test_offending_value_is_truncated() -> None:
    with pytest.raises(ResponseFormatError) as info:
        MaxWithdrawal.from_okx(entry(maxWd="9" * 10_000 + "x"))
    assert len(str(info.value)) < 150


@pytest.mark.parametrize("body", [{"ccy": "BTC"}, {"ccy": "BTC", "maxWd": ""}])
def test_max_wd_missing_or_empty(body: dict[str, object]) -> None:
    with pytest.raises(ResponseFormatError, match="'maxWd'") as info:
        MaxWithdrawal.from_okx(body)
    assert info.value.field == "maxWd"


@pytest.mark.parametrize("ccy", [None, "", "btc", "BTC ", "BTC-USDT", 1, "A" * 33, "\u00df"])
def test_bad_ccy(ccy: object) -> None:
    raw = entry(ccy=ccy) if ccy is not None else {"maxWd": "1"}
    with pytest.raises(ResponseFormatError, match="'ccy'") as info:
        MaxWithdrawal.from_okx(raw)
    assert info.value.field == "ccy"


@pytest.mark.parametrize("raw", [None, "BTC", ["BTC", "1"], 1])
def test_entry_not_an_object(raw: object) -> None:
    with pytest.raises(ResponseFormatError, match="'data' entry") as info:
        MaxWithdrawal.from_okx(raw)
    assert info.value.field == "data"


def test_max_withdrawal_is_frozen_with_slots() -> None:
    row = MaxWithdrawal("BTC", Decimal(1))
    with pytest.raises(dataclasses.FrozenInstanceError):
        row.max_wd = Decimal(2)  # type: ignore[misc]
    assert not hasattr(row, "__dict__")


def test_to_okx_writes_plain_strings() -> None:
    row = MaxWithdrawal("BTC", Decimal("1E+3"), Decimal("2.5E-8"), None, Decimal("0"))
    assert row.to_okx() == {
        "ccy": "BTC",
        "maxWd": "1000",
        "maxWdEx": "0.000000025",
        "spotOffsetMaxWd": "",
        "spotOffsetMaxWdEx": "0",
    }


# --- parse_max_withdrawal_response: shapes --------------------------------------------


@pytest.mark.parametrize(
    ("body", "field", "fragment"),
    [
        (None, None, "NoneType"),
        ([DOC_EXAMPLE], None, "list"),
        ("<html>502</html>", None, "str"),
        ({"msg": "", "data": []}, "code", "'code'"),
        ({"code": True, "data": []}, "code", "'code'"),
        ({"code": "zero", "data": []}, "code", "'zero'"),
        ({"code": "0"}, "data", "'data'"),
        ({"code": "0", "data": None}, "data", "'data'"),
        ({"code": "0", "data": {"ccy": "BTC"}}, "data", "dict"),
        ({"code": "0", "data": [entry(), "BTC"]}, "data", "data[1]"),
        ({"code": "0", "data": [entry(), entry(maxWd="-1", ccy="ETH")]}, "maxWd", "data[1]"),
        ({"code": "0", "data": [entry(), entry(maxWd="2")]}, "ccy", "repeats 'BTC'"),
    ],
)
def test_malformed_bodies(body: object, field: str | None, fragment: str) -> None:
    with pytest.raises(ResponseFormatError) as info:
        parse_max_withdrawal_response(body)
    assert info.value.field == field
    assert fragment in str(info.value)


def test_empty_data_is_an_empty_result() -> None:
    assert parse_max_withdrawal_response({"code": "0", "msg": "", "data": []}) == {}


@pytest.mark.parametrize("code", [0, "0", "00"])
def test_success_code_forms(code: object) -> None:
    assert list(parse_max_withdrawal_response({"code": code, "data": [entry()]})) == ["BTC"]


def test_non_zero_code_raises_the_typed_error_with_http_status() -> None:
    body = {"code": 50011, "msg": "Too Many Requests", "data": []}
    with pytest.raises(RateLimitError) as info:
        parse_max_withdrawal_response(body, http_status=429)
    assert (info.value.code, info.value.msg, info.value.http_status) == (
        "50011", "Too Many Requests", 429,
    )


@pytest.mark.parametrize(
    ("msg_field", "msg"), [({}, ""), ({"msg": 42}, "42"), ({"msg": None}, "None")]
)
def test_error_msg_missing_or_not_str(msg_field: dict[str, object], msg: str) -> None:
    with pytest.raises(OkxApiError) as info:
        parse_max_withdrawal_response({"code": "51000", **msg_field})
    assert info.value.msg == msg


def test_a_row_for_a_currency_not_asked_is_refused() -> None:
    with pytest.raises(ResponseFormatError, match="'ETH', which was not asked") as info:
        parse_max_withdrawal_response(DOC_EXAMPLE, asked=("BTC",))
    assert info.value.field == "ccy"


def test_an_asked_currency_missing_from_the_answer_is_absent() -> None:
    rows = parse_max_withdrawal_response(DOC_EXAMPLE, asked=("BTC", "ETH", "USDT"))
    assert list(rows) == ["BTC", "ETH"]


# --- properties -----------------------------------------------------------------------

amounts = st.decimals(min_value=0, allow_nan=False, allow_infinity=False, places=None).filter(
    lambda d: abs(int(d.as_tuple().exponent)) <= 1000
).map(abs)  # abs() turns Decimal("-0") into "0"
ccys = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=32)
rows_strategy = st.builds(
    MaxWithdrawal,
    ccy=ccys,
    max_wd=amounts,
    max_wd_ex=st.none() | amounts,
    spot_offset_max_wd=st.none() | amounts,
    spot_offset_max_wd_ex=st.none() | amounts,
)


@given(rows_strategy)
def test_from_okx_inverts_to_okx(row: MaxWithdrawal) -> None:
    with decimal.localcontext(decimal.Context(prec=3)):
        assert MaxWithdrawal.from_okx(row.to_okx()) == row


@given(st.lists(rows_strategy, max_size=25, unique_by=lambda row: row.ccy))
def test_parse_keeps_every_row_in_order(rows: list[MaxWithdrawal]) -> None:
    body = {"code": "0", "msg": "", "data": [row.to_okx() for row in rows]}
    assert parse_max_withdrawal_response(body) == {row.ccy: row for row in rows}
    assert list(parse_max_withdrawal_response(body)) == [row.ccy for row in rows]
