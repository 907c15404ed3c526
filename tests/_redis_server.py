"""A throwaway redis-server on 127.0.0.1: a free port, a temporary directory, no persistence.

Shared by the tests (a session fixture) and benchmarks/shared_limit.py: one implementation.
`RedisServer` also restarts the server empty on the same port and stops it with SIGSTOP,
for the tests and benchmark scenarios of a Redis that loses its data or stalls.
`redis_cluster` runs a 3-primary Redis Cluster, and `redis_sentinel` a primary, a
replica and three Sentinels (``redis-server --sentinel``), with a forced failover.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

START_TIMEOUT_S = 10.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def free_cluster_port() -> int:
    """A free port whose cluster bus port (10000 higher) is free and valid too."""
    while True:
        port = free_port()
        if port + 10000 > 65535:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port + 10000))
            except OSError:
                continue
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

    def __init__(self, directory: str, *extra_args: str, sentinel_config: str = "",
                 port: int | None = None) -> None:
        executable = shutil.which("redis-server")
        if executable is None:
            raise FileNotFoundError("redis-server is not on PATH")
        self.port = free_port() if port is None else port
        self.url = f"redis://127.0.0.1:{self.port}/0"
        if sentinel_config:
            # A Sentinel rewrites its configuration file: one of its own, in its directory.
            config = os.path.join(directory, "sentinel.conf")
            with open(config, "w", encoding="utf-8") as file:
                file.write(f"port {self.port}\nbind 127.0.0.1\ndir {directory}\n")
                file.write(sentinel_config)
            self._command = [executable, config, "--sentinel"]
            return
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
            # Throwaway data: a primary waiting out its replicas' lag is not worth seconds.
            process.wait(timeout=1)
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


def _until(condition: Callable[[], bool], what: str, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if condition():
                return
        except Exception:  # not up yet: asked again until the deadline
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.02)


_MARK_KNOWN = """
local replid = string.match(redis.call('INFO', 'replication'), 'master_replid:(%w+)')
return redis.call('HSET', KEYS[1], 'paused_until', 0, 'replid', replid)
"""


def mark_key_known(target: str | Any, key: str) -> None:
    """Mark a RedisRateLimiter ``key`` as one Redis has seen, as a running deployment's is.

    On a Redis up for less than a lease (a test's), a new key cannot be told from a lost
    one, so a limiter's first acquire on it pauses for one lease. The docs pages' key is
    a running deployment's, marked here from outside; a suite vouches for its own keys
    with the public ``assume_fresh=True`` instead.
    ``target`` is a URL or a redis-py client (a RedisCluster routes by the key).
    """
    import redis

    from okx_ext._redis import _limiter_keys

    state = _limiter_keys(key)[1]
    if not isinstance(target, str):
        target.eval(_MARK_KNOWN, 1, state)
        return
    with redis.Redis.from_url(target) as client:
        client.eval(_MARK_KNOWN, 1, state)


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


@contextmanager
def redis_cluster(primaries: int = 3) -> Iterator[list[RedisServer]]:
    """Run a Redis Cluster of ``primaries`` nodes (no replicas), joined by redis-cli."""
    cli = shutil.which("redis-cli")
    if cli is None:
        raise FileNotFoundError("redis-cli is not on PATH")
    import redis

    with tempfile.TemporaryDirectory(prefix="okx-ext-cluster-") as directory, ExitStack() as stack:
        nodes = []
        for index in range(primaries):
            node_directory = os.path.join(directory, str(index))
            os.mkdir(node_directory)
            node = RedisServer(node_directory, "--cluster-enabled", "yes",
                               "--cluster-config-file", "nodes.conf",
                               "--cluster-node-timeout", "2000", port=free_cluster_port())
            stack.callback(node.stop)
            node.start()
            nodes.append(node)
        subprocess.run(
            [cli, "--cluster", "create", *(f"127.0.0.1:{node.port}" for node in nodes),
             "--cluster-replicas", "0", "--cluster-yes"],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60,
        )
        for node in nodes:
            def ready(node: RedisServer = node) -> bool:
                with redis.Redis(port=node.port) as client:
                    return bool(client.cluster("info")["cluster_state"] == "ok")

            _until(ready, f"cluster node {node.port} to be ok")
        yield nodes


class SentinelSetup:
    """A primary, a replica and three Sentinels watching them as ``service``."""

    service = "okx-ext"

    def __init__(self, primary: RedisServer, replica: RedisServer,
                 sentinels: list[RedisServer]) -> None:
        self.primary = primary
        self.replica = replica
        self.sentinels = sentinels

    @property
    def addresses(self) -> list[tuple[str, int]]:
        return [("127.0.0.1", sentinel.port) for sentinel in self.sentinels]

    def primary_port(self) -> int:
        import redis

        with redis.Redis(port=self.sentinels[0].port) as client:
            _, port = client.sentinel_get_master_addr_by_name(self.service)
            return int(port)

    def failover(self) -> None:
        """Promote the replica (SENTINEL FAILOVER); return once it is the primary, the old
        primary its replica, and every Sentinel says so."""
        import redis

        old_port = self.primary_port()
        new, old = ((self.replica, self.primary) if old_port == self.primary.port
                    else (self.primary, self.replica))
        with redis.Redis(port=self.sentinels[0].port) as client:
            client.execute_command("SENTINEL", "FAILOVER", self.service)

        def promoted() -> bool:
            with redis.Redis(port=new.port) as client:
                role = client.info("replication")["role"]
            # The old primary too: until Sentinel demotes it, clients still connected to
            # it write there (writes the new primary never sees).
            with redis.Redis(port=old.port) as client:
                old_role = client.info("replication")["role"]
            return role == "master" and old_role == "slave" and all(
                redis.Redis(port=sentinel.port).sentinel_get_master_addr_by_name(
                    self.service)[1] in (new.port, str(new.port))
                for sentinel in self.sentinels
            )

        _until(promoted, "the Sentinel failover")


@contextmanager
def redis_sentinel() -> Iterator[SentinelSetup]:
    """Run a primary, its replica and three Sentinels; yield them once all see each other."""
    import redis

    with tempfile.TemporaryDirectory(prefix="okx-ext-sentinel-") as directory, \
            ExitStack() as stack:
        def started(name: str, *args: str, sentinel_config: str = "") -> RedisServer:
            server_directory = os.path.join(directory, name)
            os.mkdir(server_directory)
            server = RedisServer(server_directory, *args, sentinel_config=sentinel_config)
            stack.callback(server.stop)
            server.start()
            return server

        primary = started("primary")
        replica = started("replica", "--replicaof", "127.0.0.1", str(primary.port))

        def replicating() -> bool:
            with redis.Redis(port=replica.port) as client:
                return bool(client.info("replication")["master_link_status"] == "up")

        _until(replicating, "the replica to sync")
        config = (
            f"sentinel monitor {SentinelSetup.service} 127.0.0.1 {primary.port} 2\n"
            f"sentinel down-after-milliseconds {SentinelSetup.service} 1000\n"
            f"sentinel failover-timeout {SentinelSetup.service} 5000\n"
        )
        sentinels = [started(f"sentinel{index}", sentinel_config=config) for index in range(3)]

        def watching() -> bool:
            for sentinel in sentinels:
                with redis.Redis(port=sentinel.port) as client:
                    state = client.sentinel_master(SentinelSetup.service)
                if state["num-slaves"] < 1 or state["num-other-sentinels"] < 2:
                    return False
            return True

        _until(watching, "the Sentinels to find the replica and each other")
        yield SentinelSetup(primary, replica, sentinels)


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
