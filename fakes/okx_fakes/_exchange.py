"""The fake exchange: all state, and the one function that answers a request.

:meth:`FakeExchange.handle` decides everything, in this order:

1. injected faults (FIFO; they apply before anything else and never touch the rate window),
2. routing (only ``GET /api/v5/account/max-withdrawal`` is modelled; anything else: 404),
3. authentication, first failure wins (see :data:`AUTH_ORDER`),
4. the rate limit (20 requests per 2 s per uid, sliding window on the fake's clock;
   rejected requests do not consume it, requests answered with a parameter error do),
5. parameters, then the answer. ``ccy`` missing or empty: every held currency, in the
   order first set. Otherwise the percent-decoded value is split on commas: more than 20
   items -> 50025 (counted before duplicates collapse); an item that is not 1 to 32
   ASCII letters/digits (empty, a space, ``-``...) -> 51000; a repeated ``ccy``
   parameter -> 51000. Items are case-insensitive (answered upper-case), duplicates are
   answered once, in the order asked; other parameters are ignored.

Every request is recorded (:class:`RequestRecord`, no secrets), whatever its outcome.
The three ways in (``FakeAccountAPI``, ``install()``, ``serve()``) only translate to and
from :class:`FakeRequest`/:class:`FakeResponse`.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import itertools
import math
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import unquote

from okx_fakes._accounts import CCY_PATTERN, FakeAccount, check_mode
from okx_fakes._errors import ERRORS, MAX_CCY_COUNT, NOT_FOUND, SUCCESS_CODE, error_body
from okx_fakes._wire import is_sendable_header_value

if TYPE_CHECKING:
    import httpx

    from okx_fakes._server import FakeServer
    from okx_fakes._transport import Installation

__all__ = [
    "AUTH_ORDER",
    "MAX_CCY_COUNT",
    "MAX_WITHDRAWAL_PATH",
    "RATE_LIMIT_REQUESTS",
    "RATE_LIMIT_WINDOW_S",
    "FakeExchange",
    "FakeRequest",
    "FakeResponse",
    "RequestRecord",
]

MAX_WITHDRAWAL_PATH = "/api/v5/account/max-withdrawal"
RATE_LIMIT_REQUESTS = 20
RATE_LIMIT_WINDOW_S = 2.0
DEFAULT_MAX_SKEW_S = 30.0

# The order in which the fake checks authentication; the first failure is answered.
AUTH_ORDER = (
    ("50103", "OK-ACCESS-KEY header missing or empty"),
    ("50106", "OK-ACCESS-SIGN header missing or empty"),
    ("50107", "OK-ACCESS-TIMESTAMP header missing or empty"),
    ("50104", "OK-ACCESS-PASSPHRASE header missing or empty"),
    ("50112", "timestamp not ISO-8601 UTC with milliseconds, e.g. 2024-01-02T03:04:05.678Z"),
    ("50102", "timestamp more than max_skew_s away from the fake's clock"),
    ("50111", "API key unknown"),
    ("50105", "passphrase does not match the key"),
    ("50101", 'x-simulated-trading is not "1" for a demo key, or not absent/"0" for a live key'),
    ("50113", "signature is not base64(HMAC-SHA256(secret, ts + METHOD + path?query + body))"),
)

# An OKX timestamp is this, then the second, ".", the milliseconds and "Z".
_MINUTE_PREFIX = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:")
_JSON_HEADERS = (("content-type", "application/json"),)
_FIRST_UID = 100_000_000_000_001  # OKX user ids are 15+ digit numbers
# A NamedTuple's own constructor is a Python function (defaults, keywords) costing twice as
# much as this; the per-request path builds its tuples with every field given, in order.
tuple_new = tuple.__new__


class FakeRequest(NamedTuple):
    """A request as it reaches the exchange (immutable).

    ``target`` is the path and query exactly as on the wire (percent-encoded, e.g.
    ``/api/v5/account/max-withdrawal?ccy=BTC,%20ETH``); ``headers`` has lower-case names.
    """

    method: str
    target: str
    headers: Mapping[str, str] = MappingProxyType({})
    body: bytes = b""

    def __repr__(self) -> str:
        # Headers carry the key, passphrase and signature: never show them.
        return f"FakeRequest(method={self.method!r}, target={self.target!r})"


class FakeResponse(NamedTuple):
    """The answer (immutable): HTTP status, raw body, headers; or a dropped connection."""

    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = _JSON_HEADERS
    network_fault: bool = False


class RequestRecord(NamedTuple):
    """One handled request, secrets never captured (a tuple: cheap to keep by thousands).

    ``query`` is the raw query string as received; ``uid`` is None when the request
    failed before its key was known; ``code`` is the OKX code answered (None for an
    injected raw HTTP body or network fault); ``status`` is None for a network fault;
    ``time`` is the fake's clock when it was answered.
    """

    method: str
    path: str
    query: str
    uid: str | None
    code: str | None
    status: int | None
    time: float


class _Key(NamedTuple):
    secret: str
    passphrase_bytes: bytes
    demo: bool
    account: FakeAccount


@dataclass(frozen=True)
class _Fault:
    response: FakeResponse
    code: str | None


@dataclass
class _QueuedFault:
    """A fault and how many more requests it answers (a count: ``times`` may be huge)."""

    fault: _Fault
    remaining: int


_ERROR_RESPONSES = {
    code: FakeResponse(spec.status, error_body(code, spec.message()))
    for code, spec in ERRORS.items()
}


_NOT_FOUND_RESPONSE = FakeResponse(
    NOT_FOUND.status, error_body(str(NOT_FOUND.status), NOT_FOUND.template)
)


class FakeExchange:
    """An in-memory OKX exchange serving ``GET /api/v5/account/max-withdrawal``.

    ``clock`` returns epoch seconds; None means ``time.time`` looked up at each call, so
    freezegun moves it. ``max_skew_s`` bounds ``|OK-ACCESS-TIMESTAMP - clock|`` (None turns
    the check off, handy with a simulated clock). ``max_records`` keeps only that many of
    the latest :attr:`requests` (None: all; a long-running server wants a bound).
    Thread-safe: one lock guards all state.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] | None = None,
        max_skew_s: float | None = DEFAULT_MAX_SKEW_S,
        max_records: int | None = None,
    ) -> None:
        if max_records is not None and (
            isinstance(max_records, bool) or not isinstance(max_records, int) or max_records < 1
        ):
            raise ValueError(f"max_records must be a positive int or None, got {max_records!r}")
        if max_skew_s is not None and (
            isinstance(max_skew_s, bool) or not isinstance(max_skew_s, (int, float))
            or not max_skew_s >= 0  # NaN too
        ):
            raise ValueError(f"max_skew_s must be a number >= 0 or None, got {max_skew_s!r}")
        self._clock = clock
        self.max_skew_s = max_skew_s
        self._lock = threading.Lock()
        self._keys: dict[str, _Key] = {}
        self._accounts: dict[str, FakeAccount] = {}
        self._windows: dict[str, deque[float]] = {}
        self._faults: deque[_QueuedFault] = deque()
        self._records: deque[RequestRecord] = deque(maxlen=max_records)
        self._uid_counter = itertools.count(_FIRST_UID)

    def __repr__(self) -> str:
        return f"FakeExchange(accounts={len(self._accounts)}, keys={len(self._keys)})"

    def now(self) -> float:
        """Return the fake's clock, in epoch seconds (ValueError if it reads NaN or infinity)."""
        epoch_s = (self._clock or time.time)()
        if not math.isfinite(epoch_s):  # NaN would freeze the rate window, silently
            raise ValueError(f"the exchange's clock returned {epoch_s!r}, not finite epoch seconds")
        return epoch_s

    # -- state -------------------------------------------------------------------------

    def add_account(
        self,
        api_key: str,
        secret_key: str,
        passphrase: str,
        *,
        mode: str | None = None,
        demo: bool = True,
        uid: str | None = None,
    ) -> FakeAccount:
        """Register an API key and return the account it belongs to.

        A new ``uid`` (default: a fresh deterministic one) creates an account in ``mode``
        (default "spot"). An existing ``uid`` adds a sub-key to that account, sharing its
        balances, mode and rate limit; passing a different ``mode`` then raises ValueError.
        ``demo`` is per key: a demo key must send ``x-simulated-trading: 1``.
        Raises ValueError for a duplicate or empty ``api_key``, and for credentials no client
        can send: ``api_key`` and ``passphrase`` travel in HTTP headers (ASCII, no control
        character, no surrounding whitespace), ``secret_key`` is UTF-8 encoded to sign.
        """
        for name, value in (("api_key", api_key), ("secret_key", secret_key),
                            ("passphrase", passphrase)):
            if not isinstance(value, str) or not value:
                raise ValueError(f"{name} must be a non-empty str")
        for name, value in (("api_key", api_key), ("passphrase", passphrase)):
            if not is_sendable_header_value(value):
                raise ValueError(f"{name} cannot be sent in an HTTP header (non-ASCII, control "
                                 "character or surrounding whitespace; value not shown)")
        try:
            secret_key.encode()
        except UnicodeEncodeError:
            raise ValueError("secret_key is not encodable as UTF-8 (value not shown)") from None
        checked_mode = None if mode is None else check_mode(mode)
        if uid is not None and (not isinstance(uid, str) or not uid):
            raise ValueError("uid must be a non-empty str")
        with self._lock:
            if api_key in self._keys:
                raise ValueError("this api_key is already registered on the exchange")
            if uid is None:
                uid = self._fresh_uid_locked()
            account = self._accounts.get(uid)
            if account is None:
                account = FakeAccount(uid, checked_mode or "spot", self._lock)
                self._accounts[uid] = account
            elif checked_mode is not None and checked_mode != account.mode:
                raise ValueError(
                    f"uid {uid!r} is a {account.mode!r} account; cannot add a key as {mode!r}"
                )
            self._keys[api_key] = _Key(secret_key, passphrase.encode(), bool(demo), account)
        return account

    def _fresh_uid_locked(self) -> str:
        while True:
            uid = str(next(self._uid_counter))
            if uid not in self._accounts:
                return uid

    def account(self, uid: str) -> FakeAccount:
        """Return the account with this uid (KeyError if none)."""
        with self._lock:
            return self._accounts[uid]

    @property
    def accounts(self) -> list[FakeAccount]:
        """All accounts, in creation order."""
        with self._lock:
            return list(self._accounts.values())

    @property
    def requests(self) -> list[RequestRecord]:
        """A copy of the handled requests, oldest first (no secrets are ever recorded)."""
        with self._lock:
            return list(self._records)

    def reset_requests(self) -> None:
        """Forget recorded requests (the rate-limit windows are kept)."""
        with self._lock:
            self._records.clear()

    def reset_rate_limits(self) -> None:
        """Empty every uid's rate-limit window."""
        with self._lock:
            self._windows.clear()

    # -- faults ------------------------------------------------------------------------

    def fail_next(self, code: str | int, *, times: int = 1, msg: str | None = None) -> None:
        """Answer the next ``times`` requests with OKX error ``code`` (status from the table).

        ``msg`` defaults to the table's message. Faults queue in FIFO order with the other
        ``fail_next_*`` calls and apply before authentication.
        """
        code_str = str(code)
        if code_str not in ERRORS:
            raise ValueError(
                f"unknown OKX code {code_str!r}; known: {sorted(ERRORS)} "
                "(use fail_next_http for arbitrary answers)"
            )
        spec = ERRORS[code_str]
        text = spec.message() if msg is None else msg
        self._enqueue(_Fault(FakeResponse(spec.status, error_body(code_str, text)), code_str),
                      times)

    def fail_next_http(
        self,
        status: int,
        body: bytes | str,
        *,
        times: int = 1,
        content_type: str = "text/html; charset=utf-8",
    ) -> None:
        """Answer the next ``times`` requests with a raw HTTP ``status`` and ``body``."""
        if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
            raise ValueError(f"status must be an HTTP status code (100-599), got {status!r}")
        raw = body.encode("utf-8") if isinstance(body, str) else bytes(body)
        self._enqueue(_Fault(FakeResponse(status, raw, (("content-type", content_type),)), None),
                      times)

    def fail_next_network(self, times: int = 1) -> None:
        """Drop the connection on the next ``times`` requests.

        ``install()`` and ``FakeAccountAPI`` raise ``httpx.ConnectError``; ``serve()``
        closes the socket without answering (httpx then raises ``RemoteProtocolError``).
        """
        self._enqueue(_Fault(FakeResponse(0, b"", (), network_fault=True), None), times)

    def clear_faults(self) -> None:
        """Drop every queued fault."""
        with self._lock:
            self._faults.clear()

    def _enqueue(self, fault: _Fault, times: int) -> None:
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            raise ValueError(f"times must be a positive int, got {times!r}")
        with self._lock:
            self._faults.append(_QueuedFault(fault, times))

    # -- the one request path ------------------------------------------------------------

    def handle(self, request: FakeRequest) -> FakeResponse:
        """Answer one request: faults, routing, auth, rate limit, parameters, answer."""
        path, _, query = request.target.partition("?")
        fault = None
        if self._faults:  # an unlocked peek keeps the common path to one lock fewer
            with self._lock:
                fault = self._pop_fault_locked()
        if fault is not None:
            return self._finish(request.method, path, query, fault.response, fault.code, None)
        if request.method != "GET" or path != MAX_WITHDRAWAL_PATH:
            return self._finish(request.method, path, query, _NOT_FOUND_RESPONSE, None, None)
        code, key = self._authenticate(request)
        if key is None:
            return self._finish(request.method, path, query, _ERROR_RESPONSES[str(code)], code,
                                None)
        if code is not None:
            return self._finish(request.method, path, query, _ERROR_RESPONSES[code], code,
                                key.account.uid)
        return self._answer(key.account, request.method, path, query)

    def _pop_fault_locked(self) -> _Fault | None:
        if not self._faults:
            return None
        queued = self._faults[0]
        queued.remaining -= 1
        if queued.remaining == 0:
            self._faults.popleft()
        return queued.fault

    def _finish(self, method: str, path: str, query: str, response: FakeResponse,
                code: str | None, uid: str | None) -> FakeResponse:
        """Record a request answered before the rate limit, and return its response."""
        status = None if response.network_fault else response.status
        with self._lock:
            self._records.append(
                RequestRecord(method, path, query, uid, code, status, self.now())
            )
        return response

    def _authenticate(self, request: FakeRequest) -> tuple[str | None, _Key | None]:
        """Return the first failing code of AUTH_ORDER (None: all passed) and the key if known."""
        headers = request.headers
        api_key = headers.get("ok-access-key")
        signature = headers.get("ok-access-sign")
        timestamp = headers.get("ok-access-timestamp")
        passphrase = headers.get("ok-access-passphrase")
        if not api_key:
            return "50103", None
        if not signature:
            return "50106", None
        if not timestamp:
            return "50107", None
        if not passphrase:
            return "50104", None
        sent_at = _parse_timestamp(timestamp)
        if sent_at is None:
            return "50112", None
        if self.max_skew_s is not None and abs(sent_at - self.now()) > self.max_skew_s:
            return "50102", None
        # No lock: one dict read is atomic, and add_account only ever adds whole entries.
        key = self._keys.get(api_key)
        if key is None:
            return "50111", None
        if not hmac.compare_digest(passphrase.encode(), key.passphrase_bytes):
            return "50105", key
        if not _environment_matches(key.demo, headers.get("x-simulated-trading")):
            return "50101", key
        if not _signature_matches(key.secret, signature, timestamp, request):
            return "50113", key
        return None, key

    def _answer(self, account: FakeAccount, method: str, path: str, query: str) -> FakeResponse:
        """Apply the rate limit and parameters, answer and record, in one critical section."""
        param_error, wanted = _parse_ccy(query)
        uid = account.uid
        with self._lock:
            now = self.now()
            window = self._windows.get(uid)
            if window is None:
                window = self._windows[uid] = deque()
            while window and window[0] <= now - RATE_LIMIT_WINDOW_S:
                window.popleft()
            if len(window) >= RATE_LIMIT_REQUESTS:
                code = "50011"
                response = _ERROR_RESPONSES[code]
            else:
                window.append(now)
                if param_error is not None:
                    code = param_error
                    response = _ERROR_RESPONSES[code]
                else:
                    code = SUCCESS_CODE
                    currencies = account._all_locked() if wanted is None else wanted
                    data = b",".join([account._fragment_locked(ccy) for ccy in currencies])
                    body = b'{"code":"0","data":[' + data + b'],"msg":""}'
                    response = tuple_new(FakeResponse, (200, body, _JSON_HEADERS, False))
            self._records.append(
                tuple_new(RequestRecord, (method, path, query, uid, code, response.status, now))
            )
        return response

    # -- the other ways in ----------------------------------------------------------------

    def install(self, api: httpx.Client) -> Installation:
        """Route a real python-okx client (any ``httpx.Client``) to this exchange.

        Replaces the client's transport and mounted transports; returns an
        :class:`~okx_fakes.Installation`: call ``uninstall()`` or use it as a context manager
        to put the original transports back. Any ``base_url`` works.
        """
        from okx_fakes._transport import install

        return install(self, api)

    @contextmanager
    def serve(self, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
        """Serve this exchange over HTTP on ``host:port`` (0: a free port); yields the base URL.

        Stops cleanly on exit: the listening socket is closed and the threads joined.
        """
        with self.server(host, port) as server:
            yield server.url

    def server(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        log: Callable[[str], None] | None = None,
    ) -> FakeServer:
        """Return a :class:`~okx_fakes.FakeServer` for this exchange, bound but not started."""
        from okx_fakes._server import FakeServer

        return FakeServer(self, host, port, log=log)


def _parse_timestamp(timestamp: str) -> float | None:
    """Return epoch seconds for an OKX timestamp (``2024-01-02T03:04:05.678Z``), else None."""
    # Three exact lookups, each also the check of its part: 17 + 3 + 4 = 24 characters.
    minute_start = _minute_start(timestamp[:17])
    second = _SECONDS.get(timestamp[17:20])
    milli_s = _MILLIS.get(timestamp[20:])
    if minute_start is None or second is None or milli_s is None:
        return None
    return minute_start + second + milli_s


# Every valid "SS." and "mmmZ" part of a timestamp, with its value.
_SECONDS = {f"{second:02d}.": second for second in range(60)}
_MILLIS = {f"{milli:03d}Z": milli / 1000 for milli in range(1000)}


# Requests come many per minute (even on a fast simulated clock): the date, hour and minute
# are checked and converted once per minute, strptime being the slow part.
@functools.lru_cache(maxsize=64)
def _minute_start(prefix: str) -> int | None:
    """Return the epoch of ``YYYY-MM-DDTHH:MM:`` (UTC), or None if that is not a valid minute."""
    if _MINUTE_PREFIX.fullmatch(prefix) is None:
        return None
    day, hour, minute = prefix[:10], int(prefix[11:13]), int(prefix[14:16])
    if hour > 23 or minute > 59:
        return None
    try:
        day_start = datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=timezone.utc)
    except ValueError:  # a date that does not exist, e.g. 2023-02-29
        return None
    return int(day_start.timestamp()) + hour * 3600 + minute * 60


