"""One rate budget across processes: RedisRateLimiter vs limits' moving window.

    python benchmarks/shared_limit.py [--seconds 8]      (make bench-shared)

A real redis-server and the fake exchange's HTTP server run on 127.0.0.1. Four worker
processes x 4 threads, each thread with its own python-okx AccountAPI and a
MaxWithdrawalClient(retry=None), call get_max_withdrawal for one uid for --seconds,
all sharing one limiter key:

1. okx-ext's RedisRateLimiter (slot held in flight, counted from the return);
2. the `limits` library's moving window on the same Redis (counted when admitted),
   plugged in through RateLimiterProtocol;
3. a worker holding a RedisRateLimiter slot is killed with SIGKILL; a survivor then
   takes the whole budget, and we time how long until it has the dead worker's slot;
4. RedisRateLimiter under the same load while Redis loses its data 3 s in: FLUSHALL,
   then a restart without persistence; and Redis stopped (SIGSTOP) for 5 s, then resumed.
   We count 50011 and time how long until the fake admits a full window (20 in 2 s)
   again, from the loss or from SIGCONT;
5. RedisRateLimiter.from_client on a local 3-primary Redis Cluster (RedisCluster), and
   on a primary + replica + 3 Sentinels (master_for) with a failover forced 3 s in:
   0 x 50011, the share of OKX's allowance admitted, and the time from the promotion to
   a full window admitted again;
6. eviction: the same load on a Redis with a small maxmemory under volatile-lru (a common
   managed Redis's default), filled 3 s in with keys without a TTL until it evicts the
   limiter's slots (the only key with a TTL): 0 x 50011, and the time until a full
   window is admitted again;
7. a key's first use: a new key, no vouching, on a Redis up for longer than one lease
   that has evicted and flushed nothing; and a new key with assume_fresh=True on a Redis
   just started: the time from the start to the first full window admitted.

Every key but section 7's first is vouched fresh (assume_fresh=True): a deployment's
first start.

The fake counts arrivals as OKX does (20 per 2 s per uid, sliding). Prints a table and
writes benchmarks/results/shared_limit.json.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import platform
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from _redis_server import (  # noqa: E402
    RedisServer,
    SentinelSetup,
    redis_cluster,
    redis_sentinel,
    running_redis,
)

from okx_ext import (  # noqa: E402
    DEFAULT_REQUEST_TIMEOUT_S,
    MaxWithdrawalClient,
    OkxApiError,
    OkxExtError,
    RateLimit,
    RateLimiterProtocol,
    RedisRateLimiter,
)

KEY, SECRET, PASSPHRASE, UID = "bench-key", "bench-secret", "bench-passphrase", "1001"
PROCESSES, THREADS = 4, 4
LIMIT = RateLimit(20, 2.0)  # OKX's rule for this endpoint
START_DELAY_S = 0.5  # from the last worker ready (imported, connected) to the start
RESULTS = REPO / "benchmarks" / "results" / "shared_limit.json"
FAULT_AT_S = 3.0  # into the run: Redis loses its data, or is stopped
SIGSTOP_S = 5.0
AFTER_PAUSE_S = 4.0  # the run goes on this long after the limiter's pause (or SIGCONT)
SENTINEL_FAILOVER_S = 10.0  # room for the forced failover itself, in the sentinel run
DEFAULT_LEASE_S = DEFAULT_REQUEST_TIMEOUT_S + LIMIT.window_s  # RedisRateLimiter's default


class MovingWindowLimiter:
    """`limits`' moving window behind RateLimiterProtocol: a request counts when admitted."""

    def __init__(self, redis_url: str, key: str, limit: RateLimit) -> None:
        from limits import RateLimitItemPerSecond
        from limits.storage import RedisStorage
        from limits.strategies import MovingWindowRateLimiter

        self._strategy = MovingWindowRateLimiter(RedisStorage(redis_url))
        self._item = RateLimitItemPerSecond(limit.max_requests, math.ceil(limit.window_s))
        self._key = key

    def acquire(self, deadline: float | None = None) -> bool:
        while not self._strategy.hit(self._item, self._key):
            reset_at = self._strategy.get_window_stats(self._item, self._key).reset_time
            time.sleep(min(max(reset_at - time.time(), 0.001), 1.0))
        return True

    def release(self) -> None:
        """Nothing to give back: the window counted the request when it was admitted."""

    @contextmanager
    def slot(self) -> Iterator[None]:
        self.acquire()
        yield


