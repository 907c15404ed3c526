"""``serve()``: the fake's WSGI application (:mod:`okx_fakes._wsgi`) on waitress, on loopback.

waitress is pure Python with no dependencies of its own; it buffers each request before a
worker sees it (a slow client holds no thread), has a bounded pool of workers and takes a
listen backlog and a connection limit. It comes with the ``server`` extra
(``pip install 'okx-ext[server]'``); without it ``FakeServer`` raises ModuleNotFoundError
naming the extra. The asyncore loop polls a stop flag (``stop()`` also wakes it), so a
stop never waits on an idle keep-alive connection or a half-sent request: every socket
is closed and every thread joined.

waitress's parser is adapted at two points: a ``Content-Length`` too long for ``int()``
(over 4300 digits) answers 413 like any other too large, where waitress would drop the
connection without a word; and a request with both ``Content-Length`` and
``Transfer-Encoding: chunked`` is answered, then its connection closed (RFC 9112 §6.1:
the bytes after the chunked body must not run as a next request).
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final

from okx_fakes._control import redact
from okx_fakes._control_guard import check_control_exposure
from okx_fakes._types import FakeResponse
from okx_fakes._wsgi import MAX_BODY_BYTES, DroppedConnection, FakeWSGIApp, StartResponse

if TYPE_CHECKING:
    from collections.abc import Iterable

    from okx_fakes._model import ExchangeModel

__all__ = ["SERVER_EXTRA_HINT", "SERVER_SETTINGS", "FakeServer"]

SERVER_EXTRA_HINT: Final = (
    "the fake's HTTP server needs waitress: pip install 'okx-ext[server]'"
)

#: waitress's settings (its ``Adjustments``), chosen for a test double under load and abuse.
_THREADS: Final = 8  # handle() takes well under a millisecond: 8 workers keep 32 clients fed
SERVER_SETTINGS: Final[dict[str, object]] = {
    "threads": _THREADS,
    "backlog": 1024,  # the default 1024 (http.server's 5 drops SYNs: a 1 s retry each)
    "connection_limit": 200,  # 40 idle + 50 slow + 32 clients fit; beyond it, accept waits
    "channel_timeout": 30,  # an idle connection is closed after 30 s
    "cleanup_interval": 5,
    "max_request_header_size": 32 * 1024,  # OKX's headers are < 1 KiB; more answers 431
    "max_request_body_size": MAX_BODY_BYTES,  # more answers 413
    "ident": "okx-fakes",
    "clear_untrusted_proxy_headers": False,
}
# A library's loggers stay silent unless the application configures logging.
logging.getLogger("okx_fakes").addHandler(logging.NullHandler())


class _RedactPaths(logging.Filter):
    """Mask an API key of a control path in waitress's own lines ("Exception while serving")."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to logging's own handling
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


logging.getLogger("waitress").addFilter(_RedactPaths())
_POLL_INTERVAL_S: Final = 0.05  # how long a stop flag may go unseen if the wake-up is lost
_JOIN_TIMEOUT_S: Final = 2.0  # a worker runs handle() only, which never blocks for long


def _waitress() -> Any:
    try:
        import waitress.adjustments
        import waitress.channel
        import waitress.parser
        import waitress.server
        import waitress.task
        import waitress.wasyncore
    except ImportError:
        raise ModuleNotFoundError(SERVER_EXTRA_HINT, name="waitress") from None
    return waitress


