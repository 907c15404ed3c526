"""okx-ext: a typed, validated wrapper around python-okx's max-withdrawal endpoint."""

from importlib.metadata import PackageNotFoundError, version

from okx_ext._client import DebugLoggingWarning, MaxWithdrawalClient, SupportsGetMaxWithdrawal
from okx_ext._currencies import normalize_currencies
from okx_ext._endpoint import MAX_CURRENCIES_PER_REQUEST
from okx_ext._models import MaxWithdrawal
from okx_ext._ratelimit import RateLimit, RateLimiter, RateLimiterProtocol
from okx_ext._redis import DEFAULT_REQUEST_TIMEOUT_S, RedisRateLimiter
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
    RateLimitError,
    RateLimiterUnavailableError,
    ResponseFormatError,
    ServiceUnavailableError,
    TimestampError,
    TooManyCurrenciesError,
    TransportError,
    error_for_code,
)

try:
    __version__ = version("okx-ext")
except PackageNotFoundError:  # pragma: no cover - running from a source tree not installed
    __version__ = "0+unknown"

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
