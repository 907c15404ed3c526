"""What the fake does not model: the paths, the error a test meets, the 404 a server gives.

The fake answers the (method, path) pairs of :data:`~okx_fakes._routes.ROUTES`; a path
it lists asked with another method is still its own (50115). Any other path is not
modelled: in-process (``install()``, :class:`~okx_fakes.FakeTransport`) it goes to the
``fallback=`` the test gives, or fails the test with :class:`UnmodelledRequestError`;
over HTTP the server answers 404 with a plain-text body that says so (never an
OKX-looking answer, which python-okx would hand back as a normal one).
"""

from __future__ import annotations

from okx_fakes._routes import ROUTES
from okx_fakes._text import printable
from okx_fakes._types import FakeResponse

__all__ = [
    "FALLBACK_RECIPE",
    "MODELLED_PATHS",
    "NOT_MODELLED_HEADER",
    "UnmodelledRequestError",
    "is_modelled",
    "unmodelled_message",
    "unmodelled_response",
]

#: Every path the fake answers itself (with any method: another one answers 50115).
MODELLED_PATHS: frozenset[str] = frozenset(path for _, path in ROUTES)

#: How to answer an unmodelled request elsewhere, named in every refusal.
FALLBACK_RECIPE = (
    "pass fallback= to answer it elsewhere: exchange.install(client, fallback=...) or "
    "FakeTransport(exchange, fallback=...) with an httpx transport (httpx.MockTransport, "
    "httpx.HTTPTransport() under pytest-httpx) or a callable (httpx.Request) -> "
    "httpx.Response (a respx router's .handler)"
)

#: The header marking the server's not-modelled 404, so that its log line says so.
NOT_MODELLED_HEADER = ("x-okx-fake", "not-modelled")


class UnmodelledRequestError(AssertionError):
    """A request the fake does not model reached it in-process without a ``fallback=``.

    An ``AssertionError``, as respx raises for a request no route matches: a test that
    sends it fails, loudly, rather than reading an answer the fake made up. The message
    names the method, the path and the ``fallback=`` recipe.
    """

    def __init__(self, method: str, path: str) -> None:
        super().__init__(unmodelled_message(method, path))
        self.method = method
        self.path = path


def is_modelled(path: str) -> bool:
    """Return True when the fake answers ``path`` itself (the path only, no query)."""
    return path in MODELLED_PATHS


def unmodelled_message(method: str, path: str) -> str:
    """Return the sentence naming the request, what the fake models, and the recipe."""
    modelled = ", ".join(f"{verb} {known}" for verb, known in ROUTES)
    return (f"{printable(method)} {printable(path)} is not modelled by the fake OKX exchange "
            f"(it models {modelled}); {FALLBACK_RECIPE}")


def unmodelled_response(method: str, path: str) -> FakeResponse:
    """Return the server's answer to an unmodelled path: 404, plain text saying so."""
    body = f"404: {unmodelled_message(method, path)}\n".encode("ascii")
    return FakeResponse(404, body, (("content-type", "text/plain; charset=utf-8"),
                                    NOT_MODELLED_HEADER))
