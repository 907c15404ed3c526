"""RedisRateLimiter: one rate budget shared by processes and machines, through Redis.

OKX counts 20 requests per 2 s per user id, whoever sends them. Workers of one user
on several processes or machines share that budget by sharing one Redis key::

    limiter = RedisRateLimiter("redis://:secret@redis.internal:6379/0", key="okx:uid:42")
    client = MaxWithdrawalClient(api, rate_limit=limiter)

The semantics are `RateLimiter`'s: a slot is held while the request is in flight and
for ``window_s`` after it returns, so that network delay can never make OKX see one
request too many. The state is two keys in one Redis Cluster hash slot (both named
``{key}:...``, with ``key`` as the hash tag):

- ``{key}:slots``, a sorted set: member = a slot's token, score = the server-time
  microsecond at which the slot stops counting (its lease's expiry while in flight, the
  end of its window once returned);
- ``{key}:state``, a hash that never expires: ``paused_until``, the server time before
  which nothing is admitted, ``replid``, the replication id of the primary that wrote
  it, and ``slots_until``, when the latest slot stops counting (the slots key's expiry).

Redis may lose slots OKX still counts: a restart without persistence, FLUSHALL, an
eviction, a failover to a replica that (replication being asynchronous) lacked the last
writes. The next acquire that sees a sign of it pauses admissions for one lease, the
longest any slot can count. The signs: another ``replid`` (another primary holds the
key); the slots key gone before ``slots_until`` (evicted: under ``volatile-*`` only keys
with a TTL are evicted, so the state outlives them); or no state at all on a Redis that
cannot show nothing was lost (up for less than a lease, or it has evicted or flushed
keys, or it was promoted from replica). No state on a Redis that shows nothing was lost
is a new key, which starts at once; so is any key a caller vouches for (``assume_fresh``).

Each acquire and release is one Lua script, atomic on the server, timed by the server's
``TIME``. An acquire carries the moment its caller gives up waiting for Redis, on the
server's clock: a script that Redis runs later (Redis was stopped, or slow) takes no slot.

`RedisRateLimiter.from_client` takes a client of the user's (``redis.Redis``, a Sentinel
``master_for`` client, ``redis.cluster.RedisCluster``), used as is and never closed.

``redis`` is an optional dependency (``pip install 'okx-ext[redis]'``), imported only
when a `RedisRateLimiter` is built.
"""

from __future__ import annotations

import contextlib
import logging
import math
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from okx_ext._checks import check_seconds
from okx_ext._ratelimit import RateLimit, _SlotLimiter
from okx_ext.errors import RateLimiterConfigError, RateLimiterUnavailableError
from okx_ext.text import preview

if TYPE_CHECKING:
    import redis
    import redis.cluster

__all__ = ["DEFAULT_REQUEST_TIMEOUT_S", "RedisRateLimiter"]

logger = logging.getLogger("okx_ext")

#: How long after its slot is taken a request is assumed to have reached OKX, if ever:
#: python-okx keeps httpx's default timeout, 5 s to connect and 5 s to send.
DEFAULT_REQUEST_TIMEOUT_S = 10.0

_DEFAULT_LIMIT = RateLimit()
_DEFAULT_REDIS_TIMEOUT_S = 2.0
_MICROSECONDS = 1_000_000
_MASK = "***"

# Times are integer microseconds: exact in Lua's doubles up to 2**53 (year 2255), and
# formatted with %.0f because Lua 5.1's tostring keeps only 14 significant digits.
# KEYS[1] is the slots' sorted set, KEYS[2] the state hash; no other key is touched.
_NOW = """
local now
if ARGV[#ARGV] ~= '' then
  now = tonumber(ARGV[#ARGV])
else
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000000 + tonumber(time[2])
end
-- The key lives until its latest slot stops counting: limiters sharing it may hold
-- leases of different lengths, and one must never expire another's slot. The state
-- keeps that moment as 'slots_until': slots gone before it were evicted, not expired.
local function expire_at_latest_score(now)
  local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  redis.call('PEXPIRE', KEYS[1], math.ceil((tonumber(last[2]) - now) / 1000) + 1)
  return last[2]
end
-- Whether Redis dropped slots that still count: the state says they count until
-- 'slots_until', yet the key is gone (evicted under a volatile-* policy, or expired early).
local function slots_vanished(now, slots_until)
  return slots_until ~= nil and slots_until ~= false and now < tonumber(slots_until)
    and redis.call('EXISTS', KEYS[1]) == 0
end
"""

