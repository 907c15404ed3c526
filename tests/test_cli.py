"""The okx-ext command end to end, as a subprocess: output, exit codes, secrets, fake-server."""

from __future__ import annotations

import json
import os
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from okx.Account import AccountAPI
from okx_fakes import FakeExchange
from okx_fakes._accounts_file import SAMPLE_ACCOUNTS

# Recognisable credentials: none of these strings may ever appear in the CLI's output.
KEY = "KEY-leak-check-5f1e"
SECRET = "SECRET-leak-check-9a3b"
PASSPHRASE = "PASS-leak-check-c4d2"
WRONG_PASSPHRASE = "WRONGPASS-leak-check-77e0"
SECRETS = (KEY, SECRET, PASSPHRASE, WRONG_PASSPHRASE)

SAMPLE = SAMPLE_ACCOUNTS["accounts"][0]
SAMPLE_NOTE = "okx-ext: note: --fake: answered from the built-in fake exchange's sample account\n"
# The sample account's documented balances, as the table shows them.
SAMPLE_TABLE = (
    "CCY   MAX WITHDRAWAL  INCL. BORROWED\n"
    "BTC       1.23456789      1.73456789\n"
    "ETH               10            12.5\n"
    "USDT         2500.75         3500.75\n"
)


def _environment(**variables: str) -> dict[str, str]:
    environment = {name: value for name, value in os.environ.items() if not name.startswith("OKX_")}
    environment.update(variables)
    return environment


def run_cli(*args: str, **variables: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "okx_ext", *args],
        env=_environment(**variables),
        capture_output=True,
        text=True,
        timeout=30,
    )


@pytest.fixture
def run_main(monkeypatch, capsys):
    """Run ``main`` in this process (fast) with the same view as :func:`run_cli`."""
    from okx_ext.cli import main

    def run(*args: str, **variables: str) -> subprocess.CompletedProcess[str]:
        for name in [name for name in os.environ if name.startswith("OKX_")]:
            monkeypatch.delenv(name)
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        exit_code = main(list(args))
        captured = capsys.readouterr()
        return subprocess.CompletedProcess(list(args), exit_code, captured.out, captured.err)

    return run


def credentials(url: str, passphrase: str = PASSPHRASE) -> dict[str, str]:
    return {
        "OKX_API_KEY": KEY,
        "OKX_SECRET_KEY": SECRET,
        "OKX_PASSPHRASE": passphrase,
        "OKX_DOMAIN": url,
    }


def assert_one_line_error(result: subprocess.CompletedProcess[str], exit_code: int) -> str:
    assert result.returncode == exit_code, result.stderr
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    # okx-ext's own errors, or those of the fake server command it hands over to.
    assert line.startswith(("okx-ext: error: ", "okx-ext fake-server: error: "))
    assert "Traceback" not in result.stderr
    for secret in SECRETS:
        assert secret not in result.stdout + result.stderr
    return line


@pytest.fixture
def exchange() -> FakeExchange:
    exchange = FakeExchange()
    account = exchange.add_account(KEY, SECRET, PASSPHRASE, mode="portfolio", demo=True)
    account.set_balance("BTC", available="0.00000001", borrowable="2")
    account.set_balance("ETH", available="123456789012345678901234567890.123456789")
    return exchange


@pytest.fixture
def url(exchange: FakeExchange) -> Iterator[str]:
    with exchange.serve() as base_url:
        yield base_url


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


# --- output against the built-in fake ---------------------------------------------------


def test_table_from_the_builtin_fake():
    result = run_cli("max-withdrawal", "--fake", "BTC", "eth,USDT")

    assert (result.returncode, result.stdout, result.stderr) == (0, SAMPLE_TABLE, SAMPLE_NOTE)


def test_json_from_the_builtin_fake_keeps_amounts_as_strings():
    result = run_cli("max-withdrawal", "--fake", "--json")

    assert result.returncode == 0
    assert json.loads(result.stdout) == {
        "BTC": {"ccy": "BTC", "maxWd": "1.23456789", "maxWdEx": "1.73456789",
                "spotOffsetMaxWd": "", "spotOffsetMaxWdEx": ""},
        "ETH": {"ccy": "ETH", "maxWd": "10", "maxWdEx": "12.5",
                "spotOffsetMaxWd": "", "spotOffsetMaxWdEx": ""},
        "USDT": {"ccy": "USDT", "maxWd": "2500.75", "maxWdEx": "3500.75",
                 "spotOffsetMaxWd": "", "spotOffsetMaxWdEx": ""},
    }


