"""The typed errors raised by okx_ext and OKX's code table (`error_for_code`).

The tree (which code maps where is the code table below, `error_for_code`)::

    OkxExtError
    ├── CurrencyValidationError      (also ValueError, python-okx's OkxParamsException)
    │   └── TooManyCurrenciesError
    ├── OkxApiError                  (also OkxAPIException): code, msg, http_status, retryable
    │   ├── RateLimitError
    │   ├── ServiceUnavailableError
    │   ├── AuthenticationError
    │   │   ├── TimestampError
    │   │   └── EnvironmentMismatchError
    │   ├── PermissionDeniedError
    │   │   └── AccountRestrictedError
    │   └── InvalidParameterError
    ├── TransportError               (also OkxRequestException): network, timeouts, non-JSON
    ├── ResponseFormatError          the payload is not of the documented shape
    ├── RateLimiterUnavailableError  the shared limiter's Redis is unreachable; nothing sent
    └── RateLimiterConfigError       (also ValueError) the shared limiter cannot work as set up

Every error is an `OkxExtError` carrying ``attempts`` (round trips made) and ``partial``
(rows fetched by earlier batches of a multi-batch call). Errors also subclass python-okx's
matching exception so ``except OkxAPIException`` keeps working; those ``__init__``
methods are never called, and the attributes their users read are set here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

# python-okx ships no type information: its classes are Any to mypy, hence the
# "type: ignore[misc]" on the classes that subclass them.
from okx.exceptions import OkxAPIException, OkxParamsException, OkxRequestException

from okx_ext._endpoint import MAX_CURRENCIES_PER_REQUEST
from okx_ext.text import exact_int, exact_str, preview

if TYPE_CHECKING:
    from okx_ext._models import MaxWithdrawal

__all__ = [
    "AccountRestrictedError",
    "AuthenticationError",
    "CurrencyValidationError",
    "EnvironmentMismatchError",
    "InvalidParameterError",
    "OkxApiError",
    "OkxExtError",
    "PermissionDeniedError",
    "RateLimitError",
    "RateLimiterConfigError",
    "RateLimiterUnavailableError",
    "ResponseFormatError",
    "ServiceUnavailableError",
    "TimestampError",
    "TooManyCurrenciesError",
    "TransportError",
    "error_for_code",
]


class OkxExtError(Exception):
    """Base class of every error raised by okx_ext."""

    #: Whether repeating the same request may succeed; the retry layer asks only this.
    retryable: bool = False

    def __init__(self, message: str) -> None:
        Exception.__init__(self, message)
        self.message = message
        self.attempts: int = 1
        self.partial: dict[str, MaxWithdrawal] = {}

    def __str__(self) -> str:
        return self.message


class CurrencyValidationError(OkxExtError, ValueError, OkxParamsException):  # type: ignore[misc]
    """A currency argument was refused before any request was sent.

    ``position`` is the 0-based index of the offending item (None when the
    argument as a whole is wrong, e.g. not a str or iterable).
    """

    def __init__(self, message: str, *, position: int | None = None) -> None:
        super().__init__(message)
        self.position = position


class TooManyCurrenciesError(CurrencyValidationError):
    """More distinct currencies than OKX accepts in one request.

    ``limit`` is the maximum that was exceeded.
    """

    def __init__(
        self, message: str, *, position: int | None = None, limit: int = MAX_CURRENCIES_PER_REQUEST
    ) -> None:
        super().__init__(message, position=position)
        self.limit = limit


class ResponseFormatError(OkxExtError):
    """The exchange's payload is not of the documented shape.

    ``field`` names the offending field (e.g. ``"maxWd"``, ``"data[1].ccy"``) or is
    None when the body as a whole is wrong.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class TransportError(OkxExtError, OkxRequestException):  # type: ignore[misc]
    """The request did not produce a JSON answer: network fault, timeout, non-JSON body.

    The original exception is chained as ``__cause__``.
    """

    retryable = True


class RateLimiterUnavailableError(OkxExtError):
    """The shared rate limiter's store (Redis) could not be reached; nothing was sent.

    The message names the store's URL with its password masked; the original
    exception is chained as ``__cause__``. Retryable: a restarted or failed-over
    Redis is a passing fault, and no request goes out unthrottled meanwhile.
    """

    retryable = True


class RateLimiterConfigError(OkxExtError, ValueError):
    """The shared rate limiter cannot work as set up; nothing was sent.

    An unknown option in its Redis URL, or a Redis that refuses a command the limiter
    needs (``INFO`` renamed, or denied by an ACL). The message names the option or the
    command and how to fix it, never a value from the URL. Not retryable: repeating the
    same call cannot change the setup.
    """


