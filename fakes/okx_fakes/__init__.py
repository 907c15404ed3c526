"""An in-memory fake OKX exchange for offline, deterministic tests.

``FakeExchange`` holds the state and answers requests through one function
(``FakeExchange.handle``); ``FakeAccountAPI`` and ``FakeFundingAPI`` (direct) and its HTTP
face, one WSGI application (``FakeExchange.wsgi_app``), are the ways into it:
``FakeExchange.install`` mounts that application under the real SDK through
``httpx.WSGITransport``, ``FakeExchange.serve`` runs it on waitress on loopback, with a
control API. Accounts are described as :class:`AccountSpec` (or an accounts document,
:func:`parse_accounts`) and opened with :func:`seed_exchange`; ``okx-fakes`` (also
``python -m okx_fakes``) serves them.
"""

from okx_fakes._accounts import (
    FakeAccount,
    LockedAccount,
    TradingBalance,
    TransferRecord,
    WithdrawalEntry,
)
from okx_fakes._accounts_file import (
    SAMPLE_ACCOUNTS,
    AccountsFileError,
    AccountSpec,
    parse_accounts,
    seed_exchange,
    specs_from_document,
)
from okx_fakes._api import FakeAccountAPI, FakeFundingAPI
from okx_fakes._errors import ERRORS, OkxErrorSpec
from okx_fakes._exchange import AUTH_ORDER, ExchangeState, FakeExchange, sample_exchange
from okx_fakes._facts import (
    ACCOUNT_LEVELS,
    MAX_CCY_COUNT,
    MAX_WITHDRAWAL_PATH,
    RATE_LIMIT_REQUESTS,
    RATE_LIMIT_WINDOW_S,
    Mode,
)
from okx_fakes._server import FakeServer
from okx_fakes._transport import FakeTransport, Installation, install
from okx_fakes._types import FakeRequest, FakeResponse, RequestRecord
from okx_fakes._unmodelled import UnmodelledRequestError
from okx_fakes._wsgi import DroppedConnection, FakeWSGIApp

__all__ = [
    "ACCOUNT_LEVELS",
    "AUTH_ORDER",
    "ERRORS",
    "MAX_CCY_COUNT",
    "MAX_WITHDRAWAL_PATH",
    "RATE_LIMIT_REQUESTS",
    "RATE_LIMIT_WINDOW_S",
    "SAMPLE_ACCOUNTS",
    "AccountSpec",
    "AccountsFileError",
    "DroppedConnection",
    "ExchangeState",
    "FakeAccount",
    "FakeAccountAPI",
    "FakeExchange",
    "FakeFundingAPI",
    "FakeRequest",
    "FakeResponse",
    "FakeServer",
    "FakeTransport",
    "FakeWSGIApp",
    "Installation",
    "LockedAccount",
    "Mode",
    "OkxErrorSpec",
    "RequestRecord",
    "TradingBalance",
    "TransferRecord",
    "UnmodelledRequestError",
    "WithdrawalEntry",
    "install",
    "parse_accounts",
    "sample_exchange",
    "seed_exchange",
    "specs_from_document",
]