# INFO's text for one section, or nil where INFO is renamed away or denied by an ACL.
_INFO = """
local function info(section)
  local reply = redis.pcall('INFO', section)
  if type(reply) == 'table' and reply.err then
    return nil
  end
  return reply
end
"""

# Whether no slot of any key can have been lost within the last lease, from what the
# server says of itself: up for at least a lease (no restart lost a slot that still
# counts), nothing evicted and nothing flushed since it started (CONFIG RESETSTAT zeroes
# both counts), and never promoted from replica (which may have lacked the last writes).
_NOTHING_LOST = """
local function nothing_lost(replication, lease_us)
  if string.match(replication, 'second_repl_offset:(%-?%d+)') ~= '-1' then
    return false
  end
  local server, stats, commands = info('server'), info('stats'), info('commandstats')
  if not (server and stats and commands) then
    return false
  end
  local uptime = tonumber(string.match(server, 'uptime_in_seconds:(%d+)') or '0')
  if uptime * 1000000 < lease_us then
    return false
  end
  if tonumber(string.match(stats, 'evicted_keys:(%d+)') or '1') ~= 0 then
    return false
  end
  for _, name in ipairs({'flushall', 'flushdb', 'swapdb'}) do
    if tonumber(string.match(commands, 'cmdstat_' .. name .. ':calls=(%d+)') or '0') ~= 0 then
      return false
    end
  end
  return true
end
"""

# ARGV: token, max_requests, window_us, lease_us, give_up_us or '', '1' if the caller
# vouches the key is fresh else '', now_us or ''.
# Returns {1, 0, now} with the slot taken, {0, microseconds before one may free up, now},
# {-1, 0, now} when the script runs after its caller gave up (nothing taken), or
# {-2, 0, now} when INFO is unavailable (nothing taken).
_ACQUIRE = _NOW + _INFO + _NOTHING_LOST + """
local window_us = tonumber(ARGV[3])
local lease_us = tonumber(ARGV[4])
local fnow = string.format('%.0f', now)
if ARGV[5] ~= '' and now > tonumber(ARGV[5]) then
  return {-1, 0, fnow}
end
local replication = info('replication')
if not replication then
  return {-2, 0, fnow}
end
-- A promoted replica has a replication id of its own, and a restarted server too.
local replid = string.match(replication, 'master_replid:(%w+)') or ''
local state = redis.call('HMGET', KEYS[2], 'paused_until', 'replid', 'slots_until')
local lost
if not state[1] then
  -- No state: the key is new, or Redis lost it (flushed, restarted, evicted), with or
  -- without its slots. Alike from here, unless the server shows nothing was lost or the
  -- caller vouches for a key no one has used.
  lost = ARGV[6] ~= '1' and not nothing_lost(replication, lease_us)
else
  -- Another primary's state may lack the last slots; slots gone early were evicted.
  lost = state[2] ~= replid or slots_vanished(now, state[3])
end
local paused
if lost then
  -- A forgotten slot counts for one lease at most, so nothing is admitted before then.
  paused = now + lease_us
elseif state[1] then
  paused = tonumber(state[1])
else
  paused = 0
end
if lost or not state[1] then
  local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  redis.call('HSET', KEYS[2], 'paused_until', string.format('%.0f', paused), 'replid', replid,
             'slots_until', last[2] or '0')
end
if now < paused then
  return {0, paused - now, fnow}
end
-- A score equal to now no longer counts (the window is (now - window, now]); a lease
-- past its expiry belonged to a worker that died mid-request.
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', fnow)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], string.format('%.0f', now + lease_us), ARGV[1])
  redis.call('HSET', KEYS[2], 'slots_until', expire_at_latest_score(now))
  return {1, 0, fnow}
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
-- A slot still in flight frees a window after it returns, at the earliest.
return {0, math.min(tonumber(first[2]) - now, window_us), fnow}
"""