REDIS_TIMEOUT_S = 2.0  # the URL constructor's default, for the clients built here


def client_for(kind: str, target: str) -> object:
    """A redis-py client of the user's kind: ``target`` is a node's URL, or Sentinel ports."""
    if kind == "cluster":
        from redis.cluster import RedisCluster

        return RedisCluster.from_url(target, socket_timeout=REDIS_TIMEOUT_S)
    if kind == "sentinel":
        from redis.sentinel import Sentinel

        sentinels = [("127.0.0.1", int(port)) for port in target.split(",")]
        return Sentinel(sentinels, socket_timeout=REDIS_TIMEOUT_S).master_for(
            SentinelSetup.service, socket_timeout=REDIS_TIMEOUT_S)
    import redis

    return redis.Redis.from_url(target)


def build_limiter(kind: str, redis_url: str, key: str) -> RateLimiterProtocol:
    if kind == "okx-ext":
        return RedisRateLimiter(redis_url, key=key, limit=LIMIT, assume_fresh=True)
    if kind == "okx-ext-new":  # a new uid's key, as a running deployment meets it
        return RedisRateLimiter(redis_url, key=key, limit=LIMIT)
    if kind in ("cluster", "sentinel"):
        return RedisRateLimiter.from_client(client_for(kind, redis_url), key=key,  # type: ignore[arg-type]
                                            limit=LIMIT, assume_fresh=True)
    return MovingWindowLimiter(redis_url, key, LIMIT)


