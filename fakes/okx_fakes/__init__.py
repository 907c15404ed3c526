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

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
    from okx_fakes._chains import ChainRow
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
    from okx_fakes._ledger import FundingRow, Ledger, TradingRow, WithdrawalRecord
    from okx_fakes._server import FakeServer
    from okx_fakes._stubs import Stub
    from okx_fakes._transport import FakeTransport, Installation, install
    from okx_fakes._types import FakeRequest, FakeResponse, RequestRecord
    from okx_fakes._unmodelled import UnmodelledRequestError
    from okx_fakes._wsgi import DroppedConnection, FakeWSGIApp

# Each public name and the module that defines it, imported on first use (PEP 562): the
# pytest plugin (okx_fakes.pytest_plugin) runs in every pytest start of an environment
# with okx-ext installed, and importing this package must not load the fake and httpx.
_SOURCES: dict[str, str] = {
    "ACCOUNT_LEVELS": "okx_fakes._facts",
    "AUTH_ORDER": "okx_fakes._exchange",
    "AccountSpec": "okx_fakes._accounts_file",
    "AccountsFileError": "okx_fakes._accounts_file",
    "ChainRow": "okx_fakes._chains",
    "DroppedConnection": "okx_fakes._wsgi",
    "ERRORS": "okx_fakes._errors",
    "ExchangeState": "okx_fakes._exchange",
    "FakeAccount": "okx_fakes._accounts",
    "FakeAccountAPI": "okx_fakes._api",
    "FakeExchange": "okx_fakes._exchange",
    "FakeFundingAPI": "okx_fakes._api",
    "FakeRequest": "okx_fakes._types",
    "FakeResponse": "okx_fakes._types",
    "FakeServer": "okx_fakes._server",
    "FakeTransport": "okx_fakes._transport",
    "FakeWSGIApp": "okx_fakes._wsgi",
    "FundingRow": "okx_fakes._ledger",
    "Installation": "okx_fakes._transport",
    "Ledger": "okx_fakes._ledger",
    "LockedAccount": "okx_fakes._accounts",
    "MAX_CCY_COUNT": "okx_fakes._facts",
    "MAX_WITHDRAWAL_PATH": "okx_fakes._facts",
    "Mode": "okx_fakes._facts",
    "OkxErrorSpec": "okx_fakes._errors",
    "RATE_LIMIT_REQUESTS": "okx_fakes._facts",
    "RATE_LIMIT_WINDOW_S": "okx_fakes._facts",
    "RequestRecord": "okx_fakes._types",
    "Stub": "okx_fakes._stubs",
    "SAMPLE_ACCOUNTS": "okx_fakes._accounts_file",
    "TradingBalance": "okx_fakes._accounts",
    "TradingRow": "okx_fakes._ledger",
    "TransferRecord": "okx_fakes._accounts",
    "UnmodelledRequestError": "okx_fakes._unmodelled",
    "WithdrawalEntry": "okx_fakes._accounts",
    "WithdrawalRecord": "okx_fakes._ledger",
    "install": "okx_fakes._transport",
    "parse_accounts": "okx_fakes._accounts_file",
    "sample_exchange": "okx_fakes._exchange",
    "seed_exchange": "okx_fakes._accounts_file",
    "specs_from_document": "okx_fakes._accounts_file",
}


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use and keep the name here."""
    try:
        module_name = _SOURCES[name]
    except KeyError:
        raise AttributeError(f"module 'okx_fakes' has no attribute {name!r}") from None
    import importlib

    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """List the module's names, the lazy ones included."""
    return sorted({*globals(), *_SOURCES})


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
    "ChainRow",
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
    "FundingRow",
    "Installation",
    "Ledger",
    "LockedAccount",
    "Mode",
    "OkxErrorSpec",
    "RequestRecord",
    "Stub",
    "TradingBalance",
    "TradingRow",
    "TransferRecord",
    "UnmodelledRequestError",
    "WithdrawalEntry",
    "WithdrawalRecord",
    "install",
    "parse_accounts",
    "sample_exchange",
    "seed_exchange",
    "specs_from_document",
]
