"""okx-ext benchmarks: ratios measured side by side in one run.

    python benchmarks/run.py [--quick]

1. The wrapper: MaxWithdrawalClient (default limiter and retry) against the floor
   (benchmarks/floor.py) over the same API, at 1 and 20 currencies, and against the bare
   SDK on the same static httpx.MockTransport, at 1 currency.
2. The fake: FakeAccountAPI and the real SDK on install() against the real SDK on a
   static httpx.MockTransport (one canned body), at 1 and 20 currencies.
3. Limiter efficiency: 1,000 requests from 8 threads through one client against the
   fake's enforced limit, on a simulated clock.
4. Retry under faults: 10,000 calls with 30% transient faults injected by the fake, on a
   simulated clock, with time.sleep booby-trapped to count any real sleep.
5.-8. What a downstream suite pays: the import, a shared python-okx client per test
   against respx and pytest-httpx, drawing from the strategies, and a 500-example
   property test through FakeAccountAPI, install() and respx (benchmarks/suite_speed.py).
9.-10. What a long history and a per-test reset cost: control writes and OKX requests
   after 100,000 transfers, and restoring the plugin's seed (benchmarks/ledger_speed.py).

Timed figures (1, 2) run on the real clock: calls rotate over many accounts (and the
wrapper over many clients, one limiter each) so neither the fake's limit nor the
client's ever answers 50011 or waits; any wait fails the run. Each is the median over
rounds of per-round ratios; within a round the variants run back to back, in
alternating order, with the garbage collector paused (as timeit does). Simulated
figures (3, 4) are the median over rounds. Prints a table and writes
benchmarks/results/latest.json.
"""

from __future__ import annotations

import argparse
import functools
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

sys.path.insert(0, str(REPO / "benchmarks"))

import floor  # noqa: E402
import ledger_speed  # noqa: E402
import suite_speed  # noqa: E402
from _faults import FlakyAccountAPI  # noqa: E402
from _simclock import SimClock  # noqa: E402
from _timing import time_calls  # noqa: E402
from okx_fakes import FakeAccountAPI, FakeExchange  # noqa: E402

from okx_ext import MaxWithdrawalClient, OkxExtError, Retry  # noqa: E402

KEY, SECRET, PASSPHRASE = "bench-key", "bench-secret", "bench-passphrase"
CURRENCIES_20 = [f"C{index}" for index in range(20)]
JOINED_20 = ",".join(CURRENCIES_20)
RESULTS = REPO / "benchmarks" / "results" / "latest.json"
# OKX's (and the fake's) limit: 20 requests per 2 s per account. An account asked once
# every N calls stays under it while N calls take >= 0.1 s; ROTATION makes that hold
# down to 0.1 s / ROTATION = 5 us a call.
ROTATION = 20_000


def ticking_clock(step_s: float) -> Callable[[], float]:
    """A clock that moves ``step_s`` per reading (the simulated sections' exchanges)."""
    ticks = itertools.count()
    start = 1_700_000_000.0
    return lambda: start + next(ticks) * step_s


def funded_exchange(clock: Callable[[], float] | None = None, accounts: int = 1) -> FakeExchange:
    """An exchange with ``accounts`` keys (KEY, then KEY-1, ...), each its own account."""
    exchange = FakeExchange(clock=clock, max_skew_s=None if clock else 30.0)
    for number in range(accounts):
        account = exchange.add_account(
            f"{KEY}-{number}" if number else KEY, SECRET, PASSPHRASE, mode="multi_currency"
        )
        for index, code in enumerate(["BTC", *CURRENCIES_20]):
            account.set_balance(code, available=f"{index}.125", borrowable="0.5")
    return exchange


def account_keys() -> list[str]:
    return [KEY, *(f"{KEY}-{number}" for number in range(1, ROTATION))]


def real_sdk() -> AccountAPI:
    return AccountAPI(KEY, SECRET, PASSPHRASE, flag="1", debug=False)


def rotating(sdk: AccountAPI, ccy: str) -> Callable[[], object]:
    """One SDK call per call, each as the next account (the SDK signs with its attributes)."""
    keys = itertools.cycle(account_keys())

    def call() -> object:
        sdk.API_KEY = next(keys)
        return sdk.get_max_withdrawal(ccy=ccy)

    return call


def canned_body(ccys: list[str]) -> bytes:
    """OKX's answer for ``ccys`` as the fake writes it (what a static mock would return)."""
    exchange = funded_exchange()
    return json.dumps(
        FakeAccountAPI(KEY, SECRET, PASSPHRASE, exchange=exchange).get_max_withdrawal(
            ",".join(ccys)
        )
    ).encode()


