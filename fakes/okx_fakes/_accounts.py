"""Accounts of the fake exchange: currency codes, amounts and the answer model.

The model of ``GET /api/v5/account/max-withdrawal`` for one currency:

=================  ==================  ======================  ==================
mode (acctLv)      ``maxWd``           ``maxWdEx``             ``spotOffset*``
=================  ==================  ======================  ==================
spot (1)           available           available + borrowable  ``""``
futures (2)        available           ``""``                  ``""``
multi_currency (3) available           available + borrowable  ``""``
portfolio (4)      available           available + borrowable  = maxWd / maxWdEx
=================  ==================  ======================  ==================

A currency never held answers the model for ``available = borrowable = 0``.
``set_max_withdrawal`` pins the four strings exactly instead (``None`` -> ``""``),
whatever the mode; the latest ``set_balance``/``set_max_withdrawal`` for a currency wins.
Transfers between the trading (18) and the funding (6) account change the state the
answer is computed from (see :meth:`FakeAccount.transferable`); ``_routes/funding.py`` decides
them, this module keeps the books.
Amounts render as plain decimal strings: no exponent, no sign, trailing zeros stripped
(``"1.50"`` -> ``"1.5"``, ``"100"`` stays ``"100"``), as OKX writes them.
"""

from __future__ import annotations

import copy
import decimal
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from types import MappingProxyType
from typing import NamedTuple

from okx_ext._text import preview
from okx_fakes._checks import FieldError
from okx_fakes._facts import ACCOUNT_LEVELS, ACCOUNT_MODES, CCY_PATTERN, MAX_CCY_LENGTH, Mode

__all__ = [
    "FIRST_TRANS_ID",
    "FUNDING",
    "SETTLED_STATES",
    "TRADING",
    "Amount",
    "FakeAccount",
    "LockedAccount",
    "TradingBalance",
    "TransferIds",
    "TransferRecord",
    "WithdrawalEntry",
    "check_mode",
    "format_amount",
    "normalize_ccy",
    "parse_amount",
]

Amount = Decimal | str | int

# OKX docs: the modes that can borrow answer maxWdEx; portfolio also the spot-offset pair.
_BORROWING_MODES = frozenset({"spot", "multi_currency", "portfolio"})
_SPOT_OFFSET_MODES = frozenset({"portfolio"})
# OKX docs (funds transfer): account type 6 is funding, 18 is trading.
FUNDING = "6"
TRADING = "18"
# Assumption: OKX's transfer ids are decimal numbers; the fake's start here and count up.
FIRST_TRANS_ID = 1_000_001
# OKX funding docs (transfer-state): a transfer is success, pending or failed.
PENDING = "pending"
SETTLED_STATES = ("success", "failed")

# Bounds keep every amount exact under _EXACT (sums included) and its string short.
_MAX_INTEGER_DIGITS = 30
_MAX_FRACTION_DIGITS = 30
_EXACT = decimal.Context(prec=2 * (_MAX_INTEGER_DIGITS + _MAX_FRACTION_DIGITS) + 2)


def normalize_ccy(ccy: object) -> str:
    """Validate a currency code for ``set_balance``/``set_max_withdrawal``; return it upper-case."""
    if not isinstance(ccy, str):
        raise TypeError(f"currency code must be a str, got {type(ccy).__name__}")
    if CCY_PATTERN.fullmatch(ccy) is None:
        problem = f"invalid currency code {ccy!r}: expected 1 to {MAX_CCY_LENGTH} letters or digits"
        raise FieldError("ccy", problem, problem)
    return ccy.upper()


