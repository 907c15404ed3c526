"""Soak and abuse figures of the fake server: `make soak`, about 55 s, loopback only.

    python benchmarks/soak.py [--seconds 5] [--trials 8]

Every phase runs the standalone server as a subprocess (`python -m okx_fakes --port 0
--accounts FILE`, 50 accounts) and stops by itself; every loop is bounded in count and
time. Phases:

1. Load: 32 client threads for --seconds, each signed request on a NEW connection,
   rotating over the 50 accounts: p50/p99 latency, admitted vs 50011.
2. Rate limit: POST /_fake/reset, then 4 threads on one account (at most 950 requests,
   within the server's 1,000 kept records), then the records from GET /_fake/requests:
   no 21st admission in
   any 2 s window, and every 50011 answered while 20 were admitted in the 2 s before.
3. Log: after SIGTERM, the server's stderr has exactly one whole line per request of
   phases 1-2 (parsed; anything else counts as merged).
4. SIGTERM under load, --trials times: the time from the signal to the process's exit.
5. Stop with 40 idle keep-alive connections and 1 unfinished request open.
6. Slow headers: 50 connections trickling 99 headers of 64 KB each (reconnecting when
   refused) for --seconds: the server's peak RSS and thread count, sampled from /proc.
7. Slow clients: 200 connections each sending one header byte every 10 s, for 12 s: the
   latency of a normal request meanwhile (one a second), and how many of the 200 the
   server timed out (its 10 s header deadline).

Prints a table of figures against the issue's goals; exit 1 if a goal is missed.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import selectors
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from okx_fakes._auth import format_timestamp, prehash, sign

PATH = "/api/v5/account/max-withdrawal"
ACCOUNTS = 50
CLIENTS = 32
LOG_LINE = re.compile(r"[A-Z]+ \S+ -> (?:\d{3} code=\S+|connection dropped)")
NOTES = re.compile(r"python -m okx_fakes: (?:serving|stopped)")


def accounts_document() -> dict[str, Any]:
    return {"accounts": [
        {"api_key": f"soak-key-{n}", "secret_key": f"soak-secret-{n}",
         "passphrase": f"soak-pass-{n}", "mode": "multi_currency",
         "balances": {"BTC": {"available": "1.5", "borrowable": "0.5"}}}
        for n in range(ACCOUNTS)
    ]}


class Server:
    """`python -m okx_fakes` as a subprocess, stderr to a file."""

    def __init__(self, accounts_file: Path, log_file: Path) -> None:
        self.log_file = log_file
        self._stderr = log_file.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "okx_fakes", "--port", "0", "--accounts", str(accounts_file)],
            stdout=subprocess.PIPE, stderr=self._stderr, text=True,
        )
        assert self.process.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            if not selector.select(15):
                self.process.kill()
                raise SystemExit("the server printed no URL in 15 s")
        self.url = self.process.stdout.readline().strip()
        host, port = self.url.removeprefix("http://").rsplit(":", 1)
        self.address = (host, int(port))

    def terminate(self) -> float:
        """SIGTERM; return the seconds until the process exited (30 s bound: then killed)."""
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return float("inf")
        finally:
            self._stderr.close()
        return time.monotonic() - started

    def proc_status(self) -> tuple[int, int]:
        """(RSS in KiB, thread count) of the server process."""
        fields = dict(line.split(":", 1) for line in
                      Path(f"/proc/{self.process.pid}/status").read_text().splitlines())
        return int(fields["VmRSS"].split()[0]), int(fields["Threads"])


def signed_get(address: tuple[str, int], n: int, ccy: str = "BTC") -> tuple[float, str]:
    """One signed request on a new connection: (seconds, OKX code or 'error:...')."""
    target = f"{PATH}?ccy={ccy}"
    timestamp = format_timestamp(time.time())
    headers = {"OK-ACCESS-KEY": f"soak-key-{n}", "OK-ACCESS-PASSPHRASE": f"soak-pass-{n}",
               "OK-ACCESS-TIMESTAMP": timestamp, "x-simulated-trading": "1",
               "OK-ACCESS-SIGN": sign(f"soak-secret-{n}", prehash(timestamp, "GET", target))}
    started = time.perf_counter()
    connection = http.client.HTTPConnection(*address, timeout=10)
    try:
        connection.request("GET", target, headers=headers)
        body = connection.getresponse().read()
        code = str(json.loads(body)["code"])
    except (OSError, http.client.HTTPException, ValueError) as exc:
        code = f"error:{type(exc).__name__}"
    finally:
        connection.close()
    return time.perf_counter() - started, code


def control_request(address: tuple[str, int], method: str,
                    path: str = "/_fake/requests") -> Any:
    connection = http.client.HTTPConnection(*address, timeout=10)
    try:
        # The control API takes only JSON for anything but a GET (no cross-site form posts).
        connection.request(method, path, headers={"content-type": "application/json"})
        return json.loads(connection.getresponse().read())
    finally:
        connection.close()


def load(address: tuple[str, int], seconds: float, clients: int = CLIENTS,
         accounts: list[int] | None = None, pause_s: float = 0.0,
         max_requests: int | None = None) -> list[tuple[float, str]]:
    """Run ``clients`` threads for ``seconds`` (or until ``max_requests``); every result."""
    rotation = accounts or list(range(ACCOUNTS))
    results: list[tuple[float, str]] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(index: int) -> None:
        turn = index
        while time.monotonic() < deadline:
            with lock:
                if max_requests is not None and len(results) >= max_requests:
                    return
            result = signed_get(address, rotation[turn % len(rotation)])
            turn += clients
            with lock:
                results.append(result)
            if pause_s:
                time.sleep(pause_s)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def rate_limit_violations(records: list[dict[str, Any]], limit: int = 20,
                          window_s: float = 2.0) -> tuple[int, int, int, int]:
    """(admitted, 50011, over-admissions, unjustified 50011) for one uid's records."""
    admitted = sorted(r["time"] for r in records if r["code"] == "0")
    rejected = [r["time"] for r in records if r["code"] == "50011"]
    over = sum(1 for i in range(len(admitted) - limit)
               if admitted[i + limit] - admitted[i] < window_s)
    unjustified = sum(1 for t in rejected
                      if sum(1 for a in admitted if t - window_s < a <= t) < limit)
    return len(admitted), len(rejected), over, unjustified


