"""okx_ext.errors: the code table, the hierarchy, python-okx compatibility, str/pickle."""

from __future__ import annotations

import copy
import pickle

import pytest
from okx.exceptions import OkxAPIException, OkxParamsException, OkxRequestException

import okx_ext
from okx_ext import errors
from okx_ext.errors import (
    AccountRestrictedError,
    AuthenticationError,
    CurrencyValidationError,
    EnvironmentMismatchError,
    InvalidParameterError,
    OkxApiError,
    OkxExtError,
    PermissionDeniedError,
    RateLimitError,
    ResponseFormatError,
    ServiceUnavailableError,
    TimestampError,
    TooManyCurrenciesError,
    TransportError,
    error_for_code,
)

# Written out from the issue, NOT imported from the code: this table is what we check against.
EXPECTED: list[tuple[str, type[OkxApiError], bool]] = [
    ("50011", RateLimitError, True),
    ("50040", RateLimitError, True),
    ("58102", RateLimitError, True),  # the funding transfer's rate limit, HTTP 429
    ("50001", ServiceUnavailableError, True),
    ("50004", ServiceUnavailableError, True),
    ("50005", ServiceUnavailableError, False),
    ("50013", ServiceUnavailableError, True),
    ("50026", ServiceUnavailableError, True),
    ("50103", AuthenticationError, False),
    ("50104", AuthenticationError, False),
    ("50105", AuthenticationError, False),
    ("50106", AuthenticationError, False),
    ("50107", AuthenticationError, False),
    ("50111", AuthenticationError, False),
    ("50113", AuthenticationError, False),
    ("50114", AuthenticationError, False),
    ("50119", AuthenticationError, False),
    ("50008", AuthenticationError, False),
    ("50108", AuthenticationError, False),
    ("50109", AuthenticationError, False),
    ("50102", TimestampError, False),
    ("50112", TimestampError, False),
    ("50101", EnvironmentMismatchError, False),
    ("50038", EnvironmentMismatchError, False),
    ("50030", PermissionDeniedError, False),
    ("50035", PermissionDeniedError, False),
    ("50100", PermissionDeniedError, False),
    ("50110", PermissionDeniedError, False),
    ("50120", PermissionDeniedError, False),
    ("50121", PermissionDeniedError, False),
    ("50007", AccountRestrictedError, False),
    ("50009", AccountRestrictedError, False),
    ("50012", AccountRestrictedError, False),
    ("50014", InvalidParameterError, False),
    ("50025", InvalidParameterError, False),
    ("51000", InvalidParameterError, False),
    ("50115", OkxApiError, False),
]


@pytest.mark.parametrize(("code", "error_class", "retryable"), EXPECTED)
def test_each_code_maps_to_its_class_and_retryable_flag(
    code: str, error_class: type[OkxApiError], retryable: bool
) -> None:
    error = error_for_code(code, "some message", 400)
    assert type(error) is error_class
    assert error.code == code
    assert error.msg == "some message"
    assert error.http_status == 400
    assert error.retryable is retryable


@pytest.mark.parametrize(("code", "error_class", "retryable"), EXPECTED)
def test_int_codes_are_normalised_to_str(
    code: str, error_class: type[OkxApiError], retryable: bool
) -> None:
    error = error_for_code(int(code), "m")
    assert type(error) is error_class
    assert error.code == code
    assert error.retryable is retryable


def test_the_code_table_has_exactly_the_issue_codes() -> None:
    assert set(errors._CODE_TO_CLASS) == {code for code, _, _ in EXPECTED}


@pytest.mark.parametrize("code", ["59999", 12345, "1"])
def test_unknown_code_gives_plain_okx_api_error(code: str | int) -> None:
    error = error_for_code(code, "new error")
    assert type(error) is OkxApiError
    assert error.code == str(code)
    assert error.retryable is False
    assert error.http_status is None


def test_code_with_leading_zeros_is_canonical() -> None:
    assert error_for_code("050011", "x").code == "50011"
    assert type(error_for_code("050011", "x")) is RateLimitError


@pytest.mark.parametrize(
    "code",
    [
        *(True, False, -1, 1.5, None, 2**64),
        *("", " 50011", "50011 ", "5001a", "9" * 19, "\u0665\u0660\u0660\u0661\u0661"),
    ],
)
def test_invalid_code_is_a_response_format_error(code: object) -> None:
    with pytest.raises(ResponseFormatError) as info:
        error_for_code(code, "m")  # type: ignore[arg-type]
    assert info.value.field == "code"
    assert "'code'" in str(info.value)


