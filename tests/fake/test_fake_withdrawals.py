"""Withdrawals on the ledger: every refusal, waiting and settling, cancel, history, the chains."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest
from fake_support import DEMO_KEY, DEMO_PASSPHRASE, DEMO_SECRET, START_S, error
from okx_fakes import FakeExchange, FakeFundingAPI

WITHDRAWAL = "/api/v5/asset/withdrawal"
ADDRESS = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"


class TickingClock:
    """A second further at each reading: no rate window fills, each withdrawal its own ts."""

    def __init__(self) -> None:
        self.now_s = START_S

    def __call__(self) -> float:
        self.now_s += 1
        return self.now_s


def ok(data: list[dict[str, Any]]) -> dict[str, Any]:
    return {"code": "0", "data": data, "msg": ""}


@pytest.fixture
def exchange() -> FakeExchange:
    exchange = FakeExchange(clock=TickingClock(), max_skew_s=None)
    account = exchange.add_account(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, mode="multi_currency")
    account.set_funding_balance("BTC", "1")
    account.set_funding_balance("USDT", "100")
    return exchange


@pytest.fixture
def funding(exchange: FakeExchange) -> FakeFundingAPI:
    return FakeFundingAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, exchange=exchange)


def _balance(funding: FakeFundingAPI, ccy: str) -> tuple[str, str, str]:
    (row,) = funding.get_balances(ccy)["data"]
    return row["availBal"], row["frozenBal"], row["bal"]


def test_a_withdrawal_leaves_with_its_fee_and_answers_the_wire_shape(
    exchange: FakeExchange, funding: FakeFundingAPI,
) -> None:
    answer = funding.withdrawal("BTC", "0.5", "4", ADDRESS, chain="BTC-Bitcoin", clientId="pay1")

    assert answer == ok([{"amt": "0.5", "ccy": "BTC", "chain": "BTC-Bitcoin",
                          "clientId": "pay1", "wdId": "20000001"}])
    # The fee (OKX's currencies example: 0.00005) is on top of amt, not in it.
    assert _balance(funding, "BTC") == ("0.49995", "0", "0.49995")
    account = exchange.account_for_key(DEMO_KEY)
    assert account.withdrawn("BTC") == Decimal("0.50005")
    (record,) = account.withdrawals
    assert (record.state, record.fee) == ("2", Decimal("0.00005"))
    assert record.tx_id == f"0x{20000001:064x}"


def test_the_main_chain_is_the_default(funding: FakeFundingAPI) -> None:
    assert funding.withdrawal("USDT", "10", "4", "TAddr")["data"][0]["chain"] == "USDT-TRC20"


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({"amt": "0.99996"}, error("58350", "Insufficient balance")),  # amt + fee > availBal
    ({"amt": "0.0004"}, error("58206", "Withdrawal amount is less than the lower limit.")),
    ({"amt": "0.000000001"}, error("51000", "Parameter amt error")),  # beyond wdTickSz 8
    ({"amt": "0"}, error("51000", "Parameter amt error")),
    ({"amt": "1e3"}, error("51000", "Parameter amt error")),
    ({"dest": "5"}, error("51000", "Parameter dest error")),
    ({"toAddr": ""}, error("50014", "Parameter toAddr can not be empty.")),
    ({"ccy": "BTC-USDT"}, error("51000", "Parameter ccy error")),
    ({"chain": "BTC-Lightning"}, error("58010", "Chain BTC-Lightning isn't supported")),
    ({"ccy": "DOGE"}, error("51000", "Parameter ccy error")),  # no chain withdraws DOGE
    ({"chain": 5}, error("51000", "Parameter chain error")),
    ({"clientId": "not-alnum"}, error("51000", "Parameter clientId error")),
    ({"dest": "3", "toAddr": "a b"}, error(
        "58213", "The internal transfer address is illegal. It must be an email, phone "
                 "number, or account name")),
])
def test_each_refusal_answers_its_code_and_moves_nothing(
    exchange: FakeExchange, funding: FakeFundingAPI, kwargs: dict[str, str],
    expected: dict[str, Any],
) -> None:
    call = {"ccy": "BTC", "amt": "0.1", "dest": "4", "toAddr": ADDRESS, **kwargs}
    assert funding.withdrawal(**call) == expected
    assert _balance(funding, "BTC") == ("1", "0", "1")
    assert exchange.account_for_key(DEMO_KEY).withdrawals == []


def test_the_chain_cap_and_a_closed_chain_are_refused(exchange: FakeExchange,
                                                      funding: FakeFundingAPI) -> None:
    exchange.set_chain("BTC", "BTC-Bitcoin", fee="0.0001", min_wd="0.001", max_wd="0.2")
    assert funding.withdrawal("BTC", "0.3", "4", ADDRESS) == error(
        "58205", "Withdrawal amount exceeds the upper limit.")
    exchange.set_chain("BTC", "BTC-Bitcoin", fee="0.0001", min_wd="0.001", max_wd="0.2",
                       can_wd=False)
    assert funding.withdrawal("BTC", "0.1", "4", ADDRESS) == error(
        "58214", "Withdrawals suspended due to BTC-Bitcoin maintenance")
    # Internal withdrawals have their own switch and no fee (assumed).
    answer = funding.withdrawal("BTC", "0.1", "3", "friend@example.com")
    assert answer["code"] == "0"
    assert _balance(funding, "BTC") == ("0.9", "0", "0.9")


def test_a_key_without_withdraw_answers_50120(exchange: FakeExchange) -> None:
    exchange.add_account("reader", "s", "p", uid=exchange.account_for_key(DEMO_KEY).uid,
                         permissions=("read", "trade"))
    api = FakeFundingAPI("reader", "s", "p", exchange=exchange)
    assert api.withdrawal("BTC", "0.1", "4", ADDRESS) == error(
        "50120", "This API key doesn't have permission to use this function")
    assert api.get_withdrawal_history()["code"] == "0"  # reading needs read only


def test_a_waiting_withdrawal_freezes_amount_and_fee_until_it_settles(
    exchange: FakeExchange, funding: FakeFundingAPI,
) -> None:
    exchange.pend_next_withdrawals(2)
    first = funding.withdrawal("BTC", "0.2", "4", ADDRESS)["data"][0]["wdId"]
    second = funding.withdrawal("BTC", "0.3", "4", ADDRESS)["data"][0]["wdId"]

    assert _balance(funding, "BTC") == ("0.4999", "0.5001", "1")
    assert [row["state"] for row in funding.get_withdrawal_history()["data"]] == ["0", "0"]
    assert exchange.settle_withdrawal(first, "success").state == "2"
    assert exchange.settle_withdrawal(second, "failed").state == "-1"
    assert _balance(funding, "BTC") == ("0.79995", "0", "0.79995")
    assert exchange.account_for_key(DEMO_KEY).withdrawn("BTC") == Decimal("0.20005")
    with pytest.raises(ValueError, match="final"):
        exchange.settle_withdrawal(first, "failed")
    with pytest.raises(KeyError):
        exchange.settle_withdrawal("999", "success")
    # The next withdrawal leaves at once again.
    assert funding.withdrawal("BTC", "0.1", "4", ADDRESS)["code"] == "0"
    assert funding.get_withdrawal_history()["data"][0]["state"] == "2"


def test_seeding_funding_keeps_what_a_waiting_withdrawal_holds(
    exchange: FakeExchange, funding: FakeFundingAPI,
) -> None:
    exchange.pend_next_withdrawals()
    wd_id = funding.withdrawal("BTC", "0.5", "4", ADDRESS)["data"][0]["wdId"]
    exchange.account_for_key(DEMO_KEY).set_funding_balance("BTC", "2", frozen="0.1")
    assert _balance(funding, "BTC") == ("2", "0.60005", "2.60005")
    exchange.settle_withdrawal(wd_id, "success")
    assert _balance(funding, "BTC") == ("2", "0.1", "2.1")


def test_cancel_only_from_a_waiting_state(exchange: FakeExchange,
                                          funding: FakeFundingAPI) -> None:
    done = funding.withdrawal("BTC", "0.1", "4", ADDRESS)["data"][0]["wdId"]
    exchange.pend_next_withdrawals()
    waiting = funding.withdrawal("BTC", "0.1", "4", ADDRESS)["data"][0]["wdId"]

    assert funding.cancel_withdrawal(done) == error("58216", "Operation not allowed.")
    assert funding.cancel_withdrawal(waiting) == ok([{"wdId": waiting}])
    assert funding.cancel_withdrawal(waiting) == error(
        "58220", "Withdrawal request already canceled.")
    assert funding.cancel_withdrawal("1") == error("58215", "Withdrawal ID does not exist.")
    assert funding.cancel_withdrawal("") == error("50014", "Parameter wdId can not be empty.")
    assert _balance(funding, "BTC") == ("0.89995", "0", "0.89995")
    assert funding.get_withdrawal_history(wdId=waiting)["data"][0]["state"] == "-2"


def test_a_client_id_withdraws_once(exchange: FakeExchange, funding: FakeFundingAPI) -> None:
    first = funding.withdrawal("BTC", "0.1", "4", ADDRESS, clientId="once")
    again = funding.withdrawal("BTC", "0.1", "4", ADDRESS, clientId="once")
    assert first == again
    assert len(exchange.account_for_key(DEMO_KEY).withdrawals) == 1


def test_a_lost_answer_is_found_in_the_history_by_client_id(
    exchange: FakeExchange, funding: FakeFundingAPI,
) -> None:
    exchange.fail_next_network(path=WITHDRAWAL, after_answer=True)
    with pytest.raises(httpx.ConnectError):
        funding.withdrawal("BTC", "0.1", "4", ADDRESS, clientId="lost1")
    (row,) = funding.get_withdrawal_history(clientId="lost1")["data"]
    assert (row["clientId"], row["amt"], row["state"]) == ("lost1", "0.1", "2")
    assert funding.get_withdrawal_history(clientId="never") == error(
        "58215", "Withdrawal ID does not exist.")


def test_history_filters_and_orders_newest_first(exchange: FakeExchange,
                                                 funding: FakeFundingAPI) -> None:
    for amt, ccy in (("0.1", "BTC"), ("10", "USDT"), ("0.2", "BTC")):
        assert funding.withdrawal(ccy, amt, "4", ADDRESS)["code"] == "0"
    history = funding.get_withdrawal_history()["data"]
    assert [(row["ccy"], row["amt"]) for row in history] == [
        ("BTC", "0.2"), ("USDT", "10"), ("BTC", "0.1")]
    assert [row["amt"] for row in funding.get_withdrawal_history(ccy="btc")["data"]] == [
        "0.2", "0.1"]
    assert len(funding.get_withdrawal_history(limit="1")["data"]) == 1
    assert funding.get_withdrawal_history(limit="101") == error(
        "51000", "Parameter limit error")
    newest_ts = history[0]["ts"]
    assert [row["amt"] for row in funding.get_withdrawal_history(after=newest_ts)["data"]] == [
        "10", "0.1"]
    assert funding.get_withdrawal_history(state="-1")["data"] == []
    assert funding.get_withdrawal_history(type="3")["data"] == []
    assert len(funding.get_withdrawal_history(type="4")["data"]) == 3
    assert sorted(history[0]) == list(history[0])  # keys alphabetical, as on the wire


def test_currencies_answer_the_chain_table(exchange: FakeExchange,
                                           funding: FakeFundingAPI) -> None:
    rows = funding.get_currencies("USDT")["data"]
    assert [(row["chain"], row["name"], row["fee"], row["minWd"], row["maxWd"],
             row["wdTickSz"], row["mainNet"]) for row in rows] == [
        ("USDT-TRC20", "Tether", "1", "2", "1000000", "6", True),
        ("USDT-ERC20", "Tether", "3", "10", "1000000", "6", False)]
    exchange.set_chain("SOL", "SOL-Solana", fee="0.008", min_wd="0.1", max_wd="1000",
                       wd_tick_sz=4)
    (sol,) = funding.get_currencies("SOL")["data"]
    assert (sol["fee"], sol["wdTickSz"], sol["canWd"]) == ("0.008", "4", True)
    assert len(funding.get_currencies()["data"]) == 5
    with pytest.raises(ValueError, match="chain"):
        exchange.set_chain("SOL", "Solana", fee="1", min_wd="1", max_wd="2")


def test_deposit_withdraw_status_of_a_withdrawal(exchange: FakeExchange,
                                                 funding: FakeFundingAPI) -> None:
    exchange.pend_next_withdrawals()
    wd_id = funding.withdrawal("BTC", "0.1", "4", ADDRESS)["data"][0]["wdId"]
    (row,) = funding.get_deposit_withdraw_status(wdId=wd_id)["data"]
    assert row["state"].startswith("Pending withdrawal: ")
    assert (row["txId"], row["wdId"]) == ("", wd_id)
    assert funding.get_deposit_withdraw_status(wdId="1") == error(
        "58215", "Withdrawal ID does not exist.")
    assert funding.get_deposit_withdraw_status() == error(
        "50014", "Parameter wdId can not be empty.")


def test_the_withdrawal_route_admits_six_per_second(exchange: FakeExchange,
                                                    funding: FakeFundingAPI) -> None:
    frozen = FakeExchange(clock=lambda: 1_700_000_000.0, max_skew_s=None)
    frozen.add_account(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE).set_funding_balance("USDT", "1000")
    api = FakeFundingAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, exchange=frozen)
    codes = [api.withdrawal("USDT", "10", "4", "TAddr")["code"] for _ in range(7)]
    assert codes == ["0"] * 6 + ["50011"]


def test_control_api_pends_settles_and_seeds_chains(exchange: FakeExchange) -> None:
    with exchange.serve() as url, httpx.Client(base_url=url) as control:
        assert control.post("/_fake/withdrawals/pending", json={"times": 1}).json() == {
            "queued": {"pending_withdrawals": 1}}
        funding = FakeFundingAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, exchange=exchange)
        wd_id = funding.withdrawal("BTC", "0.1", "4", ADDRESS)["data"][0]["wdId"]
        settled = control.post(f"/_fake/withdrawals/{wd_id}/settle", json={"state": "success"})
        assert (settled.status_code, settled.json()["state"]) == (200, "2")
        again = control.post(f"/_fake/withdrawals/{wd_id}/settle", json={"state": "failed"})
        assert again.status_code == 409
        assert control.post("/_fake/withdrawals/1/settle",
                            json={"state": "success"}).status_code == 404
        bad = control.post(f"/_fake/withdrawals/{wd_id}/settle", json={"state": "done"})
        assert (bad.status_code, bad.json()["error"][:6]) == (400, "state:")
        chain = control.put("/_fake/chains/SOL/SOL-Solana",
                            json={"fee": "0.01", "min_wd": "0.1", "max_wd": "50"})
        assert (chain.status_code, chain.json()["maxWd"]) == (200, "50")
        refused = control.put("/_fake/chains/SOL/SOL-Solana", json={"fee": "0.01"})
        assert (refused.status_code, refused.json()) == (400, {"error": "min_wd: missing"})
        uid = exchange.account_for_key(DEMO_KEY).uid
        account = control.get(f"/_fake/accounts/{uid}").json()
        assert [row["wdId"] for row in account["withdrawals"]] == [wd_id]
        assert account["withdrawn"] == [{"ccy": "BTC", "amt": "0.10005"}]


def test_reset_forgets_withdrawals_and_the_pending_count(exchange: FakeExchange,
                                                         funding: FakeFundingAPI) -> None:
    seed = exchange.snapshot()
    exchange.set_chain("SOL", "SOL-Solana", fee="0.01", min_wd="0.1", max_wd="50")
    funding.withdrawal("BTC", "0.1", "4", ADDRESS)
    exchange.pend_next_withdrawals(3)
    exchange.restore(seed)
    account = exchange.account_for_key(DEMO_KEY)
    assert (account.withdrawals, account.withdrawn("BTC")) == ([], 0)
    assert funding.withdrawal("BTC", "0.1", "4", ADDRESS)["data"][0]["wdId"] == "20000001"
    assert funding.get_withdrawal_history()["data"][0]["state"] == "2"  # not left pending
    assert [row.chain for row in exchange.chains if row.ccy == "SOL"] == []
