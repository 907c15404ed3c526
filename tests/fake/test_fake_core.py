"""Core behaviour of the fake exchange through FakeAccountAPI: the model and the answers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from okx_fakes import FakeAccountAPI, FakeExchange

KEY, SECRET, PASSPHRASE = "core-key", "core-secret", "core-pass"


def _api(mode: str = "multi_currency") -> tuple[FakeExchange, FakeAccountAPI]:
    exchange = FakeExchange()
    account = exchange.add_account(KEY, SECRET, PASSPHRASE, mode=mode)
    account.set_balance("BTC", available="1.5", borrowable="0.5")
    account.set_balance("ETH", available=10, borrowable=Decimal("2.000"))
    return exchange, FakeAccountAPI(KEY, SECRET, PASSPHRASE, flag="1", exchange=exchange)


def _entry(ccy: str, wd: str, wd_ex: str, so: str = "", so_ex: str = "") -> dict[str, str]:
    return {"ccy": ccy, "maxWd": wd, "maxWdEx": wd_ex, "spotOffsetMaxWd": so,
            "spotOffsetMaxWdEx": so_ex}


def test_issue_example_answers_exactly() -> None:
    _, api = _api()
    assert api.get_max_withdrawal("BTC") == {
        "code": "0", "msg": "", "data": [_entry("BTC", "1.5", "2")],
    }


@pytest.mark.parametrize(
    ("mode", "btc"),
    [
        ("spot", _entry("BTC", "1.5", "2")),
        ("futures", _entry("BTC", "1.5", "")),
        ("multi_currency", _entry("BTC", "1.5", "2")),
        ("portfolio", _entry("BTC", "1.5", "2", "1.5", "2")),
    ],
)
def test_mode_model(mode: str, btc: dict[str, str]) -> None:
    _, api = _api(mode)
    assert api.get_max_withdrawal("BTC")["data"] == [btc]


def test_all_currencies_in_insertion_order_and_named_in_asked_order() -> None:
    _, api = _api()
    assert [e["ccy"] for e in api.get_max_withdrawal()["data"]] == ["BTC", "ETH"]
    answer = api.get_max_withdrawal("ETH,XRP,btc,ETH")
    assert answer["data"] == [
        _entry("ETH", "10", "12"), _entry("XRP", "0", "0"), _entry("BTC", "1.5", "2"),
    ]


def test_switching_mode_changes_the_answer() -> None:
    exchange, api = _api("spot")
    account = exchange.accounts[0]
    account.mode = "futures"
    assert api.get_max_withdrawal("BTC")["data"] == [_entry("BTC", "1.5", "")]
    account.set_mode("portfolio")
    assert api.get_max_withdrawal("BTC")["data"] == [_entry("BTC", "1.5", "2", "1.5", "2")]
