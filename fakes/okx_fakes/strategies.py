"""Hypothesis strategies for code that talks to OKX's max-withdrawal and transfer endpoints.

Plain functions returning ``SearchStrategy`` objects, for this project's tests and for
downstream test suites alike::

    from hypothesis import given
    from okx_fakes import strategies as okx_st

    @given(okx_st.okx_payloads())
    def test_my_parser_accepts_every_valid_body(body): ...

The rules come from the fake's own facts, never from ``okx_ext``: the fake models the
exchange, not the client, so a bug in the client's validator cannot hide in these strategies.
This module is the only place in ``okx_fakes`` that imports Hypothesis.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from okx_fakes._accounts import FUNDING, TRADING
from okx_fakes._accounts_file import AccountSpec, seed_exchange
from okx_fakes._errors import ERRORS, error_body
from okx_fakes._exchange import FakeExchange
from okx_fakes._facts import ACCOUNT_MODES, MAX_CCY_COUNT, MAX_CCY_LENGTH

__all__ = [
    "ACCOUNT_MODES",
    "MALFORMED_DEFECTS",
    "MAX_CURRENCIES_PER_REQUEST",
    "CurrencyArgCase",
    "ErrorCase",
    "MalformedPayloadCase",
    "MalformedTransferCase",
    "SeededAccount",
    "SeededExchange",
    "TransferCase",
    "accounts",
    "amounts",
    "currency_arg_cases",
    "currency_args",
    "currency_codes",
    "error_cases",
    "error_payloads",
    "hostile_currency_args",
    "loan_trans_values",
    "malformed_payload_cases",
    "malformed_payloads",
    "malformed_transfer_cases",
    "max_withdrawal_entries",
    "okx_payloads",
    "transfer_amounts",
    "transfer_cases",
]

# A code is 1..32 of A-Z0-9 (the fake's rule, upper-case as OKX answers), at most 20 per request.
CODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
MAX_CODE_LENGTH = MAX_CCY_LENGTH
MAX_CURRENCIES_PER_REQUEST = MAX_CCY_COUNT
AMOUNT_FIELDS = ("maxWd", "maxWdEx", "spotOffsetMaxWd", "spotOffsetMaxWdEx")

# Real codes come up far more often in practice than random ones, and "1INCH" starts with a digit.
_REAL_CODES = ("BTC", "ETH", "USDT", "USDC", "OKB", "SOL", "XRP", "DOGE", "TRX", "1INCH", "LTC")
# Characters str.strip() removes; the wrapper strips each item before checking it.
_PADDING = " \t\n"
# Addition of huge amounts must stay exact whatever the ambient decimal context says.
_EXACT = decimal.Context(prec=1000)


def _is_valid_code(text: str) -> bool:
    return 1 <= len(text) <= MAX_CODE_LENGTH and all(char in CODE_ALPHABET for char in text)


def _plain(amount: Decimal) -> str:
    return format(amount, "f")


def currency_codes() -> st.SearchStrategy[str]:
    """Generate valid OKX currency codes: 1 to 32 characters of ``A-Z0-9``, often a real one.

    Example: ``"BTC"``, ``"1INCH"``, ``"Q7"``.
    """
    generated = st.text(alphabet=CODE_ALPHABET, min_size=1, max_size=MAX_CODE_LENGTH)
    return st.one_of(st.sampled_from(_REAL_CODES), generated)


@st.composite
def _spelled(draw: st.DrawFn, code: str) -> str:
    """Write ``code`` in any case, padded with whitespace the wrapper strips."""
    cased = "".join(
        char.lower() if char.isalpha() and draw(st.booleans()) else char for char in code
    )
    left = draw(st.text(alphabet=_PADDING, max_size=2))
    right = draw(st.text(alphabet=_PADDING, max_size=2))
    return left + cased + right


def _generate(items: list[Any]) -> Iterator[Any]:
    yield from items


@dataclass(frozen=True)
class CurrencyArgCase:
    """A valid ``ccy`` argument and the tuple ``normalize_currencies`` must turn it into."""

    arg: str | Iterable[str] | None
    expected: tuple[str, ...]


@st.composite
def currency_arg_cases(draw: st.DrawFn) -> CurrencyArgCase:
    """Generate valid ``ccy`` arguments paired with their normalised form.

    The rule (issue 2): ``None``, ``""`` and an empty iterable mean every currency (``()``);
    a string is split on commas; every item is stripped and upper-cased and is then a code of
    ``A-Z0-9``, 1 to 32 long; duplicates collapse keeping first-seen order; at most 20 distinct.

    Example: ``CurrencyArgCase(arg=" btc,ETH ,Btc", expected=("BTC", "ETH"))``.
    """
    form = draw(st.sampled_from(("none", "str", "list", "tuple", "generator")))
    if form == "none":
        return CurrencyArgCase(None, ())
    # The limit itself is where validators go wrong: draw exactly 20 distinct often.
    count = draw(st.one_of(st.integers(0, MAX_CURRENCIES_PER_REQUEST),
                           st.just(MAX_CURRENCIES_PER_REQUEST)))
    distinct = draw(st.lists(currency_codes(), unique=True, min_size=count, max_size=count))
    codes = list(distinct)
    if distinct:
        repeats = draw(st.lists(st.sampled_from(distinct), max_size=3))
        for repeat in repeats:
            codes.insert(draw(st.integers(0, len(codes))), repeat)
    # The first spelling of each code decides its position, so order the expectation that way.
    expected = tuple(dict.fromkeys(codes))
    items = [draw(_spelled(code)) for code in codes]
    arg: str | Iterable[str]
    if form == "str":
        arg = ",".join(items)
    elif form == "list":
        arg = items
    elif form == "tuple":
        arg = tuple(items)
    else:
        arg = _generate(items)
    return CurrencyArgCase(arg, expected)


def currency_args() -> st.SearchStrategy[str | Iterable[str] | None]:
    r"""Generate valid ``ccy`` arguments in every accepted form (see :func:`currency_arg_cases`).

    ``None``, ``""``, a comma-joined string in any case with padding around items, or a list,
    tuple or generator of such items, duplicates allowed, at most 20 distinct.

    Example: ``None``, ``""``, ``"btc, ETH"``, ``["usdt", " OKB\t", "USDT"]``.
    """
    return currency_arg_cases().map(lambda case: case.arg)


def _too_many(draw: st.DrawFn) -> list[str]:
    count = draw(st.integers(MAX_CURRENCIES_PER_REQUEST + 1, 2 * MAX_CURRENCIES_PER_REQUEST))
    return draw(st.lists(currency_codes(), unique=True, min_size=count, max_size=count))


def _non_ascii_char() -> st.SearchStrategy[str]:
    # Some letters upper-case to ASCII (dotless i -> "I", the ff ligature -> "FF"): keep them out.
    return st.characters(min_codepoint=128).filter(
        lambda char: not char.isspace() and not _is_valid_code(char.upper())
    )


@st.composite
def _bad_item(draw: st.DrawFn, *, in_string: bool) -> str:
    """One item that stays invalid after strip() and upper(), and splits to one item in a string.

    A blank item is left to the empty-item case, and a comma only appears in list items.
    """
    code = draw(st.sampled_from(_REAL_CODES))
    cut = draw(st.integers(1, len(code) - 1))
    kind = draw(st.sampled_from(("space", "symbol", "non_ascii", "too_long")))
    if kind == "space":
        return code[:cut] + draw(st.sampled_from(_PADDING)) + code[cut:]
    if kind == "symbol":
        symbols = "_/.$:;+" if in_string else "_/.$:;+,"
        # "-" first: an instrument id such as "BTC-USDT" is the mistake users actually make.
        symbol = draw(st.one_of(st.just("-"), st.sampled_from(symbols)))
        return code[:cut] + symbol + code[cut:]
    if kind == "non_ascii":
        return code[:cut] + draw(_non_ascii_char()) + code[cut:]
    return draw(
        st.text(alphabet=CODE_ALPHABET, min_size=MAX_CODE_LENGTH + 1, max_size=2 * MAX_CODE_LENGTH)
    )


_NON_STR_ITEMS = st.one_of(
    st.none(),
    st.integers(),
    st.floats(allow_nan=False),
    st.binary(min_size=1, max_size=5),
    st.just(["BTC"]),
    st.just(("ETH",)),
)


@st.composite
def hostile_currency_args(draw: st.DrawFn, *, strings_only: bool = False) -> object:
    """Generate ``ccy`` arguments that ``normalize_currencies`` must refuse, one defect each.

    More than 20 distinct codes (as a string or a list); an empty item (``"BTC,,ETH"``, a
    trailing or leading comma, ``["BTC", ""]``); an item with whitespace inside, a symbol such
    as ``-``, a non-ASCII character or more than 32 characters; a non-``str`` item in a list
    (``None``, an int, bytes, a nested list); and arguments of the wrong type altogether
    (bytes, bytearray, int, float, a dict with non-str keys). ``strings_only=True`` keeps
    to the defects a comma-joined string can carry (for string APIs such as a raw SDK call).

    Example: ``"BTC,,ETH"``, ``"BTC-USDT"``, ``["BTÇ"]``, ``b"BTC"``, ``[["BTC"]]``.
    """
    valid = st.lists(currency_codes(), max_size=3)
    string_defects = ("too_many", "empty_item", "bad_item")
    other_defects = ("non_str_item", "wrong_type", "nested")
    defects = string_defects if strings_only else string_defects + other_defects
    defect = draw(st.sampled_from(defects))
    as_string = strings_only or draw(st.booleans())
    if defect == "too_many":
        codes = _too_many(draw)
        return ",".join(codes) if as_string else codes
    if defect == "wrong_type":
        return draw(
            st.one_of(
                st.binary(max_size=8),
                st.binary(max_size=8).map(bytearray),
                st.integers(),
                st.floats(),
                st.dictionaries(st.integers(), st.text(max_size=3), min_size=1, max_size=3),
            )
        )
    before, after = draw(valid), draw(valid)
    if defect == "empty_item":
        items = [*before, "BTC", *after]
        items.insert(draw(st.integers(0, len(items))), draw(st.text(alphabet=_PADDING, max_size=2)))
        return ",".join(items) if as_string else items
    if defect == "bad_item":
        bad = draw(_bad_item(in_string=as_string))
        if as_string:
            return ",".join([*before, bad, *after])
        container = draw(st.sampled_from((list, tuple, _generate)))
        return container([*before, bad, *after])
    if defect == "non_str_item":
        return [*before, draw(_NON_STR_ITEMS), *after]
    return [[*before, "BTC", *after]]


@st.composite
def amounts(
    draw: st.DrawFn, *, max_integer_digits: int = 40, max_fraction_digits: int = 18
) -> str:
    """Plain non-negative decimal strings as OKX sends them: no exponent, no sign.

    Digits only, no leading zeros before the point, an optional fractional part (trailing
    zeros allowed). Covers ``"0"``, tiny (``"0.00000001"``) and huge (30+ digits, with the
    default bounds) values. Lower the bounds for code that caps precision.

    Example: ``"0"``, ``"124"``, ``"0.00000001"``, ``"123456789012345678901234567890.5"``.
    """
    if max_integer_digits < 1 or max_fraction_digits < 0:
        raise ValueError("amounts() needs max_integer_digits >= 1 and max_fraction_digits >= 0")
    largest = 10**max_integer_digits - 1
    whole = draw(
        st.one_of(
            st.just(0),
            st.integers(1, min(10**6, largest)),
            st.integers(10 ** (min(30, max_integer_digits) - 1), largest),
        )
    )
    fraction = ""
    if max_fraction_digits and draw(st.booleans()):
        digits = st.text(alphabet="0123456789", min_size=1, max_size=max_fraction_digits)
        # Satoshi-sized and smaller amounts are rare in random digits: draw them on purpose.
        zeros = st.integers(0, max_fraction_digits - 1).map(lambda count: "0" * count)
        fraction = draw(st.one_of(digits, st.builds(lambda lead, last: (lead + last), zeros,
                                                    st.sampled_from("123456789"))))
    return f"{whole}.{fraction}" if fraction else str(whole)


def _at_least(draw: st.DrawFn, floor: str) -> str:
    extra = Decimal(draw(st.one_of(st.just("0"), amounts())))
    return _plain(_EXACT.add(Decimal(floor), extra))


@st.composite
def max_withdrawal_entries(draw: st.DrawFn, mode: str | None = None) -> dict[str, str]:
    """Generate valid raw entries of the answer, consistent with an account mode.

    ``mode`` is one of ``"spot"``, ``"futures"``, ``"multi_currency"``, ``"portfolio"``, or
    ``None`` for any. ``maxWdEx`` is ``""`` in futures (no borrowing) and otherwise an amount
    ``>= maxWd``; the spot-offset pair is set (``spotOffsetMaxWd <= spotOffsetMaxWdEx``) in
    portfolio and ``""`` elsewhere.

    Example: ``{"ccy": "BTC", "maxWd": "124", "maxWdEx": "125", "spotOffsetMaxWd": "",
    "spotOffsetMaxWdEx": ""}``.
    """
    if mode is None:
        mode = draw(st.sampled_from(ACCOUNT_MODES))
    elif mode not in ACCOUNT_MODES:
        raise ValueError(f"mode must be one of {ACCOUNT_MODES}, not {mode!r}")
    max_wd = draw(amounts())
    max_wd_ex = "" if mode == "futures" else _at_least(draw, max_wd)
    spot_offset_max_wd = spot_offset_max_wd_ex = ""
    if mode == "portfolio":
        spot_offset_max_wd = draw(amounts())
        spot_offset_max_wd_ex = _at_least(draw, spot_offset_max_wd)
    return {
        "ccy": draw(currency_codes()),
        "maxWd": max_wd,
        "maxWdEx": max_wd_ex,
        "spotOffsetMaxWd": spot_offset_max_wd,
        "spotOffsetMaxWdEx": spot_offset_max_wd_ex,
    }


@st.composite
def okx_payloads(
    draw: st.DrawFn, mode: str | None = None, *, min_entries: int = 0, max_entries: int = 25
) -> dict[str, Any]:
    """Generate valid success bodies of one account: ``{"code": "0", "msg": "", "data": [...]}``.

    Entries share one mode (drawn if ``mode`` is ``None``) and have distinct ``ccy``. More
    than 20 entries is possible: asked for every currency, OKX answers all the account holds.

    Example: ``{"code": "0", "msg": "", "data": [{"ccy": "ETH", "maxWd": "10", "maxWdEx":
    "12", "spotOffsetMaxWd": "", "spotOffsetMaxWdEx": ""}]}``.
    """
    if mode is None:
        mode = draw(st.sampled_from(ACCOUNT_MODES))
    data = draw(
        st.lists(
            max_withdrawal_entries(mode),
            min_size=min_entries,
            max_size=max_entries,
            unique_by=lambda entry: entry["ccy"],
        )
    )
    return {"code": "0", "msg": "", "data": data}


@dataclass(frozen=True)
class MalformedPayloadCase:
    """A body a parser must refuse, the defect it carries and the field the defect is in."""

    defect: str
    field: str
    body: object


# Amount values that are not a finite non-negative plain decimal, each for a different reason.
_BAD_AMOUNTS: tuple[object, ...] = (
    "NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "inf",
    "-1",
    "-0.5",
    "+1",
    "1,000",
    "abc",
    "1_000",
    " 1",
    "1 ",
    "0x10",
    "1.2.3",
    ".",
    "\u0661",  # ARABIC-INDIC DIGIT ONE: Decimal() takes it, OKX never sends it.
    float("nan"),
    float("inf"),
    -1,
    -0.5,
    [],
    {},
)
_BAD_CODES: tuple[object, ...] = ("", "BTC-USDT", "B TC", "BTÇ", "X" * 33, 123, None, ["BTC"])
_NOT_A_DICT: tuple[object, ...] = (None, "", "ok", 0, 1.5, [], [{"code": "0"}], b"{}")
_NOT_A_LIST: tuple[object, ...] = (None, "", "[]", 0, {}, {"ccy": "BTC"})


def _mutation_table() -> dict[str, Callable[[st.DrawFn, dict[str, Any]], tuple[str, object]]]:
    """Named mutations of a valid body: each returns (field, mutated body)."""

    def pick(draw: st.DrawFn, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        index = draw(st.integers(0, len(body["data"]) - 1))
        return index, body["data"][index]

    def not_a_dict(draw: st.DrawFn, body: dict[str, Any]) -> tuple[str, object]:
        return "body", draw(st.sampled_from(_NOT_A_DICT))

    def code_missing(draw: st.DrawFn, body: dict[str, Any]) -> tuple[str, object]:
        del body["code"]
        return "code", body

    def data_not_a_list(draw: st.DrawFn, body: dict[str, Any]) -> tuple[str, object]:
        body["data"] = draw(st.sampled_from(_NOT_A_LIST))
        return "data", body

    def entry_not_a_dict(draw: st.DrawFn, body: dict[str, Any]) -> tuple[str, object]:
        index, _ = pick(draw, body)
        body["data"][index] = draw(st.sampled_from(_NOT_A_DICT))
        return "data", body

    def ccy_missing(draw: st.DrawFn, body: dict[str, Any]) -> tuple[str, object]:
        del pick(draw, body)[1]["ccy"]
        return "ccy", body

    def ccy_invalid(draw: st.DrawFn, body: dict[str, Any]) -> tuple[str, object]:
        pick(draw, body)[1]["ccy"] = draw(st.sampled_from(_BAD_CODES))
        return "ccy", body

    def max_wd_missing(draw: st.DrawFn, body: dict[str, Any]) -> tuple[str, object]:
        del pick(draw, body)[1]["maxWd"]
        return "maxWd", body

    def max_wd_empty(draw: st.DrawFn, body: dict[str, Any]) -> tuple[str, object]:
        pick(draw, body)[1]["maxWd"] = draw(st.sampled_from(("", None)))
        return "maxWd", body

    def bad_amount(draw: st.DrawFn, body: dict[str, Any]) -> tuple[str, object]:
        field = draw(st.sampled_from(AMOUNT_FIELDS))
        pick(draw, body)[1][field] = draw(st.sampled_from(_BAD_AMOUNTS))
        return field, body

    def duplicate_ccy(draw: st.DrawFn, body: dict[str, Any]) -> tuple[str, object]:
        _, entry = pick(draw, body)
        body["data"].insert(draw(st.integers(0, len(body["data"]))), dict(entry))
        return "ccy", body

    return {
        "not_a_dict": not_a_dict,
        "code_missing": code_missing,
        "data_not_a_list": data_not_a_list,
        "entry_not_a_dict": entry_not_a_dict,
        "ccy_missing": ccy_missing,
        "ccy_invalid": ccy_invalid,
        "max_wd_missing": max_wd_missing,
        "max_wd_empty": max_wd_empty,
        "bad_amount": bad_amount,
        "duplicate_ccy": duplicate_ccy,
    }


_MUTATIONS = _mutation_table()
MALFORMED_DEFECTS = tuple(_MUTATIONS)


@st.composite
def malformed_payload_cases(draw: st.DrawFn) -> MalformedPayloadCase:
    """Malformed bodies with their defect named: a valid body plus exactly one mutation.

    Defects (``MalformedPayloadCase.defect``): ``not_a_dict``, ``code_missing``,
    ``data_not_a_list``, ``entry_not_a_dict``, ``ccy_missing``, ``ccy_invalid`` (empty,
    ``"BTC-USDT"``, non-ASCII, too long, not a str), ``max_wd_missing``, ``max_wd_empty``,
    ``bad_amount`` (``"NaN"``, ``"Infinity"``, ``"-1"``, ``"1,000"``, ``"abc"``, ``"1_000"``,
    ``" 1"``, a NaN float, a negative number, a list...) and ``duplicate_ccy``.
    ``field`` is the field a good error message names (``"body"`` for a non-dict body).

    Example: ``MalformedPayloadCase(defect="bad_amount", field="maxWdEx", body={"code": "0",
    "msg": "", "data": [{"ccy": "BTC", "maxWd": "1", "maxWdEx": "NaN", ...}]})``.
    """
    defect = draw(st.sampled_from(MALFORMED_DEFECTS))
    body = draw(okx_payloads(min_entries=1, max_entries=4))
    field, mutated = _MUTATIONS[defect](draw, body)
    return MalformedPayloadCase(defect, field, mutated)


def malformed_payloads() -> st.SearchStrategy[object]:
    """Bodies a parser must refuse as malformed (see :func:`malformed_payload_cases`).

    Example: ``{"code": "0", "msg": "", "data": [{"ccy": "BTC", "maxWd": "1,000"}]}``, ``[]``.
    """
    return malformed_payload_cases().map(lambda case: case.body)


@dataclass(frozen=True, repr=False)
class SeededAccount(AccountSpec):
    """The account spec of one API key in a :class:`SeededExchange`.

    Fields in order: ``api_key``, ``secret_key``, ``passphrase`` (deterministic test values,
    ``"key-0"``..., never shown in the repr), ``demo``, ``mode`` and ``uid`` (always set),
    ``balances`` (currency -> ``(available, borrowable)`` strings, shared by the keys of one
    uid); ``flag`` is the ``x-simulated-trading`` value the key needs.
    """


@dataclass(frozen=True)
class SeededExchange:
    """A fresh :class:`~okx_fakes.FakeExchange` and the accounts it was seeded with, in order."""

    exchange: FakeExchange
    accounts: tuple[SeededAccount, ...]


@st.composite
def accounts(
    draw: st.DrawFn,
    *,
    min_accounts: int = 1,
    max_accounts: int = 4,
    clock: Callable[[], float] | None = None,
) -> SeededExchange:
    """Seeded :class:`~okx_fakes.FakeExchange` states and the credentials to reach them.

    Draws 1 to 4 API keys (``min_accounts``/``max_accounts``), each demo or live. A key
    either opens a new account (uid ``"uid-0"``, ``"uid-1"``... with a mode and up to 5
    balances) or is a sub-key of an earlier one, sharing its uid, mode and balances. Keys are
    deterministic: key ``i`` has ``api_key="key-i"``, ``secret_key="secret-i"`` and
    ``passphrase="pass-i"``.
    ``clock`` is passed to ``FakeExchange`` (``None``: its default clock, read at each call).

    Example::

        @given(accounts())
        def test_all(seeded):
            first = seeded.accounts[0]
            api = FakeAccountAPI(first.api_key, first.secret_key, first.passphrase,
                                 flag=first.flag, exchange=seeded.exchange)
    """
    count = draw(st.integers(min_accounts, max_accounts))
    # Keys of one uid are keys of one account: they share its mode and balances.
    users: dict[str, tuple[str, dict[str, tuple[str, str]]]] = {}
    seeded: list[SeededAccount] = []
    for index in range(count):
        demo = draw(st.booleans())
        if len(users) > 0 and draw(st.booleans()):
            uid = draw(st.sampled_from(sorted(users)))
            mode, balances = users[uid]
        else:
            uid = f"uid-{len(users)}"
            mode = draw(st.sampled_from(ACCOUNT_MODES))
            # FakeExchange keeps amounts to 30 integer and 30 fraction digits.
            amount = amounts(max_integer_digits=30)
            balances = draw(
                st.dictionaries(currency_codes(), st.tuples(amount, amount), max_size=5)
            )
            users[uid] = (mode, balances)
        seeded.append(SeededAccount(f"key-{index}", f"secret-{index}", f"pass-{index}",
                                    demo, mode, uid, balances))
    exchange = FakeExchange(clock=clock)
    seed_exchange(exchange, seeded)
    return SeededExchange(exchange, tuple(seeded))


@dataclass(frozen=True)
class ErrorCase:
    """One OKX error answer: the code, the HTTP status it comes with and the parsed body."""

    code: str
    status: int
    body: dict[str, object]


@st.composite
def error_cases(draw: st.DrawFn, codes: Iterable[str] | None = None) -> ErrorCase:
    """OKX error answers as the fake's table (``okx_fakes.ERRORS``) has them.

    Draws a code (from ``codes``, default every code of the table), its status, and its
    body in its shape: ``{"msg": ..., "code": ...}`` from the gateway (authentication, the
    429), ``{"code": ..., "data": [], "msg": ...}`` from the endpoint. The ``code`` in the
    body is sometimes a JSON number, as older OKX answers sent it (knowm/XChange#4114).

    Example: ``ErrorCase(code="50113", status=401, body={"msg": "Invalid Sign", "code":
    "50113"})``.
    """
    code = draw(st.sampled_from(sorted(ERRORS if codes is None else codes)))
    spec = ERRORS[code]
    body = error_body(code, spec.message(), spec.shape)
    if draw(st.booleans()):
        body["code"] = int(code)
    return ErrorCase(code, spec.status, body)


def error_payloads() -> st.SearchStrategy[dict[str, object]]:
    """OKX error bodies in both shapes (see :func:`error_cases`).

    Example: ``{"code": "51000", "data": [], "msg": "Parameter ccy error"}``.
    """
    return error_cases().map(lambda case: case.body)


# -- transfers (POST /api/v5/asset/transfer) ----------------------------------------------


def transfer_amounts(
    *, max_integer_digits: int = 20, max_fraction_digits: int = 18
) -> st.SearchStrategy[str]:
    """Positive plain decimal strings a transfer's ``amt`` may carry (the fake keeps 30+30 digits).

    Example: ``"1"``, ``"0.00000001"``, ``"12345678901234567890.5"``.
    """
    if max_integer_digits > 30 or max_fraction_digits > 30:
        raise ValueError("transfer_amounts() bounds are at most 30 digits each (the fake's)")
    return amounts(max_integer_digits=max_integer_digits,
                   max_fraction_digits=max_fraction_digits).filter(lambda text: Decimal(text) > 0)


def loan_trans_values() -> st.SearchStrategy[str | bool]:
    """Generate each ``loanTrans`` python-okx may send: ``""``, bools, ``"true"``, ``"false"``."""
    return st.sampled_from(("", True, False, "true", "false"))


@dataclass(frozen=True)
class TransferCase:
    """Arguments of ``FundingAPI.funds_transfer`` for a well-formed type-0 transfer.

    ``loan`` is what ``loan_trans`` means (``True`` or ``"true"``). Whether it succeeds
    depends on the account: at most ``transferable(ccy, loan=loan)`` from 18 to 6, at most
    the funding balance from 6 to 18.
    """

    ccy: str
    amt: str
    from_: str
    to: str
    loan_trans: str | bool

    @property
    def loan(self) -> bool:
        """Whether ``loan_trans`` asks to transfer borrowed coins."""
        return self.loan_trans in (True, "true")

    def kwargs(self) -> dict[str, Any]:
        """Return the keyword arguments of ``funds_transfer``."""
        return {"ccy": self.ccy, "amt": self.amt, "from_": self.from_, "to": self.to,
                "loanTrans": self.loan_trans}


@st.composite
def transfer_cases(
    draw: st.DrawFn, currencies: st.SearchStrategy[str] | None = None
) -> TransferCase:
    """Well-formed transfers between trading (``"18"``) and funding (``"6"``), either way.

    ``currencies`` draws the ``ccy`` (default :func:`currency_codes`).

    Example: ``TransferCase(ccy="BTC", amt="0.5", from_="18", to="6", loan_trans="")``.
    """
    ccy = draw(currencies if currencies is not None else currency_codes())
    from_, to = draw(st.sampled_from(((TRADING, FUNDING), (FUNDING, TRADING))))
    return TransferCase(ccy, draw(transfer_amounts()), from_, to, draw(loan_trans_values()))


@dataclass(frozen=True)
class MalformedTransferCase:
    """``funds_transfer`` arguments with one defect, and the OKX code the fake answers."""

    defect: str
    kwargs: dict[str, Any]
    code: str


# defect -> (argument, values, code): each value alone makes a valid transfer fail so.
_TRANSFER_DEFECTS: dict[str, tuple[str, tuple[object, ...], str]] = {
    "ccy_empty": ("ccy", ("",), "50014"),
    "ccy_malformed": ("ccy", ("BTC-USDT", "B TC", "X" * 33, "BTÇ"), "51000"),
    "amt_empty": ("amt", ("",), "50014"),
    "amt_malformed": ("amt", ("abc", "1e3", "NaN", "Infinity", "1,5", " 1", "0x10", "1."),
                      "51000"),
    "amt_not_positive": ("amt", ("0", "-1", "-0.5", "0.000", "-0"), "58114"),
    "from_malformed": ("from_", ("7", "funding", "06", "18 "), "51000"),
    "to_malformed": ("to", ("1", "trading", "6.0"), "51000"),
    "same_account": ("to", (TRADING,), "58123"),
    "sub_account_type": ("type", ("1", "2", "3", "4"), "58127"),
    "type_malformed": ("type", ("5", "x", "-1"), "51000"),
    "loan_trans_malformed": ("loanTrans", ("yes", "True", "1", "FALSE"), "51000"),
}


@st.composite
def malformed_transfer_cases(draw: st.DrawFn) -> MalformedTransferCase:
    """Transfers the fake refuses before looking at balances, each with its code.

    Defects: ``ccy_empty`` (50014), ``ccy_malformed`` (51000), ``amt_empty`` (50014),
    ``amt_malformed`` (51000), ``amt_not_positive`` (58114), ``from_malformed`` and
    ``to_malformed`` (51000), ``same_account`` (58123), ``sub_account_type`` (58127),
    ``type_malformed`` and ``loan_trans_malformed`` (51000). The other arguments are a valid
    18 to 6 transfer of ``"1"`` BTC.

    Example: ``MalformedTransferCase(defect="amt_not_positive", kwargs={..., "amt": "0"},
    code="58114")``.
    """
    defect = draw(st.sampled_from(sorted(_TRANSFER_DEFECTS)))
    argument, values, code = _TRANSFER_DEFECTS[defect]
    kwargs: dict[str, Any] = {"ccy": "BTC", "amt": "1", "from_": TRADING, "to": FUNDING}
    kwargs[argument] = draw(st.sampled_from(values))
    return MalformedTransferCase(defect, kwargs, code)
