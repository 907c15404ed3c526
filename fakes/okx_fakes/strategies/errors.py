"""Strategies for OKX's error answers, as the fake's table (``okx_fakes.ERRORS``) has them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hypothesis import strategies as st

from okx_fakes._errors import ERRORS, error_body

__all__ = ["ErrorCase", "error_cases", "error_payloads"]


@dataclass(frozen=True)
class ErrorCase:
    """One OKX error answer: the code, the HTTP status it comes with and the parsed body."""

    code: str
    status: int
    body: dict[str, object]


def error_cases(codes: Iterable[str] | None = None) -> st.SearchStrategy[ErrorCase]:
    """OKX error answers as the fake's table (``okx_fakes.ERRORS``) has them.

    Draws a code (from ``codes``, default every code of the table), its status, and its
    body in its shape: ``{"msg": ..., "code": ...}`` from the gateway (authentication, the
    429), ``{"code": ..., "data": [], "msg": ...}`` from the endpoint. The ``code`` in the
    body is sometimes a JSON number, as older OKX answers sent it
    (https://github.com/knowm/XChange/issues/4114).

    Example: ``ErrorCase(code="50113", status=401, body={"msg": "Invalid Sign", "code":
    "50113"})``.
    """
    if codes is None:
        return _ALL_ERROR_CASES
    # Sorted once, here: a generator of codes is read once, not once per example.
    return _error_cases(st.sampled_from(sorted(codes)))


@st.composite
def _error_cases(draw: st.DrawFn, codes: st.SearchStrategy[str]) -> ErrorCase:
    code = draw(codes)
    spec = ERRORS[code]
    body = error_body(code, spec.message(), spec.shape)
    if draw(st.booleans()):
        body["code"] = int(code)
    return ErrorCase(code, spec.status, body)


_ALL_ERROR_CASES = _error_cases(st.sampled_from(sorted(ERRORS)))


def error_payloads() -> st.SearchStrategy[dict[str, object]]:
    """OKX error bodies in both shapes (see :func:`error_cases`).

    Example: ``{"code": "51000", "data": [], "msg": "Parameter ccy error"}``.
    """
    return error_cases().map(lambda case: case.body)
