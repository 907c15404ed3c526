"""Treasury jobs of an existing python-okx code base: sweep to funding, pay out from it.

This module stands for code a team already has. It builds python-okx's ``AccountAPI``
and ``FundingAPI`` from its own settings, passes them around, and handles
``OkxAPIException`` as it always did. Adopting okx-ext changed one line: the
``AccountAPI`` is wrapped in ``MaxWithdrawalClient``, which validates the request,
retries transient faults, and answers exact ``Decimal`` amounts instead of raw strings.
The transfers themselves go through python-okx's ``FundingAPI.funds_transfer``, the
payouts through ``FundingAPI.withdrawal``.
"""

from __future__ import annotations

import decimal
import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
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
    "PayoutResult",
    "SupportsAccountBalance",
    "SupportsFundsTransfer",
    "SupportsPayouts",
    "SupportsTransferRequests",
    "SweepResult",
    "account_api_from_environment",
    "execute_sweep",
    "funding_api_from_environment",
    "payout",
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
        state = _transfer(funding_api, ccy, amount, f"{run_id}{index}", polls, sleep)
        if state.startswith(_REFUSED):
            return SweepResult(moved, ccy, state.removeprefix(_REFUSED), held)
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


# -- payouts: funding → an address outside OKX ---------------------------------------------

ON_CHAIN = "4"  # OKX's withdrawal dest: 4 on chain (3 is internal, to another OKX user)
# withdrawal-history for a clientId that names no withdrawal: it never arrived.
_NO_SUCH_WITHDRAWAL = "58215"
# withdrawal-history's final states (OKX docs); every other state is still on its way.
_WITHDRAWAL_DONE = "2"
_WITHDRAWAL_STOPPED = {"-1": "failed", "-2": "canceled"}


class SupportsPayouts(SupportsTransferRequests, Protocol):
    """The python-okx ``FundingAPI`` methods a payout uses (a fake in tests)."""

    def get_currencies(self, ccy: str = "") -> Any:
        """``GET /api/v5/asset/currencies``: one row per chain of ``ccy``."""

    def get_balances(self, ccy: str = "") -> Any:
        """``GET /api/v5/asset/balances``: the funding account's balance."""

    def withdrawal(self, ccy: str, amt: str, dest: str, toAddr: str, chain: str = "",
                   areaCode: str = "", clientId: str = "") -> Any:
        """``POST /api/v5/asset/withdrawal``: send ``amt`` out of the funding account."""

    def get_withdrawal_history(self, ccy: str = "", wdId: str = "",
                               clientId: str = "") -> Any:
        """``GET /api/v5/asset/withdrawal-history``: the account's withdrawals."""


@dataclass(frozen=True)
class PayoutResult:
    """What a payout swept to funding, what left the exchange, and why it stopped, if it did.

    ``sent`` is ``amt + fee`` once OKX reports the withdrawal done (state ``"2"``), else 0:
    a withdrawal still waiting, failed or canceled has not left.
    """

    ccy: str
    amt: Decimal
    fee: Decimal | None = None
    swept: Decimal = Decimal(0)
    wd_id: str | None = None
    sent: Decimal = Decimal(0)
    stopped_at: str | None = None
    reason: str | None = None

    def report(self) -> str:
        """One line for the operators' channel: exactly what left, and why it stopped."""
        if self.sent:
            line = f"sent {self.sent:f} {self.ccy} ({self.amt:f} + fee {self.fee:f})"
        else:
            line = "sent nothing"
        if self.wd_id is not None:
            line += f", wdId {self.wd_id}"
        line += f"; swept {self.swept:f} {self.ccy}" if self.swept else "; swept nothing"
        if self.stopped_at is not None:
            line += f"; stopped at {self.stopped_at}: {self.reason}"
        return line


