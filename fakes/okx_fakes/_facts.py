"""OKX's facts about the modelled endpoints, each defined once with its source.

Source "OKX docs" is OKX's v5 REST reference page "Get maximum withdrawals",
https://www.okx.com/docs-v5/en/#trading-account-rest-api-get-maximum-withdrawals (and
"Get account configuration",
https://www.okx.com/docs-v5/en/#trading-account-rest-api-get-account-configuration, for
the account levels, and "Get balance",
https://www.okx.com/docs-v5/en/#trading-account-rest-api-get-balance); "OKX funding
docs" are its pages "Funds transfer",
https://www.okx.com/docs-v5/en/#funding-account-rest-api-funds-transfer, "Get funds
transfer state",
https://www.okx.com/docs-v5/en/#funding-account-rest-api-get-funds-transfer-state, and
"Get balance", https://www.okx.com/docs-v5/en/#funding-account-rest-api-get-balance;
"assumption" is the fake's own choice where OKX documents nothing.
"""

from __future__ import annotations

import re
from typing import Final, Literal

__all__ = [
    "ACCOUNT_BALANCE_PATH",
    "ACCOUNT_BALANCE_RATE_LIMIT_REQUESTS",
    "ACCOUNT_CONFIG_PATH",
    "ACCOUNT_CONFIG_RATE_LIMIT_REQUESTS",
    "ACCOUNT_LEVELS",
    "ACCOUNT_MODES",
    "BALANCES_PATH",
    "BALANCES_RATE_LIMIT_REQUESTS",
    "CANCEL_WITHDRAWAL_PATH",
    "CCY_PATTERN",
    "CURRENCIES_PATH",
    "DEFAULT_MAX_SKEW_S",
    "DEPOSIT_WITHDRAW_STATUS_PATH",
    "MAX_CCY_COUNT",
    "MAX_CCY_LENGTH",
    "MAX_WITHDRAWAL_PATH",
    "ONE_SECOND",
    "PERMISSIONS",
    "RATE_LIMIT_REQUESTS",
    "RATE_LIMIT_WINDOW_S",
    "TRANSFER_PATH",
    "TRANSFER_RATE_LIMIT_REQUESTS",
    "TRANSFER_STATE_PATH",
    "TRANSFER_STATE_RATE_LIMIT_REQUESTS",
    "WITHDRAWAL_HISTORY_PATH",
    "WITHDRAWAL_PATH",
    "WITHDRAWAL_RATE_LIMIT_REQUESTS",
    "Mode",
    "Permission",
]

# OKX docs: the endpoint.
MAX_WITHDRAWAL_PATH: Final = "/api/v5/account/max-withdrawal"
# OKX docs: "no more than 20" currencies, comma-separated, per request.
MAX_CCY_COUNT: Final = 20
# OKX docs: 20 requests per 2 seconds, per user id.
RATE_LIMIT_REQUESTS: Final = 20
RATE_LIMIT_WINDOW_S: Final = 2.0

# OKX docs ("Get balance", "Get account configuration"): the trading account's balance
# and the account's configuration, 10 and 5 requests per 2 seconds per user id.
ACCOUNT_BALANCE_PATH: Final = "/api/v5/account/balance"
ACCOUNT_CONFIG_PATH: Final = "/api/v5/account/config"
ACCOUNT_BALANCE_RATE_LIMIT_REQUESTS: Final = 10
ACCOUNT_CONFIG_RATE_LIMIT_REQUESTS: Final = 5

# OKX funding docs: the transfer, its state, the funding account's balances.
TRANSFER_PATH: Final = "/api/v5/asset/transfer"
TRANSFER_STATE_PATH: Final = "/api/v5/asset/transfer-state"
BALANCES_PATH: Final = "/api/v5/asset/balances"
# OKX funding docs: transfer 2 requests per second per user id and currency; transfer
# state 10 per second and balances 6 per second, per user id.
ONE_SECOND: Final = 1.0
TRANSFER_RATE_LIMIT_REQUESTS: Final = 2
TRANSFER_STATE_RATE_LIMIT_REQUESTS: Final = 10
BALANCES_RATE_LIMIT_REQUESTS: Final = 6

# OKX funding docs ("Withdrawal", "Get withdrawal history", "Cancel withdrawal", "Get
# currencies", "Get deposit withdraw status"): the withdrawal routes. The first four
# admit 6 requests per second per user id, the status 1 per 2 seconds.
WITHDRAWAL_PATH: Final = "/api/v5/asset/withdrawal"
WITHDRAWAL_HISTORY_PATH: Final = "/api/v5/asset/withdrawal-history"
CANCEL_WITHDRAWAL_PATH: Final = "/api/v5/asset/cancel-withdrawal"
CURRENCIES_PATH: Final = "/api/v5/asset/currencies"
DEPOSIT_WITHDRAW_STATUS_PATH: Final = "/api/v5/asset/deposit-withdraw-status"
WITHDRAWAL_RATE_LIMIT_REQUESTS: Final = 6

# OKX docs: an API key's permissions; the transfer needs Trade, the reads need Read, a
# withdrawal needs Withdraw (account/config answers them as "read_only,withdraw,trade").
# A key has all three unless a test says otherwise.
Permission = Literal["read", "trade", "withdraw"]
PERMISSIONS: Final[tuple[Permission, ...]] = ("read", "trade", "withdraw")

Mode = Literal["spot", "futures", "multi_currency", "portfolio"]
# OKX docs: acctLv 1 simple (spot), 2 single-currency margin, 3 multi-currency margin,
# 4 portfolio margin.
ACCOUNT_LEVELS: Final[dict[Mode, str]] = {
    "spot": "1",
    "futures": "2",
    "multi_currency": "3",
    "portfolio": "4",
}
ACCOUNT_MODES: Final[tuple[Mode, ...]] = tuple(ACCOUNT_LEVELS)

# Assumption: a currency code is 1 to 32 ASCII letters or digits (OKX lists no rule).
MAX_CCY_LENGTH: Final = 32
CCY_PATTERN: Final = re.compile(f"[A-Za-z0-9]{{1,{MAX_CCY_LENGTH}}}")

# Assumption from OKX's REST authentication docs
# (https://www.okx.com/docs-v5/en/#overview-rest-authentication): "the request will be
# considered expired if the timestamp is more than 30 seconds away".
DEFAULT_MAX_SKEW_S: Final = 30.0
