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
Amounts render as plain decimal strings: no exponent, no sign, trailing zeros stripped
(``"1.50"`` -> ``"1.5"``, ``"100"`` stays ``"100"``), as OKX writes them.
"""

from __future__ import annotations

import decimal
import threading
from dataclasses import dataclass
from decimal import Decimal

from okx_fakes._facts import ACCOUNT_LEVELS, ACCOUNT_MODES, CCY_PATTERN, MAX_CCY_LENGTH, Mode
from okx_fakes._text import shown

__all__ = [
    "Amount",
    "FakeAccount",
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

# Bounds keep every amount exact under _EXACT (sums included) and its string short.
_MAX_INTEGER_DIGITS = 30
_MAX_FRACTION_DIGITS = 30
_EXACT = decimal.Context(prec=2 * (_MAX_INTEGER_DIGITS + _MAX_FRACTION_DIGITS) + 2)


def normalize_ccy(ccy: object) -> str:
    """Validate a currency code for ``set_balance``/``set_max_withdrawal``; return it upper-case."""
    if not isinstance(ccy, str):
        raise TypeError(f"currency code must be a str, got {type(ccy).__name__}")
    if CCY_PATTERN.fullmatch(ccy) is None:
        raise ValueError(f"invalid currency code {ccy!r}: expected 1 to "
                         f"{MAX_CCY_LENGTH} letters or digits")
    return ccy.upper()


def parse_amount(value: object, *, name: str = "amount") -> Decimal:
    """Validate an amount (``Decimal``, ``str`` or ``int``): finite, >= 0, bounded precision."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, str, int)):
        raise TypeError(f"{name} must be a Decimal, str or int, got {type(value).__name__}")
    if isinstance(value, str):
        try:
            amount = Decimal(value.strip())
        except decimal.InvalidOperation:
            raise ValueError(f"{name} is not a decimal number: {shown(value)}") from None
    else:
        amount = Decimal(value)
    if not amount.is_finite():
        raise ValueError(f"{name} must be finite, got {shown(value)}")
    if amount < 0:
        raise ValueError(f"{name} must be >= 0, got {shown(value)}")
    if amount == 0:
        return Decimal(0)  # drops "-0" and "0E-8" forms
    # Checked on the exact digits, before any context arithmetic: normalize() would overflow
    # on 1E+999999999, round 1E-999999999 to 0 and 1.000...0001 to 1.
    _, digits, exponent = amount.as_tuple()
    assert isinstance(exponent, int)  # finite, checked above
    trailing_zeros = len(digits) - len(bytes(digits).rstrip(b"\0"))
    if (amount.adjusted() >= _MAX_INTEGER_DIGITS
            or exponent + trailing_zeros < -_MAX_FRACTION_DIGITS):
        raise ValueError(
            f"{name} out of range: at most {_MAX_INTEGER_DIGITS} integer and "
            f"{_MAX_FRACTION_DIGITS} fraction digits, got {shown(value)}"
        )
    return amount.normalize(_EXACT)  # at most 60 significant digits now: exact


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


@dataclass(frozen=True)
class _Balance:
    """A held balance as the answer shows it: available, and available + borrowable."""

    available: str
    with_borrowing: str

    @classmethod
    def of(cls, available: Decimal, borrowable: Decimal) -> _Balance:
        return cls(format_amount(available), format_amount(_EXACT.add(available, borrowable)))

    def entry(self, mode: str) -> WithdrawalEntry:
        max_wd_ex = self.with_borrowing if mode in _BORROWING_MODES else ""
        if mode in _SPOT_OFFSET_MODES:
            return WithdrawalEntry(self.available, max_wd_ex, self.available, max_wd_ex)
        return WithdrawalEntry(self.available, max_wd_ex, "", "")


_NOTHING_HELD = _Balance.of(Decimal(0), Decimal(0))


def check_mode(mode: object) -> Mode:
    """Return ``mode`` if it names an account mode, else raise ValueError."""
    for known in ACCOUNT_MODES:
        if mode == known:
            return known
    raise ValueError(f"unknown account mode {mode!r}: expected one of {sorted(ACCOUNT_MODES)}")


