"""The served fake as an attacker sees it: who may drive the control API, what reaches the log.

Each test runs against the real waitress server where the break lives at that layer:
the control API's token, Host and JSON checks, its atomic writes, a failing log sink,
API keys in every spelling of a control path, and HTTP framing waitress gets wrong.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from http import HTTPStatus
from typing import Any

import httpx
import pytest
from fake_support import DEMO_KEY, frozen_clock, funded_exchange, raw_exchange
from okx_fakes import (
    AccountsFileError,
    FakeExchange,
    FakeServer,
    FakeWSGIApp,
    parse_accounts,
)
from okx_fakes import _control as control_module
from okx_fakes._control import ControlRoute

# The reason phrase is the running Python's (http.HTTPStatus): 3.13 says "Content Too Large"
# (RFC 9110's name), earlier ones "Request Entity Too Large".
TOO_LARGE = f"413 {HTTPStatus.REQUEST_ENTITY_TOO_LARGE.phrase}"

PATH = "/api/v5/account/max-withdrawal"
JSON = {"content-type": "application/json"}
TOKEN = "control-token-8d21"
NEW_ACCOUNT = {"api_key": "new-key-1", "secret_key": "new-secret-1",
               "passphrase": "new-pass-1"}


def _state(exchange: FakeExchange) -> tuple[Any, ...]:
    """Everything a control write may change: accounts, keys, counters, faults, records."""
    snapshot = exchange.snapshot()
    return (snapshot, sorted(snapshot.keys), exchange.requests, len(exchange._faults))


@pytest.fixture
def served() -> Iterator[tuple[FakeExchange, FakeServer]]:
    exchange = funded_exchange(frozen_clock())
    with exchange.server() as server:
        yield exchange, server


# -- who may drive it ---------------------------------------------------------------------


@pytest.mark.parametrize("host", ["evil.example", "evil.example:80", "127.0.0.1.evil.example",
                                  "10.0.0.1", "0.0.0.0", ""])
def test_without_a_token_a_foreign_host_gets_403_and_changes_nothing(
    served: tuple[FakeExchange, FakeServer], host: str,
) -> None:
    exchange, server = served
    before = _state(exchange)
    for method, path, body in (("POST", "/_fake/accounts", NEW_ACCOUNT),
                               ("POST", "/_fake/reset", {}), ("GET", "/_fake/requests", None)):
        answer = httpx.request(method, server.url + path, json=body,
                               headers={"host": host})
        assert answer.status_code == 403
        assert answer.json()["error"].startswith("host: ")
    assert _state(exchange) == before


def test_without_a_token_a_request_without_host_gets_403(
    served: tuple[FakeExchange, FakeServer],
) -> None:
    _, server = served
    answer = raw_exchange(server.port, b"GET /_fake/requests HTTP/1.0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.0 403 ")


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost:8080", "LOCALHOST", "127.8.9.10:1",
                                  "[::1]:8080", "[::1]"])
def test_without_a_token_a_loopback_host_is_answered(
    served: tuple[FakeExchange, FakeServer], host: str,
) -> None:
    _, server = served
    answer = httpx.get(server.url + "/_fake/requests", headers={"host": host})
    assert (answer.status_code, answer.json()) == (200, {"requests": []})


@pytest.mark.parametrize(
    ("method", "path", "headers", "body"),
    [
        ("POST", "/_fake/accounts", {"content-type": "text/plain"}, json.dumps(NEW_ACCOUNT)),
        ("POST", "/_fake/accounts", {"content-type": "application/x-www-form-urlencoded"},
         json.dumps(NEW_ACCOUNT)),
        ("POST", "/_fake/accounts", {"content-type": "multipart/form-data; boundary=x"},
         json.dumps(NEW_ACCOUNT)),
        ("POST", "/_fake/accounts", {}, json.dumps(NEW_ACCOUNT)),
        ("POST", "/_fake/reset", {}, ""),
        ("POST", "/_fake/faults", {"content-type": "text/plain"}, '{"network": true}'),
        ("PUT", f"/_fake/accounts/{DEMO_KEY}/balances/BTC", {"content-type": "text/plain"},
         '{"available": "0"}'),
        ("DELETE", "/_fake/requests", {}, ""),
    ],
)
def test_a_write_that_is_not_json_gets_415_and_changes_nothing(
    served: tuple[FakeExchange, FakeServer], method: str, path: str,
    headers: dict[str, str], body: str,
) -> None:
    exchange, server = served
    httpx.get(server.url + PATH)  # a record that DELETE /_fake/requests would clear
    before = _state(exchange)
    answer = httpx.request(method, server.url + path, content=body, headers=headers)
    assert answer.status_code == 415
    assert answer.json()["error"].startswith("content-type: ")
    assert _state(exchange) == before


def test_json_with_a_charset_is_json(served: tuple[FakeExchange, FakeServer]) -> None:
    exchange, server = served
    answer = httpx.post(server.url + "/_fake/accounts", content=json.dumps(NEW_ACCOUNT),
                        headers={"content-type": "Application/JSON; charset=utf-8"})
    assert answer.status_code == 201
    assert exchange.account_for_key("new-key-1").uid == answer.json()["uid"]


def test_with_a_token_every_control_request_needs_it_and_any_host_may_carry_it() -> None:
    exchange = funded_exchange(frozen_clock())
    with exchange.server(control_token=TOKEN) as server:
        missing = httpx.get(server.url + "/_fake/requests")
        wrong = httpx.get(server.url + "/_fake/requests",
                          headers={"authorization": f"Bearer {TOKEN}x"})
        unknown_route = httpx.get(server.url + "/_fake/nothing")
        write = httpx.post(server.url + "/_fake/accounts", json=NEW_ACCOUNT)
        right = httpx.get(server.url + "/_fake/requests",
                          headers={"authorization": f"bearer {TOKEN}", "host": "fake.lan"})
        okx_path = httpx.get(server.url + PATH)  # OKX's own paths never need the token
    for answer in (missing, wrong, unknown_route, write):
        assert answer.status_code == 401
        assert answer.headers["www-authenticate"] == 'Bearer realm="okx-fakes control"'
        assert TOKEN not in answer.text
    assert right.status_code == 200
    assert okx_path.json()["code"] == "50103"  # headers missing: OKX's answer, not a 401 of ours
    with pytest.raises(KeyError):
        exchange.account_for_key("new-key-1")


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "", "192.0.2.1", "fake.lan"])
def test_a_server_off_loopback_refuses_the_control_api_without_a_token(host: str) -> None:
    exchange = funded_exchange(frozen_clock())
    with pytest.raises(ValueError, match="refusing to serve the control API") as raised:
        exchange.server(host, 0)  # refused before any socket is bound
    assert "OKX_FAKES_CONTROL_TOKEN" in str(raised.value)


@pytest.mark.parametrize("token", ["", " padded ", "caf\u00e9", "line\nbreak"])
def test_a_token_no_header_can_carry_is_refused_without_showing_it(token: str) -> None:
    with pytest.raises(ValueError, match="value not shown") as raised:
        FakeWSGIApp(FakeExchange(), control_token=token)
    assert token.strip() == "" or token not in str(raised.value)


def _command(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "okx_fakes", "--port", "0", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})})


def _stop(process: subprocess.Popen[str]) -> str:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=10)
    return stderr


def test_the_command_off_loopback_without_a_token_refuses_to_start() -> None:
    # "127.1" binds loopback, but is not a name the check can judge: it counts as exposed.
    process = _command("--host", "127.1")
    stdout, stderr = process.communicate(timeout=10)
    assert (process.returncode, stdout) == (2, "")
    assert "refusing to serve the control API on 127.1" in stderr
    assert "--control-token or OKX_FAKES_CONTROL_TOKEN" in stderr


def test_the_command_takes_the_token_from_the_environment_and_warns_naming_the_api() -> None:
    process = _command("--host", "127.1", env={"OKX_FAKES_CONTROL_TOKEN": TOKEN})
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        without = httpx.get(url + "/_fake/requests").status_code
        with_token = httpx.get(url + "/_fake/requests",
                               headers={"authorization": f"Bearer {TOKEN}"}).status_code
    finally:
        stderr = _stop(process)
    assert (without, with_token) == (401, 200)
    warning = stderr.splitlines()[0]
    assert "warning: 127.1 is reachable from other machines" in warning
    assert "control API (token required)" in warning
    assert TOKEN not in stderr


def test_the_command_option_wins_over_the_environment() -> None:
    process = _command("--control-token", TOKEN, env={"OKX_FAKES_CONTROL_TOKEN": "other"})
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        status = httpx.get(url + "/_fake/requests",
                           headers={"authorization": f"Bearer {TOKEN}"}).status_code
    finally:
        _stop(process)
    assert status == 200


# -- atomic writes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/_fake/accounts", b'{"api_key": "k1", "secret_key": "s", "passphrase": "p", '
                                    b'"uid": "\\ud800"}'),
        ("POST", "/_fake/accounts", b'{"api_key": "k1", "secret_key": "s", "passphrase": "p", '
                                    b'"balances": {"\\ud800": {"available": "1"}}}'),
        ("POST", "/_fake/accounts", b'{"api_key": "k1", "secret_key": "s", "passphrase": "p", '
                                    b'"funding": {"\\udfff": "1"}}'),
        ("POST", "/_fake/accounts", b'{"api_key": "k1", "secret_key": "s", "passphrase": "p", '
                                    b'"max_withdrawals": {"B\\ud800": {"max_wd": "1"}}}'),
        ("POST", "/_fake/accounts", b'{"api_key": "k\\ud800", "secret_key": "s", '
                                    b'"passphrase": "p"}'),
        ("POST", "/_fake/accounts", b'{"\\ud800": 1}'),
        ("PUT", f"/_fake/accounts/{DEMO_KEY}/balances/BTC",
         b'{"available": "\\ud800"}'),
        ("POST", "/_fake/faults", b'{"code": 50001, "msg": ["\\ud800"]}'),
    ],
)
def test_a_lone_surrogate_answers_400_and_writes_nothing(
    served: tuple[FakeExchange, FakeServer], method: str, path: str, body: bytes,
) -> None:
    exchange, server = served
    httpx.get(server.url + PATH)
    before = _state(exchange)
    answer = httpx.request(method, server.url + path, content=body, headers=JSON)
    assert answer.status_code == 400
    assert "is not encodable as UTF-8" in answer.json()["error"]
    assert _state(exchange) == before
    records = httpx.get(server.url + "/_fake/requests")
    assert records.status_code == 200 and len(records.json()["requests"]) == 1


@pytest.mark.parametrize("amount", ["1_000", "\u0661", " 1 ", "1 ", "1e3", "1E+2", ".5", "1.",
                                    "+1", "0x10", "\uff11", "Infinity", "NaN"])
def test_control_amounts_are_plain_decimals_only(
    served: tuple[FakeExchange, FakeServer], amount: str,
) -> None:
    exchange, server = served
    before = _state(exchange)
    answers = [
        httpx.put(f"{server.url}/_fake/accounts/{DEMO_KEY}/balances/BTC",
                  json={"available": "1", "borrowable": amount}),
        httpx.put(f"{server.url}/_fake/accounts/{DEMO_KEY}/funding/BTC",
                  json={"available": amount}),
        httpx.post(f"{server.url}/_fake/accounts",
                   json={**NEW_ACCOUNT, "balances": {"BTC": {"available": amount}}}),
        httpx.post(f"{server.url}/_fake/accounts",
                   json={**NEW_ACCOUNT, "funding": {"BTC": amount}}),
        httpx.post(f"{server.url}/_fake/accounts",
                   json={**NEW_ACCOUNT, "max_withdrawals": {"BTC": {"max_wd": amount}}}),
    ]
    assert [answer.status_code for answer in answers] == [400] * 5
    assert all("expected a plain decimal string" in answer.json()["error"]
               for answer in answers)
    assert _state(exchange) == before


def test_the_accounts_file_takes_plain_decimals_only() -> None:
    document = {"accounts": [{**NEW_ACCOUNT, "balances": {"BTC": {"available": "1_000"}}}]}
    with pytest.raises(AccountsFileError,
                       match=r"^accounts\[0\]\.balances\.BTC\.available: expected a plain"):
        parse_accounts(json.dumps(document))
    ok = {"accounts": [{**NEW_ACCOUNT, "balances": {"BTC": {"available": "1000.50"}}}]}
    assert parse_accounts(json.dumps(ok))[0].balances == {"BTC": ("1000.50", 0)}


def _writes_then_fails(failure: Exception) -> Any:
    def handler(api: Any, params: dict[str, str], body: Any) -> tuple[int, object]:
        api.exchange.add_account("half-key", "s", "p")
        api.exchange.account_for_key(DEMO_KEY).set_balance("BTC", available="999")
        raise failure
    return handler


@pytest.mark.parametrize(("failure", "status"),
                         [(control_module.ControlError(409, "x: refused late"), 409),
                          (RuntimeError("a bug"), 500)])
def test_a_write_failing_after_its_writes_answers_json_and_restores_nothing(
    served: tuple[FakeExchange, FakeServer], monkeypatch: pytest.MonkeyPatch,
    failure: Exception, status: int,
) -> None:
    # Each write a handler makes is a whole transaction of its own; a late failure does not
    # put a snapshot back, which would also undo what other clients did meanwhile.
    exchange, server = served
    route = ControlRoute("POST", re.compile("/_fake/broken"),
                         _writes_then_fails(failure))
    monkeypatch.setattr(control_module, "CONTROL_ROUTES",
                        (*control_module.CONTROL_ROUTES, route))
    answer = httpx.post(server.url + "/_fake/broken", json={})
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/json"
    assert exchange.account_for_key(DEMO_KEY).entry("BTC").max_wd == "999"
    assert exchange.account_for_key("half-key").uid


# -- the log ------------------------------------------------------------------------------


def test_a_failing_log_sink_is_counted_and_never_fails_a_request() -> None:
    exchange = funded_exchange(frozen_clock())
    calls = []

    def broken_sink(line: str) -> None:
        calls.append(line)
        raise BrokenPipeError(32, "Broken pipe")

    with exchange.server(log=broken_sink) as server:
        answers = [httpx.get(server.url + PATH).status_code,
                   httpx.get(server.url + "/_fake/requests").status_code,
                   httpx.post(server.url + "/_fake/reset", json={}).status_code]
        refused = raw_exchange(server.port, b"GET / HTTP/1.0\r\nContent-Length: -1\r\n\r\n")
    assert answers == [401, 200, 200]
    assert refused.startswith(b"HTTP/1.0 400 ")
    assert (len(calls), server.app.log_failures) == (4, 4)


def test_the_command_keeps_answering_once_its_stderr_reader_is_gone() -> None:
    # `okx-fakes 2>&1 | head`: head exits, every later write to stderr raises EPIPE.
    process = _command()
    try:
        assert process.stdout is not None and process.stderr is not None
        url = process.stdout.readline().strip()
        process.stderr.close()
        answers = [httpx.get(url + PATH).status_code for _ in range(3)]
        control = httpx.get(url + "/_fake/requests")
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        process.communicate(timeout=10)
    assert answers == [401, 401, 401]
    assert control.status_code == 200 and len(control.json()["requests"]) == 3


# The eight spellings of a control path that carried the key into a log line.
SPELLINGS = [
    f"//_fake/accounts/{DEMO_KEY}/balances/BTC",
    f"/_fake//accounts/{DEMO_KEY}/balances/BTC",
    f"/_fake/./accounts/{DEMO_KEY}/balances/BTC",
    f"/%5Ffake/accounts/{DEMO_KEY}/balances/BTC",
    f"/_fake/Accounts/{DEMO_KEY}/balances/BTC",
    f"http://127.0.0.1:1/_fake/accounts/{DEMO_KEY}/balances/BTC",
    f"/x?/_fake/accounts/{DEMO_KEY}/balances/BTC",
    f"/_fake/accounts/{DEMO_KEY}/balances/BTC",
    # and a few more of the same kind
    f"/%255F%66ake/accounts/{DEMO_KEY}",
    f"/_FAKE/x/../ACCOUNTS/./{DEMO_KEY}",
    f"/_fake/accounts/./{DEMO_KEY}/balances/BTC",
    f"/_fake/accounts/{DEMO_KEY[:4]}%2F{DEMO_KEY[4:]}/funding/BTC",
]


@pytest.mark.parametrize(
    "framing",
    [b"Content-Length: 2\r\nContent-Type: application/json\r\n\r\n{}",  # reaches the app
     b"Content-Length: -1\r\n\r\n",  # 400 from waitress itself
     b"Content-Length: 99999999\r\n\r\n",  # 413 from waitress itself
     b"Transfer-Encoding: gzip\r\n\r\n"],  # 501 from waitress itself
)
def test_no_spelling_of_a_control_path_puts_the_key_in_a_log_line(framing: bytes) -> None:
    exchange = funded_exchange(frozen_clock())
    lines: list[str] = []
    with exchange.server(log=lines.append) as server:
        for target in SPELLINGS:
            request = (f"PUT {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                       .encode() + framing)
            assert raw_exchange(server.port, request).startswith(b"HTTP/1.1 ")
    assert len(lines) == len(SPELLINGS)
    assert all("***" in line for line in lines)
    leaked = [line for line in lines if DEMO_KEY in line or DEMO_KEY[4:] in line]
    assert leaked == []


def test_waitress_own_log_lines_are_redacted_too(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("waitress")
    with caplog.at_level(logging.INFO, logger="waitress"):
        logger.error("Exception while serving %s", f"/%5Ffake/accounts/{DEMO_KEY}/funding/BTC")
    assert [record.getMessage() for record in caplog.records] == [
        "Exception while serving /_fake/accounts/***/funding/BTC"]


# -- HTTP framing -------------------------------------------------------------------------


def test_a_content_length_too_long_for_int_is_answered_413(
    served: tuple[FakeExchange, FakeServer],
) -> None:
    exchange, server = served
    answer = raw_exchange(server.port, b"GET " + PATH.encode()
                           + b" HTTP/1.0\r\nContent-Length: " + b"9" * 5000 + b"\r\n\r\n")
    assert answer.startswith(b"HTTP/1.0 413 ")
    assert exchange.requests == []


def test_the_wsgi_app_answers_a_content_length_too_long_for_int_413() -> None:
    app = FakeWSGIApp(funded_exchange(frozen_clock()))
    statuses: list[str] = []
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": PATH, "CONTENT_LENGTH": "9" * 5000,
               "wsgi.input": io.BytesIO(b"")}
    app(environ, lambda status, headers: statuses.append(status))
    assert statuses == [TOO_LARGE]


def test_content_length_with_chunked_is_answered_then_closed(
    served: tuple[FakeExchange, FakeServer],
) -> None:
    exchange, server = served
    smuggled = b"GET /smuggled HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    answer = raw_exchange(
        server.port,
        b"GET " + PATH.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: "
        + str(5 + len(smuggled)).encode() + b"\r\nTransfer-Encoding: chunked\r\n\r\n"
        + b"0\r\n\r\n" + smuggled,
    )  # returns only because the server closed the connection
    head = answer.partition(b"\r\n\r\n")[0].lower()
    assert answer.count(b"HTTP/1.1 ") == 1
    assert head.startswith(b"http/1.1 401 ") and b"connection: close" in head
    assert [record.path for record in exchange.requests] == [PATH]


def test_chunked_alone_keeps_the_connection_open(
    served: tuple[FakeExchange, FakeServer],
) -> None:
    _, server = served
    request = (b"GET " + PATH.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(request + request)
        received = b""
        while received.count(b"HTTP/1.1 ") < 2:
            received += sock.recv(65536)
    assert b"connection: close" not in received.lower()
