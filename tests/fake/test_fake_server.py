"""The fake's HTTP face: the WSGI app, waitress under serve(), the control API over real HTTP."""

from __future__ import annotations

import contextlib
import json
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import okx.Account as Account
import pytest
from fake_support import (
    DEMO_KEY,
    DEMO_PASSPHRASE,
    DEMO_SECRET,
    LIVE_KEY,
    SECRETS,
    frozen_clock,
    funded_exchange,
    raw_exchange,
)
from okx_fakes import (
    DroppedConnection,
    FakeExchange,
    FakeFundingAPI,
    FakeServer,
    FakeWSGIApp,
    UnmodelledRequestError,
)
from okx_fakes._auth import format_timestamp, prehash, sign

PATH = "/api/v5/account/max-withdrawal"
NEW_ACCOUNT = {"api_key": "new-key-1", "secret_key": "new-secret-1", "passphrase": "new-pass-1",
               "mode": "spot", "balances": {"OKB": {"available": "3", "borrowable": "1"}}}
# Every control request but a GET declares JSON (the control API refuses others: CSRF).
JSON = {"content-type": "application/json"}


@pytest.fixture
def served() -> Iterator[tuple[FakeExchange, httpx.Client]]:
    exchange = funded_exchange(frozen_clock())
    with exchange.server() as server, httpx.Client(base_url=server.url, headers=JSON) as client:
        yield exchange, client


def _sdk(base_url: str, key: str = DEMO_KEY, secret: str = DEMO_SECRET,
         passphrase: str = DEMO_PASSPHRASE, flag: str = "1") -> Account.AccountAPI:
    return Account.AccountAPI(key, secret, passphrase, flag=flag, domain=base_url, debug=False)


# -- the WSGI application -------------------------------------------------------------------


def test_wsgi_app_answers_a_plain_wsgi_call_and_rebuilds_the_target() -> None:
    exchange = funded_exchange(frozen_clock())
    app = exchange.wsgi_app()
    started: list[tuple[str, list[tuple[str, str]]]] = []
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/api/v5/account/max withdrawal",
               "QUERY_STRING": "ccy=BTC", "wsgi.input": None}

    body = b"".join(app(environ, lambda status, headers: started.append((status, headers))))

    assert isinstance(app, FakeWSGIApp) and repr(app) == "FakeWSGIApp(control=True)"
    assert started == [("404 Not Found", [("content-type", "application/json"),
                                          ("x-okx-fake", "not-modelled"),
                                          ("content-length", str(len(body)))])]
    assert json.loads(body)["msg"].startswith(
        "GET /api/v5/account/max%20withdrawal is not modelled by okx-fakes (it models ")
    assert exchange.requests[0][:3] == ("GET", "/api/v5/account/max%20withdrawal", "ccy=BTC")


def test_wsgi_app_raises_dropped_connection_for_a_network_fault_and_logs_it() -> None:
    exchange = funded_exchange(frozen_clock())
    lines: list[str] = []
    exchange.fail_next_network()
    app = exchange.wsgi_app(log=lines.append)
    with pytest.raises(DroppedConnection):
        app({"REQUEST_METHOD": "GET", "REQUEST_URI": PATH}, lambda *args: None)
    assert lines == [f"GET {PATH} -> connection dropped"]


def test_served_answers_equal_installed_answers_through_the_one_app(
    served: tuple[FakeExchange, httpx.Client],
) -> None:
    exchange, client = served
    with _sdk(str(client.base_url)) as over_http:
        served_answer = over_http.get_max_withdrawal("BTC,eth")
    installed = Account.AccountAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, flag="1")
    with installed, exchange.install(installed):
        assert installed.get_max_withdrawal("BTC,eth") == served_answer
    assert served_answer["data"][1] == {"ccy": "ETH", "maxWd": "10", "maxWdEx": "12",
                                        "spotOffsetMaxWd": "", "spotOffsetMaxWdEx": ""}


