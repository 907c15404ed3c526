"""``serve()``: a loopback HTTP server in front of a fake exchange.

A ``ThreadingHTTPServer`` in a background thread; each request's raw target and headers
are translated to :meth:`FakeExchange.handle` and the answer written back. HTTP/1.0 (one
request per connection) so that stopping joins every handler thread. An injected network
fault closes the socket without answering.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import TYPE_CHECKING

from okx_fakes._text import printable
from okx_fakes._types import FakeRequest, FakeResponse

if TYPE_CHECKING:
    from okx_fakes._exchange import FakeExchange

__all__ = ["FakeServer"]

_SOCKET_TIMEOUT_S = 5.0  # a silent client cannot hold a handler thread (and stop()) forever
_POLL_INTERVAL_S = 0.02  # how long stop() may wait for the serve loop to notice
# The endpoint is a GET: a body is never needed, and read() allocates the announced length up
# front, so a lying Content-Length must not reach it.
MAX_BODY_BYTES = 1 << 20


def _okx_code(body: bytes) -> str:
    """Return the string ``code`` of a JSON answer, or ``-`` for anything else (raw bodies)."""
    try:
        answer = json.loads(body)
    except (ValueError, RecursionError):  # an injected body may be anything, "[[[[..." too
        return "-"
    code = answer.get("code") if isinstance(answer, dict) else None
    return printable(code) if isinstance(code, str) else "-"


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins handler threads: a clean stop
    block_on_close = True

    def __init__(self, address: tuple[str, int], fake: FakeServer) -> None:
        self.fake = fake
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"
    timeout = _SOCKET_TIMEOUT_S

    def _handle_any(self) -> None:
        length_text = (self.headers.get("Content-Length") or "0").strip()
        if not length_text.isdecimal() or not length_text.isascii():
            self.send_error(400, "Bad Request", "Content-Length is not a number")
            return
        length = int(length_text)
        if length > MAX_BODY_BYTES:
            self.send_error(413, "Content Too Large", f"a body is at most {MAX_BODY_BYTES} bytes")
            return
        body = self.rfile.read(length) if length > 0 else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        response = self.server.fake.exchange.handle(FakeRequest(self.command, self.path, headers,
                                                                body))
        self.server.fake.log_request_line(self.command, self.path, response)
        if response.network_fault:
            self.close_connection = True
            return
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":  # a HEAD answer has the headers of a GET, never its body
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _handle_any

    def log_message(self, format: str, *args: object) -> None:
        """Silence the default stderr log; FakeServer's ``log`` callback replaces it."""


class FakeServer:
    """A fake exchange served over HTTP: bound on creation, ``start()``/``stop()`` or ``with``.

    ``url`` is the base URL to pass as python-okx's ``domain``. ``log``, if given, receives
    one redacted line per request (method, target, status: never headers, so no secrets).
    ``serve_forever()`` blocks (for a standalone server); ``stop()`` shuts down, closes the
    socket and joins the threads.
    """

    def __init__(
        self,
        exchange: FakeExchange,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.exchange = exchange
        self._log = log
        self._httpd = _Server((host, port), self)
        self._thread: threading.Thread | None = None
        self._serve_entered = False  # stop() must shut the loop down only once it runs
        self._closed = False

    @property
    def host(self) -> str:
        """The bound address."""
        return str(self._httpd.server_address[0])

    @property
    def port(self) -> int:
        """The bound port (the real one when created with port 0)."""
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:54321``."""
        return f"http://{self.host}:{self.port}"

    def __repr__(self) -> str:
        return f"FakeServer(url={self.url!r})"

    def log_request_line(self, method: str, target: str, response: FakeResponse) -> None:
        """Send one line to the ``log`` callback, if any: method, target, status, OKX code.

        e.g. ``GET /api/v5/account/max-withdrawal?ccy=BTC -> 401 code=50105``. Headers
        (key, signature, passphrase) are never part of it.
        """
        if self._log is None:
            return
        if response.network_fault:
            outcome = "connection dropped"
        else:
            outcome = f"{response.status} code={_okx_code(response.body)}"
        self._log(f"{printable(method)} {printable(target)} -> {outcome}")

    def serve_forever(self) -> None:
        """Serve in the calling thread until ``stop()`` (from another thread) or Ctrl-C."""
        self._enter_serving()
        try:
            self._httpd.serve_forever(_POLL_INTERVAL_S)
        finally:
            self._close()

    def start(self) -> FakeServer:
        """Serve in a background thread; returns self."""
        self._enter_serving()
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        args=(_POLL_INTERVAL_S,),
                                        name=f"fake-okx-{self.port}", daemon=True)
        self._thread.start()
        return self

    def _enter_serving(self) -> None:
        if self._serve_entered or self._closed:
            raise RuntimeError("a FakeServer serves once: create a new one")
        self._serve_entered = True

    def stop(self) -> None:
        """Stop serving, close the listening socket, join the threads (idempotent)."""
        if self._serve_entered and not self._closed:
            self._httpd.shutdown()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self._close()

    def _close(self) -> None:
        if not self._closed:
            self._closed = True
            self._httpd.server_close()

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
