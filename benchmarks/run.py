"""okx-ext benchmarks (issue 4): four ratios measured side by side in one run.

    python benchmarks/run.py [--quick]

1. Wrapper overhead: MaxWithdrawalClient (default limiter and retry) over the real SDK on
   the fake's transport vs the bare SDK on the same transport, 1 and 20 currencies.
2. Fake speed: calls/s through FakeAccountAPI, the real SDK on install(), the real SDK
   on serve(), and the real SDK on a static httpx.MockTransport returning a canned body.
3. Limiter efficiency: 1,000 requests from 8 threads through one client against the
   fake's enforced limit, on a simulated clock.
4. Retry under faults: 10,000 calls with 30% transient faults injected by the fake, on a
   simulated clock, with time.sleep booby-trapped to count any real sleep.

Timed figures (1, 2) are the median over rounds of per-round ratios; within a round the
variants run back to back, in alternating order, with the garbage collector paused (as
timeit does). Simulated figures (3, 4) are the median over rounds. Prints a table and
writes benchmarks/results/latest.json.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import os
import platform
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from okx.Account import AccountAPI

# The simulated clock and the fault injector are shared with the tests: one implementation.
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from _faults import FlakyAccountAPI  # noqa: E402
from _simclock import SimClock  # noqa: E402
from okx_fakes import FakeAccountAPI, FakeExchange  # noqa: E402

from okx_ext import MaxWithdrawalClient, OkxExtError, Retry  # noqa: E402

KEY, SECRET, PASSPHRASE = "bench-key", "bench-secret", "bench-passphrase"
CURRENCIES_20 = [f"C{index}" for index in range(20)]
RESULTS = REPO / "benchmarks" / "results" / "latest.json"


def ticking_clock(step_s: float) -> Callable[[], float]:
    """A clock that moves ``step_s`` per reading: keeps the fake's (and the limiter's)
    20-per-2-s window from ever filling in a timed loop, so no 50011 and no waiting."""
    ticks = itertools.count()
    start = 1_700_000_000.0
    return lambda: start + next(ticks) * step_s


def funded_exchange(clock: Callable[[], float]) -> FakeExchange:
    exchange = FakeExchange(clock=clock, max_skew_s=None)
    account = exchange.add_account(KEY, SECRET, PASSPHRASE, mode="multi_currency")
    for index, code in enumerate(["BTC", *CURRENCIES_20]):
        account.set_balance(code, available=f"{index}.125", borrowable="0.5")
    return exchange


def real_sdk() -> AccountAPI:
    return AccountAPI(KEY, SECRET, PASSPHRASE, flag="1", debug=False)


def time_calls(call: Callable[[], object], count: int) -> float:
    """Seconds per call of ``count`` calls, the garbage collector paused."""
    gc.collect()
    gc.disable()
    try:
        started = time.perf_counter()
        for _ in range(count):
            call()
        return (time.perf_counter() - started) / count
    finally:
        gc.enable()


def side_by_side(
    variants: dict[str, tuple[Callable[[], object], int]], rounds: int
) -> dict[str, list[float]]:
    """Seconds per call of each variant, per round, alternating the order every round."""
    names = list(variants)
    for name in names:  # warm up: caches, first-call imports, HTTP connection
        call, _ = variants[name]
        for _ in range(5):
            call()
    timings: dict[str, list[float]] = {name: [] for name in names}
    for round_number in range(rounds):
        order = names if round_number % 2 == 0 else names[::-1]
        for name in order:
            call, count = variants[name]
            timings[name].append(time_calls(call, count))
    return timings


def median_ratio(numerator: list[float], denominator: list[float]) -> float:
    return statistics.median(a / b for a, b in zip(numerator, denominator, strict=True))


# --- 1. wrapper overhead ---------------------------------------------------------------


def bench_wrapper_overhead(rounds: int, calls: int) -> dict[str, Any]:
    exchange = funded_exchange(ticking_clock(0.25))
    bare = real_sdk()
    exchange.install(bare)
    wrapped_sdk = real_sdk()
    exchange.install(wrapped_sdk)
    # The client's own ticking clock: its limiter sees time pass and never waits, so
    # the figure is the cost of the default configuration, not of throttling.
    client = MaxWithdrawalClient(wrapped_sdk, clock=ticking_clock(0.25))
    joined_20 = ",".join(CURRENCIES_20)
    assert bare.get_max_withdrawal(ccy="BTC")["code"] == "0"
    assert len(client.get_max_withdrawal(CURRENCIES_20)) == 20
    timings = side_by_side(
        {
            "bare_1": (lambda: bare.get_max_withdrawal(ccy="BTC"), calls),
            "wrapper_1": (lambda: client.get_max_withdrawal("BTC"), calls),
            "bare_20": (lambda: bare.get_max_withdrawal(ccy=joined_20), calls),
            "wrapper_20": (lambda: client.get_max_withdrawal(CURRENCIES_20), calls),
        },
        rounds,
    )
    # The same pair over loopback HTTP (serve()): closer to what a network costs.
    with exchange.serve() as base_url:
        bare_http = AccountAPI(KEY, SECRET, PASSPHRASE, flag="1", domain=base_url, debug=False)
        wrapped_http = AccountAPI(KEY, SECRET, PASSPHRASE, flag="1", domain=base_url,
                                  debug=False)
        bare_http._mounts = wrapped_http._mounts = {}  # no proxy for a loopback server
        client_http = MaxWithdrawalClient(wrapped_http, clock=ticking_clock(0.25))
        try:
            http_timings = side_by_side(
                {
                    "bare_20_http": (lambda: bare_http.get_max_withdrawal(ccy=joined_20),
                                     max(calls // 5, 20)),
                    "wrapper_20_http": (lambda: client_http.get_max_withdrawal(CURRENCIES_20),
                                        max(calls // 5, 20)),
                },
                rounds,
            )
        finally:
            bare_http.close()
            wrapped_http.close()
    timings.update(http_timings)
    assert {record.code for record in exchange.requests} == {"0"}
    return {
        "us_per_call": {name: statistics.median(t) * 1e6 for name, t in timings.items()},
        "ratio_1": median_ratio(timings["wrapper_1"], timings["bare_1"]),
        "ratio_20": median_ratio(timings["wrapper_20"], timings["bare_20"]),
        "ratio_20_http": median_ratio(timings["wrapper_20_http"], timings["bare_20_http"]),
    }


# --- 2. fake speed ---------------------------------------------------------------------


def bench_fake_speed(rounds: int, calls: int, serve_calls: int) -> dict[str, Any]:
    exchange = funded_exchange(ticking_clock(0.25))
    direct = FakeAccountAPI(KEY, SECRET, PASSPHRASE, exchange=exchange)
    installed = real_sdk()
    exchange.install(installed)
    canned = json.dumps(direct.get_max_withdrawal("BTC")).encode()
    static = real_sdk()
    # What a user would write instead of a fake: one static route, one canned body.
    static._transport = httpx.MockTransport(
        lambda request: httpx.Response(
            200, content=canned, headers={"content-type": "application/json"}
        )
    )
    static._mounts = {}
    with exchange.serve() as base_url:
        served = AccountAPI(KEY, SECRET, PASSPHRASE, flag="1", domain=base_url, debug=False)
        served._mounts = {}  # no proxy from the environment for a loopback server
        try:
            for api in (direct, installed, static, served):
                assert api.get_max_withdrawal(ccy="BTC") == json.loads(canned)
            timings = side_by_side(
                {
                    "static_mock": (lambda: static.get_max_withdrawal(ccy="BTC"), calls),
                    "install": (lambda: installed.get_max_withdrawal(ccy="BTC"), calls),
                    "direct": (lambda: direct.get_max_withdrawal(ccy="BTC"), calls * 10),
                    "serve": (lambda: served.get_max_withdrawal(ccy="BTC"), serve_calls),
                },
                rounds,
            )
        finally:
            served.close()
    assert {record.code for record in exchange.requests} == {"0"}
    return {
        "calls_per_s": {name: 1 / statistics.median(t) for name, t in timings.items()},
        "install_vs_static_time_ratio": median_ratio(timings["install"], timings["static_mock"]),
        "direct_speedup_vs_static": median_ratio(timings["static_mock"], timings["direct"]),
        "serve_vs_static_time_ratio": median_ratio(timings["serve"], timings["static_mock"]),
    }


# --- 3. limiter efficiency -------------------------------------------------------------


def limiter_round(threads: int, total: int) -> dict[str, Any]:
    clock = SimClock()
    exchange = funded_exchange(clock.time)
    api = FakeAccountAPI(KEY, SECRET, PASSPHRASE, exchange=exchange)
    client = MaxWithdrawalClient(api, clock=clock.time, sleep=clock.sleep)
    errors: list[OkxExtError] = []

    def worker() -> None:
        for _ in range(total // threads):
            try:
                client.get_max_withdrawal("BTC")
            except OkxExtError as error:
                errors.append(error)

    started = time.perf_counter()
    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    records = exchange.requests
    return {
        "simulated_s": clock.now,
        "requests_sent": len(records),
        "answered_50011": sum(record.code == "50011" for record in records),
        "ok": sum(record.code == "0" for record in records),
        "errors": len(errors),
        "wall_s": time.perf_counter() - started,
    }


def bench_limiter(rounds: int) -> dict[str, Any]:
    runs = [limiter_round(threads=8, total=1000) for _ in range(rounds)]
    return {
        "simulated_s_median": statistics.median(run["simulated_s"] for run in runs),
        "simulated_s_max": max(run["simulated_s"] for run in runs),
        "answered_50011_total": sum(run["answered_50011"] for run in runs),
        "runs": runs,
    }


# --- 4. retry under faults -------------------------------------------------------------


class RealSleepTrap:
    """Replaces time.sleep for the duration: counts calls (there must be none)."""

    def __init__(self) -> None:
        self.calls = 0
        self._real = time.sleep

    def __enter__(self) -> RealSleepTrap:
        def trap(seconds: Any) -> None:
            self.calls += 1
            self._real(seconds)

        time.sleep = trap
        return self

    def __exit__(self, *exc: object) -> None:
        time.sleep = self._real


def retry_round(retry: Retry, calls: int, seed: int) -> dict[str, Any]:
    clock = SimClock()
    exchange = funded_exchange(clock.time)
    flaky = FlakyAccountAPI(
        FakeAccountAPI(KEY, SECRET, PASSPHRASE, exchange=exchange), fault_rate=0.3, seed=seed
    )
    client = MaxWithdrawalClient(flaky, retry=retry, clock=clock.time, sleep=clock.sleep)
    successes = 0
    failures: dict[str, int] = {}
    most_attempts = 1
    started = time.perf_counter()
    with RealSleepTrap() as trap:
        for _ in range(calls):
            before = len(clock.sleeps)
            try:
                client.get_max_withdrawal("BTC")
                successes += 1
                most_attempts = max(most_attempts, 1 + len(clock.sleeps) - before)
            except OkxExtError as error:
                failures[type(error).__name__] = failures.get(type(error).__name__, 0) + 1
                most_attempts = max(most_attempts, error.attempts)
    return {
        "success_rate": successes / calls,
        "failures": failures,
        "faults_injected": flaky.faults_injected,
        "most_attempts": most_attempts,
        "simulated_s": clock.now,
        "real_sleeps": trap.calls,
        "wall_s": time.perf_counter() - started,
    }


def bench_retry(rounds: int, calls: int) -> dict[str, Any]:
    policies = {
        "default": Retry(),
        "batch": Retry(attempts=12, max_elapsed_s=120.0),
    }
    report: dict[str, Any] = {}
    for name, retry in policies.items():
        runs = [retry_round(retry, calls, seed) for seed in range(rounds)]
        report[name] = {
            "policy": repr(retry),
            "success_rate_median": statistics.median(run["success_rate"] for run in runs),
            "success_rate_min": min(run["success_rate"] for run in runs),
            "real_sleeps_total": sum(run["real_sleeps"] for run in runs),
            "runs": runs,
        }
    return report


# --- report ----------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "httpx": httpx.__version__,
    }


def table(results: dict[str, Any]) -> list[tuple[str, str, str, bool]]:
    overhead = results["wrapper_overhead"]
    speed = results["fake_speed"]
    limiter = results["limiter"]
    retry = results["retry"]
    return [
        ("1. wrapper overhead, 1 ccy (time ratio)", f"{overhead['ratio_1']:.3f}x",
         "<= 1.05x", overhead["ratio_1"] <= 1.05),
        ("1. wrapper overhead, 20 ccy (time ratio)", f"{overhead['ratio_20']:.3f}x",
         "<= 1.05x", overhead["ratio_20"] <= 1.05),
        ("1. same, 20 ccy, over serve() loopback HTTP", f"{overhead['ratio_20_http']:.3f}x",
         "(reported)", True),
        ("2. install() vs static MockTransport (time)",
         f"{speed['install_vs_static_time_ratio']:.3f}x", "<= 1.2x",
         speed["install_vs_static_time_ratio"] <= 1.2),
        ("2. FakeAccountAPI speed-up vs static mock", f"{speed['direct_speedup_vs_static']:.1f}x",
         ">= 20x", speed["direct_speedup_vs_static"] >= 20),
        ("2. serve() vs static MockTransport (time)",
         f"{speed['serve_vs_static_time_ratio']:.2f}x", "(reported)", True),
        ("3. 1,000 req / 8 threads, simulated s (median)",
         f"{limiter['simulated_s_median']:.1f} s", "<= 100.5 s",
         limiter["simulated_s_max"] <= 100.5),
        ("3. 50011 answered (all rounds)", str(limiter["answered_50011_total"]), "0",
         limiter["answered_50011_total"] == 0),
        ("4. 30% faults, Retry(attempts=12, 120 s): success",
         f"{retry['batch']['success_rate_min']:.2%}", "100%",
         retry["batch"]["success_rate_min"] == 1.0),
        ("4. 30% faults, default Retry(): success (min)",
         f"{retry['default']['success_rate_min']:.2%}", "(reported)", True),
        ("4. real sleeps", str(retry["batch"]["real_sleeps_total"]
                               + retry["default"]["real_sleeps_total"]), "0",
         retry["batch"]["real_sleeps_total"] + retry["default"]["real_sleeps_total"] == 0),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a smoke run)")
    args = parser.parse_args()
    rounds = 3 if args.quick else 21
    started = time.perf_counter()
    results = {
        "wrapper_overhead": bench_wrapper_overhead(rounds, calls=100 if args.quick else 400),
        "fake_speed": bench_fake_speed(
            rounds, calls=100 if args.quick else 400, serve_calls=30 if args.quick else 100
        ),
        "limiter": bench_limiter(rounds=3 if args.quick else 5),
        "retry": bench_retry(rounds=1 if args.quick else 3, calls=10_000),
    }
    rows = table(results)
    info = machine()
    print(f"okx-ext benchmarks: {info['cpu']}, {info['nproc']} CPU, "
          f"{info['implementation']} {info['python']}, median of {rounds} rounds")
    width = max(len(row[0]) for row in rows)
    print(f"{'measurement':<{width}}  {'result':>10}  {'goal':>10}  ok")
    for name, value, goal, met in rows:
        print(f"{name:<{width}}  {value:>10}  {goal:>10}  {'yes' if met else 'NO'}")
    speed = results["fake_speed"]["calls_per_s"]
    print("calls/s: " + ", ".join(f"{name} {rate:,.0f}" for name, rate in speed.items()))
    per_call = results["wrapper_overhead"]["us_per_call"]
    print("us/call: " + ", ".join(f"{name} {us:.1f}" for name, us in per_call.items()))
    elapsed = time.perf_counter() - started
    print(f"total wall time {elapsed:.1f} s")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(
        {
            "machine": info,
            "rounds": rounds,
            "wall_s": elapsed,
            "table": [
                {"measurement": name, "result": value, "goal": goal, "met": met}
                for name, value, goal, met in rows
            ],
            "results": results,
        },
        indent=2,
    ) + "\n")
    print(f"written {RESULTS.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
