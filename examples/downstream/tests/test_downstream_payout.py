"""The payout meets what a withdrawal really meets: fees, caps, lost answers, waiting.

Only okx-ext's public test surface: ``FakeExchange`` (whose ledger answers the balance,
max-withdrawal, transfers, currencies and the withdrawal history alike), the drop-in
clients, ``install()``, ``serve()`` and its control API, aimed faults,
``fail_next_network(after_answer=True)``, ``pend_next_withdrawals`` and
``settle_withdrawal``. No subclass of a fake client, no hand-made answer.
"""

from __future__ import annotations

from decimal import Decimal

import httpx
import treasury
from hypothesis import event, given, settings
from hypothesis import strategies as st
from okx.Account import AccountAPI
from okx.Funding import FundingAPI
from okx_fakes import FakeAccountAPI, FakeExchange, FakeFundingAPI
from okx_fakes.strategies import amounts

WITHDRAWAL = "/api/v5/asset/withdrawal"
TRANSFER = "/api/v5/asset/transfer"
KEY, SECRET, PASSPHRASE = "key", "secret", "pass"
ADDR = "17DKe3kkkkiiiiTvAKKi2vMPbm1Bz3CMKw"
CHAIN = "BTC-Bitcoin"  # the fake's default row: fee 0.00005, minWd 0.0005, maxWd 500
FEE = Decimal("0.00005")
SETTINGS = {"TREASURY_OKX_KEY": KEY, "TREASURY_OKX_SECRET": SECRET,
            "TREASURY_OKX_PASSPHRASE": PASSPHRASE}


def open_account(trading="0", funding="0", margin="0"):
    exchange = FakeExchange()
    account = exchange.add_account(KEY, SECRET, PASSPHRASE, mode="multi_currency")
    account.set_balance("BTC", available=trading, margin=margin)
    account.set_funding_balance("BTC", funding)
    return (exchange, account, FakeAccountAPI(KEY, SECRET, PASSPHRASE, exchange=exchange),
            FakeFundingAPI(KEY, SECRET, PASSPHRASE, exchange=exchange))


def no_sleep(seconds: float) -> None:
    pass


def pay(account_api, funding_api, amt, *, sleep=no_sleep, polls=5):
    return treasury.payout(account_api, funding_api, "BTC", Decimal(amt), ADDR, chain=CHAIN,
                           client_id="pay1", polls=polls, sleep=sleep)


def test_a_payout_tops_funding_up_by_what_it_lacks_and_reports_what_left():
    _, account, account_api, funding_api = open_account(trading="1", funding="0.2")

    result = pay(account_api, funding_api, "0.5")

    assert result.report() == ("sent 0.50005 BTC (0.5 + fee 0.00005), wdId 20000001; "
                               "swept 0.30005 BTC")
    assert [(t.ccy, t.amt, t.client_id) for t in account.transfers] == [
        ("BTC", Decimal("0.30005"), "pay1t")]
    (withdrawal,) = account.withdrawals
    assert (withdrawal.client_id, withdrawal.amt, withdrawal.fee, withdrawal.chain,
            withdrawal.to_addr, withdrawal.state) == ("pay1", Decimal("0.5"), FEE, CHAIN,
                                                      ADDR, "2")
    assert account.withdrawn("BTC") == Decimal("0.50005")
    assert account.funding_row("BTC").bal == 0
    assert account.trading_balance("BTC").available == Decimal("0.69995")


def test_a_funding_balance_that_covers_amount_and_fee_moves_nothing_from_trading():
    _, account, account_api, funding_api = open_account(trading="1", funding="0.50005")

    result = pay(account_api, funding_api, "0.5")

    assert result.report() == "sent 0.50005 BTC (0.5 + fee 0.00005), wdId 20000001; swept nothing"
    assert account.transfers == []
    assert account.trading_balance("BTC").available == 1


def test_only_max_wd_may_move_to_funding_and_a_shortfall_sends_nothing():
    # Margin holds 0.9 of the trading availBal: maxWd is 0.1, below what funding lacks.
    exchange, account, account_api, funding_api = open_account(trading="1", funding="0.2",
                                                                 margin="0.9")

    result = pay(account_api, funding_api, "0.5")

    assert result.report() == ("sent nothing; swept nothing; stopped at transfer: "
                               "funding lacks 0.30005, trading may move 0.1")
    assert account.transfers == [] and account.withdrawals == []
    assert [r.path for r in exchange.requests].count(WITHDRAWAL) == 0


def test_the_chains_max_wd_caps_one_withdrawal_whatever_max_withdrawal_says():
    # max-withdrawal's maxWd (what may move trading -> funding) is 1000 here; the
    # currencies row's maxWd (one withdrawal's cap on the chain) is 500.
    _, account, account_api, funding_api = open_account(trading="1000")
    assert account.entry("BTC").max_wd == "1000"

    result = pay(account_api, funding_api, "600")

    assert result.report() == ("sent nothing; swept nothing; stopped at chain: "
                               "600 outside BTC-Bitcoin's 0.0005 to 500")
    assert account.transfers == [] and account.withdrawals == []


