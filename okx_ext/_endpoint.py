"""OKX's published limits for ``GET /api/v5/account/max-withdrawal``, stated once."""

from __future__ import annotations

from typing import Final

#: OKX accepts at most this many currencies in one max-withdrawal request.
MAX_CURRENCIES_PER_REQUEST: Final = 20

# "Rate Limit: 20 requests per 2 seconds", rule: user ID (the endpoint's page).
RATE_LIMIT_REQUESTS: Final = 20
RATE_LIMIT_WINDOW_S: Final = 2.0
