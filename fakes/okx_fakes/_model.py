"""The fake exchange's model: keys and accounts, snapshots, and the one request path.

:meth:`ExchangeModel.handle` decides everything, in this order:

1. injected faults (:class:`~okx_fakes._faults.FaultQueue`, FIFO, an aimed one waiting
   for its path; they apply before anything else and never touch a rate window; a network
   fault ``after_answer`` lets the request through all that follows, then loses its answer),
2. routing through :data:`~okx_fakes._routes.ROUTES`: a path it lists asked with another
   method answers 50115 (HTTP 405), any other path 404,
3. authentication, first failure wins (:data:`~okx_fakes._authenticate.AUTH_CHECKS`),
4. the route's permission ("read" or "trade"): a key without it answers 50120,
5. the route's rate limit (:class:`~okx_fakes._ratewindows.RateWindows`: a sliding window
   on the fake's clock per route, uid and the route's optional extra key part; rejected
   requests do not consume it, requests answered with a parameter error do; the route
   names its refusal code),
6. the route's handler, which reads the parameters and answers.

Every request is recorded (:class:`RequestRecord`, no secrets), whatever its outcome.
This is the core: it imports no adapter. The ways in (``FakeAccountAPI``, the WSGI app,
``install()``, the server, the control API) import it and translate to and from
:class:`FakeRequest`/:class:`FakeResponse`; :class:`~okx_fakes.FakeExchange` adds them
as methods.
"""

from __future__ import annotations

import datetime
import itertools
import math
import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from okx_ext._text import preview
from okx_fakes._accounts import (
    SETTLED_STATES,
    FakeAccount,
    LockedAccount,
    TransferIds,
    TransferRecord,
    check_mode,
)
from okx_fakes._authenticate import KeyRecord, authenticate
from okx_fakes._checks import FieldError, check_positive_int
from okx_fakes._errors import error_response
from okx_fakes._facts import DEFAULT_MAX_SKEW_S, PERMISSIONS
from okx_fakes._faults import (
    Fault,
    FaultQueue,
    check_fault_path,
    code_fault,
    http_fault,
    network_fault,
)
from okx_fakes._ratewindows import RateWindows
from okx_fakes._routes import ROUTES, Route, window_lengths
from okx_fakes._types import FakeRequest, FakeResponse, RequestRecord
from okx_fakes._unmodelled import unmodelled_response
from okx_fakes._wire import is_sendable_header_value

__all__ = ["ExchangeModel", "ExchangeState", "default_clock"]


def default_clock() -> float:
    """Return now in epoch seconds from ``datetime.datetime.now(timezone.utc)``.

    python-okx signs with ``datetime``; the module attribute is read at each call, so
    freezegun (which freezes ``datetime`` in every thread, ``time.time`` not in threads)
    moves the fake's clock and the SDK's timestamps together.
    """
    return datetime.datetime.now(datetime.timezone.utc).timestamp()


_FIRST_UID = 100_000_000_000_001  # assumption: OKX user ids look like 15+ digit numbers


@dataclass(frozen=True)
class ExchangeState:
    """What :meth:`FakeExchange.snapshot` returns and :meth:`FakeExchange.restore` takes."""

    # Keyed by API key: left out of comparisons, so that no diff (pytest's) ever prints one.
    keys: dict[str, KeyRecord] = field(repr=False, compare=False)
    accounts: dict[str, dict[str, object]] = field(default_factory=dict)
    next_uid: int = 0
    next_trans_id: int = 0

    def __repr__(self) -> str:
        # The keys hold secrets.
        return f"ExchangeState(accounts={len(self.accounts)}, keys={len(self.keys)})"