def payout(
    account_api: Any,
    funding_api: SupportsPayouts,
    ccy: str,
    amt: Decimal,
    to_addr: str,
    *,
    chain: str,
    client_id: str,
    polls: int = 5,
    sleep: Callable[[float], None] = time.sleep,
) -> PayoutResult:
    """Withdraw ``amt`` of ``ccy`` on ``chain`` to ``to_addr``, topping funding up from trading.

    The chain's fee (``get_currencies``) comes on top of ``amt`` and must fit the funding
    ``availBal`` too; what funding lacks is transferred from trading, never more than
    ``min(maxWd, availBal)`` there (:func:`plan_sweep`), with clientId ``client_id + "t"``
    and recovered as :func:`recovering_sweep` does. The withdrawal carries ``client_id``
    (letters and digits, unique per payout). When its answer is lost, ``withdrawal-history``
    by that clientId tells whether it arrived; 58215 (no such withdrawal) means it did not,
    and it is sent once more. A waiting withdrawal is polled (``polls`` times, ``sleep``
    between) until done (``"2"``), failed (``"-1"``) or canceled (``"-2"``).
    """
    code = _one_currency(ccy)
    if not isinstance(amt, Decimal) or not amt.is_finite() or amt <= 0:
        raise ValueError(f"amount must be a finite Decimal > 0, got {amt!r}")
    result = PayoutResult(code, amt)
    rules = _chain_rules(funding_api, code, chain)
    if isinstance(rules, str):
        return replace(result, stopped_at="chain", reason=rules)
    fee, low, high, decimals = rules
    result = replace(result, fee=fee)
    # The chain's own rules for one withdrawal, checked before anything moves to funding:
    # a withdrawal they refuse would leave the swept amount stranded there.
    if not low <= amt <= high:
        return replace(result, stopped_at="chain",
                       reason=f"{amt:f} outside {chain}'s {low:f} to {high:f}")
    if -int(amt.as_tuple().exponent) > decimals:
        return replace(result, stopped_at="chain",
                       reason=f"{amt:f} has more than {chain}'s {decimals} decimals")
    with decimal.localcontext() as context:
        context.prec = decimal.MAX_PREC  # exact, as plan_from_rows
        need = amt + fee
        short = need - _funding_available(funding_api, code)
        if short > 0:
            held = trading_available(account_api)
            movable = plan_sweep(account_api, {}, held).get(code, Decimal(0))
            if short > movable:
                return replace(result, stopped_at="transfer",
                               reason=f"funding lacks {short:f}, trading may move {movable:f}")
            state = _transfer(funding_api, code, short, f"{client_id}t", polls, sleep)
            if state != "success":
                return replace(result, stopped_at="transfer", reason=f"transfer {state}")
            result = replace(result, swept=short)
    return _withdraw(funding_api, result, to_addr, chain, client_id, polls, sleep)


def _one_currency(ccy: str) -> str:
    codes = normalize_currencies(ccy)
    if len(codes) != 1:
        raise ValueError(f"one currency per payout, got {ccy!r}")
    return codes[0]


def _code(answer: Any) -> Any:
    return answer.get("code") if isinstance(answer, dict) else None


def _chain_rules(funding_api: SupportsPayouts, ccy: str,
                 chain: str) -> tuple[Decimal, Decimal, Decimal, int] | str:
    """The chain's ``(fee, minWd, maxWd, wdTickSz)`` from ``get_currencies``, or why not.

    This ``maxWd`` caps one withdrawal on the chain: the same name as max-withdrawal's,
    an unrelated number.
    """
    answer = funding_api.get_currencies(ccy)
    if _code(answer) != "0":
        return f"currencies refused: OKX error {_code(answer)}"
    row = next((row for row in answer["data"] if row.get("chain") == chain), None)
    if row is None:
        return f"{ccy} has no chain {chain}"
    if not row.get("canWd"):
        return f"withdrawals on {chain} closed"
    return (Decimal(row["fee"]), Decimal(row["minWd"]), Decimal(row["maxWd"]),
            int(row["wdTickSz"]))


