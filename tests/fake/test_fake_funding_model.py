"""The transfer invariant, as properties and as a state machine.

A transfer 18 -> 6 of ``amt`` succeeds exactly when 0 < amt <= maxWd (maxWdEx with
loanTrans in a mode that can borrow), moves exactly ``amt``, and the next max-withdrawal
answer is lower by exactly ``amt`` (maxWd by what was available of it); the borrowed part
lowers what can still be borrowed. 6 -> 18 succeeds exactly when amt <= the funding
balance. Across both accounts, available + funding - borrowed never changes, nor does
borrowed + borrowable. Everything is observed through the API (FakeAccountAPI and
FakeFundingAPI), as a downstream suite would.
"""

from __future__ import annotations

import decimal
from decimal import Decimal

from fake_support import DEMO_KEY, DEMO_PASSPHRASE, DEMO_SECRET
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from okx_fakes import FakeAccountAPI, FakeExchange, FakeFundingAPI
from okx_fakes import strategies as okx_st
from okx_fakes.strategies import ACCOUNT_MODES

START_S = 1_700_000_000.0
EXACT = decimal.Context(prec=200)
BORROWING_MODES = {"spot", "multi_currency", "portfolio"}
CCY_POOL = ("BTC", "ETH", "USDT")
AMOUNTS = okx_st.amounts(max_integer_digits=20, max_fraction_digits=10)


class Clock:
    def __init__(self) -> None:
        self.now_s = START_S

    def __call__(self) -> float:
        return self.now_s


class Apis:
    """One account, its two clients, and a clock that steps past every rate window."""

    def __init__(self, mode: str) -> None:
        self.clock = Clock()
        self.exchange = FakeExchange(clock=self.clock, max_skew_s=None)
        self.account = self.exchange.add_account(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE,
                                                 mode=mode)
        self.reads = FakeAccountAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE,
                                    exchange=self.exchange)
        self.funding = FakeFundingAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE,
                                      exchange=self.exchange)

    def answer(self, ccy: str) -> tuple[Decimal, Decimal | None]:
        self.clock.now_s += 1
        [row] = self.reads.get_max_withdrawal(ccy)["data"]
        return Decimal(row["maxWd"]), Decimal(row["maxWdEx"]) if row["maxWdEx"] else None

    def funding_balance(self, ccy: str) -> Decimal:
        self.clock.now_s += 1
        rows = self.funding.get_balances(ccy)["data"]
        return Decimal(rows[0]["availBal"]) if rows else Decimal(0)

    def transfer(self, ccy: str, amt: str, from_: str, to: str, loan_trans: object) -> str:
        self.clock.now_s += 1
        return str(self.funding.funds_transfer(ccy, amt, from_, to, loanTrans=loan_trans)["code"])


@st.composite
def out_cases(draw: st.DrawFn) -> tuple[str, str, str, str, object]:
    """(mode, available, borrowable, amt, loanTrans), amt often on or next to a bound."""
    mode = draw(st.sampled_from(ACCOUNT_MODES))
    available, borrowable = draw(AMOUNTS), draw(AMOUNTS)
    near = draw(st.sampled_from((available, format(EXACT.add(Decimal(available),
                                                             Decimal(borrowable)), "f"))))
    nudge = draw(st.sampled_from(("0", "0.0000000001", "-0.0000000001")))
    amt = f"{EXACT.add(Decimal(near), Decimal(nudge)):f}"
    amt = draw(st.one_of(st.just(amt), okx_st.transfer_amounts(max_integer_digits=20)))
    return mode, available, borrowable, amt, draw(okx_st.loan_trans_values())


