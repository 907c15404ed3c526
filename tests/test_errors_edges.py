"""The error table and the errors' text: what `make mutate` found the suite did not pin."""

from __future__ import annotations

import pickle
import re

import pytest

from okx_ext import (
    OkxApiError,
    RateLimitError,
    ResponseFormatError,
    TransportError,
    error_for_code,
)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (0, "0"),  # the smallest code; OKX's success code, read as any other
        (2**60 - 1, str(2**60 - 1)),  # the largest int code read: 60 bits
        ("000000000000050011", "50011"),  # 18 digits, the longest string code read
    ],
)
def test_the_widest_codes_still_read(code: object, expected: str) -> None:
    assert error_for_code(code, "m").code == expected  # type: ignore[arg-type]


def test_an_18_digit_code_keeps_its_class() -> None:
    assert type(error_for_code("000000000000050011", "m")) is RateLimitError


@pytest.mark.parametrize("code", [2**60, "0000000000000050011", -1])
def test_one_past_the_widest_code_is_refused(code: object) -> None:
    with pytest.raises(ResponseFormatError):
        error_for_code(code, "m")  # type: ignore[arg-type]


def test_a_refused_code_is_quoted_in_the_message() -> None:
    with pytest.raises(ResponseFormatError, match=re.escape(
            "field 'code' must be a string of digits or a non-negative integer, got 'abc'")):
        error_for_code("abc", "m")


def test_a_code_and_message_that_are_not_str_are_shown_by_their_repr() -> None:
    error = OkxApiError(50011, None)  # type: ignore[arg-type]
    assert (error.code, error.msg, str(error)) == ("50011", "None", "OKX error 50011: None")


def test_a_message_that_is_not_str_is_cut_to_200_characters() -> None:
    assert OkxApiError("1", ["x" * 300]).msg == "['" + "x" * 195 + "..."  # type: ignore[arg-type]


def test_str_shows_the_first_200_characters_of_the_message() -> None:
    assert str(OkxApiError("1", "m" * 300)) == "OKX error 1: " + "m" * 200


def test_an_error_survives_pickling_with_its_message() -> None:
    # pickle rebuilds an exception from its args: they must hold the message.
    for error in (TransportError("boom"), ResponseFormatError("bad shape")):
        copy = pickle.loads(pickle.dumps(error))
        assert (type(copy), copy.args, copy.message) == (type(error), (error.message,),
                                                        error.message)
