"""The okx-ext command with a closed stream, a bad --domain, and very short credentials.

A stream closed at exec (``2>&-``, ``>&-``) is ``None`` in Python, where
``print(file=None)`` writes to stdout: notes must never land in the JSON on stdout, and a
result with nowhere to go must not exit 0.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
from typing import Any

import httpx
import pytest
import test_cli
from test_cli import SAMPLE, _environment, assert_one_line_error, closed_port_url
from test_cli_hostile import _Capture

from okx_ext import cli

run_main = test_cli.run_main  # test_cli's fixture, registered in this module too


def _closing(fd: int) -> Any:
    return lambda: os.close(fd)


def run_with_closed(fd: int, *args: str, **variables: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m okx_ext ARGS`` with file descriptor ``fd`` closed, as ``N>&-`` does."""
    return subprocess.run(
        [sys.executable, "-m", "okx_ext", *args], env=_environment(**variables),
        stdout=None if fd == 1 else subprocess.PIPE, stderr=None if fd == 2 else subprocess.PIPE,
        preexec_fn=_closing(fd), text=True, timeout=30, check=False,
    )


def test_with_stderr_closed_json_on_stdout_is_only_the_json() -> None:
    result = run_with_closed(2, "max-withdrawal", "--fake", "--json", "BTC")

    assert result.returncode == 0
    assert json.loads(result.stdout)["BTC"]["maxWd"] == "1.23456789"  # before: a note first


def test_with_stdout_closed_the_command_fails_and_says_so_before_asking() -> None:
    result = run_with_closed(1, "max-withdrawal", "--fake", "BTC")

    assert result.returncode == 1  # before: 0, and the result lost
    assert result.stderr == (
        "okx-ext: error: stdout is closed: the result would be lost; nothing was asked\n"
    )


def test_a_failing_stdout_is_an_error_not_a_silent_success(run_main: Any) -> None:
    class Full:
        def write(self, text: str) -> int:
            raise OSError(28, "No space left on device")

        def flush(self) -> None:
            pass

    streams = cli._Streams(Full(), None)  # type: ignore[arg-type]
    with pytest.raises(cli._CommandError, match="No space left on device") as caught:
        streams.result("BTC 1")
    assert caught.value.exit_code == 1


def test_fake_server_with_stderr_closed_serves() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "okx_ext", "fake-server", "--port", "0"], env=_environment(),
        stdout=subprocess.PIPE, preexec_fn=_closing(2), text=True,
    )
    try:
        assert process.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            assert selector.select(10), "fake-server printed no URL"  # before: exit 1, silent
        url = process.stdout.readline().strip()
        from okx.Account import AccountAPI

        with AccountAPI(SAMPLE["api_key"], SAMPLE["secret_key"], SAMPLE["passphrase"],
                        flag="1", domain=url, debug=False) as api:
            assert api.get_max_withdrawal("BTC")["code"] == "0"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()


@pytest.mark.parametrize(
    "domain",
    ["http://a b", "http://127.0.0.1:99999", "http://127.0.0.1:0", "http://bad_host-.example",
     "https://a%20b"],
)
def test_exit_2_for_a_domain_no_resolver_could_reach(run_main: Any, domain: str) -> None:
    line = assert_one_line_error(
        run_main("max-withdrawal", "--domain", domain, "BTC", OKX_API_KEY="key-0123456789",
                 OKX_SECRET_KEY="secret-0123456789", OKX_PASSPHRASE="pass-0123456789"), 2
    )
    assert "--domain" in line  # before: exit 5, a ConnectError


@pytest.mark.parametrize(
    "domain", ["http://[::1]:1", "http://localhost:1", "http://bücher.example:1", "https://x.y."]
)
def test_a_valid_domain_is_asked(
    run_main: Any, domain: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def refuse(self: httpx.Client, request: httpx.Request, **kwargs: object) -> httpx.Response:
        asked.append(str(request.url.host))
        raise httpx.ConnectError("refused", request=request)

    monkeypatch.setattr(httpx.Client, "send", refuse)
    result = run_main("max-withdrawal", "--retries", "0", "--domain", domain, "BTC",
                      OKX_API_KEY="k", OKX_SECRET_KEY="s", OKX_PASSPHRASE="p")

    assert result.returncode == 5 and len(asked) == 1


def test_a_one_letter_passphrase_leaves_messages_whole(run_main: Any) -> None:
    result = run_main("max-withdrawal", "--retries", "0", "BTC", OKX_API_KEY="k",
                      OKX_SECRET_KEY="s", OKX_PASSPHRASE="e", OKX_DOMAIN=closed_port_url())

    assert result.returncode == 5
    # Before: "reque***t failed: ConnectError: '[Errno 111] Connection refu***ed'".
    assert "request failed: ConnectError" in result.stderr
    assert "Connection refused" in result.stderr
    assert "***" not in result.stderr


def test_a_credential_field_is_masked_whatever_its_length() -> None:
    streams = cli._Streams(None, _Capture())  # type: ignore[arg-type]
    streams.secrets = ("k", "s", "p")

    streams.note("headers {'OK-ACCESS-KEY': 'k', 'OK-ACCESS-PASSPHRASE': 'p'} passphrase=p;")

    assert streams._stderr.text == (  # type: ignore[union-attr]
        "headers {'OK-ACCESS-KEY': '***', 'OK-ACCESS-PASSPHRASE': '***'} passphrase=***;\n"
    )


def test_a_credential_of_the_minimum_length_is_masked_everywhere() -> None:
    streams = cli._Streams(None, _Capture())  # type: ignore[arg-type]
    secret = "x" * cli._MIN_MASKED_CREDENTIAL_CHARS
    streams.secrets = (secret, secret[:-1])

    streams.note(f"got {secret}, and {secret[:-1]}y")

    assert streams._stderr.text == "got ***, and xxxxxxxy\n"  # type: ignore[union-attr]

