"""The account model: amounts, currency codes, pinned values, keys and uids."""

from __future__ import annotations

import decimal
from collections.abc import Callable
from decimal import Decimal

import pytest
from fake_support import DEMO_KEY, DEMO_PASSPHRASE, DEMO_SECRET
from hypothesis import given, settings
from hypothesis import strategies as st
from okx_fakes import ACCOUNT_LEVELS, FakeAccount, FakeAccountAPI, FakeExchange, FakeRequest

MODES = sorted(ACCOUNT_LEVELS)


def _account_and_api(mode: str = "spot") -> tuple[FakeAccount, FakeAccountAPI]:
    exchange = FakeExchange(max_skew_s=None)
    account = exchange.add_account(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, mode=mode)
    return account, FakeAccountAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, exchange=exchange)


def _one(api: FakeAccountAPI, ccy: str) -> dict[str, str]:
    answer = api.get_max_withdrawal(ccy)
    assert answer["code"] == "0", answer
    [entry] = answer["data"]
    return dict(entry)


@pytest.mark.parametrize(
    ("given_amount", "rendered"),
    [
        ("1.50", "1.5"),
        ("100", "100"),
        (100, "100"),
        (Decimal("1E+2"), "100"),
        ("0.00000001", "0.00000001"),
        ("1e-8", "0.00000001"),
        ("0E-8", "0"),
        ("-0", "0"),
        ("  7.0 ", "7"),
        ("12345678901234567890123456789.000000000000000000000000000001000",
         "12345678901234567890123456789.000000000000000000000000000001"),
    ],
)
def test_amounts_render_plain_without_trailing_zeros(given_amount: object, rendered: str) -> None:
    account, api = _account_and_api()
    account.set_balance("BTC", available=given_amount)
    assert _one(api, "BTC")["maxWd"] == rendered


def test_sum_is_exact_beyond_default_decimal_precision() -> None:
    account, api = _account_and_api("multi_currency")
    account.set_balance(
        "BTC", available="12345678901234567890.123456789", borrowable="0.000000000000000000001"
    )
    assert _one(api, "BTC")["maxWdEx"] == "12345678901234567890.123456789000000000001"


@pytest.mark.parametrize(
    ("bad", "error"),
    [
        (1.5, TypeError),
        (True, TypeError),
        (None, TypeError),
        ("abc", ValueError),
        ("", ValueError),
        ("NaN", ValueError),
        ("Infinity", ValueError),
        (Decimal("-1"), ValueError),
        ("-0.1", ValueError),
        ("1e30", ValueError),
        ("1e-31", ValueError),
    ],
)
def test_bad_amounts_raise_typed_errors(bad: object, error: type[Exception]) -> None:
    account, _ = _account_and_api()
    with pytest.raises(error, match="available"):
        account.set_balance("BTC", available=bad)


@pytest.mark.parametrize("bad", ["", "BT C", "BTC-USDT", "B" * 33, "ÉTH", "btc,eth"])
def test_bad_currency_codes_raise_value_error(bad: str) -> None:
    account, _ = _account_and_api()
    with pytest.raises(ValueError, match="currency code"):
        account.set_balance(bad, available=1)
    with pytest.raises(TypeError, match="currency code"):
        account.set_balance(b"BTC", available=1)


def test_lower_case_codes_are_upper_cased() -> None:
    account, api = _account_and_api()
    account.set_balance("usdt", available="5")
    assert account.currencies == ["USDT"]
    assert _one(api, "Usdt") == _one(api, "USDT")
    assert _one(api, "usdt")["ccy"] == "USDT"


@pytest.mark.parametrize("mode", MODES)
def test_pinned_values_answer_exactly_whatever_the_mode(mode: str) -> None:
    account, api = _account_and_api(mode)
    account.set_max_withdrawal("ETH", "10.10", "12", None, "3")
    assert _one(api, "ETH") == {"ccy": "ETH", "maxWd": "10.1", "maxWdEx": "12",
                                "spotOffsetMaxWd": "", "spotOffsetMaxWdEx": "3"}
    account.set_balance("ETH", available="1")
    assert _one(api, "ETH")["maxWd"] == "1"  # the latest call wins


def test_pinned_max_wd_above_max_wd_ex_is_refused() -> None:
    account, _ = _account_and_api()
    with pytest.raises(ValueError, match="must not exceed"):
        account.set_max_withdrawal("ETH", "2", "1.99")
    account.set_max_withdrawal("ETH", "2", "2")  # equal is allowed


def test_never_held_answers_zeros_per_mode() -> None:
    account, api = _account_and_api("futures")
    assert _one(api, "ZRX") == {"ccy": "ZRX", "maxWd": "0", "maxWdEx": "",
                                "spotOffsetMaxWd": "", "spotOffsetMaxWdEx": ""}
    account.mode = "portfolio"
    assert _one(api, "ZRX") == {"ccy": "ZRX", "maxWd": "0", "maxWdEx": "0",
                                "spotOffsetMaxWd": "0", "spotOffsetMaxWdEx": "0"}
    account.set_balance("ZRX", available=3)
    account.remove_currency("zrx")
    assert _one(api, "ZRX")["maxWd"] == "0"


def test_unknown_mode_is_refused_everywhere() -> None:
    exchange = FakeExchange()
    with pytest.raises(ValueError, match="unknown account mode"):
        exchange.add_account("k", "s", "p", mode="margin")
    account = exchange.add_account("k", "s", "p")
    assert (account.mode, account.acct_lv) == ("spot", "1")
    with pytest.raises(ValueError, match="unknown account mode"):
        account.mode = "Spot"
    assert [ACCOUNT_LEVELS[m] for m in ("spot", "futures", "multi_currency", "portfolio")] == [
        "1", "2", "3", "4"]


