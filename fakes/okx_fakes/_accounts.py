"""Accounts of the fake exchange: :class:`FakeAccount`, the public handle on one ledger.

The books themselves are a :class:`~okx_fakes._ledger.Ledger` (plain state, every answer
derived from it; see that module for the max-withdrawal table). A :class:`FakeAccount`
validates what a test asks for outside the lock, then takes the exchange's one lock for a
single call into its ledger: each method is one transaction, applied whole or refused with
nothing changed, and each read sees one moment.

``set_max_withdrawal`` pins the four answer strings exactly instead (``None`` -> ``""``),
whatever the mode, and sets the ledger to agree with the pin (cash = ``max_wd``, nothing
frozen or held, ``maxLoan = max_wd_ex - max_wd``); the latest ``set_balance`` or
``set_max_withdrawal`` for a currency wins. Transfers move a pin as they move the ledger.
"""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import NamedTuple

from okx_ext.text import preview
from okx_fakes._amounts import EXACT, Amount, format_amount, normalize_ccy, parse_amount
from okx_fakes._facts import ACCOUNT_MODES, Mode
from okx_fakes._ledger import (
    FUNDING,
    SETTLED_STATES,
    TRADING,
    FundingRow,
    Ledger,
    TradingRow,
    TransferRecord,
    WithdrawalEntry,
    WithdrawalRecord,
)

__all__ = [
    "FUNDING",
    "SETTLED_STATES",
    "TRADING",
    "Amount",
    "FakeAccount",
    "LockedAccount",
    "TradingBalance",
    "TransferRecord",
    "WithdrawalEntry",
    "WithdrawalRecord",
    "check_mode",
    "format_amount",
    "funding_row",
    "normalize_ccy",
    "parse_amount",
    "pinned_row",
    "trading_row",
]

#: The ledger, as route handlers see it under the exchange's lock. Kept as a name for
#: code that typed handlers with it; handlers now get the :class:`Ledger` itself.
LockedAccount = Ledger


class TradingBalance(NamedTuple):
    """One currency of the trading account (exact ``Decimal`` amounts).

    ``available`` is ``availBal`` (cash less what is frozen), ``borrowable`` what can still
    be borrowed (``maxLoan``), ``borrowed`` what is borrowed (``liab``). The whole row,
    cash, frozen and margin included, is :meth:`FakeAccount.trading_row`.
    """

    available: Decimal
    borrowable: Decimal
    borrowed: Decimal


def check_mode(mode: object) -> Mode:
    """Return ``mode`` if it names an account mode, else raise ValueError."""
    for known in ACCOUNT_MODES:
        if mode == known:
            return known
    raise ValueError(f"unknown account mode {mode!r}: expected one of {sorted(ACCOUNT_MODES)}")


def _sum(name: str, *parts: Decimal) -> Decimal:
    """Add validated amounts; ValueError naming ``name`` if the sum leaves the model's bounds."""
    total = Decimal(0)
    for part in parts:
        total = EXACT.add(total, part)
    return parse_amount(total, name=name)


def trading_row(*, available: Amount, borrowable: Amount = 0, frozen: Amount = 0,
                margin: Amount = 0, borrowed: Amount = 0) -> TradingRow:
    """Return the trading row :meth:`FakeAccount.set_balance` puts (ValueError/TypeError if bad)."""
    avail = parse_amount(available, name="available")
    held = parse_amount(frozen, name="frozen")
    return TradingRow(
        cash=_sum("available + frozen", avail, held),
        frozen=held,
        margin=parse_amount(margin, name="margin"),
        liab=parse_amount(borrowed, name="borrowed"),
        max_loan=parse_amount(borrowable, name="borrowable"),
    )


def pinned_row(max_wd: Amount | None, max_wd_ex: Amount | None = None,
               spot_offset_max_wd: Amount | None = None,
               spot_offset_max_wd_ex: Amount | None = None) -> TradingRow:
    """Return the row :meth:`FakeAccount.set_max_withdrawal` puts: the pin and a ledger agreeing."""
    wd = None if max_wd is None else parse_amount(max_wd, name="max_wd")
    wd_ex = None if max_wd_ex is None else parse_amount(max_wd_ex, name="max_wd_ex")
    if wd is not None and wd_ex is not None and wd > wd_ex:
        raise ValueError(
            f"max_wd ({preview(max_wd)}) must not exceed max_wd_ex ({preview(max_wd_ex)})"
        )
    entry = WithdrawalEntry(
        "" if wd is None else format_amount(wd),
        "" if wd_ex is None else format_amount(wd_ex),
        _optional(spot_offset_max_wd, "spot_offset_max_wd"),
        _optional(spot_offset_max_wd_ex, "spot_offset_max_wd_ex"),
    )
    cash = wd or Decimal(0)
    loan = Decimal(0) if wd_ex is None else EXACT.subtract(wd_ex, cash)
    return TradingRow(cash=cash, max_loan=loan, pin=entry)