def parse_amount(value: object, *, name: str = "amount") -> Decimal:
    """Validate an amount (``Decimal``, ``str`` or ``int``): finite, >= 0, bounded precision."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, str, int)):
        raise TypeError(f"{name} must be a Decimal, str or int, got {type(value).__name__}")
    if isinstance(value, str):
        try:
            amount = Decimal(value.strip())
        except decimal.InvalidOperation:
            raise _amount_error(name, f"is not a decimal number: {preview(value)}") from None
    else:
        amount = Decimal(value)
    if not amount.is_finite():
        raise _amount_error(name, f"must be finite, got {preview(value)}")
    if amount < 0:
        raise _amount_error(name, f"must be >= 0, got {preview(value)}")
    if amount == 0:
        return Decimal(0)  # drops "-0" and "0E-8" forms
    # Checked on the exact digits, before any context arithmetic: normalize() would overflow
    # on 1E+999999999, round 1E-999999999 to 0 and 1.000...0001 to 1.
    _, digits, exponent = amount.as_tuple()
    assert isinstance(exponent, int)  # finite, checked above
    trailing_zeros = len(digits) - len(bytes(digits).rstrip(b"\0"))
    if (amount.adjusted() >= _MAX_INTEGER_DIGITS
            or exponent + trailing_zeros < -_MAX_FRACTION_DIGITS):
        raise _amount_error(name, f"out of range: at most {_MAX_INTEGER_DIGITS} integer and "
                                  f"{_MAX_FRACTION_DIGITS} fraction digits, got {preview(value)}")
    return amount.normalize(_EXACT)  # at most 60 significant digits now: exact


def _amount_error(name: str, problem: str) -> FieldError:
    return FieldError(name, problem, f"{name} {problem}")


def format_amount(amount: Decimal) -> str:
    """Render a validated amount as OKX does: plain, no exponent, trailing zeros stripped."""
    if amount == 0:
        return "0"
    return format(amount.normalize(_EXACT), "f")


@dataclass(frozen=True)
class WithdrawalEntry:
    """The four answer strings for one currency (``""`` where OKX leaves a field empty)."""

    max_wd: str
    max_wd_ex: str
    spot_offset_max_wd: str
    spot_offset_max_wd_ex: str

    def as_okx(self, ccy: str) -> dict[str, str]:
        """Return the entry as it appears in OKX's ``data`` list."""
        return {
            "ccy": ccy,
            "maxWd": self.max_wd,
            "maxWdEx": self.max_wd_ex,
            "spotOffsetMaxWd": self.spot_offset_max_wd,
            "spotOffsetMaxWdEx": self.spot_offset_max_wd_ex,
        }


# What accounts share with their exchange, left out of a snapshot.
_SHARED_ATTRIBUTES = frozenset({"_lock", "_trans_ids"})


@dataclass(frozen=True)
class _Holding:
    """One currency of the trading account: the model's state, and an optional pin.

    ``pin`` (from ``set_max_withdrawal``) replaces the model's answer; transfers keep the
    state and the pin in step (see :meth:`FakeAccount.transferable`). Immutable: a change
    is a new holding, so its answer in each mode is rendered once, when it is made.
    """

    available: Decimal
    borrowable: Decimal
    borrowed: Decimal = Decimal(0)
    pin: WithdrawalEntry | None = None
    entries: dict[str, WithdrawalEntry] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "entries", {mode: self._render(mode) for mode in ACCOUNT_MODES})

    def _render(self, mode: str) -> WithdrawalEntry:
        if self.pin is not None:
            return self.pin
        available = format_amount(self.available)
        with_borrowing = format_amount(_EXACT.add(self.available, self.borrowable))
        max_wd_ex = with_borrowing if mode in _BORROWING_MODES else ""
        if mode in _SPOT_OFFSET_MODES:
            return WithdrawalEntry(available, max_wd_ex, available, max_wd_ex)
        return WithdrawalEntry(available, max_wd_ex, "", "")

    def entry(self, mode: str) -> WithdrawalEntry:
        return self.entries[mode]


class TradingBalance(NamedTuple):
    """One currency of the trading account (exact ``Decimal`` amounts).

    ``available`` is what moves without borrowing, ``borrowable`` what can still be
    borrowed, ``borrowed`` what transfers with ``loanTrans`` have borrowed so far.
    """

    available: Decimal
    borrowable: Decimal
    borrowed: Decimal