def static_sdk(bodies: dict[str, bytes]) -> AccountAPI:
    """The real SDK on a static httpx.MockTransport: a canned body per ``ccy`` query."""
    sdk = real_sdk()
    sdk._transport = httpx.MockTransport(
        lambda request: httpx.Response(
            200,
            content=bodies[request.url.params["ccy"]],
            headers={"content-type": "application/json"},
        )
    )
    sdk._mounts = {}
    return sdk


def no_waiting(seconds: float) -> None:
    raise AssertionError(f"a client's limiter waited {seconds} s: raise ROTATION")


def client_pool(api: Any) -> Callable[[], MaxWithdrawalClient]:
    """Next of ROTATION default clients over ``api``, one limiter each (one per user)."""
    clients = [MaxWithdrawalClient(api, sleep=no_waiting) for _ in range(ROTATION)]
    return itertools.cycle(clients).__next__


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


# --- 1. the wrapper ----------------------------------------------------------------------


class DecodingStub:
    """An API answering a canned body, decoded per call as the SDK's last step does."""

    def __init__(self, bodies: dict[str, bytes]) -> None:
        self._bodies = bodies

    def get_max_withdrawal(self, ccy: str = "") -> Any:
        return json.loads(self._bodies[ccy])


def bench_wrapper(rounds: int, calls: int) -> dict[str, Any]:
    bodies = {"BTC": canned_body(["BTC"]), JOINED_20: canned_body(CURRENCIES_20)}
    stub = DecodingStub(bodies)
    stub_client = client_pool(stub)
    sdk = static_sdk(bodies)
    sdk_client = client_pool(sdk)
    assert floor.get_max_withdrawal(stub, CURRENCIES_20).keys() == set(CURRENCIES_20)
    assert list(stub_client().get_max_withdrawal(CURRENCIES_20)) == CURRENCIES_20
    timings = side_by_side(
        {
            "floor_1": (lambda: floor.get_max_withdrawal(stub, ["BTC"]), calls * 10),
            "wrapper_1": (lambda: stub_client().get_max_withdrawal(["BTC"]), calls * 10),
            "floor_20": (lambda: floor.get_max_withdrawal(stub, CURRENCIES_20), calls * 2),
            "wrapper_20": (lambda: stub_client().get_max_withdrawal(CURRENCIES_20), calls * 2),
            "sdk_1": (lambda: sdk.get_max_withdrawal(ccy="BTC"), calls),
            "sdk_wrapper_1": (lambda: sdk_client().get_max_withdrawal(["BTC"]), calls),
            "sdk_floor_1": (lambda: floor.get_max_withdrawal(sdk, ["BTC"]), calls),
        },
        rounds,
    )
    return {
        "us_per_call": {name: statistics.median(t) * 1e6 for name, t in timings.items()},
        "vs_floor_1": median_ratio(timings["wrapper_1"], timings["floor_1"]),
        "vs_floor_20": median_ratio(timings["wrapper_20"], timings["floor_20"]),
        "vs_sdk_1": median_ratio(timings["sdk_wrapper_1"], timings["sdk_1"]),
        "floor_vs_sdk_1": median_ratio(timings["sdk_floor_1"], timings["sdk_1"]),
    }


# --- 2. the fake -------------------------------------------------------------------------


def direct_call(direct: Callable[[], FakeAccountAPI], ccy: str) -> object:
    return direct().get_max_withdrawal(ccy)


