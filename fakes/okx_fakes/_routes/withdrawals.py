"""The withdrawal routes' handlers: withdraw, its history, cancel, the chains, the status.

Each runs under the exchange's lock and changes the account's ledger in one transaction,
or not at all (see :data:`okx_fakes._routes.ROUTES`).

``POST /api/v5/asset/withdrawal`` checks, in this order (first failure answered):

1. the body is a JSON object, else 51000 naming ``body`` (assumption, as the transfer);
2. ``ccy``, ``amt``, ``dest``, ``toAddr`` present and not ``""``, else 50014 (OKX's table);
3. ``ccy`` 1-32 letters/digits, ``amt`` a plain decimal above 0, ``dest`` 3 or 4,
   ``clientId`` 1-32 letters/digits or ``""``, else 51000 naming it (OKX's table; which
   values count as malformed is assumed);
4. a ``clientId`` an earlier withdrawal of the account carries: that withdrawal is answered
   again and nothing moves (assumption: OKX documents clientId as the client's own id
   and lets the history be read by it; answering the first is the fake's idempotency);
5. ``chain`` a string (else 51000) naming a chain of the table, else 58010; without it
   the currency's main chain, and a currency no chain withdraws answers 51000 naming
   ``ccy`` (assumption);
6. the chain open for it (``canWd`` on chain, ``canInternal`` for ``dest`` 3), else 58214;
7. ``amt`` with at most ``wdTickSz`` decimals, else 51000 naming ``amt`` (assumption);
8. ``minWd <= amt <= maxWd`` of the chain on chain, ``minInternal <= amt`` internal, else
   58206 (below) or 58205 (above) (OKX's table);
9. ``dest`` 3: ``toAddr`` an email, a phone number or an account name, else 58213;
10. ``amt + fee`` at most the funding ``availBal``, else 58350 "Insufficient balance"
    (the wire: ccxt/ccxt#24554). The fee is the chain's on chain, 0 internal (assumption:
    OKX charges no fee between its users).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from okx_fakes._amounts import parse_amount
from okx_fakes._chains import ChainRow
from okx_fakes._errors import error_response
from okx_fakes._facts import CCY_PATTERN
from okx_fakes._ledger import (
    INTERNAL,
    ON_CHAIN,
    WD_CANCELLABLE,
    WD_STATES,
    RefusedTransfer,
    WithdrawalRecord,
)
from okx_fakes._params import Caller, ccy_list, ok_response, param_error, query_values
from okx_fakes._types import FakeResponse, read_json

__all__ = ["cancel_withdrawal", "currencies", "deposit_withdraw_status", "withdrawal",
           "withdrawal_history"]

_REQUIRED = ("ccy", "amt", "dest", "toAddr")
# OKX funding docs: clientId is 1-32 case-sensitive letters or digits.
_CLIENT_ID = re.compile(r"[A-Za-z0-9]{1,32}")
_PLAIN_AMOUNT = re.compile(r"[0-9]+(?:\.[0-9]+)?")
# Assumption: what OKX takes as an email, a phone number or an account name.
_INTERNAL_ADDRESS = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+|\+?[0-9]{6,15}|[A-Za-z0-9_.-]{3,32}")
# OKX docs (withdrawal history): limit 1-100, default 100.
_HISTORY_LIMIT = 100


def _body(body: bytes) -> dict[str, Any] | None:
    try:
        parsed = read_json(body)
    except (ValueError, RecursionError):
        return None
    return parsed if isinstance(parsed, dict) else None


def _text(value: object) -> str | None:
    """Read a parameter as OKX does: a string, or a JSON integer read as its digits."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    return value if isinstance(value, str) else None


def _main_chain(chains: Mapping[tuple[str, str], ChainRow], ccy: str) -> ChainRow | None:
    """Return the currency's main-net chain, else its first, else None."""
    rows = [row for (code, _), row in chains.items() if code == ccy]
    return next((row for row in rows if row.main_net), rows[0] if rows else None)


