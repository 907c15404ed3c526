"""An in-memory fake OKX exchange for offline, deterministic tests.

``FakeExchange`` holds the state and answers requests through one function
(``FakeExchange.handle``); ``FakeAccountAPI`` and ``FakeFundingAPI`` (direct),
``FakeExchange.install`` (the real SDK over an httpx transport) and
``FakeExchange.serve`` (loopback HTTP) are thin ways into it.
"""

from okx_fakes._accounts import FakeAccount, TradingBalance, TransferRecord, WithdrawalEntry
from okx_fakes._api import FakeAccountAPI, FakeFundingAPI
from okx_fakes._errors import ERRORS, OkxErrorSpec
from okx_fakes._exchange import AUTH_ORDER, FakeExchange
from okx_fakes._facts import (
    ACCOUNT_LEVELS,
    MAX_CCY_COUNT,
    MAX_WITHDRAWAL_PATH,
    RATE_LIMIT_REQUESTS,
    RATE_LIMIT_WINDOW_S,
    Mode,
)
from okx_fakes._server import FakeServer
from okx_fakes._transport import FakeTransport, Installation
from okx_fakes._types import FakeRequest, FakeResponse, RequestRecord

__all__ = [
    "ACCOUNT_LEVELS",
    "AUTH_ORDER",
    "ERRORS",
    "MAX_CCY_COUNT",
    "MAX_WITHDRAWAL_PATH",
    "RATE_LIMIT_REQUESTS",
    "RATE_LIMIT_WINDOW_S",
    "FakeAccount",
    "FakeAccountAPI",
    "FakeExchange",
    "FakeFundingAPI",
    "FakeRequest",
    "FakeResponse",
    "FakeServer",
    "FakeTransport",
    "Installation",
    "Mode",
    "OkxErrorSpec",
    "RequestRecord",
    "TradingBalance",
    "TransferRecord",
    "WithdrawalEntry",
]
