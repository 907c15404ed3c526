"""The sweep meets what a transfer really meets: lost answers and pending transfers.

Only okx-ext's public test surface: ``FakeExchange`` (whose ledger answers the balance,
max-withdrawal, transfers and transfer-state alike), the drop-in clients, ``install()``,
aimed faults, ``fail_next_network(after_answer=True)``, ``pend_next_transfers`` and
``settle_transfer``. No subclass of a fake client, no hand-made answer.
"""

from __future__ import annotations

from decimal import Decimal

import treasury
from hypothesis import given, settings
from hypothesis import strategies as st
from okx.Account import AccountAPI
from okx.Funding import FundingAPI
from okx_fakes import FakeAccountAPI, FakeExchange, FakeFundingAPI
from okx_fakes.strategies import amounts, currency_codes

TRANSFER = "/api/v5/asset/transfer"
KEY, SECRET, PASSPHRASE = "key", "secret", "pass"


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
    account_api = FakeAccountAPI(KEY, SECRET, PASSPHRASE, exchange=exchange)
    return exchange, account, account_api, FakeFundingAPI(KEY, SECRET, PASSPHRASE,
                                                           exchange=exchange)


def no_sleep(seconds: float) -> None:
    pass


def held(balances):
    """What ``account/balance`` answers as availBal, per currency, in the seeded order."""
    return {ccy: Decimal(available) for ccy, available in balances.items()}


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
            moved, items[lost][0], "transfer ConnectError, not applied", held(balances))
    else:
        moved = plan
        assert result == treasury.SweepResult(plan, held=held(balances))
    # The truth: the report, the funding account and the transfers all say the same.
    assert account.funding_balances == moved
    assert [(t.ccy, t.amt, t.client_id) for t in account.transfers] == [
        (ccy, amount, f"run7{index}") for index, (ccy, amount) in enumerate(moved.items())]
    assert result.report().startswith("held ")


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
        assert result == treasury.SweepResult(plan, held=held(balances))
        moved = plan
    else:
        moved = dict(items[:failed_at])
        ccy = items[failed_at][0]
        assert result == treasury.SweepResult(moved, ccy, "transfer failed", held(balances))
        # The failed amount came back: the trading account holds it again.
        assert account.trading_balance(ccy).available == Decimal(balances[ccy])
    assert account.funding_balances == moved


def test_a_transfer_still_pending_after_the_polls_stops_the_sweep_and_says_so():
    exchange, account, account_api, funding_api = open_account({"BTC": "2"})
    exchange.pend_next_transfers()
    waits: list[float] = []

    result = treasury.recovering_sweep(account_api, funding_api, {}, run_id="p", polls=3,
                                       sleep=waits.append)

    assert result.report() == ("held 2 BTC; swept nothing; "
                               "stopped at BTC: transfer still pending")
    assert waits == [0.5, 1.0, 2.0]
    assert account.funding_balances == {}  # in transit: not in funding yet
    assert [t.state for t in account.transfers] == ["pending"]


def test_the_production_clients_recover_under_install():
    exchange, account, _, _ = open_account({"BTC": "1.5", "ETH": "3"})
    exchange.fail_next_network(path=TRANSFER, after_answer=True)
    settings_ = {"TREASURY_OKX_KEY": KEY, "TREASURY_OKX_SECRET": SECRET,
                 "TREASURY_OKX_PASSPHRASE": PASSPHRASE}
    account_api = treasury.account_api_from_environment(settings_)
    funding_api = treasury.funding_api_from_environment(settings_)
    assert isinstance(account_api, AccountAPI) and isinstance(funding_api, FundingAPI)

    with exchange.install(account_api), exchange.install(funding_api):
        result = treasury.recovering_sweep(account_api, funding_api, {"ETH": Decimal(1)},
                                           run_id="prod", sleep=no_sleep)

    assert result.report() == "held 1.5 BTC, 3 ETH; swept 1.5 BTC, 2 ETH"
    assert account.funding_balances == {"BTC": Decimal("1.5"), "ETH": Decimal(2)}
    assert [t.client_id for t in account.transfers] == ["prod0", "prod1"]


@settings(max_examples=50)
@given(balances_and_reserves(), st.data())
def test_frozen_and_margin_keep_max_wd_below_avail_bal_and_the_sweep_moves_only_max_wd(
        case, data):
    # A real account: part of each balance is frozen by orders or held as margin, so
    # maxWd < availBal. The sweep moves min(maxWd, availBal) above the reserve, and
    # every transfer it makes is accepted.
    balances, keep = case
    exchange, account, account_api, funding_api = open_account(balances)
    margins = {}
    for ccy, available in balances.items():
        margin = data.draw(st.sampled_from(["0", available, f"{Decimal(available) / 2:f}"]))
        margins[ccy] = Decimal(margin)
        account.set_balance(ccy, available=available, frozen="1", margin=margin)
    answer = account_api.get_account_balance()
    rows = {row["ccy"]: row for row in answer["data"][0]["details"]}
    for ccy, available in balances.items():
        max_wd = Decimal(account_api.get_max_withdrawal(ccy)["data"][0]["maxWd"])
        assert Decimal(rows[ccy]["availBal"]) == Decimal(available)
        assert Decimal(rows[ccy]["cashBal"]) == Decimal(available) + 1
        assert max_wd == max(Decimal(0), Decimal(available) - margins[ccy]) <= Decimal(available)

    result = treasury.recovering_sweep(account_api, funding_api, keep, run_id="m",
                                       sleep=no_sleep)

    expected = {}
    for ccy, available in balances.items():
        movable = Decimal(available) - margins[ccy] - keep.get(ccy, Decimal(0))
        if movable > 0:
            expected[ccy] = movable
    assert result == treasury.SweepResult(expected, held=held(balances))
    assert account.funding_balances == expected
    assert all(exchange.account_for_key(KEY).trading_row(ccy).frozen == 1 for ccy in balances)
