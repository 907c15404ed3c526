"""RedisRateLimiter against a real redis-server (the session's ``redis_url`` fixture).

The window logic is pinned on a simulated clock: the Lua scripts take an optional "now"
(``limiter._server_now``, tests only) in place of Redis TIME, so schedules are exact and
nothing really sleeps. The TIME path itself, several processes and a SIGKILL are then
checked with real time and tiny windows (tens of milliseconds). fakeredis is not used:
its Lua needs lupa, and a fake of the one component whose atomicity is the point would
prove little; the real server starts in milliseconds.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from _redis_server import RedisServer, free_port, redis_server, running_redis
from _simclock import SimClock, bounded
from hypothesis import example, given, settings
from hypothesis import strategies as st
from test_ratelimit import Interval, max_in_window, max_overlap, run_calls

from okx_ext import (
    MaxWithdrawalClient,
    OkxExtError,
    RateLimit,
    RateLimiter,
    RateLimiterProtocol,
    RateLimiterUnavailableError,
    RedisRateLimiter,
)
from okx_ext._redis import _limiter_keys, _masked_url

MakeLimiter = Callable[..., RedisRateLimiter]

# Bounded, as a script that pauses forever must fail in seconds, not at the suite's
# 120 s: on a simulated clock a limiter fails after 1000 sleeps; on the real one, here.
pytestmark = pytest.mark.timeout(10)


def slots_key(limiter: RedisRateLimiter) -> str:
    return _limiter_keys(limiter.key)[0]


class TestWindowOnSimulatedTime:
    def test_burst_schedule_is_exact(self, make_limiter: MakeLimiter) -> None:
        clock = SimClock()
        limiter = make_limiter(RateLimit(20, 2.0), clock)
        intervals = run_calls(limiter, clock, [0.0] * 45, [0.0] * 45)  # type: ignore[arg-type]
        assert [start for start, _ in intervals] == [0.0] * 20 + [2.0] * 20 + [4.0] * 5

    def test_slot_counts_until_window_after_return(self, make_limiter: MakeLimiter) -> None:
        clock = SimClock()
        limiter = make_limiter(RateLimit(2, 1.0), clock)
        intervals = run_calls(limiter, clock, [0.5] * 4, [0.0] * 4)  # type: ignore[arg-type]
        assert [start for start, _ in intervals] == [0.0, 0.5, 1.5, 2.0]

    def test_slot_released_when_call_raises(self, make_limiter: MakeLimiter) -> None:
        clock = SimClock()
        limiter = make_limiter(RateLimit(1, 1.0), clock)
        with pytest.raises(ZeroDivisionError), limiter.slot():
            1 / 0  # noqa: B018
        with limiter.slot():
            assert clock.time() == 1.0

    def test_two_limiters_on_one_key_share_the_budget(self, make_limiter: MakeLimiter) -> None:
        clock = SimClock()
        first = make_limiter(RateLimit(2, 1.0), clock)
        second = make_limiter(RateLimit(2, 1.0), clock)
        with first.slot(), second.slot():
            pass
        with second.slot():
            assert clock.time() == 1.0

    def test_a_short_lease_never_expires_a_longer_one_s_slot(
        self, make_limiter: MakeLimiter
    ) -> None:
        # The key lives until its latest slot ends, whoever set the expiry last: before,
        # the short-lease limiter's release set it to its own 0.05 s and a long request's
        # slot vanished with the key.
        clock = SimClock()
        long_lease = make_limiter(RateLimit(2, 0.05), clock, lease_s=30.0)
        short_lease = make_limiter(RateLimit(2, 0.05), clock, lease_s=0.05)
        assert long_lease.acquire()  # in flight, its lease ends at 30 s
        with short_lease.slot():
            pass
        ttl_ms = short_lease._client.pttl(slots_key(short_lease))
        assert 29_000 < ttl_ms <= 30_001

    def test_separate_keys_are_separate_budgets(self, make_limiter: MakeLimiter) -> None:
        clock = SimClock()
        first = make_limiter(RateLimit(1, 1.0), clock, key=f"test:{uuid.uuid4().hex}")
        second = make_limiter(RateLimit(1, 1.0), clock, key=f"test:{uuid.uuid4().hex}")
        with first.slot(), second.slot():
            pass
        assert clock.sleeps == []

    def test_all_slots_in_flight_waits_a_window_then_exactly_to_the_end(
        self, make_limiter: MakeLimiter
    ) -> None:
        # Nothing has returned, so no slot can free before a window from now: the
        # waiter sleeps 1 s, then sees the end left by the release and sleeps to it.
        clock = SimClock()
        holder = make_limiter(RateLimit(1, 1.0), clock)
        holder.acquire()
        slept: list[float] = []

        def sleep(delay_s: float) -> None:
            slept.append(delay_s)
            if len(slept) == 1:  # the holder's request returns 0.25 s into the wait
                clock.advance(0.25)
                holder.release()
            clock.sleep(delay_s)

        waiter = make_limiter(RateLimit(1, 1.0), clock, sleep=sleep)
        assert waiter.acquire() is True
        assert slept[0] == 1.0
        assert clock.now == 1.25

    def test_a_dead_holders_slot_frees_when_its_lease_expires(
        self, make_limiter: MakeLimiter
    ) -> None:
        clock = SimClock()
        make_limiter(RateLimit(1, 1.0), clock, lease_s=3.0).acquire()  # never released
        waiter = make_limiter(RateLimit(1, 1.0), clock, lease_s=3.0)
        assert waiter.acquire() is True
        assert clock.now == 3.0
        assert clock.sleeps == [1.0, 1.0, 1.0]

    def test_a_release_after_the_lease_expired_still_counts(
        self, make_limiter: MakeLimiter
    ) -> None:
        # The slow request was sent: once it returns, it counts for a window again,
        # even though its lease had expired and another caller took a slot meanwhile.
        clock = SimClock()
        slow = make_limiter(RateLimit(1, 1.0), clock, lease_s=1.0)
        other = make_limiter(RateLimit(1, 1.0), clock, lease_s=1.0)
        slow.acquire()
        clock.advance(1.5)
        other.acquire()
        slow.release()
        other.release()
        with other.slot():
            assert clock.time() == 2.5

    def test_deadline_refuses_without_sleeping(self, make_limiter: MakeLimiter) -> None:
        clock = SimClock()
        limiter = make_limiter(RateLimit(1, 2.0), clock)
        with limiter.slot():
            pass
        assert limiter.acquire(deadline=1.999) is False
        assert clock.sleeps == [] and clock.now == 0.0
        assert limiter.acquire(deadline=2.0) is True
        assert clock.now == 2.0
        limiter.release()

    def test_deadline_counts_in_flight_slots_as_a_window_away(
        self, make_limiter: MakeLimiter
    ) -> None:
        clock = SimClock()
        limiter = make_limiter(RateLimit(1, 2.0), clock)
        limiter.acquire()
        assert limiter.acquire(deadline=1.5) is False
        assert clock.sleeps == []
        limiter.release()

    def test_release_without_acquire(self, make_limiter: MakeLimiter) -> None:
        with pytest.raises(RuntimeError, match="without a matching acquire"):
            make_limiter(RateLimit()).release()

    @settings(max_examples=40)
    # Once a failure: simulated times off the microsecond grid, judged in floats.
    @example(max_requests=3, window_s=0.5, calls=[(0.0, 0.0), (0.0, 0.0), (0.3046875, 0.0),
                                                  (0.0, 0.0)])
    @given(
        max_requests=st.integers(1, 4),
        window_s=st.sampled_from([0.5, 1.0, 2.0]),
        calls=st.lists(
            st.tuples(st.floats(0, 2), st.sampled_from([0.0, 0.0, 0.4, 0.995, 2.5])),
            max_size=25,
        ),
    )
    def test_never_more_than_max_in_any_window(
        self, redis_url: str, max_requests: int, window_s: float, calls: list[tuple[float, float]]
    ) -> None:
        clock = SimClock(start=1_000.0)
        key = f"test:{uuid.uuid4().hex}"
        limiter = RedisRateLimiter(
            redis_url, key=key, limit=RateLimit(max_requests, window_s),
            clock=clock.time, sleep=bounded(clock.sleep), assume_fresh=True,
        )
        limiter._server_now = clock.time
        durations = [duration for duration, _ in calls]
        gaps = [gap for _, gap in calls]
        intervals: list[Interval] = run_calls(limiter, clock, durations, gaps)  # type: ignore[arg-type]
        limiter.close()
        # The server's clock counts whole microseconds: the contract holds on that grid.
        on_grid = [(round(start * 1e6), round(end * 1e6)) for start, end in intervals]
        window_us = round(window_s * 1e6)
        assert max_overlap(on_grid, window_us) <= max_requests  # type: ignore[arg-type]
        assert max_in_window([start for start, _ in on_grid], window_us) <= max_requests  # type: ignore[arg-type]
        assert max_in_window([end for _, end in on_grid], window_us) <= max_requests  # type: ignore[arg-type]


@pytest.fixture
def own_redis(redis_url: str) -> Iterator[RedisServer]:
    """A redis-server of this test's own, to restart, flush or stop without harming others."""
    with running_redis() as server:
        yield server


