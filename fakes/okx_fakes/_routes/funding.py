"""The funding routes' handlers: funds transfer, its state, the funding account's balances.

Each handler reads the raw request, decides, changes the account's
:class:`~okx_fakes._ledger.Ledger` in one transaction (or not at all) and answers; it runs
under the exchange's lock (see :data:`okx_fakes._routes.ROUTES`).

``POST /api/v5/asset/transfer`` checks, in this order (first failure answered):

1. the body is a JSON object, else 51000 (``Parameter body error``; assumption);
2. ``ccy``, ``amt``, ``from``, ``to`` are present and not ``""``, else 50014;
3. ``type`` is absent, ``""`` or 0, else 58127 for 1-4 (the fake's keys are main-account
   keys and it models no sub-account; assumption) or 51000 for anything else;
4. ``ccy`` is 1-32 ASCII letters/digits, ``amt`` a plain decimal (a JSON number is taken
   too), ``from``/``to`` are ``6`` or ``18`` (string or JSON integer), ``loanTrans`` is
   ``""``, a JSON boolean, ``"true"`` or ``"false"``, ``clientId`` is 1-32 letters/digits
   or ``""``; else 51000 naming the parameter;
5. ``amt`` > 0, else 58114 (HTTP 400);
6. ``from`` != ``to``, else 58123;
7. ``amt`` at most :meth:`FakeAccount.transferable` (18 to 6), else 58350 "Insufficient
   balance" (wire: ccxt/ccxt#14642), or at most the funding ``availBal`` (6 to 18), else
   58116 (the table's "Transfer exceeds the available amount"; assumption: its situation).

The success answer's keys come in the wire's (alphabetical) order: ccxt's recorded
transfer answers.

Other fields (``subAcct``, ``instId``, ``toInstId``, ``omitPosRisk``) are ignored.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from okx_fakes._amounts import format_amount, parse_amount
from okx_fakes._errors import error_response
from okx_fakes._facts import CCY_PATTERN
from okx_fakes._ledger import FUNDING, TRADING, RefusedTransfer
from okx_fakes._params import Caller, ccy_list, ok_response, param_error, query_values
from okx_fakes._types import FakeResponse, read_json

__all__ = ["balances", "transfer", "transfer_rate_key", "transfer_state"]

# OKX funding docs: the transfer's required parameters.
_REQUIRED = ("ccy", "amt", "from", "to")
# Assumption: from/to as JSON integers are read like the documented strings.
_ACCOUNT_TYPES = {FUNDING: FUNDING, TRADING: TRADING, int(FUNDING): FUNDING,
                  int(TRADING): TRADING}
# OKX funding docs: type 0 within the account, 1-4 between master and sub-accounts.
_SUB_ACCOUNT_TYPES = frozenset({"1", "2", "3", "4"})
# python-okx sends loanTrans as given: "" by default, a JSON boolean or a string.
_LOAN_TRANS: dict[str, bool] = {"": False, "false": False, "true": True}
# OKX funding docs: clientId is 1-32 case-sensitive letters or digits.
_CLIENT_ID = re.compile(r"[A-Za-z0-9]{1,32}")
# Assumption: a plain decimal as OKX writes amounts (a sign is read, to answer 58114).
_PLAIN_AMOUNT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def _json_object(body: bytes) -> dict[str, Any] | None:
    """Return the body as a JSON object (floats exact), or None if it is not one."""
    try:
        parsed = read_json(body)
    except (ValueError, RecursionError):  # JSONDecodeError, a 5000-digit int, "[[[[..."
        return None
    return parsed if isinstance(parsed, dict) else None


def transfer_rate_key(query: str, body: bytes) -> str:
    """Return the transfer's extra rate-limit key part: the body's currency, upper-case, or "".

    Only a well-formed currency code keys its own window; any other ``ccy`` (answered 51000
    by :func:`transfer`) shares the window ``""``, so junk cannot grow the windows.
    """
    ccy = (_json_object(body) or {}).get("ccy")
    # Assumption: OKX counts a malformed ccy per uid alone (it documents nothing for it).
    if isinstance(ccy, str) and CCY_PATTERN.fullmatch(ccy) is not None:
        return ccy.upper()
    return ""


def _amount(value: object) -> Decimal | None:
    """Read ``amt`` (a plain decimal string, a JSON integer or number); None if malformed."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if isinstance(value, str) and _PLAIN_AMOUNT.fullmatch(value):
        return Decimal(value)
    return None


def _type_code(value: object) -> str | None:
    """Return the refusal for ``type`` (None when it is 0, absent or ``""``)."""
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(text, str):
        return "51000"
    if text in ("", "0"):
        return None
    return "58127" if text in _SUB_ACCOUNT_TYPES else "51000"


