"""One rate budget across processes (issue 14): RedisRateLimiter vs limits' moving window.

    python benchmarks/shared_limit.py [--seconds 8]      (make bench-shared)

A real redis-server and the fake exchange's HTTP server run on 127.0.0.1. Four worker
processes x 4 threads, each thread with its own python-okx AccountAPI and a
MaxWithdrawalClient(retry=None), call get_max_withdrawal for one uid for --seconds,
all sharing one limiter key:

1. okx-ext's RedisRateLimiter (slot held in flight, counted from the return);
2. the `limits` library's moving window on the same Redis (counted when admitted),
   plugged in through RateLimiterProtocol;
3. a worker holding a RedisRateLimiter slot is killed with SIGKILL; a survivor then
   takes the whole budget, and we time how long until it has the dead worker's slot.

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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from _redis_server import redis_server  # noqa: E402

from okx_ext import (  # noqa: E402
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
START_DELAY_S = 2.0  # time for the spawned workers to import and connect before the start
RESULTS = REPO / "benchmarks" / "results" / "shared_limit.json"


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


def build_limiter(kind: str, redis_url: str, key: str) -> RateLimiterProtocol:
    if kind == "okx-ext":
        return RedisRateLimiter(redis_url, key=key, limit=LIMIT)
    return MovingWindowLimiter(redis_url, key, LIMIT)


def worker(kind: str, redis_url: str, server_url: str, key: str, start_at: float,
           seconds: float, results: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    """One process: THREADS threads, each with its own SDK client, until start_at + seconds."""
    from okx.Account import AccountAPI

    limiter = build_limiter(kind, redis_url, key)
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


def run_load(kind: str, redis_url: str, server_url: str, exchange: object,
             seconds: float) -> dict[str, object]:
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    key = f"bench:{kind}:{uuid.uuid4().hex}"
    start_at = time.time() + START_DELAY_S
    processes = [
        context.Process(target=worker,
                        args=(kind, redis_url, server_url, key, start_at, seconds, results))
        for _ in range(PROCESSES)
    ]
    for process in processes:
        process.start()
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
    return {
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
        f"limiter = RedisRateLimiter({redis_url!r}, key={key!r}, limit=RateLimit(20, 2.0))\n"
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    options = parser.parse_args()

    from okx_fakes import FakeExchange

    exchange = FakeExchange()
    account = exchange.add_account(KEY, SECRET, PASSPHRASE, mode="multi_currency", demo=False,
                                   uid=UID)
    account.set_balance("BTC", available="1.5", borrowable="0.5")
    results: dict[str, object] = {}
    with redis_server() as redis_url, exchange.server() as server:
        for kind in ("okx-ext", "limits"):
            exchange.reset_requests()
            exchange.reset_rate_limits()
            results[kind] = run_load(kind, redis_url, server.url, exchange, options.seconds)
            time.sleep(LIMIT.window_s)  # the fake's window empties between the two runs
        results["sigkill"] = run_sigkill(redis_url)

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
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