def test_installed_client_never_reaches_the_control_api() -> None:
    exchange = funded_exchange(frozen_clock())
    client = httpx.Client(base_url="https://anything.example")
    with client, exchange.install(client), pytest.raises(
            UnmodelledRequestError, match=r"^GET /_fake/requests is not modelled"):
        client.get("/_fake/requests")
    # It reached the exchange as an unmodelled request, never the control API.
    assert [(r.path, r.code, r.status) for r in exchange.requests] == [
        ("/_fake/requests", None, 404)]


# -- waitress: not installed, stops -------------------------------------------------------


def test_without_waitress_import_works_and_serve_names_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in [name for name in sys.modules if name.split(".")[0] == "waitress"]:
        monkeypatch.setitem(sys.modules, name, None)  # type: ignore[arg-type]
    monkeypatch.setitem(sys.modules, "waitress", None)  # type: ignore[arg-type]
    exchange = funded_exchange(frozen_clock())
    with pytest.raises(ModuleNotFoundError, match=r"pip install 'okx-ext\[server\]'"), \
            exchange.serve():
        pass
    with pytest.raises(ModuleNotFoundError, match="waitress"):
        FakeServer(exchange)
    with _sdk("https://unused.example") as api, exchange.install(api):
        assert api.get_max_withdrawal("BTC")["code"] == "0"  # install() needs no server


