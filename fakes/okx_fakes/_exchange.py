"""The fake exchange's model: its state, faults, rate windows and the one request path.

:meth:`FakeExchange.handle` decides everything, in this order:

1. injected faults (FIFO; they apply before anything else and never touch a rate window),
2. routing through :data:`ROUTES`: a path it lists asked with another method answers
   50115 (HTTP 405), any other path 404,
3. authentication, first failure wins (see :data:`AUTH_ORDER`),
4. the route's permission ("read" or "trade"): a key without it answers 50120,
5. the route's rate limit (a sliding window on the fake's clock per route, uid and the
   route's optional extra key part; rejected requests do not consume it, requests answered
   with a parameter error do; the route names its refusal code),
6. the route's handler, which reads the parameters and answers.

Every request is recorded (:class:`RequestRecord`, no secrets), whatever its outcome.
The ways in (``FakeAccountAPI``, ``install()``, ``serve()``) only translate to and from
:class:`FakeRequest`/:class:`FakeResponse`; this module imports none of them.
"""

from __future__ import annotations

import datetime
import hmac
import itertools
import math
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from okx_fakes._accounts import FIRST_TRANS_ID, FakeAccount, check_mode
from okx_fakes._auth import is_epoch_digits, parse_timestamp, prehash, signature_matches
from okx_fakes._errors import ERRORS, error_response, not_found_response
from okx_fakes._facts import (
    BALANCES_PATH,
    BALANCES_RATE_LIMIT_REQUESTS,
    DEFAULT_MAX_SKEW_S,
    MAX_WITHDRAWAL_PATH,
    ONE_SECOND,
    PERMISSIONS,
    RATE_LIMIT_REQUESTS,
    RATE_LIMIT_WINDOW_S,
    TRANSFER_PATH,
    TRANSFER_RATE_LIMIT_REQUESTS,
    TRANSFER_STATE_PATH,
    TRANSFER_STATE_RATE_LIMIT_REQUESTS,
    Permission,
)
from okx_fakes._funding import balances, transfer, transfer_rate_key, transfer_state
from okx_fakes._params import Handler, ccy_list, ok_response
from okx_fakes._types import FakeRequest, FakeResponse, RequestRecord
from okx_fakes._wire import is_sendable_header_value

if TYPE_CHECKING:
    import httpx

    from okx_fakes._server import FakeServer
    from okx_fakes._transport import Installation
    from okx_fakes._wsgi import FakeWSGIApp

__all__ = ["AUTH_ORDER", "ROUTES", "ExchangeState", "FakeExchange", "Route", "default_clock"]


# The order in which the fake checks authentication; the first failure is answered.
AUTH_ORDER = (
    ("50103", "OK-ACCESS-KEY header missing or empty"),
    ("50106", "OK-ACCESS-SIGN header missing or empty"),
    ("50107", "OK-ACCESS-TIMESTAMP header missing or empty"),
    ("50104", "OK-ACCESS-PASSPHRASE header missing or empty"),
    ("50112", "timestamp neither ISO-8601 UTC with milliseconds (2024-01-02T03:04:05.678Z) "
              "nor all digits"),
    ("50102", "timestamp all digits (epoch milliseconds, 1607417337715: okxapi/python-okx#55), "
              "or more than max_skew_s away from the fake's clock"),
    ("50111", "API key unknown"),
    ("50105", "passphrase does not match the key"),
    ("50101", 'x-simulated-trading is not "1" for a demo key, or not absent/"0" for a live key'),
    ("50113", "signature is not base64(HMAC-SHA256(secret, ts + METHOD + path?query + body))"),
)



def default_clock() -> float:
    """Return now in epoch seconds from ``datetime.datetime.now(timezone.utc)``.

    python-okx signs with ``datetime``; the module attribute is read at each call, so
    freezegun (which freezes ``datetime`` in every thread, ``time.time`` not in threads)
    moves the fake's clock and the SDK's timestamps together.
    """
    return datetime.datetime.now(datetime.timezone.utc).timestamp()


_FIRST_UID = 100_000_000_000_001  # assumption: OKX user ids look like 15+ digit numbers



