"""``FakeAccountAPI``/``FakeFundingAPI``: python-okx's clients, answered by a fake, no HTTP.

They build each request as python-okx does (the same unencoded query, JSON body for a
POST, pre-hash, signature and headers, the timestamp from the exchange's clock), put the
target on the wire as httpx would (percent-encoded), and return ``json.loads(body)`` like
``response.json()``.
"""

from __future__ import annotations

import functools
import json
import warnings
from types import TracebackType
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import httpx
from okx import utils as okx_utils
from okx.Account import AccountAPI
from okx.Funding import FundingAPI

from okx_fakes._auth import format_timestamp, prehash, sign
from okx_fakes._facts import (
    ACCOUNT_BALANCE_PATH,
    ACCOUNT_CONFIG_PATH,
    BALANCES_PATH,
    CANCEL_WITHDRAWAL_PATH,
    CURRENCIES_PATH,
    DEPOSIT_WITHDRAW_STATUS_PATH,
    MAX_WITHDRAWAL_PATH,
    TRANSFER_PATH,
    TRANSFER_STATE_PATH,
    WITHDRAWAL_HISTORY_PATH,
    WITHDRAWAL_PATH,
)
from okx_fakes._model import ExchangeModel
from okx_fakes._types import FakeRequest, FakeResponse, json_body
from okx_fakes._unmodelled import NOT_MODELLED_HEADER, UnmodelledRequestError, is_modelled
from okx_fakes._wire import NETWORK_FAULT_MESSAGE, check_sendable_headers

__all__ = ["FakeAccountAPI", "FakeFundingAPI"]

_NO_CREDENTIAL = "-1"  # python-okx's "not given" marker: such a client sends no auth headers


_Client = TypeVar("_Client", bound="_FakeClient")


def _unmodelled(sdk_class: type, modelled: set[str]) -> frozenset[str]:
    """Return the real client's other public methods (endpoints, httpx.Client's get, send...).

    On the fake they exist, as hasattr() expects: they call the client's ``fallback``, or
    raise NotImplementedError without one.
    """
    return frozenset(
        name for name in dir(sdk_class)
        if not name.startswith("_") and callable(getattr(sdk_class, name))
    ) - modelled - {"close"}


# httpx.Client's life cycle, with its error messages.
_UNOPENED, _OPENED, _CLOSED = "unopened", "opened", "closed"


