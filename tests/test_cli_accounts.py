"""The accounts document (okx_fakes.parse_accounts): its format, its errors, the sample account."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from okx_fakes import (
    SAMPLE_ACCOUNTS,
    AccountsFileError,
    FakeAccountAPI,
    FakeExchange,
    FakeFundingAPI,
    parse_accounts,
    sample_exchange,
    seed_exchange,
)


def _answer(exchange: FakeExchange, key: str, secret: str, passphrase: str, *, flag: str = "1"):
    api = FakeAccountAPI(key, secret, passphrase, flag=flag, exchange=exchange)
    return api.get_max_withdrawal("")


def _account(**fields):
    return {"api_key": "k", "secret_key": "s", "passphrase": "p", **fields}


def _document(*accounts):
    return json.dumps({"accounts": list(accounts)})


def test_the_sample_account_answers_its_documented_values():
    exchange, account = sample_exchange()

    body = _answer(exchange, account.api_key, account.secret_key, account.passphrase)

    assert body["code"] == "0"
    assert [(e["ccy"], e["maxWd"], e["maxWdEx"]) for e in body["data"]] == [
        ("BTC", "1.23456789", "1.73456789"),
        ("ETH", "10", "12.5"),
        ("USDT", "2500.75", "3500.75"),
    ]


def test_every_field_of_the_format_reaches_the_exchange():
    text = _document(
        _account(
            mode="portfolio",
            demo=False,
            uid="7",
            balances={"btc": {"available": "1.5", "borrowable": 2}},
            max_withdrawals={
                "ETH": {"max_wd": "1", "max_wd_ex": 3, "spot_offset_max_wd": None},
            },
        ),
        {"api_key": "k2", "secret_key": "s2", "passphrase": "p2", "uid": "7"},
    )
    exchange = FakeExchange()

    seed_exchange(exchange, parse_accounts(text))

    body = _answer(exchange, "k", "s", "p", flag="0")
    assert body["data"] == [
        {"ccy": "BTC", "maxWd": "1.5", "maxWdEx": "3.5",
         "spotOffsetMaxWd": "1.5", "spotOffsetMaxWdEx": "3.5"},
        {"ccy": "ETH", "maxWd": "1", "maxWdEx": "3",
         "spotOffsetMaxWd": "", "spotOffsetMaxWdEx": ""},
    ]
    # The second key shares uid 7: the same account, a demo key by default.
    assert _answer(exchange, "k2", "s2", "p2")["data"] == body["data"]


def test_funding_balances_and_permissions_reach_the_exchange():
    text = _document(_account(funding={"usdt": "12.5", "BTC": 1}, permissions=["read"]))
    exchange = FakeExchange()

    (account,) = seed_exchange(exchange, parse_accounts(text))

    assert account.funding_balances == {"USDT": Decimal("12.5"), "BTC": Decimal(1)}
    funding = FakeFundingAPI("k", "s", "p", flag="1", exchange=exchange)
    assert funding.get_balances("USDT")["data"][0]["availBal"] == "12.5"
    # A read-only key: the transfer needs "trade".
    assert funding.funds_transfer("USDT", "1", "6", "18")["code"] == "50120"


def test_keys_default_to_every_permission():
    (spec,) = parse_accounts(_document(_account()))
    assert spec.permissions == ("read", "trade", "withdraw")


def test_json_numbers_with_a_fraction_are_read_exactly_not_as_floats():
    text = '{"accounts": [{"api_key": "k", "secret_key": "s", "passphrase": "p",'
    text += ' "balances": {"BTC": {"available": 0.1000000000000000055511151231257827}}}]}'
    (spec,) = parse_accounts(text)

    assert spec.balances["BTC"][0] == Decimal("0.1000000000000000055511151231257827")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "not valid JSON"),
        ("[]", "the document: expected an object"),
        ("{}", 'the document: missing key "accounts"'),
        ('{"accounts": []}', "accounts: expected a non-empty list"),
        ('{"accounts": [], "extra": 1}', "the document: unknown key 'extra'"),
        ('{"accounts": [1]}', "accounts[0]: expected an object, got 1"),
        (_document({"secret_key": "s", "passphrase": "p"}), 'accounts[0]: missing key "api_key"'),
        (_document(_account(api_key="")), "accounts[0].api_key: expected a non-empty string"),
        (_document(_account(secret_key=5)), "accounts[0].secret_key: expected a non-empty string"),
        (_document(_account(mode=3)), "accounts[0].mode: expected a string, got 3"),
        (_document(_account(demo="yes")), "accounts[0].demo: expected true or false, got 'yes'"),
        (_document(_account(uid=7)), "accounts[0].uid: expected a non-empty string, got 7"),
        (_document(_account(balance={})), "accounts[0]: unknown key 'balance'"),
        (_document(_account(balances=[])), "accounts[0].balances: expected an object"),
        (_document(_account(balances={"BTC": {}})),
         'accounts[0].balances.BTC: missing key "available"'),
        (_document(_account(balances={"BTC": {"available": True}})),
         "accounts[0].balances.BTC.available: expected a decimal string, got True"),
        (_document(_account(balances={"BTC": {"available": "1", "borowable": "1"}})),
         "accounts[0].balances.BTC: unknown key 'borowable'"),
        (_document(_account(max_withdrawals={"BTC": {"max_wd_ex": "1"}})),
         'accounts[0].max_withdrawals.BTC: missing key "max_wd"'),
        (_document(_account(max_withdrawals={"BTC": {"max_wd": "1", "max_wd_ex": []}})),
         "accounts[0].max_withdrawals.BTC.max_wd_ex: expected a decimal string, got []"),
        ('{"accounts": [{"api_key": "k", "secret_key": "s", "passphrase": "p",'
         ' "balances": {"BTC": {"available": NaN}}}]}', "NaN is not a valid amount"),
        (_document(_account(funding=[])), "accounts[0].funding: expected an object"),
        (_document(_account(funding={"BTC": True})),
         "accounts[0].funding.BTC: expected a decimal string, got True"),
        (_document(_account(permissions="read")),
         "accounts[0].permissions: expected a list of strings, got 'read'"),
        (_document(_account(permissions=[1])),
         "accounts[0].permissions: expected a list of strings, got [1]"),
    ],
)
def test_a_malformed_document_names_the_place(text, message):
    with pytest.raises(AccountsFileError) as caught:
        parse_accounts(text)

    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("account", "place"),
    [
        (_account(mode="cross"), "accounts[0]: unknown account mode 'cross'"),
        (_account(balances={"BTC-USDT": {"available": "1"}}), "accounts[0].balances.BTC-USDT: "),
        (_account(balances={"BTC": {"available": "-1"}}), "accounts[0].balances.BTC: "),
        (_account(balances={"BTC": {"available": "1" + "0" * 40}}), "accounts[0].balances.BTC: "),
        (_account(max_withdrawals={"BTC": {"max_wd": "2", "max_wd_ex": "1"}}),
         "accounts[0].max_withdrawals.BTC: "),
        (_account(funding={"BTC": "-1"}), "accounts[0].funding.BTC: "),
        (_account(funding={"BTC-USDT": "1"}), "accounts[0].funding.BTC-USDT: "),
        (_account(permissions=["read", "admin"]), "accounts[0]: unknown permissions 'admin'"),
    ],
)
def test_what_the_exchange_refuses_is_reported_with_the_place(account, place):
    specs = parse_accounts(_document(account))

    with pytest.raises(AccountsFileError) as caught:
        seed_exchange(FakeExchange(), specs)

    assert str(caught.value).startswith(place)


def test_a_duplicate_key_is_reported_with_the_second_account():
    specs = parse_accounts(_document(_account(), _account()))

    with pytest.raises(AccountsFileError, match=r"^accounts\[1\]: "):
        seed_exchange(FakeExchange(), specs)


def test_secrets_stay_out_of_errors_and_reprs():
    secret_document = _document(
        {"api_key": "KEY-1d9f", "secret_key": ["SECRET-77ab"], "passphrase": "PASS-c0de"}
    )
    with pytest.raises(AccountsFileError) as caught:
        parse_accounts(secret_document)
    (spec,) = parse_accounts(_document(_account(api_key="KEY-1d9f", passphrase="PASS-c0de")))

    for text in (str(caught.value), repr(spec)):
        for secret in ("KEY-1d9f", "SECRET-77ab", "PASS-c0de"):
            assert secret not in text


def test_the_sample_document_is_the_documented_format():
    (spec,) = parse_accounts(json.dumps(SAMPLE_ACCOUNTS))

    assert (spec.mode, spec.demo) == ("multi_currency", True)
