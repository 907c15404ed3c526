"""Strategies for OKX's max-withdrawal answers: currency codes, amounts, entries, bodies.

The rules come from the fake's own facts (:mod:`okx_fakes._facts`), never from
``okx_ext``: the fake models the exchange, not the client, so a bug in the client's
validator cannot hide in these strategies.
"""

from __future__ import annotations

import decimal
import functools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

# The model's amount rule (``parse_amount``): at most 30 integer and 30 fraction digits.
from okx_fakes._amounts import MAX_INTEGER_DIGITS as _MODEL_INTEGER_DIGITS
from okx_fakes._facts import ACCOUNT_MODES, MAX_CCY_COUNT, MAX_CCY_LENGTH

__all__ = [
    "ACCOUNT_MODES",
    "AMOUNT_FIELDS",
    "CODE_ALPHABET",
    "MALFORMED_DEFECTS",
    "MAX_CODE_LENGTH",
    "MAX_CURRENCIES_PER_REQUEST",
    "MalformedPayloadCase",
    "amounts",
    "currency_codes",
    "malformed_payload_cases",
    "malformed_payloads",
    "max_withdrawal_entries",
    "okx_payloads",
]

# A code is 1..32 of A-Z0-9 (the fake's rule, upper-case as OKX answers), at most 20 per request.
CODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
MAX_CODE_LENGTH = MAX_CCY_LENGTH
MAX_CURRENCIES_PER_REQUEST = MAX_CCY_COUNT
AMOUNT_FIELDS = ("maxWd", "maxWdEx", "spotOffsetMaxWd", "spotOffsetMaxWdEx")

# Real codes come up far more often in practice than random ones, and "1INCH" starts with a digit.
_REAL_CODES = ("BTC", "ETH", "USDT", "USDC", "OKB", "SOL", "XRP", "DOGE", "TRX", "1INCH", "LTC")
# Addition of huge amounts must stay exact whatever the ambient decimal context says.
_EXACT = decimal.Context(prec=1000)


def _plain(amount: Decimal) -> str:
    return format(amount, "f")


def currency_codes() -> st.SearchStrategy[str]:
    """Generate valid OKX currency codes: 1 to 32 characters of ``A-Z0-9``, often a real one.

    Example: ``"BTC"``, ``"1INCH"``, ``"Q7"``.
    """
    return _CODES


# Every strategy below is built once (here, or once per argument tuple through a cache) and
# drawn many times: Hypothesis validates each new strategy object on its first draw, which
# cost more than the draw itself when these strategies built their parts on every example.
_CODES = st.one_of(
    st.sampled_from(_REAL_CODES),
    st.text(alphabet=CODE_ALPHABET, min_size=1, max_size=MAX_CODE_LENGTH),
)
_MODES = st.sampled_from(ACCOUNT_MODES)
_NON_ZERO_DIGITS = st.sampled_from("123456789")
_BOOLEANS = st.booleans()


def amounts(
    *, max_integer_digits: int = _MODEL_INTEGER_DIGITS, max_fraction_digits: int = 18
) -> st.SearchStrategy[str]:
    """Plain non-negative decimal strings as OKX sends them: no exponent, no sign.

    Digits only, no leading zeros before the point, an optional fractional part (trailing
    zeros allowed). Covers ``"0"``, tiny (``"0.00000001"``) and huge (30 integer digits,
    with the default bounds) values. With the default bounds, and any bounds up to 30
    integer and 30 fraction digits, every value is one the fake's model accepts
    (``FakeExchange.set_balance``); larger bounds draw amounts it refuses, for parsers
    only. Lower the bounds for code that caps precision.

    Example: ``"0"``, ``"124"``, ``"0.00000001"``, ``"123456789012345678901234567890.5"``.
    """
    if max_integer_digits < 1 or max_fraction_digits < 0:
        raise ValueError("amounts() needs max_integer_digits >= 1 and max_fraction_digits >= 0")
    return _amounts(max_integer_digits, max_fraction_digits)


def _zeros(count: int) -> str:
    return "0" * count


def _concat(lead: str, last: str) -> str:
    return lead + last


@functools.lru_cache(maxsize=64)
def _amounts(max_integer_digits: int, max_fraction_digits: int) -> st.SearchStrategy[str]:
    largest = 10**max_integer_digits - 1
    wholes = st.one_of(
        st.just(0),
        st.integers(1, min(10**6, largest)),
        st.integers(10 ** (min(30, max_integer_digits) - 1), largest),
    )
    fractions: st.SearchStrategy[str] | None = None
    if max_fraction_digits:
        digits = st.text(alphabet="0123456789", min_size=1, max_size=max_fraction_digits)
        # Satoshi-sized and smaller amounts are rare in random digits: draw them on purpose.
        zeros = st.integers(0, max_fraction_digits - 1).map(_zeros)
        fractions = st.one_of(digits, st.builds(_concat, zeros, _NON_ZERO_DIGITS))

    @st.composite
    def draw_amount(draw: st.DrawFn) -> str:
        whole = draw(wholes)
        fraction = ""
        if fractions is not None and draw(_BOOLEANS):
            fraction = draw(fractions)
        return f"{whole}.{fraction}" if fraction else str(whole)

    return draw_amount()


