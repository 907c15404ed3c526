"""The client's and the fake's copies of OKX's facts agree, and shared rules hold as stated.

okx_ext and okx_fakes keep their own copies of OKX's limits and currency pattern on
purpose: the fake models OKX, not the client, so a mistake in one cannot hide in the other.
This test is what ties the copies together; it compares them and never derives one from
the other. The header-value rule is shared (it is h11's, not OKX's); it is pinned here
against what h11 itself refuses.
"""

from __future__ import annotations

import string

import h11
import okx_fakes
import pytest
from hypothesis import given
from hypothesis import strategies as st
from okx_fakes._facts import CCY_PATTERN, MAX_CCY_LENGTH

from okx_ext import MAX_CURRENCIES_PER_REQUEST, RateLimit
from okx_ext._currencies import _is_currency_code
from okx_ext._endpoint import RATE_LIMIT_REQUESTS, RATE_LIMIT_WINDOW_S
from okx_ext.headers import is_sendable_header_value


def test_the_request_and_rate_limits_agree() -> None:
    assert (MAX_CURRENCIES_PER_REQUEST, RATE_LIMIT_REQUESTS, RATE_LIMIT_WINDOW_S) == (
        okx_fakes.MAX_CCY_COUNT, okx_fakes.RATE_LIMIT_REQUESTS, okx_fakes.RATE_LIMIT_WINDOW_S)
    assert (RateLimit().max_requests, RateLimit().window_s) == (20, 2.0)
    assert (okx_fakes.MAX_CCY_COUNT, okx_fakes.RATE_LIMIT_REQUESTS,
            okx_fakes.RATE_LIMIT_WINDOW_S) == (20, 20, 2.0)


_ASCII = string.ascii_letters + string.digits + "-_., \t"


@given(st.text(alphabet=_ASCII, max_size=MAX_CCY_LENGTH + 2))
def test_the_currency_patterns_agree_up_to_case(text: str) -> None:
    # The client checks upper-cased codes; the fake reads any case.
    assert _is_currency_code(text.upper()) == (CCY_PATTERN.fullmatch(text) is not None)


@pytest.mark.parametrize(
    ("text", "valid"),
    [("BTC", True), ("1inch", True), ("A" * 32, True), ("A" * 33, False), ("", False),
     ("BTC-USDT", False), ("BT C", False)],
)
def test_the_currency_patterns_agree_on_examples(text: str, valid: bool) -> None:
    assert (_is_currency_code(text.upper()), CCY_PATTERN.fullmatch(text) is not None) == (
        valid, valid)


def _h11_sends(value: str) -> bool:
    try:
        h11.Request(method="GET", target="/", headers=[("host", "x"), ("x-value", value)])
    except h11.LocalProtocolError:
        return False
    return True


@given(st.text(alphabet="ab \t\r\n\x00\x7f\x0b", max_size=6))
def test_the_header_value_rule_is_h11s(value: str) -> None:
    assert is_sendable_header_value(value) == _h11_sends(value)


@pytest.mark.parametrize(
    ("value", "sendable"),
    [("key", True), ("a b", True), ("a\tb", True), (" a", False), ("a\t", False),
     ("a\nb", False), ("a\x00b", False), ("\u00e9", False)],
)
def test_the_header_value_rule_on_examples(value: str, sendable: bool) -> None:
    assert is_sendable_header_value(value) is sendable
    assert okx_fakes._wire.is_sendable_header_value is is_sendable_header_value
