"""A throwaway redis-server on 127.0.0.1: a free port, a temporary directory, no persistence.

Shared by the tests (a session fixture) and benchmarks/shared_limit.py: one implementation.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

START_TIMEOUT_S = 10.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _answers_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2) as connection:
            connection.sendall(b"PING\r\n")
            # A server started with --requirepass answers, but with NOAUTH.
            return connection.recv(16).startswith((b"+PONG", b"-NOAUTH"))
    except OSError:
        return False


@contextmanager
def redis_server(*extra_args: str) -> Iterator[str]:
    """Run ``redis-server`` until exit; yield its URL. Raise FileNotFoundError without it."""
    executable = shutil.which("redis-server")
    if executable is None:
        raise FileNotFoundError("redis-server is not on PATH")
    with tempfile.TemporaryDirectory(prefix="okx-ext-redis-") as directory:
        port = free_port()
        process = subprocess.Popen(
            [executable, "--port", str(port), "--bind", "127.0.0.1", "--dir", directory,
             "--save", "", "--appendonly", "no", *extra_args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while not _answers_ping(port):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start on port {port}")
                time.sleep(0.01)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def redis_url_fixture() -> Iterator[str]:
    """The body of a session ``redis_url`` fixture: one real redis-server, its URL.

    Skipped where redis-server is missing, unless OKX_EXT_REQUIRE_REDIS=1 (CI sets it),
    where a missing server is a failure rather than a silently smaller suite.
    """
    import pytest

    if shutil.which("redis-server") is None:
        reason = "redis-server is not on PATH (apt-get install redis-server)"
        if os.environ.get("OKX_EXT_REQUIRE_REDIS") == "1":
            pytest.fail(f"{reason}, and OKX_EXT_REQUIRE_REDIS=1")
        pytest.skip(f"{reason}; set OKX_EXT_REQUIRE_REDIS=1 to fail instead")
    with redis_server() as url:
        yield url
