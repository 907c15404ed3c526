"""RedisRateLimiter on the Redis that providers run: eviction, no INFO, a key's first use.

Real redis-servers, each started here with the setting under test: a small
``maxmemory`` under every eviction policy, ``INFO`` renamed away or denied by an ACL, a
server up for longer than a lease. The window runs on a simulated clock
(``limiter._server_now``) except where Redis's own clock is the point (key expiry),
and there with a lease and a window of a few hundred milliseconds.

"0 x 50011" is checked as OKX counts: every admitted request arrives when admitted, and
no window (t - window, t] may hold more than ``max_requests`` of them.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from _redis_server import RedisServer, running_redis
from _simclock import SimClock, bounded
from test_ratelimit import max_in_window

from okx_ext import RateLimit, RateLimiterConfigError, RateLimiterUnavailableError, RedisRateLimiter
from okx_ext._redis import _limiter_keys

# Every test here is bounded: a script that pauses forever fails in seconds.
pytestmark = [pytest.mark.timeout(20), pytest.mark.usefixtures("redis_url")]

EVICTION_POLICIES = ["volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
                     "allkeys-lru", "allkeys-lfu", "allkeys-random"]


def sim_limiter(url: str, clock: SimClock, limit: RateLimit, **kwargs: object) -> RedisRateLimiter:
    """A limiter on a key of its own (unless given) whose window runs on ``clock``."""
    kwargs.setdefault("key", f"uid:{uuid.uuid4().hex}")
    limiter = RedisRateLimiter(url, limit=limit, clock=clock.time, sleep=bounded(clock.sleep),
                               **kwargs)  # type: ignore[arg-type]
    limiter._server_now = clock.time
    return limiter


def uptime_s(url: str) -> int:
    with redis.Redis.from_url(url) as client:
        return int(client.info("server")["uptime_in_seconds"])


def wait_for_uptime(url: str, seconds: int) -> None:
    """Wait (on Redis's real clock: the limiter reads its uptime) until ``url`` is that old."""
    deadline = time.monotonic() + seconds + 2
    while uptime_s(url) < seconds:
        assert time.monotonic() < deadline, "redis-server's uptime does not advance"
        time.sleep(0.02)


@pytest.fixture(scope="module")
def aged_redis() -> Iterator[RedisServer]:
    """A server of this module's own, up for at least a second, that nothing flushes."""
    with running_redis() as server:
        wait_for_uptime(server.url, 1)
        yield server


def fill_until_evicted(url: str, watched: tuple[str, ...], reads: int = 0) -> list[str]:
    """Write fillers (no TTL, in db 1) until Redis evicts one of ``watched``; drop them.

    Return the watched keys (of db 0) that are gone. Under volatile-* the fillers cannot be
    evicted: once the slots are, Redis refuses writes (OOM), and the filling stops. Each
    filler is read ``reads`` times: under allkeys-lfu, fillers used less often than the
    limiter's keys would be all that is evicted.
    """
    written: list[str] = []
    with redis.Redis.from_url(url) as ours, redis.Redis.from_url(url, db=1) as filler:
        for index in range(4000):
            try:
                filler.set(f"filler:{index}", b"x" * 16384)
            except redis.exceptions.ResponseError:  # OOM: nothing left that may be evicted
                break
            written.append(f"filler:{index}")
            if reads:
                with filler.pipeline(transaction=False) as pipe:
                    for _ in range(reads):
                        pipe.get(f"filler:{index}")
                    pipe.execute()
            if index % 8 == 0 and not all(ours.exists(name) for name in watched):
                break
        gone = [name for name in watched if not ours.exists(name)]
        # DEL, not FLUSHDB: a flush would tell the limiter of a loss by itself.
        for start in range(0, len(written), 500):
            filler.delete(*written[start:start + 500])
    return gone


class TestEviction:
    @pytest.mark.parametrize("policy", EVICTION_POLICIES)
    def test_no_eviction_policy_makes_the_limiter_over_admit(self, policy: str) -> None:
        # Three requests at 0 (two returned, one in flight), then Redis evicts under
        # memory pressure, then four more requests from 0.5. Before, under volatile-*,
        # the slots (with a TTL) went and the state (without) stayed: all admitted at 0.5.
        # An LFU counter that grows by one per access, so that fillers read 50 times each
        # are used more often than the limiter's keys.
        with running_redis("--maxmemory", "4mb", "--maxmemory-policy", policy,
                           "--lfu-log-factor", "0") as server:
            clock = SimClock()
            limiter = sim_limiter(server.url, clock, RateLimit(3, 1.0), lease_s=2.0,
                                  assume_fresh=True)
            arrivals = []
            for _ in range(2):
                with limiter.slot():
                    arrivals.append(clock.time())
            assert limiter.acquire()
            arrivals.append(clock.time())
            gone = fill_until_evicted(server.url, _limiter_keys(limiter.key),
                                      reads=50 if policy == "allkeys-lfu" else 0)
            assert gone, "nothing of the limiter's was evicted: the test proves nothing"
            if policy.startswith("volatile"):
                assert gone == [_limiter_keys(limiter.key)[0]]  # only keys with a TTL go
            clock.advance(0.5)
            for _ in range(4):
                with limiter.slot():
                    arrivals.append(clock.time())
            limiter.release()
            assert max_in_window(arrivals, 1.0) <= 3, arrivals  # 0 x 50011
            assert arrivals[3] == 2.5  # one lease after the loss was seen, not earlier
            limiter.close()

    def test_slots_evicted_before_a_release_still_pause(self, aged_redis: RedisServer) -> None:
        # The release would put its own slot back and hide that the others vanished.
        clock = SimClock()
        limiter = sim_limiter(aged_redis.url, clock, RateLimit(2, 1.0), lease_s=3.0,
                              assume_fresh=True)
        assert limiter.acquire()  # in flight
        with limiter.slot():  # returned at 0: counts until 1.0
            pass
        limiter._client.delete(_limiter_keys(limiter.key)[0])  # as volatile-* eviction does
        clock.advance(0.5)
        limiter.release()
        assert limiter.acquire(deadline=3.49) is False
        assert limiter.acquire() is True
        assert clock.now == 3.5
        limiter.release()
        limiter.close()


class TestRealClockExpiry:
    @pytest.mark.timeout(10)
    def test_a_release_after_lease_minus_window_keeps_the_slots_key_alive(
        self, aged_redis: RedisServer
    ) -> None:
        # Redis expires keys on its own clock, which no simulated time reaches. A request
        # slower than lease - window returns after the key's first expiry would have
        # dropped it; the release must push the expiry to its window's end, or the key
        # goes at the lease's end and takes the slot with it.
        lease_s, window_s = 0.3, 0.2
        slept: list[float] = []

        def sleep(delay_s: float) -> None:
            slept.append(delay_s)
            time.sleep(delay_s)

        limiter = RedisRateLimiter(aged_redis.url, key=f"uid:{uuid.uuid4().hex}",
                                   limit=RateLimit(1, window_s), lease_s=lease_s, sleep=sleep,
                                   assume_fresh=True)
        slots = _limiter_keys(limiter.key)[0]
        assert limiter.acquire()
        taken = time.monotonic()
        time.sleep(0.2)  # slower than lease - window (0.1 s)
        limiter.release()
        returned = time.monotonic()
        time.sleep(max(taken + lease_s + 0.02 - time.monotonic(), 0))  # past the lease's end
        assert time.monotonic() < returned + window_s, "the machine was too slow to tell"
        assert limiter._client.zcard(slots) == 1  # still counting, on Redis's clock
        assert limiter.acquire(deadline=time.time() + window_s) is True
        assert sum(slept) <= window_s  # to the window's end, not a lease's pause
        assert time.monotonic() >= returned + window_s - 0.01
        limiter.release()
        limiter.close()


class TestFirstUse:
    def test_a_new_key_on_a_redis_up_longer_than_a_lease_starts_at_once(
        self, aged_redis: RedisServer
    ) -> None:
        clock = SimClock()
        limiter = sim_limiter(aged_redis.url, clock, RateLimit(2, 0.5), lease_s=1.0)
        for _ in range(2):
            with limiter.slot():
                pass
        assert clock.sleeps == []  # the whole budget at once
        with limiter.slot():
            assert clock.now == 0.5
        limiter.close()

    def test_a_new_key_on_a_redis_up_less_than_a_lease_pauses_once(self) -> None:
        with running_redis() as server:
            clock = SimClock()
            limiter = sim_limiter(server.url, clock, RateLimit(2, 1.0), lease_s=4.0)
            assert uptime_s(server.url) < 4  # a restart may have lost slots still counting
            with limiter.slot():
                assert clock.now == 4.0
            with limiter.slot():
                assert clock.now == 4.0
            assert clock.sleeps == [4.0]
            limiter.close()

    @pytest.mark.parametrize("loss", ["flushdb", "flushall", "evicted"])
    def test_a_new_key_pauses_on_a_redis_that_flushed_or_evicted(self, loss: str) -> None:
        with running_redis("--maxmemory", "4mb", "--maxmemory-policy", "allkeys-lru") as server:
            wait_for_uptime(server.url, 1)
            clock = SimClock()
            before = sim_limiter(server.url, clock, RateLimit(1, 0.5), lease_s=1.0)
            with before.slot():
                assert clock.now == 0.0  # nothing lost yet: at once
            if loss == "evicted":
                with redis.Redis.from_url(server.url) as client:
                    client.set("bystander", b"x" * 16384)
                assert fill_until_evicted(server.url, ("bystander",)) == ["bystander"]
            else:
                with redis.Redis.from_url(server.url, db=1) as other:
                    other.execute_command(loss.upper())  # another db's flush counts too
            after = sim_limiter(server.url, clock, RateLimit(1, 0.5), lease_s=1.0)
            with after.slot():
                assert clock.now == 1.0  # the new key: one lease first
            before.close()
            after.close()

    def test_assume_fresh_starts_at_once_on_a_fresh_redis_and_a_loss_still_pauses(self) -> None:
        with running_redis() as server:
            clock = SimClock()
            limiter = sim_limiter(server.url, clock, RateLimit(2, 1.0), lease_s=4.0,
                                  assume_fresh=True)
            for _ in range(2):
                with limiter.slot():
                    pass
            assert clock.sleeps == []
            limiter._client.flushall()  # vouching covers the first acquire, not this
            clock.advance(1.0)
            with limiter.slot():
                assert clock.now == 5.0
            limiter.close()

    def test_assume_fresh_must_be_a_bool(self) -> None:
        with pytest.raises(RateLimiterConfigError, match="assume_fresh must be True or False"):
            RedisRateLimiter("redis://127.0.0.1:1/0", key="k", assume_fresh=1)  # type: ignore[arg-type]


NO_INFO = r"refuses INFO .*ACL SETUSER <user> \+info.*rename-command INFO"


class TestWithoutInfo:
    def test_info_renamed_away_is_refused_when_the_limiter_is_built(self) -> None:
        with running_redis("--rename-command", "INFO", "") as server:
            with pytest.raises(RateLimiterConfigError, match=NO_INFO) as raised:
                RedisRateLimiter(server.url, key="k")
            assert "Unknown Redis command" in str(raised.value)
            assert not raised.value.retryable
            client = redis.Redis.from_url(server.url, socket_timeout=2.0)
            with pytest.raises(RateLimiterConfigError, match=NO_INFO):
                RedisRateLimiter.from_client(client, key="k")
            client.close()

    def test_info_denied_by_an_acl_is_refused_naming_it_never_the_password(self) -> None:
        with running_redis() as server:
            with redis.Redis.from_url(server.url) as admin:
                admin.acl_setuser("limiter", enabled=True, passwords=["+s3cret-pw"],
                                  keys=["*"], commands=["+@all", "-info"])
            url = server.url.replace("redis://", "redis://limiter:s3cret-pw@")
            with pytest.raises(RateLimiterConfigError, match=NO_INFO) as raised:
                RedisRateLimiter(url, key="k")
            assert "s3cret-pw" not in str(raised.value)

    def test_unreachable_when_built_then_refused_at_the_first_acquire(self) -> None:
        with running_redis("--rename-command", "INFO", "") as server:
            server.pause()
            try:
                limiter = RedisRateLimiter(server.url, key="k", redis_timeout_s=0.05)
            finally:
                server.resume()
            with pytest.raises(RateLimiterConfigError, match="found at the first acquire"):
                limiter.acquire()
            assert not limiter._held
            limiter.close()

    def test_the_documented_acl_is_enough(self) -> None:
        # The shared-budgets page's ACL line, as a reader pastes it, and nothing more.
        page = Path(__file__).parent.parent / "docs" / "wrapper" / "shared-budgets.md"
        (line,) = [text for text in page.read_text(encoding="utf-8").splitlines()
                   if text.startswith("ACL SETUSER okx-limiter ")]
        with running_redis() as server:
            with redis.Redis.from_url(server.url) as admin:
                admin.execute_command(*line.split())
            url = server.url.replace("redis://", "redis://okx-limiter:change-me@")
            limiter = RedisRateLimiter(url, key="okx-max-withdrawal:42",
                                       limit=RateLimit(2, 0.05), lease_s=0.1)
            for _ in range(3):  # the first use's facts (INFO sections), a wait, releases
                with limiter.slot():
                    pass
            # The ACL bites: another key is refused.
            with pytest.raises(RateLimiterUnavailableError, match="NoPermissionError"):
                RedisRateLimiter(url, key="other:42").acquire()
            limiter.close()


class TestUrlOptions:
    def test_known_options_work_and_a_misspelt_one_is_refused_before_any_request(
        self, redis_url: str
    ) -> None:
        limiter = RedisRateLimiter(f"{redis_url}?socket_timeout=1.5&client_name=okx-w1",
                                   key=f"uid:{uuid.uuid4().hex}", limit=RateLimit(1, 0.01),
                                   assume_fresh=True)
        with limiter.slot():
            assert limiter._client.client_getname() == "okx-w1"
        limiter.close()
        # Before: built, then every request raised a bare TypeError from redis-py.
        with pytest.raises(RateLimiterConfigError, match="unknown option 'socket_timout'"):
            RedisRateLimiter(f"{redis_url}?socket_timout=1", key="k")