@contextlib.contextmanager
def open_connections(address: tuple[str, int], idle: int) -> Iterator[list[socket.socket]]:
    """``idle`` keep-alive connections (one answered request each) and 1 unfinished request."""
    sockets = []
    try:
        for _ in range(idle):
            connection = socket.create_connection(address, timeout=5)
            connection.sendall(b"GET / HTTP/1.1\r\nHost: soak\r\n\r\n")
            connection.recv(65536)
            sockets.append(connection)
        unfinished = socket.create_connection(address, timeout=5)
        unfinished.sendall(b"GET " + PATH.encode() + b" HTTP/1.1\r\nHost: soak\r\nX-Half: ")
        sockets.append(unfinished)
        time.sleep(0.1)  # let the server take them in
        yield sockets
    finally:
        for connection in sockets:
            connection.close()


def slow_headers(server: Server, seconds: float, connections: int = 50) -> dict[str, float]:
    """Trickle 99 headers of 64 KB on each connection; sample the server's RSS and threads."""
    header = b"X-Pad: " + b"a" * (64 * 1024 - 9) + b"\r\n"
    request = b"GET " + PATH.encode() + b" HTTP/1.1\r\nHost: soak\r\n" + header * 99
    chunk = 4096
    rss_before, threads_before = server.proc_status()
    peak_rss, peak_threads = rss_before, threads_before
    sent: dict[socket.socket, int] = {}
    refused = 0

    def connect() -> None:
        connection = socket.create_connection(server.address, timeout=5)
        connection.setblocking(False)
        sent[connection] = 0

    for _ in range(connections):
        connect()
    deadline = time.monotonic() + seconds
    next_sample = 0.0
    while time.monotonic() < deadline:
        for connection in list(sent):
            try:
                offset = sent[connection]
                sent[connection] += connection.send(request[offset:offset + chunk])
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:  # the server refused (431) and closed it: come back
                refused += 1
                del sent[connection]
                connection.close()
                connect()
        if time.monotonic() >= next_sample:
            rss, threads = server.proc_status()
            peak_rss, peak_threads = max(peak_rss, rss), max(peak_threads, threads)
            next_sample = time.monotonic() + 0.1
        time.sleep(0.005)
    probe = signed_get(server.address, 0)  # still answering during the attack
    for connection in sent:
        connection.close()
    return {"rss_before_mib": rss_before / 1024, "peak_rss_mib": peak_rss / 1024,
            "threads_before": threads_before, "peak_threads": peak_threads,
            "refused": refused, "probe_ms": probe[0] * 1000, "probe_code": probe[1]}