def withdrawal(caller: Caller, query: str, body: bytes,
               now: float) -> tuple[str, FakeResponse]:
    """``POST /api/v5/asset/withdrawal``: send funds out of the funding account (module docs)."""
    params = _body(body)
    if params is None:
        return param_error("51000", "body")
    for name in _REQUIRED:
        if params.get(name) in (None, ""):
            return param_error("50014", name)
    ccy, amt_text, dest = _text(params["ccy"]), _text(params["amt"]), _text(params["dest"])
    to_addr = params["toAddr"]
    if ccy is None or CCY_PATTERN.fullmatch(ccy) is None:
        return param_error("51000", "ccy")
    if amt_text is None or not _PLAIN_AMOUNT.fullmatch(amt_text) or Decimal(amt_text) <= 0:
        return param_error("51000", "amt")
    try:
        amt = parse_amount(amt_text, name="amt")
    except ValueError:
        return param_error("51000", "amt")
    if dest not in (INTERNAL, ON_CHAIN):
        return param_error("51000", "dest")
    if not isinstance(to_addr, str):
        return param_error("51000", "toAddr")
    client_id = params.get("clientId", "")
    if not isinstance(client_id, str) or (client_id and not _CLIENT_ID.fullmatch(client_id)):
        return param_error("51000", "clientId")
    area_code = params.get("areaCode", "")
    area_code = area_code if isinstance(area_code, str) else ""
    ledger = caller.ledger
    if client_id:
        earlier = ledger.find_withdrawal("", client_id)
        if earlier is not None:
            return ok_response([earlier.as_answer()])
    code = ccy.upper()
    chain_name = params.get("chain") or ""
    if not isinstance(chain_name, str):
        return param_error("51000", "chain")
    row = (caller.chains.get((code, chain_name)) if chain_name
           else _main_chain(caller.chains, code))
    if row is None and chain_name:
        return param_error("58010", chain_name)
    if row is None:  # a currency no chain withdraws (assumption: 51000 naming ccy)
        return param_error("51000", "ccy")
    if not (row.can_internal if dest == INTERNAL else row.can_wd):
        return param_error("58214", row.chain)
    if -amt.as_tuple().exponent > row.wd_tick_sz:  # type: ignore[operator]
        return param_error("51000", "amt")
    low = row.min_internal if dest == INTERNAL else row.min_wd
    if amt < low:
        return "58206", error_response("58206")
    if dest == ON_CHAIN and amt > row.max_wd:
        return "58205", error_response("58205")
    if dest == INTERNAL and not _INTERNAL_ADDRESS.fullmatch(to_addr):
        return "58213", error_response("58213")
    fee = row.fee if dest == ON_CHAIN else Decimal(0)
    try:
        record = ledger.withdraw(code, amt, fee, chain=row.chain, dest=dest, to_addr=to_addr,
                                 area_code=area_code, client_id=client_id, now=now)
    except RefusedTransfer as refused:
        return refused.code, error_response(refused.code)
    return ok_response([record.as_answer()])


def _one(query: str, name: str) -> str | None:
    """Return the single value of ``name`` (``""`` when absent); None when it is repeated."""
    values = query_values(query, name)
    if len(values) > 1:
        return None
    return values[0] if values else ""


def withdrawal_history(caller: Caller, query: str, body: bytes,
                       now: float) -> tuple[str, FakeResponse]:
    """``GET /api/v5/asset/withdrawal-history``: the account's withdrawals, newest first.

    Filters (OKX docs): ``ccy``, ``wdId``, ``clientId``, ``txId``, ``type`` (3 internal,
    4 on chain), ``state`` (OKX's code),
    ``after``/``before`` (``ts`` in ms: older than / newer than), ``limit`` (1-100, default
    100). A repeated or malformed parameter answers 51000 naming it. A ``wdId`` or
    ``clientId`` that names no withdrawal answers 58215 "Withdrawal ID does not exist."
    with no rows (production client: stablesats marks a withdrawal lost on it).
    """
    found: dict[str, str] = {}
    for name in ("ccy", "wdId", "clientId", "txId", "state", "after", "before", "limit",
                 "type"):
        value = _one(query, name)
        if value is None:
            return param_error("51000", name)
        found[name] = value
    for name in ("after", "before", "limit"):
        if found[name] and not found[name].isdigit():
            return param_error("51000", name)
    limit = int(found["limit"]) if found["limit"] else _HISTORY_LIMIT
    if not 1 <= limit <= _HISTORY_LIMIT:
        return param_error("51000", "limit")
    ledger = caller.ledger
    if (found["wdId"] or found["clientId"]) and ledger.find_withdrawal(
            found["wdId"], found["clientId"]) is None:
        return "58215", error_response("58215")
    rows = []
    for record in reversed(ledger.withdrawals):
        if _matches(record, found):
            rows.append(record.as_okx())
            if len(rows) == limit:
                break
    return ok_response(rows)


