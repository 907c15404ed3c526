"""``FakeExchange``: the model (:mod:`okx_fakes._model`) with its ways in as methods.

The model imports none of its adapters; this façade sits above both, so that
``exchange.install(api)``, ``exchange.wsgi_app()``, ``exchange.serve()`` and
``exchange.server()`` read as before while every import points one way:
core (types, auth, accounts, routes, model) <- adapters (WSGI app, transport, server,
control API, ``FakeAccountAPI``) <- this module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx

from okx_fakes._accounts_file import (
    SAMPLE_ACCOUNTS,
    AccountSpec,
    seed_exchange,
    specs_from_document,
)
from okx_fakes._authenticate import AUTH_ORDER
from okx_fakes._model import ExchangeModel, ExchangeState, default_clock
from okx_fakes._routes import ROUTES, Route
from okx_fakes._server import FakeServer
from okx_fakes._transport import Fallback, Installation, install
from okx_fakes._wsgi import FakeWSGIApp

__all__ = [
    "AUTH_ORDER",
    "ROUTES",
    "ExchangeState",
    "FakeExchange",
    "Route",
    "default_clock",
    "sample_exchange",
]


class FakeExchange(ExchangeModel):
    """An in-memory OKX exchange answering the routes of :data:`~okx_fakes._routes.ROUTES`.

    ``clock`` returns epoch seconds; None means :func:`default_clock`, the source python-okx
    signs with, looked up at each call, so freezegun moves both sides alike in every thread.
    ``max_skew_s`` bounds ``|OK-ACCESS-TIMESTAMP - clock|`` (None turns the check off, handy
    with a simulated clock). ``max_records`` keeps only that many of the latest
    :attr:`requests` (None: all; a long-running server wants a bound).
    Thread-safe: one lock guards all state.
    """

    def install(self, api: httpx.Client, *, fallback: Fallback | None = None) -> Installation:
        """Route a real python-okx client (any ``httpx.Client``) to this exchange.

        Replaces the client's transport and mounted transports; returns an
        :class:`~okx_fakes.Installation`: call ``uninstall()`` or use it as a context manager
        to put the original transports back. Any ``base_url`` works. Every request enters
        :meth:`handle`; a path the fake does not model that no :meth:`stub` answers goes to
        ``fallback`` unchanged (an ``httpx.BaseTransport``, a respx router, or a callable
        ``(httpx.Request) -> httpx.Response``); without one it raises
        :class:`~okx_fakes.UnmodelledRequestError`.
        """
        return install(self, api, fallback=fallback)

    def wsgi_app(
        self, *, control: bool = True, log: Callable[[str], None] | None = None,
        control_token: str | None = None,
    ) -> FakeWSGIApp:
        """Return this exchange's HTTP face: a WSGI application (see :class:`FakeWSGIApp`).

        ``control`` serves the control API under ``/_fake/``; ``log`` receives one line per
        request; ``control_token`` is the token control requests must carry.
        ``install()`` and ``serve()`` run this same application.
        """
        return FakeWSGIApp(self, control=control, log=log, control_token=control_token)

    @contextmanager
    def serve(
        self, host: str = "127.0.0.1", port: int = 0, *, control: bool = True,
        control_token: str | None = None,
    ) -> Iterator[str]:
        """Serve this exchange over HTTP on ``host:port`` (0: a free port); yields the base URL.

        Runs on waitress (the ``server`` extra; ModuleNotFoundError naming it without).
        Stops cleanly on exit: the sockets are closed and the threads joined. Off loopback,
        the control API needs ``control_token`` (see :class:`~okx_fakes.FakeServer`).
        """
        with self.server(host, port, control=control, control_token=control_token) as server:
            yield server.url

    def server(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        log: Callable[[str], None] | None = None,
        control: bool = True,
        control_token: str | None = None,
    ) -> FakeServer:
        """Return a :class:`~okx_fakes.FakeServer` for this exchange, bound but not started."""
        return FakeServer(self, host, port, log=log, control=control,
                          control_token=control_token)


def sample_exchange() -> tuple[FakeExchange, AccountSpec]:
    """Return a fresh fake exchange seeded with the sample account, and that account's spec.

    The sample account is :data:`~okx_fakes.SAMPLE_ACCOUNTS` (its credentials are public
    on purpose: it exists only inside a fake); ``okx-ext max-withdrawal --fake`` answers
    from it.
    """
    specs = specs_from_document(SAMPLE_ACCOUNTS)
    exchange = FakeExchange()
    seed_exchange(exchange, specs)
    return exchange, specs[0]