def worker(kind: str, redis_url: str, server_url: str, key: str, start: Any,
           seconds: float, results: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    """One process: THREADS threads, each with its own SDK client, until start + seconds.

    ``start``: (ready queue, go event, start time): the start is set once every worker
    is ready, so a slow import on a loaded machine never eats into the measured period.
    """
    from okx.Account import AccountAPI

    limiter = build_limiter(kind, redis_url, key)
    ready, go, start_value = start
    ready.put(True)
    go.wait()
    start_at = start_value.value
    codes: Counter[str] = Counter()
    lock = threading.Lock()

    def run() -> None:
        api = AccountAPI(KEY, SECRET, PASSPHRASE, flag="0", domain=server_url, debug=False)
        client = MaxWithdrawalClient(api, rate_limit=limiter, retry=None)
        mine: Counter[str] = Counter()
        time.sleep(max(start_at - time.time(), 0))
        while time.time() < start_at + seconds:
            try:
                client.get_max_withdrawal("BTC")
                mine["0"] += 1
            except OkxApiError as error:
                mine[error.code] += 1
            except OkxExtError as error:
                mine[type(error).__name__] += 1
        with lock:
            codes.update(mine)

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put(dict(codes))


def full_window_back_after(times: list[float], since: float) -> float | None:
    """Seconds from ``since`` to the first full window (LIMIT's count in window_s) admitted."""
    times = sorted(at for at in times if at >= since)
    count = LIMIT.max_requests
    for first, at in enumerate(times[: len(times) - count + 1]):
        if times[first + count - 1] - at < LIMIT.window_s:
            return at - since
    return None


def run_load(kind: str, redis_url: str, server_url: str, exchange: object,
             seconds: float, fault: Callable[[], float | None] | None = None,
             fault_ends_s: float = FAULT_AT_S) -> dict[str, object]:
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    key = f"bench:{kind}:{uuid.uuid4().hex}"
    ready, go, start_value = context.Queue(), context.Event(), context.Value("d", 0.0)
    processes = [
        context.Process(target=worker,
                        args=(kind, redis_url, server_url, key, (ready, go, start_value),
                              seconds, results))
        for _ in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    for _ in processes:
        ready.get(timeout=120)
    start_at = time.time() + START_DELAY_S
    start_value.value = start_at
    go.set()
    since = start_at + fault_ends_s
    if fault is not None:
        time.sleep(max(start_at + FAULT_AT_S - time.time(), 0))
        ended = fault()  # a time: when the fault really ended (a promotion confirmed)
        if ended is not None:
            since = ended
    codes: Counter[str] = Counter()
    for _ in processes:
        codes.update(results.get(timeout=seconds + 60))
    for process in processes:
        process.join(timeout=30)
    records = exchange.requests  # type: ignore[attr-defined]
    arrived = [record for record in records
               if start_at <= record.time < start_at + seconds and record.uid == UID]
    allowed = LIMIT.max_requests * math.ceil(seconds / LIMIT.window_s)
    admitted = sum(1 for record in arrived if record.code != "50011")
    admitted_times = [record.time for record in arrived if record.code != "50011"]
    back_s = full_window_back_after(admitted_times, since)
    return {
        "first_admitted_after_start_s": (min(admitted_times) - start_at
                                         if admitted_times else None),
        "full_window_back_after_s": back_s,
        "answers": dict(sorted(codes.items())),
        "rejected_50011": codes.get("50011", 0),
        "arrived_in_period": len(arrived),
        "admitted_in_period": admitted,
        "allowed_in_period": allowed,
        "admitted_ratio": admitted / allowed,
    }


def run_sigkill(redis_url: str) -> dict[str, object]:
    """A worker holding a slot is SIGKILLed; how long until a survivor gets that slot?"""
    key = f"bench:sigkill:{uuid.uuid4().hex}"
    holder = (
        "import time\n"
        "from okx_ext import RateLimit, RedisRateLimiter\n"
        f"limiter = RedisRateLimiter({redis_url!r}, key={key!r}, limit=RateLimit(20, 2.0),\n"
        "                           assume_fresh=True)\n"
        "limiter.acquire()  # as a worker does before sending; then it is killed mid-request\n"
        "print(limiter.lease_s, flush=True)\n"
        "time.sleep(120)\n"
    )
    victim = subprocess.Popen([sys.executable, "-c", holder], stdout=subprocess.PIPE, text=True)
    assert victim.stdout is not None
    lease_s = float(victim.stdout.readline())
    held_at = time.monotonic()
    time.sleep(0.5)  # mid-request
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=10)
    killed_at = time.monotonic()
    survivor = RedisRateLimiter(redis_url, key=key, limit=LIMIT)
    for _ in range(LIMIT.max_requests):  # 19 are free; the 20th is the dead worker's
        survivor.acquire()
    back_at = time.monotonic()
    survivor.close()
    return {
        "lease_s": lease_s,
        "slot_back_after_kill_s": back_at - killed_at,
        "slot_back_after_taken_s": back_at - held_at,
    }


def run_faults(server: RedisServer, server_url: str, exchange: object) -> dict[str, object]:
    """The okx-ext load across FLUSHALL, a restart without persistence, and a SIGSTOP."""
    import redis

    lease_s = RedisRateLimiter(server.url, key="lease", limit=LIMIT).lease_s
    loss_seconds = FAULT_AT_S + lease_s + AFTER_PAUSE_S

    def flushall() -> None:
        with redis.Redis.from_url(server.url) as client:
            client.flushall()

    def sigstop() -> None:
        server.pause()
        time.sleep(SIGSTOP_S)
        server.resume()

    results: dict[str, object] = {"lease_s": lease_s}
    for name, fault, seconds, ends_s in (
        ("flushall", flushall, loss_seconds, FAULT_AT_S),
        ("restart", server.restart, loss_seconds, FAULT_AT_S),
        ("sigstop", sigstop, FAULT_AT_S + SIGSTOP_S + AFTER_PAUSE_S, FAULT_AT_S + SIGSTOP_S),
    ):
        exchange.reset_requests()  # type: ignore[attr-defined]
        exchange.reset_rate_limits()  # type: ignore[attr-defined]
        results[name] = run_load("okx-ext", server.url, server_url, exchange, seconds,
                                 fault, ends_s)
        time.sleep(LIMIT.window_s)
    return results


def run_topologies(server_url: str, exchange: object, seconds: float) -> dict[str, object]:
    """The okx-ext load through from_client: on a 3-primary cluster; across a failover."""
    results: dict[str, object] = {}
    with redis_cluster() as nodes:
        exchange.reset_requests()  # type: ignore[attr-defined]
        exchange.reset_rate_limits()  # type: ignore[attr-defined]
        results["cluster"] = run_load("cluster", nodes[0].url, server_url, exchange, seconds)
    time.sleep(LIMIT.window_s)
    with redis_sentinel() as setup:
        def failover() -> float:
            setup.failover()
            return time.time()

        lease_s = DEFAULT_LEASE_S
        exchange.reset_requests()  # type: ignore[attr-defined]
        exchange.reset_rate_limits()  # type: ignore[attr-defined]
        ports = ",".join(str(port) for _, port in setup.addresses)
        results["sentinel"] = run_load(
            "sentinel", ports, server_url, exchange,
            FAULT_AT_S + SENTINEL_FAILOVER_S + lease_s + AFTER_PAUSE_S, failover,
        )
    return results


EVICTION_MAXMEMORY = "8mb"
Row = tuple[str, object, str, str]


def run_eviction(server_url: str, exchange: object) -> dict[str, object]:
    """The okx-ext load on a Redis under volatile-lru, filled 3 s in until it evicts."""
    import redis

    with running_redis("--maxmemory", EVICTION_MAXMEMORY,
                       "--maxmemory-policy", "volatile-lru") as server:
        def fill() -> float:
            # Keys without a TTL, in db 1: under volatile-lru only the limiter's slots
            # (the one key with a TTL) can go. Then the fillers are deleted (not
            # flushed), so that memory frees and nothing but the eviction tells the loss.
            written: list[str] = []
            with redis.Redis.from_url(server.url, db=1) as filler:
                while int(filler.info("stats")["evicted_keys"]) == 0:
                    try:
                        filler.set(f"filler:{len(written)}", b"x" * 16384)
                    except redis.exceptions.ResponseError:  # OOM: nothing left to evict
                        break
                    written.append(f"filler:{len(written)}")
                evicted = int(filler.info("stats")["evicted_keys"])
                for start in range(0, len(written), 500):
                    filler.delete(*written[start:start + 500])
            results["evicted_keys"] = evicted
            return time.time()

        results: dict[str, object] = {}
        exchange.reset_requests()  # type: ignore[attr-defined]
        exchange.reset_rate_limits()  # type: ignore[attr-defined]
        results.update(run_load("okx-ext", server.url, server_url, exchange,
                                FAULT_AT_S + DEFAULT_LEASE_S + AFTER_PAUSE_S, fill))
    return results


def run_first_use(aged: RedisServer, server_url: str, exchange: object,
                  seconds: float) -> dict[str, object]:
    """A new key's first full window: unvouched on a long-running Redis; vouched on a new one."""
    import redis

    results: dict[str, object] = {}
    with redis.Redis.from_url(aged.url) as client:
        while int(client.info("server")["uptime_in_seconds"]) < DEFAULT_LEASE_S + 1:
            time.sleep(0.1)  # the section's premise: up for longer than one lease
        results["aged_uptime_s"] = int(client.info("server")["uptime_in_seconds"])
    exchange.reset_requests()  # type: ignore[attr-defined]
    exchange.reset_rate_limits()  # type: ignore[attr-defined]
    results["new_key_on_long_running_redis"] = run_load(
        "okx-ext-new", aged.url, server_url, exchange, seconds, fault_ends_s=0.0)
    time.sleep(LIMIT.window_s)
    with running_redis() as fresh:
        exchange.reset_requests()  # type: ignore[attr-defined]
        exchange.reset_rate_limits()  # type: ignore[attr-defined]
        results["assume_fresh_on_new_redis"] = run_load(
            "okx-ext", fresh.url, server_url, exchange, seconds, fault_ends_s=0.0)
    return results


def first_use_rows(first: dict[str, Any], seconds: float) -> tuple[list[Row], bool]:
    """The table rows of section 7, and whether its goals were met."""
    rows: list[Row] = []
    met = True
    for name, label in (
        ("new_key_on_long_running_redis",
         f"new key, no vouching, Redis up {first['aged_uptime_s']} s"),
        ("assume_fresh_on_new_redis", "new key, assume_fresh=True, Redis just started"),
    ):
        run = first[name]
        back = run["full_window_back_after_s"]
        rows.append((f"{label}: answers 50011", run["rejected_50011"], "n/a", "0"))
        first_s = run["first_admitted_after_start_s"]
        rows.append((f"{label}: first request admitted after the start",
                     "never" if first_s is None else f"{first_s:.2f} s", "n/a",
                     "< 1 s (a pause: 12 s)"))
        rows.append((f"{label}: first full window (20 in 2 s) after the start",
                     "never" if back is None else f"{back:.2f} s", "n/a",
                     "< window (2 s)"))
        rows.append((f"{label}: admitted in {seconds:g} s",
                     f"{run['admitted_in_period']} ({run['admitted_ratio']:.0%})", "n/a",
                     ">= 90%"))
        met = (met and run["rejected_50011"] == 0 and first_s is not None and first_s < 1.0
               and back is not None and back < LIMIT.window_s
               and float(run["admitted_ratio"]) >= 0.9)
    return rows, met


def eviction_rows(eviction: dict[str, Any]) -> tuple[list[Row], bool]:
    """The table rows of section 6, and whether its goals were met."""
    back = eviction["full_window_back_after_s"]
    label = f"volatile-lru, maxmemory {EVICTION_MAXMEMORY}, slots evicted 3 s in"
    rows: list[Row] = [
        (f"{label}: answers 50011", eviction["rejected_50011"], "n/a", "0"),
        (f"{label}: full window admitted again after",
         "never" if back is None else f"{back:.2f} s", "n/a",
         f"<= lease ({DEFAULT_LEASE_S:g} s) + 3 s"),
    ]
    met = (eviction["rejected_50011"] == 0 and int(eviction["evicted_keys"]) > 0
           and back is not None and back <= DEFAULT_LEASE_S + 3.0)
    return rows, met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--skip-faults", action="store_true",
                        help="skip the FLUSHALL, restart and SIGSTOP scenarios (about 60 s)")
    parser.add_argument("--skip-topologies", action="store_true",
                        help="skip the Redis Cluster and Sentinel runs (about 50 s)")
    parser.add_argument("--only-provider-cases", action="store_true",
                        help="run only the eviction and first-use sections (about 50 s)")
    options = parser.parse_args()

    from okx_fakes import FakeExchange

    exchange = FakeExchange()
    account = exchange.add_account(KEY, SECRET, PASSPHRASE, mode="multi_currency", demo=False,
                                   uid=UID)
    account.set_balance("BTC", available="1.5", borrowable="0.5")
    results: dict[str, object] = {}
    with running_redis() as aged, running_redis() as store, exchange.server() as server:
        if options.only_provider_cases:
            return provider_cases(aged, server.url, exchange, options.seconds)
        for kind in ("okx-ext", "limits"):
            exchange.reset_requests()
            exchange.reset_rate_limits()
            results[kind] = run_load(kind, store.url, server.url, exchange, options.seconds)
            time.sleep(LIMIT.window_s)  # the fake's window empties between the two runs
        results["sigkill"] = run_sigkill(store.url)
        if not options.skip_faults:
            results["faults"] = run_faults(store, server.url, exchange)
        if not options.skip_topologies:
            results["topologies"] = run_topologies(server.url, exchange, options.seconds)
        results["eviction"] = run_eviction(server.url, exchange)
        results["first_use"] = run_first_use(aged, server.url, exchange, options.seconds)

    ours, theirs, kill = results["okx-ext"], results["limits"], results["sigkill"]
    assert isinstance(ours, dict) and isinstance(theirs, dict) and isinstance(kill, dict)
    rows = [
        ("answers 50011", ours["rejected_50011"], theirs["rejected_50011"], "0"),
        (f"admitted in {options.seconds:g} s (OKX allows {ours['allowed_in_period']})",
         f"{ours['admitted_in_period']} ({ours['admitted_ratio']:.0%})",
         f"{theirs['admitted_in_period']} ({theirs['admitted_ratio']:.0%})", ">= 90%"),
        ("all answers by code", ours["answers"], theirs["answers"], ""),
        ("SIGKILLed holder's slot back, after the kill",
         f"{kill['slot_back_after_kill_s']:.2f} s ({kill['slot_back_after_taken_s']:.2f} s after "
         f"it was taken; lease {kill['lease_s']:g} s)", "n/a",
         "<= lease"),
    ]
    faults = results.get("faults")
    met_faults = True
    if isinstance(faults, dict):
        lease_s = faults["lease_s"]
        for name, label, goal_s in (
            ("flushall", "FLUSHALL 3 s in", f"<= lease ({lease_s:g} s) + 3 s"),
            ("restart", "restart without persistence 3 s in", f"<= lease ({lease_s:g} s) + 3 s"),
            ("sigstop", f"SIGSTOP {SIGSTOP_S:g} s, 3 s in", "<= 3 s of SIGCONT"),
        ):
            run = faults[name]
            back = run["full_window_back_after_s"]
            limit_s = 3.0 if name == "sigstop" else lease_s + 3.0
            rows.append((f"{label}: answers 50011", run["rejected_50011"], "n/a", "0"))
            rows.append((f"{label}: full window (20 in 2 s) admitted again after",
                         "never" if back is None else f"{back:.2f} s", "n/a", goal_s))
            met_faults = (met_faults and run["rejected_50011"] == 0 and back is not None
                          and back <= limit_s)
    topologies = results.get("topologies")
    met_topologies = True
    if isinstance(topologies, dict):
        cluster, sentinel = topologies["cluster"], topologies["sentinel"]
        rows.append(("3-primary Redis Cluster: answers 50011", cluster["rejected_50011"],
                     "n/a", "0"))
        rows.append((f"3-primary Redis Cluster: admitted in {options.seconds:g} s",
                     f"{cluster['admitted_in_period']} ({cluster['admitted_ratio']:.0%})",
                     "n/a", ">= 90%"))
        back = sentinel["full_window_back_after_s"]
        rows.append(("Sentinel, failover forced 3 s in: answers 50011",
                     sentinel["rejected_50011"], "n/a", "0"))
        rows.append(("Sentinel: full window admitted again after the promotion",
                     "never" if back is None else f"{back:.2f} s", "n/a",
                     f"<= lease ({DEFAULT_LEASE_S:g} s) + 3 s"))
        met_topologies = (cluster["rejected_50011"] == 0
                          and float(cluster["admitted_ratio"]) >= 0.9
                          and sentinel["rejected_50011"] == 0 and back is not None
                          and back <= DEFAULT_LEASE_S + 3.0)
    extra_rows, met_eviction = eviction_rows(results["eviction"])  # type: ignore[arg-type]
    rows.extend(extra_rows)
    extra_rows, met_first_use = first_use_rows(results["first_use"], options.seconds)  # type: ignore[arg-type]
    rows.extend(extra_rows)
    print(f"{PROCESSES} processes x {THREADS} threads, one uid, {options.seconds:g} s, "
          f"real python-okx over loopback HTTP; {platform.python_implementation()} "
          f"{platform.python_version()}, {platform.machine()}")
    print("| measurement | okx-ext RedisRateLimiter | limits moving window | goal |")
    print("|---|---|---|---|")
    for name, mine, other, goal in rows:
        print(f"| {name} | {mine} | {other} | {goal} |")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    met = (ours["rejected_50011"] == 0 and float(ours["admitted_ratio"]) >= 0.9  # type: ignore[arg-type]
           and float(kill["slot_back_after_kill_s"]) <= float(kill["lease_s"]))  # type: ignore[arg-type]
    return 0 if met and met_faults and met_topologies and met_eviction and met_first_use else 1


def provider_cases(aged: RedisServer, server_url: str, exchange: object, seconds: float) -> int:
    """Sections 6 and 7 alone: print their rows, write their results beside the others'."""
    results = {"eviction": run_eviction(server_url, exchange),
               "first_use": run_first_use(aged, server_url, exchange, seconds)}
    rows, met_eviction = eviction_rows(results["eviction"])
    more, met_first_use = first_use_rows(results["first_use"], seconds)
    print(f"{PROCESSES} processes x {THREADS} threads, one uid, real python-okx over loopback "
          f"HTTP; {platform.python_implementation()} {platform.python_version()}, "
          f"{platform.machine()}")
    print("| measurement | okx-ext RedisRateLimiter | goal |")
    print("|---|---|---|")
    for name, mine, _, goal in rows + more:
        print(f"| {name} | {mine} | {goal} |")
    path = RESULTS.with_name("shared_limit_provider_cases.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0 if met_eviction and met_first_use else 1


if __name__ == "__main__":
    sys.exit(main())