def funding_row(available: Amount, *, frozen: Amount = 0) -> FundingRow:
    """Return the row :meth:`FakeAccount.set_funding_balance` puts (ValueError/TypeError if bad)."""
    avail = parse_amount(available, name="available")
    held = parse_amount(frozen, name="frozen")
    return FundingRow(_sum("available + frozen", avail, held), held)


class FakeAccount:
    """One user's account on a :class:`~okx_fakes.FakeExchange` (one ``uid``).

    It is a handle on the account's ledger: a trading account (per currency: cash, frozen,
    margin, borrowed, what may still be borrowed, or a pinned max-withdrawal answer), a
    funding account (per currency: a balance and its frozen part) and the record of every
    transfer between the two. Every API key added with the same ``uid`` is a key of this
    account: they share its mode, its ledger and its rate limits (OKX limits these
    endpoints per user id). Secrets are held by the exchange, never here, so neither repr
    nor attributes leak them. Thread-safe: each method is one call under the exchange's lock.
    """

    __slots__ = ("_ledger", "_lock", "_uid")

    def __init__(self, uid: str, ledger: Ledger, lock: threading.Lock) -> None:
        self._uid = uid
        self._ledger = ledger
        self._lock = lock

    def __repr__(self) -> str:
        return f"FakeAccount(uid={self._uid!r}, mode={self.mode!r}, currencies={self.currencies})"

    @property
    def uid(self) -> str:
        """The user id: the key of the rate limits."""
        return self._uid

    @property
    def mode(self) -> Mode:
        """The account mode: "spot", "futures", "multi_currency" or "portfolio"."""
        return self._ledger.mode

    @mode.setter
    def mode(self, mode: str) -> None:
        checked = check_mode(mode)
        with self._lock:
            self._ledger.set_mode(checked)

    def set_mode(self, mode: str) -> None:
        """Switch the account mode; balances stay, answers follow the new mode's model."""
        self.mode = mode

    @property
    def acct_lv(self) -> str:
        """OKX's account level for the mode ("1".."4")."""
        return self._ledger.acct_lv()

    @property
    def currencies(self) -> list[str]:
        """Currencies of the trading account, in the order first set (an all-currency answer's)."""
        with self._lock:
            return list(self._ledger.trading)

    # -- the trading account -------------------------------------------------------------

    def set_balance(self, ccy: str, *, available: Amount, borrowable: Amount = 0,
                    frozen: Amount = 0, margin: Amount = 0, borrowed: Amount = 0) -> None:
        """Hold ``ccy`` in the trading account, with no pin (see the module docs).

        ``available`` is ``availBal``; ``frozen`` is held by open orders (``frozenBal``,
        ``ordFrozen``), so ``cashBal = available + frozen``; ``margin`` is held for
        positions in the margin modes and lowers ``maxWd`` below ``availBal``;
        ``borrowable`` is ``maxLoan`` and ``borrowed`` is ``liab``. ValueError or TypeError
        for a bad currency or amount, with nothing changed.
        """
        code = normalize_ccy(ccy)
        row = trading_row(available=available, borrowable=borrowable, frozen=frozen,
                          margin=margin, borrowed=borrowed)
        with self._lock:
            self._ledger.put_trading(code, row)

    def set_max_withdrawal(
        self,
        ccy: str,
        max_wd: Amount | None,
        max_wd_ex: Amount | None = None,
        spot_offset_max_wd: Amount | None = None,
        spot_offset_max_wd_ex: Amount | None = None,
    ) -> None:
        """Pin the exact answer for ``ccy`` whatever the mode (``None`` answers ``""``).

        The ledger then agrees with the pin: cash ``= max_wd``, nothing frozen or held,
        ``maxLoan = max_wd_ex - max_wd`` (0 where not given), nothing borrowed; transfers
        move the pinned values with it (see :meth:`transferable`). Raises ValueError unless
        ``max_wd <= max_wd_ex`` when both are given.
        """
        code = normalize_ccy(ccy)
        row = pinned_row(max_wd, max_wd_ex, spot_offset_max_wd, spot_offset_max_wd_ex)
        with self._lock:
            self._ledger.put_trading(code, row)

    def remove_currency(self, ccy: str) -> None:
        """Stop holding ``ccy`` in the trading account (it then answers zeros); unknown: ignored."""
        code = normalize_ccy(ccy)
        with self._lock:
            self._ledger.remove_trading(code)

    def entry(self, ccy: str) -> WithdrawalEntry:
        """Return the answer the exchange gives now for one (upper-case) currency."""
        with self._lock:
            return self._ledger.entry(ccy)

    def trading_row(self, ccy: str) -> TradingRow:
        """Return the whole trading row of ``ccy`` (all zeros for a currency never held)."""
        code = normalize_ccy(ccy)
        with self._lock:
            return self._ledger.row(code)

    def trading_balance(self, ccy: str) -> TradingBalance:
        """Return ``(availBal, maxLoan, liab)`` of ``ccy`` (zeros for a currency never held)."""
        row = self.trading_row(ccy)
        return TradingBalance(row.avail_bal, row.max_loan, row.liab)

    def borrowed(self, ccy: str) -> Decimal:
        """Return what is borrowed in ``ccy`` (``liab``; 0 if nothing)."""
        return self.trading_row(ccy).liab

    def transferable(self, ccy: str, *, loan: bool = False) -> Decimal:
        """Return the most a transfer of ``ccy`` from trading (18) to funding (6) may move.

        It is the answer's ``maxWd``; with ``loan`` (``loanTrans`` true) in a mode that can
        borrow (spot, multi_currency, portfolio) it is ``maxWdEx`` instead, when that is not
        ``""``. A pinned ``""`` counts as 0. So a pinned value bounds transfers exactly as a
        derived one does, and a transfer of ``amt`` then lowers every non-empty pinned value
        by ``amt`` (to no less than 0), as it lowers the derived ones.
        """
        code = normalize_ccy(ccy)
        with self._lock:
            return self._ledger.transferable(code, loan)

    # -- the funding account -------------------------------------------------------------

    def set_funding_balance(self, ccy: str, available: Amount, *, frozen: Amount = 0) -> None:
        """Set the funding account's ``availBal`` of ``ccy`` and its ``frozenBal`` (default 0).

        ``bal = available + frozen``; a currency at 0 is left out of answers.
        """
        code = normalize_ccy(ccy)
        row = funding_row(available, frozen=frozen)
        with self._lock:
            self._ledger.put_funding(code, row)

    def funding_row(self, ccy: str) -> FundingRow:
        """Return the funding row of ``ccy`` (``bal`` and ``frozen``; zeros if never held)."""
        code = normalize_ccy(ccy)
        with self._lock:
            return self._ledger.funding.get(code, FundingRow())

    def funding_balance(self, ccy: str) -> Decimal:
        """Return the funding account's ``availBal`` of ``ccy`` (0 for a currency never held)."""
        return self.funding_row(ccy).avail_bal

    @property
    def funding_balances(self) -> dict[str, Decimal]:
        """The funding account's ``availBal`` above 0, in the order first set."""
        with self._lock:
            rows = list(self._ledger.funding.items())
        return {ccy: row.avail_bal for ccy, row in rows if row.avail_bal > 0}

    # -- transfers ------------------------------------------------------------------------

    @property
    def transfers(self) -> list[TransferRecord]:
        """Every transfer made on this account, oldest first (a copy)."""
        with self._lock:
            return list(self._ledger.transfers)

    @property
    def withdrawals(self) -> list[WithdrawalRecord]:
        """Every withdrawal accepted on this account, oldest first (a copy)."""
        with self._lock:
            return list(self._ledger.withdrawals)

    def find_withdrawal(self, wd_id: str = "",
                        client_id: str = "") -> WithdrawalRecord | None:
        """Return the withdrawal with ``wd_id``, else the latest with ``client_id``, or None."""
        with self._lock:
            return self._ledger.find_withdrawal(wd_id, client_id)

    def withdrawn(self, ccy: str) -> Decimal:
        """Return what has left the exchange in ``ccy`` (succeeded withdrawals, fees included)."""
        code = normalize_ccy(ccy)
        with self._lock:
            return self._ledger.withdrawn.get(code, Decimal(0))

    def find_transfer(self, trans_id: str = "", client_id: str = "") -> TransferRecord | None:
        """Return the transfer with ``trans_id`` or else the latest with ``client_id``, or None.

        ``trans_id`` wins when both are given, as on OKX.
        """
        with self._lock:
            return self._ledger.find_transfer(trans_id, client_id)


def _optional(value: Amount | None, name: str) -> str:
    return "" if value is None else format_amount(parse_amount(value, name=name))


