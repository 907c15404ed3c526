"""``FakeAccountAPI``: python-okx's ``AccountAPI`` constructor, answered by a fake, no HTTP.

It builds each request exactly as python-okx does (the same unencoded query building,
pre-hash, HMAC and headers, the timestamp in ``utils.get_timestamp``'s format but from
the exchange's clock), percent-encodes the target the way httpx puts it on the wire,
and returns ``json.loads(body)`` like the SDK's ``response.json()``.
"""

from __future__ import annotations

import functools
import json
import math
import re
import warnings
from collections.abc import Callable
from datetime import datetime, timezone
from types import TracebackType
from typing import TYPE_CHECKING, Any, NoReturn

import httpx
from okx import utils as okx_utils
from okx.Account import AccountAPI

from okx_fakes._exchange import (
    MAX_WITHDRAWAL_PATH,
    FakeExchange,
    FakeRequest,
    hmac_b64,
    tuple_new,
)
from okx_fakes._transport import NETWORK_FAULT_MESSAGE
from okx_fakes._wire import check_ascii_headers, check_header_values, is_sendable_header_value

__all__ = ["FakeAccountAPI"]

_NO_CREDENTIAL = "-1"  # python-okx's "not given" marker: such a client sends no auth headers
# Targets made only of these characters go on the wire unchanged (httpx encodes none of them).
_WIRE_SAFE = re.compile(r"[A-Za-z0-9,/?=&._~-]*")
# json.loads's own scanner (C), called directly by _json; it keeps no state between calls.
# (typeshed does not declare the attribute that JSONDecoder.__init__ sets.)
_SCAN_JSON: Callable[[str, int], tuple[Any, int]] = (
    json.JSONDecoder().scan_once  # type: ignore[attr-defined]
)
# httpx refuses a longer URL (httpx._urlparse.MAX_URL_LENGTH) with InvalidURL("URL too long").
_MAX_URL_LENGTH = 65_536
# The real client's other methods (AccountAPI's endpoints and httpx.Client's get, send...):
# on the fake they exist, as hasattr() expects, and raise NotImplementedError when called.
_UNMODELLED_METHODS = frozenset(
    name for name in dir(AccountAPI)
    if not name.startswith("_") and callable(getattr(AccountAPI, name))
) - {"get_max_withdrawal", "close"}
# httpx.Client's life cycle, with its error messages.
_UNOPENED, _OPENED, _CLOSED = "unopened", "opened", "closed"


class FakeAccountAPI:
    """Drop-in for ``okx.Account.AccountAPI`` (same constructor plus ``exchange=``).

    ``exchange`` is required: a hidden module-level default exchange would be state shared
    between tests. ``domain``, ``proxy`` and ``debug`` are accepted and kept for parity but
    nothing is sent anywhere (and nothing is logged: python-okx's debug log prints secrets).
    An injected network fault raises ``httpx.ConnectError``, as through the real SDK.

    Like the real client (an ``httpx.Client``) it is a context manager with ``close()``, and
    a closed one refuses to send. Its other methods exist but raise NotImplementedError:
    only ``get_max_withdrawal`` is modelled.
    """

    def __init__(
        self,
        api_key: str = _NO_CREDENTIAL,
        api_secret_key: str = _NO_CREDENTIAL,
        passphrase: str = _NO_CREDENTIAL,
        use_server_time: bool | None = None,
        flag: str = "1",
        domain: str = "https://www.okx.com",
        debug: bool = False,
        proxy: str | None = None,
        *,
        exchange: FakeExchange,
    ) -> None:
        if not isinstance(exchange, FakeExchange):
            raise TypeError(f"exchange must be a FakeExchange, got {type(exchange).__name__}")
        self.API_KEY = api_key
        self.API_SECRET_KEY = api_secret_key
        self.PASSPHRASE = passphrase
        self.use_server_time = False
        self.flag = flag
        self.domain = domain
        self.debug = debug
        self.proxy = proxy
        self.exchange = exchange
        self._state = _UNOPENED
        self._checked_credentials: tuple[object, ...] | None = None
        if use_server_time is not None:
            warnings.warn("use_server_time parameter is deprecated. Please remove it.",
                          DeprecationWarning, stacklevel=2)

    def __repr__(self) -> str:
        return f"FakeAccountAPI(flag={self.flag!r}, domain={self.domain!r})"

    def __enter__(self) -> FakeAccountAPI:
        if self._state != _UNOPENED:
            raise RuntimeError(
                "Cannot open a client instance more than once." if self._state == _OPENED
                else "Cannot reopen a client instance, once it has been closed."
            )
        self._state = _OPENED
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the client, as ``httpx.Client.close``: later requests raise RuntimeError."""
        self._state = _CLOSED

    if not TYPE_CHECKING:  # at run time only: mypy keeps flagging the unmodelled methods

        def __getattr__(self, name: str) -> Callable[..., NoReturn]:
            """Return a stand-in for one of AccountAPI's unmodelled methods."""
            if name not in _UNMODELLED_METHODS:
                raise AttributeError(
                    f"{type(self).__name__!r} object has no attribute {name!r}", name=name, obj=self
                )
            return functools.partial(_not_modelled, name)

    def get_max_withdrawal(self, ccy: str = "") -> Any:
        """``GET /api/v5/account/max-withdrawal``: the raw OKX answer as a dict."""
        if type(ccy) is str:  # a str subclass may hash, compare or str() unlike its value
            request_path, wire_target = _max_withdrawal_targets(ccy)
        else:  # python-okx str()s whatever it is given
            request_path = MAX_WITHDRAWAL_PATH + okx_utils.parse_params_to_str({"ccy": ccy})
            wire_target = _wire_target(request_path)
        return self._request("GET", request_path, wire_target)

    def _check_credentials(self) -> None:
        """Refuse what the real client could not send: non-str, non-ASCII or illegal headers.

        Remembered (by identity, which no str subclass can fake) until an attribute changes.
        """
        credentials = (self.API_KEY, self.API_SECRET_KEY, self.PASSPHRASE, self.flag)
        headers = {"x-simulated-trading": str(self.flag)}
        if self.API_KEY != _NO_CREDENTIAL:
            for credential in credentials[:3]:
                if not isinstance(credential, str):
                    raise TypeError(f"FakeAccountAPI credentials must be str, "
                                    f"got {type(credential).__name__}")
            headers["ok-access-key"] = self.API_KEY
            headers["ok-access-passphrase"] = self.PASSPHRASE
        if not all(is_sendable_header_value(value) for value in headers.values()):
            check_ascii_headers(headers.items())
            check_header_values((name.encode(), value.encode()) for name, value in headers.items())
        self._checked_credentials = credentials

    def _request(self, method: str, request_path: str, wire_target: str) -> Any:
        """Sign ``request_path`` like python-okx, send ``wire_target`` like httpx, parse."""
        if self._state == _CLOSED:
            raise RuntimeError("Cannot send a request, as the client has been closed.")
        self._state = _OPENED
        checked = self._checked_credentials
        if (checked is None or checked[0] is not self.API_KEY
                or checked[1] is not self.API_SECRET_KEY or checked[2] is not self.PASSPHRASE
                or checked[3] is not self.flag):
            self._check_credentials()
        headers = {"content-type": "application/json", "x-simulated-trading": str(self.flag)}
        if self.API_KEY != _NO_CREDENTIAL:
            timestamp = _okx_timestamp(self.exchange.now())
            # okx.utils.sign(okx.utils.pre_hash(...)): the same bytes, without the debug log.
            signature = hmac_b64(self.API_SECRET_KEY, f"{timestamp}{method.upper()}{request_path}")
            headers["ok-access-key"] = self.API_KEY
            headers["ok-access-sign"] = signature.decode("ascii")
            headers["ok-access-timestamp"] = timestamp
            headers["ok-access-passphrase"] = self.PASSPHRASE
        response = self.exchange.handle(tuple_new(FakeRequest, (method, wire_target, headers, b"")))
        if response.network_fault:
            raise httpx.ConnectError(
                NETWORK_FAULT_MESSAGE, request=httpx.Request(method, self.domain + request_path)
            )
        return _json(response.body)


