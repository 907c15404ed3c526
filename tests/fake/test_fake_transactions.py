"""Every change is one transaction: refused control calls lose nothing, reads are never torn.

Over the server, as the probes that found the old behaviour ran: python-okx transfers on
one connection while control calls (refused ones among them) and reads go on another.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from decimal import Decimal

import httpx
import pytest
from fake_support import DEMO_KEY, DEMO_PASSPHRASE, DEMO_SECRET
from okx.Funding import FundingAPI
from okx_fakes import FakeAccountAPI, FakeExchange, FakeFundingAPI

ROUNDS = 60  # transfers each way: enough to overlap every control call many times


def _ticking() -> Callable[[], float]:
    """A clock a second further at each reading: no rate window ever fills."""
    ticks = itertools.count()
    lock = threading.Lock()

    def clock() -> float:
        with lock:
            return 1_700_000_000.0 + next(ticks)
    return clock


@pytest.fixture
def served() -> tuple[FakeExchange, str]:
    exchange = FakeExchange(clock=_ticking(), max_skew_s=None)
    account = exchange.add_account(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, mode="multi_currency")
    account.set_balance("BTC", available="10")
    with exchange.serve() as url:
        yield exchange, url


def _transfer_back_and_forth(url: str, answers: list[dict[str, object]]) -> None:
    with FundingAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, flag="1", domain=url,
                    debug=False) as funding:
        for _ in range(ROUNDS):
            answers.append(funding.funds_transfer("BTC", "1", "18", "6"))
            answers.append(funding.funds_transfer("BTC", "1", "6", "18"))


def test_refused_control_calls_beside_transfers_lose_nothing(
    served: tuple[FakeExchange, str],
) -> None:
    exchange, url = served
    answers: list[dict[str, object]] = []
    mover = threading.Thread(target=_transfer_back_and_forth, args=(url, answers))
    refusals = []
    with httpx.Client(base_url=url) as control:
        mover.start()
        while mover.is_alive():
            refusals.append(control.post("/_fake/faults", json={"code": "nope"}).status_code)
            refusals.append(control.put(f"/_fake/accounts/{DEMO_KEY}/balances/ETH",
                                        json={"available": "-1"}).status_code)
        mover.join()
    assert set(refusals) == {400} and len(refusals) >= 2
    assert [answer["code"] for answer in answers] == ["0"] * (2 * ROUNDS)
    # Every transfer answered success is kept, each id handed out once, nothing undone.
    ids = [answer["data"][0]["transId"] for answer in answers]  # type: ignore[index]
    account = exchange.account_for_key(DEMO_KEY)
    assert [record.trans_id for record in account.transfers] == ids
    assert len(set(ids)) == len(ids)
    assert (account.trading_row("BTC").cash, account.funding_balance("BTC")) == (10, 0)
    assert account.currencies == ["BTC"]  # the refused PUT opened no ETH row


def test_account_reads_are_never_torn(served: tuple[FakeExchange, str]) -> None:
    exchange, url = served
    uid = exchange.account_for_key(DEMO_KEY).uid
    answers: list[dict[str, object]] = []
    mover = threading.Thread(target=_transfer_back_and_forth, args=(url, answers))
    totals = []
    with httpx.Client(base_url=url) as control:
        mover.start()
        while mover.is_alive():
            account = control.get(f"/_fake/accounts/{uid}").json()
            trading = sum(Decimal(row["cash"]) for row in account["trading"])
            funding = sum(Decimal(row["availBal"]) for row in account["funding"])
            totals.append(trading + funding)
        mover.join()
    assert len(totals) >= 2
    assert set(totals) == {Decimal(10)}  # 1 BTC moving back and forth: always 10 in all


def test_a_refused_put_changes_nothing_and_costs_no_snapshot(
    served: tuple[FakeExchange, str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Control writes no longer copy the exchange to undo themselves: a snapshot taken
    # during one would fail the test.
    exchange, url = served

    def no_snapshot() -> None:
        raise AssertionError("a control write took a snapshot")

    monkeypatch.setattr(exchange, "snapshot", no_snapshot)
    monkeypatch.setattr(exchange, "restore", no_snapshot)
    with httpx.Client(base_url=url) as control:
        refused = control.put(f"/_fake/accounts/{DEMO_KEY}/balances/BTC",
                              json={"available": "1", "frozen": "x"})
        accepted = control.put(f"/_fake/accounts/{DEMO_KEY}/balances/BTC",
                               json={"available": "4", "frozen": "1", "margin": "0.5"})
    assert refused.status_code == 400
    assert accepted.json() == {"ccy": "BTC", "maxWd": "3.5", "maxWdEx": "3.5",
                               "spotOffsetMaxWd": "", "spotOffsetMaxWdEx": ""}
    row = exchange.account_for_key(DEMO_KEY).trading_row("BTC")
    assert (row.cash, row.frozen, row.margin) == (5, 1, Decimal("0.5"))


def test_each_balance_row_carries_its_own_last_change() -> None:
    # On the wire each currency's uTime is when it last changed, older than the answer's.
    clock = _ticking()
    exchange = FakeExchange(clock=clock, max_skew_s=None)
    account = exchange.add_account(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE)
    account.set_balance("BTC", available="1")      # read 1: 1_700_000_000
    account.set_balance("ETH", available="2")      # read 2: 1_700_000_001
    account.set_funding_balance("ETH", "1")
    api = FakeFundingAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, exchange=exchange)
    assert api.funds_transfer("ETH", "1", "6", "18")["code"] == "0"
    answer = FakeAccountAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE,
                            exchange=exchange).get_account_balance()
    (top,) = answer["data"]
    times = {row["ccy"]: int(row["uTime"]) for row in top["details"]}
    assert times["BTC"] == 1_700_000_000_000
    assert times["BTC"] < times["ETH"] < int(top["uTime"])