class FakeAccount:
    """One user's trading account on a :class:`~okx_fakes.FakeExchange` (one ``uid``).

    Every API key added with the same ``uid`` is a key of this account: they share its
    mode, its balances and its rate limit (OKX limits this endpoint per user id).
    Secrets are held by the exchange, never here, so neither repr nor attributes leak them.
    Thread-safe: reads and writes go through the exchange's lock.
    """

    def __init__(self, uid: str, mode: Mode, lock: threading.Lock) -> None:
        self._uid = uid
        self._mode: Mode = mode
        self._lock = lock
        self._entries: dict[str, _Balance | WithdrawalEntry] = {}

    def __repr__(self) -> str:
        return f"FakeAccount(uid={self._uid!r}, mode={self._mode!r}, currencies={self.currencies})"

    @property
    def uid(self) -> str:
        """The user id: the key of the rate limit."""
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
        """Currencies held, in the order first set (the order of an all-currency answer)."""
        with self._lock:
            return list(self._entries)

    def set_balance(self, ccy: str, *, available: Amount, borrowable: Amount = 0) -> None:
        """Hold ``ccy``: the answer follows the mode's model (see the module docstring)."""
        code = normalize_ccy(ccy)
        balance = _Balance.of(
            parse_amount(available, name="available"),
            parse_amount(borrowable, name="borrowable"),
        )
        with self._lock:
            self._entries[code] = balance

    def set_max_withdrawal(
        self,
        ccy: str,
        max_wd: Amount | None,
        max_wd_ex: Amount | None = None,
        spot_offset_max_wd: Amount | None = None,
        spot_offset_max_wd_ex: Amount | None = None,
    ) -> None:
        """Pin the exact answer for ``ccy`` whatever the mode (``None`` answers ``""``).

        Raises ValueError unless ``max_wd <= max_wd_ex`` when both are given.
        """
        code = normalize_ccy(ccy)
        wd = None if max_wd is None else parse_amount(max_wd, name="max_wd")
        wd_ex = None if max_wd_ex is None else parse_amount(max_wd_ex, name="max_wd_ex")
        if wd is not None and wd_ex is not None and wd > wd_ex:
            raise ValueError(
                f"max_wd ({shown(max_wd)}) must not exceed max_wd_ex ({shown(max_wd_ex)})"
            )
        entry = WithdrawalEntry(
            "" if wd is None else format_amount(wd),
            "" if wd_ex is None else format_amount(wd_ex),
            _optional(spot_offset_max_wd, "spot_offset_max_wd"),
            _optional(spot_offset_max_wd_ex, "spot_offset_max_wd_ex"),
        )
        with self._lock:
            self._entries[code] = entry

    def remove_currency(self, ccy: str) -> None:
        """Stop holding ``ccy`` (it then answers zeros); unknown currencies are ignored."""
        code = normalize_ccy(ccy)
        with self._lock:
            self._entries.pop(code, None)

    def entry(self, ccy: str) -> WithdrawalEntry:
        """Return the answer the exchange gives now for one (upper-case) currency."""
        with self._lock:
            return self._entry_locked(ccy)

    def _entry_locked(self, ccy: str) -> WithdrawalEntry:
        """Return the answer for ``ccy``; the caller holds the exchange lock."""
        held = self._entries.get(ccy, _NOTHING_HELD)
        if isinstance(held, _Balance):
            return held.entry(self._mode)
        return held

    def _state_locked(self) -> dict[str, object]:
        """Copy of the account's state (dicts copied one level), for a snapshot."""
        return {name: dict(value) if isinstance(value, dict) else value
                for name, value in vars(self).items() if name != "_lock"}

    def _restore_locked(self, state: dict[str, object]) -> None:
        """Put back what :meth:`_state_locked` returned; the caller holds the exchange lock."""
        for name, value in state.items():
            setattr(self, name, dict(value) if isinstance(value, dict) else value)

    def _all_locked(self) -> list[str]:
        """Held currencies in insertion order; the caller holds the exchange lock."""
        return list(self._entries)


def _optional(value: Amount | None, name: str) -> str:
    return "" if value is None else format_amount(parse_amount(value, name=name))