def _not_modelled(name: str, *args: object, **kwargs: object) -> NoReturn:
    raise NotImplementedError(
        f"FakeAccountAPI.{name} is not modelled: the fake exchange models only "
        "get_max_withdrawal (GET /api/v5/account/max-withdrawal)"
    )


def _json(body: bytes) -> Any:
    """Return ``json.loads(body)`` exactly as httpx's ``Response.json()`` does.

    The fake's own answers (UTF-8, one object, no surrounding whitespace) go straight to
    the decoder's scanner: a fresh dict each call, but without ``json.loads``'s layers
    (encoding detection, BOM check, two whitespace matches), which cost as much as the
    scan itself. Anything else, an error included, is ``json.loads(body)`` itself.
    """
    try:
        text = body.decode("utf-8")
        if text[:1] == "{":
            parsed, end = _SCAN_JSON(text, 0)
            if end == len(text):
                return parsed
    except (UnicodeDecodeError, StopIteration, ValueError):
        pass  # json.loads below raises (or decodes) exactly as httpx would
    return json.loads(body)


@functools.lru_cache(maxsize=256)
def _max_withdrawal_targets(ccy: str) -> tuple[str, str]:
    """Return the path python-okx signs for ``ccy`` and the target httpx then sends."""
    request_path = MAX_WITHDRAWAL_PATH + okx_utils.parse_params_to_str({"ccy": ccy})
    return request_path, _wire_target(request_path)


def _wire_target(request_path: str) -> str:
    """Return the target as httpx puts it on the wire (InvalidURL where httpx raises it)."""
    if len(request_path) <= _MAX_URL_LENGTH and _WIRE_SAFE.fullmatch(request_path):
        return request_path
    return _encoded_target(request_path)


@functools.lru_cache(maxsize=256)
def _encoded_target(request_path: str) -> str:
    return httpx.URL(request_path).raw_path.decode("ascii")


def _okx_timestamp(epoch_s: float) -> str:
    """Return ``utils.get_timestamp()``'s format (ISO-8601, milliseconds, ``Z``) for ``epoch_s``."""
    # datetime.fromtimestamp's rounding: the fraction alone, half-even, to microseconds.
    fraction, whole = math.modf(epoch_s)
    whole_s, micro = int(whole), round(fraction * 1_000_000)
    if micro >= 1_000_000:
        whole_s, micro = whole_s + 1, micro - 1_000_000
    elif micro < 0:
        whole_s, micro = whole_s - 1, micro + 1_000_000
    minute, second = divmod(whole_s, 60)
    return _minute_prefix(minute) + _SECONDS[second] + _MILLIS[micro // 1000]


# Calls come many per minute (even on a fast simulated clock): "YYYY-MM-DDTHH:MM:" is
# formatted once per minute, and the rest is two table lookups rather than number formatting.
@functools.lru_cache(maxsize=16)
def _minute_prefix(minute: int) -> str:
    day, minute_of_day = divmod(minute, 1440)
    date = datetime.fromtimestamp(day * 86_400, timezone.utc).strftime("%Y-%m-%d")
    return f"{date}T{minute_of_day // 60:02d}:{minute_of_day % 60:02d}:"


_SECONDS = tuple(f"{second:02d}." for second in range(60))
_MILLIS = tuple(f"{milli:03d}Z" for milli in range(1000))