def _funding_available(funding_api: SupportsPayouts, ccy: str) -> Decimal:
    """The funding account's ``availBal`` of ``ccy`` (0 when it holds none)."""
    answer = funding_api.get_balances(ccy)
    if _code(answer) != "0":
        raise ValueError(f"funding balance refused: OKX error {_code(answer)}")
    return sum((Decimal(row["availBal"]) for row in answer["data"] if row["ccy"] == ccy),
               Decimal(0))


# How _transfer reports a transfer OKX answered with an error code.
_REFUSED = "refused: "


def _transfer(funding_api: SupportsTransferRequests, ccy: str, amount: Decimal,
              client_id: str, polls: int, sleep: Callable[[float], None]) -> str:
    """Move ``amount`` trading → funding by clientId; its settled state, as the sweep's."""
    params = {"ccy": ccy, "amt": f"{amount:f}", "from": TRADING, "to": FUNDING,
              "clientId": client_id}
    try:
        answer = funding_api._request_with_params("POST", TRANSFER_PATH, params)
    except httpx.HTTPError as exc:
        lost = f"{type(exc).__name__}, not applied"
        return _settled_state(funding_api, client_id, polls, sleep, missing=lost)
    if _code(answer) != "0":
        return f"{_REFUSED}OKX error {_code(answer)}"
    return _settled_state(funding_api, client_id, polls, sleep, missing="vanished")


def _withdraw(funding_api: SupportsPayouts, result: PayoutResult, to_addr: str, chain: str,
              client_id: str, polls: int, sleep: Callable[[float], None]) -> PayoutResult:
    """Send the withdrawal (once more if it never arrived) and wait until it is final."""
    for attempt in range(2):
        try:
            answer = funding_api.withdrawal(result.ccy, f"{result.amt:f}", ON_CHAIN, to_addr,
                                            chain=chain, clientId=client_id)
        except httpx.HTTPError as exc:
            # OKX may have accepted it: only the history by clientId can say.
            found = funding_api.get_withdrawal_history(ccy=result.ccy, clientId=client_id)
            if _code(found) == _NO_SUCH_WITHDRAWAL:
                if attempt == 0:
                    continue
                return replace(result, stopped_at="withdrawal",
                               reason=f"{type(exc).__name__} twice, not applied")
            if _code(found) != "0" or not found["data"]:
                return replace(result, stopped_at="withdrawal",
                               reason=f"unknown (OKX error {_code(found)})")
            wd_id = str(found["data"][0]["wdId"])
            break
        if _code(answer) != "0":
            return replace(result, stopped_at="withdrawal",
                           reason=f"OKX error {_code(answer)}")
        wd_id = str(answer["data"][0]["wdId"])
        break
    result = replace(result, wd_id=wd_id)
    state = _withdrawal_state(funding_api, result.ccy, wd_id, polls, sleep)
    if state == _WITHDRAWAL_DONE:
        assert result.fee is not None  # read from the chain before anything was sent
        with decimal.localcontext() as context:
            context.prec = decimal.MAX_PREC
            return replace(result, sent=result.amt + result.fee)
    return replace(result, stopped_at="withdrawal", reason=state)


def _withdrawal_state(funding_api: SupportsPayouts, ccy: str, wd_id: str, polls: int,
                      sleep: Callable[[float], None]) -> str:
    """``"2"`` once the withdrawal is done, else why not: failed, canceled, still waiting."""
    for attempt in range(polls + 1):
        answer = funding_api.get_withdrawal_history(ccy=ccy, wdId=wd_id)
        rows = answer.get("data") if _code(answer) == "0" else None
        if not rows:
            return f"unknown (OKX error {_code(answer)})"
        state = str(rows[0].get("state"))
        if state == _WITHDRAWAL_DONE:
            return state
        if state in _WITHDRAWAL_STOPPED:
            return _WITHDRAWAL_STOPPED[state]
        if attempt < polls:
            sleep(0.5 * 2 ** attempt)
    return "still waiting"