def _environment_matches(demo: bool, simulated: str | None) -> bool:
    if demo:
        return simulated == "1"
    return simulated in (None, "0")


def _signature_matches(secret: str, signature: str, timestamp: str, request: FakeRequest) -> bool:
    body = ""
    if request.body:
        try:
            body = request.body.decode("utf-8")
        except UnicodeDecodeError:
            return False
    message = timestamp + request.method.upper() + request.target + body
    return hmac.compare_digest(hmac_b64(secret, message), signature.encode())


@functools.lru_cache(maxsize=64)
def hmac_b64(secret: str, message: str) -> bytes:
    """Return base64(HMAC-SHA256(secret, message)): OKX's signature (okx.utils.sign's bytes).

    Memoised: FakeAccountAPI signs and the exchange then verifies the very same message.
    """
    pads = _hmac_pads(secret)
    if pads is None:
        return base64.b64encode(hmac.digest(secret.encode(), message.encode(), "sha256"))
    inner, outer = pads[0].copy(), pads[1].copy()
    inner.update(message.encode())
    outer.update(inner.digest())
    return base64.b64encode(outer.digest())


_SHA256_BLOCK_BYTES = 64
_IPAD = bytes(byte ^ 0x36 for byte in range(256))  # RFC 2104's pads, as bytes.translate tables
_OPAD = bytes(byte ^ 0x5C for byte in range(256))


