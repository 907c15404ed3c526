"""The rate windows' sweep: when it runs, what it deletes, when it runs next."""

from __future__ import annotations

from okx_fakes._ratewindows import RateWindows


def _fill(windows: RateWindows, first: int, last: int, now: float) -> None:
    """Admit one request on each key ``k<first>`` .. ``k<last - 1>`` at ``now``."""
    for index in range(first, last):
        assert windows.admit("s", "uid", f"k{index}", now, 1)


def test_the_64th_window_triggers_a_sweep_of_the_stale_ones() -> None:
    windows = RateWindows({"s": 1.0})
    _fill(windows, 0, 64, 0.0)  # 63 windows at the last admit's check: no sweep yet
    assert len(windows) == 64
    _fill(windows, 64, 65, 5.0)  # 64 at this check: swept, all stale
    assert len(windows) == 1


def test_a_window_whose_newest_entry_is_exactly_one_length_old_is_swept() -> None:
    windows = RateWindows({"s": 1.0})
    _fill(windows, 0, 64, 0.0)
    _fill(windows, 64, 65, 1.0)  # 0.0 <= 1.0 - 1.0: stale, as pruning would find it
    assert len(windows) == 1


def test_the_next_sweep_waits_until_the_windows_have_doubled() -> None:
    windows = RateWindows({"s": 1.0})
    _fill(windows, 0, 64, 0.0)
    _fill(windows, 64, 65, 0.5)  # swept with all 64 live: next sweep at 128 windows
    assert len(windows) == 65
    _fill(windows, 65, 128, 1.2)  # k0..k63 are stale now, but no sweep below 128
    assert len(windows) == 128
    _fill(windows, 128, 129, 1.2)  # 128 at this check: k0..k63 swept, k64.. live
    assert len(windows) == 65
