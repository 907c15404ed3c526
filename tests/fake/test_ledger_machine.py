"""The exported LedgerMachine runs, holds its invariants, and can fail."""

from __future__ import annotations

import pytest
from hypothesis import settings
from hypothesis.errors import Flaky
from hypothesis.stateful import rule, run_state_machine_as_test
from okx_fakes.strategies import LedgerMachine

TestLedgerMachine = LedgerMachine.TestCase
TestLedgerMachine.settings = settings(max_examples=40, stateful_step_count=25, deadline=None)


class _Leaky(LedgerMachine):
    """A service bug: money created outside the seeding API."""

    @rule()
    def create_money(self) -> None:
        self.account.set_funding_balance("BTC", "1000000")  # not through seed_funding


def test_the_machine_catches_money_created_outside_seeding() -> None:
    with pytest.raises((AssertionError, Flaky)):
        run_state_machine_as_test(_Leaky, settings=settings(max_examples=50, deadline=None,
                                                            database=None))
