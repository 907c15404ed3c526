"""What crosses between the model and its adapters: request, response, record, JSON bodies."""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any, NamedTuple

__all__ = [
    "JSON_HEADERS",
    "FakeRequest",
    "FakeResponse",
    "RequestRecord",
    "json_body",
    "read_json",
]

JSON_HEADERS = (("content-type", "application/json"),)


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def json_body(payload: object) -> bytes:
    """Serialise ``payload`` as every JSON body of the fake: compact separators, UTF-8."""
    return _ENCODER.encode(payload).encode("utf-8")


def read_json(text: str | bytes) -> Any:
    """Decode JSON the fake is sent, every number exact (fractions as ``Decimal``).

    Raises ValueError for text that is not JSON, and for ``NaN``/``Infinity``, which
    Python's json accepts but JSON has not; RecursionError for nesting too deep.
    """
    return json.loads(text, parse_float=Decimal, parse_constant=_refuse_constant)


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not a valid amount (JSON has no {name})")


class FakeRequest(NamedTuple):
    """A request as it reaches the exchange (immutable).

    ``target`` is the path and query exactly as on the wire (percent-encoded, e.g.
    ``/api/v5/account/max-withdrawal?ccy=BTC,%20ETH``); ``headers`` has lower-case names.
    """

    method: str
    target: str
    headers: Mapping[str, str] = MappingProxyType({})
    body: bytes = b""

    def __repr__(self) -> str:
        # Headers carry the key, passphrase and signature: never show them.
        return f"FakeRequest(method={self.method!r}, target={self.target!r})"


class FakeResponse(NamedTuple):
    """The answer (immutable): HTTP status, raw body, headers; or a dropped connection."""

    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = JSON_HEADERS
    network_fault: bool = False


class RequestRecord(NamedTuple):
    """One handled request; secrets are never captured.

    ``query`` is the raw query string as received; ``uid`` is None when the request
    failed before its key was known, or carried none (a public request); ``code`` is
    the OKX code answered (for a stub's or a fallback's answer, the ``code`` of its JSON
    body; None for an injected raw HTTP body, a network fault, or a body without one);
    ``status`` is None for a network fault or a fallback that raised (a drop-in
    client's fallback object gives no status: 200 is recorded, an assumption); ``time``
    is the fake's clock when it was answered.
    """

    method: str
    path: str
    query: str
    uid: str | None
    code: str | None
    status: int | None
    time: float
