"""RedisRateLimiter's Python side at its edges: messages, the clock offset, the late retry.

Most tests here need no redis-server: the limiter is built on a URL nobody listens on
(building asks for INFO once, is refused at once, and leaves that check to the first
acquire) and its Lua scripts are replaced by stubs, so what the Python code does with
each answer is exact. The scripts themselves run against a real server in
test_redis_ratelimit.py, test_redis_providers.py and test_limiter_boundaries.py.
"""

from __future__ import annotations

import logging
import math
import sys
import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
import redis

from okx_ext import (
    RateLimit,
    RateLimiterConfigError,
    RateLimiterUnavailableError,
    RedisRateLimiter,
    _redis,
)
from okx_ext._redis import _limiter_keys, _masked_url, _monotonic_us, _socket_timeout

URL = "redis://127.0.0.1:1/0"  # nobody listens: nothing here connects


def _limiter(**kwargs: Any) -> RedisRateLimiter:
    return RedisRateLimiter(URL, key="k", **kwargs)


class ScriptStub:
    """Stands for a registered Lua script: answers in turn, records each call's keys."""

    def __init__(self, *answers: object) -> None:
        self.answers: Iterator[object] = iter(answers)
        self.keys: list[list[str]] = []

    def __call__(self, keys: list[str], args: list[object] | None = None) -> object:
        self.keys.append(keys)
        return next(self.answers)  # StopIteration: called more often than the test expects


@pytest.fixture
def fixed_monotonic(monkeypatch: pytest.MonkeyPatch) -> int:
    """Freeze the limiter's local monotonic clock at 5 s (in microseconds)."""
    monkeypatch.setattr(_redis, "_monotonic_us", lambda: 5_000_000)
    return 5_000_000


# -- helpers --------------------------------------------------------------------------


def test_the_keys_escape_percent_and_closing_brace_exactly() -> None:
    assert _limiter_keys("a%b}c") == ("{a%25b%7Dc}:slots", "{a%25b%7Dc}:state")


@pytest.mark.parametrize(("url", "masked"), [
    ("redis://u:p:q@host/0", "redis://u:***@host/0"),  # a ":" in the password
    ("redis://host/0?password=a?b&x=1", "redis://host/0?password=***&x=1"),  # "?" in it
    ("redis://host/0?password=x://y", "redis://host/0?password=***"),  # "://" in it
    ("redis://host/0?password=a=b", "redis://host/0?password=***"),  # "=" in it
    # Names as redis-py decodes them (parse_qs): every spelling of "password".
    ("redis://host/0?pass%77ord=pw&db=1", "redis://host/0?pass%77ord=***&db=1"),
    ("redis://host/0?%70assword=pw", "redis://host/0?%70assword=***"),
    ("rediss://host/0?ssl%5Fpassword=pw", "rediss://host/0?ssl%5Fpassword=***"),
    ("redis://host/0?PASS%57ORD=pw", "redis://host/0?PASS%57ORD=***"),
    # An "@" in the query ends no userinfo: the host stays, both passwords go.
    ("redis://:pw@host/0?password=a@b", "redis://:***@host/0?password=***"),
    ("redis://host/0?client_name=a@b", "redis://host/0?client_name=a@b"),
    ("redis://u:pw@host/0?x=1&password=a:b@c", "redis://u:***@host/0?x=1&password=***"),
    # A "?" and "=" in the password: masked to its last "@", never short of it.
    ("redis://:a?b=c@host/0", "redis://:***@host/0"),
])
def test_a_password_holding_a_separator_is_masked_whole(url: str, masked: str) -> None:
    assert _masked_url(url) == masked


def test_monotonic_microseconds_are_an_int_between_two_readings() -> None:
    before = time.monotonic_ns() // 1000
    value = _monotonic_us()
    after = time.monotonic_ns() // 1000
    assert isinstance(value, int)
    assert before <= value <= after


def test_without_redis_the_error_is_exactly_the_install_hint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "redis", None)
    with pytest.raises(ImportError) as raised:
        _limiter()
    assert str(raised.value) == (
        "RedisRateLimiter needs the redis package: pip install 'okx-ext[redis]'")