def test_the_console_script_is_installed_and_runs():
    script = shutil.which("okx-ext", path=str(Path(sys.executable).parent))
    assert script is not None

    result = subprocess.run(
        [script, "max-withdrawal", "--fake", "BTC", "ETH", "USDT"],
        env=_environment(), capture_output=True, text=True, timeout=30,
    )

    assert (result.returncode, result.stdout) == (0, SAMPLE_TABLE)


# --- no credentials: no answer, unless --fake asks for the sample account -------------------


@pytest.mark.parametrize("args", [[], ["BTC", "ETH"], ["--json", "BTC"], ["--live", "BTC"]])
def test_exit_2_without_credentials_prints_nothing_and_says_what_to_do(args):
    result = run_cli("max-withdrawal", *args)

    assert (result.returncode, result.stdout) == (2, "")
    line = assert_one_line_error(result, 2)
    for needed in ("OKX_API_KEY", "OKX_SECRET_KEY", "OKX_PASSPHRASE", "--fake"):
        assert needed in line


def test_exit_2_without_credentials_even_with_a_domain_set(run_main, exchange, url):
    result = run_main("max-withdrawal", "BTC", OKX_DOMAIN=url)

    assert (result.returncode, result.stdout) == (2, "")
    assert exchange.requests == []


def test_empty_credentials_count_as_not_set(run_main):
    result = run_main("max-withdrawal", OKX_API_KEY="", OKX_SECRET_KEY="", OKX_PASSPHRASE="")

    assert "--fake" in assert_one_line_error(result, 2)


def test_fake_with_credentials_set_says_they_were_not_used_and_never_shows_them(exchange, url):
    result = run_cli("max-withdrawal", "--fake", "BTC", "ETH", "USDT", **credentials(url))

    assert (result.returncode, result.stdout) == (0, SAMPLE_TABLE)
    assert result.stderr == (
        "okx-ext: note: --fake: answered from the built-in fake exchange's sample account; "
        "OKX_API_KEY, OKX_SECRET_KEY, OKX_PASSPHRASE set but not used; OKX_DOMAIN ignored\n"
    )
    assert not any(secret in result.stdout + result.stderr for secret in SECRETS)
    assert exchange.requests == []  # nothing reached the domain the environment names


def test_fake_names_the_options_it_ignores(run_main, exchange, url):
    result = run_main("max-withdrawal", "--fake", "--live", "--domain", url, "BTC",
                      OKX_PASSPHRASE=PASSPHRASE)

    assert result.returncode == 0
    assert result.stderr == (
        "okx-ext: note: --fake: answered from the built-in fake exchange's sample account; "
        "OKX_PASSPHRASE set but not used; --live, --domain ignored\n"
    )
    assert exchange.requests == []


