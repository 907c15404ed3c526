"""The strategies generate what they promise, checked against the spec and the real wrapper."""

from __future__ import annotations

import decimal
import functools
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import client_strategies as client_st
import okx_fakes
import pytest
from hypothesis import HealthCheck, Phase, find, given, seed, settings
from hypothesis import strategies as st
from okx_fakes import FakeAccount, FakeAccountAPI, FakeExchange, FakeFundingAPI
from okx_fakes import strategies as okx_st
from okx_fakes.strategies import exchanges

from okx_ext import (
    CurrencyValidationError,
    MaxWithdrawal,
    MaxWithdrawalClient,
    OkxApiError,
    ResponseFormatError,
    TooManyCurrenciesError,
    error_for_code,
    normalize_currencies,
)

CODE = re.compile(r"[A-Z0-9]{1,32}")
PLAIN_AMOUNT = re.compile(r"(0|[1-9][0-9]*)(\.[0-9]+)?")
EXACT = decimal.Context(prec=200)
FIELDS = ("ccy", "maxWd", "maxWdEx", "spotOffsetMaxWd", "spotOffsetMaxWdEx")


class StaticAPI:
    """A python-okx style stub answering one fixed body."""

    def __init__(self, body: object) -> None:
        self.body = body

    def get_max_withdrawal(self, ccy: str = "") -> object:
        return self.body