@dataclass(frozen=True)
class TransferRecord:
    """One transfer the exchange made (only accepted transfers are recorded).

    ``from_``/``to`` are ``"18"`` (trading) or ``"6"`` (funding); ``loan`` is the
    ``loanTrans`` flag as understood; ``client_id`` is ``""`` when none was sent;
    ``state`` is ``"success"`` (the fake settles at once), or ``"pending"`` after
    :meth:`FakeExchange.pend_next_transfers` until :meth:`FakeExchange.settle_transfer`
    makes it ``"success"`` or ``"failed"``; ``time`` is the fake's clock.
    """

    trans_id: str
    client_id: str
    ccy: str
    amt: Decimal
    from_: str
    to: str
    loan: bool
    state: str
    time: float
    type: str = "0"

    def as_okx(self) -> dict[str, str]:
        """Return the row ``GET /api/v5/asset/transfer-state`` answers for it."""
        return {
            "amt": format_amount(self.amt), "ccy": self.ccy, "clientId": self.client_id,
            "from": self.from_, "instId": "", "state": self.state, "subAcct": "",
            "to": self.to, "toInstId": "", "transId": self.trans_id, "type": self.type,
        }


# Read only: the state of a currency never held.
_NOTHING_HELD = _Holding(Decimal(0), Decimal(0))


class TransferIds:
    """The transfer-id counter an exchange shares with all its accounts: ids unique on it.

    Not locked itself: its users hold the exchange's lock. ``restart`` moves it (a
    restored snapshot), so the accounts holding it follow without being rewired.
    """

    def __init__(self, start: int = FIRST_TRANS_ID) -> None:
        self._next = start
        self._pending_next = 0  # how many of the next accepted transfers stay pending

    def __repr__(self) -> str:
        return f"TransferIds(next={self._next})"

    def pend(self, times: int, *, replace: bool = False) -> None:
        """Leave ``times`` more (``replace``: exactly ``times``) next transfers pending."""
        self._pending_next = times if replace else self._pending_next + times

    def take_pending(self) -> bool:
        """Return True (and count down) when the transfer being made stays pending."""
        if self._pending_next == 0:
            return False
        self._pending_next -= 1
        return True

    @property
    def next_id(self) -> int:
        """The id the next transfer gets."""
        return self._next

    def take(self) -> str:
        """Return the next id, as OKX writes it (a decimal string), and count on."""
        taken = self._next
        self._next += 1
        return str(taken)

    def restart(self, start: int) -> None:
        """Hand out ``start`` next."""
        self._next = start


def check_mode(mode: object) -> Mode:
    """Return ``mode`` if it names an account mode, else raise ValueError."""
    for known in ACCOUNT_MODES:
        if mode == known:
            return known
    raise ValueError(f"unknown account mode {mode!r}: expected one of {sorted(ACCOUNT_MODES)}")


