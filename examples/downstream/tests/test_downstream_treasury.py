"""The treasury's tests: only okx-ext's public fixtures, fakes and strategies, no conftest.

``okx_exchange``, ``okx_account``, ``okx_account_api`` and ``okx_funding_api`` come from
okx-ext's pytest plugin (entry point ``pytest11``); the funded account holds (available /
borrowable) BTC 1.5 / 0.5, ETH 10 / 0 and USDT 2500 / 0. The properties open a fresh
``FakeExchange`` per example.
"""

from __future__ import annotations

import decimal
from decimal import Decimal

import pytest
import treasury
from hypothesis import given, settings
from hypothesis import strategies as st
from okx_fakes import FakeAccountAPI, FakeExchange, FakeFundingAPI
from okx_fakes.strategies import amounts, currency_codes, max_withdrawal_entries

from okx_ext import CurrencyValidationError, MaxWithdrawal


def test_sweeps_what_is_above_the_reserve_in_the_exchange_order(okx_account_api):
    plan = treasury.plan_sweep(
        okx_account_api, {"btc": Decimal("0.25"), "USDT": Decimal("2500")}
    )

    assert list(plan.items()) == [("BTC", Decimal("1.25")), ("ETH", Decimal("10"))]


def test_never_sweeps_borrowed_funds(okx_account, okx_account_api):
    okx_account.set_balance("BTC", available="0", borrowable="3")

    assert "BTC" not in treasury.plan_sweep(okx_account_api, {})


def test_amounts_are_exact_to_the_last_digit(okx_account, okx_account_api):
    okx_account.set_max_withdrawal(
        "ETH", "123456789012345678901234567890.123456789", "123456789012345678901234567890.2"
    )

    plan = treasury.plan_sweep(okx_account_api, {"ETH": Decimal("0.000000001")})

    assert plan["ETH"] == Decimal("123456789012345678901234567890.123456788")


def test_one_request_for_all_currencies(okx_exchange, okx_account_api):
    treasury.plan_sweep(okx_account_api, {})

    (request,) = okx_exchange.requests
    assert (request.path, request.code) == ("/api/v5/account/max-withdrawal", "0")


def test_a_bad_reserve_currency_fails_before_any_request(okx_exchange, okx_account_api):
    with pytest.raises(CurrencyValidationError, match="BTC-USDT"):
        treasury.plan_sweep(okx_account_api, {"BTC-USDT": Decimal(1)})

    assert okx_exchange.requests == []


def test_report_lists_the_plan(okx_account_api):
    report = treasury.sweep_report(okx_account_api, {"ETH": Decimal("2.5")})

    assert report == "sweep 1.5 BTC, 7.5 ETH, 2500 USDT"


def test_the_production_client_runs_unchanged_against_the_fake(okx_exchange, okx_account_api):
    # The real python-okx AccountAPI, built as in production, routed to the fake at the
    # HTTP layer: the real SDK signs and sends, the fake verifies.
    account_api = treasury.account_api_from_environment({
        "TREASURY_OKX_KEY": okx_account_api.API_KEY,
        "TREASURY_OKX_SECRET": okx_account_api.API_SECRET_KEY,
        "TREASURY_OKX_PASSPHRASE": okx_account_api.PASSPHRASE,
    })

    with okx_exchange.install(account_api):
        plan = treasury.plan_sweep(account_api, {"BTC": Decimal("1.5")})

    assert plan == {"ETH": Decimal("10"), "USDT": Decimal("2500")}
    assert [record.code for record in okx_exchange.requests] == ["0"]


@pytest.mark.parametrize("code", ["50110", "50113", "51000"])
def test_the_existing_python_okx_handler_still_catches_errors(okx_exchange, okx_account_api, code):
    okx_exchange.fail_next(int(code))

    assert treasury.sweep_report(okx_account_api, {}) == f"sweep skipped: OKX error {code}"


@st.composite
def rows_and_reserves(draw):
    entries = draw(st.lists(max_withdrawal_entries(), max_size=6, unique_by=lambda e: e["ccy"]))
    rows = [MaxWithdrawal.from_okx(entry) for entry in entries]
    codes = [row.ccy for row in rows]
    reserved = draw(st.lists(st.sampled_from(codes), unique=True)) if codes else []
    keep = {ccy: Decimal(draw(amounts())) for ccy in reserved}
    return rows, keep


@settings(max_examples=100)
@given(rows_and_reserves())
def test_plan_is_max_withdrawal_minus_reserve_exactly(case):
    rows, keep = case

    plan = treasury.plan_from_rows(rows, keep)

    with decimal.localcontext() as context:
        context.prec = decimal.MAX_PREC  # the sum below must not round 30+ digit amounts
        for row in rows:
            reserve = keep.get(row.ccy, Decimal(0))
            if row.ccy in plan:
                assert plan[row.ccy] > 0
                assert plan[row.ccy] + reserve == row.max_wd
            else:
                assert row.max_wd <= reserve
    assert list(plan) == [row.ccy for row in rows if row.ccy in plan]


# -- executing the sweep with FundingAPI.funds_transfer ------------------------------------