_AMOUNTS = _amounts(_MODEL_INTEGER_DIGITS, 18)
_EXTRAS = st.one_of(st.just("0"), _AMOUNTS)


def _at_least(draw: st.DrawFn, floor: str) -> str:
    extra = Decimal(draw(_EXTRAS))
    return _plain(_EXACT.add(Decimal(floor), extra))


@st.composite
def _entries(draw: st.DrawFn, mode: str | None) -> dict[str, str]:
    if mode is None:
        mode = draw(_MODES)
    elif mode not in ACCOUNT_MODES:
        raise ValueError(f"mode must be one of {ACCOUNT_MODES}, not {mode!r}")
    max_wd = draw(_AMOUNTS)
    max_wd_ex = "" if mode == "futures" else _at_least(draw, max_wd)
    spot_offset_max_wd = spot_offset_max_wd_ex = ""
    if mode == "portfolio":
        spot_offset_max_wd = draw(_AMOUNTS)
        spot_offset_max_wd_ex = _at_least(draw, spot_offset_max_wd)
    return {
        "ccy": draw(_CODES),
        "maxWd": max_wd,
        "maxWdEx": max_wd_ex,
        "spotOffsetMaxWd": spot_offset_max_wd,
        "spotOffsetMaxWdEx": spot_offset_max_wd_ex,
    }


_ENTRIES: dict[str | None, st.SearchStrategy[dict[str, str]]] = {
    mode: _entries(mode) for mode in (None, *ACCOUNT_MODES)
}


def max_withdrawal_entries(mode: str | None = None) -> st.SearchStrategy[dict[str, str]]:
    """Generate valid raw entries of the answer, consistent with an account mode.

    ``mode`` is one of ``"spot"``, ``"futures"``, ``"multi_currency"``, ``"portfolio"``, or
    ``None`` for any. ``maxWdEx`` is ``""`` in futures (no borrowing) and otherwise an amount
    ``>= maxWd``; the spot-offset pair is set (``spotOffsetMaxWd <= spotOffsetMaxWdEx``) in
    portfolio and ``""`` elsewhere. An unknown mode raises ValueError when drawn.

    Example: ``{"ccy": "BTC", "maxWd": "124", "maxWdEx": "125", "spotOffsetMaxWd": "",
    "spotOffsetMaxWdEx": ""}``.
    """
    known = mode is None or (isinstance(mode, str) and mode in _ENTRIES)
    return _ENTRIES[mode] if known else _entries(mode)


def _ccy_of(entry: dict[str, str]) -> str:
    return entry["ccy"]


@st.composite
def okx_payloads(
    draw: st.DrawFn, mode: str | None = None, *, min_entries: int = 0, max_entries: int = 25
) -> dict[str, Any]:
    """Generate valid success bodies of one account: ``{"code": "0", "msg": "", "data": [...]}``.

    Entries share one mode (drawn if ``mode`` is ``None``) and have distinct ``ccy``. More
    than 20 entries is possible: asked for every currency, OKX answers all the account holds.

    Example: ``{"code": "0", "msg": "", "data": [{"ccy": "ETH", "maxWd": "10", "maxWdEx":
    "12", "spotOffsetMaxWd": "", "spotOffsetMaxWdEx": ""}]}``.
    """
    if mode is None:
        mode = draw(_MODES)
    elif not (isinstance(mode, str) and mode in ACCOUNT_MODES):
        raise ValueError(f"mode must be one of {ACCOUNT_MODES}, not {mode!r}")
    # Hypothesis caches st.lists() per argument tuple: its parts must be the same objects
    # at each draw (a module-level unique_by, not a lambda) for that cache to hit.
    data = draw(st.lists(max_withdrawal_entries(mode), min_size=min_entries,
                         max_size=max_entries, unique_by=_ccy_of))
    return {"code": "0", "msg": "", "data": data}


@dataclass(frozen=True)
class MalformedPayloadCase:
    """A body a parser must refuse, the defect it carries and the field the defect is in."""

    defect: str
    field: str
    body: object


# Amount values that are not a finite non-negative plain decimal, each for a different reason.
_BAD_AMOUNTS: tuple[object, ...] = (
    "NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "inf",
    "-1",
    "-0.5",
    "+1",
    "1,000",
    "abc",
    "1_000",
    " 1",
    "1 ",
    "0x10",
    "1.2.3",
    ".",
    "\u0661",  # ARABIC-INDIC DIGIT ONE: Decimal() takes it, OKX never sends it.
    float("nan"),
    float("inf"),
    -1,
    -0.5,
    [],
    {},
)
_BAD_CODES: tuple[object, ...] = ("", "BTC-USDT", "B TC", "BTÇ", "X" * 33, 123, None, ["BTC"])
_NOT_A_DICT: tuple[object, ...] = (None, "", "ok", 0, 1.5, [], [{"code": "0"}], b"{}")
_NOT_A_LIST: tuple[object, ...] = (None, "", "[]", 0, {}, {"ccy": "BTC"})


