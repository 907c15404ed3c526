"""``install()``: route an existing ``httpx.Client`` (python-okx's clients are ones) to a fake.

The transport mounts the fake's WSGI application (:mod:`okx_fakes._wsgi`, the one
``serve()`` runs) through httpx's own ``httpx.WSGITransport``, with the target exactly as
httpx puts it on the wire (``request.url.raw_path``, percent-encoded), so a signature
computed over an unencoded query fails like on OKX. Header values h11 would refuse to
send fail first, as over a socket; an injected network fault is ``httpx.ConnectError``.

A request to a path the fake does not model goes, unchanged and unchecked, to the
``fallback`` given (an ``httpx.BaseTransport``, a respx router, or any callable
``(httpx.Request) -> httpx.Response``); without one it raises
:class:`~okx_fakes.UnmodelledRequestError`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import TracebackType
from typing import TYPE_CHECKING, Any

import httpx

from okx_fakes._unmodelled import UnmodelledRequestError, is_modelled
from okx_fakes._wire import NETWORK_FAULT_MESSAGE, check_header_values
from okx_fakes._wsgi import DroppedConnection, FakeWSGIApp, StartResponse

if TYPE_CHECKING:
    from okx_fakes._model import ExchangeModel

__all__ = ["FakeTransport", "Fallback", "Installation", "install"]

#: What answers the requests the fake does not model: an httpx transport or a handler.
Fallback = httpx.BaseTransport | Callable[[httpx.Request], httpx.Response]


class FakeTransport(httpx.BaseTransport):
    """An httpx transport answering every request from a :class:`~okx_fakes.FakeExchange`.

    It runs the exchange's WSGI application (control API off: an in-process test holds
    the exchange itself) through ``httpx.WSGITransport``. ``handle_request`` is a handler
    other mocks take as they are: a respx ``side_effect``, a pytest-httpx callback, the
    handler of ``httpx.MockTransport``. A path the fake does not model goes to
    ``fallback`` unchanged: an ``httpx.BaseTransport``, a respx router (its ``handler``)
    or a callable ``(httpx.Request) -> httpx.Response``; with none it raises
    :class:`~okx_fakes.UnmodelledRequestError`.
    """

    def __init__(self, exchange: ExchangeModel, *, fallback: Fallback | None = None) -> None:
        self._exchange = exchange
        self.app = FakeWSGIApp(exchange, control=False)
        self.fallback = fallback
        self._fallback = None if fallback is None else _handler_of(fallback)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Answer ``request`` from the fake (a network fault: ConnectError) or the fallback."""
        target = request.url.raw_path.decode("ascii")
        path = target.partition("?")[0]  # as the exchange reads it: still percent-encoded
        if not is_modelled(path):
            if self._fallback is None:
                raise UnmodelledRequestError(request.method, path)
            return _checked_response(self._fallback(request), self.fallback)
        check_header_values(request.headers.raw, request)  # what h11 checks before sending
        app = self.app

        def with_raw_target(environ: dict[str, Any],
                            start_response: StartResponse) -> Iterable[bytes]:
            environ["REQUEST_URI"] = target  # as waitress gives it: PATH_INFO is decoded
            return app(environ, start_response)

        try:
            return httpx.WSGITransport(with_raw_target).handle_request(request)
        except DroppedConnection:
            raise httpx.ConnectError(NETWORK_FAULT_MESSAGE, request=request) from None


def _handler_of(fallback: object) -> Callable[[httpx.Request], httpx.Response]:
    """Return the function that answers a request for ``fallback`` (TypeError if none does)."""
    if isinstance(fallback, httpx.BaseTransport):
        return fallback.handle_request
    # A respx router: calling a MockRouter decorates, its handler answers.
    handler = getattr(fallback, "handler", None)
    if callable(handler) and callable(getattr(fallback, "resolve", None)):
        return handler  # type: ignore[no-any-return]
    if callable(fallback):
        return fallback
    raise TypeError("fallback must be an httpx.BaseTransport, a respx router or a callable "
                    f"(httpx.Request) -> httpx.Response, got {type(fallback).__name__}")


def _checked_response(response: object, fallback: object) -> httpx.Response:
    if not isinstance(response, httpx.Response):
        raise TypeError(f"fallback {type(fallback).__name__} returned "
                        f"{type(response).__name__}, not an httpx.Response")
    return response


class Installation:
    """Undo handle for :func:`install`: ``uninstall()``, or use it as a context manager."""

    def __init__(self, client: httpx.Client, transport: FakeTransport) -> None:
        self._client = client
        self.transport = transport
        self._saved_transport = client._transport
        self._saved_mounts = dict(client._mounts)
        self._installed = False

    def _install(self) -> None:
        self._client._transport = self.transport
        self._client._mounts = {pattern: self.transport for pattern in self._saved_mounts}
        self._installed = True

    @property
    def installed(self) -> bool:
        """True until ``uninstall()`` runs."""
        return self._installed

    def uninstall(self) -> None:
        """Put the client's original transports back (idempotent)."""
        if self._installed:
            self._client._transport = self._saved_transport
            self._client._mounts = dict(self._saved_mounts)
            self._installed = False

    def __enter__(self) -> Installation:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.uninstall()


def install(exchange: ExchangeModel, client: httpx.Client, *,
            fallback: Fallback | None = None) -> Installation:
    """Route ``client`` (e.g. ``okx.Account.AccountAPI``) to ``exchange``; undo via the result.

    Paths the fake does not model go to ``fallback`` (see :class:`FakeTransport`), else
    raise :class:`~okx_fakes.UnmodelledRequestError`.
    """
    if not isinstance(client, httpx.Client):
        raise TypeError(f"install() needs an httpx.Client (python-okx clients are), "
                        f"got {type(client).__name__}")
    installation = Installation(client, FakeTransport(exchange, fallback=fallback))
    installation._install()
    return installation
