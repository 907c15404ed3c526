"""Typed errors raised by okx_ext.

The hierarchy::

    OkxExtError
    ├── CurrencyValidationError  (also ValueError and python-okx's OkxParamsException)
    │   └── TooManyCurrenciesError
    ├── OkxApiError  (also python-okx's OkxAPIException): .code, .msg, .http_status, .retryable
    │   ├── RateLimitError            50011                              retryable
    │   ├── ServiceUnavailableError   50001 50004 50005 50013 50026      retryable (not 50005)
    │   ├── AuthenticationError       50103-50107 50111 50113 50114 50119
    │   │   ├── TimestampError        50102 50112   (clock skew: sync the clock)
    │   │   └── EnvironmentMismatchError  50101     (demo key on live or the reverse)
    │   ├── PermissionDeniedError     50030 50035 50100 50110 50120 50121
    │   └── InvalidParameterError     50014 50025 51000
    ├── TransportError  (also python-okx's OkxRequestException): network failures,
    │                    timeouts, non-JSON bodies; the original exception is chained
    ├── ResponseFormatError: the payload is not of the documented shape
    └── RateLimiterUnavailableError: the shared limiter's Redis cannot be reached;
                         nothing was sent (retryable)

Every error carries two attributes for the layers built around a single request:

* ``attempts`` (int, default 1): how many round trips were made before giving up.
* ``partial`` (dict[str, MaxWithdrawal], default empty): results already fetched by
  earlier batches of a multi-batch call when a later batch failed.

Subclassing python-okx's own exceptions keeps ``except OkxAPIException`` (and the
others) working in code that already uses python-okx. Their ``__init__`` methods are
never called (OkxAPIException's reads a response object); the attributes their users
read (``code``, ``message``, ``status_code``, ``response``, ``request``) are set here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

# python-okx ships no type information: its classes are Any to mypy, hence the
# "type: ignore[misc]" on the classes that subclass them.
from okx.exceptions import OkxAPIException, OkxParamsException, OkxRequestException

if TYPE_CHECKING:
    from okx_ext._models import MaxWithdrawal

__all__ = [
    "AuthenticationError",
    "CurrencyValidationError",
    "EnvironmentMismatchError",
    "InvalidParameterError",
    "OkxApiError",
    "OkxExtError",
    "PermissionDeniedError",
    "RateLimitError",
    "RateLimiterUnavailableError",
    "ResponseFormatError",
    "ServiceUnavailableError",
    "TimestampError",
    "TooManyCurrenciesError",
    "TransportError",
    "error_for_code",
]

_PREVIEW_CHARS = 40


def _preview(value: object, limit: int = _PREVIEW_CHARS) -> str:
    """Return a repr of ``value`` cut to ``limit`` characters, safe for any object.

    Slicing a long str first keeps a megabyte payload from being repr'd whole; a
    broken ``__repr__`` or an int beyond the str-conversion limit must not turn an
    error report into a different exception.
    """
    try:
        if isinstance(value, str):
            value = _exact_str(value)
        if isinstance(value, (str, bytes, bytearray)) and len(value) > limit:
            value = value[: limit + 1]
        text = repr(value)
    except Exception:
        text = f"<{type(value).__name__} object>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _exact_str(text: str) -> str:
    """Return a str subclass's value as an exact str (its own methods may raise or lie)."""
    return text if type(text) is str else str.__str__(text)


def _exact_int(number: int) -> int:
    """Return an int subclass's value as an exact int (its own methods may raise or lie)."""
    return number if type(number) is int else int.__int__(number)


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

    def __init__(self, message: str, *, position: int | None = None, limit: int = 20) -> None:
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
        code = _exact_str(code) if isinstance(code, str) else _preview(code)
        msg = _exact_str(msg) if isinstance(msg, str) else _preview(msg, 200)
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


class InvalidParameterError(OkxApiError):
    """OKX refused a request parameter."""


# OKX's error codes for this endpoint; the one place that maps a code to a class.
_CODE_TO_CLASS: dict[str, type[OkxApiError]] = {
    "50011": RateLimitError,
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
    "50102": TimestampError,
    "50112": TimestampError,
    "50101": EnvironmentMismatchError,
    "50030": PermissionDeniedError,
    "50035": PermissionDeniedError,
    "50100": PermissionDeniedError,
    "50110": PermissionDeniedError,
    "50120": PermissionDeniedError,
    "50121": PermissionDeniedError,
    "50014": InvalidParameterError,
    "50025": InvalidParameterError,
    "51000": InvalidParameterError,
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
        number = _exact_int(code)
        if number >= 0 and number.bit_length() <= 60:
            return str(number)
    elif isinstance(code, str):
        text = _exact_str(code)
        if 0 < len(text) <= _MAX_CODE_DIGITS and text.isascii() and text.isdigit():
            return str(int(text))
    raise ResponseFormatError(
        f"field 'code' must be a string of digits or a non-negative integer, got {_preview(code)}",
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
