"""Strategies for seeded fake exchanges: accounts of every mode and the keys to reach them."""

from __future__ import annotations

import decimal
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final

from hypothesis import strategies as st

from okx_fakes._accounts import Amount
from okx_fakes._accounts_file import AccountSpec, seed_exchange
from okx_fakes._amounts import EXACT
from okx_fakes._amounts import MAX_INTEGER_DIGITS as _MODEL_INTEGER_DIGITS
from okx_fakes._exchange import FakeExchange
from okx_fakes._facts import ACCOUNT_MODES
from okx_fakes._ledger import BORROWING_MODES, MARGIN_MODES
from okx_fakes.strategies.payloads import currency_codes

__all__ = ["SeededAccount", "SeededExchange", "accounts"]


@dataclass(frozen=True, repr=False)
class SeededAccount(AccountSpec):
    """The account spec of one API key in a :class:`SeededExchange`.

    Fields in order: ``api_key``, ``secret_key``, ``passphrase`` (deterministic test values,
    ``"key-0"``..., never shown in the repr), ``demo``, ``mode`` and ``uid`` (always set),
    ``balances`` (currency -> ``(available, borrowable)`` strings: ``availBal`` and
    ``maxLoan``), ``max_withdrawals`` (empty), ``funding`` (currency -> ``{"available": ...,
    "frozen": ...}``, the funding account's ``availBal`` and ``frozenBal``), ``permissions``,
    then the rest of each trading row, for every currency of ``balances`` (``"0"`` where
    there is none): ``frozen`` (``frozenBal``, so ``cashBal = available + frozen``),
    ``margin`` (held for positions, so ``maxWd = max(0, available - margin)`` in the margin
    modes) and ``borrowed`` (``liab``). Keys of one uid share all of these; ``flag`` is the
    ``x-simulated-trading`` value the key needs. Passed to ``seed_exchange`` it opens the
    same ledger again.
    """

    frozen: Mapping[str, str] = field(default_factory=dict)
    margin: Mapping[str, str] = field(default_factory=dict)
    borrowed: Mapping[str, str] = field(default_factory=dict)

    def balance_arguments(self, ccy: str) -> Mapping[str, Amount]:
        """Return ``set_balance``'s keyword arguments for ``ccy``: the whole trading row."""
        available, borrowable = self.balances[ccy]
        return {"available": available, "borrowable": borrowable,
                "frozen": self.frozen.get(ccy, "0"), "margin": self.margin.get(ccy, "0"),
                "borrowed": self.borrowed.get(ccy, "0")}


@dataclass(frozen=True)
class SeededExchange:
    """A fresh :class:`~okx_fakes.FakeExchange` and the accounts it was seeded with, in order."""

    exchange: FakeExchange
    accounts: tuple[SeededAccount, ...]


# Every draw below is a prebuilt strategy of one choice or two: an example of accounts()
# costs what it holds, not Hypothesis's per-strategy work (nested composites, text drawn a
# character at a time). Building them once also spares Hypothesis's first-draw validation.
_MODES = st.sampled_from(ACCOUNT_MODES)
_BOOLEANS = st.booleans()
# Whether a later key joins an earlier account. Joining comes first: it draws no ledger,
# so it is the simpler example, and Hypothesis's lean to first choices keeps shared uids
# in about half the examples (st.booleans(), False first, left a third).
_SUB_KEYS = st.sampled_from((True, False))
_CODES = currency_codes()
# 0 to 5 currencies a user; 0 three times in eight, so that an empty account stays as
# common as it was (about one example in five without any balance).
_CURRENCY_COUNTS = st.sampled_from((0, 0, 0, 1, 2, 3, 4, 5))
_BOUND: Final = 10**_MODEL_INTEGER_DIGITS  # the model's amounts stay below it
_HUGE: Final = _BOUND // 10


def _shape(low: int, high: int, scale: int) -> tuple[st.SearchStrategy[int], int]:
    return st.integers(low, high), scale


# An amount is one of these shapes (digits drawn as one integer, then placed `scale` digits
# after the point), so it costs two choices where amounts() draws a fraction a digit at a
# time. Of the 16 shapes 5 have 30 integer digits, 7 are below 1 (zero twice,
# "0.00000001" and smaller twice) and 12 have a fraction (trailing zeros kept), near
# amounts()'s shares; an amount shrinks to "0", the first shape.
_AMOUNT_SHAPES: Final = (
    _shape(0, 0, 0),
    _shape(0, 0, 0),
    _shape(1, 10**6, 0),
    _shape(_HUGE, _BOUND - 1, 0),
    _shape(_HUGE * 10, _BOUND * 10 - 1, 1),
    _shape(_HUGE * 10**8, _BOUND * 10**8 - 1, 8),
    _shape(_HUGE * 10**18, _BOUND * 10**18 - 1, 18),
    _shape(_HUGE * 10**2, _BOUND * 10**2 - 1, 2),
    _shape(1, 10**8 - 1, 2),
    _shape(1, 10**14 - 1, 8),
    _shape(1, 10**24 - 1, 18),
    _shape(1, 10**4 - 1, 4),
    _shape(1, 10**18 - 1, 18),
    _shape(1, 1, 8),
    _shape(1, 10**10, 18),
    _shape(1, 10**6 - 1, 6),
)
_AMOUNT_SHAPE_INDEX = st.integers(0, len(_AMOUNT_SHAPES) - 1)