class _FakeClient:
    """What the fake clients share: python-okx's ``OkxClient`` constructor, life cycle, send.

    ``exchange`` is required: a hidden module-level default exchange would be state shared
    between tests. ``domain``, ``proxy`` and ``debug`` are accepted and kept for parity but
    nothing is sent anywhere (and nothing is logged: python-okx's debug log prints secrets).
    An injected network fault raises ``httpx.ConnectError``, as through the real SDK.
    Like the real client (an ``httpx.Client``) it is a context manager with ``close()``, and
    a closed one refuses to send. ``fallback`` (any object) answers what the fake does not
    model: an unmodelled method is looked up on it; ``_request_with_params`` to an
    unmodelled path enters the exchange like any request (faults, the record, auth, a
    stub) and, if no stub answers, calls the fallback's ``_request_with_params``; without
    one they raise NotImplementedError and :class:`~okx_fakes.UnmodelledRequestError`.
    """

    _UNMODELLED: frozenset[str] = frozenset()

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
        exchange: ExchangeModel,
        fallback: Any = None,
    ) -> None:
        if not isinstance(exchange, ExchangeModel):
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
        self.fallback = fallback
        self._state = _UNOPENED
        if use_server_time is not None:
            warnings.warn("use_server_time parameter is deprecated. Please remove it.",
                          DeprecationWarning, stacklevel=2)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(flag={self.flag!r}, domain={self.domain!r})"

    def __enter__(self: _Client) -> _Client:
        if self._state != _UNOPENED:
            raise RuntimeError(
                "Cannot open a client instance more than once." if self._state == _OPENED
                else "Cannot reopen a client instance, once it has been closed."
            )
        self._state = _OPENED
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the client, as ``httpx.Client.close``: later requests raise RuntimeError."""
        self._state = _CLOSED

    if not TYPE_CHECKING:  # at run time only: mypy keeps flagging the unmodelled methods

        def __getattr__(self, name: str) -> Any:
            """Return the fallback's method for an unmodelled one, or a stand-in that refuses."""
            fallback = self.__dict__.get("fallback")
            if name in self._UNMODELLED or (fallback is not None and not name.startswith("_")):
                if fallback is not None:
                    return getattr(fallback, name)
                return functools.partial(_not_modelled, type(self).__name__, name)
            raise AttributeError(
                f"{type(self).__name__!r} object has no attribute {name!r}", name=name, obj=self
            )

    def _request_with_params(self, method: str, request_path: str,
                             params: dict[str, Any]) -> Any:
        """python-okx's generic call (e.g. to send a parameter its method lacks, ``clientId``).

        Every call enters the exchange (faults, the record, auth when keyed). A path the
        fake does not model is answered by a stub, else by the fallback's
        ``_request_with_params``; with neither it raises
        :class:`~okx_fakes.UnmodelledRequestError`.
        """
        return self._request(method, request_path, params)

    def _call_fallback(self, method: str, request_path: str, params: dict[str, Any],
                       answers: list[Any]) -> FakeResponse:
        """Answer from the fallback object; the response is only what the record shows.

        python-okx's ``_request_with_params`` returns the body whatever the HTTP status,
        so the status is not known: the record shows 200 (an assumption), with the
        ``code`` of the answer when it is a JSON object that has one.
        """
        answer = self.fallback._request_with_params(method, request_path, params)
        answers.append(answer)
        try:
            body = json_body(answer)
        except (TypeError, ValueError, RecursionError):  # a Mock's default answer, say
            body = b""
        return FakeResponse(200, body)

    def _request(self, method: str, path: str, params: dict[str, Any]) -> Any:
        """Sign like python-okx, send like httpx (its errors included), parse the answer."""
        if method == "GET":
            request_path, body = path + okx_utils.parse_params_to_str(params), ""
        else:  # python-okx sends every other call as a POST with the JSON-encoded params
            request_path, body = path, json.dumps(params)
        target = _wire_target(request_path)
        if self._state == _CLOSED:
            raise RuntimeError("Cannot send a request, as the client has been closed.")
        self._state = _OPENED
        headers = {"content-type": "application/json", "x-simulated-trading": str(self.flag)}
        if self.API_KEY != _NO_CREDENTIAL:
            for credential in (self.API_KEY, self.API_SECRET_KEY, self.PASSPHRASE):
                if not isinstance(credential, str):
                    raise TypeError(f"FakeAccountAPI credentials must be str, "
                                    f"got {type(credential).__name__}")
            timestamp = format_timestamp(self.exchange.now())
            headers["ok-access-key"] = self.API_KEY
            headers["ok-access-sign"] = sign(self.API_SECRET_KEY,
                                             prehash(timestamp, method, request_path, body))
            headers["ok-access-timestamp"] = timestamp
            headers["ok-access-passphrase"] = self.PASSPHRASE
        content = body.encode("utf-8")
        if content:  # httpx announces a body's length; a GET has none
            headers["content-length"] = str(len(content))
        check_sendable_headers(headers)
        answers: list[Any] = []

        def call_fallback(_request: FakeRequest) -> FakeResponse:
            return self._call_fallback(method, path, params, answers)

        request = FakeRequest(method, target, headers, content)
        if self.fallback is not None and not is_modelled(target.partition("?")[0]):
            response = self.exchange.handle(request, call_fallback)
        else:  # handle(request) alone: what an exchange overriding handle() has always got
            response = self.exchange.handle(request)
        if response.network_fault:
            raise httpx.ConnectError(
                NETWORK_FAULT_MESSAGE, request=httpx.Request(method, self.domain + request_path)
            )
        if answers:  # the fallback's answer, as it gave it
            return answers[0]
        if NOT_MODELLED_HEADER in response.headers:
            raise UnmodelledRequestError(method, path.partition("?")[0])
        return json.loads(response.body)


# httpx's URL parser is most of a call's cost, and a test asks the same few targets.
@functools.lru_cache(maxsize=256)
def _wire_target(request_path: str) -> str:
    """Return the target httpx puts on the wire for ``request_path`` (InvalidURL as httpx)."""
    return httpx.URL(request_path).raw_path.decode("ascii")


class FakeAccountAPI(_FakeClient):
    """Drop-in for ``okx.Account.AccountAPI`` (same constructor plus ``exchange=``).

    ``get_max_withdrawal``, ``get_account_balance`` and ``get_account_config`` are
    modelled; the other methods exist and call ``fallback``, or raise NotImplementedError
    without one. Construction, life cycle and faults as the
    real client (see ``_FakeClient``: ``with``, ``close()``, ``httpx.ConnectError`` on a
    network fault).
    """

    _UNMODELLED = _unmodelled(AccountAPI, {"get_max_withdrawal", "get_account_balance",
                                           "get_account_config"})

    def get_max_withdrawal(self, ccy: str = "") -> Any:
        """``GET /api/v5/account/max-withdrawal``: the raw OKX answer as a dict."""
        return self._request("GET", MAX_WITHDRAWAL_PATH, {"ccy": ccy})

    def get_account_balance(self, ccy: str = "") -> Any:
        """``GET /api/v5/account/balance``: the raw OKX answer as a dict.

        As python-okx, ``ccy`` is sent only when given.
        """
        return self._request("GET", ACCOUNT_BALANCE_PATH, {"ccy": ccy} if ccy else {})

    def get_account_config(self) -> Any:
        """``GET /api/v5/account/config``: the raw OKX answer as a dict."""
        return self._request("GET", ACCOUNT_CONFIG_PATH, {})


