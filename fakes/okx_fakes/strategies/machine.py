"""A Hypothesis state machine over one fake account's ledger, to extend with your service's rules.

:class:`LedgerMachine` drives a :class:`~okx_fakes.FakeExchange` through random
operations (seeding, transfers both ways with and without ``loanTrans``, pending transfers
and their settlement, withdrawals waiting, settled, canceled and lost, lost answers,
refused control calls, resets and transfers from several threads at once) and checks,
after every step, the ledger's invariants:

* per currency, trading cash + funding balance + in flight - borrowed + withdrawn
  changes only by what the seeding API deposits: what leaves by withdrawal is counted,
  nothing is created or lost;
* no amount goes negative, ``maxWd <= availBal`` and ``maxWdEx - maxWd <= maxLoan``;
* transfer ids are unique;
* every read shows a state that existed (a read taken while other threads transfer
  always sees the conserved totals, never a torn sum).

Subclass it and add rules for your own service; seed through :meth:`LedgerMachine.seed_trading`
and :meth:`LedgerMachine.seed_funding` so that the machine counts the deposit::

    from hypothesis.stateful import rule
    from okx_fakes.strategies import LedgerMachine

    class SweepMachine(LedgerMachine):
        @rule()
        def sweep(self):
            my_service.sweep(self.account_api, self.funding_api)   # your code

    TestSweep = SweepMachine.TestCase

The exchange runs on a clock that moves a second per reading (no rate limit is ever
hit by accident, no signature expires); ``max_skew_s`` is off.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from okx_fakes._accounts import FakeAccount
from okx_fakes._amounts import EXACT
from okx_fakes._api import FakeAccountAPI, FakeFundingAPI
from okx_fakes._control import ControlAPI
from okx_fakes._exchange import FakeExchange
from okx_fakes._facts import ACCOUNT_MODES, TRANSFER_PATH, WITHDRAWAL_PATH
from okx_fakes._ledger import FUNDING, PENDING, TRADING, Ledger
from okx_fakes._model import ExchangeState
from okx_fakes.strategies.payloads import amounts

__all__ = ["LedgerMachine"]

_KEY, _SECRET, _PASSPHRASE = "machine-key", "machine-secret", "machine-pass"
_START_S = 1_700_000_000.0
_AMOUNTS = amounts(max_integer_digits=6, max_fraction_digits=4)
_FRACTIONS = st.sampled_from(("0.5", "1", "1.5"))
_OK_OR_REFUSED = frozenset({"0", "58350", "58116", "58114", "58102"})


def _ticking_clock() -> Callable[[], float]:
    ticks = itertools.count()
    lock = threading.Lock()

    def clock() -> float:
        with lock:  # threads read it too: each reading is its own second
            return _START_S + next(ticks)
    return clock


def _totals(ledger: Ledger) -> dict[str, Decimal]:
    currencies = {*ledger.trading, *ledger.funding, *(r.ccy for r in ledger.pending())}
    return {ccy: ledger.totals(ccy) for ccy in currencies}


class LedgerMachine(RuleBasedStateMachine):
    """Random operations on one account, the ledger's invariants checked after each.

    Attributes for subclasses: ``exchange`` (a fresh :class:`~okx_fakes.FakeExchange`),
    ``account`` (its :class:`~okx_fakes.FakeAccount`), ``account_api`` and
    ``funding_api`` (:class:`~okx_fakes.FakeAccountAPI`/``FakeFundingAPI`` on it), and
    ``currencies`` (the pool the rules draw from). Seed with :meth:`seed_trading` and
    :meth:`seed_funding`; anything else your rules do must only move money.
    """

    currencies: tuple[str, ...] = ("BTC", "ETH", "USDT")

    def __init__(self) -> None:
        super().__init__()
        self.exchange = FakeExchange(clock=_ticking_clock(), max_skew_s=None)
        self.account: FakeAccount = self.exchange.add_account(_KEY, _SECRET, _PASSPHRASE,
                                                              mode="multi_currency")
        self.account_api = FakeAccountAPI(_KEY, _SECRET, _PASSPHRASE, exchange=self.exchange)
        self.funding_api = FakeFundingAPI(_KEY, _SECRET, _PASSPHRASE, exchange=self.exchange)
        self._control = ControlAPI(self.exchange)
        self._expected: dict[str, Decimal] = {}
        self._saved: tuple[ExchangeState, dict[str, Decimal]] | None = None
        self._client_ids = itertools.count()

    # -- seeding: the only way money enters or leaves the books --------------------------------

    def seed_trading(self, ccy: str, **amounts: Any) -> None:
        """``account.set_balance(ccy, **amounts)``, counting what it deposits."""
        self._deposit(ccy, lambda: self.account.set_balance(ccy, **amounts))

    def seed_funding(self, ccy: str, available: Any, *, frozen: Any = 0) -> None:
        """``account.set_funding_balance(...)``, counting what it deposits."""
        self._deposit(ccy, lambda: self.account.set_funding_balance(ccy, available,
                                                                    frozen=frozen))

    def _deposit(self, ccy: str, seed: Callable[[], None]) -> None:
        before = self._read(lambda ledger: ledger.totals(ccy))
        seed()
        after = self._read(lambda ledger: ledger.totals(ccy))
        self._expected[ccy] = EXACT.add(self._expected.get(ccy, Decimal(0)),
                                        EXACT.subtract(after, before))

    def _read(self, reader: Callable[[Ledger], Any]) -> Any:
        return self.exchange.read_account(self.account.uid, reader)

    # -- rules ----------------------------------------------------------------------------------

    @initialize(ccy=st.sampled_from(currencies), available=_AMOUNTS, funding=_AMOUNTS)
    def open_balances(self, ccy: str, available: str, funding: str) -> None:
        """Start with something on both sides of one currency."""
        self.seed_trading(ccy, available=available)
        self.seed_funding(ccy, funding)

    @rule(ccy=st.sampled_from(currencies), available=_AMOUNTS,
          frozen=st.sampled_from(("0", "1", "0.25")), margin=st.sampled_from(("0", "0.5")),
          borrowable=st.sampled_from(("0", "2")), borrowed=st.sampled_from(("0", "1")))
    def seed_a_trading_row(self, ccy: str, available: str, frozen: str, margin: str,
                           borrowable: str, borrowed: str) -> None:
        """Seed a whole trading row: frozen, margin and loans included."""
        self.seed_trading(ccy, available=available, frozen=frozen, margin=margin,
                          borrowable=borrowable, borrowed=borrowed)

    @rule(ccy=st.sampled_from(currencies), available=_AMOUNTS,
          frozen=st.sampled_from(("0", "0.5")))
    def seed_a_funding_row(self, ccy: str, available: str, frozen: str) -> None:
        """Seed a funding row, part of it frozen."""
        self.seed_funding(ccy, available, frozen=frozen)

    @rule(mode=st.sampled_from(ACCOUNT_MODES))
    def switch_mode(self, mode: str) -> None:
        """Switch the account mode: answers change, the books do not."""
        self.account.set_mode(mode)

    @rule(ccy=st.sampled_from(currencies), fraction=_FRACTIONS, loan=st.booleans())
    def transfer_out(self, ccy: str, fraction: str, loan: bool) -> None:
        """Transfer a fraction of what may move from trading to funding."""
        bound = self.account.transferable(ccy, loan=loan)
        amt = EXACT.multiply(bound, Decimal(fraction)) if bound > 0 else Decimal(1)
        answer = self.funding_api.funds_transfer(ccy, f"{amt:f}", TRADING, FUNDING,
                                                 loanTrans=loan)
        expected = "0" if 0 < amt <= bound else ("58114" if amt <= 0 else "58350")
        assert answer["code"] == expected, (answer, amt, bound)

    @rule(ccy=st.sampled_from(currencies), fraction=_FRACTIONS)
    def transfer_in(self, ccy: str, fraction: str) -> None:
        """Transfer a fraction of the funding balance back to trading."""
        held = self.account.funding_balance(ccy)
        amt = EXACT.multiply(held, Decimal(fraction)) if held > 0 else Decimal(1)
        answer = self.funding_api.funds_transfer(ccy, f"{amt:f}", FUNDING, TRADING)
        assert answer["code"] == ("0" if amt <= held else "58116"), (answer, amt, held)

    @rule(times=st.integers(1, 3))
    def pend_next_transfers(self, times: int) -> None:
        """Leave the next transfers pending."""
        self.exchange.pend_next_transfers(times)

    @precondition(lambda self: any(t.state == PENDING for t in self.account.transfers))
    @rule(state=st.sampled_from(("success", "failed")), data=st.data())
    def settle_one(self, state: str, data: st.DataObject) -> None:
        """Settle one pending transfer, as OKX would."""
        pending = [t for t in self.account.transfers if t.state == PENDING]
        chosen = data.draw(st.sampled_from(pending))
        assert self.exchange.settle_transfer(chosen.trans_id, state).state == state

    @rule(ccy=st.sampled_from(currencies))
    def lose_an_answer(self, ccy: str) -> None:
        """Lose the answer of a transfer OKX applies; find it again by its clientId."""
        amt = self.account.funding_balance(ccy)
        if amt <= 0:
            return
        client_id = f"lost{next(self._client_ids)}"
        self.exchange.fail_next_network(path=TRANSFER_PATH, after_answer=True)
        params = {"ccy": ccy, "amt": f"{amt:f}", "from": FUNDING, "to": TRADING,
                  "clientId": client_id}
        try:
            self.funding_api._request_with_params("POST", TRANSFER_PATH, params)
        except httpx.ConnectError:
            pass
        else:
            raise AssertionError("the answer should have been lost")
        found = self.funding_api._request_with_params(
            "GET", "/api/v5/asset/transfer-state", {"clientId": client_id})
        assert found["code"] == "0" and found["data"][0]["amt"] == f"{amt.normalize():f}"

    @rule(ccy=st.sampled_from(currencies), fraction=_FRACTIONS, internal=st.booleans(),
          waiting=st.booleans(), lost=st.booleans())
    def withdraw(self, ccy: str, fraction: str, internal: bool, waiting: bool,
                 lost: bool) -> None:
        """Withdraw part of the funding balance; maybe left waiting, maybe its answer lost."""
        chains = [row for row in self.exchange.chains if row.ccy == ccy]
        if not chains:
            return
        row = next((chain for chain in chains if chain.main_net), chains[0])
        fee = Decimal(0) if internal else row.fee
        free = self.account.funding_balance(ccy)
        amt = EXACT.multiply(max(Decimal(0), EXACT.subtract(free, fee)), Decimal(fraction))
        amt = amt.quantize(Decimal(1).scaleb(-row.wd_tick_sz), rounding="ROUND_DOWN")
        low = row.min_internal if internal else row.min_wd
        if amt < low or (not internal and amt > row.max_wd):
            return  # the chain's bounds: tested on their own, not the ledger's business
        expected = "0" if EXACT.add(amt, fee) <= free else "58350"
        if waiting:
            self.exchange.pend_next_withdrawals()  # a refused one leaves it for the next
        client_id = f"wd{next(self._client_ids)}"
        if lost and expected == "0":
            self.exchange.fail_next_network(path=WITHDRAWAL_PATH, after_answer=True)
        try:
            answer = self.funding_api.withdrawal(ccy, f"{amt:f}", "3" if internal else "4",
                                                 "friend@example.com" if internal else "addr",
                                                 chain=row.chain, clientId=client_id)
        except httpx.ConnectError:
            # The answer was lost: the history, asked by clientId, tells what happened.
            answer = self.funding_api.get_withdrawal_history(clientId=client_id)
        assert answer["code"] == expected, (answer, amt, fee, free)

    @precondition(lambda self: any(w.state == "0" for w in self.account.withdrawals))
    @rule(state=st.sampled_from(("success", "failed", "canceled", "cancel")), data=st.data())
    def settle_a_withdrawal(self, state: str, data: st.DataObject) -> None:
        """Settle (or cancel through the route) one waiting withdrawal."""
        waiting = [w for w in self.account.withdrawals if w.state == "0"]
        chosen = data.draw(st.sampled_from(waiting))
        if state == "cancel":
            answer = self.funding_api.cancel_withdrawal(chosen.wd_id)
            assert answer["code"] == "0" and answer["data"] == [{"wdId": chosen.wd_id}]
        else:
            self.exchange.settle_withdrawal(chosen.wd_id, state)

    @rule(body=st.sampled_from((b'{"available": "-1"}', b'{"available": "1", "x": 1}',
                                b'{"nope"')))
    def refused_control_write(self, body: bytes) -> None:
        """Refuse a control write: it changes nothing."""
        before = self.exchange.snapshot()
        answer = self._control.handle("PUT", f"/_fake/accounts/{_KEY}/balances/BTC", body)
        assert answer.status == 400
        assert self.exchange.snapshot() == before

    @rule()
    def save(self) -> None:
        """Take a snapshot to go back to later."""
        self._saved = (self.exchange.snapshot(), dict(self._expected))

    @precondition(lambda self: self._saved is not None)
    @rule()
    def reset(self) -> None:
        """Go back to the saved snapshot (a test's reset)."""
        assert self._saved is not None
        state, expected = self._saved
        self.exchange.restore(state)
        self._expected = dict(expected)

    @rule(ccy=st.sampled_from(currencies), rounds=st.integers(1, 8))
    def transfer_from_threads(self, ccy: str, rounds: int) -> None:
        """Two threads move money both ways while a third reads: no read is torn."""
        torn: list[object] = []
        done = threading.Event()
        expected = self._expected.get(ccy, Decimal(0))

        def mover(from_: str, to: str) -> None:
            for _ in range(rounds):
                answer = self.funding_api.funds_transfer(ccy, "0.5", from_, to)
                if answer["code"] not in _OK_OR_REFUSED:
                    torn.append(answer)

        def reader() -> None:
            while not done.is_set():
                total = self._read(lambda ledger: ledger.totals(ccy))
                if total != expected:
                    torn.append(total)

        watcher = threading.Thread(target=reader)
        watcher.start()
        movers = [threading.Thread(target=mover, args=(TRADING, FUNDING)),
                  threading.Thread(target=mover, args=(FUNDING, TRADING))]
        for thread in movers:
            thread.start()
        for thread in movers:
            thread.join()
        done.set()
        watcher.join()
        assert torn == []

    # -- invariants ---------------------------------------------------------------------------

    @invariant()
    def totals_change_only_by_deposits(self) -> None:
        """Per currency: cash + funding + in flight - borrowed = what was deposited."""
        totals = self._read(_totals)
        for ccy in {*totals, *self._expected}:
            assert totals.get(ccy, Decimal(0)) == self._expected.get(ccy, Decimal(0)), ccy

    @invariant()
    def nothing_is_negative_and_answers_agree(self) -> None:
        """No amount below 0; maxWd <= availBal and maxWdEx - maxWd <= maxLoan."""
        def check(ledger: Ledger) -> None:
            for ccy, row in ledger.trading.items():
                assert min(row.cash, row.frozen, row.margin, row.liab, row.max_loan) >= 0, ccy
                if row.pin is None:
                    entry = row.entry(ledger.mode)
                    assert Decimal(entry.max_wd) <= row.avail_bal, ccy
                    if entry.max_wd_ex:
                        gap = EXACT.subtract(Decimal(entry.max_wd_ex), Decimal(entry.max_wd))
                        assert gap <= row.max_loan, ccy
            for ccy, funding in ledger.funding.items():
                assert min(funding.bal, funding.frozen, funding.avail_bal) >= 0, ccy
        self._read(check)

    @invariant()
    def transfer_ids_are_unique(self) -> None:
        """Every transfer id is handed out once."""
        ids = [t.trans_id for t in self.account.transfers]
        assert len(ids) == len(set(ids))