def test_without_waitress_the_command_fails_with_one_line_naming_the_extra(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    from okx_fakes import cli

    monkeypatch.setitem(sys.modules, "waitress", None)  # type: ignore[arg-type]
    for name in [name for name in sys.modules if name.startswith("waitress.")]:
        monkeypatch.setitem(sys.modules, name, None)  # type: ignore[arg-type]

    assert cli.main(["--port", "0"]) == 1
    assert capsys.readouterr().err == (
        "python -m okx_fakes: error: the fake's HTTP server needs waitress: "
        "pip install 'okx-ext[server]'\n"
    )


def test_stop_closes_idle_keep_alive_and_half_sent_requests_and_joins_threads() -> None:
    exchange = funded_exchange(frozen_clock())
    threads_before = set(threading.enumerate())
    server = exchange.server().start()
    connections = []
    try:
        for _ in range(5):
            idle = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            idle.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            assert idle.recv(4096).startswith(b"HTTP/1.1 404 ")  # answered, kept alive
            connections.append(idle)
        half = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        half.sendall(b"POST /_fake/faults HTTP/1.1\r\nHost: x\r\nContent-Length: 99\r\n\r\n{")
        connections.append(half)
        started = time.monotonic()
        server.stop()
        elapsed_s = time.monotonic() - started
        for connection in connections:
            with contextlib.suppress(ConnectionResetError):  # a reset is closed too
                while connection.recv(4096):  # the rest of an answer, then EOF (no timeout)
                    pass
    finally:
        for connection in connections:
            connection.close()
    assert elapsed_s < 3.0  # generous: `make soak` measures the real figure
    assert set(threading.enumerate()) == threads_before
    server.stop()  # idempotent


def test_stop_from_another_thread_ends_serve_forever() -> None:
    server = funded_exchange(frozen_clock()).server()
    serving = threading.Thread(target=server.serve_forever)
    serving.start()
    with httpx.Client(base_url=server.url) as client:
        assert client.get(PATH).status_code == 401
    server.stop()
    serving.join(3.0)
    assert not serving.is_alive()


def test_the_command_stops_on_sigterm_with_open_connections(tmp_path: Any) -> None:
    process = subprocess.Popen([sys.executable, "-m", "okx_fakes", "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        host, port = url.removeprefix("http://").split(":")
        idle = socket.create_connection((host, int(port)), timeout=5)
        idle.sendall(b"GET /x HTTP/1.1\r\nHost: x\r\n\r\n")
        idle.recv(4096)
        half = socket.create_connection((host, int(port)), timeout=5)
        half.sendall(b"GET /y HTTP/1.1\r\nHost: x\r\n")  # headers never finished
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=10)
        elapsed_s = time.monotonic() - started
        idle.close()
        half.close()
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0
    assert elapsed_s < 3.0
    assert "GET /x -> 404 code=- (not modelled by the fake)" in stderr.splitlines()


# -- the control API over HTTP ----------------------------------------------------------


def test_get_and_delete_requests_never_show_a_secret(
    served: tuple[FakeExchange, httpx.Client],
) -> None:
    exchange, client = served
    with _sdk(str(client.base_url)) as api:
        api.get_max_withdrawal("BTC")
    answer = client.get("/_fake/requests")

    (record,) = answer.json()["requests"]
    assert answer.status_code == 200
    assert {key: record[key] for key in ("method", "path", "query", "code", "status")} == {
        "method": "GET", "path": PATH, "query": "ccy=BTC", "code": "0", "status": 200}
    assert record["uid"] == exchange.accounts[0].uid
    assert not any(secret in answer.text for secret in SECRETS)
    assert client.delete("/_fake/requests").json() == {"requests": []}
    assert client.get("/_fake/requests").json() == {"requests": []}
    assert exchange.requests == []  # control requests are not OKX requests: never recorded


def test_post_account_adds_a_working_key(served: tuple[FakeExchange, httpx.Client]) -> None:
    exchange, client = served
    answer = client.post("/_fake/accounts", json=NEW_ACCOUNT)
    assert answer.status_code == 201
    assert answer.json() == {"uid": exchange.account_for_key("new-key-1").uid, "mode": "spot",
                             "currencies": ["OKB"]}
    with _sdk(str(client.base_url), "new-key-1", "new-secret-1", "new-pass-1") as api:
        assert api.get_max_withdrawal("OKB")["data"][0]["maxWdEx"] == "4"
    again = client.post("/_fake/accounts", json=NEW_ACCOUNT)
    assert (again.status_code, again.json()) == (
        400, {"error": "this api_key is already registered on the exchange"})


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({**NEW_ACCOUNT, "balances": {"OKB": {"available": "-1"}}},
         "balances.OKB: available must be >= 0, got '-1'"),
        ({**NEW_ACCOUNT, "colour": "red"}, "unknown key 'colour'"),
        ({"api_key": "k"}, 'missing key "secret_key"'),
        ([1], "expected an object, got [1]"),
    ],
)
def test_post_account_refuses_a_bad_entry_naming_the_field_and_adds_nothing(
    served: tuple[FakeExchange, httpx.Client], body: object, error: str,
) -> None:
    exchange, client = served
    answer = client.post("/_fake/accounts", json=body)
    assert answer.status_code == 400
    assert error in answer.json()["error"]
    assert len(exchange.accounts) == 2
    with pytest.raises(KeyError):
        exchange.account_for_key("new-key-1")


def test_a_control_log_line_never_shows_the_api_key() -> None:
    lines: list[str] = []
    exchange = funded_exchange(frozen_clock())
    with exchange.server(log=lines.append) as server:
        httpx.put(f"{server.url}/_fake/accounts/{DEMO_KEY}/balances/BTC?x=1",
                  json={"available": "1"})
        httpx.put(f"{server.url}/_fake/accounts/nobody/balances/BTC", json={"available": "1"})
        # No route matches these, yet the key is still where a client put it.
        httpx.put(f"{server.url}/_fake/accounts/{DEMO_KEY}/balance/BTC", json={"available": "1"})
        httpx.put(f"{server.url}/_fake/accounts/{DEMO_KEY}/balances/BTC/",
                  json={"available": "1"})
        httpx.get(f"{server.url}/_fake/accounts/{DEMO_KEY}")
        httpx.get(f"{server.url}/_fake/accounts/{DEMO_KEY}?x=1")
    with exchange.server(log=lines.append, control=False) as server:
        httpx.put(f"{server.url}/_fake/accounts/{DEMO_KEY}/balances/BTC", json={"available": "1"})
    assert lines == ["PUT /_fake/accounts/***/balances/BTC?x=1 -> 200 code=-",
                     "PUT /_fake/accounts/***/balances/BTC -> 404 code=-",
                     "PUT /_fake/accounts/***/balance/BTC -> 404 code=-",
                     "PUT /_fake/accounts/***/balances/BTC/ -> 404 code=-",
                     "GET /_fake/accounts/*** -> 404 code=-",
                     "GET /_fake/accounts/***?x=1 -> 404 code=-",
                     "PUT /_fake/accounts/***/balances/BTC "
                     "-> 404 code=- (not modelled by the fake)"]
    assert not [line for line in lines if DEMO_KEY in line]


