"""The one timer the benchmarks share: seconds per call, the garbage collector paused."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable


def time_calls(call: Callable[[], object], count: int) -> float:
    """Seconds per call of ``count`` calls, the garbage collector paused (as timeit does)."""
    gc.collect()
    gc.disable()
    try:
        started = time.perf_counter()
        for _ in range(count):
            call()
        return (time.perf_counter() - started) / count
    finally:
        gc.enable()