def _matches(record: WithdrawalRecord, found: dict[str, str]) -> bool:
    ts = int(record.time * 1000)
    return ((not found["ccy"] or record.ccy == found["ccy"].upper())
            and (not found["wdId"] or record.wd_id == found["wdId"])
            and (not found["clientId"] or record.client_id == found["clientId"])
            and (not found["txId"] or record.tx_id == found["txId"])
            and (not found["state"] or record.state == found["state"])
            and (not found["type"] or record.dest == found["type"])
            and (not found["after"] or ts < int(found["after"]))
            and (not found["before"] or ts > int(found["before"])))


def cancel_withdrawal(caller: Caller, query: str, body: bytes,
                      now: float) -> tuple[str, FakeResponse]:
    """``POST /api/v5/asset/cancel-withdrawal``: cancel a withdrawal still waiting.

    ``wdId`` missing: 50014; unknown: 58215; canceled already: 58220; in a state OKX does
    not cancel from (only 0, 17 and 19: OKX docs): 58216 "Operation not allowed."
    Canceled, its amount and fee are free again in funding.
    """
    params = _body(body)
    if params is None:
        return param_error("51000", "body")
    wd_id = _text(params.get("wdId", ""))
    if not wd_id:
        return param_error("50014", "wdId")
    ledger = caller.ledger
    record = ledger.find_withdrawal(wd_id, "")
    if record is None:
        return "58215", error_response("58215")
    if record.state == WD_STATES["canceled"]:
        return "58220", error_response("58220")
    if record.state not in WD_CANCELLABLE:
        return "58216", error_response("58216")
    ledger.settle_withdrawal(wd_id, "canceled")
    return ok_response([{"wdId": wd_id}])


def currencies(caller: Caller, query: str, body: bytes,
               now: float) -> tuple[str, FakeResponse]:
    """``GET /api/v5/asset/currencies``: one row per (ccy, chain) of the chain table.

    ``ccy`` as max-withdrawal reads it (comma-separated, up to 20); empty: every row.
    """
    code, wanted = ccy_list(query)
    if code is not None:
        return code, error_response(code)
    rows = [row.as_okx() for (ccy, _), row in caller.chains.items()
            if wanted is None or ccy in wanted]
    return ok_response(rows)


# Assumption: the stage texts (OKX documents the field as "Stage: status" free text).
_STAGE = {"0": "Pending withdrawal: Waiting for the withdrawal to be processed.",
          "2": "Withdrawal complete: The withdrawal has arrived.",
          "-1": "Withdrawal failed: The withdrawal failed.",
          "-2": "Withdrawal canceled: The withdrawal was canceled."}
_UTC8 = datetime.timezone(datetime.timedelta(hours=8))


def deposit_withdraw_status(caller: Caller, query: str, body: bytes,
                            now: float) -> tuple[str, FakeResponse]:
    """``GET /api/v5/asset/deposit-withdraw-status``: a withdrawal's stage, by ``wdId``.

    Deposits (``txId``) are not modelled: without ``wdId`` it answers 50014 naming it.
    ``estCompleteTime`` is in UTC+8, ``MM/dd/yyyy, h:mm:ss AM/PM`` (OKX docs), 30 minutes
    after the withdrawal (assumption).
    """
    wd_id = _one(query, "wdId")
    if wd_id is None:
        return param_error("51000", "wdId")
    if not wd_id:
        return param_error("50014", "wdId")
    record = caller.ledger.find_withdrawal(wd_id, "")
    if record is None:
        return "58215", error_response("58215")
    estimate = datetime.datetime.fromtimestamp(record.time + 1800, _UTC8)
    hour = estimate.hour % 12 or 12
    text = (f"{estimate:%m/%d/%Y}, {hour}:{estimate:%M:%S} "
            f"{'AM' if estimate.hour < 12 else 'PM'}")
    return ok_response([{"estCompleteTime": text, "state": _STAGE[record.state],
                         "txId": record.tx_id, "wdId": record.wd_id}])
