"""``install()``: route an existing ``httpx.Client`` (python-okx's clients are ones) to a fake.

The transport mounts the fake's WSGI application (:mod:`okx_fakes._wsgi`, the one
``serve()`` runs) through httpx's own ``httpx.WSGITransport``, with the target exactly as
httpx puts it on the wire (``request.url.raw_path``, percent-encoded), so a signature
computed over an unencoded query fails like on OKX. Header values h11 would refuse to
send fail first, as over a socket; an injected network fault is ``httpx.ConnectError``.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import TracebackType
from typing import TYPE_CHECKING, Any

import httpx

from okx_fakes._wire import NETWORK_FAULT_MESSAGE, check_header_values
from okx_fakes._wsgi import DroppedConnection, FakeWSGIApp, StartResponse

if TYPE_CHECKING:
    from okx_fakes._model import ExchangeModel

__all__ = ["FakeTransport", "Installation", "install"]


class FakeTransport(httpx.BaseTransport):
    """An httpx transport answering every request from a :class:`~okx_fakes.FakeExchange`.

    It runs the exchange's WSGI application (control API off: an in-process test holds
    the exchange itself) through ``httpx.WSGITransport``.
    """

    def __init__(self, exchange: ExchangeModel) -> None:
        self._exchange = exchange
        self.app = FakeWSGIApp(exchange, control=False)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` to the WSGI application (a network fault: ConnectError)."""
        check_header_values(request.headers.raw, request)  # what h11 checks before sending
        target = request.url.raw_path.decode("ascii")
        app = self.app

        def with_raw_target(environ: dict[str, Any],
                            start_response: StartResponse) -> Iterable[bytes]:
            environ["REQUEST_URI"] = target  # as waitress gives it: PATH_INFO is decoded
            return app(environ, start_response)

        try:
            return httpx.WSGITransport(with_raw_target).handle_request(request)
        except DroppedConnection:
            raise httpx.ConnectError(NETWORK_FAULT_MESSAGE, request=request) from None


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


def install(exchange: ExchangeModel, client: httpx.Client) -> Installation:
    """Route ``client`` (e.g. ``okx.Account.AccountAPI``) to ``exchange``; undo via the result."""
    if not isinstance(client, httpx.Client):
        raise TypeError(f"install() needs an httpx.Client (python-okx clients are), "
                        f"got {type(client).__name__}")
    installation = Installation(client, FakeTransport(exchange))
    installation._install()
    return installation
