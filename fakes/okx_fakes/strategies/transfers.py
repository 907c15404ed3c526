"""Strategies for transfers between trading (18) and funding (6): valid and malformed."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from okx_fakes._amounts import MAX_FRACTION_DIGITS as _MAX_FRACTION_DIGITS
from okx_fakes._amounts import MAX_INTEGER_DIGITS as _MAX_INTEGER_DIGITS
from okx_fakes._ledger import FUNDING, TRADING
from okx_fakes.strategies.payloads import amounts, currency_codes

__all__ = [
    "MalformedTransferCase",
    "TransferCase",
    "loan_trans_values",
    "malformed_transfer_cases",
    "transfer_amounts",
    "transfer_cases",
]


def transfer_amounts(
    *, max_integer_digits: int = 20, max_fraction_digits: int = 18
) -> st.SearchStrategy[str]:
    """Positive plain decimal strings a transfer's ``amt`` may carry (the fake keeps 30+30 digits).

    Example: ``"1"``, ``"0.00000001"``, ``"12345678901234567890.5"``.
    """
    if max_integer_digits > _MAX_INTEGER_DIGITS or max_fraction_digits > _MAX_FRACTION_DIGITS:
        raise ValueError("transfer_amounts() bounds are at most 30 digits each (the fake's)")
    return _transfer_amounts(max_integer_digits, max_fraction_digits)


def _positive(text: str) -> bool:
    return Decimal(text) > 0


@functools.lru_cache(maxsize=64)
def _transfer_amounts(max_integer_digits: int, max_fraction_digits: int) -> st.SearchStrategy[str]:
    return amounts(max_integer_digits=max_integer_digits,
                   max_fraction_digits=max_fraction_digits).filter(_positive)


def loan_trans_values() -> st.SearchStrategy[str | bool]:
    """Generate each ``loanTrans`` python-okx may send: ``""``, bools, ``"true"``, ``"false"``."""
    return _LOAN_TRANS_VALUES


_LOAN_TRANS_VALUES: st.SearchStrategy[str | bool] = st.sampled_from(
    ("", True, False, "true", "false"))


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
    from_, to = draw(_DIRECTIONS)
    return TransferCase(ccy, draw(transfer_amounts()), from_, to, draw(loan_trans_values()))


_DIRECTIONS = st.sampled_from(((TRADING, FUNDING), (FUNDING, TRADING)))


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


_DEFECT_NAMES = st.sampled_from(sorted(_TRANSFER_DEFECTS))
_DEFECT_VALUES = {
    defect: st.sampled_from(values) for defect, (_, values, _) in _TRANSFER_DEFECTS.items()
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
    defect = draw(_DEFECT_NAMES)
    argument, _, code = _TRANSFER_DEFECTS[defect]
    kwargs: dict[str, Any] = {"ccy": "BTC", "amt": "1", "from_": TRADING, "to": FUNDING}
    kwargs[argument] = draw(_DEFECT_VALUES[defect])
    return MalformedTransferCase(defect, kwargs, code)

