"""Retry: what `make mutate` found the suite did not pin (see mutation/survivors.txt)."""

from __future__ import annotations

import re

import pytest

from okx_ext import Retry


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"attempts": 0}, "Retry.attempts must be an int >= 1, got 0"),
        ({"backoff": -0.1}, "Retry.backoff must be a finite number >= 0, got -0.1"),
        ({"max_delay": float("inf")}, "Retry.max_delay must be a finite number >= 0, got inf"),
        ({"jitter": 1.5}, "Retry.jitter must be between 0 and 1, got 1.5"),
        ({"max_elapsed_s": -1}, "Retry.max_elapsed_s must be a finite number >= 0, got -1"),
        ({"random": 0.5}, "Retry.random must be a zero-argument callable or None"),
    ],
)
def test_a_refused_policy_names_the_field_and_the_rule(
    kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        Retry(**kwargs)  # type: ignore[arg-type]