@dataclass(frozen=True)
class Route:
    """One modelled endpoint: handler, permission and rate limit.

    ``handler(account, query, body, now)`` answers an authenticated, admitted request with
    ``(OKX code, response)``; it runs under the exchange's lock, so it may read and change
    the account. ``permission`` is what the key needs ("read" or "trade"; else 50120).
    The rate limit admits ``rate_limit_requests`` per ``rate_limit_window_s`` per uid and,
    when ``rate_limit_key`` is given, per the extra key part it returns for ``(query,
    body)`` (e.g. the currency); the next request answers ``rate_limit_code``.
    """

    handler: Handler
    rate_limit_requests: int
    rate_limit_window_s: float
    permission: Permission = "read"
    rate_limit_code: str = "50011"
    rate_limit_key: Callable[[str, bytes], str] | None = None


@dataclass(frozen=True)
class _Key:
    secret: str = field(repr=False)
    passphrase: str = field(repr=False)
    demo: bool
    account: FakeAccount
    permissions: frozenset[str]

    def __repr__(self) -> str:
        # Snapshots and pytest's diffs show keys: never the secret or the passphrase.
        return f"_Key(uid={self.account.uid!r})"


@dataclass(frozen=True)
class ExchangeState:
    """What :meth:`FakeExchange.snapshot` returns and :meth:`FakeExchange.restore` takes."""

    # Keyed by API key: left out of comparisons, so that no diff (pytest's) ever prints one.
    keys: dict[str, _Key] = field(repr=False, compare=False)
    accounts: dict[str, dict[str, object]] = field(default_factory=dict)
    next_uid: int = 0
    next_trans_id: int = 0

    def __repr__(self) -> str:
        # The keys hold secrets.
        return f"ExchangeState(accounts={len(self.accounts)}, keys={len(self.keys)})"


@dataclass(frozen=True)
class _Fault:
    response: FakeResponse
    code: str | None


@dataclass
class _QueuedFault:
    """A fault and how many more requests it answers (a count: ``times`` may be huge)."""

    fault: _Fault
    remaining: int