def test_put_balance_sets_the_answer(served: tuple[FakeExchange, httpx.Client]) -> None:
    exchange, client = served
    answer = client.put(f"/_fake/accounts/{DEMO_KEY}/balances/sol",
                        json={"available": "7.50", "borrowable": "1"})
    assert (answer.status_code, answer.json()) == (200, {
        "ccy": "SOL", "maxWd": "7.5", "maxWdEx": "8.5", "spotOffsetMaxWd": "",
        "spotOffsetMaxWdEx": ""})
    assert exchange.account_for_key(DEMO_KEY).entry("SOL").max_wd == "7.5"
    # A JSON number with a fraction is read exactly, never through float.
    client.put(f"/_fake/accounts/{LIVE_KEY}/balances/BTC", content=b'{"available": 0.1}')
    assert exchange.account_for_key(LIVE_KEY).entry("BTC").max_wd == "0.1"


@pytest.mark.parametrize(
    ("path", "body", "status", "error"),
    [
        (f"/_fake/accounts/{DEMO_KEY}/balances/BTC", b'{"available": "x"}', 400,
         "available: expected a plain decimal string such as '1.5'"),
        (f"/_fake/accounts/{DEMO_KEY}/balances/BTC", b'{"borrowable": "1"}', 400,
         "available: missing"),
        (f"/_fake/accounts/{DEMO_KEY}/balances/BTC", b'{"available": "1", "x": 1}', 400,
         "'x': unknown field (allowed: available, borrowable, borrowed, frozen, margin)"),
        (f"/_fake/accounts/{DEMO_KEY}/balances/BTC", b'{"available": true}', 400,
         "available: expected a decimal string, got True"),
        (f"/_fake/accounts/{DEMO_KEY}/balances/B-TC", b'{"available": "1"}', 400, "ccy: "),
        (f"/_fake/accounts/{DEMO_KEY}/balances/BTC", b"{nope", 400, "body: not valid JSON"),
        (f"/_fake/accounts/{DEMO_KEY}/balances/BTC", b"[1]", 400,
         "body: expected a JSON object"),
        ("/_fake/accounts/no-such-key/balances/BTC", b'{"available": "1"}', 404,
         "api_key: unknown (value not shown)"),
    ],
)
def test_put_balance_refuses_naming_the_field(
    served: tuple[FakeExchange, httpx.Client], path: str, body: bytes, status: int, error: str,
) -> None:
    _, client = served
    answer = client.put(path, content=body)
    assert answer.status_code == status
    assert error in answer.json()["error"]
    assert "no-such-key" not in answer.text