def test_a_closed_unknown_or_too_fine_chain_stops_before_anything_moves():
    exchange, account, account_api, funding_api = open_account(trading="1")
    exchange.set_chain("BTC", CHAIN, fee="0.0001", min_wd="0.001", max_wd="10",
                       wd_tick_sz=4, can_wd=False)

    closed = pay(account_api, funding_api, "0.5")
    unknown = treasury.payout(account_api, funding_api, "btc", Decimal("0.5"), ADDR,
                              chain="BTC-Lightning", client_id="x", sleep=no_sleep)
    exchange.set_chain("BTC", CHAIN, fee="0.0001", min_wd="0.001", max_wd="10", wd_tick_sz=4)
    too_fine = pay(account_api, funding_api, "0.12345")

    assert closed.report() == ("sent nothing; swept nothing; "
                               "stopped at chain: withdrawals on BTC-Bitcoin closed")
    assert unknown.report() == ("sent nothing; swept nothing; "
                                "stopped at chain: BTC has no chain BTC-Lightning")
    assert too_fine.report() == ("sent nothing; swept nothing; stopped at chain: "
                                 "0.12345 has more than BTC-Bitcoin's 4 decimals")
    assert account.transfers == [] and account.withdrawals == []


def test_a_withdrawal_still_waiting_after_the_polls_has_not_left_and_says_so():
    exchange, account, account_api, funding_api = open_account(funding="1")
    exchange.pend_next_withdrawals()
    waits: list[float] = []

    result = pay(account_api, funding_api, "0.5", polls=3, sleep=waits.append)

    assert result.report() == ("sent nothing, wdId 20000001; swept nothing; "
                               "stopped at withdrawal: still waiting")
    assert waits == [0.5, 1.0, 2.0]
    assert account.withdrawn("BTC") == 0
    row = account.funding_row("BTC")
    assert (row.bal, row.frozen) == (1, Decimal("0.50005"))  # frozen while it waits


def test_a_request_dropped_twice_is_reported_as_not_applied():
    exchange, account, account_api, funding_api = open_account(funding="1")
    exchange.fail_next_network(2, path=WITHDRAWAL)

    result = pay(account_api, funding_api, "0.5")

    assert result.report() == ("sent nothing; swept nothing; "
                               "stopped at withdrawal: ConnectError twice, not applied")
    assert account.withdrawals == [] and account.funding_balance("BTC") == 1


# -- the property: over balances, amounts and faults --------------------------------------

FAULTS = ("none", "refused", "lost", "dropped", "dropped twice", "lost transfer",
          "pending success", "pending failed", "pending canceled")


def _inject(exchange, account, fault):
    """Queue ``fault``; return the sleep that settles a pending withdrawal meanwhile."""
    if fault == "refused":
        exchange.fail_next(50001, path=WITHDRAWAL)
    elif fault == "lost":
        exchange.fail_next_network(path=WITHDRAWAL, after_answer=True)
    elif fault.startswith("dropped"):
        exchange.fail_next_network(2 if fault.endswith("twice") else 1, path=WITHDRAWAL)
    elif fault == "lost transfer":
        exchange.fail_next_network(path=TRANSFER, after_answer=True)
    elif fault.startswith("pending"):
        exchange.pend_next_withdrawals()

        def settle_while_sleeping(seconds: float) -> None:
            # OKX settles the waiting withdrawal while the payout waits between polls.
            (waiting,) = [w for w in account.withdrawals if w.state == "0"]
            exchange.settle_withdrawal(waiting.wd_id, fault.split()[1])
        return settle_while_sleeping
    return no_sleep


def expected_result(trading, funding, margin, amt, fault):
    """What the payout must report, worked out from the rules, not from the code."""
    if not Decimal("0.0005") <= amt <= 500:
        return treasury.PayoutResult("BTC", amt, FEE, stopped_at="chain",
                                     reason=f"{amt:f} outside {CHAIN}'s 0.0005 to 500")
    short = amt + FEE - funding
    # maxWd: availBal less the margin held, as OKX writes it (no trailing zeros).
    movable = (trading - margin).normalize()
    if short > movable:
        return treasury.PayoutResult("BTC", amt, FEE, stopped_at="transfer", reason=(
            f"funding lacks {short:f}, trading may move {movable:f}"))
    swept = max(short, Decimal(0))
    if fault == "refused":
        return treasury.PayoutResult("BTC", amt, FEE, swept, stopped_at="withdrawal",
                                     reason="OKX error 50001")
    if fault == "dropped twice":
        return treasury.PayoutResult("BTC", amt, FEE, swept, stopped_at="withdrawal",
                                     reason="ConnectError twice, not applied")
    if fault in ("pending failed", "pending canceled"):
        return treasury.PayoutResult("BTC", amt, FEE, swept, "20000001",
                                     stopped_at="withdrawal", reason=fault.split()[1])
    return treasury.PayoutResult("BTC", amt, FEE, swept, "20000001", sent=amt + FEE)