@settings(max_examples=300)
@given(out_cases())
def test_a_transfer_out_succeeds_exactly_within_the_bound_and_moves_exactly(case):
    mode, available, borrowable, amt_text, loan_trans = case
    apis = Apis(mode)
    apis.account.set_balance("BTC", available=available, borrowable=borrowable)
    amt = Decimal(amt_text)
    before_wd, before_ex = apis.answer("BTC")
    loan = loan_trans in (True, "true") and mode in BORROWING_MODES
    bound = before_ex if loan and before_ex is not None else before_wd

    code = apis.transfer("BTC", amt_text, "18", "6", loan_trans)

    after_wd, after_ex = apis.answer("BTC")
    if not 0 < amt <= bound:
        assert code == ("58114" if amt <= 0 else "58350")
        assert (after_wd, after_ex, apis.funding_balance("BTC")) == (before_wd, before_ex, 0)
        return
    assert code == "0"
    assert apis.funding_balance("BTC") == amt
    assert after_wd == EXACT.subtract(before_wd, min(amt, before_wd))
    if before_ex is not None:
        assert after_ex == EXACT.subtract(before_ex, amt)
    loaned = max(Decimal(0), EXACT.subtract(amt, Decimal(available)))
    state = apis.account.trading_balance("BTC")
    assert state.borrowed == loaned
    assert state.borrowable == EXACT.subtract(Decimal(borrowable), loaned)


@settings(max_examples=150)
@given(AMOUNTS, okx_st.transfer_amounts(max_integer_digits=20), st.sampled_from(ACCOUNT_MODES))
def test_a_transfer_in_succeeds_exactly_within_the_funding_balance(held, amt_text, mode):
    apis = Apis(mode)
    apis.account.set_funding_balance("ETH", held)
    amt = Decimal(amt_text)

    code = apis.transfer("ETH", amt_text, "6", "18", "")

    if amt <= Decimal(held):
        assert code == "0"
        assert apis.funding_balance("ETH") == EXACT.subtract(Decimal(held), amt)
        assert apis.answer("ETH")[0] == amt
    else:
        assert code == "58116"
        assert apis.funding_balance("ETH") == Decimal(held)


@settings(max_examples=150)
@given(AMOUNTS, AMOUNTS, okx_st.transfer_amounts(max_integer_digits=20),
       okx_st.loan_trans_values())
def test_pinned_values_bound_transfers_and_drop_by_the_amount(max_wd, extra, amt_text, loan):
    apis = Apis("portfolio")
    max_wd_ex = f"{EXACT.add(Decimal(max_wd), Decimal(extra)):f}"
    apis.account.set_max_withdrawal("OKB", max_wd, max_wd_ex, max_wd, max_wd_ex)
    amt = Decimal(amt_text)
    bound = Decimal(max_wd_ex) if loan in (True, "true") else Decimal(max_wd)
    before = apis.account.entry("OKB")

    code = apis.transfer("OKB", amt_text, "18", "6", loan)

    entry = apis.account.entry("OKB")
    if amt <= bound:
        assert code == "0"
        dropped = [max(Decimal(0), EXACT.subtract(Decimal(v), amt)) for v in (max_wd, max_wd_ex)]
        assert [Decimal(entry.max_wd), Decimal(entry.max_wd_ex)] == dropped
        assert [Decimal(entry.spot_offset_max_wd), Decimal(entry.spot_offset_max_wd_ex)] == dropped
    else:
        assert code == "58350"
        assert entry == before