def slow_clients(server: Server, connections: int = 200, seconds: float = 12.0,
                 byte_every_s: float = 10.0) -> dict[str, float]:
    """Hold ``connections`` sending one header byte every ``byte_every_s``; probe meanwhile."""
    slow: dict[socket.socket, bool] = {}  # socket -> closed by the server
    for _ in range(connections):
        connection = socket.create_connection(server.address, timeout=5)
        connection.sendall(b"G")
        connection.setblocking(False)
        slow[connection] = False
    started = time.monotonic()
    next_byte = started + byte_every_s
    probes: list[float] = []
    codes: set[str] = set()
    while time.monotonic() - started < seconds:
        elapsed, code = signed_get(server.address, len(probes) % ACCOUNTS)
        probes.append(elapsed)
        codes.add(code)
        if time.monotonic() >= next_byte:
            next_byte += byte_every_s
            for connection, closed in slow.items():
                if not closed:
                    with contextlib.suppress(OSError):
                        connection.send(b"E")
        for connection, closed in slow.items():
            if closed:
                continue
            try:
                connection.recv(65536)  # the 408, or EOF: the server is done with it
                slow[connection] = True
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:  # reset after the 408: closed all the same
                slow[connection] = True
        time.sleep(max(0.0, 1.0 - elapsed))
    for connection in slow:
        connection.close()
    return {"max_probe_ms": max(probes) * 1000, "median_probe_ms":
            statistics.median(probes) * 1000, "probes": len(probes),
            "timed_out": sum(slow.values()), "connections": connections,
            "probe_codes": len(codes - {"0"})}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--trials", type=int, default=8)
    options = parser.parse_args()
    rows: list[tuple[str, str, str, bool]] = []
    with tempfile.TemporaryDirectory() as scratch:
        accounts_file = Path(scratch) / "accounts.json"
        accounts_file.write_text(json.dumps(accounts_document()))

        # 1-3. load, rate limit and the log, on one server.
        server = Server(accounts_file, Path(scratch) / "load.log")
        results = load(server.address, options.seconds)
        latencies = [seconds for seconds, _ in results]
        codes = [code for _, code in results]
        p50, p99 = percentile(latencies, 0.50) * 1000, percentile(latencies, 0.99) * 1000
        errors = sum(code.startswith("error") for code in codes)
        rows.append(("p99 latency, 32 clients, new connection each",
                     f"{p99:.1f} ms (p50 {p50:.1f} ms, {len(results)} requests, "
                     f"{len(results) / options.seconds:.0f}/s, {errors} errors)",
                     "<= 100 ms", p99 <= 100 and errors == 0))
        admitted_load = codes.count("0")
        limited_load = codes.count("50011")

        # The reset empties the rate windows the load phase filled, and the records.
        control_request(server.address, "POST", "/_fake/reset")
        rate = load(server.address, options.seconds, clients=4, accounts=[7], pause_s=0.04,
                    max_requests=950)
        records = control_request(server.address, "GET")["requests"]
        uid_records = [r for r in records if r["path"] == PATH]
        admitted, limited, over, unjustified = rate_limit_violations(uid_records)
        rows.append(("rate limit 20 per 2 s per uid exact",
                     f"{admitted} admitted, {limited} 50011 of {len(rate)} on one uid; "
                     f"{over} over-admitted, {unjustified} unjustified 50011 "
                     f"(load phase: {admitted_load} admitted, {limited_load} 50011)",
                     "0 and 0", over == 0 and unjustified == 0 and len(uid_records) == len(rate)))

        server.terminate()
        lines = server.log_file.read_text().splitlines()
        request_lines = sum(1 for line in lines if LOG_LINE.fullmatch(line))
        other = [line for line in lines if not LOG_LINE.fullmatch(line)
                 and not NOTES.match(line)]
        expected = len(results) + len(rate) + 2  # and the two control requests
        rows.append(("log: one whole line per request",
                     f"{request_lines} lines for {expected} requests, {len(other)} malformed",
                     "equal, 0 malformed", request_lines == expected and not other))

        # 4. SIGTERM under load.
        stops = []
        for trial in range(options.trials):
            server = Server(accounts_file, Path(scratch) / f"stop-{trial}.log")
            loader = threading.Thread(target=load, args=(server.address, 1.5))
            loader.start()
            time.sleep(0.7)
            stops.append(server.terminate())
            loader.join()
        rows.append((f"SIGTERM under load, {options.trials} trials",
                     f"max {max(stops):.3f} s, median {statistics.median(stops):.3f} s",
                     "every trial <= 1 s", max(stops) <= 1.0))

        # 5. stop with idle and unfinished connections.
        idle_stops = []
        for trial in range(3):
            server = Server(accounts_file, Path(scratch) / f"idle-{trial}.log")
            with open_connections(server.address, 40):
                idle_stops.append(server.terminate())
        rows.append(("stop, 40 idle connections + 1 unfinished request",
                     f"max {max(idle_stops):.3f} s over 3 trials", "<= 1 s",
                     max(idle_stops) <= 1.0))

        # 6. slow headers.
        server = Server(accounts_file, Path(scratch) / "slow.log")
        attack = slow_headers(server, options.seconds)
        server.terminate()
        bounded = attack["peak_rss_mib"] - attack["rss_before_mib"] < 64 and (
            attack["peak_threads"] <= attack["threads_before"] + 2)
        rows.append(("slow headers: 50 connections x 99 headers of 64 KB",
                     f"RSS {attack['rss_before_mib']:.0f} -> peak {attack['peak_rss_mib']:.0f} "
                     f"MiB, threads {attack['threads_before']:.0f} -> peak "
                     f"{attack['peak_threads']:.0f}, {attack['refused']:.0f} refused (431), "
                     f"a request meanwhile {attack['probe_ms']:.1f} ms code="
                     f"{attack['probe_code']}",
                     "bounded (< +64 MiB, no new threads)", bounded))

        # 7. slow clients.
        server = Server(accounts_file, Path(scratch) / "slow-clients.log")
        held = slow_clients(server)
        server.terminate()
        rows.append(("slow clients: 200 x one header byte every 10 s, 12 s",
                     f"a normal request meanwhile max {held['max_probe_ms']:.1f} ms (median "
                     f"{held['median_probe_ms']:.1f} ms, {held['probes']:.0f} probes, "
                     f"{held['probe_codes']:.0f} not code=0); {held['timed_out']:.0f} of "
                     f"{held['connections']:.0f} timed out (408) by the 10 s deadline",
                     "<= 1 s; all 200 timed out",
                     held["max_probe_ms"] <= 1000 and held["probe_codes"] == 0
                     and held["timed_out"] == held["connections"]))

    print(f"okx_fakes server soak ({os.cpu_count()} CPUs, Python "
          f"{sys.version.split()[0]}, {options.seconds:g} s phases)\n")
    width = max(len(row[0]) for row in rows)
    for figure, measured, goal, met in rows:
        print(f"{figure:<{width}}  {'met ' if met else 'MISS'}  {measured}  [goal: {goal}]")
    return 0 if all(row[3] for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
