"""Treasury jobs of an existing python-okx code base: sweep what can move to funding.

This module stands for code a team already has. It builds python-okx's ``AccountAPI``
and ``FundingAPI`` from its own settings, passes them around, and handles
``OkxAPIException`` as it always did. Adopting okx-ext changed one line: the
``AccountAPI`` is wrapped in ``MaxWithdrawalClient``, which validates the request,
retries transient faults, and answers exact ``Decimal`` amounts instead of raw strings.
The transfers themselves go through python-okx's ``FundingAPI.funds_transfer``.
"""

from __future__ import annotations

import decimal
import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

import httpx
from okx.exceptions import OkxAPIException

from okx_ext import (
    MaxWithdrawal,
    MaxWithdrawalClient,
    SupportsGetMaxWithdrawal,
    normalize_currencies,
)

__all__ = [
    "SupportsAccountBalance",
    "SupportsFundsTransfer",
    "SupportsTransferRequests",
    "SweepResult",
    "account_api_from_environment",
    "execute_sweep",
    "funding_api_from_environment",
    "plan_from_rows",
    "plan_sweep",
    "recovering_sweep",
    "sweep",
    "sweep_report",
    "trading_available",
]

TRADING, FUNDING = "18", "6"  # OKX's account types: trading and funding


class SupportsFundsTransfer(Protocol):
    """python-okx's ``FundingAPI``, or anything shaped like it (a fake in tests)."""

    def funds_transfer(self, ccy: str, amt: str, from_: str, to: str) -> Any:
        """Ask OKX to move ``amt`` of ``ccy`` from account ``from_`` to account ``to``."""


class SupportsTransferRequests(Protocol):
    """python-okx's ``FundingAPI`` generic call, which sends what its methods cannot (clientId)."""

    def _request_with_params(self, method: str, request_path: str,
                             params: dict[str, Any]) -> Any:
        """Send one signed request to OKX and return its JSON answer."""


class SupportsAccountBalance(Protocol):
    """python-okx's ``AccountAPI.get_account_balance``."""

    def get_account_balance(self, ccy: str = "") -> Any:
        """``GET /api/v5/account/balance``: the trading account's balance."""


TRANSFER_PATH = "/api/v5/asset/transfer"
# transfer-state for a clientId that names no transfer: 58129 since 2023, 51000 before.
_NO_SUCH_TRANSFER = frozenset({"58129", "51000"})
TRANSFER_STATE_PATH = "/api/v5/asset/transfer-state"


@dataclass(frozen=True)
class SweepResult:
    """What a sweep moved (in order), and where and why it stopped, if it did."""

    moved: dict[str, Decimal] = field(default_factory=dict)
    stopped_at: str | None = None
    reason: str | None = None
    # What the trading account held free (availBal) before, where the sweep read it.
    held: dict[str, Decimal] | None = None

    def report(self) -> str:
        """One line for the operators' channel: exactly what moved, and why it stopped."""
        moved = ", ".join(f"{amount:f} {ccy}" for ccy, amount in self.moved.items())
        line = f"swept {moved}" if moved else "swept nothing"
        if self.held is not None:
            held = ", ".join(f"{amount:f} {ccy}" for ccy, amount in self.held.items())
            line = f"held {held or 'nothing'}; {line}"
        if self.stopped_at is not None:
            line += f"; stopped at {self.stopped_at}: {self.reason}"
        return line


def account_api_from_environment(
    environ: Mapping[str, str] = os.environ,
) -> SupportsGetMaxWithdrawal:
    """Build the production ``AccountAPI`` from this team's settings (demo trading)."""
    from okx.Account import AccountAPI

    account_api: SupportsGetMaxWithdrawal = AccountAPI(
        api_key=environ["TREASURY_OKX_KEY"],
        api_secret_key=environ["TREASURY_OKX_SECRET"],
        passphrase=environ["TREASURY_OKX_PASSPHRASE"],
        flag="1",
        debug=False,
    )
    return account_api


