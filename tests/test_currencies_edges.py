"""The currency argument's refusals: what `make mutate` found the suite did not pin.

Each refusal's exact message and position, including an iterable that raises while it
is read (its error chained, its text cut to 100 characters).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from okx_ext import CurrencyValidationError, TooManyCurrenciesError
from okx_ext._currencies import normalize_currencies


def refusal(ccy: object) -> CurrencyValidationError:
    with pytest.raises(CurrencyValidationError) as raised:
        normalize_currencies(ccy)  # type: ignore[arg-type]
    return raised.value


@pytest.mark.parametrize(
    ("ccy", "message", "position"),
    [
        (["BTC", 1], "currency at position 1 must be a str, got int: 1", 1),
        (b"BTC", "ccy must be str, not bytes (decode it first): b'BTC'", None),
        (42, "ccy must be None, a str or an iterable of str, got int: 42", None),
        (",".join(f"C{i}" for i in range(21)),
         "more than 20 distinct currencies in one request (distinct currency #21, 'C20', "
         "is at position 20)", 20),
    ],
)
def test_each_refusal_in_full(ccy: object, message: str, position: int | None) -> None:
    error = refusal(ccy)
    assert (str(error), error.position) == (message, position)


class Unreadable:
    """An iterable whose ``iter()`` itself raises something other than TypeError."""

    def __iter__(self) -> Iterator[str]:
        raise OSError("x" * 300)


def test_an_iterable_that_cannot_be_started_is_reported_whole() -> None:
    error = refusal(Unreadable())
    assert str(error) == "reading ccy raised OSError: '" + "x" * 96 + "..."
    assert error.position is None
    assert isinstance(error.__cause__, OSError)


def test_a_generator_that_fails_midway_is_reported_at_its_position() -> None:
    def currencies() -> Iterator[str]:
        yield "BTC"
        raise KeyError("gone")

    error = refusal(currencies())
    assert (str(error), error.position) == (
        "reading ccy at position 1 raised KeyError: \"'gone'\"", 1)
    assert type(error) is CurrencyValidationError
    assert isinstance(error.__cause__, KeyError)


def test_too_many_says_its_limit() -> None:
    error = refusal([f"C{i}" for i in range(21)])
    assert isinstance(error, TooManyCurrenciesError) and error.limit == 20