class FakeFundingAPI(_FakeClient):
    """Drop-in for ``okx.Funding.FundingAPI`` (same constructor plus ``exchange=``).

    ``funds_transfer``, ``transfer_state``, ``get_balances``, ``withdrawal``,
    ``get_withdrawal_history``, ``cancel_withdrawal``, ``get_currencies`` and
    ``get_deposit_withdraw_status`` are modelled, with python-okx's signatures and
    requests; the other methods exist and call ``fallback``, or raise NotImplementedError
    without one. Life cycle and faults as :class:`FakeAccountAPI`.
    """

    _UNMODELLED = _unmodelled(FundingAPI, {
        "funds_transfer", "transfer_state", "get_balances", "withdrawal",
        "get_withdrawal_history", "cancel_withdrawal", "get_currencies",
        "get_deposit_withdraw_status"})

    def funds_transfer(self, ccy: str, amt: Any, from_: Any, to: Any, type: Any = "0",
                       subAcct: str = "", instId: str = "", toInstId: str = "",
                       loanTrans: Any = "") -> Any:
        """``POST /api/v5/asset/transfer``: the raw OKX answer as a dict."""
        params = {"ccy": ccy, "amt": amt, "from": from_, "to": to, "type": type,
                  "subAcct": subAcct, "instId": instId, "toInstId": toInstId,
                  "loanTrans": loanTrans}
        return self._request("POST", TRANSFER_PATH, params)

    def transfer_state(self, transId: str, type: str = "") -> Any:
        """``GET /api/v5/asset/transfer-state``: the raw OKX answer as a dict."""
        return self._request("GET", TRANSFER_STATE_PATH, {"transId": transId, "type": type})

    def get_balances(self, ccy: str = "") -> Any:
        """``GET /api/v5/asset/balances``: the raw OKX answer as a dict."""
        return self._request("GET", BALANCES_PATH, {"ccy": ccy})

    def withdrawal(self, ccy: str, amt: Any, dest: Any, toAddr: str, chain: str = "",
                   areaCode: str = "", clientId: str = "", toAddrType: Any = None) -> Any:
        """``POST /api/v5/asset/withdrawal``: the raw OKX answer as a dict."""
        params = {"ccy": ccy, "amt": amt, "dest": dest, "toAddr": toAddr, "chain": chain,
                  "areaCode": areaCode, "clientId": clientId}
        if toAddrType is not None:
            params["toAddrType"] = toAddrType
        return self._request("POST", WITHDRAWAL_PATH, params)

    def get_withdrawal_history(self, ccy: str = "", wdId: str = "", clientId: str = "",
                               txId: str = "", type: str = "", state: str = "",
                               after: str = "", before: str = "", limit: str = "",
                               toAddrType: Any = None) -> Any:
        """``GET /api/v5/asset/withdrawal-history``: the raw OKX answer as a dict."""
        params = {"ccy": ccy, "wdId": wdId, "clientId": clientId, "txId": txId,
                  "type": type, "state": state, "after": after, "before": before,
                  "limit": limit}
        if toAddrType is not None:
            params["toAddrType"] = toAddrType
        return self._request("GET", WITHDRAWAL_HISTORY_PATH, params)

    def cancel_withdrawal(self, wdId: str = "") -> Any:
        """``POST /api/v5/asset/cancel-withdrawal``: the raw OKX answer as a dict."""
        return self._request("POST", CANCEL_WITHDRAWAL_PATH, {"wdId": wdId})

    def get_currencies(self, ccy: str = "") -> Any:
        """``GET /api/v5/asset/currencies``: the raw OKX answer as a dict."""
        return self._request("GET", CURRENCIES_PATH, {"ccy": ccy})

    def get_deposit_withdraw_status(self, wdId: str = "", txId: str = "", ccy: str = "",
                                    to: str = "", chain: str = "") -> Any:
        """``GET /api/v5/asset/deposit-withdraw-status``: the raw OKX answer as a dict."""
        return self._request("GET", DEPOSIT_WITHDRAW_STATUS_PATH,
                             {"wdId": wdId, "txId": txId, "ccy": ccy, "to": to, "chain": chain})


def _not_modelled(client: str, name: str, *args: object, **kwargs: object) -> NoReturn:
    raise NotImplementedError(
        f"{client}.{name} is not modelled: the fake exchange models only get_max_withdrawal, "
        f"get_account_balance, get_account_config, funds_transfer, transfer_state, "
        f"get_balances, withdrawal, get_withdrawal_history, cancel_withdrawal, "
        f"get_currencies and get_deposit_withdraw_status. Pass fallback= to answer it: "
        f"{client}(..., exchange=exchange, fallback=obj) calls obj.{name}(...) (a real "
        "python-okx client under respx or pytest-httpx, or a unittest.mock.Mock)"
    )