def _pool(**kwargs: object) -> SimpleNamespace:
    return SimpleNamespace(connection_kwargs=kwargs)


@pytest.mark.parametrize(("client", "timeout"), [
    (redis.Redis(host="127.0.0.1", port=1, socket_timeout=2.5), 2.5),
    (redis.Redis(host="127.0.0.1", port=1, socket_timeout=None), None),
    (SimpleNamespace(connection_pool=_pool(socket_timeout=0.5)), 0.5),
    (SimpleNamespace(connection_pool=_pool(socket_timeout=3)), 3.0),
    (SimpleNamespace(nodes_manager=_pool(socket_timeout=1.5)), 1.5),  # RedisCluster's
    (SimpleNamespace(connection_pool=None, nodes_manager=_pool(socket_timeout=1.5)), 1.5),
    (SimpleNamespace(connection_pool=_pool(socket_timeout=0)), None),
    (SimpleNamespace(connection_pool=_pool(socket_timeout=-1.0)), None),
    (SimpleNamespace(connection_pool=_pool(socket_timeout=math.inf)), None),
    (SimpleNamespace(connection_pool=_pool(socket_timeout=math.nan)), None),
    (SimpleNamespace(connection_pool=_pool(socket_timeout=True)), None),
    (SimpleNamespace(connection_pool=_pool(socket_timeout="2")), None),
    (SimpleNamespace(connection_pool=SimpleNamespace(connection_kwargs=None)), None),
    (SimpleNamespace(), None),
])
def test_socket_timeout_reads_the_pool_s_or_the_cluster_s(client: object,
                                                           timeout: float | None) -> None:
    result = _socket_timeout(client)
    assert result == timeout
    assert result is None or type(result) is float


# -- construction -----------------------------------------------------------------------


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"redis_url": 5}, TypeError, "redis_url must be a str, got int"),
    ({"redis_timeout_s": -1}, ValueError,
     "RedisRateLimiter.redis_timeout_s must be a finite number > 0, got -1"),
    ({"lease_s": -1}, ValueError, "RedisRateLimiter.lease_s must be a finite number > 0, got -1"),
    ({"key": ""}, ValueError, "RedisRateLimiter.key must be a non-empty str, got ''"),
    ({"limit": 5}, TypeError, "RedisRateLimiter expects a RateLimit, got int"),
])
def test_a_refused_argument_s_message_is_exact(kwargs: dict[str, Any], error: type[Exception],
                                               message: str) -> None:
    arguments: dict[str, Any] = {"redis_url": URL, "key": "k", **kwargs}
    with pytest.raises(error) as raised:
        RedisRateLimiter(arguments.pop("redis_url"), **arguments)
    assert str(raised.value) == message


@pytest.mark.parametrize(("query", "named"), [
    ("socket_timout=1", "'socket_timout'"),
    ("db=1&pasword=hunter2", "'pasword'"),
    ("retry_on_timout=1&socket_timout=2", "'retry_on_timout', 'socket_timout'"),
    ("socket%5Ftimout=1", "'socket_timout'"),  # named as redis-py decodes it
])
def test_an_unknown_url_option_is_refused_by_name_never_by_value(query: str,
                                                                 named: str) -> None:
    with pytest.raises(RateLimiterConfigError) as raised:
        RedisRateLimiter(f"redis://:pw@127.0.0.1:1/0?{query}", key="k")
    error = raised.value
    assert isinstance(error, ValueError) and not error.retryable
    assert str(error).startswith(f"unknown option{'s' if ',' in named else ''} {named} in the")
    for secret in ("hunter2", "pw@", "=1", "=2"):
        assert secret not in str(error)