def acquire_across_reconnect(limiter: RedisRateLimiter, deadline: float | None = None) -> bool:
    """Acquire once the limiter's connection to a restarted server is replaced.

    The pooled connection died with the old server: the first call fails on it (typed,
    nothing taken), and the next one connects to the new server.
    """
    try:
        return limiter.acquire(deadline)
    except RateLimiterUnavailableError:
        return limiter.acquire(deadline)


class TestLostData:
    """Redis forgets the slots (restart, FLUSHALL): nothing is admitted for one lease.

    Slots OKX may still count: two requests returned at 0 count until 1.0, a third is
    in flight. Without the state key, the limiter saw an empty set after the loss and
    admitted at once, into OKX's window of those three.
    """

    @staticmethod
    def _three_slots_then(lose: Callable[[], None], limiter: RedisRateLimiter,
                          clock: SimClock) -> None:
        for _ in range(2):
            with limiter.slot():
                pass
        assert limiter.acquire()  # in flight across the loss
        clock.advance(0.5)
        lose()

    @pytest.mark.parametrize("loss", ["flushall", "restart"])
    def test_a_loss_pauses_admission_for_one_lease(
        self, own_redis: RedisServer, make_limiter: MakeLimiter, loss: str
    ) -> None:
        clock = SimClock()
        limiter = make_limiter(RateLimit(3, 1.0), clock, url=own_redis.url, lease_s=3.0)
        lose = own_redis.restart if loss == "restart" else limiter._client.flushall
        self._three_slots_then(lose, limiter, clock)
        # After a restart the pooled connection is dead: the first call fails, typed.
        assert acquire_across_reconnect(limiter, deadline=3.49) is False
        assert limiter.acquire() is True
        assert clock.now == 3.5  # the loss was seen at 0.5; one lease later
        assert clock.sleeps == [3.0]

    def test_a_release_after_the_loss_still_counts_its_window(
        self, own_redis: RedisServer, make_limiter: MakeLimiter
    ) -> None:
        clock = SimClock()
        limiter = make_limiter(RateLimit(1, 1.0), clock, url=own_redis.url, lease_s=5.0)
        assert limiter.acquire()
        limiter._client.flushall()
        clock.advance(0.9)
        limiter.release()  # the request was sent: it counts until 1.9, lost or not
        scores = [score for _, score in
                  limiter._client.zrange(slots_key(limiter), 0, -1, withscores=True)]
        assert scores == [1_900_000.0]
        # The release leaves the state missing: the next acquire still pauses.
        assert limiter._client.exists(_limiter_keys(limiter.key)[1]) == 0
        assert limiter.acquire() is True
        assert clock.now == 5.9

    def test_a_key_redis_has_never_seen_pauses_its_first_acquire(
        self, own_redis: RedisServer, make_limiter: MakeLimiter
    ) -> None:
        # On a Redis up for less than a lease, a new key looks exactly like a lost one:
        # the same one-lease pause, once.
        clock = SimClock()
        limiter = make_limiter(RateLimit(2, 1.0), clock, url=own_redis.url, known=False,
                               lease_s=4.0)
        with limiter.slot():
            assert clock.now == 4.0
        with limiter.slot():
            assert clock.now == 4.0
        assert clock.sleeps == [4.0]

    def test_limiters_sharing_the_key_all_wait_out_the_pause(
        self, own_redis: RedisServer, make_limiter: MakeLimiter
    ) -> None:
        clock = SimClock()
        first = make_limiter(RateLimit(2, 1.0), clock, url=own_redis.url, lease_s=2.0)
        second = make_limiter(RateLimit(2, 1.0), clock, url=own_redis.url, lease_s=2.0)
        with first.slot():
            pass
        first._client.flushall()
        assert first.acquire(deadline=1.9) is False  # sees the loss, starts the pause
        clock.advance(1.0)
        assert second.acquire(deadline=1.9) is False
        assert second.acquire() is True
        assert clock.now == 2.0


