"""The account routes' handlers: max-withdrawal, balance and config, all read from the ledger.

Each handler runs under the exchange's lock and reads the account's
:class:`~okx_fakes._ledger.Ledger` (see :data:`okx_fakes._routes.ROUTES`). Nothing is
stored for an answer: each is derived from the ledger when asked.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Final

from okx_fakes._amounts import format_amount
from okx_fakes._errors import error_response
from okx_fakes._facts import ACCOUNT_LEVELS
from okx_fakes._ledger import BORROWING_MODES, MARGIN_MODES, TradingRow
from okx_fakes._params import Caller, ccy_list, ok_response
from okx_fakes._types import FakeResponse

__all__ = ["BALANCE_DETAIL_FIELDS", "balance", "config", "max_withdrawal"]


def max_withdrawal(caller: Caller, query: str, body: bytes,
                   now: float) -> tuple[str, FakeResponse]:
    """``GET /api/v5/account/max-withdrawal``: the account's answer for ``ccy``.

    ``ccy`` as :func:`~okx_fakes._params.ccy_list` reads it (empty: every held currency, in
    the order first set); other parameters are ignored.
    """
    code, currencies = ccy_list(query)
    if code is not None:
        return code, error_response(code)
    ledger = caller.ledger
    if currencies is None:
        currencies = list(ledger.trading)
    return ok_response([ledger.entry(ccy).as_okx(ccy) for ccy in currencies])


def _amount(value: Callable[[TradingRow], Decimal]) -> Callable[[TradingRow, str], str]:
    return lambda row, mode: format_amount(value(row))


def _constant(text: str) -> Callable[[TradingRow, str], str]:
    return lambda row, mode: text


def _in(modes: frozenset[str], inner: Callable[[TradingRow, str], str]
        ) -> Callable[[TradingRow, str], str]:
    """``inner`` where the field applies (the mode is in ``modes``), ``""`` elsewhere."""
    return lambda row, mode: inner(row, mode) if mode in modes else ""


_ZERO = _constant("0")
_EMPTY = _constant("")
_CASH = _amount(lambda row: row.cash)
_FROZEN = _amount(lambda row: row.frozen)
_AVAIL = _amount(lambda row: row.avail_bal)
_LIAB = _amount(lambda row: row.liab)
_MARGIN_ONLY = frozenset(MARGIN_MODES)
_COLLATERAL_MODES = frozenset({"multi_currency", "portfolio"})

#: Each ``details`` field of ``GET /api/v5/account/balance``, in the wire's (alphabetical)
#: order, with how it is derived from the ledger row in a mode. Field set: the recorded
#: 2025 answer (``ccxt_trading_balance_2025``, ccxt's static response test). ``""`` in a
#: mode where the field does not apply, as the recorded spot answer shows
#: (``issue_14642_spot_2022``); every field that needs a price or P&L is ``""`` (the fake
#: has no prices: assumption) and every hold the fake does not model (fixed, strategy,
#: copy-trading, TWAP) is ``"0"``. The fake's spot mode borrows (max-withdrawal's docs
#: give spot mode a ``maxWdEx``), so it answers ``liab``/``maxLoan`` where the 2022 spot
#: answer, from before spot borrowing, has ``""`` (assumption).
BALANCE_DETAIL_FIELDS: Final[tuple[tuple[str, Callable[[TradingRow, str], str]], ...]] = (
    ("accAvgPx", _EMPTY),
    ("availBal", _AVAIL),
    ("availEq", _in(_MARGIN_ONLY, _AVAIL)),
    ("borrowFroz", _in(_COLLATERAL_MODES, _EMPTY)),
    ("cashBal", _CASH),
    ("clSpotInUseAmt", _EMPTY),
    ("colBorrAutoConversion", _ZERO),
    ("crossLiab", _in(frozenset(BORROWING_MODES), _LIAB)),
    ("disEq", _EMPTY),
    ("eq", _CASH),
    ("eqUsd", _EMPTY),
    ("fixedBal", _ZERO),
    ("frozenBal", _FROZEN),
    ("imr", _EMPTY),
    ("interest", _in(frozenset(BORROWING_MODES), _ZERO)),
    ("isoEq", _in(_MARGIN_ONLY, _ZERO)),
    ("isoLiab", _in(_MARGIN_ONLY, _ZERO)),
    ("isoUpl", _in(_MARGIN_ONLY, _ZERO)),
    ("liab", _in(frozenset(BORROWING_MODES), _LIAB)),
    ("maxLoan", _in(frozenset(BORROWING_MODES), _amount(lambda row: row.max_loan))),
    ("maxSpotInUse", _EMPTY),
    ("mgnRatio", _EMPTY),
    ("mmr", _EMPTY),
    ("notionalLever", _EMPTY),
    ("openAvgPx", _EMPTY),
    ("ordFrozen", _FROZEN),
    ("rewardBal", _EMPTY),
    ("smtSyncEq", _ZERO),
    ("spotBal", _EMPTY),
    ("spotCopyTradingEq", _ZERO),
    ("spotInUseAmt", _EMPTY),
    ("spotIsoBal", _ZERO),
    ("spotUpl", _EMPTY),
    ("spotUplRatio", _EMPTY),
    ("stgyEq", _ZERO),
    ("totalPnl", _EMPTY),
    ("totalPnlRatio", _EMPTY),
    ("twap", _ZERO),
    ("upl", _in(_MARGIN_ONLY, _ZERO)),
    ("uplLiab", _in(_MARGIN_ONLY, _ZERO)),
)
# The recorded answer's top-level fields: all in USD (a price) but ``ordFroz`` (assumption:
# "" too, it is the USD value of ordFrozen) and ``uTime``.
_TOP_LEVEL_PRICED: Final = ("adjEq", "availEq", "borrowFroz", "imr", "isoEq", "mgnRatio", "mmr",
                            "notionalUsd", "notionalUsdForBorrow", "notionalUsdForFutures",
                            "notionalUsdForOption", "notionalUsdForSwap", "ordFroz", "totalEq")


def balance(caller: Caller, query: str, body: bytes, now: float) -> tuple[str, FakeResponse]:
    """``GET /api/v5/account/balance``: the trading account, one ``details`` row a currency.

    ``ccy`` as for max-withdrawal (OKX docs: up to 20, comma-separated); empty: every
    currency held, in the order first set. One element in ``data``, as on the wire.
    """
    code, currencies = ccy_list(query)
    if code is not None:
        return code, error_response(code)
    ledger = caller.ledger
    mode = ledger.mode
    u_time = str(int(now * 1000))
    wanted = list(ledger.trading) if currencies is None else [
        ccy for ccy in currencies if ccy in ledger.trading]
    details = []
    for ccy in wanted:
        row = ledger.trading[ccy]
        detail: dict[str, object] = {}
        for name, derive in BALANCE_DETAIL_FIELDS:
            detail[name] = derive(row, mode)
        detail["ccy"] = ccy
        detail["collateralEnabled"] = mode in _COLLATERAL_MODES
        detail["collateralRestrict"] = False
        # Each currency's own last change, as on the wire (older than the top level's).
        detail["uTime"] = str(int(row.u_time * 1000)) if row.u_time else u_time
        details.append(dict(sorted(detail.items())))
    top: dict[str, object] = {name: "" for name in _TOP_LEVEL_PRICED}
    top["details"] = details
    top["uTime"] = u_time
    top["upl"] = "0" if mode in _MARGIN_ONLY else ""
    return ok_response([dict(sorted(top.items()))])


# OKX docs (account configuration): perm lists read_only, withdraw and trade; the wire
# answer lists them in this order (ccxt's static fetchAccounts response).
_PERM_ORDER: Final = (("read", "read_only"), ("withdraw", "withdraw"), ("trade", "trade"))


def config(caller: Caller, query: str, body: bytes, now: float) -> tuple[str, FakeResponse]:
    """``GET /api/v5/account/config``: the account level and the calling key's permissions.

    Field set and order: the recorded answer (ccxt's static ``fetchAccounts`` response).
    ``acctLv`` and ``perm`` come from the model; ``uid`` and ``mainUid`` are the account's;
    the rest are the recorded answer's values (assumption: a plain main account, net mode).
    """
    perm = ",".join(name for key, name in _PERM_ORDER if key in caller.permissions)
    row: dict[str, object] = {
        "acctLv": ACCOUNT_LEVELS[caller.ledger.mode], "autoLoan": False,
        "ctIsoMode": "automatic", "greeksType": "PA", "ip": "", "kycLv": "2", "label": "",
        "level": "Lv1", "levelTmp": "", "liquidationGear": "-1", "mainUid": caller.uid,
        "mgnIsoMode": "automatic", "opAuth": "0", "perm": perm, "posMode": "net_mode",
        "roleType": "0", "spotOffsetType": "", "spotRoleType": "0", "spotTraderInsts": [],
        "traderInsts": [], "uid": caller.uid,
    }
    return ok_response([row])
