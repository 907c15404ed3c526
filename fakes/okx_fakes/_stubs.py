"""Stubs: canned answers for the requests the fake does not model, one mechanism for all.

A test that needs an endpoint the fake does not model (the ticker, say) stubs it:
``exchange.stub("GET", "/api/v5/market/ticker", json={...})`` in Python, or
``PUT /_fake/stubs`` from any language. A stub matches a method, a path and, optionally,
a subset of the decoded query parameters; it answers ``status`` and its JSON body, the
next ``times`` requests (None: every one). A stubbed answer goes through the one request
path like any other (faults first, authentication when the request carries an API key)
and is recorded with the ``code`` of its body.

Stubbing a path the fake models is refused: the model answers those, and a stub there
would hide the model from the test that thinks it exercises it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

from okx_ext.text import preview
from okx_fakes._checks import FieldError, check_positive_int, check_request_path
from okx_fakes._types import JSON_HEADERS, FakeResponse
from okx_fakes._unmodelled import MODELLED_PATHS

__all__ = ["Stub", "StubTable", "body_code", "make_stub"]

# RFC 9110 §5.6.2: a method is a token; the stub compares it upper-cased, as OKX's
# endpoints are all upper-case methods (GET, POST).
_TOKEN_CHARS = frozenset("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                         "abcdefghijklmnopqrstuvwxyz")


@dataclass(eq=False)
class Stub:
    """One stubbed answer; the handle :meth:`FakeExchange.stub` returns.

    ``query`` (None: any) must be a subset of the request's decoded query parameters;
    ``remaining`` is how many more requests it answers (None: unlimited); ``calls`` how
    many it answered. ``remaining`` and ``calls`` change under the exchange's lock; ``code``
    is the body's ``code``, what the request record shows.
    """

    method: str
    path: str
    query: Mapping[str, str] | None
    status: int
    json: Any = field(repr=False)
    times: int | None
    remaining: int | None
    calls: int = 0
    body: bytes = field(default=b"", repr=False)
    #: The ``code`` of the body (see :func:`body_code`), what the request record shows.
    code: str | None = None

    def matches(self, method: str, path: str, params: list[tuple[str, str]]) -> bool:
        """Tell whether this stub answers ``method path`` with these decoded query pairs."""
        if self.method != method or self.path != path:
            return False
        return self.query is None or all(pair in params for pair in self.query.items())

    def response(self) -> FakeResponse:
        """Return the answer: ``status``, the JSON body, ``application/json``."""
        return FakeResponse(self.status, self.body, JSON_HEADERS)

    def as_json(self) -> dict[str, object]:
        """Return the stub as the control API lists it."""
        return {"method": self.method, "path": self.path,
                "query": None if self.query is None else dict(self.query),
                "status": self.status, "json": self.json, "times": self.times,
                "remaining": self.remaining, "calls": self.calls}


def make_stub(method: object, path: object, *, query: object = None, status: object = 200,
              json: object = None, times: object = None) -> Stub:
    """Return a checked :class:`Stub` (see :meth:`FakeExchange.stub`); :class:`FieldError` else."""
    if not isinstance(method, str) or not method or not set(method) <= _TOKEN_CHARS:
        raise FieldError("method", f"expected an HTTP method such as 'GET', got {preview(method)}")
    checked_path = check_request_path("path", path)
    if checked_path in MODELLED_PATHS:
        raise FieldError("path", f"{checked_path} is modelled by the fake, which answers it "
                                 "(stub only paths it does not model; to fail it, use a fault)")
    if query is not None and not (isinstance(query, Mapping) and all(
            isinstance(key, str) and isinstance(value, str) for key, value in query.items())):
        raise FieldError("query", f"expected an object of string values, got {preview(query)}")
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise FieldError("status", f"expected an HTTP status code (100-599), got {preview(status)}")
    count = None if times is None else check_positive_int("times", times)
    try:
        body = _STRICT_ENCODER.encode(json).encode("utf-8")
    except (TypeError, ValueError, RecursionError):  # a set, a NaN, a lone surrogate...
        raise FieldError("json", f"expected a JSON value, got {preview(json)}") from None
    return Stub(method.upper(), checked_path, None if query is None else dict(query), status,
                _copy(body), count, count, body=body, code=body_code(body))


# As json_body's, but NaN and Infinity are refused: JSON has neither, and no client reads them.
_STRICT_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _copy(body: bytes) -> Any:
    # The stub keeps its own copy, read back from the bytes it answers: a caller mutating
    # the dict it passed changes neither what is listed nor what is answered.
    return json.loads(body)


def body_code(body: bytes) -> str | None:
    """Return the OKX ``code`` of a JSON answer's body (a str, or an int as a str), else None."""
    try:
        answer = json.loads(body)
    except (ValueError, RecursionError):  # not JSON (an HTML page), or nested too deep
        return None
    code = answer.get("code") if isinstance(answer, dict) else None
    if isinstance(code, bool) or not isinstance(code, (str, int)):
        return None
    return str(code)


class StubTable:
    """The stubs, oldest first: a request takes the oldest that matches. No lock of its own.

    A stub answering its last time is dropped, so that a later stub for the same request
    answers next (``times=1`` then another: a sequence).
    """

    def __init__(self) -> None:
        self._stubs: list[Stub] = []

    def __len__(self) -> int:
        return len(self._stubs)

    def add(self, stub: Stub) -> None:
        """Add ``stub`` after the others."""
        self._stubs.append(stub)

    def take(self, method: str, path: str, query: str) -> Stub | None:
        """Return the stub answering this request (counting the answer), or None."""
        if not self._stubs:
            return None
        decoded = unquote(path)
        params = parse_qsl(query, keep_blank_values=True)
        for index, stub in enumerate(self._stubs):
            if stub.matches(method, decoded, params):
                stub.calls += 1
                if stub.remaining is not None:
                    stub.remaining -= 1
                    if stub.remaining == 0:
                        del self._stubs[index]
                return stub
        return None

    def copy(self) -> list[Stub]:
        """Return the stubs still answering, oldest first (a copy of the list)."""
        return list(self._stubs)

    def clear(self) -> None:
        """Drop every stub."""
        self._stubs.clear()