def test_fake_never_reads_a_credential_value(monkeypatch, capsys):
    from okx_ext import cli

    class NoValues(dict[str, str]):
        def __getitem__(self, name: str) -> str:
            assert not name.startswith("OKX_"), name
            return super().__getitem__(name)

        def get(self, name: str, default: object = None) -> object:  # type: ignore[override]
            assert not name.startswith("OKX_"), name
            return super().get(name, default)

    environment = NoValues(os.environ, OKX_API_KEY=KEY, OKX_SECRET_KEY=SECRET,
                           OKX_PASSPHRASE=PASSPHRASE, OKX_DOMAIN="http://127.0.0.1:1")
    monkeypatch.setattr(cli.os, "environ", environment)

    assert cli.main(["max-withdrawal", "--fake", "BTC"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("CCY ")
    assert not any(secret in captured.out + captured.err for secret in SECRETS)


def test_partly_set_credentials_with_fake_are_not_an_error(run_main):
    result = run_main("max-withdrawal", "--fake", "BTC", OKX_API_KEY=KEY)

    assert result.returncode == 0
    assert "OKX_API_KEY set but not used" in result.stderr


# --- through a fake server, with credentials ----------------------------------------------


def test_real_credentials_query_the_given_domain_with_spot_offset_columns(url):
    result = run_cli("max-withdrawal", "ETH", "BTC", **credentials(url))

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    huge = "123456789012345678901234567890.123456789"  # 40 characters, every digit kept
    header = ["MAX WITHDRAWAL", "INCL. BORROWED", "SPOT OFFSET", "SPOT OFFSET INCL. BORROWED"]
    assert result.stdout.splitlines() == [
        "CCY  " + "  ".join(title.rjust(40) for title in header),
        "ETH  " + "  ".join([huge] * 4),
        "BTC  " + "  ".join(amount.rjust(40) for amount in ["0.00000001", "2.00000001"] * 2),
    ]


def test_json_through_the_server_is_exact_and_empty_fields_stay_empty(run_main, exchange, url):
    exchange.add_account("k2", "s2", "p2", mode="futures").set_balance("BTC", available="1.50")

    result = run_main(
        "max-withdrawal", "--json", "BTC",
        OKX_API_KEY="k2", OKX_SECRET_KEY="s2", OKX_PASSPHRASE="p2", OKX_DOMAIN=url,
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "BTC": {"ccy": "BTC", "maxWd": "1.5", "maxWdEx": "",
                "spotOffsetMaxWd": "", "spotOffsetMaxWdEx": ""},
    }


def test_the_domain_option_wins_over_the_environment(run_main, url):
    environment = credentials(closed_port_url())

    result = run_main("max-withdrawal", "BTC", "--domain", url, **environment)

    assert result.returncode == 0, result.stderr


def test_live_sends_the_live_flag(run_main, exchange, url):
    # The fake's key is a demo key: asked as live, the exchange refuses the environment.
    result = run_main("max-withdrawal", "--live", **credentials(url))

    line = assert_one_line_error(result, 3)
    assert "50101" in line


# --- exit codes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["BTC", "BTC-USDT"], "'BTC-USDT'"),
        (["BTC,,ETH"], "position 1"),
        (["BTÇ"], "'BTÇ'"),
        ([f"X{'1' * 32}"], "X111"),
    ],
)
def test_exit_2_for_a_bad_currency_names_it_before_any_request(
    run_main, exchange, url, args, named
):
    result = run_main("max-withdrawal", *args, **credentials(url))

    assert named in assert_one_line_error(result, 2)
    assert exchange.requests == []


def test_exit_2_for_a_bad_currency_on_the_builtin_fake_is_the_only_line(run_main):
    result = run_main("max-withdrawal", "--fake", "BTC", "")

    assert "position 1" in assert_one_line_error(result, 2)


def test_exit_2_when_some_credentials_are_missing_names_the_variable_not_the_values():
    result = run_cli("max-withdrawal", OKX_API_KEY=KEY, OKX_PASSPHRASE=PASSPHRASE)

    line = assert_one_line_error(result, 2)
    assert "OKX_SECRET_KEY not set" in line
    assert "OKX_PASSPHRASE" in line  # in the list of what to set, but no value anywhere


@pytest.mark.parametrize("domain", ["www.okx.com", "ftp://www.okx.com", "http://", "http://[::1"])
def test_exit_2_for_a_domain_that_is_not_an_http_url(run_main, domain):
    result = run_main("max-withdrawal", "--domain", domain, **credentials("http://127.0.0.1:1"))

    assert f"--domain: expected an http(s) URL such as https://www.okx.com, got {domain!r}" in (
        assert_one_line_error(result, 2)
    )


@pytest.mark.parametrize(
    "args",
    [[], ["max-withdrawal", "--bogus"], ["max-withdrawal", "--live", "--demo-trading"],
     ["fake-server", "--port", "70000"], ["frobnicate"]],
)
def test_exit_2_for_usage_errors(run_main, args):
    result = run_main(*args)

    assert result.returncode == 2
    assert result.stdout == ""
    assert "usage: okx-ext" in result.stderr
    assert "Traceback" not in result.stderr


HTML_502 = "<html>\n<b>502 Bad Gateway</b>\n</html>"


