"""The three ways in as adapters: install()/uninstall, serve() and FakeServer, FakeAccountAPI."""

from __future__ import annotations

import socket
import threading

import httpx
import okx.Account as Account
import pytest
from fake_support import (
    DEMO_KEY,
    DEMO_PASSPHRASE,
    DEMO_SECRET,
    SECRETS,
    frozen_clock,
    funded_exchange,
)
from okx_fakes import FakeAccountAPI, FakeServer, FakeTransport

PATH = "/api/v5/account/max-withdrawal"


def test_install_replaces_transport_and_mounts_and_uninstall_restores_them() -> None:
    exchange = funded_exchange(frozen_clock())
    with httpx.Client(proxy="http://127.0.0.1:9", base_url="https://anything.example") as client:
        transport, mounts = client._transport, dict(client._mounts)
        assert mounts  # the proxy is mounted: install must replace it too
        with exchange.install(client) as installation:
            assert installation.installed
            assert isinstance(client._transport, FakeTransport)
            assert all(isinstance(t, FakeTransport) for t in client._mounts.values())
            assert client.get(PATH).status_code == 401  # answered by the fake
        assert not installation.installed
        assert client._transport is transport and client._mounts == mounts
        installation.uninstall()  # idempotent
        assert client._transport is transport


def test_install_refuses_what_is_not_an_httpx_client() -> None:
    with pytest.raises(TypeError, match=r"httpx\.Client"):
        funded_exchange().install(object())  # type: ignore[arg-type]


def test_installed_network_fault_raises_connect_error() -> None:
    exchange = funded_exchange(frozen_clock())
    exchange.fail_next_network()
    with Account.AccountAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, flag="1") as api:
        exchange.install(api)
        with pytest.raises(httpx.ConnectError, match="injected network fault"):
            api.get_max_withdrawal("BTC")
    assert [(r.code, r.status) for r in exchange.requests] == [(None, None)]


def test_fake_account_api_mirrors_the_sdk_constructor() -> None:
    exchange = funded_exchange(frozen_clock())
    api = FakeAccountAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, None, "1",
                         "https://www.okx.com", False, None, exchange=exchange)
    assert api.get_max_withdrawal("BTC")["code"] == "0"
    with pytest.warns(DeprecationWarning, match="use_server_time"):
        FakeAccountAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, False, exchange=exchange)
    with pytest.raises(TypeError, match="FakeExchange"):
        FakeAccountAPI(exchange=object())  # type: ignore[arg-type]
    no_credentials = FakeAccountAPI(exchange=exchange)  # python-okx sends no auth headers
    assert no_credentials.get_max_withdrawal()["code"] == "50103"
    exchange.fail_next_network()
    with pytest.raises(httpx.ConnectError):
        api.get_max_withdrawal("BTC")
    exchange.fail_next_http(502, "<html>Bad Gateway</html>")
    with pytest.raises(ValueError):  # json.JSONDecodeError, like response.json() in the SDK
        api.get_max_withdrawal("BTC")


def _port_refuses(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def test_serve_answers_the_real_sdk_and_stops_cleanly() -> None:
    exchange = funded_exchange(frozen_clock())
    threads_before = set(threading.enumerate())
    with exchange.serve() as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        port = int(base_url.rsplit(":", 1)[1])
        with Account.AccountAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, flag="1",
                                domain=base_url) as api:
            assert api.get_max_withdrawal("BTC")["data"][0]["maxWd"] == "1.5"
            assert api.get_max_withdrawal("BTC, ETH")["code"] == "50113"
    assert set(threading.enumerate()) == threads_before  # serve loop and handlers joined
    assert _port_refuses(port)
    with socket.socket() as again:  # the port can be bound again (as servers do)
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", port))


def test_served_network_fault_drops_the_connection() -> None:
    exchange = funded_exchange(frozen_clock())
    exchange.fail_next_network()
    with exchange.serve() as base_url, httpx.Client(base_url=base_url) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            client.get(PATH)
        assert client.get(PATH).status_code == 401  # then served again


def test_fake_server_for_a_standalone_process_logs_redacted_lines() -> None:
    exchange = funded_exchange(frozen_clock())
    lines: list[str] = []
    server = exchange.server(log=lines.append)
    assert isinstance(server, FakeServer) and repr(server) == f"FakeServer(url={server.url!r})"
    serving = threading.Thread(target=server.serve_forever)
    serving.start()
    try:
        with Account.AccountAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, flag="1",
                                domain=server.url) as api:
            api.get_max_withdrawal("BTC")
            api.get_max_withdrawal("nope,")
    finally:
        server.stop()
        serving.join(timeout=5)
    assert not serving.is_alive()
    assert lines == [
        f"GET {PATH}?ccy=BTC -> 200 code=0",
        f"GET {PATH}?ccy=nope, -> 400 code=51000",
    ]
    assert not any(secret in line for line in lines for secret in SECRETS)
    with pytest.raises(RuntimeError, match="serves once"):
        server.start()


def test_fake_server_start_stop_and_any_method() -> None:
    exchange = funded_exchange(frozen_clock())
    server = FakeServer(exchange).start()
    try:
        with httpx.Client(base_url=server.url) as client:
            assert client.post(PATH, content=b"{}").status_code == 405  # 50115
            answer = client.get("/")
            assert answer.status_code == 404
            assert answer.json()["error"] == "not modelled by okx-fakes"
            assert answer.json()["msg"].startswith("GET / is not modelled by okx-fakes")
    finally:
        server.stop()
    server.stop()  # idempotent
    assert _port_refuses(server.port)
