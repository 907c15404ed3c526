"""Injected faults: what they answer, and the FIFO queue the exchange takes them from.

A fault answers a request before anything else (routing, authentication, rate windows).
:func:`code_fault`, :func:`http_fault` and :func:`network_fault` validate and build one;
:class:`FaultQueue` holds them with a count each.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from okx_fakes._checks import FieldError, check_positive_int, check_utf8
from okx_fakes._errors import ERRORS, error_response
from okx_fakes._types import FakeResponse
from okx_fakes._wire import is_sendable_header_value

__all__ = ["Fault", "FaultQueue", "code_fault", "http_fault", "network_fault"]


@dataclass(frozen=True)
class Fault:
    """One injected answer: the response, and the OKX code it carries (None: raw or network)."""

    response: FakeResponse
    code: str | None


@dataclass
class _Queued:
    """A fault and how many more requests it answers (a count: ``times`` may be huge)."""

    fault: Fault
    remaining: int


class FaultQueue:
    """Faults in FIFO order, each answering its next ``times`` requests.

    Not locked itself: the exchange pushes and pops under its own lock.
    """

    def __init__(self) -> None:
        self._queue: deque[_Queued] = deque()

    def __len__(self) -> int:
        return len(self._queue)

    def push(self, fault: Fault, times: int = 1) -> None:
        """Queue ``fault`` for the next ``times`` requests (FieldError unless a positive int)."""
        self._queue.append(_Queued(fault, check_positive_int("times", times)))

    def pop(self) -> Fault | None:
        """Return the fault that answers the next request, or None when none is queued."""
        if not self._queue:
            return None
        queued = self._queue[0]
        queued.remaining -= 1
        if queued.remaining == 0:
            self._queue.popleft()
        return queued.fault

    def clear(self) -> None:
        """Drop every queued fault."""
        self._queue.clear()


def code_fault(code: str | int, msg: str | None = None) -> Fault:
    """Return the fault answering OKX error ``code`` (status from the table, ``msg`` or its text).

    ValueError for an unknown code; :class:`FieldError` for a ``msg`` that is not a str
    encodable as UTF-8 (the body is UTF-8 JSON).
    """
    code_str = str(code)
    if code_str not in ERRORS:
        raise ValueError(
            f"unknown OKX code {code_str!r}; known: {sorted(ERRORS)} "
            "(use fail_next_http for arbitrary answers)"
        )
    if msg is not None:
        check_utf8("msg", msg)
    return Fault(error_response(code_str, msg), code_str)


def http_fault(status: int, body: bytes | str,
               content_type: str = "text/html; charset=utf-8") -> Fault:
    """Return the fault answering a raw HTTP ``status`` and ``body``.

    :class:`FieldError` for a status outside 100-599, a ``body`` neither bytes nor a str
    encodable as UTF-8, or a ``content_type`` no HTTP client could receive as a header
    value (non-ASCII, a control character such as a line break).
    """
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        problem = f"must be an HTTP status code (100-599), got {status!r}"
        raise FieldError("status", problem, f"status {problem}")
    if isinstance(body, str):
        raw = check_utf8("body", body)
    elif isinstance(body, (bytes, bytearray, memoryview)):
        raw = bytes(body)
    else:
        problem = f"must be bytes or str, got {type(body).__name__}"
        raise FieldError("body", problem, f"body {problem}")
    if not isinstance(content_type, str) or not is_sendable_header_value(content_type):
        # A line break would inject a header; non-ASCII fails the server when it answers.
        problem = ("must be a str sendable as an HTTP header value "
                   "(ASCII, no control character, no surrounding whitespace)")
        raise FieldError("content_type", problem, f"content_type {problem}")
    return Fault(FakeResponse(status, raw, (("content-type", content_type),)), None)


def network_fault() -> Fault:
    """Return the fault that drops the connection."""
    return Fault(FakeResponse(0, b"", (), network_fault=True), None)
