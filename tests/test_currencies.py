"""normalize_currencies: the currency argument rule of issue 2, examples and properties."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from okx_ext import (
    MAX_CURRENCIES_PER_REQUEST,
    CurrencyValidationError,
    TooManyCurrenciesError,
    normalize_currencies,
)

# Restated from the issue, not imported: the test must be able to disagree with the code.
ALLOWED = re.compile(r"[A-Z0-9]{1,32}")


@pytest.mark.parametrize("ccy", [None, "", [], (), iter(()), {}, set()])
def test_nothing_means_all_currencies(ccy: object) -> None:
    assert normalize_currencies(ccy) == ()  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("ccy", "expected"),
    [
        ("BTC", ("BTC",)),
        ("btc", ("BTC",)),
        ("BTC,ETH", ("BTC", "ETH")),
        (" btc , Eth ", ("BTC", "ETH")),
        # Stripping is the rule: the space python-okx would sign unencoded never reaches it.
        ("BTC, ETH", ("BTC", "ETH")),
        ("\tusdt\n", ("USDT",)),
        (["btc", "ETH"], ("BTC", "ETH")),
        (("ETH", "BTC"), ("ETH", "BTC")),
        ("BTC,btc,ETH,Btc", ("BTC", "ETH")),
        (["eth", " ETH ", "usdc"], ("ETH", "USDC")),
        ({"BTC": 1, "eth": 2}, ("BTC", "ETH")),
        ("1INCH", ("1INCH",)),
        ("A" * 32, ("A" * 32,)),
    ],
)
def test_valid_arguments(ccy: object, expected: tuple[str, ...]) -> None:
    assert normalize_currencies(ccy) == expected  # type: ignore[arg-type]


def test_a_generator_gives_one_currency_per_item() -> None:
    # Built here, not in a parametrize list: a generator made at collection is spent by
    # the first run, and a second run in the same process (mutmut's) would see it empty.
    assert normalize_currencies(c for c in ["x", "y"]) == ("X", "Y")


@pytest.mark.parametrize(
    ("ccy", "position", "fragment"),
    [
        ("BTC,,ETH", 1, "empty"),
        ("BTC,", 1, "empty"),
        (",BTC", 0, "empty"),
        ("   ", 0, "empty"),
        (["BTC", ""], 1, "empty"),
        ("B TC", 0, "'B TC'"),
        ("BTC-USDT", 0, "'BTC-USDT'"),
        ("BTC;ETH", 0, "'BTC;ETH'"),
        ("BTC&ccy=ETH", 0, "'BTC&ccy=ETH'"),
        ("BTC%2CETH", 0, "'BTC%2CETH'"),
        ("ETH,BTC/", 1, "'BTC/'"),
        ("A" * 33, 0, "AAAA"),
        (["BTC,ETH"], 0, "'BTC,ETH'"),
        # Non-ASCII, including letters whose upper() is ASCII (sharp s -> "SS", dotless i -> "I").
        ("stra\u00dfe", 0, "stra"),
        ("\u00df", 0, "\u00df"),
        ("\ufb00", 0, "\ufb00"),
        ("b\u0131tc", 0, "b\u0131tc"),
        ("\uff22\uff34\uff23", 0, "\uff22"),  # fullwidth BTC
        ("\u0661\u0662", 0, "\u0661"),  # Arabic-Indic digits
        ("BTC\x00", 0, "\\x00"),
        (["BTC", 1], 1, "int"),
        (["BTC", None], 1, "NoneType"),
        ([b"BTC"], 0, "bytes"),
        ([["BTC"]], 0, "list"),
    ],
)
def test_invalid_items_are_named_with_their_position(
    ccy: object, position: int, fragment: str
) -> None:
    with pytest.raises(CurrencyValidationError) as info:
        normalize_currencies(ccy)  # type: ignore[arg-type]
    assert type(info.value) is CurrencyValidationError
    assert info.value.position == position
    assert f"position {position}" in str(info.value)
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    ("ccy", "fragment"),
    [
        (b"BTC", "bytes"),
        (bytearray(b"BTC"), "bytearray"),
        (memoryview(b"BTC"), "memoryview"),
        (42, "int"),
        (4.2, "float"),
        (True, "bool"),
        (object(), "object"),
    ],
)
def test_impossible_argument_shapes(ccy: object, fragment: str) -> None:
    with pytest.raises(CurrencyValidationError) as info:
        normalize_currencies(ccy)  # type: ignore[arg-type]
    assert info.value.position is None
    assert fragment in str(info.value)


def test_offending_item_is_truncated_in_the_message() -> None:
    with pytest.raises(CurrencyValidationError) as info:
        normalize_currencies(["BTC", "x-" * 10_000])
    assert len(str(info.value)) < 200


def test_an_item_with_a_broken_repr_still_gives_the_typed_error() -> None:
    class Hostile:
        def __repr__(self) -> str:
            raise RuntimeError("boom")

    with pytest.raises(CurrencyValidationError, match="Hostile"):
        normalize_currencies([Hostile()])  # type: ignore[list-item]


def test_limit_is_twenty() -> None:
    assert MAX_CURRENCIES_PER_REQUEST == 20


def test_twenty_distinct_currencies_pass_duplicates_do_not_count() -> None:
    twenty = [f"C{i}" for i in range(20)]
    assert normalize_currencies(twenty + twenty) == tuple(twenty)


def test_twenty_one_distinct_currencies_are_refused() -> None:
    with pytest.raises(TooManyCurrenciesError) as info:
        normalize_currencies(",".join(f"C{i}" for i in range(21)))
    assert info.value.limit == 20
    assert info.value.position == 20
    assert "'C20'" in str(info.value)
    assert isinstance(info.value, CurrencyValidationError)


def test_an_endless_generator_is_refused_not_exhausted() -> None:
    endless = (f"C{i}" for i in itertools.count())
    with pytest.raises(TooManyCurrenciesError):
        normalize_currencies(endless)
    assert next(endless) == "C21"


# --- properties -------------------------------------------------------------------------

codes = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=32)
# A valid item as a user might type it: any case, surrounding whitespace.
typed_codes = st.builds(
    lambda code, lower, left, right: left + (code.lower() if lower else code) + right,
    codes,
    st.booleans(),
    st.sampled_from(["", " ", "\t", "  "]),
    st.sampled_from(["", " ", "\n"]),
)
valid_lists = st.lists(typed_codes, max_size=40).filter(
    lambda items: len({item.strip().upper() for item in items}) <= MAX_CURRENCIES_PER_REQUEST
)
any_arguments = st.one_of(
    st.none(),
    st.text(max_size=60),
    st.lists(st.one_of(st.text(max_size=10), typed_codes), max_size=25),
)


@given(valid_lists)
def test_idempotent(items: list[str]) -> None:
    once = normalize_currencies(items)
    assert normalize_currencies(once) == once
    assert normalize_currencies(",".join(once)) == once


@given(valid_lists)
def test_output_alphabet_bound_and_first_seen_order(items: list[str]) -> None:
    result = normalize_currencies(items)
    assert len(result) <= MAX_CURRENCIES_PER_REQUEST
    assert len(set(result)) == len(result)
    assert all(ALLOWED.fullmatch(code) for code in result)
    assert list(result) == list(dict.fromkeys(item.strip().upper() for item in items))


@given(valid_lists)
def test_join_and_split_round_trip(items: list[str]) -> None:
    result = normalize_currencies(items)
    joined = ",".join(result)
    assert tuple(joined.split(",")) == (result if result else ("",))
    assert normalize_currencies(joined) == result


@given(any_arguments)
def test_any_argument_is_either_valid_output_or_a_typed_error(ccy: str | Iterable[str]) -> None:
    try:
        result = normalize_currencies(ccy)
    except CurrencyValidationError:
        return
    assert len(result) <= MAX_CURRENCIES_PER_REQUEST
    assert all(ALLOWED.fullmatch(code) for code in result)