class FakeExchange:
    """An in-memory OKX exchange answering the routes of :data:`ROUTES`.

    ``clock`` returns epoch seconds; None means :func:`default_clock`, the source python-okx
    signs with, looked up at each call, so freezegun moves both sides alike in every thread.
    ``max_skew_s`` bounds ``|OK-ACCESS-TIMESTAMP - clock|`` (None turns the check off, handy
    with a simulated clock). ``max_records`` keeps only that many of the latest
    :attr:`requests` (None: all; a long-running server wants a bound).
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
        self._windows: dict[tuple[str, str, str], deque[float]] = {}
        self._sweep_at = _MIN_SWEEP_AT
        self._faults: deque[_QueuedFault] = deque()
        self._records: deque[RequestRecord] = deque(maxlen=max_records)
        self._uid_counter = itertools.count(_FIRST_UID)
        self._trans_ids = itertools.count(FIRST_TRANS_ID)

    def __repr__(self) -> str:
        return f"FakeExchange(accounts={len(self._accounts)}, keys={len(self._keys)})"

    def now(self) -> float:
        """Return the fake's clock, in epoch seconds (ValueError if it reads NaN or infinity)."""
        epoch_s = (self._clock or default_clock)()
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
        permissions: Iterable[str] = PERMISSIONS,
    ) -> FakeAccount:
        """Register an API key and return the account it belongs to.

        A new ``uid`` (default: a fresh deterministic one) creates an account in ``mode``
        (default "spot"). An existing ``uid`` adds a sub-key to that account, sharing its
        balances, mode and rate limit; passing a different ``mode`` then raises ValueError.
        ``demo`` is per key: a demo key must send ``x-simulated-trading: 1``.
        ``permissions`` is per key too, a subset of ``("read", "trade")``: reads need "read",
        a transfer needs "trade" (else 50120); ValueError for anything else.
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
        granted = _check_permissions(permissions)
        if uid is not None and (not isinstance(uid, str) or not uid):
            raise ValueError("uid must be a non-empty str")
        with self._lock:
            if api_key in self._keys:
                raise ValueError("this api_key is already registered on the exchange")
            if uid is None:
                uid = self._fresh_uid_locked()
            account = self._accounts.get(uid)
            if account is None:
                account = FakeAccount(uid, checked_mode or "spot", self._lock, self._trans_ids)
                self._accounts[uid] = account
            elif checked_mode is not None and checked_mode != account.mode:
                raise ValueError(
                    f"uid {uid!r} is a {account.mode!r} account; cannot add a key as {mode!r}"
                )
            self._keys[api_key] = _Key(secret_key, passphrase, bool(demo), account, granted)
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

    def account_for_key(self, api_key: str) -> FakeAccount:
        """Return the account an API key belongs to (KeyError, the key not shown, if none)."""
        with self._lock:
            key = self._keys.get(api_key)
        if key is None:
            raise KeyError("no account has this api key (key not shown)")
        return key.account

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

    def snapshot(self) -> ExchangeState:
        """Return the accounts, keys and balances as they are now, for :meth:`restore`."""
        with self._lock:
            next_uid = next(self._uid_counter)
            self._uid_counter = itertools.count(next_uid)
            next_trans_id = next(self._trans_ids)
            self._share_trans_ids_locked(next_trans_id)
            return ExchangeState(
                dict(self._keys),
                {uid: account._state_locked() for uid, account in self._accounts.items()},
                next_uid,
                next_trans_id,
            )

    def _share_trans_ids_locked(self, next_trans_id: int) -> None:
        """Start the transfer ids at ``next_trans_id``, for the exchange and every account."""
        self._trans_ids = itertools.count(next_trans_id)
        for account in self._accounts.values():
            account._trans_ids = self._trans_ids  # each account holds the exchange's counter

    def restore(self, state: ExchangeState) -> None:
        """Go back to ``state``: its accounts, keys and balances; no faults, records or windows.

        The next uid and the next transfer id are the state's too. Accounts in ``state``
        keep their identity (a held ``FakeAccount`` sees the restored balances); accounts
        added since are dropped.
        """
        with self._lock:
            self._keys = dict(state.keys)
            kept = {}
            for key in self._keys.values():
                kept[key.account.uid] = key.account
            for uid, account_state in state.accounts.items():
                kept[uid]._restore_locked(account_state)
            self._accounts = {uid: kept[uid] for uid in state.accounts}
            self._uid_counter = itertools.count(state.next_uid)
            self._share_trans_ids_locked(state.next_trans_id)
            self._faults.clear()
            self._records.clear()
            self._windows.clear()

    def reset_requests(self) -> None:
        """Forget recorded requests (the rate-limit windows are kept)."""
        with self._lock:
            self._records.clear()

    def reset_rate_limits(self) -> None:
        """Empty every rate-limit window."""
        with self._lock:
            self._windows.clear()

    # -- faults ------------------------------------------------------------------------

    def fail_next(self, code: str | int, *, times: int = 1, msg: str | None = None) -> None:
        """Answer the next ``times`` requests with OKX error ``code`` (status from the table).

        ``msg`` defaults to the table's message. Faults queue in FIFO order with the other
        ``fail_next_*`` calls and apply before authentication. ValueError for an unknown
        code, or a ``msg`` that is not a str encodable as UTF-8 (the body is UTF-8 JSON).
        """
        code_str = str(code)
        if code_str not in ERRORS:
            raise ValueError(
                f"unknown OKX code {code_str!r}; known: {sorted(ERRORS)} "
                "(use fail_next_http for arbitrary answers)"
            )
        if msg is not None:
            _check_utf8("msg", msg)
        self._enqueue(_Fault(error_response(code_str, msg), code_str), times)

    def fail_next_http(
        self,
        status: int,
        body: bytes | str,
        *,
        times: int = 1,
        content_type: str = "text/html; charset=utf-8",
    ) -> None:
        """Answer the next ``times`` requests with a raw HTTP ``status`` and ``body``.

        ValueError for a status outside 100-599, a ``body`` neither bytes nor a str
        encodable as UTF-8, or a ``content_type`` no HTTP client could receive as a
        header value (non-ASCII, a control character such as a line break).
        """
        if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
            raise ValueError(f"status must be an HTTP status code (100-599), got {status!r}")
        if isinstance(body, str):
            raw = _check_utf8("body", body)
        elif isinstance(body, (bytes, bytearray, memoryview)):
            raw = bytes(body)
        else:
            raise ValueError(f"body must be bytes or str, got {type(body).__name__}")
        if not isinstance(content_type, str) or not is_sendable_header_value(content_type):
            # A line break would inject a header; non-ASCII fails the server when it answers.
            raise ValueError("content_type must be a str sendable as an HTTP header value "
                             "(ASCII, no control character, no surrounding whitespace)")
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
        """Answer one request: faults, routing, auth, rate limit, then the route's handler."""
        path, _, query = request.target.partition("?")
        with self._lock:
            fault = self._pop_fault_locked()
        if fault is not None:
            return self._finish(request.method, path, query, fault.response, fault.code, None)
        route = ROUTES.get((request.method, path))
        if route is None:
            if any(known == path for _, known in ROUTES):
                return self._finish(request.method, path, query, error_response("50115"),
                                    "50115", None)
            return self._finish(request.method, path, query, not_found_response(), None, None)
        code, key = self._authenticate(request)
        if code is not None:
            uid = None if key is None else key.account.uid
            return self._finish(request.method, path, query, error_response(code), code, uid)
        assert key is not None  # authenticated
        if route.permission not in key.permissions:
            return self._finish(request.method, path, query, error_response("50120"), "50120",
                                key.account.uid)
        return self._answer(route, key, request, path, query)

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
        """Record a request answered before its rate limit, and return its response."""
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
        if is_epoch_digits(timestamp):
            return "50102", None
        sent_at = parse_timestamp(timestamp)
        if sent_at is None:
            return "50112", None
        if self.max_skew_s is not None and abs(sent_at - self.now()) > self.max_skew_s:
            return "50102", None
        with self._lock:
            key = self._keys.get(api_key)
        if key is None:
            return "50111", None
        if not _same_secret(passphrase, key.passphrase):
            return "50105", key
        if not _environment_matches(key.demo, headers.get("x-simulated-trading")):
            return "50101", key
        try:
            body = request.body.decode("utf-8")
        except UnicodeDecodeError:  # assumption: OKX cannot have signed it, so 50113
            return "50113", key
        message = prehash(timestamp, request.method, request.target, body)
        if not signature_matches(key.secret, message, signature):
            return "50113", key
        return None, key

    def _answer(self, route: Route, key: _Key, request: FakeRequest, path: str,
                query: str) -> FakeResponse:
        """Apply the route's rate limit, answer and record, in one critical section.

        A key dropped since authentication (a concurrent :meth:`restore`) answers 50111,
        as an unknown key: its account may be orphaned, and must not be changed.
        """
        with self._lock:
            now = self.now()
            if self._keys.get(request.headers.get("ok-access-key", "")) is not key:
                response = error_response("50111")
                self._records.append(RequestRecord(request.method, path, query, None, "50111",
                                                   response.status, now))
                return response
            account = key.account
            extra = "" if route.rate_limit_key is None else route.rate_limit_key(query,
                                                                                  request.body)
            self._sweep_windows_locked(now)
            window = self._windows.setdefault((path, account.uid, extra), deque())
            while window and window[0] <= now - route.rate_limit_window_s:
                window.popleft()
            if len(window) >= route.rate_limit_requests:
                code, response = route.rate_limit_code, error_response(route.rate_limit_code)
            else:
                window.append(now)
                code, response = route.handler(account, query, request.body, now)
            self._records.append(
                RequestRecord(request.method, path, query, account.uid, code, response.status, now)
            )
        return response

    def _sweep_windows_locked(self, now: float) -> None:
        """Delete every window pruning would leave empty, once the windows have doubled.

        Amortised O(1) per request: windows of currencies or uids never asked again would
        otherwise be kept forever.
        """
        if len(self._windows) < self._sweep_at:
            return
        for window_key, window in list(self._windows.items()):
            if not window or window[-1] <= now - _WINDOW_S[window_key[0]]:
                del self._windows[window_key]
        self._sweep_at = max(_MIN_SWEEP_AT, 2 * len(self._windows))

    # -- the other ways in ----------------------------------------------------------------

    def install(self, api: httpx.Client) -> Installation:
        """Route a real python-okx client (any ``httpx.Client``) to this exchange.

        Replaces the client's transport and mounted transports; returns an
        :class:`~okx_fakes.Installation`: call ``uninstall()`` or use it as a context manager
        to put the original transports back. Any ``base_url`` works.
        """
        from okx_fakes._transport import install

        return install(self, api)

    def wsgi_app(
        self, *, control: bool = True, log: Callable[[str], None] | None = None
    ) -> FakeWSGIApp:
        """Return this exchange's HTTP face: a WSGI application (see :class:`FakeWSGIApp`).

        ``control`` serves the control API under ``/_fake/``; ``log`` receives one line per
        request. ``install()`` and ``serve()`` run this same application.
        """
        from okx_fakes._wsgi import FakeWSGIApp

        return FakeWSGIApp(self, control=control, log=log)

    @contextmanager
    def serve(
        self, host: str = "127.0.0.1", port: int = 0, *, control: bool = True
    ) -> Iterator[str]:
        """Serve this exchange over HTTP on ``host:port`` (0: a free port); yields the base URL.

        Runs on waitress (the ``server`` extra; ModuleNotFoundError naming it without).
        Stops cleanly on exit: the sockets are closed and the threads joined.
        """
        with self.server(host, port, control=control) as server:
            yield server.url

    def server(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        log: Callable[[str], None] | None = None,
        control: bool = True,
    ) -> FakeServer:
        """Return a :class:`~okx_fakes.FakeServer` for this exchange, bound but not started."""
        from okx_fakes._server import FakeServer

        return FakeServer(self, host, port, log=log, control=control)