@pytest.mark.parametrize("url", [
    "redis://127.0.0.1:1/0?socket_timeout=1&socket_connect_timeout=1&db=2&client_name=w1",
    "redis://127.0.0.1:1/0?password=x&username=u&max_connections=4&health_check_interval=3",
    "rediss://127.0.0.1:1/0?ssl_cert_reqs=none&ssl_password=x&ssl_check_hostname=false",
    "unix:///run/redis.sock?db=1&password=x",
    "redis://127.0.0.1:1/0?empty=",  # a blank value: redis-py drops it
])
def test_every_option_redis_py_s_connection_takes_is_accepted(url: str) -> None:
    assert RedisRateLimiter(url, key="k").key == "k"


def test_the_built_client_fails_fast_within_the_timeout() -> None:
    limiter = _limiter(redis_timeout_s=1.5)
    settings = limiter._client.connection_pool.connection_kwargs
    assert (settings["socket_connect_timeout"], settings["socket_timeout"]) == (1.5, 1.5)
    assert limiter._client.get_retry()._retries == 0  # the caller's Retry decides


def unreachable_client() -> redis.Redis:
    """A client of port 1 without retries: building a limiter on it is refused at once.

    redis-py's default retries (three, with backoff) would spend seconds on the INFO
    check a limiter makes when it is built.
    """
    import redis.backoff
    import redis.retry

    return redis.Redis(host="127.0.0.1", port=1, socket_timeout=1.5,
                       retry=redis.retry.Retry(redis.backoff.NoBackoff(), 0))


def _recording_close(client: Any) -> list[str]:
    closed: list[str] = []
    client.close = lambda: closed.append("closed")
    return closed


def test_close_closes_the_client_it_built_and_never_one_given() -> None:
    built = _limiter()
    closed = _recording_close(built._client)
    built.close()
    assert closed == ["closed"]

    client = unreachable_client()
    given = RedisRateLimiter.from_client(client, key="k")
    closed = _recording_close(client)
    given.close()
    assert closed == []


def test_from_client_keeps_its_arguments_and_the_client_s_timeout(
    fixed_monotonic: int,
) -> None:
    clock_calls: list[str] = []
    sleeps: list[float] = []

    def clock() -> float:
        clock_calls.append("clock")
        return 100.0

    client = unreachable_client()
    limiter = RedisRateLimiter.from_client(client, key="k", limit=RateLimit(1, 1.0),
                                           lease_s=30.0, clock=clock, sleep=sleeps.append)
    assert limiter.lease_s == 30.0
    assert repr(limiter) == ("RedisRateLimiter('<Redis client>', key='k', limit=RateLimit("
                             "max_requests=1, window_s=1.0), lease_s=30.0)")
    limiter._time_script = ScriptStub([b"1000", b"0"])
    limiter._acquire_script = ScriptStub([0, 500_000, "1000000000"], [1, 0, "1000500000"])
    assert limiter.acquire(deadline=100.5)  # on the given clock: 100 + 0.5 s is in time
    assert (clock_calls, sleeps) == (["clock"], [0.5])
    # The client's 1.5 s timeout bounds the acquire, on the server's clock.
    assert limiter._give_up_us() == str(1_000_000_000 + 500_000 + 1_500_000)


# -- the server clock's offset ----------------------------------------------------------------


def test_the_give_up_moment_is_server_time_plus_the_timeout(fixed_monotonic: int) -> None:
    limiter = _limiter(redis_timeout_s=2.0)
    limiter._time_script = ScriptStub([b"1700000000", b"250000"])
    assert limiter._give_up_us() == str(1_700_000_000_250_000 + 2_000_000)
    assert limiter._time_script.keys == [["{k}:slots"]]  # routed to the node of the key
    assert limiter._give_up_us() == str(1_700_000_000_250_000 + 2_000_000)  # TIME asked once


def test_the_offset_keeps_its_largest_lower_bound_unless_a_trip_proves_it_high() -> None:
    limiter = _limiter()
    limiter._learn_offset(1000, 100, 300)  # offset in [700, 900]
    assert limiter._offset_us == 700
    limiter._learn_offset(1000, 100, 200)  # [800, 900]: tighter
    assert limiter._offset_us == 800
    limiter._learn_offset(1000, 0, 600)  # [400, 1000]: tells nothing new
    assert limiter._offset_us == 800
    limiter._learn_offset(900, 100, 300)  # [600, 800]: 800 still possible
    assert limiter._offset_us == 800
    limiter._learn_offset(600, 300, 350)  # [250, 300]: the server's clock stepped back
    assert limiter._offset_us == 250