@pytest.mark.parametrize(
    ("fault", "exit_code", "message"),
    [
        pytest.param(lambda ex: ex.fail_next(50110), 3, "OKX error 50110", id="50110-permission"),
        pytest.param(lambda ex: ex.fail_next(50030), 3, "OKX error 50030", id="50030-permission"),
        pytest.param(lambda ex: ex.fail_next(50007), 3, "OKX error 50007: User blocked.",
                     id="50007-account-restricted"),
        pytest.param(lambda ex: ex.fail_next(50108), 3, "OKX error 50108", id="50108-auth"),
        pytest.param(lambda ex: ex.fail_next(50038), 3, "OKX error 50038", id="50038-demo"),
        pytest.param(lambda ex: ex.fail_next(50040, times=50), 4, "OKX error 50040",
                     id="50040-too-frequent"),
        pytest.param(lambda ex: ex.fail_next(50115), 1, "OKX error 50115", id="50115-method"),
        pytest.param(lambda ex: ex.fail_next(51000), 2, "OKX error 51000", id="51000-parameter"),
        pytest.param(lambda ex: ex.fail_next(50011, times=50), 4, "OKX error 50011",
                     id="50011-rate-limit"),
        pytest.param(lambda ex: ex.fail_next(50001, times=50), 4, "OKX error 50001",
                     id="50001-unavailable"),
        pytest.param(lambda ex: ex.fail_next(50005), 4, "OKX error 50005", id="50005-offline"),
        pytest.param(lambda ex: ex.fail_next_http(502, HTML_502, times=50), 5, "JSONDecodeError",
                     id="html-502"),
        pytest.param(lambda ex: ex.fail_next_network(times=50), 5, "RemoteProtocolError",
                     id="dropped-connection"),
        pytest.param(lambda ex: ex.fail_next_http(200, '{"code": "0", "data": [{"ccy": "BTC"}]}'),
                     5, "maxWd", id="malformed-entry"),
        pytest.param(lambda ex: ex.fail_next_http(200, '{"code": "59999", "msg": "odd"}'),
                     1, "OKX error 59999: odd", id="unknown-code"),
    ],
)
def test_exit_code_for_each_failure_of_the_exchange(
    run_main, exchange, url, fault, exit_code, message
):
    fault(exchange)

    result = run_main("max-withdrawal", "BTC", **credentials(url))

    assert message in assert_one_line_error(result, exit_code)


# One subprocess per exit code (the parametrized cases above run in-process for speed).


def test_exit_2_for_a_bad_currency_as_a_subprocess(exchange, url):
    result = run_cli("max-withdrawal", "BTC", "btc-usdt", **credentials(url))

    assert "'btc-usdt'" in assert_one_line_error(result, 2)
    assert exchange.requests == []


def test_exit_4_for_a_rate_limit_that_persists_after_retries_as_a_subprocess(exchange, url):
    exchange.fail_next(50011, times=50)

    result = run_cli("max-withdrawal", "BTC", **credentials(url))

    assert "OKX error 50011: Too Many Requests" in assert_one_line_error(result, 4)
    assert [record.code for record in exchange.requests] == ["50011"] * 3  # 2 retries


def test_a_transient_fault_is_retried_and_the_answer_printed(run_main, exchange, url):
    exchange.fail_next(50001)
    exchange.fail_next_network()

    result = run_main("max-withdrawal", "--json", "BTC", **credentials(url))

    assert (result.returncode, result.stderr) == (0, "")
    assert json.loads(result.stdout)["BTC"]["maxWd"] == "0.00000001"
    assert [record.code for record in exchange.requests] == ["50001", None, "0"]


def test_retries_0_turns_retrying_off(run_main, exchange, url):
    exchange.fail_next(50001)

    result = run_main("max-withdrawal", "--retries", "0", **credentials(url))

    assert "OKX error 50001" in assert_one_line_error(result, 4)
    assert len(exchange.requests) == 1


def test_more_than_20_currencies_are_asked_in_batches_in_the_order_given(run_main, exchange, url):
    codes = [f"C{index}" for index in range(25)]

    result = run_main("max-withdrawal", "--json", "ETH", *codes, **credentials(url))

    assert result.returncode == 0, result.stderr
    assert list(json.loads(result.stdout)) == ["ETH", *codes]
    assert len(exchange.requests) == 2


