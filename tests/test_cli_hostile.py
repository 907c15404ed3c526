"""The okx-ext command against hostile environments, files and requests.

Credentials an HTTP header cannot carry, short credentials, accounts files Python's
json cannot decode, control characters in a request target (escaped by the fake's
server), and the standalone server's bound on recorded requests.
"""

from __future__ import annotations

import os
import socket
import threading
from typing import Any

import pytest
import test_cli
from okx_fakes import FakeAccountAPI, FakeExchange
from okx_fakes import cli as fake_cli
from test_cli import SECRETS, assert_one_line_error, closed_port_url, run_cli

from okx_ext import cli

# test_cli's fixtures, registered in this module too.
run_main = test_cli.run_main
server_process = test_cli.server_process
KEY, SECRET, PASSPHRASE = SECRETS[:3]


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("OKX_PASSPHRASE", PASSPHRASE + "\n"),
        ("OKX_PASSPHRASE", PASSPHRASE + "\r"),
        ("OKX_API_KEY", KEY + "é"),
        ("OKX_SECRET_KEY", " " + SECRET),
    ],
    ids=["newline", "carriage-return", "non-ascii", "leading-space"],
)
def test_exit_2_for_a_credential_a_header_cannot_carry_names_the_variable_only(
    run_main: Any, variable: str, value: str
) -> None:
    variables = {"OKX_API_KEY": KEY, "OKX_SECRET_KEY": SECRET, "OKX_PASSPHRASE": PASSPHRASE,
                 "OKX_DOMAIN": closed_port_url(), variable: value}

    line = assert_one_line_error(run_main("max-withdrawal", "BTC", **variables), 2)

    assert variable in line
    assert value.strip() not in line and "é" not in line and "\\xe9" not in line


def test_short_credentials_leave_the_programs_own_words_readable(run_main: Any) -> None:
    result = run_main("max-withdrawal", "bad-item", OKX_API_KEY="k", OKX_SECRET_KEY="s",
                      OKX_PASSPHRASE="p", OKX_DOMAIN=closed_port_url())

    assert result.returncode == 2
    assert result.stderr.startswith("okx-ext: error: ")


def test_an_escaped_form_of_a_credential_is_redacted_too() -> None:
    streams = cli._Streams(*(_Capture() for _ in range(2)))
    streams.secrets = ("back\\slash-secret",)

    streams.note("quoted as 'back\\\\slash-secret' and as back\\slash-secret")

    assert streams._stderr.text == "quoted as '***' and as ***\n"  # type: ignore[attr-defined]


class _Capture:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass


@pytest.mark.parametrize(
    "content",
    ['{"accounts": ' + "[" * 100_000, '{"accounts": [{"uid": ' + "1" * 5000 + "}]}"],
    ids=["deeply-nested", "huge-int"],
)
def test_fake_server_refuses_an_accounts_file_json_cannot_decode(
    run_main: Any, tmp_path: Any, content: str
) -> None:
    accounts = tmp_path / "accounts.json"
    accounts.write_text(content)

    line = assert_one_line_error(
        run_main("fake-server", "--port", "0", "--accounts", str(accounts)), 2
    )

    assert "not valid JSON" in line