# ARGV: token, window_us, lease_us, now_us or ''. The slot now counts until a window from
# now; re-added even if its lease had expired (or Redis lost it), as the request was sent.
# Slots that vanished before their time pause the key here, as acquire would: re-adding
# this one would hide the loss of the others. A missing state is left missing: the next
# acquire decides about it.
_RELEASE = _NOW + """
local window_us = tonumber(ARGV[2])
local lease_us = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[2], 'paused_until', 'slots_until')
if state[1] and slots_vanished(now, state[2]) then
  local paused = math.max(tonumber(state[1]), now + lease_us)
  redis.call('HSET', KEYS[2], 'paused_until', string.format('%.0f', paused))
end
redis.call('ZADD', KEYS[1], string.format('%.0f', now + window_us), ARGV[1])
local last = expire_at_latest_score(now)
if state[1] then
  redis.call('HSET', KEYS[2], 'slots_until', last)
end
return 1
"""


# KEYS[1] only routes the call to the node that holds the key (Redis Cluster); no key is
# touched. Returns the server's TIME, on that node's clock.
_TIME = "return redis.call('TIME')"

# KEYS[1] only routes the call. Returns '' where INFO answers, else Redis's error.
_PROBE = """
local reply = redis.pcall('INFO', 'replication')
if type(reply) == 'table' and reply.err then
  return reply.err
end
return ''
"""

_NO_INFO = (
    "the Redis that holds the limiter's key refuses INFO ({reason}), which the limiter "
    "needs to notice a restart, a failover or an eviction: grant the user INFO (ACL "
    "SETUSER <user> +info) or do not rename it (rename-command INFO)"
)


def _limiter_keys(key: str) -> tuple[str, str]:
    """Return the names of ``key``'s slots and state, in one Redis Cluster hash slot.

    The hash tag is ``key`` itself, with ``%`` and ``}`` escaped so that the tag ends at
    our closing brace (and is never empty) whatever ``key`` holds.
    """
    tag = key.replace("%", "%25").replace("}", "%7D")
    return f"{{{tag}}}:slots", f"{{{tag}}}:state"


def _masked_url(url: str) -> str:
    """Return ``url`` with every password in it masked.

    That is the userinfo's, and any query parameter whose name, percent-decoded as
    redis-py decodes it (``pass%77ord``, ``%70assword``), holds "password" (``password``,
    redis-py's ``ssl_password``...).

    Read from the raw text, not through ``urlsplit``: a password holding an unencoded
    ``/``, ``?`` or ``#`` would end urlsplit's netloc early and go out unmasked.
    """
    from urllib.parse import unquote_plus

    scheme, separator, rest = url.partition("://")
    if not separator:
        return "<unparseable Redis URL>"
    at = _userinfo_end(rest)
    if at >= 0 and ":" in rest[:at]:
        rest = f"{rest[:at].partition(':')[0]}:{_MASK}@{rest[at + 1:]}"
    location, question, query = rest.partition("?")
    if question:
        pairs = []
        for pair in query.split("&"):
            name, equals, _ = pair.partition("=")
            secret = "password" in unquote_plus(name).lower()
            pairs.append(f"{name}={_MASK}" if equals and secret else pair)
        rest = f"{location}?{'&'.join(pairs)}"
    return f"{scheme}://{rest}"


def _userinfo_end(rest: str) -> int:
    """Return the index of the ``@`` that ends the userinfo of ``rest`` (after ``://``), or -1.

    The last ``@`` before the query's first ``=``: an ``@`` in a query value must not
    swallow the host. Without one there, the last ``@`` at all: a password may hold an
    unencoded ``?``, and masking too much is safe where masking too little is not.
    """
    question = rest.find("?")
    equals = rest.find("=", question) if question >= 0 else -1
    if equals >= 0:
        at = rest.rfind("@", 0, equals)
        if at >= 0:
            return at
    return rest.rfind("@")