def test_keys_uids_and_sub_keys() -> None:
    exchange = FakeExchange()
    first = exchange.add_account("k1", "s", "p", mode="portfolio")
    second = exchange.add_account("k2", "s", "p")
    assert first.uid != second.uid and first.uid.isdigit()
    assert FakeExchange().add_account("k1", "s", "p").uid == first.uid  # deterministic
    sub = exchange.add_account("k3", "s2", "p2", uid=first.uid)
    assert sub is first and sub.mode == "portfolio"  # a sub-key joins the account
    assert exchange.add_account("k4", "s", "p", uid=first.uid, mode="portfolio") is first
    with pytest.raises(ValueError, match="cannot add a key"):
        exchange.add_account("k5", "s", "p", uid=first.uid, mode="spot")
    with pytest.raises(ValueError, match="already registered"):
        exchange.add_account("k1", "other", "other")
    with pytest.raises(ValueError, match="api_key"):
        exchange.add_account("", "s", "p")
    custom = exchange.add_account("k6", "s", "p", uid="42")
    assert exchange.account("42") is custom
    assert exchange.accounts == [first, second, custom]


def test_sub_keys_share_balances() -> None:
    exchange = FakeExchange(max_skew_s=None)
    account = exchange.add_account("k1", "s1", "p1", uid="7")
    exchange.add_account("k2", "s2", "p2", uid="7")
    account.set_balance("BTC", available=2)
    for key, secret, passphrase in (("k1", "s1", "p1"), ("k2", "s2", "p2")):
        api = FakeAccountAPI(key, secret, passphrase, exchange=exchange)
        assert api.get_max_withdrawal("BTC")["data"][0]["maxWd"] == "2"


_amounts = st.one_of(
    st.integers(min_value=0, max_value=10**20),
    st.decimals(min_value=0, max_value=10**20, allow_nan=False, allow_infinity=False, places=12),
    st.decimals(min_value=0, max_value=10**6, allow_nan=False, allow_infinity=False,
                places=8).map(str),
)


@settings(max_examples=150)
@given(mode=st.sampled_from(MODES), available=_amounts, borrowable=_amounts)
def test_answer_invariants_hold_for_any_balance(
    mode: str, available: object, borrowable: object
) -> None:
    account, api = _account_and_api(mode)
    account.set_balance("BTC", available=available, borrowable=borrowable)
    entry = _one(api, "BTC")
    amounts = {name: value for name, value in entry.items() if name != "ccy" and value != ""}
    for value in amounts.values():
        assert "E" not in value.upper() and not value.startswith("-")
        assert value == "0" or not (("." in value) and value.endswith("0"))
    assert Decimal(entry["maxWd"]) == Decimal(str(available))
    if mode == "futures":
        assert entry["maxWdEx"] == ""
    else:
        exact_sum = decimal.Context(prec=100).add(Decimal(str(available)), Decimal(str(borrowable)))
        assert Decimal(entry["maxWdEx"]) == exact_sum
        assert Decimal(entry["maxWd"]) <= Decimal(entry["maxWdEx"])
    spot_offset = (entry["spotOffsetMaxWd"], entry["spotOffsetMaxWdEx"])
    expected = (entry["maxWd"], entry["maxWdEx"]) if mode == "portfolio" else ("", "")
    assert spot_offset == expected


def test_a_snapshot_never_shows_a_secret_or_passphrase() -> None:
    exchange = FakeExchange(max_skew_s=None)
    exchange.add_account(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE)
    before = exchange.snapshot()
    other = FakeExchange(max_skew_s=None)
    other.add_account(DEMO_KEY, "other-secret-3d1e", "other-pass-8b7f").set_balance(
        "BTC", available="1")
    after = other.snapshot()
    shown = [repr(before), repr(before.keys), repr(after.keys)]
    with pytest.raises(AssertionError) as excinfo:
        assert before == after
    diff = str(excinfo.value)
    shown.append(diff)
    for text in shown:
        for secret in (DEMO_SECRET, DEMO_PASSPHRASE, "other-secret-3d1e", "other-pass-8b7f"):
            assert secret not in text, text
    # The keys are the dict's keys: a diff of two snapshots leaves them out altogether.
    assert DEMO_KEY not in repr(before) and DEMO_KEY not in diff
    assert "KeyRecord(uid='100000000000001')" in repr(before.keys)


@pytest.mark.parametrize(
    ("queue", "error"),
    [
        (lambda exchange: exchange.fail_next(50001, msg="\ud800"), "msg is not encodable"),
        (lambda exchange: exchange.fail_next(50001, msg=1), "msg must be a str"),
        (lambda exchange: exchange.fail_next_http(502, "\ud800"), "body is not encodable"),
        (lambda exchange: exchange.fail_next_http(502, [1, 2]), "body must be bytes or str"),
        (lambda exchange: exchange.fail_next_http(502, "x", content_type="a\r\nSet-Cookie: a=b"),
         "content_type must be"),
        (lambda exchange: exchange.fail_next_http(502, "x", content_type="text/\u20ac"),
         "content_type must be"),
    ],
)
def test_a_fault_that_could_not_be_sent_is_refused_when_queued(
    queue: Callable[[FakeExchange], None], error: str,
) -> None:
    exchange = FakeExchange(max_skew_s=None)
    with pytest.raises(ValueError, match=error):
        queue(exchange)
    assert exchange.handle(FakeRequest("GET", "/nowhere", {}, b"")).status == 404  # none queued
