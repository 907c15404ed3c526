"""What the fake does not model: the paths, the error a test meets, the 404 a server gives.

The fake answers the (method, path) pairs of :data:`~okx_fakes._routes.ROUTES`; a path
it lists asked with another method is still its own (50115). Any other path is not
modelled: it still enters the exchange's request path (faults, records, authentication
when it carries a key), then a stub answers it; else, in-process (``install()``,
:class:`~okx_fakes.FakeTransport`, the drop-in clients) it goes to the ``fallback=`` the
test gives, or fails the test with :class:`UnmodelledRequestError`; over HTTP the server
answers 404 with a JSON body that says so and names the stub recipe (JSON: python-okx
reads every answer with ``response.json()``; no ``code`` in it: it is never an
OKX-looking answer, which python-okx would hand back as a normal one).
"""

from __future__ import annotations

from okx_fakes._routes import ROUTES
from okx_fakes._text import printable
from okx_fakes._types import FakeResponse, json_body

__all__ = [
    "FALLBACK_RECIPE",
    "MODELLED_PATHS",
    "NOT_MODELLED",
    "NOT_MODELLED_HEADER",
    "STUB_RECIPE",
    "UnmodelledRequestError",
    "is_modelled",
    "unmodelled_message",
    "unmodelled_response",
]

#: What an unmodelled answer's body says, over HTTP (and what a client can search for).
NOT_MODELLED = "not modelled by okx-fakes"


#: Every path the fake answers itself (with any method: another one answers 50115).
MODELLED_PATHS: frozenset[str] = frozenset(path for _, path in ROUTES)

#: How to answer an unmodelled request elsewhere, named in every refusal.
FALLBACK_RECIPE = (
    "stub it: exchange.stub(method, path, json={...}); or pass fallback= to answer it "
    "elsewhere: exchange.install(client, fallback=...) or "
    "FakeTransport(exchange, fallback=...) with an httpx transport (httpx.MockTransport, "
    "httpx.HTTPTransport() under pytest-httpx) or a callable (httpx.Request) -> "
    "httpx.Response (a respx router's .handler)"
)

#: How to stub an unmodelled request over HTTP, named in the server's 404.
STUB_RECIPE = ('stub it: PUT /_fake/stubs {"method": ..., "path": ..., "json": {...}} '
               "(okx-ext docs: recipes/stub-a-route)")

#: The header marking the server's not-modelled 404, so that its log line says so.
NOT_MODELLED_HEADER = ("x-okx-fake", "not-modelled")


class UnmodelledRequestError(AssertionError):
    """A request the fake does not model reached it in-process; no stub, no ``fallback=``.

    An ``AssertionError``, as respx raises for a request no route matches: a test that
    sends it fails, loudly, rather than reading an answer the fake made up. The message
    names the method, the path and the recipes (a stub, ``fallback=``).
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
    """Return the answer to an unmodelled path no stub answers: 404, JSON saying so.

    ``{"error": "not modelled by okx-fakes", "msg": ...}``, the message naming the
    request, what the fake models and :data:`STUB_RECIPE`; marked with
    :data:`NOT_MODELLED_HEADER`, which the in-process adapters read to call the fallback.
    """
    modelled = ", ".join(f"{verb} {known}" for verb, known in ROUTES)
    msg = (f"{printable(method)} {printable(path)} is {NOT_MODELLED} (it models {modelled}); "
           f"{STUB_RECIPE}")
    return FakeResponse(404, json_body({"error": NOT_MODELLED, "msg": msg}),
                        (("content-type", "application/json"), NOT_MODELLED_HEADER))
