"""The funding routes: transfer, transfer state, funding balances; examples and refusals.

Every refusal is checked through every way in (FakeFundingAPI, install() under the real
python-okx FundingAPI, serve()); the invariants are properties in test_fake_funding_model.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import okx.Account as Account
import okx.Funding as Funding
import pytest
from fake_support import (
    DEMO_KEY,
    DEMO_PASSPHRASE,
    DEMO_SECRET,
    START_S,
    StepClock,
    error,
    funded_exchange,
)
from hypothesis import given, settings
from okx_fakes import (
    ERRORS,
    FakeAccountAPI,
    FakeExchange,
    FakeFundingAPI,
    TradingBalance,
    TransferRecord,
)
from okx_fakes import strategies as okx_st


@pytest.fixture
def clock() -> StepClock:
    return StepClock()


@pytest.fixture
def exchange(clock: StepClock) -> FakeExchange:
    """FUNDS in a multi_currency demo account: BTC 1.5/0.5, ETH 10/2, USDT 2500.25/0."""
    return funded_exchange(clock, max_skew_s=None)


@pytest.fixture
def funding(exchange: FakeExchange) -> FakeFundingAPI:
    return FakeFundingAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, flag="1", exchange=exchange)


def max_wd(exchange: FakeExchange, ccy: str) -> tuple[str, str]:
    body = FakeAccountAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE,
                          exchange=exchange).get_max_withdrawal(ccy)
    return body["data"][0]["maxWd"], body["data"][0]["maxWdEx"]


def ok(data: list[dict[str, str]]) -> dict[str, Any]:
    return {"code": "0", "data": data, "msg": ""}


# -- examples ---------------------------------------------------------------------------


def test_a_transfer_to_funding_moves_exactly_and_lowers_max_withdrawal(exchange, funding):
    answer = funding.funds_transfer("BTC", "0.4", "18", "6")

    assert answer == ok([{"transId": "1000001", "ccy": "BTC", "clientId": "", "from": "18",
                          "amt": "0.4", "to": "6"}])
    assert max_wd(exchange, "BTC") == ("1.1", "1.6")
    account = exchange.account_for_key(DEMO_KEY)
    assert account.trading_balance("BTC") == TradingBalance(Decimal("1.1"), Decimal("0.5"),
                                                            Decimal(0))
    assert account.funding_balance("BTC") == Decimal("0.4")
    assert funding.get_balances() == ok([{"availBal": "0.4", "bal": "0.4", "ccy": "BTC",
                                          "frozenBal": "0"}])


def test_above_max_wd_is_refused_and_nothing_moves(exchange, funding):
    assert funding.funds_transfer("BTC", "1.5000001", "18", "6") == error(
        "58350", "Insufficient balance")

    assert max_wd(exchange, "BTC") == ("1.5", "2")
    assert exchange.account_for_key(DEMO_KEY).transfers == []


@pytest.mark.parametrize("loan_trans", [True, "true"])
def test_loan_trans_moves_up_to_max_wd_ex_and_borrows_the_rest(exchange, funding, loan_trans):
    assert funding.funds_transfer("BTC", "1.75", "18", "6", loanTrans=loan_trans)["code"] == "0"

    account = exchange.account_for_key(DEMO_KEY)
    assert account.trading_balance("BTC") == TradingBalance(Decimal(0), Decimal("0.25"),
                                                            Decimal("0.25"))
    assert account.borrowed("BTC") == Decimal("0.25")
    assert max_wd(exchange, "BTC") == ("0", "0.25")
    assert account.transfers[0].loan is True


@pytest.mark.parametrize("loan_trans", ["", False, "false"])
def test_without_loan_trans_the_bound_is_max_wd(funding, loan_trans):
    answer = funding.funds_transfer("BTC", "1.75", "18", "6", loanTrans=loan_trans)

    assert answer["code"] == "58350"


def test_futures_cannot_borrow_even_with_loan_trans(exchange, funding):
    exchange.account_for_key(DEMO_KEY).set_mode("futures")

    assert funding.funds_transfer("BTC", "1.75", "18", "6", loanTrans=True)["code"] == "58350"
    assert funding.funds_transfer("BTC", "1.5", "18", "6", loanTrans=True)["code"] == "0"


def test_back_to_trading_is_bounded_by_the_funding_balance(exchange, funding, clock):
    account = exchange.account_for_key(DEMO_KEY)
    account.set_funding_balance("ETH", "3")

    assert funding.funds_transfer("ETH", "3.1", "6", "18")["code"] == "58116"
    assert funding.funds_transfer("ETH", "3", "6", "18")["code"] == "0"

    assert account.funding_balance("ETH") == 0
    assert account.funding_balances == {}
    assert max_wd(exchange, "ETH") == ("13", "15")


def test_pinned_values_bound_transfers_and_move_with_them(exchange, funding, clock):
    account = exchange.account_for_key(DEMO_KEY)
    account.set_max_withdrawal("OKB", "5", "8", "4", "7")

    assert funding.funds_transfer("OKB", "5.1", "18", "6")["code"] == "58350"
    assert funding.funds_transfer("OKB", "6", "18", "6", loanTrans=True)["code"] == "0"

    assert account.entry("OKB").as_okx("OKB") == {
        "ccy": "OKB", "maxWd": "0", "maxWdEx": "2", "spotOffsetMaxWd": "0",
        "spotOffsetMaxWdEx": "1"}
    assert account.trading_balance("OKB") == TradingBalance(Decimal(0), Decimal(2), Decimal(1))
    clock.now_s += 1
    assert funding.funds_transfer("OKB", "2.5", "6", "18")["code"] == "0"
    assert account.entry("OKB").max_wd == "2.5"


def test_a_pinned_empty_max_wd_moves_nothing(exchange, funding):
    exchange.account_for_key(DEMO_KEY).set_max_withdrawal("OKB", None)

    assert funding.funds_transfer("OKB", "0.1", "18", "6")["code"] == "58350"


def test_transfer_state_by_trans_id_or_client_id_trans_id_wins(exchange, funding, clock):
    first = funding.funds_transfer("BTC", "0.1", "18", "6")["data"][0]["transId"]
    clock.now_s += 1
    second = funding._request_with_params("POST", "/api/v5/asset/transfer", {
        "ccy": "BTC", "amt": "0.2", "from": "18", "to": "6", "clientId": "sweep42"})

    row = {"amt": "0.2", "ccy": "BTC", "clientId": "sweep42", "from": "18", "instId": "",
           "state": "success", "subAcct": "", "to": "6", "toInstId": "",
           "transId": second["data"][0]["transId"], "type": "0"}
    assert funding._request_with_params(
        "GET", "/api/v5/asset/transfer-state", {"clientId": "sweep42"}) == ok([row])
    assert funding._request_with_params(
        "GET", "/api/v5/asset/transfer-state",
        {"transId": first, "clientId": "sweep42"})["data"][0]["amt"] == "0.1"
    # OKX: an id naming no transfer is 58129 with no rows, naming the parameter.
    assert funding.transfer_state("999") == error(
        "58129", "transId is incorrect or transId does not match with 'type'")
    assert funding._request_with_params(
        "GET", "/api/v5/asset/transfer-state", {"clientId": "fakeClientId"}) == error(
        "58129", "clientId is incorrect or clientId does not match with 'type'")
    assert funding.transfer_state("") == error("50014", "Parameter transId can not be empty.")
    record = exchange.account_for_key(DEMO_KEY).find_transfer(client_id="sweep42")
    assert record == TransferRecord(row["transId"], "sweep42", "BTC", Decimal("0.2"), "18", "6",
                                    False, "success", START_S + 1)


def test_balances_lists_only_currencies_above_zero_in_the_order_asked(exchange, funding):
    account = exchange.account_for_key(DEMO_KEY)
    account.set_funding_balance("usdt", "7.50")
    account.set_funding_balance("ETH", 0)
    account.set_funding_balance("BTC", "1")

    assert [row["ccy"] for row in funding.get_balances()["data"]] == ["USDT", "BTC"]
    assert funding.get_balances("btc,ETH,usdt,XRP") == ok([
        {"availBal": "1", "bal": "1", "ccy": "BTC", "frozenBal": "0"},
        {"availBal": "7.5", "bal": "7.5", "ccy": "USDT", "frozenBal": "0"}])
    assert funding.get_balances(",".join(f"C{i}" for i in range(21)))["code"] == "50025"
    assert funding.get_balances("BTC-USDT") == error("51000", "Parameter ccy error")


# -- the rate limit -----------------------------------------------------------------------


def test_two_transfers_per_second_per_uid_and_currency(exchange, funding, clock):
    assert funding.funds_transfer("BTC", "0.1", "18", "6")["code"] == "0"
    clock.now_s += 0.5
    assert funding.funds_transfer("BTC", "0.1", "18", "6")["code"] == "0"
    assert funding.funds_transfer("BTC", "0.1", "18", "6") == error(
        "58102", "Rate limit reached. Please refer to API docs and throttle requests accordingly.")
    assert funding.funds_transfer("eth", "0.1", "18", "6")["code"] == "0"  # another currency
    other = exchange.add_account("other-key", "other-secret", "other-pass")
    other.set_balance("BTC", available="1")
    other_funding = FakeFundingAPI("other-key", "other-secret", "other-pass", flag="1",
                                   exchange=exchange)
    assert other_funding.funds_transfer("BTC", "0.1", "18", "6")["code"] == "0"  # another uid
    assert max_wd(exchange, "BTC")[0] == "1.3"  # max-withdrawal's window is its own
    clock.now_s += 0.5  # the first transfer leaves the window
    assert funding.funds_transfer("BTC", "0.1", "18", "6")["code"] == "0"

    statuses = [(r.code, r.status) for r in exchange.requests if r.path.endswith("transfer")]
    assert statuses == [("0", 200), ("0", 200), ("58102", 429), ("0", 200), ("0", 200),
                        ("0", 200)]


def test_refused_transfers_count_but_rate_limited_ones_do_not(funding, clock):
    assert funding.funds_transfer("BTC", "0", "18", "6")["code"] == "58114"
    assert funding.funds_transfer("BTC", "9", "18", "6")["code"] == "58350"
    clock.now_s += 0.5
    assert funding.funds_transfer("BTC", "0.1", "18", "6")["code"] == "58102"
    assert funding.funds_transfer("BTC", "0.1", "18", "6")["code"] == "58102"
    clock.now_s += 0.5  # the refusals leave the window; counted 58102s would still fill it
    assert funding.funds_transfer("BTC", "0.1", "18", "6")["code"] == "0"
    assert funding.funds_transfer("BTC", "0.1", "18", "6")["code"] == "0"


def test_the_rate_windows_stay_few_whatever_currencies_are_sent(exchange, funding, clock):
    for index in range(300):  # malformed: answered 51000, all in the uid's one window
        assert funding.funds_transfer(f"B-{index}", "0.1", "18", "6")["code"] in ("51000",
                                                                                  "58102")
    assert len(exchange._windows) == 1
    for index in range(300):  # well-formed, each asked once: stale windows are swept
        clock.now_s += 1
        assert funding.funds_transfer(f"C{index}", "0", "18", "6")["code"] == "58114"
    assert len(exchange._windows) <= 64


# -- permissions --------------------------------------------------------------------------


def test_a_key_without_trade_cannot_transfer_and_one_without_read_cannot_read(exchange):
    exchange.add_account("read-only", "s1", "p1", uid=exchange.account_for_key(DEMO_KEY).uid,
                         permissions=("read",))
    exchange.add_account("trade-only", "s2", "p2", permissions=["trade"])
    denied = error("50120", "This API key doesn't have permission to use this function")

    reader = FakeFundingAPI("read-only", "s1", "p1", exchange=exchange)
    trader = FakeFundingAPI("trade-only", "s2", "p2", exchange=exchange)
    assert reader.funds_transfer("BTC", "0.1", "18", "6") == denied
    assert reader.get_balances()["code"] == "0"
    assert trader.get_balances() == denied
    assert trader.transfer_state("1") == denied
    reads = FakeAccountAPI("trade-only", "s2", "p2", exchange=exchange)
    assert reads.get_max_withdrawal() == denied
    assert trader.funds_transfer("BTC", "0.1", "18", "6")["code"] == "58350"  # holds nothing
    assert [r.status for r in exchange.requests if r.code == "50120"] == [200] * 4


@pytest.mark.parametrize("permissions", ["read", ("read", "admin"), (1,)])
def test_add_account_refuses_unknown_permissions(permissions):
    with pytest.raises(ValueError, match="permissions"):
        FakeExchange().add_account("k", "s", "p", permissions=permissions)


def test_account_for_key_never_shows_the_key():
    with pytest.raises(KeyError) as caught:
        FakeExchange().account_for_key("super-secret-key")
    assert "super-secret-key" not in str(caught.value)


# -- refusals through every way in -----------------------------------------------------------


@contextmanager
def _direct(exchange: FakeExchange) -> Iterator[Any]:
    yield FakeFundingAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, flag="1", exchange=exchange)


@contextmanager
def _installed(exchange: FakeExchange) -> Iterator[Any]:
    api = Funding.FundingAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, flag="1")
    with api, exchange.install(api):
        yield api


@contextmanager
def _served(exchange: FakeExchange) -> Iterator[Any]:
    with exchange.serve() as url:
        api = Funding.FundingAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, flag="1", domain=url)
        with api:
            yield api


WAYS_IN: dict[str, Callable[[FakeExchange], Any]] = {
    "direct": _direct, "install": _installed, "serve": _served,
}

REFUSALS = [
    # (what, funds_transfer kwargs, code, status)
    ("above maxWd", {"amt": "1.6"}, "58350", 200),
    ("zero", {"amt": "0"}, "58114", 400),
    ("negative", {"amt": "-1"}, "58114", 400),
    ("malformed amt", {"amt": "1e3"}, "51000", 400),
    ("malformed from", {"from_": "7"}, "51000", 400),
    ("malformed to", {"to": "x"}, "51000", 400),
    ("malformed ccy", {"ccy": "BTC-USDT"}, "51000", 400),
    ("from == to", {"to": "18"}, "58123", 200),
    ("sub-account type", {"type": "1"}, "58127", 200),
    ("malformed loanTrans", {"loanTrans": "yes"}, "51000", 400),
]


@pytest.mark.parametrize("way", sorted(WAYS_IN))
@pytest.mark.parametrize(("what", "changes", "code", "status"), REFUSALS,
                         ids=[case[0] for case in REFUSALS])
def test_each_refusal_through_every_way_in(way, what, changes, code, status):
    exchange = funded_exchange(max_skew_s=None)
    kwargs = {"ccy": "BTC", "amt": "0.1", "from_": "18", "to": "6", **changes}

    with WAYS_IN[way](exchange) as api:
        answer = api.funds_transfer(**kwargs)

    assert answer["code"] == code
    assert (ERRORS[code].status, exchange.requests[-1].status) == (status, status)
    assert exchange.account_for_key(DEMO_KEY).transfers == []


@pytest.mark.parametrize("way", sorted(WAYS_IN))
def test_a_sweep_and_its_reads_through_every_way_in(way):
    exchange = funded_exchange(max_skew_s=None)

    with WAYS_IN[way](exchange) as api:
        moved = api.funds_transfer("ETH", "2.5", "18", "6", loanTrans="")
        state = api.transfer_state(moved["data"][0]["transId"])
        balances = api.get_balances("ETH")

    assert moved["code"] == state["code"] == "0"
    assert state["data"][0]["state"] == "success"
    assert balances == ok([{"availBal": "2.5", "bal": "2.5", "ccy": "ETH", "frozenBal": "0"}])
    sdk = Account.AccountAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, flag="1")
    with sdk, exchange.install(sdk):
        assert sdk.get_max_withdrawal("ETH")["data"][0]["maxWd"] == "7.5"


@settings(max_examples=60)
@given(okx_st.malformed_transfer_cases())
def test_malformed_transfers_answer_their_code_and_move_nothing(case):
    exchange = funded_exchange(max_skew_s=None)
    with _direct(exchange) as api:
        answer = api.funds_transfer(**case.kwargs)

    assert answer["code"] == case.code
    assert exchange.requests[-1].status == ERRORS[case.code].status
    assert exchange.account_for_key(DEMO_KEY).transfers == []


@pytest.mark.parametrize("body", [b"", b"[]", b"{", b'{"amt": NaN}', b"1" * 5000,
                                  b"[" * 5000])
def test_a_body_that_is_not_a_json_object_is_51000(exchange, body):
    from okx_fakes import FakeRequest
    from okx_fakes._auth import format_timestamp, prehash, sign

    timestamp = format_timestamp(START_S)
    path = "/api/v5/asset/transfer"
    headers = {"ok-access-key": DEMO_KEY, "ok-access-passphrase": DEMO_PASSPHRASE,
               "ok-access-timestamp": timestamp, "x-simulated-trading": "1",
               "ok-access-sign": sign(DEMO_SECRET, prehash(timestamp, "POST", path,
                                                             body.decode()))}

    response = exchange.handle(FakeRequest("POST", path, headers, body))

    assert (response.status, response.body) == (
        400, b'{"code":"51000","data":[],"msg":"Parameter body error"}')


def test_json_numbers_and_integers_are_read_exactly(exchange, funding):
    answer = funding.funds_transfer("BTC", 0.1, 18, 6)  # JSON 0.1, 18, 6

    assert answer["data"][0] == {"transId": "1000001", "ccy": "BTC", "clientId": "",
                                 "from": "18", "amt": "0.1", "to": "6"}


def test_fake_funding_api_other_methods_are_not_modelled(exchange):
    api = FakeFundingAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, exchange=exchange)

    with pytest.raises(NotImplementedError,
                       match=r"FakeFundingAPI\.get_deposit_history is not modelled"):
        api.get_deposit_history("BTC")
    assert repr(api) == "FakeFundingAPI(flag='1', domain='https://www.okx.com')"


@settings(max_examples=60)
@given(okx_st.transfer_cases())
def test_well_formed_transfer_cases_are_only_ever_refused_for_their_amount(case):
    exchange = funded_exchange(max_skew_s=None)
    account = exchange.account_for_key(DEMO_KEY)
    bound = (account.transferable(case.ccy, loan=case.loan) if case.from_ == "18"
             else account.funding_balance(case.ccy))

    with _direct(exchange) as api:
        answer = api.funds_transfer(**case.kwargs())

    refusal = "58350" if case.from_ == "18" else "58116"
    assert answer["code"] == ("0" if Decimal(case.amt) <= bound else refusal)
