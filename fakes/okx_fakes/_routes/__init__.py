"""The route table: which (method, path) the fake models, with handler, permission and limit.

Handlers live beside this module, one module per route group (``account``, ``funding``).
Adding a modelled route: write its handler in a route module (a new one for a new group;
helpers in :mod:`okx_fakes._params`), state its facts (path, limit) with their source in
:mod:`okx_fakes._facts`, and add one entry to :data:`ROUTES`. The exchange
(:meth:`FakeExchange.handle <okx_fakes.FakeExchange.handle>`) and every way in
(``FakeAccountAPI`` aside, which mirrors python-okx's methods) pick it up from here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from okx_fakes._facts import (
    ACCOUNT_BALANCE_PATH,
    ACCOUNT_BALANCE_RATE_LIMIT_REQUESTS,
    ACCOUNT_CONFIG_PATH,
    ACCOUNT_CONFIG_RATE_LIMIT_REQUESTS,
    BALANCES_PATH,
    BALANCES_RATE_LIMIT_REQUESTS,
    CANCEL_WITHDRAWAL_PATH,
    CURRENCIES_PATH,
    DEPOSIT_WITHDRAW_STATUS_PATH,
    MAX_WITHDRAWAL_PATH,
    ONE_SECOND,
    RATE_LIMIT_REQUESTS,
    RATE_LIMIT_WINDOW_S,
    TRANSFER_PATH,
    TRANSFER_RATE_LIMIT_REQUESTS,
    TRANSFER_STATE_PATH,
    TRANSFER_STATE_RATE_LIMIT_REQUESTS,
    WITHDRAWAL_HISTORY_PATH,
    WITHDRAWAL_PATH,
    WITHDRAWAL_RATE_LIMIT_REQUESTS,
    Permission,
)
from okx_fakes._params import Handler
from okx_fakes._routes.account import balance, config, max_withdrawal
from okx_fakes._routes.funding import balances, transfer, transfer_rate_key, transfer_state
from okx_fakes._routes.withdrawals import (
    cancel_withdrawal,
    currencies,
    deposit_withdraw_status,
    withdrawal,
    withdrawal_history,
)

__all__ = ["ROUTES", "Route", "window_lengths"]


@dataclass(frozen=True)
class Route:
    """One modelled endpoint: handler, permission and rate limit.

    ``handler(caller, query, body, now)`` answers an authenticated, admitted request with
    ``(OKX code, response)``; it runs under the exchange's lock and gets the account's
    ledger in a :class:`~okx_fakes._params.Caller`. ``permission`` is what the key needs
    ("read", "trade" or "withdraw"; else 50120). The rate limit admits ``rate_limit_requests`` per
    ``rate_limit_window_s`` per uid and, when ``rate_limit_key`` is given, per the extra
    key part it returns for ``(query, body)`` (e.g. the currency); the next request
    answers ``rate_limit_code``.
    """

    handler: Handler
    rate_limit_requests: int
    rate_limit_window_s: float
    permission: Permission = "read"
    rate_limit_code: str = "50011"
    rate_limit_key: Callable[[str, bytes], str] | None = None


#: The modelled endpoints, by (method, path).
ROUTES: dict[tuple[str, str], Route] = {
    ("GET", MAX_WITHDRAWAL_PATH): Route(max_withdrawal, RATE_LIMIT_REQUESTS, RATE_LIMIT_WINDOW_S),
    ("GET", ACCOUNT_BALANCE_PATH): Route(balance, ACCOUNT_BALANCE_RATE_LIMIT_REQUESTS,
                                         RATE_LIMIT_WINDOW_S),
    ("GET", ACCOUNT_CONFIG_PATH): Route(config, ACCOUNT_CONFIG_RATE_LIMIT_REQUESTS,
                                        RATE_LIMIT_WINDOW_S),
    ("POST", TRANSFER_PATH): Route(transfer, TRANSFER_RATE_LIMIT_REQUESTS, ONE_SECOND,
                                   permission="trade", rate_limit_code="58102",
                                   rate_limit_key=transfer_rate_key),
    ("GET", TRANSFER_STATE_PATH): Route(transfer_state, TRANSFER_STATE_RATE_LIMIT_REQUESTS,
                                        ONE_SECOND),
    ("GET", BALANCES_PATH): Route(balances, BALANCES_RATE_LIMIT_REQUESTS, ONE_SECOND),
    ("POST", WITHDRAWAL_PATH): Route(withdrawal, WITHDRAWAL_RATE_LIMIT_REQUESTS, ONE_SECOND,
                                     permission="withdraw"),
    ("GET", WITHDRAWAL_HISTORY_PATH): Route(withdrawal_history, WITHDRAWAL_RATE_LIMIT_REQUESTS,
                                            ONE_SECOND),
    ("POST", CANCEL_WITHDRAWAL_PATH): Route(cancel_withdrawal, WITHDRAWAL_RATE_LIMIT_REQUESTS,
                                            ONE_SECOND, permission="withdraw"),
    ("GET", CURRENCIES_PATH): Route(currencies, WITHDRAWAL_RATE_LIMIT_REQUESTS, ONE_SECOND),
    # OKX docs: 1 request per 2 seconds per user id.
    ("GET", DEPOSIT_WITHDRAW_STATUS_PATH): Route(deposit_withdraw_status, 1, RATE_LIMIT_WINDOW_S),
}


def window_lengths(routes: dict[tuple[str, str], Route]) -> dict[str, float]:
    """Return each path's rate-window length (the scopes of ``RateWindows``)."""
    return {path: route.rate_limit_window_s for (_, path), route in routes.items()}
