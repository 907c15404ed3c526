"""``FakeAccountAPI``: python-okx's ``AccountAPI`` constructor, answered by a fake, no HTTP.

It builds each request exactly as python-okx does (the same unencoded query building,
pre-hash, HMAC and headers, the timestamp in ``utils.get_timestamp``'s format but from
the exchange's clock), percent-encodes the target the way httpx puts it on the wire,
and returns ``json.loads(body)`` like the SDK's ``response.json()``.
"""

from __future__ import annotations

import json
import warnings
from datetime import datetime, timezone
from typing import Any

import httpx
from okx import utils as okx_utils

from fakes._exchange import MAX_WITHDRAWAL_PATH, FakeExchange, FakeRequest
from fakes._transport import NETWORK_FAULT_MESSAGE

__all__ = ["FakeAccountAPI"]

_NO_CREDENTIAL = "-1"  # python-okx's "not given" marker: such a client sends no auth headers


class FakeAccountAPI:
    """Drop-in for ``okx.Account.AccountAPI`` (same constructor plus ``exchange=``).

    ``exchange`` is required: a hidden module-level default exchange would be state shared
    between tests. ``domain``, ``proxy`` and ``debug`` are accepted and kept for parity but
    nothing is sent anywhere (and nothing is logged: python-okx's debug log prints secrets).
    An injected network fault raises ``httpx.ConnectError``, as through the real SDK.
    """

    def __init__(
        self,
        api_key: str = _NO_CREDENTIAL,
        api_secret_key: str = _NO_CREDENTIAL,
        passphrase: str = _NO_CREDENTIAL,
        use_server_time: bool | None = None,
        flag: str = "1",
        domain: str = "https://www.okx.com",
        debug: bool = False,
        proxy: str | None = None,
        *,
        exchange: FakeExchange,
    ) -> None:
        if not isinstance(exchange, FakeExchange):
            raise TypeError(f"exchange must be a FakeExchange, got {type(exchange).__name__}")
        self.API_KEY = api_key
        self.API_SECRET_KEY = api_secret_key
        self.PASSPHRASE = passphrase
        self.use_server_time = False
        self.flag = flag
        self.domain = domain
        self.debug = debug
        self.proxy = proxy
        self.exchange = exchange
        if use_server_time is not None:
            warnings.warn("use_server_time parameter is deprecated. Please remove it.",
                          DeprecationWarning, stacklevel=2)

    def __repr__(self) -> str:
        return f"FakeAccountAPI(flag={self.flag!r}, domain={self.domain!r})"

    def get_max_withdrawal(self, ccy: str = "") -> Any:
        """``GET /api/v5/account/max-withdrawal``: the raw OKX answer as a dict."""
        return self._request_with_params("GET", MAX_WITHDRAWAL_PATH, {"ccy": ccy})

    def _request_with_params(self, method: str, request_path: str, params: dict[str, Any]) -> Any:
        request_path = request_path + okx_utils.parse_params_to_str(params)
        headers = {"content-type": "application/json", "x-simulated-trading": str(self.flag)}
        if self.API_KEY != _NO_CREDENTIAL:
            timestamp = _okx_timestamp(self.exchange.now())
            signature = okx_utils.sign(
                okx_utils.pre_hash(timestamp, method, request_path, "", False),
                self.API_SECRET_KEY,
            )
            headers["ok-access-key"] = self.API_KEY
            headers["ok-access-sign"] = signature.decode("ascii")
            headers["ok-access-timestamp"] = timestamp
            headers["ok-access-passphrase"] = self.PASSPHRASE
        url = httpx.URL(request_path)
        response = self.exchange.handle(
            FakeRequest(method, url.raw_path.decode("ascii"), headers, b"")
        )
        if response.network_fault:
            raise httpx.ConnectError(
                NETWORK_FAULT_MESSAGE, request=httpx.Request(method, self.domain + request_path)
            )
        return json.loads(response.body)


def _okx_timestamp(epoch_s: float) -> str:
    """``utils.get_timestamp()``'s format (ISO-8601, milliseconds, ``Z``) for ``epoch_s``."""
    moment = datetime.fromtimestamp(epoch_s, timezone.utc).replace(tzinfo=None)
    return moment.isoformat("T", "milliseconds") + "Z"
