"""``install()``: route an existing ``httpx.Client`` (python-okx's clients are ones) to a fake.

The transport only translates between httpx and :meth:`FakeExchange.handle`: the target
sent is ``request.url.raw_path`` (path and query percent-encoded exactly as httpx puts
them on the wire), so a signature computed over an unencoded query fails like on OKX.
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING

import httpx

from okx_fakes._types import FakeRequest
from okx_fakes._wire import NETWORK_FAULT_MESSAGE, check_header_values

if TYPE_CHECKING:
    from okx_fakes._exchange import FakeExchange

__all__ = ["FakeTransport", "Installation", "install"]


class FakeTransport(httpx.BaseTransport):
    """An httpx transport answering every request from a :class:`~okx_fakes.FakeExchange`."""

    def __init__(self, exchange: FakeExchange) -> None:
        self._exchange = exchange

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Translate to :meth:`FakeExchange.handle` and back (a network fault: ConnectError)."""
        check_header_values(request.headers.raw, request)  # what h11 checks before sending
        fake_request = FakeRequest(
            request.method,
            request.url.raw_path.decode("ascii"),
            dict(request.headers.items()),  # httpx gives the names lower-cased already
            request.read(),
        )
        response = self._exchange.handle(fake_request)
        if response.network_fault:
            raise httpx.ConnectError(NETWORK_FAULT_MESSAGE, request=request)
        return httpx.Response(
            response.status, headers=list(response.headers), content=response.body,
            request=request,
        )


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


def install(exchange: FakeExchange, client: httpx.Client) -> Installation:
    """Route ``client`` (e.g. ``okx.Account.AccountAPI``) to ``exchange``; undo via the result."""
    if not isinstance(client, httpx.Client):
        raise TypeError(f"install() needs an httpx.Client (python-okx clients are), "
                        f"got {type(client).__name__}")
    installation = Installation(client, FakeTransport(exchange))
    installation._install()
    return installation