class ExchangeModel:
    """The model of :class:`~okx_fakes.FakeExchange`, without its ways in (see the module docs).

    The constructor's arguments (``clock``, ``max_skew_s``, ``max_records``) are documented
    on :class:`~okx_fakes.FakeExchange`, the public face. Thread-safe: one lock guards all
    state.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] | None = None,
        max_skew_s: float | None = DEFAULT_MAX_SKEW_S,
        max_records: int | None = None,
    ) -> None:
        if max_records is not None:
            check_positive_int("max_records", max_records)
        if max_skew_s is not None and (
            isinstance(max_skew_s, bool) or not isinstance(max_skew_s, (int, float))
            or not max_skew_s >= 0  # NaN too
        ):
            raise ValueError(f"max_skew_s must be a number >= 0 or None, got {max_skew_s!r}")
        self._clock = clock
        self.max_skew_s = max_skew_s
        self._lock = threading.Lock()
        self._keys: dict[str, KeyRecord] = {}
        self._accounts: dict[str, FakeAccount] = {}
        self._windows = RateWindows(window_lengths(ROUTES))
        self._faults = FaultQueue()
        self._records: deque[RequestRecord] = deque(maxlen=max_records)
        self._uid_counter = itertools.count(_FIRST_UID)
        self._trans_ids = TransferIds()

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(accounts={len(self._accounts)}, "
                f"keys={len(self._keys)})")

    def now(self) -> float:
        """Return the fake's clock, in epoch seconds (ValueError if it reads NaN or infinity)."""
        epoch_s = (self._clock or default_clock)()
        if not math.isfinite(epoch_s):  # NaN would freeze the rate window, silently
            raise ValueError(f"the exchange's clock returned {epoch_s!r}, not finite epoch seconds")
        return epoch_s

    # -- keys and accounts ---------------------------------------------------------------

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
            self._keys[api_key] = KeyRecord(secret_key, passphrase, bool(demo), account, granted)
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

    # -- snapshots -----------------------------------------------------------------------

    def snapshot(self) -> ExchangeState:
        """Return the accounts, keys and balances as they are now, for :meth:`restore`."""
        with self._lock:
            next_uid = next(self._uid_counter)
            self._uid_counter = itertools.count(next_uid)
            return ExchangeState(
                dict(self._keys),
                {uid: LockedAccount(account).state() for uid, account in self._accounts.items()},
                next_uid,
                self._trans_ids.next_id,
            )

    def restore(self, state: ExchangeState, *, keep_activity: bool = False) -> None:
        """Go back to ``state``: its accounts, keys and balances; no faults, records or windows.

        The next uid and the next transfer id are the state's too. Accounts in ``state``
        keep their identity (a held ``FakeAccount`` sees the restored balances); accounts
        added since are dropped. ``keep_activity`` keeps the queued faults and pending
        transfers, the records and the rate windows as they are (an undone control call,
        not a reset).
        """
        with self._lock:
            self._keys = dict(state.keys)
            kept = {}
            for key in self._keys.values():
                kept[key.account.uid] = key.account
            for uid, account_state in state.accounts.items():
                LockedAccount(kept[uid]).restore(account_state)
            self._accounts = {uid: kept[uid] for uid in state.accounts}
            self._uid_counter = itertools.count(state.next_uid)
            self._trans_ids.restart(state.next_trans_id)
            if keep_activity:
                return
            self._trans_ids.pend(0, replace=True)
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

    def fail_next(self, code: str | int, *, times: int = 1, msg: str | None = None,
                  path: str | None = None) -> None:
        """Answer the next ``times`` requests with OKX error ``code`` (status from the table).

        ``msg`` defaults to the table's message. Faults queue in FIFO order with the other
        ``fail_next_*`` calls and apply before authentication. ``path`` aims the fault: it
        waits for a request to that path (e.g. ``"/api/v5/asset/transfer"``), other
        requests pass it by; None (the default) takes whatever request comes next.
        ValueError for an unknown code, a ``path`` the fake does not model, or a ``msg``
        that is not a str encodable as UTF-8 (the body is UTF-8 JSON).
        """
        self._enqueue(code_fault(code, msg), times, path)

    def fail_next_http(
        self,
        status: int,
        body: bytes | str,
        *,
        times: int = 1,
        content_type: str = "text/html; charset=utf-8",
        path: str | None = None,
    ) -> None:
        """Answer the next ``times`` requests with a raw HTTP ``status`` and ``body``.

        ``path`` aims the fault as for :meth:`fail_next`. ValueError for a status outside
        100-599, a ``body`` neither bytes nor a str encodable as UTF-8, a ``content_type``
        no HTTP client could receive as a header value (non-ASCII, a control character
        such as a line break), or a ``path`` the fake does not model.
        """
        self._enqueue(http_fault(status, body, content_type), times, path)

    def fail_next_network(self, times: int = 1, *, path: str | None = None,
                          after_answer: bool = False) -> None:
        """Drop the connection on the next ``times`` requests (to ``path``, if given).

        ``install()`` and ``FakeAccountAPI`` raise ``httpx.ConnectError``; ``serve()``
        closes the socket without answering (httpx then raises ``RemoteProtocolError``).
        With ``after_answer`` the request is first handled as usual (a transfer moves and
        is recorded, the request too) and only its answer is lost: the caller sees the
        same error as for a plain drop, as when OKX applies a transfer whose answer never
        arrives. ``path`` aims the fault as for :meth:`fail_next`.
        """
        self._enqueue(network_fault(after_answer), times, path)

    def pend_next_transfers(self, times: int = 1) -> None:
        """Leave the next ``times`` accepted transfers ``pending`` until :meth:`settle_transfer`.

        Such a transfer answers success with its transId as usual, and
        ``transfer-state`` shows it ``pending``. Meanwhile the amount has left the source
        account and not reached the destination (an assumption: OKX publishes no
        balances for a pending transfer; debiting at once is what lets a failed one
        "return" the amount, and never shows money in two places). Refused transfers
        do not count. :meth:`restore` forgets what is left of the count.
        """
        check_positive_int("times", times)
        with self._lock:
            self._trans_ids.pend(times)

    def settle_transfer(self, trans_id: str, state: str = "success") -> TransferRecord:
        """Settle a pending transfer as ``state``, and return its settled record.

        ``"success"`` credits the destination; ``"failed"`` returns the amount to the
        source (to trading as available, as a transfer back would). KeyError when no
        account has a transfer ``trans_id``; ValueError for another ``state``, or a
        transfer that is not pending (it settled already).
        """
        if state not in SETTLED_STATES:
            raise FieldError("state", f"expected one of {', '.join(SETTLED_STATES)}, "
                                      f"got {preview(state)}")
        with self._lock:
            for account in self._accounts.values():
                if LockedAccount(account).find_transfer(str(trans_id), "") is not None:
                    return LockedAccount(account).settle(str(trans_id), state)
        raise KeyError(f"no transfer has transId {preview(trans_id)}")

    def clear_faults(self) -> None:
        """Drop every queued fault."""
        with self._lock:
            self._faults.clear()

    def _enqueue(self, fault: Fault, times: int, path: str | None = None) -> None:
        check_positive_int("times", times)  # before the lock: a refusal queues nothing
        check_fault_path(path)
        with self._lock:
            self._faults.push(fault, times, path)

    # -- the one request path ------------------------------------------------------------

    def handle(self, request: FakeRequest) -> FakeResponse:
        """Answer one request: faults, routing, auth, rate limit, then the route's handler."""
        path, _, query = request.target.partition("?")
        with self._lock:
            fault = self._faults.pop(path)
        if fault is None:
            return self._route(request, path, query)
        if fault.after_answer:  # handled and recorded as usual; only the answer is lost
            return self._route(request, path, query)._replace(network_fault=True)
        return self._finish(request.method, path, query, fault.response, fault.code, None)

    def _route(self, request: FakeRequest, path: str, query: str) -> FakeResponse:
        """Answer a request no fault answered: routing, auth, permission, then the route."""
        route = ROUTES.get((request.method, path))
        if route is None:
            if any(known == path for _, known in ROUTES):
                return self._finish(request.method, path, query, error_response("50115"),
                                    "50115", None)
            return self._finish(request.method, path, query,
                                unmodelled_response(request.method, path), None, None)
        code, key = self._authenticate(request)
        if code is not None:
            uid = None if key is None else key.account.uid
            return self._finish(request.method, path, query, error_response(code), code, uid)
        assert key is not None  # authenticated
        if route.permission not in key.permissions:
            return self._finish(request.method, path, query, error_response("50120"), "50120",
                                key.account.uid)
        return self._answer(route, key, request, path, query)

    def _authenticate(self, request: FakeRequest) -> tuple[str | None, KeyRecord | None]:
        """Return the first failing code of AUTH_CHECKS (None: all passed) and the key if known."""
        return authenticate(request, self._find_key, self.now, self.max_skew_s)

    def _find_key(self, api_key: str) -> KeyRecord | None:
        with self._lock:
            return self._keys.get(api_key)

    def _finish(self, method: str, path: str, query: str, response: FakeResponse,
                code: str | None, uid: str | None) -> FakeResponse:
        """Record a request answered before its rate limit, and return its response."""
        status = None if response.network_fault else response.status
        with self._lock:
            self._records.append(
                RequestRecord(method, path, query, uid, code, status, self.now())
            )
        return response

    def _answer(self, route: Route, key: KeyRecord, request: FakeRequest, path: str,
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
            if self._windows.admit(path, account.uid, extra, now, route.rate_limit_requests):
                code, response = route.handler(LockedAccount(account), query, request.body, now)
            else:
                code, response = route.rate_limit_code, error_response(route.rate_limit_code)
            self._records.append(
                RequestRecord(request.method, path, query, account.uid, code, response.status, now)
            )
        return response


def _check_permissions(permissions: Iterable[str]) -> frozenset[str]:
    if isinstance(permissions, str):  # "read" would otherwise be the set {"r", "e", "a", "d"}
        raise ValueError(f"permissions must be a collection such as {PERMISSIONS}, not a str")
    granted = frozenset(permissions)
    unknown = granted - set(PERMISSIONS)
    if unknown:
        raise ValueError(f"unknown permissions {', '.join(sorted(map(repr, unknown)))}: "
                         f"expected a subset of {PERMISSIONS}")
    return granted