def _amount(draw: st.DrawFn) -> str:
    digits, scale = _AMOUNT_SHAPES[draw(_AMOUNT_SHAPE_INDEX)]
    number = draw(digits)
    if not scale:
        return str(number)
    text = str(number).rjust(scale + 1, "0")
    return f"{text[:-scale]}.{text[-scale:]}"


def _within_bound(available: str, held: str) -> str:
    """``held``, or the most that keeps ``available + held`` below the model's bound.

    The model keeps ``cashBal = availBal + frozenBal`` (and the funding ``bal``) within 30
    integer digits: two huge draws meet at the largest whole amount that still fits.
    """
    total = EXACT.add(Decimal(available), Decimal(held))
    if total < _BOUND:
        return held
    ceiling = int(Decimal(available).to_integral_value(rounding=decimal.ROUND_CEILING))
    return str(max(0, _BOUND - 1 - ceiling))


# Which parts of a ledger row a currency holds beyond (available, borrowable): most hold
# none, as most real balances do, so the extra amounts are drawn only for the rest.
_FROZEN, _MARGIN, _BORROWED, _FUNDING, _FUNDING_FROZEN = range(5)
_ROW_SHAPES = st.sampled_from((
    (), (), (), (),
    (_FROZEN,),
    (_MARGIN,),
    (_BORROWED,),
    (_FUNDING,),
    (_FUNDING, _FUNDING_FROZEN),
    (_FROZEN, _MARGIN, _BORROWED, _FUNDING, _FUNDING_FROZEN),
))


@dataclass(frozen=True)
class _User:
    mode: str
    balances: dict[str, tuple[str, str]]
    frozen: dict[str, str]
    margin: dict[str, str]
    borrowed: dict[str, str]
    funding: dict[str, dict[str, str]]


def _user(draw: st.DrawFn) -> _User:
    mode = draw(_MODES)
    user = _User(mode, {}, {}, {}, {}, {})
    for _ in range(draw(_CURRENCY_COUNTS)):
        ccy = draw(_CODES)
        if ccy in user.balances:
            continue  # a repeated code: one currency fewer
        available = _amount(draw)
        user.balances[ccy] = (available, _amount(draw))
        parts = draw(_ROW_SHAPES)
        user.frozen[ccy] = _within_bound(available, _amount(draw)) if _FROZEN in parts else "0"
        # Margin and debt only where the mode has them (the model would keep but ignore them).
        user.margin[ccy] = (_amount(draw) if _MARGIN in parts and mode in MARGIN_MODES
                            else "0")
        user.borrowed[ccy] = (_amount(draw) if _BORROWED in parts and mode in BORROWING_MODES
                              else "0")
        if _FUNDING in parts:
            funded = _amount(draw)
            held = _within_bound(funded, _amount(draw)) if _FUNDING_FROZEN in parts else "0"
            user.funding[ccy] = {"available": funded, "frozen": held}
    return user


@functools.lru_cache(maxsize=64)
def _uids(count: int) -> st.SearchStrategy[str]:
    return st.sampled_from([f"uid-{number}" for number in range(count)])


@functools.lru_cache(maxsize=64)
def _key_counts(low: int, high: int) -> st.SearchStrategy[int]:
    return st.integers(low, high)


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
    currencies) or is a sub-key of an earlier one, sharing its uid, mode and ledger. Each
    currency has a whole trading row (available, borrowable, and sometimes frozen, margin
    in the margin modes and borrowed in the borrowing modes) and sometimes a funding
    balance with a frozen part: every state one the model accepts (``cashBal`` and the
    funding ``bal`` within 30 integer digits). Keys are deterministic: key ``i`` has
    ``api_key="key-i"``, ``secret_key="secret-i"`` and ``passphrase="pass-i"``.
    ``clock`` is passed to ``FakeExchange`` (``None``: its default clock, read at each call).

    Example::

        @given(accounts())
        def test_all(seeded):
            first = seeded.accounts[0]
            api = FakeAccountAPI(first.api_key, first.secret_key, first.passphrase,
                                 flag=first.flag, exchange=seeded.exchange)
    """
    count = draw(_key_counts(min_accounts, max_accounts))
    # Keys of one uid are keys of one account: they share its mode and ledger.
    users: dict[str, _User] = {}
    seeded: list[SeededAccount] = []
    for index in range(count):
        demo = draw(_BOOLEANS)
        if len(users) > 0 and draw(_SUB_KEYS):
            uid = draw(_uids(len(users)))
            user = users[uid]
        else:
            uid = f"uid-{len(users)}"
            user = users[uid] = _user(draw)
        seeded.append(SeededAccount(
            f"key-{index}", f"secret-{index}", f"pass-{index}", demo, user.mode, uid,
            user.balances, funding=user.funding, frozen=user.frozen, margin=user.margin,
            borrowed=user.borrowed))
    exchange = FakeExchange(clock=clock)
    seed_exchange(exchange, seeded)
    return SeededExchange(exchange, tuple(seeded))