def transfer(caller: Caller, query: str, body: bytes,
             now: float) -> tuple[str, FakeResponse]:
    """``POST /api/v5/asset/transfer``: move funds between trading (18) and funding (6)."""
    params = _json_object(body)
    if params is None:
        return param_error("51000", "body")
    for name in _REQUIRED:
        if params.get(name) in (None, ""):
            return param_error("50014", name)
    type_code = _type_code(params.get("type", ""))
    if type_code is not None:
        return param_error(type_code, "type") if type_code == "51000" else (
            type_code, error_response(type_code))
    ccy, amt = params["ccy"], _amount(params["amt"])
    if not isinstance(ccy, str) or CCY_PATTERN.fullmatch(ccy) is None:
        return param_error("51000", "ccy")
    if amt is None or (amt > 0 and not _within_bounds(amt)):
        return param_error("51000", "amt")
    from_ = _ACCOUNT_TYPES.get(_hashable(params["from"]))
    to = _ACCOUNT_TYPES.get(_hashable(params["to"]))
    if from_ is None:
        return param_error("51000", "from")
    if to is None:
        return param_error("51000", "to")
    loan_trans = params.get("loanTrans", "")
    loan = loan_trans if isinstance(loan_trans, bool) else (
        _LOAN_TRANS.get(loan_trans) if isinstance(loan_trans, str) else None)
    if loan is None:
        return param_error("51000", "loanTrans")
    client_id = params.get("clientId", "")
    if not isinstance(client_id, str) or (client_id and not _CLIENT_ID.fullmatch(client_id)):
        return param_error("51000", "clientId")
    if amt <= 0:
        return "58114", error_response("58114")
    if from_ == to:
        return "58123", error_response("58123")
    try:
        record = caller.ledger.transfer(ccy.upper(), amt, from_, to, loan=loan,
                                        client_id=client_id, now=now)
    except RefusedTransfer as refused:
        return refused.code, error_response(refused.code)
    return ok_response([{"amt": format_amount(record.amt), "ccy": record.ccy,
                         "clientId": record.client_id, "from": record.from_,
                         "to": record.to, "transId": record.trans_id}])


def _hashable(value: object) -> object:
    """``value`` if it can key a dict lookup (JSON lists and objects cannot): else None."""
    return value if isinstance(value, (str, int)) else None


def _within_bounds(amt: Decimal) -> bool:
    try:
        parse_amount(amt, name="amt")
    except ValueError:  # beyond 30 integer or 30 fraction digits
        return False
    return True


def transfer_state(caller: Caller, query: str, body: bytes,
                   now: float) -> tuple[str, FakeResponse]:
    """``GET /api/v5/asset/transfer-state``: the transfer with ``transId`` or ``clientId``.

    ``transId`` wins when both are given; neither (or both empty) -> 50014; a repeated
    parameter -> 51000; ``type`` is ignored. An unknown ``clientId`` answers 58129 with
    ``data: []`` and a message naming ``clientId`` (wire-e2e: okx-api's read test against
    live OKX); an unknown ``transId`` the same, naming ``transId`` (assumption, by analogy:
    no recorded answer). Looked up by index: flat in the history.
    """
    found: dict[str, str] = {}
    for name in ("transId", "clientId"):
        values = query_values(query, name)
        if len(values) > 1:
            return param_error("51000", name)
        found[name] = values[0] if values else ""
    if not found["transId"] and not found["clientId"]:
        return param_error("50014", "transId")
    record = caller.ledger.find_transfer(found["transId"], found["clientId"])
    if record is None:
        return param_error("58129", "transId" if found["transId"] else "clientId")
    return ok_response([record.as_okx()])


def balances(caller: Caller, query: str, body: bytes,
             now: float) -> tuple[str, FakeResponse]:
    """``GET /api/v5/asset/balances``: the funding account, only currencies with a balance.

    ``bal = availBal + frozenBal`` (OKX funding docs; ccxt's recorded answer's keys).

    ``ccy`` is read as for max-withdrawal (up to 20, comma-separated, 50025 beyond;
    51000 for a malformed item); empty: every currency, in the order first set.
    """
    code, currencies = ccy_list(query)
    if code is not None:
        return code, error_response(code)
    held = caller.ledger.funding
    wanted = list(held) if currencies is None else currencies
    rows = []
    for ccy in wanted:
        row = held.get(ccy)
        if row is not None and row.bal > 0:
            rows.append({"availBal": format_amount(row.avail_bal), "bal": format_amount(row.bal),
                         "ccy": ccy, "frozenBal": format_amount(row.frozen)})
    return ok_response(rows)