def _mutation_table() -> dict[str, Callable[[st.DrawFn, dict[str, Any]], tuple[str, object]]]:
    """Named mutations of a valid body: each returns (field, mutated body)."""
    not_dicts, not_lists = st.sampled_from(_NOT_A_DICT), st.sampled_from(_NOT_A_LIST)
    bad_codes, bad_amounts = st.sampled_from(_BAD_CODES), st.sampled_from(_BAD_AMOUNTS)
    empties, amount_fields = st.sampled_from(("", None)), st.sampled_from(AMOUNT_FIELDS)

    def pick(draw: st.DrawFn, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        index = draw(st.integers(0, len(body["data"]) - 1))
        return index, body["data"][index]

    def not_a_dict(draw: st.DrawFn, body: dict[str, Any]) -> tuple[str, object]:
        return "body", draw(not_dicts)

    def code_missing(draw: st.DrawFn, body: dict[str, Any]) -> tuple[str, object]:
        del body["code"]
        return "code", body

    def data_not_a_list(draw: st.DrawFn, body: dict[str, Any]) -> tuple[str, object]:
        body["data"] = draw(not_lists)
        return "data", body

    def entry_not_a_dict(draw: st.DrawFn, body: dict[str, Any]) -> tuple[str, object]:
        index, _ = pick(draw, body)
        body["data"][index] = draw(not_dicts)
        return "data", body

    def ccy_missing(draw: st.DrawFn, body: dict[str, Any]) -> tuple[str, object]:
        del pick(draw, body)[1]["ccy"]
        return "ccy", body

    def ccy_invalid(draw: st.DrawFn, body: dict[str, Any]) -> tuple[str, object]:
        pick(draw, body)[1]["ccy"] = draw(bad_codes)
        return "ccy", body

    def max_wd_missing(draw: st.DrawFn, body: dict[str, Any]) -> tuple[str, object]:
        del pick(draw, body)[1]["maxWd"]
        return "maxWd", body

    def max_wd_empty(draw: st.DrawFn, body: dict[str, Any]) -> tuple[str, object]:
        pick(draw, body)[1]["maxWd"] = draw(empties)
        return "maxWd", body

    def bad_amount(draw: st.DrawFn, body: dict[str, Any]) -> tuple[str, object]:
        field = draw(amount_fields)
        pick(draw, body)[1][field] = draw(bad_amounts)
        return field, body

    def duplicate_ccy(draw: st.DrawFn, body: dict[str, Any]) -> tuple[str, object]:
        _, entry = pick(draw, body)
        body["data"].insert(draw(st.integers(0, len(body["data"]))), dict(entry))
        return "ccy", body

    return {
        "not_a_dict": not_a_dict,
        "code_missing": code_missing,
        "data_not_a_list": data_not_a_list,
        "entry_not_a_dict": entry_not_a_dict,
        "ccy_missing": ccy_missing,
        "ccy_invalid": ccy_invalid,
        "max_wd_missing": max_wd_missing,
        "max_wd_empty": max_wd_empty,
        "bad_amount": bad_amount,
        "duplicate_ccy": duplicate_ccy,
    }


_MUTATIONS = _mutation_table()
MALFORMED_DEFECTS = tuple(_MUTATIONS)
_DEFECTS = st.sampled_from(MALFORMED_DEFECTS)
_SMALL_PAYLOADS = okx_payloads(min_entries=1, max_entries=4)


@st.composite
def malformed_payload_cases(draw: st.DrawFn) -> MalformedPayloadCase:
    """Malformed bodies with their defect named: a valid body plus exactly one mutation.

    Defects (``MalformedPayloadCase.defect``): ``not_a_dict``, ``code_missing``,
    ``data_not_a_list``, ``entry_not_a_dict``, ``ccy_missing``, ``ccy_invalid`` (empty,
    ``"BTC-USDT"``, non-ASCII, too long, not a str), ``max_wd_missing``, ``max_wd_empty``,
    ``bad_amount`` (``"NaN"``, ``"Infinity"``, ``"-1"``, ``"1,000"``, ``"abc"``, ``"1_000"``,
    ``" 1"``, a NaN float, a negative number, a list...) and ``duplicate_ccy``.
    ``field`` is the field a good error message names (``"body"`` for a non-dict body).

    Example: ``MalformedPayloadCase(defect="bad_amount", field="maxWdEx", body={"code": "0",
    "msg": "", "data": [{"ccy": "BTC", "maxWd": "1", "maxWdEx": "NaN", ...}]})``.
    """
    defect = draw(_DEFECTS)
    body = draw(_SMALL_PAYLOADS)
    field, mutated = _MUTATIONS[defect](draw, body)
    return MalformedPayloadCase(defect, field, mutated)


def malformed_payloads() -> st.SearchStrategy[object]:
    """Bodies a parser must refuse as malformed (see :func:`malformed_payload_cases`).

    Example: ``{"code": "0", "msg": "", "data": [{"ccy": "BTC", "maxWd": "1,000"}]}``, ``[]``.
    """
    return malformed_payload_cases().map(lambda case: case.body)