@functools.lru_cache(maxsize=64)
def _hmac_pads(secret: str) -> tuple[hashlib._Hash, hashlib._Hash] | None:
    """Return RFC 2104's inner and outer SHA-256 states keyed with ``secret``, to copy per message.

    ``hmac.digest`` re-keys both states on every call, half of its cost; a copy is cheap.
    Only for keys of at most one block: a longer key (first hashed, per the RFC) is left to
    ``hmac.digest`` (None), so that no rare branch of this construction goes untested.
    """
    key = secret.encode()
    if len(key) > _SHA256_BLOCK_BYTES:
        return None
    key = key.ljust(_SHA256_BLOCK_BYTES, b"\0")
    return hashlib.sha256(key.translate(_IPAD)), hashlib.sha256(key.translate(_OPAD))


@functools.lru_cache(maxsize=1024)
def _parse_ccy(query: str) -> tuple[str | None, tuple[str, ...] | None]:
    """Return ``(error code, None)`` or ``(None, currencies asked for)``; None means all held."""
    values = []
    for pair in query.split("&") if query else ():
        name, _, value = pair.partition("=")
        if unquote(name) == "ccy":
            values.append(unquote(value))
    if len(values) > 1:
        return "51000", None
    if not values or values[0] == "":
        return None, None
    items = values[0].split(",")
    if len(items) > MAX_CCY_COUNT:
        return "50025", None
    if not all(CCY_PATTERN.fullmatch(item) for item in items):
        return "51000", None
    return None, tuple(dict.fromkeys(item.upper() for item in items))
