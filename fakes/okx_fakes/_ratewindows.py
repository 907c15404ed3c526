"""Rate limits: one sliding window per (scope, uid, extra key part) on the fake's clock."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping

__all__ = ["RateWindows"]

# Below this many windows a sweep is not worth its O(n).
_MIN_SWEEP_AT = 64


class RateWindows:
    """Sliding windows: each admits ``limit`` requests per its scope's length in seconds.

    ``lengths`` maps a scope (the exchange uses the route's path) to its window length.
    A refused request is not counted. Not locked itself: the exchange calls it under its
    lock, in the same critical section as the handler.
    """

    def __init__(self, lengths: Mapping[str, float]) -> None:
        self._lengths = dict(lengths)
        self._windows: dict[tuple[str, str, str], deque[float]] = {}
        self._sweep_at = _MIN_SWEEP_AT

    def __len__(self) -> int:
        return len(self._windows)

    def admit(self, scope: str, uid: str, extra: str, now: float, limit: int) -> bool:
        """Count a request at ``now`` and return True, or return False (not counted) if full."""
        self._sweep(now)
        window = self._windows.setdefault((scope, uid, extra), deque())
        while window and window[0] <= now - self._lengths[scope]:
            window.popleft()
        if len(window) >= limit:
            return False
        window.append(now)
        return True

    def clear(self) -> None:
        """Empty every window."""
        self._windows.clear()

    def _sweep(self, now: float) -> None:
        """Delete every window pruning would leave empty, once the windows have doubled.

        Amortised O(1) per request: windows of currencies or uids never asked again would
        otherwise be kept forever.
        """
        if len(self._windows) < self._sweep_at:
            return
        for key, window in list(self._windows.items()):
            if not window or window[-1] <= now - self._lengths[key[0]]:
                del self._windows[key]
        self._sweep_at = max(_MIN_SWEEP_AT, 2 * len(self._windows))
