"""A throwaway redis-server on 127.0.0.1: a free port, a temporary directory, no persistence.

Shared by the tests (a session fixture) and benchmarks/shared_limit.py: one implementation.
`RedisServer` also restarts the server empty on the same port and stops it with SIGSTOP,
for the tests and benchmark scenarios of a Redis that loses its data or stalls.
"""

from __future__ import annotations

import shutil
import signal
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


class RedisServer:
    """One redis-server process on a fixed port, in a temporary directory, without persistence."""

    def __init__(self, directory: str, *extra_args: str) -> None:
        executable = shutil.which("redis-server")
        if executable is None:
            raise FileNotFoundError("redis-server is not on PATH")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._command = [
            executable, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", directory,
            "--save", "", "--appendonly", "no", *extra_args,
        ]
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        process = subprocess.Popen(
            self._command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self._process = process
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _answers_ping(self.port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.01)

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        process.send_signal(signal.SIGCONT)  # a stopped process cannot act on SIGTERM
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def restart(self) -> None:
        """Stop the server and start an empty one on the same port: every key is lost."""
        self.stop()
        self.start()

    def pause(self) -> None:
        """SIGSTOP: connections are still accepted and commands buffered, none answered."""
        assert self._process is not None
        self._process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        """SIGCONT: the server runs every command buffered while it was stopped."""
        assert self._process is not None
        self._process.send_signal(signal.SIGCONT)


def mark_key_known(url: str, key: str) -> None:
    """Mark a RedisRateLimiter ``key`` as one Redis has seen, as a running deployment's is.

    A new key cannot be told from a lost one, so a limiter's first acquire on it pauses
    for one lease; tests of the window itself and the benchmark's steady state start
    from a known key instead (the pause has tests of its own).
    """
    import redis

    from okx_ext._redis import _limiter_keys

    with redis.Redis.from_url(url) as client:
        client.hset(_limiter_keys(key)[1], "paused_until", 0)


@contextmanager
def running_redis(*extra_args: str) -> Iterator[RedisServer]:
    """Run a `RedisServer` until exit. Raise FileNotFoundError without redis-server."""
    with tempfile.TemporaryDirectory(prefix="okx-ext-redis-") as directory:
        server = RedisServer(directory, *extra_args)
        try:
            server.start()
            yield server
        finally:
            server.stop()


@contextmanager
def redis_server(*extra_args: str) -> Iterator[str]:
    """Run ``redis-server`` until exit; yield its URL. Raise FileNotFoundError without it."""
    with running_redis(*extra_args) as server:
        yield server.url