def test_exit_5_for_a_malformed_answer_as_a_subprocess(exchange, url):
    exchange.fail_next_http(200, '{"code": "0", "msg": "", "data": {"ccy": "BTC"}}')

    result = run_cli("max-withdrawal", "BTC", **credentials(url))

    assert "data" in assert_one_line_error(result, 5)


def test_exit_3_for_a_wrong_passphrase_without_leaking_any_credential(exchange, url):
    result = run_cli("max-withdrawal", "BTC", **credentials(url, passphrase=WRONG_PASSPHRASE))

    line = assert_one_line_error(result, 3)  # checks every secret is absent from the output
    assert "50105" in line
    assert [record.code for record in exchange.requests] == ["50105"]


def test_exit_3_for_an_unknown_key(run_main, url):
    result = run_main(
        "max-withdrawal", OKX_API_KEY="KEY-unknown", OKX_SECRET_KEY=SECRET,
        OKX_PASSPHRASE=PASSPHRASE, OKX_DOMAIN=url,
    )

    assert "50111" in assert_one_line_error(result, 3)


def test_exit_5_for_a_closed_port():
    result = run_cli("max-withdrawal", "BTC", **credentials(closed_port_url()))

    assert "ConnectError" in assert_one_line_error(result, 5)


def test_interrupted_exits_130_quietly(monkeypatch, capsys):
    from okx_ext import cli

    def interrupted() -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("okx_fakes.sample_exchange", interrupted)
    for name in ("OKX_API_KEY", "OKX_SECRET_KEY", "OKX_PASSPHRASE"):
        monkeypatch.delenv(name, raising=False)

    assert cli.main(["max-withdrawal", "--fake"]) == 130
    assert capsys.readouterr().out == ""


def test_an_internal_error_is_one_line_without_secrets(monkeypatch, capsys):
    from okx_ext import cli

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"boom with {SECRET} inside")

    monkeypatch.setattr(cli, "MaxWithdrawalClient", broken)
    monkeypatch.setenv("OKX_API_KEY", KEY)
    monkeypatch.setenv("OKX_SECRET_KEY", SECRET)
    monkeypatch.setenv("OKX_PASSPHRASE", PASSPHRASE)

    assert cli.main(["max-withdrawal", "--domain", "http://127.0.0.1:1"]) == 1
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == (
        "", "okx-ext: error: internal error: RuntimeError: boom with *** inside\n"
    )


def test_a_currency_missing_from_the_answer_is_noted(run_main, exchange, url):
    exchange.fail_next_http(200, '{"code": "0", "msg": "", "data": []}')

    result = run_main("max-withdrawal", "BTC", "ETH", **credentials(url))

    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "CCY  MAX WITHDRAWAL  INCL. BORROWED\n",
        "okx-ext: note: OKX returned no row for BTC, ETH\n",
    )


# --- fake-server --------------------------------------------------------------------------


class ServerProcess:
    """An ``okx-ext fake-server`` subprocess, its URL read from the first stdout line."""

    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "okx_ext", "fake-server", "--port", "0", *args],
            env=_environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        self.url = self._first_line()

    def _first_line(self, timeout_s: float = 10.0) -> str:
        assert self.process.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            if not selector.select(timeout_s):
                self.process.kill()
                pytest.fail("fake-server printed no URL")
        return self.process.stdout.readline().strip()

    def stop(self, signum: int) -> tuple[int, float, str, str]:
        started = time.monotonic()
        self.process.send_signal(signum)
        stdout, stderr = self.process.communicate(timeout=5)
        return self.process.returncode, time.monotonic() - started, stdout, stderr

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate()


@pytest.fixture
def server_process() -> Iterator[type[ServerProcess]]:
    started: list[ServerProcess] = []

    class Tracked(ServerProcess):
        def __init__(self, *args: str) -> None:
            super().__init__(*args)
            started.append(self)

    yield Tracked
    for server in started:
        server.kill()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_fake_server_on_port_0_serves_the_real_sdk_and_stops_on_a_signal(server_process, signum):
    server = server_process()
    assert server.url.startswith("http://127.0.0.1:")
    api = AccountAPI(
        SAMPLE["api_key"], SAMPLE["secret_key"], SAMPLE["passphrase"],
        flag="1", domain=server.url, debug=False,
    )
    with api:
        body = api.get_max_withdrawal("BTC")

    exit_code, elapsed_s, stdout, stderr = server.stop(signum)

    assert body["data"][0]["maxWd"] == "1.23456789"
    assert (exit_code, stdout) == (0, "")
    assert elapsed_s < 1.0
    assert "GET /api/v5/account/max-withdrawal?ccy=BTC -> 200 code=0" in stderr.splitlines()
    for credential in (SAMPLE["api_key"], SAMPLE["secret_key"], SAMPLE["passphrase"]):
        assert credential not in stderr


