"""Parsing the max-withdrawal answer: what `make mutate` found the suite did not pin.

Every refusal's exact message (the value quoted, the field named), and the exponent
bound's edge: 1000 is read, 1001 is refused.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from okx_ext import OkxApiError, ResponseFormatError
from okx_ext._models import parse_max_withdrawal_response


def one_row(**fields: object) -> dict[str, Any]:
    return {"code": "0", "msg": "", "data": [{"ccy": "BTC", **fields}]}


AMOUNT_RULE = "data[0]: field 'maxWd' must be a finite non-negative decimal, got "


@pytest.mark.parametrize(
    ("body", "message", "field"),
    [
        (one_row(maxWd="1e999999999999999999999"), AMOUNT_RULE + "'1e999999999999999999999'",
         "maxWd"),
        (one_row(maxWd="1,5"), AMOUNT_RULE + "'1,5'", "maxWd"),
        (one_row(maxWd="1e1001"), AMOUNT_RULE + "'1e1001'", "maxWd"),
        (one_row(maxWd=-1), AMOUNT_RULE + "-1", "maxWd"),
        (one_row(maxWd=-0.5), AMOUNT_RULE + "-0.5", "maxWd"),
        (one_row(maxWd=0.1), AMOUNT_RULE + "0.1", "maxWd"),
        (one_row(maxWd=[1]), AMOUNT_RULE + "[1]", "maxWd"),
        (one_row(), "data[0]: field 'maxWd' is missing or empty for BTC", "maxWd"),
        ({"code": "0", "data": [{"ccy": "btc", "maxWd": "1"}]},
         "data[0]: field 'ccy' must be a currency code (A-Z 0-9, 1 to 32), got 'btc'", "ccy"),
        ({"code": "0", "data": [7]}, "data[0]: a 'data' entry must be an object, got int: 7",
         "data"),
        ({"code": "0", "data": "x"}, "field 'data' must be a list, got str: 'x'", "data"),
        ({"data": []}, "response body has no field 'code': {'data': []}", "code"),
        ([1], "response body must be an object, got list: [1]", None),
    ],
)
def test_each_refusal_quotes_the_value_and_names_the_field(
    body: object, message: str, field: str | None
) -> None:
    with pytest.raises(ResponseFormatError) as raised:
        parse_max_withdrawal_response(body)
    assert (str(raised.value), raised.value.field) == (message, field)


def test_a_row_not_asked_for_lists_what_was_asked() -> None:
    body = {"code": "0", "data": [{"ccy": "ETH", "maxWd": "1"}]}
    with pytest.raises(ResponseFormatError) as raised:
        parse_max_withdrawal_response(body, asked=("BTC", "USDT"))
    assert str(raised.value) == "field 'ccy' is 'ETH', which was not asked for (asked: BTC,USDT)"


def test_an_exponent_of_1000_either_way_is_read() -> None:
    rows = parse_max_withdrawal_response(one_row(maxWd="1e1000", maxWdEx="1e-1000"))
    assert (rows["BTC"].max_wd, rows["BTC"].max_wd_ex) == (Decimal("1e1000"), Decimal("1e-1000"))


def test_an_error_message_that_is_not_str_is_cut_to_200_characters() -> None:
    with pytest.raises(OkxApiError) as raised:
        parse_max_withdrawal_response({"code": "1", "msg": ["x" * 300]})
    assert raised.value.msg == "['" + "x" * 195 + "..."


def test_a_payload_that_raises_is_reported_with_its_error_cut_to_100_characters() -> None:
    class Hostile(dict[str, object]):
        def get(self, *args: object) -> object:
            raise ValueError("v" * 300)

    with pytest.raises(ResponseFormatError) as raised:
        parse_max_withdrawal_response({"code": "0", "data": [Hostile(ccy="BTC")]})
    assert str(raised.value) == ("the response could not be read: ValueError: '"
                                 + "v" * 96 + "...")
    assert isinstance(raised.value.__cause__, ValueError)