def find_any(strategy: st.SearchStrategy[Any], condition: Any) -> Any:
    """The first example meeting ``condition``; no shrinking, which would only cost time."""
    quick = settings(
        max_examples=5000,
        phases=[Phase.generate],
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    return find(strategy, condition, settings=quick)


def spec_normalize(arg: Any) -> tuple[str, ...]:
    """The rule of issue 2 restated independently of both okx_ext and okx_fakes.strategies."""
    if arg is None:
        return ()
    items = (arg.split(",") if arg else []) if isinstance(arg, str) else list(arg)
    codes = []
    for item in items:
        assert isinstance(item, str)
        code = item.strip().upper()
        assert item.strip().isascii() and CODE.fullmatch(code), item
        codes.append(code)
    return tuple(dict.fromkeys(codes))


def spec_well_formed(body: object) -> bool:
    """Whether a body has the documented success shape, restated from the OKX page."""
    if not isinstance(body, dict) or "code" not in body or not isinstance(body.get("data"), list):
        return False
    seen = set()
    for entry in body["data"]:
        if not isinstance(entry, dict):
            return False
        ccy = entry.get("ccy")
        if not isinstance(ccy, str) or not CODE.fullmatch(ccy) or ccy in seen:
            return False
        seen.add(ccy)
        for field in FIELDS[1:]:
            value = entry.get(field, "")
            if field == "maxWd" and value == "":
                return False
            if not isinstance(value, str) or (value and not PLAIN_AMOUNT.fullmatch(value)):
                return False
    return True


# --- currency codes and arguments -------------------------------------------------------


@given(okx_st.currency_codes())
def test_currency_codes_are_valid_codes(code: str) -> None:
    assert CODE.fullmatch(code)
    assert normalize_currencies(code) == (code,)


def test_currency_codes_reach_both_real_and_long_codes() -> None:
    assert find_any(okx_st.currency_codes(), lambda code: code == "BTC") == "BTC"
    assert len(find_any(okx_st.currency_codes(), lambda code: len(code) == 32)) == 32


@given(client_st.currency_arg_cases())
def test_currency_arg_cases_normalise_as_expected(case: client_st.CurrencyArgCase) -> None:
    assert len(case.expected) <= okx_st.MAX_CURRENCIES_PER_REQUEST
    assert all(CODE.fullmatch(code) for code in case.expected)
    if not isinstance(case.arg, Iterator):
        # A generator can be consumed once only: the wrapper gets it below.
        assert spec_normalize(case.arg) == case.expected
    assert normalize_currencies(case.arg) == case.expected


@given(client_st.currency_args())
def test_currency_args_are_accepted(arg: Any) -> None:
    codes = normalize_currencies(arg)
    assert len(codes) == len(set(codes)) <= 20


@pytest.mark.parametrize(
    "description, condition",
    [
        ("None", lambda arg: arg is None),
        ("empty string", lambda arg: arg == ""),
        ("empty list", lambda arg: arg == []),
        ("generator", lambda arg: isinstance(arg, Iterator)),
        ("tuple", lambda arg: isinstance(arg, tuple) and len(arg) > 1),
        ("lower case, padded", lambda arg: isinstance(arg, str) and re.search(r"\s[a-z]", arg)),
        (
            "duplicates after normalisation",
            lambda arg: isinstance(arg, list) and len(arg) > len({a.strip().upper() for a in arg}),
        ),
        (
            "20 distinct",
            lambda arg: isinstance(arg, str) and len(set(normalize_currencies(arg))) == 20,
        ),
    ],
)
def test_currency_args_cover_every_form(description: str, condition: Any) -> None:
    found = find_any(client_st.currency_args(), condition)
    assert condition(found), description


def spec_items_if_all_valid(arg: object) -> list[str] | None:
    """The items of a str or list argument when each one is a valid code, else None."""
    items = arg.split(",") if isinstance(arg, str) else arg
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        return None
    try:
        return list(spec_normalize(items))
    except AssertionError:
        return None


@given(client_st.hostile_currency_args())
def test_hostile_currency_args_are_refused(arg: object) -> None:
    valid_items = spec_items_if_all_valid(arg)
    with pytest.raises(CurrencyValidationError) as caught:
        normalize_currencies(arg)  # type: ignore[arg-type]
    # Every item valid: the only defect left is the count.
    if valid_items is not None:
        assert len(valid_items) > 20
        assert isinstance(caught.value, TooManyCurrenciesError)
    else:
        assert not isinstance(caught.value, TooManyCurrenciesError)


@given(client_st.hostile_currency_args(strings_only=True))
def test_hostile_strings_are_strings_and_refused(arg: object) -> None:
    assert isinstance(arg, str)
    with pytest.raises(CurrencyValidationError):
        normalize_currencies(arg)


@pytest.mark.parametrize(
    "description, condition",
    [
        ("over 20 as a string", lambda arg: isinstance(arg, str) and arg.count(",") >= 20),
        ("double comma", lambda arg: isinstance(arg, str) and ",," in arg),
        ("trailing comma", lambda arg: isinstance(arg, str) and arg.endswith(",")),
        ("dash", lambda arg: isinstance(arg, str) and "-" in arg),
        ("non-ASCII", lambda arg: isinstance(arg, str) and not arg.isascii()),
        ("space inside", lambda arg: isinstance(arg, str) and re.search(r"[A-Z] [A-Z]", arg)),
        ("over-long", lambda arg: isinstance(arg, str) and re.search(r"[A-Z0-9]{33}", arg)),
        ("bytes", lambda arg: isinstance(arg, bytes)),
        ("bytearray", lambda arg: isinstance(arg, bytearray)),
        ("int", lambda arg: isinstance(arg, int)),
        ("dict", lambda arg: isinstance(arg, dict)),
        ("None item", lambda arg: isinstance(arg, list) and None in arg),
        ("nested", lambda arg: isinstance(arg, list) and any(isinstance(a, list) for a in arg)),
        ("bad generator", lambda arg: isinstance(arg, Iterator)),
    ],
)
def test_hostile_currency_args_cover_every_defect(description: str, condition: Any) -> None:
    found = find_any(client_st.hostile_currency_args(), condition)
    assert condition(found), description


# --- amounts, entries and payloads ------------------------------------------------------


@given(okx_st.amounts())
def test_amounts_are_plain_non_negative_decimals(amount: str) -> None:
    assert PLAIN_AMOUNT.fullmatch(amount)
    value = Decimal(amount)
    assert value.is_finite() and value >= 0
    assert format(value, "f") == amount


@pytest.mark.parametrize(
    "description, condition",
    [
        ("zero", lambda amount: amount == "0"),
        ("tiny", lambda amount: 0 < Decimal(amount) <= Decimal("0.00000001")),
        ("huge", lambda amount: len(amount.split(".")[0]) >= 30),
        ("trailing zero", lambda amount: "." in amount and amount.endswith("0")),
    ],
)
def test_amounts_cover_edges(description: str, condition: Any) -> None:
    assert condition(find_any(okx_st.amounts(), condition)), description


@given(st.data(), st.sampled_from(okx_st.ACCOUNT_MODES))
def test_entries_follow_their_mode(data: st.DataObject, mode: str) -> None:
    entry = data.draw(okx_st.max_withdrawal_entries(mode))
    assert list(entry) == list(FIELDS)
    assert CODE.fullmatch(entry["ccy"])
    assert PLAIN_AMOUNT.fullmatch(entry["maxWd"])
    if mode == "futures":
        assert entry["maxWdEx"] == ""
    else:
        assert Decimal(entry["maxWd"]) <= Decimal(entry["maxWdEx"])
    if mode == "portfolio":
        assert Decimal(entry["spotOffsetMaxWd"]) <= Decimal(entry["spotOffsetMaxWdEx"])
    else:
        assert entry["spotOffsetMaxWd"] == entry["spotOffsetMaxWdEx"] == ""
    for field in FIELDS[1:]:
        assert entry[field] == "" or PLAIN_AMOUNT.fullmatch(entry[field])


@given(okx_st.max_withdrawal_entries())
def test_entries_parse_digit_for_digit(entry: dict[str, str]) -> None:
    row = MaxWithdrawal.from_okx(entry)
    assert row.ccy == entry["ccy"]
    parsed = (row.max_wd, row.max_wd_ex, row.spot_offset_max_wd, row.spot_offset_max_wd_ex)
    for field, value in zip(FIELDS[1:], parsed, strict=True):
        if entry[field] == "":
            assert value is None
        else:
            assert value is not None
            # Same digits and exponent, not merely an equal value: "1.50" stays "1.50".
            assert value.as_tuple() == Decimal(entry[field]).as_tuple()


def test_max_withdrawal_entries_refuses_an_unknown_mode() -> None:
    @given(okx_st.max_withdrawal_entries("isolated"))
    def draw_one(entry: dict[str, str]) -> None:
        raise AssertionError(f"drew {entry!r} for an unknown mode")

    with pytest.raises(ValueError, match="mode must be one of"):
        draw_one()


@given(okx_st.okx_payloads())
def test_payloads_are_well_formed_and_parse_in_order(body: dict[str, Any]) -> None:
    assert body["code"] == "0" and body["msg"] == ""
    assert spec_well_formed(body)
    ccys = [entry["ccy"] for entry in body["data"]]
    assert len(ccys) == len(set(ccys))
    modes = {(e["maxWdEx"] == "", e["spotOffsetMaxWd"] == "") for e in body["data"]}
    assert len(modes) <= 1, "one payload, one account mode"
    rows = MaxWithdrawalClient(StaticAPI(body)).get_max_withdrawal()
    assert list(rows) == ccys


def test_payloads_reach_more_than_20_entries() -> None:
    assert len(find_any(okx_st.okx_payloads(), lambda body: len(body["data"]) > 20)["data"]) > 20


# --- malformed payloads -----------------------------------------------------------------


@given(okx_st.malformed_payload_cases())
def test_malformed_payloads_are_malformed_and_refused(case: okx_st.MalformedPayloadCase) -> None:
    assert case.defect in okx_st.MALFORMED_DEFECTS
    assert not spec_well_formed(case.body), case.defect
    with pytest.raises(ResponseFormatError) as caught:
        MaxWithdrawalClient(StaticAPI(case.body)).get_max_withdrawal()
    if case.field != "body":
        assert case.field in str(caught.value)


@pytest.mark.parametrize("defect", okx_st.MALFORMED_DEFECTS)
def test_malformed_payloads_cover_every_defect(defect: str) -> None:
    found = find_any(okx_st.malformed_payload_cases(), lambda case: case.defect == defect)
    assert found.defect == defect


@given(okx_st.malformed_payloads())
def test_malformed_payloads_are_plain_bodies(body: object) -> None:
    assert not isinstance(body, okx_st.MalformedPayloadCase)
    assert not spec_well_formed(body)


# --- seeded exchanges -------------------------------------------------------------------


MARGIN_MODES = ("futures", "multi_currency", "portfolio")
BORROWING_MODES = ("spot", "multi_currency", "portfolio")


def spec_max_wd(mode: str, available: str, margin: str) -> Decimal:
    """``maxWd`` restated from OKX's docs: availBal, less margin in the margin modes."""
    if mode not in MARGIN_MODES:
        return Decimal(available)
    return max(Decimal(0), EXACT.subtract(Decimal(available), Decimal(margin)))


def _apis(seeded: okx_st.SeededExchange,
          account: okx_st.SeededAccount) -> tuple[FakeAccountAPI, FakeFundingAPI]:
    credentials = (account.api_key, account.secret_key, account.passphrase)
    return (FakeAccountAPI(*credentials, flag=account.flag, exchange=seeded.exchange),
            FakeFundingAPI(*credentials, flag=account.flag, exchange=seeded.exchange))


@settings(max_examples=50)
@given(okx_st.accounts())
def test_accounts_answer_their_seeded_ledgers(seeded: okx_st.SeededExchange) -> None:
    assert isinstance(seeded.exchange, FakeExchange)
    assert 1 <= len(seeded.accounts) <= 4
    for index, account in enumerate(seeded.accounts):
        assert (account.api_key, account.secret_key, account.passphrase) == (
            f"key-{index}",
            f"secret-{index}",
            f"pass-{index}",
        )
        assert account.mode is not None
        assert set(account.frozen) == set(account.margin) == set(account.borrowed) == set(
            account.balances)
        account_api, funding_api = _apis(seeded, account)
        body = account_api.get_max_withdrawal()
        assert body["code"] == "0", body
        answered = {entry["ccy"]: entry for entry in body["data"]}
        assert list(answered) == list(account.balances)
        details = {row["ccy"]: row for row in account_api.get_account_balance()["data"][0][
            "details"]}
        assert list(details) == list(account.balances)
        for ccy, (available, borrowable) in account.balances.items():
            max_wd = spec_max_wd(account.mode, available, account.margin[ccy])
            assert Decimal(answered[ccy]["maxWd"]) == max_wd
            if account.mode == "futures":
                assert answered[ccy]["maxWdEx"] == ""
            else:
                total = EXACT.add(max_wd, Decimal(borrowable))
                assert Decimal(answered[ccy]["maxWdEx"]) == total
            row = details[ccy]
            assert Decimal(row["availBal"]) == Decimal(available)
            assert Decimal(row["frozenBal"]) == Decimal(account.frozen[ccy])
            assert Decimal(row["cashBal"]) == EXACT.add(Decimal(available),
                                                        Decimal(account.frozen[ccy]))
            if account.mode in BORROWING_MODES:
                assert Decimal(row["liab"]) == Decimal(account.borrowed[ccy])
        funding = {row["ccy"]: row for row in funding_api.get_balances()["data"]}
        held = {ccy: row for ccy, row in account.funding.items()
                if Decimal(row["available"]) + Decimal(row["frozen"]) > 0}
        assert set(funding) == set(held)
        for ccy, row in held.items():
            assert Decimal(funding[ccy]["availBal"]) == Decimal(row["available"])
            assert Decimal(funding[ccy]["frozenBal"]) == Decimal(row["frozen"])


@settings(max_examples=50)
@given(okx_st.accounts())
def test_accounts_draw_only_states_the_model_accepts(seeded: okx_st.SeededExchange) -> None:
    # Drawing seeded the exchange in one transaction, so the model took every row; the
    # answers then keep OKX's invariants, and the specs open the same ledgers again.
    again = FakeExchange()
    okx_fakes.seed_exchange(again, seeded.accounts)
    for account in seeded.accounts:
        account_api, _ = _apis(seeded, account)
        answer = account_api.get_max_withdrawal()["data"]
        details = {row["ccy"]: row for row in account_api.get_account_balance()["data"][0][
            "details"]}
        assert [entry["ccy"] for entry in answer] == list(details)
        for entry in answer:
            row = details[entry["ccy"]]
            assert Decimal(entry["maxWd"]) <= Decimal(row["availBal"])
            if entry["maxWdEx"]:
                assert EXACT.subtract(Decimal(entry["maxWdEx"]), Decimal(entry["maxWd"])) \
                    <= Decimal(row["maxLoan"])
        for ccy in account.balances:
            cash = EXACT.add(Decimal(account.balances[ccy][0]), Decimal(account.frozen[ccy]))
            assert cash < 10**30
        for row in account.funding.values():
            assert EXACT.add(Decimal(row["available"]), Decimal(row["frozen"])) < 10**30
        reopened = FakeAccountAPI(account.api_key, account.secret_key, account.passphrase,
                                  flag=account.flag, exchange=again)
        assert reopened.get_max_withdrawal()["data"] == answer
        assert _ledger_view(reopened) == _ledger_view(account_api)


def _ledger_view(api: FakeAccountAPI) -> list[dict[str, Any]]:
    """The account/balance rows without their timestamps: the trading ledger as answered."""
    rows = api.get_account_balance()["data"][0]["details"]
    return [{name: value for name, value in row.items() if name != "uTime"} for row in rows]


@pytest.mark.parametrize(
    "available, held, kept",
    [
        ("5", "7.25", "7.25"),
        ("5", "9" * 30, "9" * 29 + "4"),  # the most that keeps 30 integer digits
        ("0.5", "9" * 30, "9" * 30),  # just below the bound: kept
        ("0.5", "9" * 30 + ".9", "9" * 29 + "8"),
        ("9" * 30 + ".5", "1", "0"),  # no whole unit fits beside it
        ("9" * 30, "1", "0"),
    ],
)
def test_a_held_part_is_cut_to_what_fits_beside_available(
    available: str, held: str, kept: str
) -> None:
    assert exchanges._within_bound(available, held) == kept
    assert EXACT.add(Decimal(available), Decimal(kept)) < 10**30


@pytest.mark.parametrize(
    "description, condition",
    [
        ("frozen", lambda a: any(Decimal(v) > 0 for v in a.frozen.values())),
        ("margin above zero, below available",
         lambda a: any(0 < Decimal(a.margin[c]) < Decimal(b[0]) for c, b in a.balances.items())),
        ("margin above available",
         lambda a: any(Decimal(a.margin[c]) > Decimal(b[0]) > 0
                       for c, b in a.balances.items())),
        ("borrowed", lambda a: any(Decimal(v) > 0 for v in a.borrowed.values())),
        ("funding", lambda a: any(Decimal(r["available"]) > 0 for r in a.funding.values())),
        ("funding frozen", lambda a: any(Decimal(r["frozen"]) > 0 for r in a.funding.values())),
        ("cashBal at the bound",
         lambda a: any(len(str(int(EXACT.add(Decimal(b[0]), Decimal(a.frozen[c]))))) == 30
                       and Decimal(a.frozen[c]) > 10**28 for c, b in a.balances.items())),
    ],
)
def test_accounts_draw_every_part_of_a_ledger(description: str, condition: Any) -> None:
    found = find_any(okx_st.accounts(), lambda s: any(condition(a) for a in s.accounts))
    assert any(condition(account) for account in found.accounts), description


def test_accounts_share_uids_and_mix_environments() -> None:
    shared = find_any(
        okx_st.accounts(min_accounts=2),
        lambda seeded: len({a.uid for a in seeded.accounts}) < len(seeded.accounts),
    )
    assert len({a.uid for a in shared.accounts}) < len(shared.accounts)
    mixed = find_any(okx_st.accounts(), lambda seeded: len({a.demo for a in seeded.accounts}) == 2)
    assert {a.flag for a in mixed.accounts} == {"0", "1"}


@given(okx_st.error_cases())
def test_error_cases_raise_the_mapped_error_whatever_the_shape(case: okx_st.ErrorCase) -> None:
    body = case.body
    shape = "gateway" if "data" not in body else "endpoint"
    assert list(body) == (["msg", "code"] if shape == "gateway" else ["code", "data", "msg"])
    assert str(body["code"]) == case.code and 200 <= case.status < 600
    client = MaxWithdrawalClient(StaticAPI(body), retry=None, rate_limit=None)
    with pytest.raises(OkxApiError) as caught:
        client.get_max_withdrawal("BTC")
    assert type(caught.value) is type(error_for_code(case.code, "m"))
    assert (caught.value.code, caught.value.msg) == (case.code, body["msg"])


@pytest.mark.parametrize("shape", ["gateway", "endpoint"])
def test_error_cases_draw_both_shapes_and_int_codes(shape: str) -> None:
    found = find_any(okx_st.error_cases(), lambda case: ("data" in case.body) == (
        shape == "endpoint") and isinstance(case.body["code"], int))
    assert isinstance(found.body["code"], int)


@given(okx_st.error_payloads())
def test_error_payloads_are_plain_bodies(body: dict[str, object]) -> None:
    assert set(body) in ({"msg", "code"}, {"code", "data", "msg"})


# --- the strategies agree with the model --------------------------------------------------


AGREE = ("agree-key", "agree-secret", "agree-pass")


def _agree_exchange() -> tuple[FakeExchange, FakeAccount]:
    exchange = FakeExchange()
    return exchange, exchange.add_account(*AGREE, mode="multi_currency")


@given(st.data(), st.integers(1, 30), st.integers(0, 30))
def test_amounts_are_accepted_by_the_model(
    data: st.DataObject, integer_digits: int, fraction_digits: int
) -> None:
    # Default bounds, and any bounds within the model's 30 + 30 digits.
    available = data.draw(okx_st.amounts(), label="available")
    borrowable = data.draw(okx_st.amounts(max_integer_digits=integer_digits,
                                          max_fraction_digits=fraction_digits),
                           label="borrowable")
    exchange, account = _agree_exchange()
    api = FakeAccountAPI(*AGREE, flag="1", exchange=exchange)
    account.set_balance("BTC", available=available, borrowable=borrowable)
    account.set_funding_balance("BTC", available)
    account.set_max_withdrawal("ETH", available, None, borrowable, borrowable)
    (btc,) = api.get_max_withdrawal("BTC")["data"]
    assert Decimal(btc["maxWd"]) == Decimal(available)
    assert Decimal(btc["maxWdEx"]) == EXACT.add(Decimal(available), Decimal(borrowable))
    (eth,) = api.get_max_withdrawal("ETH")["data"]
    assert (Decimal(eth["maxWd"]), Decimal(eth["spotOffsetMaxWdEx"])) == (
        Decimal(available), Decimal(borrowable))


@given(okx_st.transfer_cases())
def test_transfer_cases_move_what_the_source_holds(case: okx_st.TransferCase) -> None:
    exchange, account = _agree_exchange()
    if case.from_ == "18":
        account.set_balance(case.ccy, available=case.amt)
    else:
        account.set_funding_balance(case.ccy, case.amt)
    body = FakeFundingAPI(*AGREE, flag="1", exchange=exchange).funds_transfer(**case.kwargs())
    assert body["code"] == "0", body
    assert Decimal(account.funding_balance(case.ccy)) == (
        Decimal(case.amt) if case.to == "6" else 0)


# --- the share of edge values ------------------------------------------------------------

EDGE_EXAMPLES = 200


def _whole_digits(amount: str) -> int:
    return len(amount.split(".")[0])


def _held(seeded: okx_st.SeededExchange) -> list[str]:
    return [value for account in seeded.accounts for pair in account.balances.values()
            for value in pair]


# strategy, edge, predicate, and the share of examples it holds among the first 200 of a
# seed: mean and spread over seeds 0..7, measured on these strategies before they were
# rebuilt to build their parts once, under Hypothesis 6.170.27 with this file alone
# imported (the spread is kept as the record; the test below says why it checks less).
# accounts() drawing whole ledgers kept its rows (seeds 0..7, under 6.170.27 and
# 6.170.29 alike: 0.192, 0.588, 0.637, 0.500).
EDGE_SHARES: list[tuple[str, str, Any, float, float]] = [
    ("amounts", "integer part zero", lambda a: a.split(".")[0] == "0", 0.287, 0.018),
    ("amounts", "30 integer digits", lambda a: _whole_digits(a) >= 30, 0.356, 0.039),
    ("amounts", "tiny", lambda a: 0 < Decimal(a) <= Decimal("0.00000001"), 0.076, 0.025),
    ("amounts", "with a fraction", lambda a: "." in a, 0.710, 0.033),
    ("accounts", "no balances", lambda s: not _held(s), 0.219, 0.048),
    ("accounts", "a shared uid", lambda s: len({a.uid for a in s.accounts}) < len(s.accounts),
     0.616, 0.049),
    ("accounts", "a 30-digit balance", lambda s: any(_whole_digits(v) == 30 for v in _held(s)),
     0.664, 0.049),
    ("accounts", "a zero balance", lambda s: "0" in _held(s), 0.529, 0.062),
    ("okx_payloads", "futures", lambda b: bool(b["data"]) and b["data"][0]["maxWdEx"] == "",
     0.226, 0.031),
    ("okx_payloads", "a zero maxWd", lambda b: any(e["maxWd"] == "0" for e in b["data"]),
     0.499, 0.024),
    ("okx_payloads", "a 30-digit maxWd",
     lambda b: any(_whole_digits(e["maxWd"]) >= 30 for e in b["data"]), 0.691, 0.033),
    ("currency_codes", "a real code", lambda c: c in {"BTC", "ETH", "USDT", "USDC", "OKB", "SOL",
                                                     "XRP", "DOGE", "TRX", "1INCH", "LTC"},
     0.057, 0.003),
]


@functools.cache
def _first_examples(name: str) -> tuple[Any, ...]:
    """The first EDGE_EXAMPLES examples of ``okx_st.<name>()`` under seed 0."""
    drawn: list[Any] = []

    @seed(0)
    @settings(max_examples=EDGE_EXAMPLES, database=None, deadline=None, derandomize=False,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(getattr(okx_st, name)())
    def collect(value: Any) -> None:
        drawn.append(value)

    collect()
    return tuple(drawn)


@pytest.mark.parametrize(
    "name, edge, predicate, mean, spread", EDGE_SHARES, ids=[f"{r[0]}: {r[1]}" for r in EDGE_SHARES]
)
def test_edge_values_keep_their_share(
    name: str, edge: str, predicate: Any, mean: float, spread: float
) -> None:
    examples = _first_examples(name)
    assert len(examples) >= EDGE_EXAMPLES * 0.9
    share = sum(1 for example in examples if predicate(example)) / len(examples)
    # The shares move with more than the strategies: another Hypothesis release makes
    # other choices (0.37 against 0.616 was seen for a shared uid), and so does the same
    # release in another run, since Hypothesis mixes into its draws the constants of every
    # module the run has imported (hypothesis.internal.conjecture.providers: the whole
    # suite gave 0.345 where this file alone gives 0.616). So the check that holds
    # everywhere is the edge's presence, within a factor of two of its recorded share.
    assert mean / 2 <= share <= min(1.0, 2 * mean), f"{edge}: {share:.3f}, expected ~{mean}"