def test_the_sweep_moves_the_plan_to_funding(okx_exchange, okx_account, okx_account_api,
                                             okx_funding_api):
    result = treasury.sweep(okx_account_api, okx_funding_api, {"BTC": Decimal("0.25")})

    assert result.report() == "swept 1.25 BTC, 10 ETH, 2500 USDT"
    assert okx_account.funding_balances == {
        "BTC": Decimal("1.25"), "ETH": Decimal("10"), "USDT": Decimal("2500")}
    assert okx_account.entry("BTC").max_wd == "0.25"


def test_the_production_funding_client_runs_unchanged_against_the_fake(
    okx_exchange, okx_account, okx_account_api
):
    settings_ = {"TREASURY_OKX_KEY": okx_account_api.API_KEY,
                 "TREASURY_OKX_SECRET": okx_account_api.API_SECRET_KEY,
                 "TREASURY_OKX_PASSPHRASE": okx_account_api.PASSPHRASE}
    account_api = treasury.account_api_from_environment(settings_)
    funding_api = treasury.funding_api_from_environment(settings_)

    with okx_exchange.install(account_api), okx_exchange.install(funding_api):
        result = treasury.sweep(account_api, funding_api, {"USDT": Decimal("2000")})

    assert result.report() == "swept 1.5 BTC, 10 ETH, 500 USDT"
    assert okx_account.funding_balance("USDT") == Decimal("500")


MODES = ("spot", "futures", "multi_currency", "portfolio")


@st.composite
def balances_and_reserves(draw):
    """An account's balances (ccy -> (available, borrowable)) and reserves for some of them."""
    amount = amounts(max_integer_digits=20, max_fraction_digits=12)
    codes = draw(st.lists(currency_codes(), unique=True, min_size=1, max_size=6))
    balances = {ccy: (draw(amount), draw(amount)) for ccy in codes}
    reserved = draw(st.lists(st.sampled_from(codes), unique=True))
    keep = {ccy: Decimal(draw(amount)) for ccy in reserved}
    return draw(st.sampled_from(MODES)), balances, keep


def open_account(mode, balances):
    """A fresh exchange per example: one account, funded, and both of its clients."""
    exchange = FakeExchange()
    account = exchange.add_account("key", "secret", "pass", mode=mode)
    for ccy, (available, borrowable) in balances.items():
        account.set_balance(ccy, available=available, borrowable=borrowable)
    return (exchange, account, FakeAccountAPI("key", "secret", "pass", exchange=exchange),
            FakeFundingAPI("key", "secret", "pass", exchange=exchange))


@settings(max_examples=60)
@given(balances_and_reserves())
def test_executing_the_plan_is_never_refused_and_leaves_the_reserve(case):
    mode, balances, keep = case
    _, account, account_api, funding_api = open_account(mode, balances)

    plan = treasury.plan_sweep(account_api, keep)
    result = treasury.execute_sweep(funding_api, plan)

    assert (result.stopped_at, result.moved) == (None, plan)
    assert account.funding_balances == plan
    after = {row["ccy"]: Decimal(row["maxWd"])
             for row in account_api.get_max_withdrawal(",".join(balances))["data"]}
    for ccy, (available, _) in balances.items():
        assert after[ccy] == min(Decimal(available), keep.get(ccy, Decimal(0)))


class FaultOnCall:
    """The fake funding client, with an OKX error injected on its ``n``-th transfer."""

    def __init__(self, funding_api, exchange, n, code):
        self.funding_api, self.exchange, self.n, self.code = funding_api, exchange, n, code
        self.calls = 0

    def funds_transfer(self, *args, **kwargs):
        self.calls += 1
        if self.calls == self.n:
            self.exchange.fail_next(self.code)
        return self.funding_api.funds_transfer(*args, **kwargs)


@settings(max_examples=60)
@given(balances_and_reserves(), st.integers(1, 6), st.sampled_from(["50011", "50001", "58116"]))
def test_a_fault_mid_sweep_is_reported_with_exactly_what_moved(case, n, code):
    mode, balances, keep = case
    exchange, account, account_api, funding_api = open_account(mode, balances)
    plan = treasury.plan_sweep(account_api, keep)

    result = treasury.execute_sweep(FaultOnCall(funding_api, exchange, n, code), plan)

    items = list(plan.items())
    if n > len(items):
        assert result == treasury.SweepResult(plan)
        return
    moved = dict(items[: n - 1])
    assert result == treasury.SweepResult(moved, items[n - 1][0], f"OKX error {code}")
    assert account.funding_balances == moved
    assert result.report().startswith(f"swept {', '.join(f'{a:f} {c}' for c, a in moved.items())}"
                                      if moved else "swept nothing")


def test_a_dropped_connection_stops_the_sweep(okx_exchange, okx_account_api, okx_funding_api):
    plan = treasury.plan_sweep(okx_account_api, {})
    okx_exchange.fail_next_network()

    result = treasury.execute_sweep(okx_funding_api, plan)

    assert result.report() == "swept nothing; stopped at BTC: ConnectError"