def test_put_funding_sets_the_funding_balance(served: tuple[FakeExchange, httpx.Client]) -> None:
    exchange, client = served
    answer = client.put(f"/_fake/accounts/{DEMO_KEY}/funding/usdt", json={"available": "12.50"})
    assert (answer.status_code, answer.json()) == (200, {"ccy": "USDT", "availBal": "12.5",
                                                         "frozenBal": "0"})
    assert exchange.account_for_key(DEMO_KEY).funding_balance("USDT") == Decimal("12.5")
    funding = FakeFundingAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, flag="1", exchange=exchange)
    assert funding.get_balances("USDT")["data"] == [
        {"availBal": "12.5", "bal": "12.5", "ccy": "USDT", "frozenBal": "0"}]
    # Written as OKX writes amounts: "100", never "1E+2".
    answer = client.put(f"/_fake/accounts/{DEMO_KEY}/funding/BTC", json={"available": "100"})
    assert (answer.status_code, answer.json()) == (200, {"ccy": "BTC", "availBal": "100",
                                                         "frozenBal": "0"})
    # A frozen part: bal = availBal + frozenBal, and only availBal may move.
    answer = client.put(f"/_fake/accounts/{DEMO_KEY}/funding/ETH",
                        json={"available": "3", "frozen": "1.5"})
    assert (answer.status_code, answer.json()) == (200, {"ccy": "ETH", "availBal": "3",
                                                         "frozenBal": "1.5"})
    assert funding.get_balances("ETH")["data"] == [
        {"availBal": "3", "bal": "4.5", "ccy": "ETH", "frozenBal": "1.5"}]


@pytest.mark.parametrize(
    ("path", "body", "status", "error"),
    [
        (f"/_fake/accounts/{DEMO_KEY}/funding/BTC", b'{"available": "-1"}', 400, "available"),
        (f"/_fake/accounts/{DEMO_KEY}/funding/BTC", b"{}", 400, "available: missing"),
        (f"/_fake/accounts/{DEMO_KEY}/funding/BTC", b'{"available": "1", "borrowable": "1"}',
         400, "'borrowable': unknown field (allowed: available, frozen)"),
        (f"/_fake/accounts/{DEMO_KEY}/funding/BTC", b'{"available": false}', 400,
         "available: expected a decimal string, got False"),
        (f"/_fake/accounts/{DEMO_KEY}/funding/B-TC", b'{"available": "1"}', 400, "ccy: "),
        ("/_fake/accounts/no-such-key/funding/BTC", b'{"available": "1"}', 404,
         "api_key: unknown (value not shown)"),
    ],
)
def test_put_funding_refuses_naming_the_field(
    served: tuple[FakeExchange, httpx.Client], path: str, body: bytes, status: int, error: str,
) -> None:
    exchange, client = served
    answer = client.put(path, content=body)
    assert answer.status_code == status
    assert error in answer.json()["error"]
    assert "no-such-key" not in answer.text
    assert exchange.account_for_key(DEMO_KEY).funding_balances == {}


def test_post_reset_undoes_transfers(served: tuple[FakeExchange, httpx.Client]) -> None:
    exchange, client = served
    demo = exchange.account_for_key(DEMO_KEY)
    funding = FakeFundingAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, flag="1", exchange=exchange)
    assert funding.funds_transfer("BTC", "1", "18", "6")["code"] == "0"
    assert (demo.entry("BTC").max_wd, len(demo.transfers)) == ("0.5", 1)

    assert client.post("/_fake/reset").status_code == 200

    # Holdings change in place and transfers append: the snapshot must not follow them.
    assert (demo.entry("BTC").max_wd, demo.transfers, demo.funding_balances) == ("1.5", [], {})