def _check_utf8(name: str, text: object) -> bytes:
    """Return ``text`` as UTF-8, or raise ValueError naming ``name`` (a lone surrogate...)."""
    if not isinstance(text, str):
        raise ValueError(f"{name} must be a str, got {type(text).__name__}")
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"{name} is not encodable as UTF-8 (a lone surrogate?)") from None


def _same_secret(sent: str, expected: str) -> bool:
    return hmac.compare_digest(sent.encode(), expected.encode())


def _environment_matches(demo: bool, simulated: str | None) -> bool:
    if demo:
        return simulated == "1"
    return simulated in (None, "0")


# -- routes: (method, path) -> handler -------------------------------------------------------


def max_withdrawal(account: FakeAccount, query: str, body: bytes,
                   now: float) -> tuple[str, FakeResponse]:
    """``GET /api/v5/account/max-withdrawal``: the account's answer for ``ccy``.

    ``ccy`` as :func:`~okx_fakes._params.ccy_list` reads it (empty: every held currency, in
    the order first set); other parameters are ignored.
    """
    code, currencies = ccy_list(query)
    if code is not None:
        return code, error_response(code)
    if currencies is None:
        currencies = account._all_locked()
    return ok_response([account._entry_locked(ccy).as_okx(ccy) for ccy in currencies])


