"""okx-ext: a typed, validated wrapper around python-okx's max-withdrawal endpoint."""

from typing import TYPE_CHECKING

from okx_ext._client import DebugLoggingWarning, MaxWithdrawalClient, SupportsGetMaxWithdrawal
from okx_ext._currencies import normalize_currencies
from okx_ext._endpoint import MAX_CURRENCIES_PER_REQUEST
from okx_ext._models import MaxWithdrawal
from okx_ext._ratelimit import RateLimit, RateLimiter, RateLimiterProtocol
from okx_ext._retry import Retry
from okx_ext.errors import (
    AccountRestrictedError,
    AuthenticationError,
    CurrencyValidationError,
    EnvironmentMismatchError,
    InvalidParameterError,
    OkxApiError,
    OkxExtError,
    PermissionDeniedError,
    RateLimiterConfigError,
    RateLimitError,
    RateLimiterUnavailableError,
    ResponseFormatError,
    ServiceUnavailableError,
    TimestampError,
    TooManyCurrenciesError,
    TransportError,
    error_for_code,
)

if TYPE_CHECKING:
    from okx_ext._redis import DEFAULT_REQUEST_TIMEOUT_S, RedisRateLimiter

    __version__: str

# Public names whose module is imported on first use, not by ``import okx_ext``: the
# shared limiter is an optional feature (the redis extra) most importers never touch.
_LAZY_NAMES = frozenset({"DEFAULT_REQUEST_TIMEOUT_S", "RedisRateLimiter"})


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("okx-ext")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree not installed
        return "0+unknown"


def __getattr__(name: str) -> object:
    """Resolve ``__version__`` and the shared limiter's names on first use.

    Reading the installed metadata imports ``importlib.metadata`` (about half of this
    package's import time before it was deferred), which most importers never need.
    Each answer is then kept as a plain module attribute, so later reads skip this.
    """
    if name == "__version__":
        value: object = _version()
    elif name in _LAZY_NAMES:
        from okx_ext import _redis

        value = getattr(_redis, name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """List the module's names, the ones resolved on first use included."""
    return sorted({*globals(), *_LAZY_NAMES, "__version__"})

__all__ = [
    "DEFAULT_REQUEST_TIMEOUT_S",
    "MAX_CURRENCIES_PER_REQUEST",
    "AccountRestrictedError",
    "AuthenticationError",
    "CurrencyValidationError",
    "DebugLoggingWarning",
    "EnvironmentMismatchError",
    "InvalidParameterError",
    "MaxWithdrawal",
    "MaxWithdrawalClient",
    "OkxApiError",
    "OkxExtError",
    "PermissionDeniedError",
    "RateLimit",
    "RateLimitError",
    "RateLimiter",
    "RateLimiterConfigError",
    "RateLimiterProtocol",
    "RateLimiterUnavailableError",
    "RedisRateLimiter",
    "ResponseFormatError",
    "Retry",
    "ServiceUnavailableError",
    "SupportsGetMaxWithdrawal",
    "TimestampError",
    "TooManyCurrenciesError",
    "TransportError",
    "__version__",
    "error_for_code",
    "normalize_currencies",
]