class TestStalledRedis:
    """Redis stopped (SIGSTOP) past the callers' timeout, then resumed (SIGCONT).

    The acquires sent meanwhile time out for their callers but wait in Redis's socket
    buffers; Redis runs them on SIGCONT. Before the give-up time was checked inside the
    script, each took a slot for a whole lease that nobody would ever release.
    """

    @staticmethod
    def _evalsha_calls(url: str) -> int:
        import redis

        with redis.Redis.from_url(url) as client:
            stats = client.info("commandstats").get("cmdstat_evalsha", {"calls": 0})
            return int(stats["calls"])

    def test_acquires_given_up_during_a_stop_take_no_slot(
        self, own_redis: RedisServer, make_limiter: MakeLimiter
    ) -> None:
        # Three limiters, each with a connection of its own already open: a connection
        # opened during the stop would time out in redis-py's handshake, before sending.
        slept: list[float] = []
        limiters = [
            make_limiter(RateLimit(3, 0.05), url=own_redis.url, lease_s=30.0,
                         redis_timeout_s=0.05, sleep=slept.append)
            for _ in range(3)
        ]
        for limiter in limiters:
            with limiter.slot():  # connected, and the server's clock offset learnt
                pass
        before = self._evalsha_calls(own_redis.url)
        own_redis.pause()
        try:
            for limiter in limiters:
                with pytest.raises(RateLimiterUnavailableError, match="Timeout"):
                    limiter.acquire()
        finally:
            own_redis.resume()
        deadline = time.monotonic() + 10
        while self._evalsha_calls(own_redis.url) < before + 3:  # the buffered acquires ran
            assert time.monotonic() < deadline, "the stalled acquires never ran"
            time.sleep(0.001)
        limiter = limiters[0]
        counting = limiter._client.zrangebyscore(slots_key(limiter), time.time() * 1e6, "+inf")
        assert counting == []  # before the fix: three slots, each counting for 30 s
        for _ in range(3):  # the full budget at once, nothing to wait for
            assert limiter.acquire() is True
        assert slept == []
        for _ in range(3):
            limiter.release()

    def test_a_release_held_up_by_the_stop_counts_from_when_redis_runs_it(
        self, own_redis: RedisServer, make_limiter: MakeLimiter, caplog: pytest.LogCaptureFixture
    ) -> None:
        slept: list[float] = []

        def sleep(delay_s: float) -> None:
            slept.append(delay_s)
            time.sleep(delay_s)

        limiter = make_limiter(
            RateLimit(1, 0.01), url=own_redis.url, lease_s=30.0, redis_timeout_s=0.05,
            sleep=sleep,
        )
        with limiter.slot():  # both scripts loaded: a buffered NOSCRIPT would prove nothing
            pass
        assert limiter.acquire()
        before = self._evalsha_calls(own_redis.url)
        own_redis.pause()
        try:
            with caplog.at_level(logging.WARNING, logger="okx_ext"):
                limiter.release()  # times out: logged, and buffered in Redis
        finally:
            own_redis.resume()
        assert "lease expires" in caplog.text
        while self._evalsha_calls(own_redis.url) < before + 1:
            time.sleep(0.001)
        # Run by Redis on SIGCONT: the slot counts a window from then, not its 30 s lease.
        slept.clear()
        assert limiter.acquire() is True
        assert sum(slept) <= 0.011
        limiter.release()