def bench_fake(rounds: int, calls: int) -> dict[str, Any]:
    started = time.perf_counter()
    exchange = funded_exchange(accounts=ROTATION)
    setup_s = time.perf_counter() - started
    direct = itertools.cycle(
        [FakeAccountAPI(key, SECRET, PASSPHRASE, exchange=exchange) for key in account_keys()]
    ).__next__
    installed = real_sdk()
    exchange.install(installed)
    bodies = {"BTC": canned_body(["BTC"]), JOINED_20: canned_body(CURRENCIES_20)}
    static = static_sdk(bodies)
    for ccy, body in bodies.items():
        expected = json.loads(body)
        assert direct().get_max_withdrawal(ccy) == expected
        assert installed.get_max_withdrawal(ccy=ccy) == expected
        assert static.get_max_withdrawal(ccy=ccy) == expected
    variants: dict[str, tuple[Callable[[], object], int]] = {}
    for label, ccy in (("1", "BTC"), ("20", JOINED_20)):
        variants[f"static_{label}"] = (rotating(static, ccy), calls)
        variants[f"install_{label}"] = (rotating(installed, ccy), calls)
        variants[f"direct_{label}"] = (functools.partial(direct_call, direct, ccy), calls * 10)
    timings = side_by_side(variants, rounds)
    codes = {record.code for record in exchange.requests}
    assert codes == {"0"}, f"the fake answered {codes}: raise ROTATION"
    return {
        "accounts": ROTATION,
        "setup_s": setup_s,
        "requests": len(exchange.requests),
        "us_per_call": {name: statistics.median(t) * 1e6 for name, t in timings.items()},
        "direct_speedup_1": median_ratio(timings["static_1"], timings["direct_1"]),
        "direct_speedup_20": median_ratio(timings["static_20"], timings["direct_20"]),
        "install_vs_static_1": median_ratio(timings["install_1"], timings["static_1"]),
        "install_vs_static_20": median_ratio(timings["install_20"], timings["static_20"]),
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
    wrapper = results["wrapper"]
    fake = results["fake"]
    limiter = results["limiter"]
    retry = results["retry"]
    sleeps = retry["batch"]["real_sleeps_total"] + retry["default"]["real_sleeps_total"]
    return [
        ("1. wrapper / floor, 1 ccy (time)", f"{wrapper['vs_floor_1']:.2f}x", "<= 1.2x",
         wrapper["vs_floor_1"] <= 1.2),
        ("1. wrapper / floor, 20 ccy (time)", f"{wrapper['vs_floor_20']:.2f}x", "<= 1.2x",
         wrapper["vs_floor_20"] <= 1.2),
        ("1. wrapper over SDK / bare SDK, static mock, 1 ccy", f"{wrapper['vs_sdk_1']:.3f}x",
         "<= 1.1x", wrapper["vs_sdk_1"] <= 1.1),
        ("1. floor over SDK / bare SDK, static mock, 1 ccy",
         f"{wrapper['floor_vs_sdk_1']:.3f}x", "(reported)", True),
        ("2. FakeAccountAPI speed-up vs SDK on static mock, 1",
         f"{fake['direct_speedup_1']:.1f}x", ">= 10x", fake["direct_speedup_1"] >= 10),
        ("2. FakeAccountAPI speed-up vs SDK on static mock, 20",
         f"{fake['direct_speedup_20']:.1f}x", ">= 3x", fake["direct_speedup_20"] >= 3),
        ("2. SDK on install() / SDK on static mock, 1 ccy",
         f"{fake['install_vs_static_1']:.3f}x", "<= 1.2x", fake["install_vs_static_1"] <= 1.2),
        ("2. SDK on install() / SDK on static mock, 20 ccy",
         f"{fake['install_vs_static_20']:.3f}x", "<= 1.4x",
         fake["install_vs_static_20"] <= 1.4),
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
        ("4. real sleeps", str(sleeps), "0", sleeps == 0),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a smoke run)")
    args = parser.parse_args()
    rounds = 3 if args.quick else 21
    started = time.perf_counter()
    results = {
        "wrapper": bench_wrapper(rounds, calls=100 if args.quick else 300),
        "fake": bench_fake(rounds, calls=100 if args.quick else 300),
        "limiter": bench_limiter(rounds=3 if args.quick else 5),
        "retry": bench_retry(rounds=1 if args.quick else 3, calls=10_000),
        "suite": suite_speed.run(quick=args.quick),
        "ledger": ledger_speed.run(quick=args.quick),
    }
    rows = (table(results) + suite_speed.rows(results["suite"])
            + ledger_speed.rows(results["ledger"]))
    info = machine()
    print(f"okx-ext benchmarks: {info['cpu']}, {info['nproc']} CPU, "
          f"{info['implementation']} {info['python']}, median of {rounds} rounds")
    width = max(len(row[0]) for row in rows)
    print(f"{'measurement':<{width}}  {'result':>10}  {'goal':>10}  ok")
    for name, value, goal, met in rows:
        print(f"{name:<{width}}  {value:>10}  {goal:>10}  {'yes' if met else 'NO'}")
    for section in ("wrapper", "fake"):
        per_call = results[section]["us_per_call"]
        print(f"us/call ({section}): "
              + ", ".join(f"{name} {us:.1f}" for name, us in per_call.items()))
    for line in suite_speed.summary(results["suite"]) + ledger_speed.summary(results["ledger"]):
        print(line)
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