def test_post_faults_queues_each_kind(served: tuple[FakeExchange, httpx.Client]) -> None:
    _, client = served
    assert client.post("/_fake/faults", json={"code": 50001, "times": 2}).status_code == 201
    assert client.post("/_fake/faults", json={"http_status": 502,
                                              "body": "<html>bad</html>"}).status_code == 201
    assert client.post("/_fake/faults", json={"network": True}).status_code == 201
    answers = [client.get(PATH) for _ in range(3)]
    assert [(a.status_code, a.json()["code"]) for a in answers[:2]] == [(503, "50001")] * 2
    assert (answers[2].status_code, answers[2].text) == (502, "<html>bad</html>")
    with pytest.raises(httpx.RemoteProtocolError):  # the socket closed without an answer
        client.get(PATH)
    assert client.get(PATH).json()["code"] == "50103"  # then served again


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"code": 12345}, "code: not an OKX code of the fake's table, got 12345"),
        ({"code": 50001, "times": 0}, "times: expected a positive whole number, got 0"),
        ({"code": 50001, "times": 1.5}, "times: expected a positive whole number"),
        ({"http_status": 99}, "http_status: must be an HTTP status code (100-599), got 99"),
        ({"http_status": 502, "body": 1}, "body: must be bytes or str, got int"),
        ({"code": 50001, "msg": 1}, "msg: must be a str, got int"),
        ({"code": 50001, "msg": "\ud800"}, "msg: is not encodable as UTF-8"),
        ({"http_status": 502, "body": "\ud800"}, "body: is not encodable as UTF-8"),
        ({"http_status": 502, "content_type": "text/html\r\nSet-Cookie: a=b"},
         "content_type: must be a str sendable as an HTTP header value"),
        ({"http_status": 502, "content_type": "text/\u20ac"},
         "content_type: must be a str sendable as an HTTP header value"),
        ({"http_status": 502, "content_type": 1},
         "content_type: must be a str sendable as an HTTP header value"),
        ({"network": False}, "network: expected true, got False"),
        ({"network": True, "code": 50001}, "body: expected exactly one of"),
        ({}, "body: expected exactly one of"),
        ({"network": True, "extra": 1}, "'extra': unknown field"),
    ],
)
def test_post_faults_refuses_naming_the_field(
    served: tuple[FakeExchange, httpx.Client], body: object, error: str,
) -> None:
    _, client = served
    # ASCII-escaped JSON: a lone surrogate reaches the server as the six characters \ud800.
    answer = client.post("/_fake/faults", content=json.dumps(body).encode("ascii"))
    assert (answer.status_code, error in answer.json()["error"]) == (400, True), answer.text
    assert client.get(PATH).json()["code"] == "50103"  # nothing was queued


def test_post_reset_restores_the_starting_state(
    served: tuple[FakeExchange, httpx.Client],
) -> None:
    exchange, client = served
    demo = exchange.account_for_key(DEMO_KEY)
    first_uid_then = client.post("/_fake/accounts", json=NEW_ACCOUNT).json()["uid"]
    client.put(f"/_fake/accounts/{DEMO_KEY}/balances/BTC", json={"available": "99"})
    demo.set_mode("portfolio")
    client.post("/_fake/faults", json={"code": 50001, "times": 5})
    exchange.fail_next_network()

    assert (client.post("/_fake/reset").status_code, len(exchange.requests)) == (200, 0)

    assert exchange.account_for_key(DEMO_KEY) is demo  # the same account, its state restored
    assert (demo.mode, demo.entry("BTC").max_wd, demo.currencies) == (
        "multi_currency", "1.5", ["BTC", "ETH", "USDT"])
    with pytest.raises(KeyError):
        exchange.account_for_key("new-key-1")
    assert client.get(PATH).json()["code"] == "50103"  # the faults are gone
    assert client.post("/_fake/accounts", json=NEW_ACCOUNT).json()["uid"] == first_uid_then


@pytest.mark.parametrize(("status", "reason"), [
    (403, "Forbidden"), (410, "Gone"), (431, "Request Header Fields Too Large"),
    (502, "Bad Gateway"), (599, "Unknown"),
])
def test_an_injected_status_has_its_standard_reason_phrase(
    served: tuple[FakeExchange, httpx.Client], status: int, reason: str,
) -> None:
    exchange, client = served
    exchange.fail_next_http(status, "x")
    answer = client.get(PATH)
    assert (answer.status_code, answer.reason_phrase) == (status, reason)


