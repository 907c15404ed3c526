"""``serve()``: the fake's WSGI application (:mod:`okx_fakes._wsgi`) on waitress, on loopback.

waitress is pure Python with no dependencies of its own; it buffers each request before a
worker sees it (a slow client holds no thread), has a bounded pool of workers and takes a
listen backlog and a connection limit. It comes with the ``server`` extra
(``pip install 'okx-ext[server]'``); without it ``FakeServer`` raises ModuleNotFoundError
naming the extra. The asyncore loop polls a stop flag (``stop()`` also wakes it), so a
stop never waits on an idle keep-alive connection or a half-sent request: every socket
is closed and every thread joined.

Slow clients cannot hold the server. waitress's own ``channel_timeout`` counts inactivity
only, so a client sending one byte every few seconds would keep its connection for ever;
here every request must arrive within deadlines counted from its first byte: its headers
within ``header_timeout_s`` (10 s), then its body within ``body_timeout_s`` (10 s). A
request past either is answered 408 and its connection closed. A connection with no
request under way is closed after ``idle_timeout_s`` (30 s) without a byte. Up to 1,000
connections are open at once (``poll()``, not ``select()``, which stops at descriptor
1024), fewer if the process's descriptor limit is lower: 200 trickling clients leave room
for normal ones.

A stop is graceful: the listening socket stops accepting, the requests under way are
answered (for at most half a second) and the connections closed, then the workers are
joined before any socket closes, so no worker wakes a closed loop (waitress's
``OSError: [Errno 9] Bad file descriptor`` traceback from ``pull_trigger``).

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
import time
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from okx_fakes._control import redact
from okx_fakes._control_guard import check_control_exposure
from okx_fakes._types import FakeResponse
from okx_fakes._wsgi import MAX_BODY_BYTES, DroppedConnection, FakeWSGIApp, StartResponse

if TYPE_CHECKING:
    from collections.abc import Iterable

    from okx_fakes._model import ExchangeModel

__all__ = [
    "BODY_TIMEOUT_S",
    "HEADER_TIMEOUT_S",
    "IDLE_TIMEOUT_S",
    "SERVER_EXTRA_HINT",
    "SERVER_SETTINGS",
    "FakeServer",
]

SERVER_EXTRA_HINT: Final = (
    "the fake's HTTP server needs waitress: pip install 'okx-ext[server]'"
)

#: waitress's settings (its ``Adjustments``), chosen for a test double under load and abuse.
_THREADS: Final = 8  # handle() takes well under a millisecond: 8 workers keep 32 clients fed
# 200 slow clients + 40 idle + 32 busy fit many times over; beyond it, accept waits.
_CONNECTION_LIMIT: Final = 1000
# Descriptors kept for everything but connections: the listener, the trigger, log files.
_RESERVED_FDS: Final = 64
SERVER_SETTINGS: Final[dict[str, object]] = {
    "threads": _THREADS,
    "backlog": 1024,  # the default 1024 (http.server's 5 drops SYNs: a 1 s retry each)
    "connection_limit": _CONNECTION_LIMIT,
    "channel_timeout": 30,  # waitress's own idle sweep: a backstop to idle_timeout_s
    "cleanup_interval": 5,
    "asyncore_use_poll": True,  # select() cannot watch a descriptor numbered over 1023
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
# How long a stop lets the requests under way be answered: the stop stays within 1 s.
_DRAIN_S: Final = 0.5
# Default deadlines (seconds). OKX's requests are < 1 KiB: a client on loopback sends one
# in well under a millisecond, so 10 s is slow by four orders of magnitude (an assumption
# about test clients, not an OKX figure).
HEADER_TIMEOUT_S: Final = 10.0
BODY_TIMEOUT_S: Final = 10.0
IDLE_TIMEOUT_S: Final = 30.0


def _waitress() -> Any:
    try:
        import waitress.adjustments
        import waitress.channel
        import waitress.parser
        import waitress.server
        import waitress.task
        import waitress.utilities
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
    socket and every connection and joins the threads, from any thread, within a second;
    the requests under way are answered first. ``header_timeout_s``, ``body_timeout_s``
    and ``idle_timeout_s`` are the deadlines of the module docstring (positive seconds,
    else ValueError).
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
        header_timeout_s: float = HEADER_TIMEOUT_S,
        body_timeout_s: float = BODY_TIMEOUT_S,
        idle_timeout_s: float = IDLE_TIMEOUT_S,
    ) -> None:
        waitress = _waitress()
        self.exchange = exchange
        self.app = FakeWSGIApp(exchange, control=control, log=log, control_token=control_token)
        check_control_exposure(host, control=control, token=control_token)
        self._deadlines = _Deadlines(_positive("header_timeout_s", header_timeout_s),
                                     _positive("body_timeout_s", body_timeout_s),
                                     _positive("idle_timeout_s", idle_timeout_s))
        self._map: dict[int, Any] = {}
        dispatcher_class, server_class = _classes(waitress)
        self._dispatcher = dispatcher_class()
        settings = {**SERVER_SETTINGS, "connection_limit": _connection_limit()}
        adjustments = waitress.adjustments.Adjustments(host=host, port=port, **settings)
        self._httpd = server_class(
            self._wsgi, map=self._map, dispatcher=self._dispatcher, adj=adjustments
        )
        self._httpd.fake_app = self.app
        # Guards the trigger's descriptor: once closed, its number may be reused by another
        # socket, and a worker's wake-up must not write a byte into that one.
        self._httpd.trigger_lock = threading.Lock()
        self._httpd.trigger_closed = False
        self._next_sweep = 0.0
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
                self._poll(waitress)
                now = _monotonic()
                if now >= self._next_sweep:
                    self._next_sweep = now + self._deadlines.sweep_interval_s
                    _sweep(self._httpd, self._deadlines, now)
            self._drain(waitress)
        finally:
            self._close()

    def _poll(self, waitress: Any, timeout_s: float = _POLL_INTERVAL_S) -> None:
        waitress.wasyncore.loop(timeout=timeout_s, map=self._map, count=1, use_poll=True)

    def _drain(self, waitress: Any) -> None:
        """Answer the requests under way (for at most _DRAIN_S), closing every other channel."""
        httpd = self._httpd
        httpd.accepting = False  # readable() is False: no new connection is taken in
        deadline = _monotonic() + _DRAIN_S
        while _monotonic() < deadline:
            busy = False
            for channel in list(httpd.active_channels.values()):
                # Only this thread adds a request to a channel: an idle one stays idle.
                if channel.requests or channel.total_outbufs_len:
                    busy = True
                else:
                    channel.will_close = True  # closed by the next poll
            if not busy and not httpd.active_channels:
                return
            self._poll(waitress, 0.01)

    def stop(self) -> None:
        """Stop serving, answer the requests under way, close every socket, join the threads.

        Idempotent; from any thread.
        """
        with self._lock:
            self._stopping.set()
            serving = self._serve_entered
        if serving:
            self._httpd.pull_trigger()  # wake the loop now rather than at its next poll
        else:
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
            # Workers first: one still running would wake (write to) a closed trigger.
            self._dispatcher.shutdown(cancel_pending=True, timeout=_JOIN_TIMEOUT_S)
            self._dispatcher.join(_JOIN_TIMEOUT_S)
            with self._httpd.trigger_lock:
                self._httpd.trigger_closed = True
            waitress.wasyncore.close_all(self._map, ignore_all=True)
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


class _Deadlines(NamedTuple):
    header_s: float
    body_s: float
    idle_s: float

    @property
    def sweep_interval_s(self) -> float:
        # A deadline is enforced within a quarter of itself (and within half a second).
        return min(0.5, self.header_s / 4, self.body_s / 4, self.idle_s / 4)


def _positive(name: str, seconds: float) -> float:
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not seconds > 0:
        raise ValueError(f"{name} must be a positive number of seconds, got {seconds!r}")
    return float(seconds)


def _connection_limit() -> int:
    """Return _CONNECTION_LIMIT, or fewer when the process may not open that many files."""
    try:
        import resource
    except ImportError:  # Windows: no RLIMIT_NOFILE
        return _CONNECTION_LIMIT
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return _CONNECTION_LIMIT
    return max(1, min(_CONNECTION_LIMIT, soft - _RESERVED_FDS))


def _monotonic() -> float:
    """Return the real monotonic clock, whatever freezegun does to ``time.monotonic``.

    Tests freeze time around a served fake; freezegun patches ``time.monotonic`` (and
    ``time.time``) in some threads and not others, and deadlines compared across threads
    would then expire at once. It leaves ``clock_gettime`` alone.
    """
    return time.clock_gettime(time.CLOCK_MONOTONIC)


def _sweep(httpd: Any, deadlines: _Deadlines, now: float) -> None:
    """Time out requests past their deadlines (408) and idle connections (closed).

    Runs in the loop's thread, the only one that feeds a channel its bytes. Idleness is
    measured on this module's clock from the last sweep that saw waitress's
    ``last_activity`` change: its value (``time.time()``, frozen in some threads under
    freezegun) is compared only with itself.
    """
    for channel in list(httpd.active_channels.values()):
        if channel.will_close or channel.close_when_flushed:
            continue
        request = channel.request
        if request is None:
            seen = getattr(channel, "okx_fakes_activity", None)
            if seen is None or seen[0] != channel.last_activity:
                channel.okx_fakes_activity = (channel.last_activity, now)
            elif (not channel.requests and not channel.total_outbufs_len
                    and now - seen[1] > deadlines.idle_s):
                channel.will_close = True
            continue
        if request.headers_done_at is None:
            late = now - request.started_at > deadlines.header_s
        else:
            late = now - request.headers_done_at > deadlines.body_s
        if late:
            request.time_out(channel)


@functools.cache
def _classes(waitress: Any) -> tuple[type[Any], type[Any]]:
    """Waitress's thread pool and TCP server, adapted: joinable threads, every request logged."""

    class Dispatcher(waitress.task.ThreadedTaskDispatcher):  # type: ignore[misc]
        # "Task queue depth is N" is routine under load; it must not reach stderr.
        queue_logger = logging.getLogger("okx_fakes.server.queue")

        def shutdown(self, cancel_pending: bool = True, timeout: float = 5) -> bool:
            """Join the workers, then drop any queued request without a word.

            waitress's own warns "Canceling N pending task(s)" on stderr: after a
            stop's drain, a request still queued is one its client gave up waiting for.
            """
            super().shutdown(cancel_pending=False, timeout=timeout)
            if not cancel_pending:
                return False
            with self.lock:
                while self.queue:
                    self.queue.popleft().cancel()
                self.queue_cv.notify_all()
            return True

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

    class RequestTimeout(waitress.utilities.Error):  # type: ignore[misc]
        code = 408
        reason = "Request Timeout"

    class Parser(waitress.parser.HTTPRequestParser):  # type: ignore[misc]
        def __init__(self, adj: Any) -> None:
            super().__init__(adj)
            # Made on a request's first byte (waitress's received()): its deadlines start.
            self.started_at = _monotonic()
            self.headers_done_at: float | None = None

        def received(self, data: bytes) -> int:
            consumed = int(super().received(data))
            if self.headers_finished and self.headers_done_at is None:
                self.headers_done_at = _monotonic()
            return consumed

        def time_out(self, channel: Any) -> None:
            """Answer this unfinished request 408 (then close), as waitress answers a 431."""
            with channel.requests_lock:
                if channel.request is not self:
                    return
                self.error = RequestTimeout("the request did not arrive in time")
                self.completed = True
                channel.request = None
                channel.requests.append(self)
                if len(channel.requests) == 1:  # else service() queues it after the others
                    channel.server.add_task(channel)

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
        trigger_lock: threading.Lock
        trigger_closed: bool

        def pull_trigger(self) -> None:
            with self.trigger_lock:
                if not self.trigger_closed:
                    self.trigger.pull_trigger()

    return Dispatcher, Server