def test_fake_server_keeps_a_bounded_number_of_request_records(
    run_main: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[FakeExchange] = []

    def recording_exchange(**kwargs: object) -> FakeExchange:
        exchange = FakeExchange(**kwargs)  # type: ignore[arg-type]
        built.append(exchange)
        return exchange

    def no_server(*args: object, **kwargs: object) -> object:
        raise OSError(98, "stop here: only the exchange is under test")

    monkeypatch.setattr(fake_cli, "FakeExchange", recording_exchange)
    monkeypatch.setattr(FakeExchange, "server", no_server)
    assert_one_line_error(run_main("fake-server", "--port", "0"), 2)  # stopped at the bind
    (exchange,) = built
    exchange.add_account("k", "s", "p")
    api = FakeAccountAPI("k", "s", "p", flag="1", exchange=exchange)
    for _ in range(fake_cli.MAX_RECORDED_REQUESTS + 5):
        exchange.reset_rate_limits()
        api.get_max_withdrawal("BTC")

    assert len(exchange.requests) == fake_cli.MAX_RECORDED_REQUESTS


def test_fake_server_outside_the_main_thread_fails_without_binding_a_port(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bound: list[object] = []
    real_server = FakeExchange.server

    def recording_server(self: FakeExchange, *args: Any, **kwargs: Any) -> Any:
        server = real_server(self, *args, **kwargs)
        bound.append(server)
        return server

    monkeypatch.setattr(FakeExchange, "server", recording_server)
    exit_codes: list[int] = []
    thread = threading.Thread(target=lambda: exit_codes.append(cli.main(["fake-server",
                                                                          "--port", "0"])))
    thread.start()
    thread.join(10)

    assert exit_codes == [1]
    assert bound == []


def test_a_server_log_line_with_a_control_character_stays_one_line(server_process: Any) -> None:
    server = server_process()
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as connection:
        connection.sendall(b"GET /\x1b[31mred\x08X HTTP/1.0\r\n\r\n")
        connection.recv(1024)
    exit_code, _, _, stderr = server.stop(15)

    assert exit_code == 0
    assert ("GET /\\x1b[31mred\\x08X -> 404 code=- (not modelled by the fake)"
            in stderr.splitlines())
    assert "\x1b" not in stderr


def test_run_cli_helper_still_reaches_the_builtin_fake() -> None:
    assert run_cli("max-withdrawal", "--fake", "BTC").returncode == 0


@pytest.fixture
def no_bind(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Record any attempt to make the server: a refused accounts file must come first."""
    calls: list[object] = []
    monkeypatch.setattr(FakeExchange, "server", lambda *args, **kwargs: calls.append(args))
    return calls


def _special_file(kind: str, tmp_path: Any) -> str:
    if kind == "a FIFO":
        fifo = tmp_path / "accounts.fifo"
        os.mkfifo(fifo)  # nobody ever writes: an open() that waits for a writer hangs
        return str(fifo)
    if kind == "a directory":
        return str(tmp_path)
    return "/dev/zero"  # endless: a read() without a bound fills the memory


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX special files")
@pytest.mark.parametrize("kind", ["a FIFO", "a directory", "a character device"])
def test_fake_server_refuses_an_accounts_file_that_is_not_a_regular_file(
    run_main: Any, tmp_path: Any, no_bind: list[object], kind: str,
) -> None:
    path = _special_file(kind, tmp_path)

    line = assert_one_line_error(run_main("fake-server", "--port", "0", "--accounts", path), 2)

    assert line == f"okx-ext fake-server: error: accounts file {path}: not a regular file ({kind})"
    assert no_bind == []


def test_fake_server_refuses_an_accounts_file_over_16_mib(
    run_main: Any, tmp_path: Any, no_bind: list[object],
) -> None:
    accounts = tmp_path / "accounts.json"
    with accounts.open("wb") as sparse:
        sparse.truncate(fake_cli.MAX_ACCOUNTS_FILE_BYTES + 1)  # a hole: no disk used

    line = assert_one_line_error(
        run_main("fake-server", "--port", "0", "--accounts", str(accounts)), 2
    )

    assert line == (f"okx-ext fake-server: error: accounts file {accounts}: larger than 16 MiB "
                    "(16777216 bytes)")
    assert no_bind == []


def test_an_accounts_file_of_exactly_16_mib_is_read(
    run_main: Any, tmp_path: Any, no_bind: list[object],
) -> None:
    accounts = tmp_path / "accounts.json"
    document = b'{"accounts": []}'
    accounts.write_bytes(document + b" " * (fake_cli.MAX_ACCOUNTS_FILE_BYTES - len(document)))

    line = assert_one_line_error(
        run_main("fake-server", "--port", "0", "--accounts", str(accounts)), 2
    )

    # Read whole and parsed: refused for what it says, not for its size.
    assert "larger than" not in line
    assert line.startswith(f"okx-ext fake-server: error: accounts file {accounts}: ")
    assert no_bind == []