class FakeAccount:
    """One user's account on a :class:`~okx_fakes.FakeExchange` (one ``uid``).

    It holds a trading account (per currency: available, borrowable, borrowed, or a pinned
    max-withdrawal answer), a funding account (per currency: a balance) and the record of
    every transfer between the two. Every API key added with the same ``uid`` is a key of
    this account: they share its mode, its balances and its rate limits (OKX limits these
    endpoints per user id). Secrets are held by the exchange, never here, so neither repr
    nor attributes leak them. Thread-safe: reads and writes go through the exchange's lock.
    """

    def __init__(self, uid: str, mode: Mode, lock: threading.Lock,
                 trans_ids: TransferIds | None = None) -> None:
        self._uid = uid
        self._mode: Mode = mode
        self._lock = lock
        self._holdings: dict[str, _Holding] = {}
        self._funding: dict[str, Decimal] = {}
        self._transfers: list[TransferRecord] = []
        # The exchange passes one counter to all its accounts: transfer ids are unique on it.
        self._trans_ids = TransferIds() if trans_ids is None else trans_ids

    def __repr__(self) -> str:
        return f"FakeAccount(uid={self._uid!r}, mode={self._mode!r}, currencies={self.currencies})"

    @property
    def uid(self) -> str:
        """The user id: the key of the rate limits."""
        return self._uid

    @property
    def mode(self) -> Mode:
        """The account mode: "spot", "futures", "multi_currency" or "portfolio"."""
        return self._mode

    @mode.setter
    def mode(self, mode: str) -> None:
        checked = check_mode(mode)
        with self._lock:
            self._mode = checked

    def set_mode(self, mode: str) -> None:
        """Switch the account mode; balances stay, answers follow the new mode's model."""
        self.mode = mode

    @property
    def acct_lv(self) -> str:
        """OKX's account level for the mode ("1".."4")."""
        return ACCOUNT_LEVELS[self._mode]

    @property
    def currencies(self) -> list[str]:
        """Currencies of the trading account, in the order first set (an all-currency answer's)."""
        with self._lock:
            return list(self._holdings)

    # -- the trading account -------------------------------------------------------------

    def set_balance(self, ccy: str, *, available: Amount, borrowable: Amount = 0) -> None:
        """Hold ``ccy`` in the trading account: nothing borrowed, no pin (see the module docs)."""
        code = normalize_ccy(ccy)
        holding = _Holding(parse_amount(available, name="available"),
                           parse_amount(borrowable, name="borrowable"))
        with self._lock:
            self._holdings[code] = holding

    def set_max_withdrawal(
        self,
        ccy: str,
        max_wd: Amount | None,
        max_wd_ex: Amount | None = None,
        spot_offset_max_wd: Amount | None = None,
        spot_offset_max_wd_ex: Amount | None = None,
    ) -> None:
        """Pin the exact answer for ``ccy`` whatever the mode (``None`` answers ``""``).

        The trading state becomes ``available = max_wd`` and ``borrowable = max_wd_ex -
        max_wd`` (0 where not given), nothing borrowed; transfers then move the pinned values
        with it (see :meth:`transferable`). Raises ValueError unless ``max_wd <= max_wd_ex``
        when both are given.
        """
        code = normalize_ccy(ccy)
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
        available = wd or Decimal(0)
        borrowable = Decimal(0) if wd_ex is None else _EXACT.subtract(wd_ex, available)
        with self._lock:
            self._holdings[code] = _Holding(available, borrowable, pin=entry)

    def remove_currency(self, ccy: str) -> None:
        """Stop holding ``ccy`` in the trading account (it then answers zeros); unknown: ignored."""
        code = normalize_ccy(ccy)
        with self._lock:
            self._holdings.pop(code, None)

    def entry(self, ccy: str) -> WithdrawalEntry:
        """Return the answer the exchange gives now for one (upper-case) currency."""
        with self._lock:
            return self._entry_locked(ccy)

    def trading_balance(self, ccy: str) -> TradingBalance:
        """Return the trading account's state for ``ccy`` (zeros for a currency never held)."""
        code = normalize_ccy(ccy)
        with self._lock:
            held = self._holdings.get(code, _NOTHING_HELD)
            return TradingBalance(held.available, held.borrowable, held.borrowed)

    def borrowed(self, ccy: str) -> Decimal:
        """Return what transfers with ``loanTrans`` have borrowed in ``ccy`` (0 if nothing)."""
        return self.trading_balance(ccy).borrowed

    def transferable(self, ccy: str, *, loan: bool = False) -> Decimal:
        """Return the most a transfer of ``ccy`` from trading (18) to funding (6) may move.

        It is the answer's ``maxWd``; with ``loan`` (``loanTrans`` true) in a mode that can
        borrow (spot, multi_currency, portfolio) it is ``maxWdEx`` instead, when that is not
        ``""``. A pinned ``""`` counts as 0. So a pinned value bounds transfers exactly as a
        computed one does, and a transfer of ``amt`` then lowers every non-empty pinned value
        by ``amt`` (to no less than 0), as it lowers the computed ones.
        """
        code = normalize_ccy(ccy)
        with self._lock:
            return self._transferable_locked(code, loan)

    # -- the funding account -------------------------------------------------------------

    def set_funding_balance(self, ccy: str, available: Amount) -> None:
        """Set the funding account's balance of ``ccy`` (0 removes it from answers)."""
        code = normalize_ccy(ccy)
        amount = parse_amount(available, name="available")
        with self._lock:
            self._funding[code] = amount

    def funding_balance(self, ccy: str) -> Decimal:
        """Return the funding account's balance of ``ccy`` (0 for a currency never held)."""
        code = normalize_ccy(ccy)
        with self._lock:
            return self._funding.get(code, Decimal(0))

    @property
    def funding_balances(self) -> dict[str, Decimal]:
        """The funding account's balances above 0, in the order first set."""
        with self._lock:
            return {ccy: amount for ccy, amount in self._funding.items() if amount > 0}

    # -- transfers ------------------------------------------------------------------------

    @property
    def transfers(self) -> list[TransferRecord]:
        """Every transfer made on this account, oldest first (a copy)."""
        with self._lock:
            return list(self._transfers)

    def find_transfer(self, trans_id: str = "", client_id: str = "") -> TransferRecord | None:
        """Return the transfer with ``trans_id`` or else the latest with ``client_id``, or None.

        ``trans_id`` wins when both are given, as on OKX.
        """
        with self._lock:
            return self._find_transfer_locked(trans_id, client_id)

    # -- model operations; the caller holds the exchange lock -------------------------------

    def _entry_locked(self, ccy: str) -> WithdrawalEntry:
        return self._holdings.get(ccy, _NOTHING_HELD).entry(self._mode)

    def _state_locked(self) -> dict[str, object]:
        """Return a deep copy of the account's state, for a snapshot.

        Holdings change in place and transfers append to a list, so a shallow copy would
        follow them. The lock and the exchange's transfer-id counter are shared, not state.
        """
        return copy.deepcopy({name: value for name, value in vars(self).items()
                              if name not in _SHARED_ATTRIBUTES})

    def _restore_locked(self, state: dict[str, object]) -> None:
        """Put back what :meth:`_state_locked` returned; the caller holds the exchange lock."""
        for name, value in copy.deepcopy(state).items():
            setattr(self, name, value)

    def _all_locked(self) -> list[str]:
        return list(self._holdings)

    def _transferable_locked(self, ccy: str, loan: bool) -> Decimal:
        entry = self._entry_locked(ccy)
        bound = entry.max_wd_ex if loan and self._mode in _BORROWING_MODES else ""
        return Decimal(bound or entry.max_wd or 0)

    def _funding_locked(self) -> dict[str, Decimal]:
        return self._funding

    def _transfer_locked(self, ccy: str, amt: Decimal, from_: str, to: str, *, loan: bool,
                         client_id: str, now: float) -> TransferRecord | None:
        """Move ``amt`` of ``ccy``; None (nothing moves) when it is more than may move.

        A pending transfer (see :meth:`TransferIds.take_pending`) leaves the source now
        and reaches the destination when it settles.
        """
        if not self._debit_locked(ccy, amt, from_, loan):
            return None
        pending = self._trans_ids.take_pending()
        if not pending:
            self._credit_locked(ccy, amt, to)
        record = TransferRecord(self._trans_ids.take(), client_id, ccy, amt, from_, to,
                                loan, PENDING if pending else "success", now)
        self._transfers.append(record)
        return record

    def _debit_locked(self, ccy: str, amt: Decimal, from_: str, loan: bool) -> bool:
        """Take ``amt`` out of account ``from_``; False (nothing taken) when it may not."""
        if from_ == TRADING:
            if amt > self._transferable_locked(ccy, loan):
                return False
            self._move_out_locked(ccy, amt)
            return True
        held = self._funding.get(ccy, Decimal(0))
        if amt > held:
            return False
        self._funding[ccy] = _EXACT.subtract(held, amt)
        return True

    def _credit_locked(self, ccy: str, amt: Decimal, to: str) -> None:
        """Put ``amt`` into account ``to``: funding, or trading's available (nothing repaid)."""
        if to == FUNDING:
            self._funding[ccy] = _EXACT.add(self._funding.get(ccy, Decimal(0)), amt)
            return
        holding = self._holdings.get(ccy, _NOTHING_HELD)
        self._holdings[ccy] = replace(holding, available=_EXACT.add(holding.available, amt),
                                      pin=_shifted(holding.pin, amt))

    def _move_out_locked(self, ccy: str, amt: Decimal) -> None:
        holding = self._holdings.get(ccy, _NOTHING_HELD)
        # What is above the available amount is borrowed (the bound allowed it).
        loaned = max(Decimal(0), _EXACT.subtract(amt, holding.available))
        self._holdings[ccy] = replace(
            holding,
            available=max(Decimal(0), _EXACT.subtract(holding.available, amt)),
            borrowable=max(Decimal(0), _EXACT.subtract(holding.borrowable, loaned)),
            borrowed=_EXACT.add(holding.borrowed, loaned),
            pin=_shifted(holding.pin, _EXACT.minus(amt)),  # "-amt" would round to 28 digits
        )

    def _settle_locked(self, trans_id: str, state: str) -> TransferRecord:
        """Settle pending transfer ``trans_id``: success credits ``to``, failed returns to ``from``.

        A failed transfer's amount comes back as a transfer the other way would bring it
        (to trading: as available, nothing borrowed repaid). KeyError if none has the id,
        ValueError if it is not pending.
        """
        index = next((i for i, t in enumerate(self._transfers) if t.trans_id == trans_id), None)
        if index is None:
            raise KeyError(f"no transfer has transId {trans_id!r}")
        record = self._transfers[index]
        if record.state != PENDING:
            raise ValueError(f"transfer {trans_id} is {record.state}, not pending: it settles once")
        self._credit_locked(record.ccy, record.amt, record.to if state == "success" else
                            record.from_)
        settled = replace(record, state=state)
        self._transfers[index] = settled
        return settled

    def _find_transfer_locked(self, trans_id: str, client_id: str) -> TransferRecord | None:
        if trans_id:
            return next((t for t in self._transfers if t.trans_id == trans_id), None)
        if client_id:
            return next((t for t in reversed(self._transfers) if t.client_id == client_id), None)
        return None