def funding_api_from_environment(environ: Mapping[str, str] = os.environ) -> Any:
    """Build the production ``FundingAPI`` from this team's settings (demo trading)."""
    from okx.Funding import FundingAPI

    return FundingAPI(
        api_key=environ["TREASURY_OKX_KEY"],
        api_secret_key=environ["TREASURY_OKX_SECRET"],
        passphrase=environ["TREASURY_OKX_PASSPHRASE"],
        flag="1",
        debug=False,
    )


def plan_sweep(
    account_api: SupportsGetMaxWithdrawal, keep: Mapping[str, Decimal],
    held: Mapping[str, Decimal] | None = None,
) -> dict[str, Decimal]:
    """Decide how much of each currency to move from trading to funding.

    ``account_api`` is python-okx's ``AccountAPI`` or anything shaped like it (a fake
    in tests). ``keep`` is the reserve per currency that stays in the trading account
    (codes in any case; a currency not named keeps nothing back). Only what can be
    withdrawn without borrowing (``maxWd``) is swept: borrowed funds never leave. With
    ``held`` (``availBal`` per currency, from :func:`trading_available`) no more than that
    is swept either: the guard for an answer that disagrees with the balance.
    """
    _reserves(keep)  # a typo in the reserves fails before any request is made
    rows = MaxWithdrawalClient(account_api).get_max_withdrawal(None)
    return plan_from_rows(rows.values(), keep, held)


def plan_from_rows(
    rows: Iterable[MaxWithdrawal], keep: Mapping[str, Decimal],
    held: Mapping[str, Decimal] | None = None,
) -> dict[str, Decimal]:
    """The sweep plan for rows already fetched: ``min(maxWd, availBal) - reserve`` where positive.

    Without ``held`` the bound is ``maxWd`` alone. Amounts are exact whatever their
    number of digits; the plan keeps the rows' order.
    """
    reserves = _reserves(keep)
    plan: dict[str, Decimal] = {}
    with decimal.localcontext() as context:
        # Exact: a treasury must not round a balance to the context's 28 digits.
        context.prec = decimal.MAX_PREC
        for row in rows:
            bound = row.max_wd if held is None else min(row.max_wd,
                                                        held.get(row.ccy, Decimal(0)))
            movable = bound - reserves.get(row.ccy, Decimal(0))
            if movable > 0:
                plan[row.ccy] = movable
    return plan


def sweep_report(account_api: SupportsGetMaxWithdrawal, keep: Mapping[str, Decimal]) -> str:
    """One line for the operators' channel: the plan, or why there is none."""
    try:
        plan = plan_sweep(account_api, keep)
    except OkxAPIException as exc:
        # Written for python-okx long before okx-ext; okx-ext's errors subclass
        # OkxAPIException, so this handler still catches them.
        return f"sweep skipped: OKX error {exc.code}"
    if not plan:
        return "nothing to sweep"
    return "sweep " + ", ".join(f"{amount:f} {ccy}" for ccy, amount in plan.items())


def _reserves(keep: Mapping[str, Decimal]) -> dict[str, Decimal]:
    reserves: dict[str, Decimal] = {}
    for name, reserve in keep.items():
        codes = normalize_currencies(name)
        if len(codes) != 1:
            raise ValueError(f"one currency per reserve, got {name!r}")
        if not isinstance(reserve, Decimal) or not reserve.is_finite() or reserve < 0:
            raise ValueError(f"reserve for {name!r} must be a finite Decimal >= 0")
        if codes[0] in reserves:
            raise ValueError(f"reserve for {codes[0]} given twice")
        reserves[codes[0]] = reserve
    return reserves


def execute_sweep(funding_api: SupportsFundsTransfer, plan: Mapping[str, Decimal]) -> SweepResult:
    """Move each planned amount from trading to funding, in order; stop at the first failure.

    A refusal (any code but ``"0"``) or a transport error stops the sweep: what moved
    before it is in the result, nothing after it is attempted.
    """
    moved: dict[str, Decimal] = {}
    for ccy, amount in plan.items():
        try:
            answer = funding_api.funds_transfer(ccy, f"{amount:f}", TRADING, FUNDING)
        except (httpx.HTTPError, OkxAPIException) as exc:
            return SweepResult(moved, ccy, type(exc).__name__)
        code = answer.get("code") if isinstance(answer, dict) else None
        if code != "0":
            return SweepResult(moved, ccy, f"OKX error {code}")
        moved[ccy] = amount
    return SweepResult(moved)


