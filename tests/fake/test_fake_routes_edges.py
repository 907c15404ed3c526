"""The modelled routes at their edges: what an empty or absent parameter means."""

from __future__ import annotations

from fake_support import DEMO_KEY, DEMO_PASSPHRASE, DEMO_SECRET
from okx_fakes import FakeAccountAPI, FakeExchange


def _api_with(*ccys: str) -> FakeAccountAPI:
    exchange = FakeExchange(max_skew_s=None)
    account = exchange.add_account(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, mode="spot")
    for ccy in ccys:
        account.set_balance(ccy, available="1")
    return FakeAccountAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, exchange=exchange)


def test_max_withdrawal_without_ccy_answers_every_held_currency_in_order_first_set() -> None:
    answer = _api_with("USDT", "BTC", "ETH").get_max_withdrawal()
    assert answer["code"] == "0"
    assert [row["ccy"] for row in answer["data"]] == ["USDT", "BTC", "ETH"]
