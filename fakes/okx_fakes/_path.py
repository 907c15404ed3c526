"""The one request path: every OKX request any way in sends is answered here.

:meth:`RequestPath.handle` decides everything, in this order:

1. injected faults (:class:`~okx_fakes._faults.FaultQueue`, FIFO, an aimed one waiting
   for its path; they apply before anything else and never touch a rate window; a network
   fault ``after_answer`` lets the request through all that follows, then loses its answer),
2. routing through :data:`~okx_fakes._routes.ROUTES`: a path it lists asked with another
   method answers 50115 (HTTP 405); any other path is not modelled, and is answered by
   :meth:`RequestPath._unmodelled` (below),
3. authentication, first failure wins (:data:`~okx_fakes._authenticate.AUTH_CHECKS`),
4. the route's permission ("read", "trade" or "withdraw"): a key without it answers 50120,
5. the route's rate limit (:class:`~okx_fakes._ratewindows.RateWindows`: a sliding window
   on the fake's clock per route, uid and the route's optional extra key part; rejected
   requests do not consume it, requests answered with a parameter error do; the route
   names its refusal code),
6. the route's handler, which reads the parameters and answers from the account's ledger,
   changing it (if at all) as one transaction.

A request the fake does not model goes, after the faults: to authentication if it
carries an API key (``OK-ACCESS-KEY``), as OKX checks any private request (the same
:data:`~okx_fakes._authenticate.AUTH_CHECKS`; no permission beyond a valid key, and no
rate window: the fake knows no limit for an endpoint it does not model, an assumption);
a public request carries no key and is not checked. Then to the oldest matching stub
(:class:`~okx_fakes._stubs.StubTable`); else to the ``fallback`` the in-process adapter
passes (its installation's; called outside the lock); else it answers the not-modelled
404 (:func:`~okx_fakes._unmodelled.unmodelled_response`), which the in-process adapters
turn into :class:`~okx_fakes.UnmodelledRequestError`.

Every request is recorded in the :class:`RequestLog` (no secrets), whatever its outcome:
a stubbed or fallback answer with its status and the ``code`` of its JSON body.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable

from okx_fakes._authenticate import KeyRecord, authenticate
from okx_fakes._book import AccountBook
from okx_fakes._errors import error_response
from okx_fakes._faults import FaultQueue
from okx_fakes._params import Caller
from okx_fakes._ratewindows import RateWindows
from okx_fakes._routes import ROUTES, Route
from okx_fakes._stubs import StubTable, body_code
from okx_fakes._types import FakeRequest, FakeResponse, RequestRecord
from okx_fakes._unmodelled import unmodelled_response

__all__ = ["FallbackCall", "RequestLog", "RequestPath"]

#: What an in-process adapter passes ``handle()`` to answer an unmodelled, unstubbed
#: request: its installation's fallback, its answer as a response (for the record).
FallbackCall = Callable[[FakeRequest], FakeResponse]


class RequestLog:
    """The handled requests, oldest first, bounded to ``max_records`` (None: all). No lock."""

    def __init__(self, max_records: int | None) -> None:
        self._records: deque[RequestRecord] = deque(maxlen=max_records)

    def __len__(self) -> int:
        return len(self._records)

    def append(self, record: RequestRecord) -> None:
        """Record one handled request."""
        self._records.append(record)

    def copy(self) -> list[RequestRecord]:
        """Return the records, oldest first (a copy)."""
        return list(self._records)

    def clear(self) -> None:
        """Forget every record."""
        self._records.clear()


class RequestPath:
    """Answers requests (see the module docs) from the parts the exchange is made of.

    Each step takes the exchange's one lock for as long as it reads or changes state: the
    fault queue, the key lookup, then rate window, handler and record in one section.
    """

    def __init__(self, lock: threading.Lock, book: AccountBook, faults: FaultQueue,
                 windows: RateWindows, log: RequestLog, now: Callable[[], float],
                 max_skew_s: Callable[[], float | None], stubs: StubTable) -> None:
        self._lock = lock
        self._stubs = stubs
        self._book = book
        self._faults = faults
        self._windows = windows
        self._log = log
        self._now = now
        self._max_skew_s = max_skew_s

    def handle(self, request: FakeRequest, fallback: FallbackCall | None = None) -> FakeResponse:
        """Answer one request: faults, routing, auth, rate limit, then the route's handler.

        An unmodelled request no stub answers goes to ``fallback`` if given (module docs).
        """
        path, _, query = request.target.partition("?")
        with self._lock:
            fault = self._faults.pop(path)
        if fault is None:
            return self._route(request, path, query, fallback)
        if fault.after_answer:  # handled and recorded as usual; only the answer is lost
            return self._route(request, path, query, fallback)._replace(network_fault=True)
        return self._finish(request.method, path, query, fault.response, fault.code, None)

    def _route(self, request: FakeRequest, path: str, query: str,
               fallback: FallbackCall | None) -> FakeResponse:
        """Answer a request no fault answered: routing, auth, permission, then the route."""
        route = ROUTES.get((request.method, path))
        if route is None:
            if any(known == path for _, known in ROUTES):
                return self._finish(request.method, path, query, error_response("50115"),
                                    "50115", None)
            return self._unmodelled(request, path, query, fallback)
        code, key = authenticate(request, self._find_key, self._now, self._max_skew_s())
        if code is not None:
            uid = None if key is None else key.account.uid
            return self._finish(request.method, path, query, error_response(code), code, uid)
        assert key is not None  # authenticated
        if route.permission not in key.permissions:
            return self._finish(request.method, path, query, error_response("50120"), "50120",
                                key.account.uid)
        return self._answer(route, key, request, path, query)

    def _unmodelled(self, request: FakeRequest, path: str, query: str,
                    fallback: FallbackCall | None) -> FakeResponse:
        """Answer a request the fake does not model: auth if keyed, a stub, the fallback, 404."""
        method, uid = request.method, None
        if request.headers.get("ok-access-key"):  # a private request: OKX checks it first
            code, key = authenticate(request, self._find_key, self._now, self._max_skew_s())
            uid = None if key is None else key.account.uid
            if code is not None:
                return self._finish(method, path, query, error_response(code), code, uid)
        with self._lock:
            stub = self._stubs.take(method, path, query)
            if stub is not None:
                response = stub.response()
                self._log.append(RequestRecord(method, path, query, uid, stub.code,
                                               response.status, self._now()))
                return response
        if fallback is None:
            return self._finish(method, path, query, unmodelled_response(method, path), None,
                                uid)
        try:
            response = fallback(request)  # user code: never under the lock
        except BaseException:
            # Recorded as unanswered (no status), as a dropped connection: the test sees
            # the fallback's own error.
            with self._lock:
                self._log.append(RequestRecord(method, path, query, uid, None, None,
                                               self._now()))
            raise
        return self._finish(method, path, query, response, body_code(response.body), uid)

    def _find_key(self, api_key: str) -> KeyRecord | None:
        with self._lock:
            return self._book.keys.get(api_key)

    def _finish(self, method: str, path: str, query: str, response: FakeResponse,
                code: str | None, uid: str | None) -> FakeResponse:
        """Record a request answered before its rate limit, and return its response."""
        status = None if response.network_fault else response.status
        with self._lock:
            self._log.append(RequestRecord(method, path, query, uid, code, status, self._now()))
        return response

    def _answer(self, route: Route, key: KeyRecord, request: FakeRequest, path: str,
                query: str) -> FakeResponse:
        """Apply the route's rate limit, answer and record, in one critical section.

        A key dropped since authentication (a concurrent restore) answers 50111, as an
        unknown key: its account may be orphaned, and must not be changed.
        """
        with self._lock:
            now = self._now()
            if self._book.keys.get(request.headers.get("ok-access-key", "")) is not key:
                response = error_response("50111")
                self._log.append(RequestRecord(request.method, path, query, None, "50111",
                                               response.status, now))
                return response
            account = key.account
            extra = "" if route.rate_limit_key is None else route.rate_limit_key(query,
                                                                                  request.body)
            if self._windows.admit(path, account.uid, extra, now, route.rate_limit_requests):
                caller = Caller(self._book.ledger(account), account.uid, key.permissions,
                                self._book.chains)
                code, response = route.handler(caller, query, request.body, now)
            else:
                code, response = route.rate_limit_code, error_response(route.rate_limit_code)
            self._log.append(
                RequestRecord(request.method, path, query, account.uid, code, response.status, now)
            )
        return response