#: The modelled endpoints. Adding one: a handler above and an entry here.
ROUTES: dict[tuple[str, str], Route] = {
    ("GET", MAX_WITHDRAWAL_PATH): Route(max_withdrawal, RATE_LIMIT_REQUESTS, RATE_LIMIT_WINDOW_S),
    ("POST", TRANSFER_PATH): Route(transfer, TRANSFER_RATE_LIMIT_REQUESTS, ONE_SECOND,
                                   permission="trade", rate_limit_code="58102",
                                   rate_limit_key=transfer_rate_key),
    ("GET", TRANSFER_STATE_PATH): Route(transfer_state, TRANSFER_STATE_RATE_LIMIT_REQUESTS,
                                        ONE_SECOND),
    ("GET", BALANCES_PATH): Route(balances, BALANCES_RATE_LIMIT_REQUESTS, ONE_SECOND),
}

# A window's length by its path, to know when it is all stale.
_WINDOW_S = {path: route.rate_limit_window_s for (_, path), route in ROUTES.items()}
# Below this many windows a sweep is not worth its O(n).
_MIN_SWEEP_AT = 64


def _check_permissions(permissions: Iterable[str]) -> frozenset[str]:
    if isinstance(permissions, str):  # "read" would otherwise be the set {"r", "e", "a", "d"}
        raise ValueError(f"permissions must be a collection such as {PERMISSIONS}, not a str")
    granted = frozenset(permissions)
    unknown = granted - set(PERMISSIONS)
    if unknown:
        raise ValueError(f"unknown permissions {', '.join(sorted(map(repr, unknown)))}: "
                         f"expected a subset of {PERMISSIONS}")
    return granted