# The chain's bounds (0.0005 to 500) and just outside them.
EDGES = ("0.0004", "0.0005", "500", "500.00000001")


def pick_amount(drawn: tuple[int, str]) -> Decimal:
    """An edge one time in four, else an everyday amount from minWd up (as OKX writes it)."""
    index, everyday = drawn
    # Edges on the high indexes: Hypothesis draws small integers more often.
    amount = (Decimal(EDGES[index - 12]) if index >= 12
              else Decimal(everyday) + Decimal("0.0005"))
    return amount.normalize()


@settings(max_examples=60, deadline=None)
@given(trading=amounts(max_integer_digits=3, max_fraction_digits=8),
       funding=amounts(max_integer_digits=3, max_fraction_digits=8),
       half_held=st.booleans(),
       amt=st.tuples(st.integers(0, 15), amounts(max_integer_digits=2,
                                                 max_fraction_digits=8)).map(pick_amount),
       fault=st.sampled_from(FAULTS), real_clients=st.booleans())
def test_nothing_leaves_twice_the_ledger_balances_and_the_report_says_what_left(
        trading, funding, half_held, amt, fault, real_clients):
    margin = f"{Decimal(trading) / 2:f}" if half_held else "0"
    exchange, account, account_api, funding_api = open_account(trading, funding, margin)
    sleep = _inject(exchange, account, fault)

    if real_clients:
        account_api = treasury.account_api_from_environment(SETTINGS)
        funding_api = treasury.funding_api_from_environment(SETTINGS)
        with exchange.install(account_api), exchange.install(funding_api):
            result = pay(account_api, funding_api, amt, sleep=sleep)
    else:
        result = pay(account_api, funding_api, amt, sleep=sleep)

    event(f"{fault}: {result.stopped_at or 'sent'}")  # which paths the examples took
    t, f = Decimal(trading), Decimal(funding)
    assert result == expected_result(t, f, Decimal(margin), amt, fault)
    # Nothing twice: one transfer and one withdrawal at most, each by its clientId.
    assert [w.client_id for w in account.withdrawals] in ([], ["pay1"])
    assert [x.client_id for x in account.transfers] == (["pay1t"] if result.swept else [])
    # What the report says left is what the ledger says left, fee included.
    assert account.withdrawn("BTC") == result.sent
    assert ("sent nothing" in result.report()) == (result.sent == 0)
    # The totals: trading + funding (frozen included) + withdrawn never change.
    row = account.funding_row("BTC")
    assert account.trading_balance("BTC").available + row.bal + result.sent == t + f
    assert account.trading_balance("BTC").available == t - result.swept
    assert row.frozen == 0  # every withdrawal here ended: nothing is held back


def test_through_the_server_a_lost_answer_and_a_waiting_withdrawal_settled_meanwhile():
    exchange, _, _, _ = open_account(trading="2", funding="0.1")
    with exchange.serve() as base_url, httpx.Client(base_url=base_url) as control:
        control.post("/_fake/withdrawals/pending", json={"times": 1})
        control.post("/_fake/faults", json={"network": True, "after_answer": True,
                                            "path": WITHDRAWAL})
        account_api = AccountAPI(KEY, SECRET, PASSPHRASE, flag="1", domain=base_url)
        funding_api = FundingAPI(KEY, SECRET, PASSPHRASE, flag="1", domain=base_url)
        settled: list[int] = []

        def settle_while_sleeping(seconds: float) -> None:
            answer = control.post("/_fake/withdrawals/20000001/settle",
                                  json={"state": "success"})
            settled.append(answer.status_code)

        result = treasury.payout(account_api, funding_api, "BTC", Decimal("1"), ADDR,
                                 chain=CHAIN, client_id="srv1", sleep=settle_while_sleeping)
        uid = control.get("/_fake/accounts").json()["accounts"][0]["uid"]
        state = control.get(f"/_fake/accounts/{uid}").json()

    assert result.report() == ("sent 1.00005 BTC (1 + fee 0.00005), wdId 20000001; "
                               "swept 0.90005 BTC")
    assert settled == [200]
    assert [(w["clientId"], w["state"]) for w in state["withdrawals"]] == [("srv1", "2")]
    assert state["withdrawn"] == [{"ccy": "BTC", "amt": "1.00005"}]
    assert state["funding"] == []
