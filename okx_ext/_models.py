"""MaxWithdrawal and the parsing of OKX's max-withdrawal payload.

Amounts become Decimal exactly: a str is shape-checked, then given to the Decimal
constructor, which does not round to the context precision; no arithmetic is done.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from okx_ext._currencies import _is_currency_code
from okx_ext.errors import ResponseFormatError, _normalize_code, _preview, error_for_code

__all__ = ["MaxWithdrawal", "parse_max_withdrawal_response"]

# Plain non-negative decimal notation; excludes signs, "1,000", "1_000", whitespace,
# unicode digits and NaN/Infinity, all of which Decimal() would otherwise accept or
# reject with InvalidOperation.
_AMOUNT = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)

# "1e999999999" is a valid shape but format(d, "f") would write a billion digits;
# no balance needs an exponent anywhere near this.
_MAX_AMOUNT_EXPONENT = 1000

# Field names on the wire (OKX's camelCase) against MaxWithdrawal's attributes.
_OPTIONAL_AMOUNT_FIELDS = {
    "maxWdEx": "max_wd_ex",
    "spotOffsetMaxWd": "spot_offset_max_wd",
    "spotOffsetMaxWdEx": "spot_offset_max_wd_ex",
}


def _bad_amount(field: str, value: object) -> ResponseFormatError:
    return ResponseFormatError(
        f"field {field!r} must be a finite non-negative decimal, got {_preview(value)}",
        field=field,
    )


def _parse_amount(field: str, value: object) -> Decimal:
    """Convert one amount exactly, or raise ResponseFormatError naming ``field``."""
    if isinstance(value, str):
        if _AMOUNT.fullmatch(value) is None:
            raise _bad_amount(field, value)
        amount = Decimal(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise _bad_amount(field, value)
        amount = Decimal(value)
    elif isinstance(value, float):
        # Only floats whose shortest repr is their exact value: 0.5 yes, 0.1 no.
        if not math.isfinite(value) or math.copysign(1.0, value) < 0:
            raise _bad_amount(field, value)
        amount = Decimal(repr(value))
        if amount != Decimal(value):
            raise _bad_amount(field, value)
    else:
        raise _bad_amount(field, value)
    exponent = amount.as_tuple().exponent
    if not isinstance(exponent, int) or abs(exponent) > _MAX_AMOUNT_EXPONENT:
        raise _bad_amount(field, value)
    return amount


def _is_blank(value: object) -> bool:
    """Tell whether OKX left a field blank (callers map a missing key to ``""``)."""
    return isinstance(value, str) and value == ""


def _parse_optional_amount(entry: dict[str, Any], field: str) -> Decimal | None:
    value = entry.get(field, "")
    return None if _is_blank(value) else _parse_amount(field, value)


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
                f"{_preview(entry)}",
                field="data",
            )
        ccy = entry.get("ccy")
        if not isinstance(ccy, str) or not _is_currency_code(ccy):
            raise ResponseFormatError(
                f"field 'ccy' must be a currency code (A-Z 0-9, 1 to 32), got {_preview(ccy)}",
                field="ccy",
            )
        max_wd = entry.get("maxWd", "")
        if _is_blank(max_wd):
            raise ResponseFormatError(
                f"field 'maxWd' is missing or empty for {ccy}", field="maxWd"
            )
        optional = {
            attribute: _parse_optional_amount(entry, field)
            for field, attribute in _OPTIONAL_AMOUNT_FIELDS.items()
        }
        return cls(ccy=ccy, max_wd=_parse_amount("maxWd", max_wd), **optional)

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
    return msg if isinstance(msg, str) else _preview(msg, 200)


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
    a bad entry, the same ``ccy`` twice, an unasked ``ccy``).
    """
    if not isinstance(body, dict):
        raise ResponseFormatError(
            f"response body must be an object, got {type(body).__name__}: {_preview(body)}"
        )
    if "code" not in body:
        raise ResponseFormatError(
            f"response body has no field 'code': {_preview(body)}", field="code"
        )
    code = _normalize_code(body["code"])
    if code != "0":
        raise error_for_code(code, _message_text(body), http_status)
    data = body.get("data")
    if not isinstance(data, list):
        raise ResponseFormatError(
            f"field 'data' must be a list, got {type(data).__name__}: {_preview(data)}",
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