def test_fake_server_serves_an_accounts_file(server_process, tmp_path):
    accounts = tmp_path / "accounts.json"
    accounts.write_text(json.dumps({"accounts": [{
        "api_key": KEY, "secret_key": SECRET, "passphrase": PASSPHRASE, "demo": False,
        "mode": "futures", "max_withdrawals": {"OKB": {"max_wd": "7.25"}},
    }]}))
    server = server_process("--accounts", str(accounts))

    result = run_cli("max-withdrawal", "OKB", "--live", **credentials(server.url))
    bad = run_cli("max-withdrawal", "OKB", **credentials(server.url, WRONG_PASSPHRASE))
    exit_code, _, _, server_log = server.stop(signal.SIGTERM)

    assert (result.returncode, result.stdout) == (0, "CCY  MAX WITHDRAWAL  INCL. BORROWED\n"
                                                     "OKB            7.25               -\n")
    assert bad.returncode == 3
    assert exit_code == 0
    assert server_log.count("GET /api/v5/account/max-withdrawal?ccy=OKB -> ") == 2
    for secret in SECRETS:
        assert secret not in server_log + result.stderr + bad.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read it"),
        ("{not json", "not valid JSON"),
        ('{"accounts": [{"api_key": "k"}]}', 'accounts[0]: missing key "secret_key"'),
        ('{"accounts": [{"api_key": "k", "secret_key": "s", "passphrase": "p", "mode": "x"}]}',
         "accounts[0]: unknown account mode 'x'"),
    ],
)
def test_fake_server_refuses_a_bad_accounts_file(run_main, tmp_path, content, message):
    accounts = tmp_path / "accounts.json"
    if content is not None:
        accounts.write_text(content)

    result = run_main("fake-server", "--port", "0", "--accounts", str(accounts))

    line = assert_one_line_error(result, 2)
    assert f"accounts file {accounts}: " in line
    assert message in line


def test_fake_server_on_a_busy_port_exits_2(run_main):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]

        result = run_main("fake-server", "--port", str(port))

    assert f"cannot listen on 127.0.0.1:{port}" in assert_one_line_error(result, 2)


def test_a_reader_that_goes_away_ends_the_command_quietly_with_141():
    read_end, write_end = os.pipe()
    os.close(read_end)  # `okx-ext ... | head -c0`: nobody reads stdout
    try:
        result = subprocess.run(
            [sys.executable, "-m", "okx_ext", "max-withdrawal", "--fake", "BTC"],
            env=_environment(),
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=30,
        )
    finally:
        os.close(write_end)
    assert result.returncode == 141
    # Only --fake's own note: no "internal error", no traceback from the flush at exit.
    assert result.stderr.splitlines() == [
        "okx-ext: note: --fake: answered from the built-in fake exchange's sample account"
    ]


@pytest.mark.parametrize(
    ("args", "usage"),
    [
        (["--help"], "usage: okx-ext [-h] COMMAND ...\n"),
        (["max-withdrawal", "--help"], "usage: okx-ext max-withdrawal [-h] [--json]"),
        (["fake-server", "--help"], "usage: okx-ext fake-server [-h] [--host HOST]"),
    ],
)
def test_help_exits_0_with_the_usage_line(run_main, args, usage):
    result = run_main(*args)

    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith(usage)


def test_the_console_script_help_exits_0():
    script = Path(sys.executable).with_name("okx-ext")
    if not script.exists():
        pytest.skip("okx-ext is not installed beside this interpreter")
    result = subprocess.run([str(script), "max-withdrawal", "--help"], env=_environment(),
                            capture_output=True, text=True, timeout=30)

    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith("usage: okx-ext max-withdrawal [-h] [--json]")
