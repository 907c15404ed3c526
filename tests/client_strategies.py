"""Strategies for the client's own ``ccy`` argument: okx_ext's rule, not OKX's.

They lived in ``okx_fakes.strategies``; they describe the wrapper's argument rule (strip,
upper-case, at most 20 distinct), which the fake, modelling OKX, has no business with.
The rule is restated here, independently of ``okx_ext``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st
from okx_fakes.strategies.payloads import (
    _REAL_CODES,
    CODE_ALPHABET,
    MAX_CODE_LENGTH,
    MAX_CURRENCIES_PER_REQUEST,
    currency_codes,
)

# Characters str.strip() removes; the wrapper strips each item before checking it.
_PADDING = " \t\n"


def _is_valid_code(text: str) -> bool:
    return 1 <= len(text) <= MAX_CODE_LENGTH and all(char in CODE_ALPHABET for char in text)


@st.composite
def _spelled(draw: st.DrawFn, code: str) -> str:
    """Write ``code`` in any case, padded with whitespace the wrapper strips."""
    cased = "".join(
        char.lower() if char.isalpha() and draw(st.booleans()) else char for char in code
    )
    left = draw(st.text(alphabet=_PADDING, max_size=2))
    right = draw(st.text(alphabet=_PADDING, max_size=2))
    return left + cased + right


def _generate(items: list[Any]) -> Iterator[Any]:
    yield from items


@dataclass(frozen=True)
class CurrencyArgCase:
    """A valid ``ccy`` argument and the tuple ``normalize_currencies`` must turn it into."""

    arg: str | Iterable[str] | None
    expected: tuple[str, ...]


@st.composite
def currency_arg_cases(draw: st.DrawFn) -> CurrencyArgCase:
    """Generate valid ``ccy`` arguments paired with their normalised form.

    The rule: ``None``, ``""`` and an empty iterable mean every currency (``()``);
    a string is split on commas; every item is stripped and upper-cased and is then a code of
    ``A-Z0-9``, 1 to 32 long; duplicates collapse keeping first-seen order; at most 20 distinct.

    Example: ``CurrencyArgCase(arg=" btc,ETH ,Btc", expected=("BTC", "ETH"))``.
    """
    form = draw(st.sampled_from(("none", "str", "list", "tuple", "generator")))
    if form == "none":
        return CurrencyArgCase(None, ())
    # The limit itself is where validators go wrong: draw exactly 20 distinct often.
    count = draw(st.one_of(st.integers(0, MAX_CURRENCIES_PER_REQUEST),
                           st.just(MAX_CURRENCIES_PER_REQUEST)))
    distinct = draw(st.lists(currency_codes(), unique=True, min_size=count, max_size=count))
    codes = list(distinct)
    if distinct:
        repeats = draw(st.lists(st.sampled_from(distinct), max_size=3))
        for repeat in repeats:
            codes.insert(draw(st.integers(0, len(codes))), repeat)
    # The first spelling of each code decides its position, so order the expectation that way.
    expected = tuple(dict.fromkeys(codes))
    items = [draw(_spelled(code)) for code in codes]
    arg: str | Iterable[str]
    if form == "str":
        arg = ",".join(items)
    elif form == "list":
        arg = items
    elif form == "tuple":
        arg = tuple(items)
    else:
        arg = _generate(items)
    return CurrencyArgCase(arg, expected)


def currency_args() -> st.SearchStrategy[str | Iterable[str] | None]:
    r"""Generate valid ``ccy`` arguments in every accepted form (see :func:`currency_arg_cases`).

    ``None``, ``""``, a comma-joined string in any case with padding around items, or a list,
    tuple or generator of such items, duplicates allowed, at most 20 distinct.

    Example: ``None``, ``""``, ``"btc, ETH"``, ``["usdt", " OKB\t", "USDT"]``.
    """
    return currency_arg_cases().map(lambda case: case.arg)


def _too_many(draw: st.DrawFn) -> list[str]:
    count = draw(st.integers(MAX_CURRENCIES_PER_REQUEST + 1, 2 * MAX_CURRENCIES_PER_REQUEST))
    return draw(st.lists(currency_codes(), unique=True, min_size=count, max_size=count))


def _non_ascii_char() -> st.SearchStrategy[str]:
    # Some letters upper-case to ASCII (dotless i -> "I", the ff ligature -> "FF"): keep them out.
    return st.characters(min_codepoint=128).filter(
        lambda char: not char.isspace() and not _is_valid_code(char.upper())
    )


@st.composite
def _bad_item(draw: st.DrawFn, *, in_string: bool) -> str:
    """One item that stays invalid after strip() and upper(), and splits to one item in a string.

    A blank item is left to the empty-item case, and a comma only appears in list items.
    """
    code = draw(st.sampled_from(_REAL_CODES))
    cut = draw(st.integers(1, len(code) - 1))
    kind = draw(st.sampled_from(("space", "symbol", "non_ascii", "too_long")))
    if kind == "space":
        return code[:cut] + draw(st.sampled_from(_PADDING)) + code[cut:]
    if kind == "symbol":
        symbols = "_/.$:;+" if in_string else "_/.$:;+,"
        # "-" first: an instrument id such as "BTC-USDT" is the mistake users actually make.
        symbol = draw(st.one_of(st.just("-"), st.sampled_from(symbols)))
        return code[:cut] + symbol + code[cut:]
    if kind == "non_ascii":
        return code[:cut] + draw(_non_ascii_char()) + code[cut:]
    return draw(
        st.text(alphabet=CODE_ALPHABET, min_size=MAX_CODE_LENGTH + 1, max_size=2 * MAX_CODE_LENGTH)
    )


_NON_STR_ITEMS = st.one_of(
    st.none(),
    st.integers(),
    st.floats(allow_nan=False),
    st.binary(min_size=1, max_size=5),
    st.just(["BTC"]),
    st.just(("ETH",)),
)


@st.composite
def hostile_currency_args(draw: st.DrawFn, *, strings_only: bool = False) -> object:
    """Generate ``ccy`` arguments that ``normalize_currencies`` must refuse, one defect each.

    More than 20 distinct codes (as a string or a list); an empty item (``"BTC,,ETH"``, a
    trailing or leading comma, ``["BTC", ""]``); an item with whitespace inside, a symbol such
    as ``-``, a non-ASCII character or more than 32 characters; a non-``str`` item in a list
    (``None``, an int, bytes, a nested list); and arguments of the wrong type altogether
    (bytes, bytearray, int, float, a dict with non-str keys). ``strings_only=True`` keeps
    to the defects a comma-joined string can carry (for string APIs such as a raw SDK call).

    Example: ``"BTC,,ETH"``, ``"BTC-USDT"``, ``["BTÇ"]``, ``b"BTC"``, ``[["BTC"]]``.
    """
    valid = st.lists(currency_codes(), max_size=3)
    string_defects = ("too_many", "empty_item", "bad_item")
    other_defects = ("non_str_item", "wrong_type", "nested")
    defects = string_defects if strings_only else string_defects + other_defects
    defect = draw(st.sampled_from(defects))
    as_string = strings_only or draw(st.booleans())
    if defect == "too_many":
        codes = _too_many(draw)
        return ",".join(codes) if as_string else codes
    if defect == "wrong_type":
        return draw(
            st.one_of(
                st.binary(max_size=8),
                st.binary(max_size=8).map(bytearray),
                st.integers(),
                st.floats(),
                st.dictionaries(st.integers(), st.text(max_size=3), min_size=1, max_size=3),
            )
        )
    before, after = draw(valid), draw(valid)
    if defect == "empty_item":
        items = [*before, "BTC", *after]
        items.insert(draw(st.integers(0, len(items))), draw(st.text(alphabet=_PADDING, max_size=2)))
        return ",".join(items) if as_string else items
    if defect == "bad_item":
        bad = draw(_bad_item(in_string=as_string))
        if as_string:
            return ",".join([*before, bad, *after])
        container = draw(st.sampled_from((list, tuple, _generate)))
        return container([*before, bad, *after])
    if defect == "non_str_item":
        return [*before, draw(_NON_STR_ITEMS), *after]
    return [[*before, "BTC", *after]]

