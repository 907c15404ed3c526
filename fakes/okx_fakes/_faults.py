"""Injected faults: what they answer, and the FIFO queue the exchange takes them from.

A fault answers a request before anything else (routing, authentication, rate windows),
except a network fault ``after_answer``: the request is handled as usual, then its answer
is lost. :func:`code_fault`, :func:`http_fault` and :func:`network_fault` validate and
build one; :class:`FaultQueue` holds them with a count each, and with the path a fault is
aimed at (None: whatever request comes next).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from okx_fakes._checks import FieldError, check_positive_int, check_request_path, check_utf8
from okx_fakes._errors import ERRORS, error_response
from okx_fakes._types import FakeResponse
from okx_fakes._wire import is_sendable_header_value

__all__ = ["Fault", "FaultQueue", "check_fault_path", "code_fault", "http_fault",
           "network_fault"]


@dataclass(frozen=True)
class Fault:
    """One injected answer: the response, and the OKX code it carries (None: raw or network).

    ``after_answer`` (network faults only): the request is handled and recorded first, and
    only its answer is lost.
    """

    response: FakeResponse
    code: str | None
    after_answer: bool = False


@dataclass
class _Queued:
    """A fault, how many more requests it answers (a count: ``times`` may be huge), its path."""

    fault: Fault
    remaining: int
    path: str | None = None


class FaultQueue:
    """Faults in FIFO order, each answering its next ``times`` requests (to its path, if aimed).

    A request takes the oldest fault that is not aimed or is aimed at its path: an aimed
    fault waits for its path without holding back the others. Not locked itself: the
    exchange pushes and pops under its own lock.
    """

    def __init__(self) -> None:
        self._queue: deque[_Queued] = deque()

    def __len__(self) -> int:
        return len(self._queue)

    def push(self, fault: Fault, times: int = 1, path: str | None = None) -> None:
        """Queue ``fault`` for the next ``times`` requests (to ``path`` only, when given).

        :class:`FieldError` unless ``times`` is a positive int and ``path`` None or a
        request path (see :func:`check_fault_path`).
        """
        self._queue.append(_Queued(fault, check_positive_int("times", times),
                                   check_fault_path(path)))

    def pop(self, path: str | None = None) -> Fault | None:
        """Return the fault that answers the next request (to ``path``), or None if none does."""
        for index, queued in enumerate(self._queue):
            if queued.path is None or queued.path == path:
                queued.remaining -= 1
                if queued.remaining == 0:
                    del self._queue[index]
                return queued.fault
        return None

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


def network_fault(after_answer: bool = False) -> Fault:
    """Return the fault that drops the connection (``after_answer``: once the request is handled).

    :class:`FieldError` unless ``after_answer`` is a bool.
    """
    if not isinstance(after_answer, bool):
        problem = f"expected true or false, got {type(after_answer).__name__}"
        raise FieldError("after_answer", problem)
    return Fault(FakeResponse(0, b"", (), network_fault=True), None, after_answer)


def check_fault_path(path: object) -> str | None:
    """Return ``path`` if it is None or a request path (``/``, no query), else :class:`FieldError`.

    Any path: every request enters the exchange's one request path (modelled, stubbed or
    bound for a fallback), so a fault aimed anywhere fires (see
    :func:`~okx_fakes._checks.check_request_path` for what is refused).
    """
    return None if path is None else check_request_path("path", path)