def sweep(
    account_api: SupportsGetMaxWithdrawal,
    funding_api: SupportsFundsTransfer,
    keep: Mapping[str, Decimal],
) -> SweepResult:
    """Plan the sweep above the reserves in ``keep`` and execute it."""
    return execute_sweep(funding_api, plan_sweep(account_api, keep))


def trading_available(account_api: SupportsAccountBalance) -> dict[str, Decimal]:
    """What each currency of the trading account holds free: ``availBal`` per ``ccy``.

    Read from ``get_account_balance`` (``GET /api/v5/account/balance``), in its order.
    Part of a balance may be frozen by orders or held as margin, so ``maxWd`` can be
    below it; it is never above it.
    """
    answer = account_api.get_account_balance()
    try:
        if answer["code"] != "0":
            raise ValueError(f"account balance refused: OKX error {answer['code']}")
        return {row["ccy"]: Decimal(row["availBal"]) for row in answer["data"][0]["details"]}
    except (KeyError, IndexError, TypeError, decimal.InvalidOperation):
        raise ValueError(f"unexpected account balance answer: {str(answer)[:80]}") from None


def recovering_sweep(
    account_api: Any,
    funding_api: SupportsTransferRequests,
    keep: Mapping[str, Decimal],
    *,
    run_id: str,
    polls: int = 5,
    sleep: Callable[[float], None] = time.sleep,
) -> SweepResult:
    """Sweep as :func:`sweep`, safe against lost answers and pending transfers.

    Each transfer carries ``clientId`` = ``run_id`` + its index (``run_id``: letters and
    digits, unique per run). When an answer is lost (a transport error), OKX may still
    have applied it ("the success or failure of the request does not necessarily reflect
    the actual transfer result"): the sweep asks ``transfer-state`` by that clientId and
    counts the transfer only if it is there (OKX answers 58129 for a clientId that names
    no transfer), so nothing moves twice. A ``pending``
    transfer is polled (``polls`` times, ``sleep`` between) until it settles; ``failed``
    or still pending stops the sweep. The result reports exactly what moved.
    """
    held = trading_available(account_api)
    plan = plan_sweep(account_api, keep, held)
    moved: dict[str, Decimal] = {}
    for index, (ccy, amount) in enumerate(plan.items()):
        client_id = f"{run_id}{index}"
        params = {"ccy": ccy, "amt": f"{amount:f}", "from": TRADING, "to": FUNDING,
                  "clientId": client_id}
        try:
            answer = funding_api._request_with_params("POST", TRANSFER_PATH, params)
        except httpx.HTTPError as exc:
            lost = f"{type(exc).__name__}, not applied"
            state = _settled_state(funding_api, client_id, polls, sleep, missing=lost)
        else:
            code = answer.get("code") if isinstance(answer, dict) else None
            if code != "0":
                return SweepResult(moved, ccy, f"OKX error {code}", held)
            state = _settled_state(funding_api, client_id, polls, sleep, missing="vanished")
        if state != "success":
            return SweepResult(moved, ccy, f"transfer {state}", held)
        moved[ccy] = amount
    return SweepResult(moved, held=held)


def _settled_state(funding_api: SupportsTransferRequests, client_id: str, polls: int,
                   sleep: Callable[[float], None], *, missing: str) -> str:
    """The transfer's state by clientId once settled, "still pending", or ``missing``."""
    for attempt in range(polls + 1):
        answer = funding_api._request_with_params("GET", TRANSFER_STATE_PATH,
                                                  {"clientId": client_id})
        code = answer.get("code") if isinstance(answer, dict) else None
        if code in _NO_SUCH_TRANSFER:
            return missing
        rows = answer.get("data") if code == "0" else None
        if not rows:
            return f"unknown (OKX error {code})"
        state = str(rows[0].get("state"))
        if state != "pending":
            return state
        if attempt < polls:
            sleep(0.5 * 2 ** attempt)
    return "still pending"