def _unknown_url_options(url: str) -> list[str]:
    """Return the query options of ``url`` that redis-py would hand its connection unknown.

    redis-py passes any option it does not parse itself to the connection's constructor,
    which raises TypeError on the first request, not when the client is built. Known:
    the keyword parameters of the connection class the URL's scheme picks (and of its
    bases), and the pool's ``max_connections``. Names are decoded as redis-py decodes them.
    """
    import inspect
    from urllib.parse import parse_qs, urlparse

    import redis.connection

    try:
        parsed = urlparse(url)
    except ValueError:  # redis-py refuses it too, as an invalid URL
        return []
    connection_class: type = {
        "rediss": redis.connection.SSLConnection,
        "unix": redis.connection.UnixDomainSocketConnection,
    }.get(parsed.scheme.lower(), redis.connection.Connection)
    known = {"max_connections"}
    for klass in connection_class.__mro__:
        init = klass.__dict__.get("__init__")
        if init is not None:
            known.update(
                name for name, parameter in inspect.signature(init).parameters.items()
                if parameter.kind in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY)
            )
    # As redis-py reads them: blank values dropped, the first of a repeated name kept.
    return [name for name, values in parse_qs(parsed.query).items()
            if values and values[0] and name not in known - {"self"}]


class RedisRateLimiter(_SlotLimiter):
    """A `RateLimiter` whose budget is shared through Redis by every process using `key`.

    ``RedisRateLimiter(redis_url, key=..., limit=RateLimit())`` keeps the slots of one
    budget in Redis under ``{key}:slots`` and ``{key}:state`` (one Redis Cluster hash
    slot); every limiter (any process, any machine) built with the same URL, key and limit
    shares it. Use it as `RateLimiter`: ``with limiter.slot(): send()``, or give it to
    `MaxWithdrawalClient(rate_limit=)`. Entering blocks (through the injected `sleep`)
    until a slot is free; the slot is taken while the request is in flight and for
    ``window_s`` after it returns or raises.

    - ``lease_s``: how long an in-flight slot may stay taken without being released,
      so that a worker killed mid-request never blocks the others for longer. Default:
      `DEFAULT_REQUEST_TIMEOUT_S` plus ``window_s`` (a request that reached OKX by its
      timeout stops counting there by then). At least ``window_s``. It is also the pause
      after Redis lost slots that may still count (a restart, a flush, an eviction, a
      failover): nothing is admitted for one lease, so no request lands in a window OKX
      may still count. A key Redis has never seen starts at once on a Redis up for longer
      than a lease that has evicted and flushed nothing; elsewhere its first use pauses
      too, as a new key cannot be told from a lost one.
    - ``assume_fresh``: you vouch that no process has used ``key`` within the last lease
      (a test suite's key, a deployment's first start), so this limiter's first acquire
      never pauses for a key Redis does not hold. Later acquires, and a loss Redis shows
      (another primary, slots evicted), still pause. Default False.
    - ``redis_timeout_s``: connect and read timeout of each Redis call (default 2 s);
      Redis unreachable, refusing or timing out raises `RateLimiterUnavailableError`,
      which names the URL with its password masked. Nothing is sent meanwhile, and an
      acquire that Redis runs only after its caller gave up takes no slot.
    - ``clock``/``sleep``: default to `time.time`/`time.sleep`, looked up at each call;
      the window itself runs on the Redis server's clock, so machines with skewed
      clocks share it; ``clock`` only measures an `acquire` deadline.

    Building a limiter asks Redis once whether ``INFO`` answers (the limiter needs it to
    notice a failover): if it is renamed or denied by an ACL, `RateLimiterConfigError`
    is raised then, naming it; if Redis cannot be reached then, the first acquire asks.
    An unknown option in ``redis_url`` raises `RateLimiterConfigError` naming it.

    Needs the ``redis`` package: ``pip install 'okx-ext[redis]'``.
    """

    # Why the token deque: release() takes no argument, so it gives back this object's
    # OLDEST token; the requests still in flight then keep the later leases (never shorter).

    __slots__ = (
        "_acquire_script",
        "_client",
        "_clock",
        "_fresh",
        "_held",
        "_keys",
        "_lease_us",
        "_lock",
        "_offset_us",
        "_owns_client",
        "_release_script",
        "_server_now",
        "_sleep",
        "_time_script",
        "_timeout_us",
        "_url",
        "_window_us",
        "key",
        "lease_s",
        "limit",
    )

    def __init__(
        self,
        redis_url: str,
        *,
        key: str,
        limit: RateLimit = _DEFAULT_LIMIT,
        lease_s: float | None = None,
        redis_timeout_s: float = _DEFAULT_REDIS_TIMEOUT_S,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], object] | None = None,
        assume_fresh: bool = False,
    ) -> None:
        _require_redis()
        import redis
        import redis.backoff
        import redis.retry

        if not isinstance(redis_url, str):
            raise TypeError(f"redis_url must be a str, got {type(redis_url).__name__}")
        url = _masked_url(redis_url)
        self._setup(url, key, limit, lease_s, clock, sleep, assume_fresh)
        timeout_s = check_seconds("RedisRateLimiter.redis_timeout_s", redis_timeout_s)
        unknown = _unknown_url_options(redis_url)
        if unknown:
            # Names only: a value may be a password under a misspelt name.
            raise RateLimiterConfigError(
                f"unknown option{'s' if len(unknown) > 1 else ''} "
                f"{', '.join(preview(name, 60) for name in unknown)} in the Redis URL: "
                "redis-py's connection takes no such option (misspelt?)"
            )
        client = None
        with contextlib.suppress(ValueError):
            client = redis.Redis.from_url(
                redis_url,
                socket_connect_timeout=timeout_s,
                socket_timeout=timeout_s,
                # Fail fast: the caller's Retry decides about retrying, with its own budget.
                retry=redis.retry.Retry(redis.backoff.NoBackoff(), 0),
            )
        if client is None:
            # Raised outside the except clause: redis-py's message may quote the URL's
            # password, and neither the cause nor the context may carry it.
            raise ValueError(f"invalid Redis URL {self._url}")
        self._attach(client, timeout_s, owned=True)

    @classmethod
    def from_client(
        cls,
        client: redis.Redis | redis.cluster.RedisCluster,
        *,
        key: str,
        limit: RateLimit = _DEFAULT_LIMIT,
        lease_s: float | None = None,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], object] | None = None,
        assume_fresh: bool = False,
    ) -> RedisRateLimiter:
        """Build a limiter on a Redis client of your own, used as is and never closed.

        ``client``: a ``redis.Redis`` (with your pool, TLS and retry policy), a Sentinel
        ``master_for(...)`` client, or a ``redis.cluster.RedisCluster``; a sync client, not
        ``redis.asyncio``. Its settings are not replaced: its own ``socket_timeout`` is the
        moment a call is given up (none set: calls are never given up), and its own
        ``retry`` decides about retrying a call. `close` leaves it open. Errors name the
        client's type, never its address or password. The other arguments are the
        constructor's. Building asks Redis once whether ``INFO`` answers, through the
        client's own retry policy.
        """
        _require_redis()
        import redis
        import redis.cluster

        if not isinstance(client, (redis.Redis, redis.cluster.RedisCluster)):
            raise TypeError(
                "RedisRateLimiter.from_client expects a redis.Redis or a "
                f"redis.cluster.RedisCluster, got {type(client).__name__}"
            )
        limiter = cls.__new__(cls)
        limiter._setup(f"<{type(client).__name__} client>", key, limit, lease_s, clock, sleep,
                       assume_fresh)
        limiter._attach(client, _socket_timeout(client), owned=False)
        return limiter

    def _setup(
        self,
        url: str,
        key: str,
        limit: RateLimit,
        lease_s: float | None,
        clock: Callable[[], float] | None,
        sleep: Callable[[float], object] | None,
        assume_fresh: bool,
    ) -> None:
        """Check and set what both constructors share."""
        if not isinstance(assume_fresh, bool):
            raise RateLimiterConfigError(
                f"RedisRateLimiter.assume_fresh must be True or False, got {preview(assume_fresh)}"
            )
        if not isinstance(key, str) or not key:
            raise ValueError(f"RedisRateLimiter.key must be a non-empty str, got {preview(key)}")
        if not isinstance(limit, RateLimit):
            raise TypeError(f"RedisRateLimiter expects a RateLimit, got {type(limit).__name__}")
        self._url = url
        self.key = key
        self._keys = _limiter_keys(key)
        self.limit = limit
        default_lease_s = DEFAULT_REQUEST_TIMEOUT_S + limit.window_s
        self.lease_s = check_seconds(
            "RedisRateLimiter.lease_s", default_lease_s if lease_s is None else lease_s
        )
        if self.lease_s < limit.window_s:
            raise ValueError(
                f"RedisRateLimiter.lease_s must be at least window_s ({limit.window_s}), "
                f"got {lease_s!r}"
            )
        # Rounded up: a window a microsecond long is safe, one a microsecond short is not.
        self._window_us = math.ceil(limit.window_s * _MICROSECONDS)
        self._lease_us = math.ceil(self.lease_s * _MICROSECONDS)
        # A lower bound of (server clock - local monotonic clock), in microseconds.
        self._offset_us: int | None = None
        self._clock = clock
        self._sleep = sleep
        # Tests set this to drive the window on a simulated clock instead of Redis TIME.
        self._server_now: Callable[[], float] | None = None
        self._lock = threading.Lock()
        self._held: deque[str] = deque()
        # Vouches for the key until this limiter's first acquire has run in Redis only.
        self._fresh = assume_fresh

    def _attach(self, client: Any, timeout_s: float | None, *, owned: bool) -> None:
        """Use ``client`` for every call; close it in `close` only if this limiter built it."""
        self._client: Any = client
        self._owns_client = owned
        # Rounded down: the server must give up no later than the caller does.
        self._timeout_us = None if timeout_s is None else math.floor(timeout_s * _MICROSECONDS)
        self._acquire_script = client.register_script(_ACQUIRE)
        self._release_script = client.register_script(_RELEASE)
        self._time_script = client.register_script(_TIME)
        self._check_info(client.register_script(_PROBE))

    def _check_info(self, probe: Any) -> None:
        """Raise `RateLimiterConfigError` now if Redis refuses INFO, rather than per request.

        Redis unreachable: nothing is known yet, and the acquire script checks it too.
        """
        import redis.exceptions

        try:
            refused = probe(keys=[self._keys[0]])
        except redis.exceptions.RedisError:
            return
        if refused:
            reason = refused.decode(errors="replace") if isinstance(refused, bytes) else refused
            raise RateLimiterConfigError(_NO_INFO.format(reason=str(reason)[:120]))

    def __repr__(self) -> str:
        return (
            f"RedisRateLimiter({self._url!r}, key={self.key!r}, "
            f"limit=RateLimit(max_requests={self.limit.max_requests}, "
            f"window_s={self.limit.window_s}), lease_s={self.lease_s})"
        )

    def _unavailable(self, exc: Exception) -> RateLimiterUnavailableError:
        return RateLimiterUnavailableError(
            f"rate limiter unavailable: Redis at {self._url}: {type(exc).__name__}: "
            f"{str(exc)[:200]}"
        )

    def _run(self, script: Any, *args: object) -> Any:
        """Run one Lua script on the limiter's keys; Redis failures become one typed error."""
        import redis.exceptions

        now = self._server_now
        now_us = "" if now is None else str(round(now() * _MICROSECONDS))
        try:
            return script(keys=list(self._keys), args=[*args, now_us])
        except redis.exceptions.RedisError as exc:
            raise self._unavailable(exc) from exc

    def _learn_offset(self, server_us: int, sent_us: int, received_us: int) -> None:
        """Tighten the lower bound of the server's clock offset from one round trip.

        The server read ``server_us`` between ``sent_us`` and ``received_us`` (local
        monotonic): the offset lies in [server - received, server - sent]. The largest
        lower bound seen is kept, unless this trip proves it too high (the server's clock
        stepped back).
        """
        low, high = server_us - received_us, server_us - sent_us
        with self._lock:
            known = self._offset_us
            if known is None or low > known or high < known:
                self._offset_us = low

    def _give_up_us(self) -> str:
        """Return, on the server's clock, the moment this caller stops waiting for Redis.

        Empty (no limit) on a simulated clock or without a read timeout.
        """
        if self._server_now is not None or self._timeout_us is None:
            return ""
        if self._offset_us is None:
            import redis.exceptions

            sent_us = _monotonic_us()
            try:
                # A script, not TIME: on a cluster, the clock of the node holding the key.
                seconds, microseconds = self._time_script(keys=[self._keys[0]])
            except redis.exceptions.RedisError as exc:
                raise self._unavailable(exc) from exc
            server_us = int(seconds) * _MICROSECONDS + int(microseconds)
            self._learn_offset(server_us, sent_us, _monotonic_us())
        offset_us = self._offset_us
        return "" if offset_us is None else str(_monotonic_us() + offset_us + self._timeout_us)

    def acquire(self, deadline: float | None = None) -> bool:
        """Block until a slot of the shared budget is free, take it and return True.

        With a ``deadline`` (a time on this limiter's ``clock``), return False at once,
        without sleeping and without a slot, if no slot can free up by then. Pair each
        True with exactly one `release` (prefer `slot`). Raise
        `RateLimiterUnavailableError` if Redis cannot be reached or answers too late.
        """
        token = secrets.token_hex(8)
        max_requests = self.limit.max_requests
        late = 0
        while True:
            give_up_us = self._give_up_us()
            sent_us = _monotonic_us()
            fresh = self._fresh
            taken, wait_us, server_us = self._run(
                self._acquire_script, token, max_requests, self._window_us, self._lease_us,
                give_up_us, "1" if fresh else "",
            )
            if taken == -2:
                raise RateLimiterConfigError(_NO_INFO.format(
                    reason="found at the first acquire: Redis was unreachable at build time"))
            if fresh and taken != -1:
                # Redis has now seen the key under this limiter: from here a missing state
                # is a loss like any other.
                self._fresh = False
            if self._server_now is None:
                self._learn_offset(int(server_us), sent_us, _monotonic_us())
            if taken == 1:
                with self._lock:
                    self._held.append(token)
                return True
            if taken == -1:
                # The script ran after the moment we sent as our give-up, yet its answer
                # came back: our offset was stale. Once more with the fresh one, then no.
                late += 1
                if late > 1:
                    raise RateLimiterUnavailableError(
                        f"rate limiter unavailable: Redis at {self._url} ran the acquire "
                        "later than redis_timeout_s after it was sent"
                    )
                continue
            wait_s = max(int(wait_us), 0) / _MICROSECONDS
            if deadline is not None and (self._clock or time.time)() + wait_s > deadline:
                return False
            (self._sleep or time.sleep)(wait_s)

    def release(self) -> None:
        """Give back a slot taken by `acquire`: it stops counting `window_s` from now.

        If Redis cannot be reached, log a warning and return: the slot then frees when
        its lease expires, and the request's own result is not lost.
        """
        with self._lock:
            if not self._held:
                raise RuntimeError("RedisRateLimiter.release() without a matching acquire()")
            token = self._held.popleft()
        try:
            self._run(self._release_script, token, self._window_us, self._lease_us)
        except RateLimiterUnavailableError as error:
            logger.warning("%s; the slot frees when its %s s lease expires", error, self.lease_s)

    def close(self) -> None:
        """Close the connections to Redis (slots still held free when their leases expire).

        A client given to `from_client` is left open: it is its owner's to close.
        """
        if self._owns_client:
            self._client.close()


def _require_redis() -> None:
    """Raise ImportError naming the extra to install when redis-py is missing."""
    try:
        import redis  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            "RedisRateLimiter needs the redis package: pip install 'okx-ext[redis]'"
        ) from exc


def _socket_timeout(client: Any) -> float | None:
    """Return the read timeout ``client``'s connections use, or None if they have none."""
    holder = getattr(client, "connection_pool", None) or getattr(client, "nodes_manager", None)
    kwargs = getattr(holder, "connection_kwargs", None)
    timeout = kwargs.get("socket_timeout") if isinstance(kwargs, dict) else None
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        return None
    return float(timeout) if math.isfinite(timeout) and timeout > 0 else None


def _monotonic_us() -> int:
    return time.monotonic_ns() // 1000