def _hold_slots_in_turn(redis_url: str, key: str, count: int, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    limiter = RedisRateLimiter(redis_url, key=key, limit=RateLimit(2, 0.02), assume_fresh=True)
    for _ in range(count):
        with limiter.slot():
            started = time.time()
            time.sleep(0.001)
            queue.put((started, time.time()))


class TestRealTime:
    def test_the_server_clock_spaces_requests_by_the_window(self, redis_url: str) -> None:
        key = f"test:{uuid.uuid4().hex}"
        limiter = RedisRateLimiter(redis_url, key=key, limit=RateLimit(1, 0.01), assume_fresh=True)
        with limiter.slot():
            returned = time.monotonic()
        with limiter.slot():
            assert time.monotonic() - returned >= 0.01 - 1e-4
        limiter.close()

    @pytest.mark.timeout(30)  # three interpreters spawned on a machine that may be loaded
    def test_three_processes_never_exceed_the_shared_budget(self, redis_url: str) -> None:
        context = multiprocessing.get_context("spawn")
        queue = context.Queue()
        key = f"test:{uuid.uuid4().hex}"
        processes = [
            context.Process(target=_hold_slots_in_turn, args=(redis_url, key, 8, queue))
            for _ in range(3)
        ]
        for process in processes:
            process.start()
        intervals = [queue.get(timeout=30) for _ in range(24)]
        for process in processes:
            process.join(timeout=10)
            assert process.exitcode == 0
        # One machine, one clock: the local times are comparable across processes.
        assert max_overlap(intervals, 0.02 - 1e-3) <= 2

    def test_a_worker_killed_holding_a_slot_frees_it_within_the_lease(
        self, redis_url: str
    ) -> None:
        key = f"test:{uuid.uuid4().hex}"
        holder = (
            "import sys, time\n"
            "from okx_ext import RateLimit, RedisRateLimiter\n"
            f"limiter = RedisRateLimiter({redis_url!r}, key={key!r}, "
            "limit=RateLimit(1, 0.01), lease_s=0.15, assume_fresh=True)\n"
            "limiter.acquire()\n"
            "print('held', flush=True)\n"
            "time.sleep(60)\n"
        )
        victim = subprocess.Popen([sys.executable, "-c", holder], stdout=subprocess.PIPE, text=True)
        try:
            assert victim.stdout is not None and victim.stdout.readline() == "held\n"
            held_since = time.monotonic()
        finally:
            victim.send_signal(signal.SIGKILL)
            victim.wait(timeout=5)
        limiter = RedisRateLimiter(redis_url, key=key, limit=RateLimit(1, 0.01), lease_s=0.15)
        assert limiter.acquire() is True
        assert time.monotonic() - held_since <= 0.15 + 0.05
        limiter.release()
        limiter.close()


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers: a hung Redis."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


class TestFaults:
    def test_unreachable_redis_is_a_typed_error_naming_the_masked_url(self) -> None:
        port = free_port()
        limiter = RedisRateLimiter(f"redis://ops:s3cret@127.0.0.1:{port}/0", key="k")
        with pytest.raises(RateLimiterUnavailableError) as caught:
            limiter.acquire()
        error = caught.value
        assert isinstance(error, OkxExtError) and error.retryable
        assert f"redis://ops:***@127.0.0.1:{port}/0" in str(error)
        for text in (str(error), repr(error), repr(limiter)):
            assert "s3cret" not in text
        assert repr(limiter) == (
            f"RedisRateLimiter('redis://ops:***@127.0.0.1:{port}/0', key='k', "
            "limit=RateLimit(max_requests=20, window_s=2.0), lease_s=12.0)"
        )

    @pytest.mark.usefixtures("redis_url")  # skipped, or failed, as the fixture says
    @pytest.mark.parametrize("spelling", [
        "userinfo", "password", "pass%77ord", "%70assword", "query-with-@",
    ])
    def test_a_refused_password_is_never_shown(self, spelling: str) -> None:
        with redis_server("--requirepass", "the-right-one") as url:
            if spelling == "userinfo":
                url = url.replace("redis://", "redis://:hunter22@")
            elif spelling == "query-with-@":
                url = url.replace("redis://", "redis://:hunter22@") + "?client_name=a@b"
            else:
                url += f"?{spelling}=hunter22"
            limiter = RedisRateLimiter(url, key="k")
            with pytest.raises(RateLimiterUnavailableError) as caught:
                limiter.acquire()
        # redis-py sent it (the server refused it), and no text of ours shows it.
        assert "AuthenticationError" in str(caught.value)
        assert f"127.0.0.1:{url.split(':')[-1].split('/')[0]}/0" in repr(limiter)  # the host kept
        for text in (str(caught.value), repr(caught.value), repr(limiter)):
            assert "hunter22" not in text

    def test_a_hung_redis_fails_within_the_timeout(self, silent_port: int) -> None:
        limiter = RedisRateLimiter(
            f"redis://127.0.0.1:{silent_port}/0", key="k", redis_timeout_s=0.05
        )
        started = time.monotonic()
        with pytest.raises(RateLimiterUnavailableError, match="Timeout"):
            limiter.acquire()
        assert time.monotonic() - started < 1.0

    def test_client_sends_nothing_without_a_limiter(self) -> None:
        calls: list[str] = []

        class Api:
            def get_max_withdrawal(self, ccy: str = "") -> object:
                calls.append(ccy)
                return {"code": "0", "msg": "", "data": []}

        limiter = RedisRateLimiter(f"redis://127.0.0.1:{free_port()}/0", key="k")
        client = MaxWithdrawalClient(Api(), rate_limit=limiter, retry=None)
        with pytest.raises(RateLimiterUnavailableError):
            client.get_max_withdrawal("BTC")
        assert calls == []

    @pytest.mark.usefixtures("redis_url")  # skipped, or failed, as the fixture says
    def test_release_with_redis_gone_logs_and_leaves_the_slot_to_its_lease(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        with redis_server() as url:
            limiter = RedisRateLimiter(url.replace("redis://", "redis://:pw@"), key="k",
                                       assume_fresh=True)
            limiter._client.connection_pool.connection_kwargs.pop("password")
            limiter.acquire()
        with caplog.at_level(logging.WARNING, logger="okx_ext"):
            limiter.release()
        assert "rate limiter unavailable" in caplog.text
        assert "lease expires" in caplog.text and ":pw@" not in caplog.text

    def test_a_failed_release_leaves_the_slot_held_until_its_lease_ends(
        self, make_limiter: MakeLimiter, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        import redis.exceptions

        clock = SimClock()
        limiter = make_limiter(RateLimit(1, 1.0), clock, lease_s=5.0)
        assert limiter.acquire()

        def unreachable(**kwargs: object) -> object:
            raise redis.exceptions.ConnectionError("connection refused")

        monkeypatch.setattr(limiter, "_release_script", unreachable)
        limiter.release()  # logged, not raised: the request's answer is not lost
        monkeypatch.undo()

        # The slot still counts, until its lease (5 s) and not a window (1 s) after release.
        ((_, score),) = limiter._client.zrange(slots_key(limiter), 0, -1, withscores=True)
        assert score == 5_000_000
        assert not limiter.acquire(deadline=4.9)
        clock.advance(5.0)
        assert limiter.acquire(deadline=5.0)

    @pytest.mark.parametrize(
        ("url", "masked"),
        [
            ("redis://:pw@host:6379/0", "redis://:***@host:6379/0"),
            ("redis://user:pw@host/0", "redis://user:***@host/0"),
            ("rediss://user@host", "rediss://user@host"),
            ("redis://host:6379/0?password=pw&db=1", "redis://host:6379/0?password=***&db=1"),
            ("unix:///run/redis.sock?password=pw", "unix:///run/redis.sock?password=***"),
            ("redis://a:b@c@host", "redis://a:***@host"),
            ("redis://[::1:6379", "redis://[::1:6379"),
            ("localhost:6379", "<unparseable Redis URL>"),
            # Unencoded "/", "#" and "?" in a password end urlsplit's netloc early.
            ("redis://:Xy7/Qz9#k@127.0.0.1:1/0", "redis://:***@127.0.0.1:1/0"),
            ("redis://:Xy?7Qz9@127.0.0.1:1/0", "redis://:***@127.0.0.1:1/0"),
            ("rediss://:pw@host/0?ssl_password=KEYFILE&x=1",
             "rediss://:***@host/0?ssl_password=***&x=1"),
            ("redis://host/0?Password=pw", "redis://host/0?Password=***"),
        ],
    )
    def test_masked_url(self, url: str, masked: str) -> None:
        assert _masked_url(url) == masked


class TestConfiguration:
    def test_default_lease_is_request_timeout_plus_window(self) -> None:
        limiter = RedisRateLimiter("redis://127.0.0.1:1/0", key="k", limit=RateLimit(5, 1.5))
        assert limiter.lease_s == 11.5

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"key": ""}, "key must be a non-empty str"),
            ({"key": "k", "lease_s": 1.0}, "lease_s must be at least window_s"),
            ({"key": "k", "lease_s": float("nan")}, "lease_s must be a finite number"),
            ({"key": "k", "redis_timeout_s": 0}, "redis_timeout_s must be a finite number"),
        ],
    )
    def test_invalid_configuration_refused(self, kwargs: dict[str, object], message: str) -> None:
        with pytest.raises(ValueError, match=message):
            RedisRateLimiter("redis://127.0.0.1:1/0", **kwargs)  # type: ignore[arg-type]

    def test_a_password_with_a_slash_is_nowhere_in_the_invalid_url_error(self) -> None:
        # redis-py reads "ab" as the port and says so; that error must not be chained.
        with pytest.raises(ValueError, match="invalid Redis URL") as caught:
            RedisRateLimiter("redis://:ab/cd@127.0.0.1:1/0", key="k")
        error: BaseException | None = caught.value
        seen = []
        while error is not None:
            seen.append(f"{error} {error.args!r}")
            error = error.__cause__ or error.__context__
        assert len(seen) == 1
        assert "ab" not in seen[0] and "cd" not in seen[0]

    @pytest.mark.parametrize(
        "key", ["okx:uid:42", "a}b", "}", "{", "{}", "x{y}z", "%7D", "a%7D", "{x}"]
    )
    def test_every_key_of_a_limiter_is_in_one_cluster_slot(self, key: str) -> None:
        from redis.crc import key_slot

        slots_name, state_name = _limiter_keys(key)
        assert slots_name != state_name
        assert key_slot(slots_name.encode()) == key_slot(state_name.encode())

    def test_distinct_keys_never_share_state(self) -> None:
        names = [_limiter_keys(key) for key in ["a}", "a%7D", "a%257D", "a"]]
        assert len({name for pair in names for name in pair}) == 8

    def test_invalid_url_refused_without_quoting_it(self) -> None:
        with pytest.raises(ValueError, match="invalid Redis URL") as caught:
            RedisRateLimiter("http://:pw@host/0", key="k")
        assert "pw" not in str(caught.value)

    def test_both_limiters_have_the_protocol(self) -> None:
        assert isinstance(RateLimiter(), RateLimiterProtocol)
        assert isinstance(RedisRateLimiter("redis://127.0.0.1:1/0", key="k"), RateLimiterProtocol)

    def test_without_redis_installed_the_error_names_the_extra(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setitem(sys.modules, "redis", None)
        with pytest.raises(ImportError, match=r"pip install 'okx-ext\[redis\]'"):
            RedisRateLimiter("redis://127.0.0.1:1/0", key="k")

    def test_okx_ext_imports_without_redis(self) -> None:
        code = (
            "import sys; sys.modules['redis'] = None\n"
            "import okx_ext; print(okx_ext.RedisRateLimiter.__name__)\n"
        )
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
            cwd=Path(__file__).parent, env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout == "RedisRateLimiter\n"