class FakeServer:
    """A fake exchange served over HTTP: bound on creation, ``start()``/``stop()`` or ``with``.

    ``url`` is the base URL to pass as python-okx's ``domain``. ``log``, if given, receives
    one redacted line per request (method, target, status: never headers, so no secrets),
    one call at a time. ``control`` serves the control API under ``/_fake/``;
    ``control_token`` is the token its requests must carry (see
    :mod:`okx_fakes._control_guard`). ValueError when ``host`` is not a loopback address,
    ``control`` is on and no token is given: the control API owns the fake.
    ``serve_forever()`` blocks (for a standalone server); ``stop()`` closes the listening
    socket and every connection and joins the threads, from any thread, within a second.
    Raises ModuleNotFoundError naming the ``server`` extra when waitress is not installed,
    OSError when the address cannot be bound.
    """

    def __init__(
        self,
        exchange: ExchangeModel,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        log: Callable[[str], None] | None = None,
        control: bool = True,
        control_token: str | None = None,
    ) -> None:
        waitress = _waitress()
        self.exchange = exchange
        self.app = FakeWSGIApp(exchange, control=control, log=log, control_token=control_token)
        check_control_exposure(host, control=control, token=control_token)
        self._map: dict[int, Any] = {}
        dispatcher_class, server_class = _classes(waitress)
        self._dispatcher = dispatcher_class()
        adjustments = waitress.adjustments.Adjustments(host=host, port=port, **SERVER_SETTINGS)
        self._httpd = server_class(
            self._wsgi, map=self._map, dispatcher=self._dispatcher, adj=adjustments
        )
        self._httpd.fake_app = self.app
        self._stopping = threading.Event()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self._serve_entered = False  # stop() must wait for the loop only once it runs
        self._loop_thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def _wsgi(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            return self.app(environ, start_response)
        except DroppedConnection:
            # waitress closes the connection without a word for this one exception.
            raise _waitress().channel.ClientDisconnected() from None

    @property
    def host(self) -> str:
        """The bound address."""
        return str(self._httpd.effective_host)

    @property
    def port(self) -> int:
        """The bound port (the real one when created with port 0)."""
        return int(self._httpd.effective_port)

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:54321``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def __repr__(self) -> str:
        return f"FakeServer(url={self.url!r})"

    def serve_forever(self) -> None:
        """Serve in the calling thread until ``stop()`` (from another thread) or Ctrl-C."""
        self._enter_serving()
        self._loop()

    def start(self) -> FakeServer:
        """Serve in a background thread; returns self."""
        self._enter_serving()
        self._thread = threading.Thread(target=self._loop, name=f"fake-okx-{self.port}",
                                        daemon=True)
        self._thread.start()
        return self

    def _enter_serving(self) -> None:
        with self._lock:
            if self._serve_entered or self._stopping.is_set():
                raise RuntimeError("a FakeServer serves once: create a new one")
            self._serve_entered = True
        self._dispatcher.set_thread_count(_THREADS)

    def _loop(self) -> None:
        waitress = _waitress()
        self._loop_thread = threading.current_thread()
        try:
            while not self._stopping.is_set() and self._map:
                waitress.wasyncore.loop(timeout=_POLL_INTERVAL_S, map=self._map, count=1)
        finally:
            self._close()

    def stop(self) -> None:
        """Stop serving, close every socket, join the threads (idempotent, any thread)."""
        with self._lock:
            self._stopping.set()
            serving = self._serve_entered
            if serving and not self._stopped.is_set():
                # Wake the loop now rather than at its next poll; under the lock, so the
                # trigger's descriptor cannot have been closed (and reused) meanwhile.
                self._httpd.pull_trigger()
        if not serving:
            self._close()
            return
        if threading.current_thread() is self._loop_thread:
            return  # called inside the loop (a signal handler): it closes on its way out
        self._stopped.wait()
        if self._thread is not None:
            self._thread.join()

    def _close(self) -> None:
        with self._lock:
            if self._stopped.is_set():
                return
            self._stopping.set()
            waitress = _waitress()
            waitress.wasyncore.close_all(self._map, ignore_all=True)
            self._dispatcher.shutdown(cancel_pending=True, timeout=_JOIN_TIMEOUT_S)
            self._dispatcher.join(_JOIN_TIMEOUT_S)
            self._stopped.set()

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


@functools.cache
def _classes(waitress: Any) -> tuple[type[Any], type[Any]]:
    """Waitress's thread pool and TCP server, adapted: joinable threads, every request logged."""

    class Dispatcher(waitress.task.ThreadedTaskDispatcher):  # type: ignore[misc]
        # "Task queue depth is N" is routine under load; it must not reach stderr.
        queue_logger = logging.getLogger("okx_fakes.server.queue")

        def __init__(self) -> None:
            super().__init__()
            self.started: list[threading.Thread] = []

        def start_new_thread(self, target: Callable[[int], None], thread_no: int) -> None:
            thread = threading.Thread(target=target, name=f"fake-okx-worker-{thread_no}",
                                      args=(thread_no,), daemon=True)
            self.started.append(thread)
            thread.start()

        def join(self, timeout_s: float) -> None:
            for thread in self.started:
                thread.join(timeout_s)

    class LoggedErrorTask(waitress.task.ErrorTask):  # type: ignore[misc]
        """A request waitress refuses itself (bad URI, headers too large): logged too."""

        def execute(self) -> None:
            super().execute()
            request = self.request
            method = getattr(request, "command", "") or "-"
            target = getattr(request, "request_uri", "") or "-"
            if request.error.code == 431:  # waitress parsed a stand-in "GET /" instead
                method = target = "-"
            self.channel.server.fake_app.log_request_line(
                method, target, FakeResponse(request.error.code, b"", ())
            )

    class Parser(waitress.parser.HTTPRequestParser):  # type: ignore[misc]
        def parse_header(self, header_plus: bytes) -> None:
            try:
                super().parse_header(header_plus)
            except ValueError:
                # int() of a Content-Length over 4300 digits: over any bound, so 413 (the
                # caller answers it for a length >= max_request_body_size).
                if not self.headers.get("CONTENT_LENGTH", "").isdigit():
                    raise
                self.content_length = self.adj.max_request_body_size
                return
            if self.chunked and "CONTENT_LENGTH" in self.headers:
                # RFC 9112 §6.1: chunked wins, then close; waitress reads the "close"
                # header when it answers, and drops any request queued behind this one.
                self.headers["CONNECTION"] = "close"

    class Channel(waitress.channel.HTTPChannel):  # type: ignore[misc]
        error_task_class = LoggedErrorTask
        parser_class = Parser

    class Server(waitress.server.TcpWSGIServer):  # type: ignore[misc]
        channel_class = Channel
        fake_app: FakeWSGIApp

    return Dispatcher, Server
