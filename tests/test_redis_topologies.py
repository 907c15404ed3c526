"""RedisRateLimiter.from_client on the Redis that teams run: Cluster, Sentinel, their own client.

Real servers, started here: a 3-primary Redis Cluster (``redis-server --cluster-enabled
yes`` joined by ``redis-cli --cluster create``) and a primary, a replica and three
Sentinels, with a forced failover. The window runs on a simulated clock where the
scenario allows it (``limiter._server_now``), so nothing sleeps for a lease.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator

import pytest
import redis
from _redis_server import RedisServer, SentinelSetup, redis_cluster, redis_sentinel
from _simclock import SimClock, bounded
from redis.cluster import RedisCluster
from redis.crc import key_slot
from redis.sentinel import Sentinel
from test_ratelimit import run_calls

from okx_ext import RateLimit, RateLimiterUnavailableError, RedisRateLimiter
from okx_ext._redis import _limiter_keys

# Bounded: a script that pauses forever fails here, not at the suite's 120 s. The slowest
# test (the Sentinel failover, its module fixture included) takes about 20 s.
pytestmark = pytest.mark.timeout(60)


def _needs_redis_cli() -> None:
    if shutil.which("redis-cli") is None:
        reason = "redis-cli is not on PATH (apt-get install redis-tools)"
        if os.environ.get("OKX_EXT_REQUIRE_REDIS") == "1":
            pytest.fail(f"{reason}, and OKX_EXT_REQUIRE_REDIS=1")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def cluster(redis_url: str) -> Iterator[list[RedisServer]]:
    """A 3-primary cluster for this module (``redis_url``: skipped or failed as it says)."""
    _needs_redis_cli()
    with redis_cluster() as nodes:
        yield nodes


@pytest.fixture(scope="module")
def sentinel(redis_url: str) -> Iterator[SentinelSetup]:
    with redis_sentinel() as setup:
        yield setup


def fresh_limiter_on_sim_clock(
    client: object, clock: SimClock, limit: RateLimit, *, key: str = "", lease_s: float = 12.0
) -> RedisRateLimiter:
    """A from_client limiter on a key vouched fresh (new unless given), run on ``clock``."""
    key = key or f"uid:{uuid.uuid4().hex}"
    limiter = RedisRateLimiter.from_client(
        client, key=key, limit=limit, lease_s=lease_s, clock=clock.time,  # type: ignore[arg-type]
        sleep=bounded(clock.sleep), assume_fresh=True,
    )
    limiter._server_now = clock.time
    return limiter


def acquire_retrying(limiter: RedisRateLimiter, deadline: float | None = None) -> bool:
    """Acquire across a change of primary: calls on the old connections fail, typed."""
    for _ in range(20):
        try:
            return limiter.acquire(deadline)
        except RateLimiterUnavailableError:
            continue
    raise AssertionError("the limiter never reached the new primary")


@pytest.mark.timeout(10)  # real time: a limiter that never admits would sleep forever
def test_every_key_the_scripts_touch_is_in_the_limiter_s_one_hash_slot(redis_url: str) -> None:
    # Every command the scripts run, as MONITOR sees them, on a key new to Redis (so the
    # state is created too), through the TIME script, an acquire and a release.
    key = f"uid:{uuid.uuid4().hex}"
    observer = redis.Redis.from_url(redis_url, decode_responses=True)
    with observer.monitor() as monitor:
        client = redis.Redis.from_url(redis_url, socket_timeout=2.0)
        limiter = RedisRateLimiter.from_client(
            client, key=key, limit=RateLimit(1, 0.01), lease_s=0.01
        )
        with limiter.slot():
            pass
        client.echo("okx-ext: the end")
        commands = []
        while (command := monitor.next_command())["command"] != "ECHO okx-ext: the end":
            if command["client_type"] == "lua":
                commands.append(command["command"].split(" "))
    touched = set()
    for arguments in commands:
        try:
            touched.update(observer.command_getkeys(*arguments))
        except redis.ResponseError:  # a command without keys: TIME, INFO
            assert arguments[0].upper() in {"TIME", "INFO"}
    assert touched == set(_limiter_keys(key))
    assert len({key_slot(name.encode()) for name in touched}) == 1
    client.close()


class TestCluster:
    @staticmethod
    def client(nodes: list[RedisServer]) -> RedisCluster:
        return RedisCluster(host="127.0.0.1", port=nodes[0].port, socket_timeout=2.0)

    def test_the_window_is_exact_on_every_primary(self, cluster: list[RedisServer]) -> None:
        client = self.client(cluster)
        primaries: set[str] = set()
        for index in range(100):
            key = f"uid:{index}:{uuid.uuid4().hex}"
            node = client.get_node_from_key(_limiter_keys(key)[0])
            if node.name in primaries:
                continue
            primaries.add(node.name)
            clock = SimClock()
            limiter = fresh_limiter_on_sim_clock(client, clock, RateLimit(3, 1.0), key=key)
            intervals = run_calls(limiter, clock, [0.0] * 7, [0.0] * 7)  # type: ignore[arg-type]
            assert [start for start, _ in intervals] == [0.0] * 3 + [1.0] * 3 + [2.0]
        assert len(primaries) == 3
        client.close()

    def test_a_flushed_primary_pauses_its_keys_for_one_lease(
        self, cluster: list[RedisServer]
    ) -> None:
        client = self.client(cluster)
        clock = SimClock()
        limiter = fresh_limiter_on_sim_clock(client, clock, RateLimit(2, 1.0), lease_s=2.0)
        with limiter.slot():
            pass
        client.flushall(target_nodes=client.get_node_from_key(_limiter_keys(limiter.key)[0]))
        assert limiter.acquire() is True
        assert clock.now == 2.0
        client.close()

    def test_the_client_passed_in_is_used_as_is_and_never_closed(
        self, cluster: list[RedisServer]
    ) -> None:
        client = self.client(cluster)
        limiter = RedisRateLimiter.from_client(client, key="k")
        assert limiter._client is client
        assert limiter._timeout_us == 2_000_000  # its own socket_timeout gives calls up
        limiter.close()
        assert client.ping() is True
        assert repr(limiter) == (
            "RedisRateLimiter('<RedisCluster client>', key='k', "
            "limit=RateLimit(max_requests=20, window_s=2.0), lease_s=12.0)"
        )
        client.close()


class TestSentinel:
    def test_a_failover_pauses_admission_for_one_lease(self, sentinel: SentinelSetup) -> None:
        client = Sentinel(sentinel.addresses, socket_timeout=1.0).master_for(
            sentinel.service, socket_timeout=1.0
        )
        clock = SimClock()
        limiter = fresh_limiter_on_sim_clock(client, clock, RateLimit(3, 1.0), lease_s=3.0)
        with limiter.slot():
            pass
        assert limiter.acquire()  # in flight across the failover
        # The replica holds every write, state included: only the change of primary, not
        # a missing key, can tell the limiter that slots may be lost.
        assert client.wait(1, 5000) == 1
        clock.advance(0.5)
        sentinel.failover()
        assert acquire_retrying(limiter, deadline=3.49) is False
        assert acquire_retrying(limiter) is True
        assert clock.now == 3.5  # one lease after the new primary was first asked
        limiter.release()
        limiter.release()
        limiter.close()
        assert client.ping() is True  # still the caller's
        client.close()


class TestFromClient:
    @pytest.mark.timeout(10)  # real time, as above
    def test_a_plain_client_without_a_timeout_is_never_given_up(self, redis_url: str) -> None:
        client = redis.Redis.from_url(redis_url)
        key = f"uid:{uuid.uuid4().hex}"
        limiter = RedisRateLimiter.from_client(client, key=key, limit=RateLimit(1, 0.01),
                                               assume_fresh=True)
        assert limiter._timeout_us is None and limiter._give_up_us() == ""
        with limiter.slot():
            pass
        limiter.close()
        assert client.ping() is True
        client.close()

    @pytest.mark.parametrize("client", ["redis://127.0.0.1:1/0", None, object()])
    def test_anything_but_a_sync_client_is_refused(self, client: object) -> None:
        with pytest.raises(TypeError, match=r"expects a redis\.Redis or a redis\.cluster"):
            RedisRateLimiter.from_client(client, key="k")  # type: ignore[arg-type]

    def test_async_clients_are_refused(self) -> None:
        import redis.asyncio

        with pytest.raises(TypeError, match="got Redis"):
            RedisRateLimiter.from_client(redis.asyncio.Redis(), key="k")  # type: ignore[arg-type]