def test_str_of_api_error() -> None:
    assert str(error_for_code("50011", "Too Many Requests", 429)) == (
        "OKX error 50011: Too Many Requests (HTTP 429)"
    )
    assert str(error_for_code("59999", "odd")) == "OKX error 59999: odd"


def test_account_restricted_is_a_permission_error_and_never_retried() -> None:
    error = error_for_code(50009, "Account is frozen due to stop-out.")
    assert isinstance(error, PermissionDeniedError) and isinstance(error, OkxAPIException)
    assert error.retryable is False and AccountRestrictedError.retryable is False
    assert str(error) == ("OKX error 50009: Account is frozen due to stop-out. "
                          "[the account is restricted on OKX: check its status in OKX's web "
                          "or app]")


def test_hints_for_clock_and_environment() -> None:
    assert "clock" in str(error_for_code("50102", "Timestamp request expired"))
    assert "flag" in str(error_for_code("50101", "APIKey does not match current environment"))


def test_repr_matches_the_docstring_example() -> None:
    assert repr(error_for_code(50011, "Too Many Requests", 429)) == (
        "RateLimitError('50011', 'Too Many Requests', 429)"
    )


def test_api_error_is_python_okx_api_exception_with_its_attributes() -> None:
    error = error_for_code("50011", "Too Many Requests", 429)
    assert isinstance(error, OkxAPIException)
    assert isinstance(error, OkxExtError)
    assert error.message == "Too Many Requests"
    assert error.status_code == 429
    assert error.response is None
    assert error.request is None
    with pytest.raises(OkxAPIException):
        raise error


def test_currency_errors_are_value_errors_and_python_okx_params_exceptions() -> None:
    error = TooManyCurrenciesError("too many", position=20, limit=20)
    assert isinstance(error, CurrencyValidationError)
    assert isinstance(error, ValueError)
    assert isinstance(error, OkxParamsException)
    assert error.message == "too many"
    assert str(error) == "too many"
    assert (error.position, error.limit) == (20, 20)


def test_transport_error_is_python_okx_request_exception_and_retryable() -> None:
    error = TransportError("ConnectError: refused")
    assert isinstance(error, OkxRequestException)
    assert error.message == "ConnectError: refused"
    assert str(error) == "ConnectError: refused"
    assert error.retryable is True
    assert TransportError.retryable is True


@pytest.mark.parametrize(
    "error",
    [
        OkxExtError("x"),
        CurrencyValidationError("x"),
        ResponseFormatError("x", field="maxWd"),
    ],
)
def test_other_errors_are_not_retryable(error: OkxExtError) -> None:
    assert error.retryable is False


def test_every_error_has_attempts_and_partial_defaults() -> None:
    for error in [
        OkxExtError("x"),
        TransportError("x"),
        ResponseFormatError("x"),
        TooManyCurrenciesError("x"),
        error_for_code("50011", "x"),
    ]:
        assert error.attempts == 1
        assert error.partial == {}
    # Each instance has its own dict: filling one must not leak into another.
    first, second = OkxExtError("a"), OkxExtError("b")
    first.partial["BTC"] = None  # type: ignore[assignment]
    assert second.partial == {}


@pytest.mark.parametrize(
    "error",
    [
        error_for_code("50011", "Too Many Requests", 429),
        error_for_code("50005", "offline"),
        TransportError("ReadTimeout: timed out"),
        ResponseFormatError("bad", field="ccy"),
        TooManyCurrenciesError("too many", position=21, limit=20),
    ],
)
def test_errors_survive_pickle_and_copy(error: OkxExtError) -> None:
    error.attempts = 3
    for clone in (pickle.loads(pickle.dumps(error)), copy.copy(error), copy.deepcopy(error)):
        assert type(clone) is type(error)
        assert str(clone) == str(error)
        assert clone.__dict__ == error.__dict__
        assert clone.attempts == 3


def test_every_error_class_is_exported_from_the_package() -> None:
    for name in errors.__all__:
        assert getattr(okx_ext, name) is getattr(errors, name)
        assert name in okx_ext.__all__
