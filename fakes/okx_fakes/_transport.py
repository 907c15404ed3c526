"""``install()``: route an existing ``httpx.Client`` (python-okx's clients are ones) to a fake.

The transport mounts the fake's WSGI application (:mod:`okx_fakes._wsgi`, the one
``serve()`` runs) through httpx's own ``httpx.WSGITransport``, with the target exactly as
httpx puts it on the wire (``request.url.raw_path``, percent-encoded), so a signature
computed over an unencoded query fails like on OKX. Header values h11 would refuse to
send fail first, as over a socket; an injected network fault is ``httpx.ConnectError``.

Every request enters the exchange's ``handle()``, modelled or not: it takes faults, is
recorded, and is authenticated when it carries an API key. A request to a path the fake
does not model that no stub answers then goes, unchanged, to the ``fallback`` given (an
``httpx.BaseTransport``, a respx router, or any callable ``(httpx.Request) ->
httpx.Response``), whose response is returned as it is; without one it raises
:class:`~okx_fakes.UnmodelledRequestError`. The fallback belongs to the installation
(:attr:`FakeTransport.fallback` may be replaced), not to the exchange.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import TracebackType
from typing import TYPE_CHECKING, Any

import httpx

from okx_fakes._types import FakeRequest, FakeResponse
from okx_fakes._unmodelled import NOT_MODELLED_HEADER, UnmodelledRequestError
from okx_fakes._wire import NETWORK_FAULT_MESSAGE, check_header_values
from okx_fakes._wsgi import FALLBACK_ENVIRON_KEY, DroppedConnection, FakeWSGIApp, StartResponse

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
    handler of ``httpx.MockTransport``. Every request enters the exchange (faults, the
    record, a stub); a path the fake does not model that no stub answers goes to
    ``fallback`` unchanged: an ``httpx.BaseTransport``, a respx router (its ``handler``)
    or a callable ``(httpx.Request) -> httpx.Response``; with none it raises
    :class:`~okx_fakes.UnmodelledRequestError`. ``fallback`` may be replaced at any time
    (the pytest plugin's session clients set each test's ``okx_fallback``).
    """

    def __init__(self, exchange: ExchangeModel, *, fallback: Fallback | None = None) -> None:
        self._exchange = exchange
        self.app = FakeWSGIApp(exchange, control=False)
        self.fallback = fallback

    @property
    def fallback(self) -> Fallback | None:
        """What answers the unmodelled requests no stub answers (None: raise)."""
        return self._fallback_given

    @fallback.setter
    def fallback(self, fallback: Fallback | None) -> None:
        # Checked when set, not at the first unmodelled request: a wrong type fails at once.
        self._fallback = None if fallback is None else _handler_of(fallback)
        self._fallback_given = fallback

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Answer ``request`` from the fake (a network fault: ConnectError) or the fallback."""
        target = request.url.raw_path.decode("ascii")
        check_header_values(request.headers.raw, request)  # what h11 checks before sending
        app = self.app
        handler, given = self._fallback, self._fallback_given
        answered: list[httpx.Response] = []

        def call_fallback(fake_request: FakeRequest) -> FakeResponse:
            assert handler is not None
            response = _checked_response(handler(request), given)
            response.read()  # the record shows the body's code; the client reads it anyway
            answered.append(response)
            return FakeResponse(response.status_code, response.content, ())

        def with_raw_target(environ: dict[str, Any],
                            start_response: StartResponse) -> Iterable[bytes]:
            environ["REQUEST_URI"] = target  # as waitress gives it: PATH_INFO is decoded
            if handler is not None:
                environ[FALLBACK_ENVIRON_KEY] = call_fallback
            return app(environ, start_response)

        try:
            response = httpx.WSGITransport(with_raw_target).handle_request(request)
        except DroppedConnection:
            raise httpx.ConnectError(NETWORK_FAULT_MESSAGE, request=request) from None
        if answered:  # the fallback's own response, exactly as it made it
            return answered[0]
        if response.headers.get(NOT_MODELLED_HEADER[0]) == NOT_MODELLED_HEADER[1]:
            raise UnmodelledRequestError(request.method, target.partition("?")[0])
        return response


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

    Requests to paths the fake does not model, that no stub answers, go to ``fallback``
    (see :class:`FakeTransport`), else raise :class:`~okx_fakes.UnmodelledRequestError`.
    """
    if not isinstance(client, httpx.Client):
        raise TypeError(f"install() needs an httpx.Client (python-okx clients are), "
                        f"got {type(client).__name__}")
    installation = Installation(client, FakeTransport(exchange, fallback=fallback))
    installation._install()
    return installation
