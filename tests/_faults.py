"""A fault injector around FakeAccountAPI: a share of calls meets a transient fault.

Used by the tests and by benchmarks/run.py (which puts tests/ on sys.path). The faults
are the fake's own (`fail_next`, `fail_next_network`), queued just before the call, so
they travel the same path as any injected fault; the draws come from a seeded
generator, so a single-threaded run is reproducible.
"""

from __future__ import annotations

import random
import threading
from typing import Any

from okx_fakes import FakeAccountAPI

# OKX's transient answers, and a dropped connection (None).
TRANSIENT_FAULTS: tuple[int | None, ...] = (50011, 50001, 50004, 50013, 50026, None)


class FlakyAccountAPI:
    """Wraps a FakeAccountAPI; each call first meets a transient fault with `fault_rate`."""

    def __init__(self, api: FakeAccountAPI, fault_rate: float, seed: int = 0) -> None:
        self.api = api
        self.fault_rate = fault_rate
        self.faults_injected = 0
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    def get_max_withdrawal(self, ccy: str = "") -> Any:
        with self._lock:
            if self._random.random() < self.fault_rate:
                fault = self._random.choice(TRANSIENT_FAULTS)
                if fault is None:
                    self.api.exchange.fail_next_network()
                else:
                    self.api.exchange.fail_next(fault)
                self.faults_injected += 1
        return self.api.get_max_withdrawal(ccy)
