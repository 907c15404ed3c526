"""The sweep meets what a transfer really meets: lost answers and pending transfers.

Only okx-ext's public test surface: ``FakeExchange``, the drop-in clients with a
``fallback=`` for the balance read the fake does not model, ``install(..., fallback=)``
with a respx router, aimed faults, ``fail_next_network(after_answer=True)``,
``pend_next_transfers`` and ``settle_transfer``. No subclass of a fake client.
"""

from __future__ import annotations

from decimal import Decimal

import respx
import treasury
from hypothesis import given, settings
from hypothesis import strategies as st
from okx.Account import AccountAPI
from okx.Funding import FundingAPI
from okx_fakes import FakeAccountAPI, FakeExchange, FakeFundingAPI
from okx_fakes.strategies import amounts, currency_codes

TRANSFER = "/api/v5/asset/transfer"
KEY, SECRET, PASSPHRASE = "key", "secret", "pass"


class BalanceDesk:
    """What the team's other mock answers for ``get_account_balance`` (not modelled)."""

    def __init__(self, equity: str) -> None:
        self.equity = equity

    def get_account_balance(self, ccy: str = "") -> dict[str, object]:
        return {"code": "0", "msg": "", "data": [{"totalEq": self.equity, "details": []}]}


@st.composite
def balances_and_reserves(draw):
    """An account's available balances (some currencies) and reserves for some of them."""
    amount = amounts(max_integer_digits=12, max_fraction_digits=8)
    codes = draw(st.lists(currency_codes(), unique=True, min_size=1, max_size=5))
    balances = {ccy: draw(amount) for ccy in codes}
    reserved = draw(st.lists(st.sampled_from(codes), unique=True))
    return balances, {ccy: Decimal(draw(amount)) for ccy in reserved}


def open_account(balances):
    exchange = FakeExchange()
    account = exchange.add_account(KEY, SECRET, PASSPHRASE, mode="multi_currency")
    for ccy, available in balances.items():
        account.set_balance(ccy, available=available)
    account_api = FakeAccountAPI(KEY, SECRET, PASSPHRASE, exchange=exchange,
                                 fallback=BalanceDesk("1234.5"))
    return exchange, account, account_api, FakeFundingAPI(KEY, SECRET, PASSPHRASE,
                                                           exchange=exchange)


def no_sleep(seconds: float) -> None:
    pass


@settings(max_examples=50)
@given(balances_and_reserves(), st.integers(0, 5), st.booleans())
def test_a_lost_answer_is_found_by_client_id_and_nothing_moves_twice(case, lost, then_drop):
    balances, keep = case
    exchange, account, account_api, funding_api = open_account(balances)
    plan = treasury.plan_sweep(account_api, keep)
    # The first `lost` transfers are applied but their answers lost; then, maybe, one
    # is dropped before it reaches OKX.
    if lost:
        exchange.fail_next_network(lost, path=TRANSFER, after_answer=True)
    if then_drop:
        exchange.fail_next_network(path=TRANSFER)

    result = treasury.recovering_sweep(account_api, funding_api, keep, run_id="run7",
                                       sleep=no_sleep)

    items = list(plan.items())
    if then_drop and lost < len(items):
        moved = dict(items[:lost])
        assert result == treasury.SweepResult(
            moved, items[lost][0], "transfer ConnectError, not applied", Decimal("1234.5"))
    else:
        moved = plan
        assert result == treasury.SweepResult(plan, equity=Decimal("1234.5"))
    # The truth: the report, the funding account and the transfers all say the same.
    assert account.funding_balances == moved
    assert [(t.ccy, t.amt, t.client_id) for t in account.transfers] == [
        (ccy, amount, f"run7{index}") for index, (ccy, amount) in enumerate(moved.items())]
    assert result.report().startswith("equity 1234.5 USD; swept ")


@settings(max_examples=50)
@given(balances_and_reserves(), st.lists(st.sampled_from(["success", "failed"]), max_size=5))
def test_pending_transfers_are_waited_out_and_a_failed_one_stops_the_sweep(case, outcomes):
    balances, keep = case
    exchange, account, account_api, funding_api = open_account(balances)
    plan = treasury.plan_sweep(account_api, keep)
    if outcomes:
        exchange.pend_next_transfers(len(outcomes))
    settlements = iter(outcomes)

    def settle_while_sleeping(seconds: float) -> None:
        # OKX settles the pending transfer while the sweep waits between polls.
        (pending,) = [t for t in account.transfers if t.state == "pending"]
        exchange.settle_transfer(pending.trans_id, next(settlements))

    result = treasury.recovering_sweep(account_api, funding_api, keep, run_id="r",
                                       sleep=settle_while_sleeping)

    items = list(plan.items())
    failed_at = next((i for i, outcome in enumerate(outcomes[:len(items)])
                      if outcome == "failed"), None)
    if failed_at is None:
        assert result == treasury.SweepResult(plan, equity=Decimal("1234.5"))
        moved = plan
    else:
        moved = dict(items[:failed_at])
        ccy = items[failed_at][0]
        assert result == treasury.SweepResult(moved, ccy, "transfer failed", Decimal("1234.5"))
        # The failed amount came back: the trading account holds it again.
        assert account.trading_balance(ccy).available == Decimal(balances[ccy])
    assert account.funding_balances == moved


def test_a_transfer_still_pending_after_the_polls_stops_the_sweep_and_says_so():
    exchange, account, account_api, funding_api = open_account({"BTC": "2"})
    exchange.pend_next_transfers()
    waits: list[float] = []

    result = treasury.recovering_sweep(account_api, funding_api, {}, run_id="p", polls=3,
                                       sleep=waits.append)

    assert result.report() == ("equity 1234.5 USD; swept nothing; "
                               "stopped at BTC: transfer still pending")
    assert waits == [0.5, 1.0, 2.0]
    assert account.funding_balances == {}  # in transit: not in funding yet
    assert [t.state for t in account.transfers] == ["pending"]


def test_the_production_clients_recover_under_install_with_a_respx_fallback():
    exchange, account, _, _ = open_account({"BTC": "1.5", "ETH": "3"})
    exchange.fail_next_network(path=TRANSFER, after_answer=True)
    router = respx.Router(base_url="https://www.okx.com", assert_all_called=False)
    router.get("/api/v5/account/balance").respond(
        json={"code": "0", "msg": "", "data": [{"totalEq": "99000", "details": []}]})
    settings_ = {"TREASURY_OKX_KEY": KEY, "TREASURY_OKX_SECRET": SECRET,
                 "TREASURY_OKX_PASSPHRASE": PASSPHRASE}
    account_api = treasury.account_api_from_environment(settings_)
    funding_api = treasury.funding_api_from_environment(settings_)
    assert isinstance(account_api, AccountAPI) and isinstance(funding_api, FundingAPI)

    with (exchange.install(account_api, fallback=router),
          exchange.install(funding_api, fallback=router)):
        result = treasury.recovering_sweep(account_api, funding_api, {"ETH": Decimal(1)},
                                           run_id="prod", sleep=no_sleep)

    assert result.report() == "equity 99000 USD; swept 1.5 BTC, 2 ETH"
    assert account.funding_balances == {"BTC": Decimal("1.5"), "ETH": Decimal(2)}
    assert [t.client_id for t in account.transfers] == ["prod0", "prod1"]