def _shifted(pin: WithdrawalEntry | None, delta: Decimal) -> WithdrawalEntry | None:
    """Move every non-empty pinned value by ``delta``, never below 0."""
    if pin is None:
        return None

    def move(value: str) -> str:
        return value and format_amount(max(Decimal(0), _EXACT.add(Decimal(value), delta)))

    return WithdrawalEntry(move(pin.max_wd), move(pin.max_wd_ex), move(pin.spot_offset_max_wd),
                           move(pin.spot_offset_max_wd_ex))


def _optional(value: Amount | None, name: str) -> str:
    return "" if value is None else format_amount(parse_amount(value, name=name))


class LockedAccount:
    """A typed view of one :class:`FakeAccount` for code that holds its exchange's lock.

    Route handlers get one: they read and change the account through it, in the critical
    section the exchange opened, never through the account's own (locking) methods, which
    would deadlock. Made while the lock is held (else RuntimeError), and only used then.
    """

    __slots__ = ("_account",)

    def __init__(self, account: FakeAccount) -> None:
        if not account._lock.locked():
            raise RuntimeError("a LockedAccount is made under its exchange's lock")
        self._account = account

    def __repr__(self) -> str:
        return f"LockedAccount(uid={self._account.uid!r})"

    @property
    def uid(self) -> str:
        """The account's user id."""
        return self._account.uid

    @property
    def mode(self) -> Mode:
        """The account mode."""
        return self._account._mode

    def currencies(self) -> list[str]:
        """Currencies of the trading account, in the order first set."""
        return self._account._all_locked()

    def entry(self, ccy: str) -> WithdrawalEntry:
        """Return the max-withdrawal answer for one (upper-case, valid) currency."""
        return self._account._entry_locked(ccy)

    def funding(self) -> Mapping[str, Decimal]:
        """Return the funding account's balances (zeros too), read-only, in the order first set."""
        return MappingProxyType(self._account._funding)

    def transfer(self, ccy: str, amt: Decimal, from_: str, to: str, *, loan: bool,
                 client_id: str, now: float) -> TransferRecord | None:
        """Move ``amt`` of (upper-case, valid) ``ccy`` from ``from_`` to ``to``.

        Returns the record, or None (nothing moves) when it is more than may move (see
        :meth:`FakeAccount.transferable`).
        """
        return self._account._transfer_locked(ccy, amt, from_, to, loan=loan,
                                              client_id=client_id, now=now)

    def find_transfer(self, trans_id: str, client_id: str) -> TransferRecord | None:
        """Return the transfer with ``trans_id``, else the latest with ``client_id``, or None."""
        return self._account._find_transfer_locked(trans_id, client_id)

    def settle(self, trans_id: str, state: str) -> TransferRecord:
        """Settle the pending transfer ``trans_id`` as ``state`` ("success" or "failed")."""
        return self._account._settle_locked(trans_id, state)

    def state(self) -> dict[str, object]:
        """Return a deep copy of the account's state, for a snapshot."""
        return self._account._state_locked()

    def restore(self, state: dict[str, object]) -> None:
        """Put back a :meth:`state`."""
        self._account._restore_locked(state)
