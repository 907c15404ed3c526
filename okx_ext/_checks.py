"""The one check of a duration argument, shared by the policies that take seconds."""

from __future__ import annotations

import math


def check_seconds(where: str, value: object, *, allow_zero: bool = False) -> float:
    """Return ``value`` as seconds (a float); ValueError naming ``where`` unless it is fit.

    Fit means an int or float (not a bool), finite, and > 0 (>= 0 with ``allow_zero``).
    """
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value < 0
        or (value == 0 and not allow_zero)
    ):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{where} must be a finite number {bound}, got {value!r}")
    return float(value)