def test_post_reset_restores_the_transfer_ids(served: tuple[FakeExchange, httpx.Client]) -> None:
    exchange, client = served
    funding = FakeFundingAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, flag="1", exchange=exchange)

    def trans_id() -> str:
        answer = funding.funds_transfer("BTC", "0.1", "18", "6")
        return str(answer["data"][0]["transId"])

    assert trans_id() == "1000001"
    exchange.snapshot()  # taking one skips no id
    assert trans_id() == "1000002"
    assert client.post("/_fake/reset").status_code == 200
    assert trans_id() == "1000001"


def test_post_reset_empties_the_rate_windows() -> None:
    exchange = funded_exchange(frozen_clock())
    with exchange.server() as server, _sdk(server.url) as api, \
            httpx.Client(base_url=server.url, headers=JSON) as client:
        codes = [api.get_max_withdrawal("BTC")["code"] for _ in range(21)]
        assert client.post("/_fake/reset").status_code == 200
        assert api.get_max_withdrawal("BTC")["code"] == "0"
    assert codes[-2:] == ["0", "50011"]


def test_unknown_control_paths_and_methods(served: tuple[FakeExchange, httpx.Client]) -> None:
    _, client = served
    assert client.get("/_fake/nothing").status_code == 404
    wrong = client.put("/_fake/requests")
    assert (wrong.status_code, wrong.headers["allow"]) == (405, "GET, DELETE")


def test_no_control_leaves_fake_paths_to_the_exchange() -> None:
    exchange = funded_exchange(frozen_clock())
    with exchange.serve(control=False) as base_url, httpx.Client(base_url=base_url) as client:
        answer = client.post("/_fake/reset")
    assert answer.status_code == 404
    assert answer.json()["msg"].startswith("POST /_fake/reset is not modelled by okx-fakes")
    assert [record.path for record in exchange.requests] == ["/_fake/reset"]


def test_the_command_serves_the_control_api_unless_no_control() -> None:
    for args, expected in (([], 200), (["--no-control"], 404)):
        process = subprocess.Popen([sys.executable, "-m", "okx_fakes", "--port", "0", *args],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert process.stdout is not None
            url = process.stdout.readline().strip()
            status = httpx.get(url + "/_fake/requests").status_code
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=10)
        assert status == expected
        assert f"GET /_fake/requests -> {expected} code=" in stderr


@pytest.mark.parametrize(("signed_target", "expected"), [
    (PATH + "?", (200, "0")),  # signed as sent: the "?" is part of the signed text
    (PATH, (401, "50113")),  # the "?" left out of the signature: a wrong signature
])
def test_a_bare_question_mark_answers_the_same_in_process_and_over_the_server(
    signed_target: str, expected: tuple[int, str],
) -> None:
    exchange = funded_exchange(frozen_clock())

    def headers() -> dict[str, str]:
        timestamp = format_timestamp(exchange.now())
        return {"OK-ACCESS-KEY": DEMO_KEY, "OK-ACCESS-PASSPHRASE": DEMO_PASSPHRASE,
                "OK-ACCESS-TIMESTAMP": timestamp, "x-simulated-trading": "1",
                "OK-ACCESS-SIGN": sign(DEMO_SECRET, prehash(timestamp, "GET", signed_target))}

    with httpx.Client(base_url="https://www.okx.com") as client, exchange.install(client):
        in_process = client.get(PATH + "?", headers=headers())
    assert in_process.request.url.raw_path == (PATH + "?").encode()  # httpx keeps it
    with exchange.server() as server:
        request = (f"GET {PATH}? HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                   + "".join(f"{name}: {value}\r\n" for name, value in headers().items())
                   + "\r\n")
        raw = raw_exchange(server.port, request.encode())
    head, _, served_body = raw.partition(b"\r\n\r\n")
    served_status = int(head.split(b" ", 2)[1])
    assert (served_status, served_body) == (in_process.status_code, in_process.content)
    assert (in_process.status_code, in_process.json()["code"]) == expected
    assert [(record.path, record.query) for record in exchange.requests] == [(PATH, "")] * 2