class TransferMachine(RuleBasedStateMachine):
    """Transfers both ways, re-funding, pinning and mode switches on one account.

    The machine keeps, per currency, the two quantities no transfer may change: the net
    holding (available + funding - borrowed) and the credit line (borrowed + borrowable);
    only the ``set_*`` rules change them, and it asks the API after every step.
    """

    def __init__(self) -> None:
        super().__init__()
        self.apis = Apis("multi_currency")
        self.net = dict.fromkeys(CCY_POOL, Decimal(0))
        self.credit = dict.fromkeys(CCY_POOL, Decimal(0))
        self.successes = 0

    @rule(ccy=st.sampled_from(CCY_POOL), available=AMOUNTS, borrowable=AMOUNTS)
    def set_balance(self, ccy: str, available: str, borrowable: str) -> None:
        self.apis.account.set_balance(ccy, available=available, borrowable=borrowable)
        funding = self.apis.account.funding_balance(ccy)
        self.net[ccy] = EXACT.add(Decimal(available), funding)
        self.credit[ccy] = Decimal(borrowable)

    @rule(ccy=st.sampled_from(CCY_POOL), held=AMOUNTS)
    def set_funding(self, ccy: str, held: str) -> None:
        before = self.apis.account.funding_balance(ccy)
        self.apis.account.set_funding_balance(ccy, held)
        self.net[ccy] = EXACT.add(EXACT.subtract(self.net[ccy], before), Decimal(held))

    @rule(ccy=st.sampled_from(CCY_POOL), max_wd=AMOUNTS, extra=AMOUNTS)
    def pin(self, ccy: str, max_wd: str, extra: str) -> None:
        max_wd_ex = EXACT.add(Decimal(max_wd), Decimal(extra))
        self.apis.account.set_max_withdrawal(ccy, max_wd, max_wd_ex)
        self.net[ccy] = EXACT.add(Decimal(max_wd), self.apis.account.funding_balance(ccy))
        self.credit[ccy] = Decimal(extra)

    @rule(mode=st.sampled_from(ACCOUNT_MODES))
    def switch_mode(self, mode: str) -> None:
        self.apis.account.set_mode(mode)

    @rule(ccy=st.sampled_from(CCY_POOL), fraction=st.sampled_from(("0.5", "1", "1.0000001")),
          loan_trans=okx_st.loan_trans_values(), other=okx_st.transfer_amounts())
    def transfer_out(self, ccy: str, fraction: str, loan_trans: object, other: str) -> None:
        wd, ex = self.apis.answer(ccy)
        loan = loan_trans in (True, "true") and self.apis.account.mode in BORROWING_MODES
        bound = ex if loan and ex is not None else wd
        amt = EXACT.multiply(bound, Decimal(fraction)) if bound > 0 else Decimal(other)
        code = self.apis.transfer(ccy, f"{amt:f}", "18", "6", loan_trans)
        assert code == ("0" if 0 < amt <= bound else "58350")
        if code == "0":
            self.successes += 1
            after_wd, after_ex = self.apis.answer(ccy)
            assert after_wd == max(Decimal(0), EXACT.subtract(wd, amt))
            if ex is not None:
                assert after_ex == EXACT.subtract(ex, amt)

    @rule(ccy=st.sampled_from(CCY_POOL), fraction=st.sampled_from(("0.5", "1", "1.0000001")),
          other=okx_st.transfer_amounts())
    def transfer_in(self, ccy: str, fraction: str, other: str) -> None:
        held = self.apis.funding_balance(ccy)
        wd, _ = self.apis.answer(ccy)
        amt = EXACT.multiply(held, Decimal(fraction)) if held > 0 else Decimal(other)
        code = self.apis.transfer(ccy, f"{amt:f}", "6", "18", "")
        assert code == ("0" if amt <= held else "58116")
        if code == "0":
            self.successes += 1
            assert self.apis.answer(ccy)[0] == EXACT.add(wd, amt)

    @invariant()
    def assets_are_conserved(self) -> None:
        for ccy in CCY_POOL:
            state = self.apis.account.trading_balance(ccy)
            funding = self.apis.account.funding_balance(ccy)
            net = EXACT.subtract(EXACT.add(state.available, funding), state.borrowed)
            assert net == self.net[ccy]
            assert EXACT.add(state.borrowed, state.borrowable) == self.credit[ccy]

    @invariant()
    def every_success_is_recorded_once(self) -> None:
        transfers = self.apis.account.transfers
        assert len(transfers) == self.successes
        assert len({t.trans_id for t in transfers}) == len(transfers)

    @invariant()
    def funding_accessor_and_endpoint_agree(self) -> None:
        self.apis.clock.now_s += 1
        rows = self.apis.funding.get_balances()["data"]
        assert {row["ccy"]: Decimal(row["bal"]) for row in rows} == \
            self.apis.account.funding_balances


TransferMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=30)
test_transfer_machine = TransferMachine.TestCase
