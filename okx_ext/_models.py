"""MaxWithdrawal and the parsing of OKX's max-withdrawal payload.

Amounts become Decimal exactly: a str is shape-checked, then given to the Decimal
constructor, which does not round to the context precision; no arithmetic is done.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from okx_ext._currencies import _is_currency_code
from okx_ext.errors import OkxExtError, ResponseFormatError, _normalize_code, error_for_code
from okx_ext.text import exact_int, exact_str, preview

__all__ = ["MaxWithdrawal", "parse_max_withdrawal_response"]

# A non-negative decimal, exponent optional: Decimal() alone would also take signs,
# "1_000", whitespace, non-ASCII digits and NaN/Infinity.
_AMOUNT = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)

# "1e999999999" is a valid shape but format(d, "f") would write a billion digits;
# no balance needs an exponent anywhere near this.
_MAX_AMOUNT_EXPONENT = 1000


def _bad_amount(field: str, value: object) -> ResponseFormatError:
    return ResponseFormatError(
        f"field {field!r} must be a finite non-negative decimal, got {preview(value)}",
        field=field,
    )


def _parse_amount(field: str, value: object) -> Decimal | None:
    """Convert one amount exactly; None if OKX left it blank (``""``).

    Callers map a missing key to ``""``. Raise ResponseFormatError naming ``field``
    for anything else that is not a finite non-negative decimal.
    """
    if isinstance(value, str):
        # A str subclass is read by its value: its own methods may raise or lie.
        value = exact_str(value)
        if not value:
            return None
        if _AMOUNT.fullmatch(value) is None:
            raise _bad_amount(field, value)
        try:
            amount = Decimal(value)
        except ArithmeticError:
            # An exponent beyond what Decimal can represent ("1e999999999999999999999")
            # raises InvalidOperation whatever the context.
            raise _bad_amount(field, value) from None
    elif isinstance(value, int) and not isinstance(value, bool):
        number = exact_int(value)
        if number < 0:
            raise _bad_amount(field, value)
        amount = Decimal(number)
    elif isinstance(value, float):
        # Only floats whose shortest repr is their exact value: 0.5 yes, 0.1 no.
        # float.__repr__, not repr(): a subclass's own repr may lie about its value.
        if not math.isfinite(value) or math.copysign(1.0, value) < 0:
            raise _bad_amount(field, value)
        amount = Decimal(float.__repr__(value))
        if amount != Decimal(value):
            raise _bad_amount(field, value)
    else:
        raise _bad_amount(field, value)
    # Every branch above gives a finite amount, so the exponent is an int.
    if abs(cast(int, amount.as_tuple().exponent)) > _MAX_AMOUNT_EXPONENT:
        raise _bad_amount(field, value)
    return amount


@dataclass(frozen=True, slots=True)
class MaxWithdrawal:
    """One currency's maximum transferable amounts from trading to funding account.

    ``None`` means OKX sent ``""`` or omitted the field: it does not apply to this
    account (spot-offset fields outside Portfolio margin, ``max_wd_ex`` for sub-accounts).
    """

    ccy: str
    max_wd: Decimal
    max_wd_ex: Decimal | None = None
    spot_offset_max_wd: Decimal | None = None
    spot_offset_max_wd_ex: Decimal | None = None

    @classmethod
    def from_okx(cls, entry: object) -> MaxWithdrawal:
        """Parse one raw ``data`` entry as OKX sends it.

        Unknown extra keys are ignored. Raise ResponseFormatError naming the field
        when ``entry`` is not a dict, ``ccy`` is missing or not a currency code,
        ``maxWd`` is missing or empty, or an amount is not a finite non-negative decimal.
        """
        if not isinstance(entry, dict):
            raise ResponseFormatError(
                f"a 'data' entry must be an object, got {type(entry).__name__}: "
                f"{preview(entry)}",
                field="data",
            )
        ccy = entry.get("ccy")
        if not isinstance(ccy, str) or not _is_currency_code(ccy):
            raise ResponseFormatError(
                f"field 'ccy' must be a currency code (A-Z 0-9, 1 to 32), got {preview(ccy)}",
                field="ccy",
            )
        # The row is keyed by it: a str subclass's __hash__/__eq__ must not come along.
        ccy = exact_str(ccy)
        max_wd = _parse_amount("maxWd", entry.get("maxWd", ""))
        if max_wd is None:
            raise ResponseFormatError(
                f"field 'maxWd' is missing or empty for {ccy}", field="maxWd"
            )
        return cls(
            ccy,
            max_wd,
            _parse_amount("maxWdEx", entry.get("maxWdEx", "")),
            _parse_amount("spotOffsetMaxWd", entry.get("spotOffsetMaxWd", "")),
            _parse_amount("spotOffsetMaxWdEx", entry.get("spotOffsetMaxWdEx", "")),
        )

    def to_okx(self) -> dict[str, str]:
        """Return the entry as OKX would send it (the inverse of ``from_okx``).

        Amounts are written in plain notation (``format(d, "f")``), ``None`` as ``""``.
        """

        def text(amount: Decimal | None) -> str:
            return "" if amount is None else format(amount, "f")

        return {
            "ccy": self.ccy,
            "maxWd": text(self.max_wd),
            "maxWdEx": text(self.max_wd_ex),
            "spotOffsetMaxWd": text(self.spot_offset_max_wd),
            "spotOffsetMaxWdEx": text(self.spot_offset_max_wd_ex),
        }


def _message_text(body: dict[str, Any]) -> str:
    msg = body.get("msg", "")
    return exact_str(msg) if isinstance(msg, str) else preview(msg, 200)


def parse_max_withdrawal_response(
    body: object,
    *,
    asked: tuple[str, ...] = (),
    http_status: int | None = None,
) -> dict[str, MaxWithdrawal]:
    """Turn a raw max-withdrawal answer into rows keyed by currency, in the exchange's order.

    ``asked`` is the normalised currencies of the request (``()`` for all): a row for
    a currency not asked means the answer does not match the question. A currency
    asked but absent from the answer is simply absent from the result.

    Raise the typed OkxApiError for a non-zero ``code`` and ResponseFormatError for
    any shape problem (body not an object, ``code`` missing, ``data`` not a list,
    a bad entry, the same ``ccy`` twice, an unasked ``ccy``), including a payload
    object whose own methods raise (a dict subclass, a key with a broken ``__eq__``).
    """
    try:
        return _parse_response(body, asked, http_status)
    except OkxExtError:
        raise
    except Exception as exc:
        # Only payload objects run code here (a hostile __eq__, __hash__, get...): what
        # they raise is a defect of the payload, reported as such, the cause chained.
        raise ResponseFormatError(
            f"the response could not be read: {type(exc).__name__}: {preview(str(exc), 100)}"
        ) from exc


def _parse_response(
    body: object, asked: tuple[str, ...], http_status: int | None
) -> dict[str, MaxWithdrawal]:
    """Do the work of `parse_max_withdrawal_response` (which maps stray exceptions)."""
    if not isinstance(body, dict):
        raise ResponseFormatError(
            f"response body must be an object, got {type(body).__name__}: {preview(body)}"
        )
    if "code" not in body:
        raise ResponseFormatError(
            f"response body has no field 'code': {preview(body)}", field="code"
        )
    code = _normalize_code(body["code"])
    if code != "0":
        raise error_for_code(code, _message_text(body), http_status)
    data = body.get("data")
    if not isinstance(data, list):
        raise ResponseFormatError(
            f"field 'data' must be a list, got {type(data).__name__}: {preview(data)}",
            field="data",
        )
    asked_set = frozenset(asked)
    rows: dict[str, MaxWithdrawal] = {}
    for index, entry in enumerate(data):
        try:
            row = MaxWithdrawal.from_okx(entry)
        except ResponseFormatError as exc:
            # Say which entry: with twenty rows "field 'maxWd'" alone is a hunt.
            raise ResponseFormatError(f"data[{index}]: {exc.message}", field=exc.field) from None
        if row.ccy in rows:
            raise ResponseFormatError(
                f"field 'ccy' repeats {row.ccy!r} in 'data'", field="ccy"
            )
        if asked_set and row.ccy not in asked_set:
            raise ResponseFormatError(
                f"field 'ccy' is {row.ccy!r}, which was not asked for (asked: {','.join(asked)})",
                field="ccy",
            )
        rows[row.ccy] = row
    return rows
