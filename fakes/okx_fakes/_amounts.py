"""Currency codes and amounts as the fake reads and writes them.

Amounts render as plain decimal strings: no exponent, no sign, trailing zeros stripped
(``"1.50"`` -> ``"1.5"``, ``"100"`` stays ``"100"``), as OKX writes them. Every amount
the fake keeps has at most 30 integer and 30 fraction digits, so that sums stay exact
under :data:`EXACT`.
"""

from __future__ import annotations

import decimal
from decimal import Decimal

from okx_ext.text import preview
from okx_fakes._checks import FieldError
from okx_fakes._facts import CCY_PATTERN, MAX_CCY_LENGTH

__all__ = ["EXACT", "MAX_FRACTION_DIGITS", "MAX_INTEGER_DIGITS", "Amount", "format_amount",
           "normalize_ccy", "parse_amount"]

Amount = Decimal | str | int

# Bounds keep every amount exact under EXACT (sums included) and its string short.
MAX_INTEGER_DIGITS = 30
MAX_FRACTION_DIGITS = 30
EXACT = decimal.Context(prec=2 * (MAX_INTEGER_DIGITS + MAX_FRACTION_DIGITS) + 2)


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
    if (amount.adjusted() >= MAX_INTEGER_DIGITS
            or exponent + trailing_zeros < -MAX_FRACTION_DIGITS):
        raise _amount_error(name, f"out of range: at most {MAX_INTEGER_DIGITS} integer and "
                                  f"{MAX_FRACTION_DIGITS} fraction digits, got {preview(value)}")
    return amount.normalize(EXACT)  # at most 60 significant digits now: exact


def _amount_error(name: str, problem: str) -> FieldError:
    return FieldError(name, problem, f"{name} {problem}")


def format_amount(amount: Decimal) -> str:
    """Render a validated amount as OKX does: plain, no exponent, trailing zeros stripped."""
    if amount == 0:
        return "0"
    return format(amount.normalize(EXACT), "f")