class OkxApiError(OkxExtError, OkxAPIException):  # type: ignore[misc]
    """OKX answered with a non-zero ``code``.

    Attributes: ``code`` (normalised str), ``msg`` (the exchange's text),
    ``http_status`` (int or None when unknown) and ``retryable``; python-okx's
    names ``message`` (= msg) and ``status_code`` (= http_status) are set too.
    """

    #: One line of advice appended to ``str()``; subclasses with a known remedy set it.
    hint: ClassVar[str] = ""

    def __init__(self, code: str, msg: str, http_status: int | None = None) -> None:
        # Only exact str from here on: __str__ must not fail while an error is reported.
        code = exact_str(code) if isinstance(code, str) else preview(code)
        msg = exact_str(msg) if isinstance(msg, str) else preview(msg, 200)
        OkxExtError.__init__(self, msg)
        # Exception.args must match the constructor: pickle and copy rebuild with cls(*args).
        self.args = (code, msg, http_status)
        self.code = code
        self.msg = msg
        self.http_status = http_status
        self.status_code = http_status
        self.response = None
        self.request = None
        self.retryable = type(self).retryable and code not in _NOT_RETRYABLE_CODES

    def __str__(self) -> str:
        text = f"OKX error {self.code}: {self.msg[:200]}"
        if self.http_status is not None:
            text += f" (HTTP {self.http_status})"
        if self.hint:
            text += f" [{self.hint}]"
        return text


class RateLimitError(OkxApiError):
    """OKX refused the request for exceeding its rate limit (retryable)."""

    retryable = True


class ServiceUnavailableError(OkxApiError):
    """OKX is busy or under maintenance (retryable, except 50005)."""

    retryable = True


class AuthenticationError(OkxApiError):
    """The API key, signature or passphrase was refused."""


class TimestampError(AuthenticationError):
    """The request timestamp was refused: the local clock is skewed."""

    hint = "the local clock is off: synchronise it (e.g. NTP)"


class EnvironmentMismatchError(AuthenticationError):
    """A demo key was used on live trading or the reverse."""

    hint = "demo key on live or live key on demo: check the client's `flag` ('1' demo, '0' live)"


class PermissionDeniedError(OkxApiError):
    """The key or account may not use this endpoint (permission, IP, account state)."""


class AccountRestrictedError(PermissionDeniedError):
    """The account itself is restricted: blocked, frozen by stop-out, or in an invalid state.

    Not retried: the restriction lasts until OKX lifts it.
    """

    hint = "the account is restricted on OKX: check its status in OKX's web or app"


class InvalidParameterError(OkxApiError):
    """OKX refused a request parameter."""


# OKX's error codes for this endpoint; the one place that maps a code to a class.
_CODE_TO_CLASS: dict[str, type[OkxApiError]] = {
    "50011": RateLimitError,
    "50040": RateLimitError,
    # The funding transfer's own rate limit, HTTP 429 (OKX's funding error-code table).
    "58102": RateLimitError,
    "50001": ServiceUnavailableError,
    "50004": ServiceUnavailableError,
    "50005": ServiceUnavailableError,
    "50013": ServiceUnavailableError,
    "50026": ServiceUnavailableError,
    "50103": AuthenticationError,
    "50104": AuthenticationError,
    "50105": AuthenticationError,
    "50106": AuthenticationError,
    "50107": AuthenticationError,
    "50111": AuthenticationError,
    "50113": AuthenticationError,
    "50114": AuthenticationError,
    "50119": AuthenticationError,
    "50008": AuthenticationError,
    "50108": AuthenticationError,
    "50109": AuthenticationError,
    "50102": TimestampError,
    "50112": TimestampError,
    "50101": EnvironmentMismatchError,
    "50038": EnvironmentMismatchError,
    "50030": PermissionDeniedError,
    "50035": PermissionDeniedError,
    "50100": PermissionDeniedError,
    "50110": PermissionDeniedError,
    "50120": PermissionDeniedError,
    "50121": PermissionDeniedError,
    "50007": AccountRestrictedError,
    "50009": AccountRestrictedError,
    "50012": AccountRestrictedError,
    "50014": InvalidParameterError,
    "50025": InvalidParameterError,
    "51000": InvalidParameterError,
    # The wrapper only sends GET: a 50115 means something on the way changed the method,
    # which neither the caller's arguments nor a retry can fix.
    "50115": OkxApiError,
}

# 50005 ("API is offline or unavailable") is not a passing overload: repeating won't help.
_NOT_RETRYABLE_CODES = frozenset({"50005"})

# Longer digit strings are not OKX codes, and int() on thousands of digits is slow.
_MAX_CODE_DIGITS = 18


def _normalize_code(code: object) -> str:
    """Return ``code`` (a str of ASCII digits or a non-negative int) as a canonical str.

    Raise ResponseFormatError for anything else (bool, negative, float, text...).
    """
    if isinstance(code, int) and not isinstance(code, bool):
        number = exact_int(code)
        if number >= 0 and number.bit_length() <= 60:
            return str(number)
    elif isinstance(code, str):
        text = exact_str(code)
        if 0 < len(text) <= _MAX_CODE_DIGITS and text.isascii() and text.isdigit():
            return str(int(text))
    raise ResponseFormatError(
        f"field 'code' must be a string of digits or a non-negative integer, got {preview(code)}",
        field="code",
    )


def error_for_code(code: str | int, msg: str, http_status: int | None = None) -> OkxApiError:
    """Return the typed error for an OKX error ``code`` (str or int).

    An unknown code gives a plain OkxApiError carrying it. Example::

        >>> error_for_code(50011, "Too Many Requests", 429)
        RateLimitError('50011', 'Too Many Requests', 429)

    Raise ResponseFormatError when ``code`` is not a code at all.
    """
    normalized = _normalize_code(code)
    error_class = _CODE_TO_CLASS.get(normalized, OkxApiError)
    return error_class(normalized, msg, http_status)
