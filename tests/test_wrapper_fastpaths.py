"""The wrapper's fast paths agree with the full checks they short-cut, on every input.

Each fast path falls back to the full check when unsure; these properties compare
the two on arbitrary input, so a fast path can never accept, reject or shape
anything the full rule would not.
"""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest
from _simclock import SimClock
from hypothesis import example, given, settings
from hypothesis import strategies as st

from okx_ext import CurrencyValidationError, MaxWithdrawal, RateLimit, RateLimiter
from okx_ext._currencies import _normalize_each, normalize_currencies
from okx_ext._models import (
    _MAX_AMOUNT_EXPONENT,
    _parse_amount,
    _parse_any_amount,
    parse_max_withdrawal_response,
)
from okx_ext.errors import ResponseFormatError


class Text(str):
    """A str subclass: must take the full path, with the same outcome."""


class Renamed(str):
    """A str subclass whose strip() changes it: the full rule calls strip()."""

    def strip(self, chars: str | None = None) -> str:
        return "RENAMED"


def outcome(function: Any, *args: object) -> tuple[str, object]:
    """Return ("ok", result) or ("error", (type, message, attributes)) of a call."""
    try:
        return "ok", function(*args)
    except (CurrencyValidationError, ResponseFormatError) as error:
        details = (getattr(error, "position", None), getattr(error, "field", None))
        return "error", (type(error), str(error), details)


# --- amounts: _parse_amount (fast path first) against _parse_any_amount -----------------

amount_texts = st.one_of(
    st.text(max_size=12),
    st.text(alphabet="0123456789.eE+- _", max_size=14),
    st.from_regex(r"[0-9]{0,6}\.?[0-9]{0,6}", fullmatch=True),
    # Around the exponent bound: plain fractions with 997 to 1002 digits.
    st.builds(lambda digits, tail: "0." + "0" * digits + tail,
              st.integers(_MAX_AMOUNT_EXPONENT - 4, _MAX_AMOUNT_EXPONENT + 1),
              st.sampled_from(["", "1", "5"])),
    st.builds(lambda digits: "1" * digits,
              st.integers(_MAX_AMOUNT_EXPONENT - 1, _MAX_AMOUNT_EXPONENT + 2)),
)


def full_amount_rule(field: str, value: object) -> Decimal | None:
    """The rule without the fast path: blank means None, else the full check."""
    if isinstance(value, str) and value == "":
        return None
    return _parse_any_amount(field, value)


@settings(max_examples=300)
@given(st.one_of(amount_texts, amount_texts.map(Text), st.integers(-5, 10**6),
                 st.floats(), st.none(), st.booleans()))
@example("1.")
@example(".5")
@example(".")
@example("0." + "0" * (_MAX_AMOUNT_EXPONENT - 1) + "1")  # exponent -1000: accepted
@example("0." + "0" * _MAX_AMOUNT_EXPONENT + "1")  # exponent -1001: refused
@example("1" * (_MAX_AMOUNT_EXPONENT + 1))  # past the fast path's length, still accepted
@example("\u0661")
@example(Text(""))
def test_amount_fast_path_agrees_with_the_full_check(value: object) -> None:
    fast = outcome(_parse_amount, "maxWd", value)
    full = outcome(full_amount_rule, "maxWd", value)
    assert fast == full
    if fast[0] == "ok" and isinstance(fast[1], Decimal):
        # Equal is not enough: Decimal("1.0") == Decimal("1"). The digits must match too.
        assert isinstance(full[1], Decimal)
        assert fast[1].as_tuple() == full[1].as_tuple()


def test_amount_exponent_bound_is_enforced_on_both_sides_of_the_fast_path() -> None:
    at_bound = "0." + "0" * (_MAX_AMOUNT_EXPONENT - 1) + "1"  # 1002 chars: the full check
    assert _parse_amount("maxWd", at_bound) == Decimal(f"1E-{_MAX_AMOUNT_EXPONENT}")
    with pytest.raises(ResponseFormatError, match="maxWd"):
        _parse_amount("maxWd", "0." + "0" * _MAX_AMOUNT_EXPONENT + "1")


@pytest.mark.parametrize("code", ["0", "00", 0, Text("0")])
def test_success_code_in_every_accepted_spelling_gives_the_rows(code: object) -> None:
    body = {"code": code, "data": [{"ccy": "BTC", "maxWd": "1.5"}]}
    assert parse_max_withdrawal_response(body) == {"BTC": MaxWithdrawal("BTC", Decimal("1.5"))}


# --- currencies: normalize_currencies (fast path first) against _normalize_each --------

codes = st.text(alphabet="ABCXYZ019", min_size=1, max_size=3)
items = st.one_of(
    codes,
    codes.map(str.lower),
    codes.map(lambda code: f" {code}\t"),
    st.sampled_from(["", ",", "A,B", "\u00df", "\uff21", "A" * 32, "A" * 33, "BTC,"]),
    st.text(max_size=5),
    codes.map(Text),
    codes.map(Renamed),
)
arguments = st.one_of(
    st.none(),
    st.lists(items, max_size=25).map(",".join),
    st.lists(items, max_size=25),
    st.lists(items, max_size=25).map(tuple),
    st.lists(codes, min_size=19, max_size=24),  # around the limit of 20
    st.lists(codes, min_size=19, max_size=24).map(",".join),
    st.lists(st.one_of(codes, st.integers(), st.none()), max_size=4),
)


@settings(max_examples=300)
@given(arguments)
@example("BTC,ETH")
@example(["BTC", "A,B"])  # one item with a comma: two codes joined, still refused
@example(["A", "B", "C"] * 7 + ["D"])  # 22 items, 4 distinct
@example([f"C{index}" for index in range(21)])
@example(Text("BTC"))
@example([Text("BTC")])
@example([Renamed("BTC")])
def test_currency_fast_path_agrees_with_the_full_rule(ccy: Any) -> None:
    fast = outcome(normalize_currencies, ccy)
    full = outcome(_normalize_each, ccy)
    assert fast == full
    if fast[0] == "ok":
        assert all(type(code) is str for code in fast[1])  # type: ignore[attr-defined]


# --- the limiter: release() notifies only when a thread waits -------------------------


def test_every_blocked_caller_is_woken_by_a_release() -> None:
    clock = SimClock()
    limiter = RateLimiter(RateLimit(1, 1.0), clock=clock.time, sleep=clock.sleep)
    assert limiter.acquire()
    woken: list[int] = []
    lock = threading.Lock()

    def caller(number: int) -> None:
        limiter.acquire()
        with lock:
            woken.append(number)
        limiter.release()

    callers = [threading.Thread(target=caller, args=(n,), daemon=True) for n in range(3)]
    for thread in callers:
        thread.start()
    for thread in callers:
        thread.join(timeout=0.02)
    assert woken == []
    limiter.release()
    for thread in callers:
        thread.join(timeout=5)
        assert not thread.is_alive()
    assert sorted(woken) == [0, 1, 2]
