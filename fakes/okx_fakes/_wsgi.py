"""The fake's HTTP face: one WSGI application translating HTTP to and from ``handle()``.

``install()`` mounts it in-process through ``httpx.WSGITransport``; ``serve()``,
:class:`~okx_fakes.FakeServer` and ``python -m okx_fakes`` run it on waitress; any other
WSGI server can run it too. The target handed to :meth:`FakeExchange.handle` is the raw
request target: ``REQUEST_URI`` (waitress, uWSGI) or ``RAW_URI`` (gunicorn) when the
server gives one, else it is rebuilt from ``PATH_INFO`` and ``QUERY_STRING``.
"""

from __future__ import annotations

import http
import json
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from okx_fakes._control import CONTROL_PREFIX, ControlAPI, redact
from okx_fakes._control_guard import ControlGuard
from okx_fakes._text import printable
from okx_fakes._types import FakeRequest, FakeResponse
from okx_fakes._unmodelled import NOT_MODELLED_HEADER

if TYPE_CHECKING:
    from okx_fakes._model import ExchangeModel

__all__ = ["FALLBACK_ENVIRON_KEY", "MAX_BODY_BYTES", "DroppedConnection", "FakeWSGIApp",
           "okx_code"]

#: The WSGI environ key under which an in-process adapter (``install()``) hands the app
#: its installation's fallback, a :data:`~okx_fakes._path.FallbackCall`. Never set by a
#: server: a client's headers become ``HTTP_*`` keys, so no request can supply one.
FALLBACK_ENVIRON_KEY = "okx_fakes.fallback"

# The endpoint is a GET and a control body is one account: a body is never large, and a
# lying Content-Length must not make the app read (or a server buffer) without bound.
MAX_BODY_BYTES = 1 << 20

StartResponse = Callable[..., Any]
Environ = dict[str, Any]


class DroppedConnection(Exception):
    """Raised by :class:`FakeWSGIApp` for an injected network fault, before any answer.

    The server adapters turn it into what the network would do: ``install()`` raises
    ``httpx.ConnectError``, the waitress server closes the connection without answering.
    A WSGI server that knows nothing of it answers 500 instead.
    """


def okx_code(body: bytes) -> str:
    """Return the string ``code`` of a JSON answer, or ``-`` for anything else (raw bodies)."""
    try:
        answer = json.loads(body)
    except (ValueError, RecursionError):  # an injected body may be anything, "[[[[..." too
        return "-"
    code = answer.get("code") if isinstance(answer, dict) else None
    return printable(code) if isinstance(code, str) else "-"