def test_an_acquire_s_answer_tightens_the_offset(fixed_monotonic: int) -> None:
    limiter = _limiter()
    limiter._time_script = ScriptStub([b"1000", b"0"])  # offset 1000 s - 5 s
    limiter._acquire_script = ScriptStub([1, 0, "1002000000"])  # the server is 2 s further
    assert limiter.acquire()
    assert limiter._offset_us == 1_002_000_000 - fixed_monotonic


# -- acquire's answers --------------------------------------------------------------------


def _stubbed(*answers: object) -> tuple[RedisRateLimiter, list[float]]:
    sleeps: list[float] = []
    limiter = _limiter(sleep=sleeps.append)
    limiter._offset_us = 0  # no TIME call
    limiter._acquire_script = ScriptStub(*answers)
    return limiter, sleeps


def test_a_late_acquire_is_sent_once_more() -> None:
    limiter, sleeps = _stubbed([-1, 0, "1"], [1, 0, "2"])
    assert limiter.acquire() is True
    assert sleeps == []


def test_a_second_late_acquire_is_an_error_naming_the_masked_url() -> None:
    limiter, _ = _stubbed([-1, 0, "1"], [-1, 0, "2"], [1, 0, "3"])
    with pytest.raises(RateLimiterUnavailableError) as raised:
        limiter.acquire()
    assert str(raised.value) == (
        "rate limiter unavailable: Redis at redis://127.0.0.1:1/0 ran the acquire later than "
        "redis_timeout_s after it was sent")


def test_an_acquire_that_finds_no_info_is_a_config_error_and_takes_nothing() -> None:
    limiter, sleeps = _stubbed([-2, 0, "1"])
    with pytest.raises(RateLimiterConfigError) as raised:
        limiter.acquire()
    assert str(raised.value).startswith(
        "the Redis that holds the limiter's key refuses INFO (found at the first acquire")
    assert not raised.value.retryable and not limiter._held and sleeps == []


def test_assume_fresh_is_sent_with_the_first_acquire_only() -> None:
    sent: list[object] = []

    def acquire(keys: list[str], args: list[object]) -> object:
        sent.append(args[5])
        return [1, 0, "1"]

    limiter = _limiter(assume_fresh=True)
    limiter._offset_us = 0
    limiter._acquire_script = acquire
    assert limiter.acquire() and limiter.acquire()
    assert sent == ["1", ""]
    assert _limiter()._fresh is False


def test_a_negative_wait_sleeps_zero() -> None:
    limiter, sleeps = _stubbed([0, -5, "1"], [1, 0, "2"])
    assert limiter.acquire()
    assert sleeps == [0.0]


def test_unavailable_names_the_error_s_type_and_its_first_200_characters() -> None:
    error = _limiter()._unavailable(redis.exceptions.ConnectionError("x" * 300))
    assert str(error) == ("rate limiter unavailable: Redis at redis://127.0.0.1:1/0: "
                          f"ConnectionError: {'x' * 200}")


# -- release --------------------------------------------------------------------------


def test_release_without_acquire_says_so_exactly() -> None:
    with pytest.raises(RuntimeError) as raised:
        _limiter().release()
    assert str(raised.value) == "RedisRateLimiter.release() without a matching acquire()"


def test_a_failed_release_logs_when_the_slot_frees(caplog: pytest.LogCaptureFixture) -> None:
    limiter, _ = _stubbed([1, 0, "1"])
    assert limiter.acquire()

    def unreachable(**_: object) -> object:
        raise redis.exceptions.ConnectionError("refused")

    limiter._release_script = unreachable
    with caplog.at_level(logging.WARNING, logger="okx_ext"):
        limiter.release()
    assert caplog.messages == [
        "rate limiter unavailable: Redis at redis://127.0.0.1:1/0: ConnectionError: refused; "
        "the slot frees when its 12.0 s lease expires"]
