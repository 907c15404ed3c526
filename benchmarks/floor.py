"""The floor: the least a validating max-withdrawal client does, written plainly.

The benchmark's yardstick for MaxWithdrawalClient: same checks on the common input
(codes by regex, amounts by regex then Decimal, a frozen slotted row), nothing else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

CODE = re.compile(r"[A-Z0-9]{1,32}")
AMOUNT = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+", re.ASCII)


@dataclass(frozen=True, slots=True)
class Row:
    ccy: str
    max_wd: Decimal | None
    max_wd_ex: Decimal | None
    spot_offset_max_wd: Decimal | None
    spot_offset_max_wd_ex: Decimal | None


def amount(text: Any) -> Decimal | None:
    if text == "":
        return None
    if not isinstance(text, str) or AMOUNT.fullmatch(text) is None:
        raise ValueError(f"bad amount {text!r}")
    return Decimal(text)


def code(text: Any) -> str:
    if not isinstance(text, str) or CODE.fullmatch(text) is None:
        raise ValueError(f"bad currency {text!r}")
    return text


def get_max_withdrawal(api: Any, currencies: list[str]) -> dict[str, Row]:
    ccys = [code(item.strip().upper()) for item in currencies]
    body = api.get_max_withdrawal(ccy=",".join(ccys))
    if body["code"] != "0":
        raise RuntimeError(f"OKX error {body['code']}: {body['msg']}")
    rows = {}
    for entry in body["data"]:
        ccy = code(entry["ccy"])
        rows[ccy] = Row(ccy, amount(entry["maxWd"]), amount(entry["maxWdEx"]),
                        amount(entry["spotOffsetMaxWd"]), amount(entry["spotOffsetMaxWdEx"]))
    return rows
