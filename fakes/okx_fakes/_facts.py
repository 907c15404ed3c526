"""OKX's facts about the modelled endpoint, each defined once with its source.

Source "OKX docs" is OKX's v5 REST reference page "Get maximum withdrawals" (and "Get
account configuration" for the account levels); "assumption" is the fake's own choice
where OKX documents nothing.
"""

from __future__ import annotations

import re
from typing import Final, Literal

__all__ = [
    "ACCOUNT_LEVELS",
    "ACCOUNT_MODES",
    "CCY_PATTERN",
    "MAX_CCY_COUNT",
    "MAX_CCY_LENGTH",
    "MAX_WITHDRAWAL_PATH",
    "RATE_LIMIT_REQUESTS",
    "RATE_LIMIT_WINDOW_S",
    "Mode",
]

# OKX docs: the endpoint.
MAX_WITHDRAWAL_PATH: Final = "/api/v5/account/max-withdrawal"
# OKX docs: "no more than 20" currencies, comma-separated, per request.
MAX_CCY_COUNT: Final = 20
# OKX docs: 20 requests per 2 seconds, per user id.
RATE_LIMIT_REQUESTS: Final = 20
RATE_LIMIT_WINDOW_S: Final = 2.0

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
