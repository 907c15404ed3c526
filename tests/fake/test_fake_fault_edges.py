"""The fault builders and queue at their edges: status bounds, exact refusals, defaults."""

from __future__ import annotations

import pytest
from okx_fakes import FakeResponse
from okx_fakes._checks import FieldError
from okx_fakes._faults import (
    Fault,
    FaultQueue,
    check_fault_path,
    code_fault,
    http_fault,
    network_fault,
)
from okx_fakes._unmodelled import MODELLED_PATHS

STATUS_PROBLEM = "must be an HTTP status code (100-599), got {!r}"
HEADER_PROBLEM = ("must be a str sendable as an HTTP header value "
                  "(ASCII, no control character, no surrounding whitespace)")


def _refusal(call: object, *args: object) -> FieldError:
    with pytest.raises(FieldError) as raised:
        call(*args)  # type: ignore[operator]
    return raised.value


@pytest.mark.parametrize("status", [100, 599])
def test_the_status_bounds_are_inclusive(status: int) -> None:
    assert http_fault(status, b"").response.status == status


@pytest.mark.parametrize("status", [99, 600, True, "200", 200.0])
def test_a_status_outside_100_599_is_refused_naming_it(status: object) -> None:
    error = _refusal(http_fault, status, b"")
    problem = STATUS_PROBLEM.format(status)
    assert (error.field, error.problem, str(error)) == ("status", problem, f"status {problem}")


def test_an_http_fault_is_html_by_default_and_carries_no_okx_code() -> None:
    assert http_fault(502, "<h1>Bad gateway</h1>") == Fault(FakeResponse(
        502, b"<h1>Bad gateway</h1>", (("content-type", "text/html; charset=utf-8"),)), None)


@pytest.mark.parametrize("body", [b"raw", bytearray(b"raw"), memoryview(b"raw")])
def test_any_bytes_like_body_is_sent_as_bytes(body: bytes) -> None:
    raw = http_fault(500, body, "text/plain").response.body
    assert (type(raw), raw) == (bytes, b"raw")


def test_a_body_neither_bytes_nor_str_is_refused_naming_it() -> None:
    error = _refusal(http_fault, 500, 5)
    problem = "must be bytes or str, got int"
    assert (error.field, error.problem, str(error)) == ("body", problem, f"body {problem}")


def test_a_content_type_no_client_could_receive_is_refused_naming_it() -> None:
    error = _refusal(http_fault, 500, b"", "text/plain\r\nX-Injected: 1")
    assert (error.field, error.problem, str(error)) == (
        "content_type", HEADER_PROBLEM, f"content_type {HEADER_PROBLEM}")


def test_a_network_fault_drops_before_the_answer_by_default() -> None:
    expected = FakeResponse(0, b"", (), network_fault=True)
    assert network_fault() == Fault(expected, None, False)
    assert network_fault(after_answer=True) == Fault(expected, None, True)


def test_an_unknown_code_is_refused_pointing_at_http_faults() -> None:
    with pytest.raises(ValueError, match=r"known: .*\(use fail_next_http for arbitrary answers\)$"):
        code_fault("99999")


def test_any_request_path_may_be_aimed_at_modelled_or_not() -> None:
    # Every request enters the exchange, so a fault aimed at any path fires.
    assert "/api/v5/market/ticker" not in MODELLED_PATHS
    assert check_fault_path("/api/v5/market/ticker") == "/api/v5/market/ticker"
    assert check_fault_path("/api/v5/asset/transfer") == "/api/v5/asset/transfer"
    assert check_fault_path(None) is None


@pytest.mark.parametrize("path", ["api/v5/x", "/a?b=1", "/a#b", "/a b", "/a\n", "/\u00e9", 7, ""])
def test_a_path_no_request_can_have_is_refused(path: object) -> None:
    error = _refusal(check_fault_path, path)
    assert error.field == "path"
    assert error.problem.startswith("expected a request path such as '/api/v5/market/ticker' "
                                    "(no query, no space), got ")


def test_a_pushed_fault_answers_one_request_by_default() -> None:
    queue = FaultQueue()
    fault = network_fault()
    queue.push(fault)
    assert (queue.pop(), queue.pop()) == (fault, None)


def test_a_times_that_is_not_positive_is_refused_naming_times() -> None:
    error = _refusal(FaultQueue().push, network_fault(), 0)
    assert (error.field, str(error)) == ("times", "times: expected a positive whole number, got 0")