class FakeWSGIApp:
    """A WSGI application serving a :class:`~okx_fakes.FakeExchange` (and its control API).

    Every request reaches :meth:`FakeExchange.handle` except those under ``/_fake/`` while
    ``control`` is true, which the control API answers (see the docs' page on the fake
    server). ``log``, if given,
    receives exactly one line per request, one call at a time (a lock serialises them):
    ``METHOD target -> STATUS code=CODE`` with control characters escaped, never a header
    and an API key in a control path shown as ``***`` (in any spelling of the path), so
    never a secret. A ``log`` that raises is not retried: the line is dropped and counted
    in :attr:`log_failures`, and the request is answered all the same.
    ``POST /_fake/reset`` restores the exchange's state as it was when the app was made.
    ``control_token``, if given, is the token every control request must carry
    (``Authorization: Bearer TOKEN``); without one, the control API answers only a loopback
    ``Host``. See :mod:`okx_fakes._control_guard`.
    """

    def __init__(
        self,
        exchange: ExchangeModel,
        *,
        control: bool = True,
        log: Callable[[str], None] | None = None,
        control_token: str | None = None,
    ) -> None:
        self.exchange = exchange
        self.control: ControlAPI | None = ControlAPI(exchange) if control else None
        self._guard = ControlGuard(control_token)
        self._log = log
        self._log_lock = threading.Lock()
        #: How many log lines were dropped because ``log`` raised (a closed stderr pipe).
        self.log_failures = 0

    def __repr__(self) -> str:
        return f"FakeWSGIApp(control={self.control is not None})"

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        """Answer one WSGI request (raises :class:`DroppedConnection` for a network fault)."""
        method = str(environ.get("REQUEST_METHOD", "GET"))
        target = _target(environ)
        body = _body(environ)
        control = self.control if target.startswith(CONTROL_PREFIX) else None
        if body is None:
            response = FakeResponse(413, f"a body is at most {MAX_BODY_BYTES} bytes".encode(),
                                    (("content-type", "text/plain; charset=utf-8"),))
        elif control is not None:
            refusal = self._guard.refusal(method, _headers(environ))
            response = refusal or control.handle(method, target, body)
        else:
            request = FakeRequest(method, target, _headers(environ), body)
            fallback = environ.get(FALLBACK_ENVIRON_KEY)
            # handle(request) alone without one: what an overriding handle() has always got.
            response = (self.exchange.handle(request) if fallback is None
                        else self.exchange.handle(request, fallback))
        self.log_request_line(method, target, response)
        if response.network_fault:
            raise DroppedConnection("injected network fault")
        headers = [*response.headers, ("content-length", str(len(response.body)))]
        reason = _reason(response.status)
        start_response(f"{response.status} {reason}", headers)
        # A HEAD answer has the headers of a GET, never its body.
        return [b"" if method == "HEAD" else response.body]

    def log_request_line(self, method: str, target: str, response: FakeResponse) -> None:
        """Send one line to the ``log`` callback, if any: method, target, status, OKX code.

        e.g. ``GET /api/v5/account/max-withdrawal?ccy=BTC -> 401 code=50105``, or
        ``... -> connection dropped`` for a network fault. Headers are never part of it; the
        target is redacted here (:func:`~okx_fakes._control.redact`), whoever calls. Never
        raises from the callback: a failing sink must not turn answers into 500s.
        """
        if self._log is None:
            return
        if response.network_fault:
            outcome = "connection dropped"
        else:
            outcome = f"{response.status} code={okx_code(response.body)}"
        if NOT_MODELLED_HEADER in response.headers:
            outcome += " (not modelled by the fake)"
        line = f"{printable(method)} {printable(redact(target))} -> {outcome}"
        with self._log_lock:  # whole lines, never two interleaved
            try:
                self._log(line)
            except Exception:  # e.g. BrokenPipeError once stderr's reader is gone
                self.log_failures += 1


def _reason(status: int) -> str:
    """Return the status line's reason phrase: the standard one, or "Unknown"."""
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:  # an injected status such as 599 has none
        return "Unknown"


def _target(environ: Environ) -> str:
    raw = environ.get("REQUEST_URI") or environ.get("RAW_URI")
    if isinstance(raw, str) and raw:
        return raw
    # PEP 3333: PATH_INFO is decoded and held as latin-1; re-encode it as a client would.
    path = quote((environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""))
                 .encode("latin-1"), safe="/:@!$&'()*+,;=-._~")
    query = environ.get("QUERY_STRING", "")
    return f"{path}?{query}" if query else path


def _headers(environ: Environ) -> dict[str, str]:
    headers = {}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            headers[key[5:].replace("_", "-").lower()] = value
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
            headers[key.replace("_", "-").lower()] = value
    return headers


def _body(environ: Environ) -> bytes | None:
    """Return the request body, or None when it is over MAX_BODY_BYTES."""
    stream = environ.get("wsgi.input")
    length_text = str(environ.get("CONTENT_LENGTH") or "").strip()
    if stream is None:
        return b""
    if length_text.isascii() and length_text.isdecimal():
        # int() refuses more than 4300 digits (ValueError): any that long is over the bound.
        length = int(length_text) if len(length_text) <= 20 else MAX_BODY_BYTES + 1
        if length > MAX_BODY_BYTES:
            return None
        return bytes(stream.read(length)) if length else b""
    if environ.get("wsgi.input_terminated"):  # chunked, de-chunked by the server
        body = bytes(stream.read(MAX_BODY_BYTES + 1))
        return None if len(body) > MAX_BODY_BYTES else body
    return b""
