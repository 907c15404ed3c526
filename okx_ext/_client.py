"""MaxWithdrawalClient: validates, calls the wrapped python-okx style API, types the answer."""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Iterable
from typing import Any, Protocol

import httpx

from okx_ext._currencies import normalize_currencies
from okx_ext._models import MaxWithdrawal, parse_max_withdrawal_response
from okx_ext.errors import TransportError, _preview

__all__ = ["DebugLoggingWarning", "MaxWithdrawalClient", "SupportsGetMaxWithdrawal"]

logger = logging.getLogger("okx_ext")

_transport_errors: tuple[type[BaseException], ...] = (
    httpx.HTTPError,
    OSError,
    # python-okx returns response.json() unchecked: a non-JSON body (an HTML 502 page)
    # raises one of these. Other ValueErrors are not caught: they are bugs, not faults.
    json.JSONDecodeError,
    UnicodeDecodeError,
)
try:
    # httpcore maps h2's protocol errors to httpx ones on the request path; catching
    # the base class as well covers a body read past that mapping.
    from h2.exceptions import H2Error
except ImportError:  # pragma: no cover - h2 comes with httpx[http2] through python-okx
    pass
else:
    _transport_errors += (H2Error,)
_TRANSPORT_ERRORS = _transport_errors

_ERROR_TEXT_CHARS = 200


def _exception_text(exc: BaseException) -> str:
    """Return the exception's own text, truncated; never raise while reporting a fault."""
    try:
        text = str(exc)
    except Exception:
        text = ""
    return _preview(text, _ERROR_TEXT_CHARS)


class SupportsGetMaxWithdrawal(Protocol):
    """Anything with python-okx's ``AccountAPI.get_max_withdrawal(ccy='')`` method."""

    def get_max_withdrawal(self, ccy: str = "") -> Any:
        """Return OKX's raw answer (a dict) for the comma-separated currencies ``ccy``."""
        ...


class DebugLoggingWarning(UserWarning):
    """The wrapped python-okx client has debug=True and logs credentials.

    python-okx then logs every request's headers, including OK-ACCESS-KEY and
    OK-ACCESS-PASSPHRASE, through loguru.
    """


class MaxWithdrawalClient:
    """Typed, validated access to OKX's maximum-withdrawals endpoint.

    Wraps any object with a python-okx style ``get_max_withdrawal(ccy='')`` method
    (the real ``okx.Account.AccountAPI``, a fake, a stub); it never builds a client
    itself::

        client = MaxWithdrawalClient(AccountAPI(key, secret, passphrase, flag="0"))
        rows = client.get_max_withdrawal(["btc", "ETH"])
        rows["BTC"].max_wd  # Decimal('124')
    """

    def __init__(self, account_api: SupportsGetMaxWithdrawal) -> None:
        if not callable(getattr(account_api, "get_max_withdrawal", None)):
            raise TypeError(
                "account_api must have a get_max_withdrawal(ccy='') method, "
                f"got {type(account_api).__name__}"
            )
        self._account_api = account_api
        debug = getattr(account_api, "debug", False)
        # python-okx tests `debug == True`, so 1 turns its logging on as well.
        if isinstance(debug, (int, float)) and debug == 1:
            warnings.warn(
                DebugLoggingWarning(
                    f"{type(account_api).__name__} has debug=True: python-okx then logs every "
                    "request's headers, including your API key and passphrase. "
                    "Construct it with debug=False outside local debugging."
                ),
                stacklevel=2,
            )

    def __repr__(self) -> str:
        # Only non-secret, well-known attributes: never API_KEY, API_SECRET_KEY, PASSPHRASE.
        details = [type(self._account_api).__name__]
        for attribute in ("flag", "domain"):
            value = getattr(self._account_api, attribute, None)
            if isinstance(value, str):
                details.append(f"{attribute}={_preview(value, 60)}")
        return f"{type(self).__name__}({' '.join(details)})"

    def get_max_withdrawal(
        self, ccy: str | Iterable[str] | None = None
    ) -> dict[str, MaxWithdrawal]:
        """Return the maximum withdrawals keyed by currency, in the order OKX answered.

        ``ccy``: ``None`` (all currencies the account holds), a comma-separated str or
        an iterable of str, at most 20 distinct (see ``normalize_currencies``). A
        currency asked for but absent from OKX's answer is absent from the result.

        Raises (all ``OkxExtError``): CurrencyValidationError / TooManyCurrenciesError
        before any request; the typed OkxApiError for a non-zero OKX code;
        TransportError for network faults, timeouts and non-JSON bodies (original
        chained); ResponseFormatError for a payload of the wrong shape. Any other
        exception raised by the wrapped object (e.g. a bug in a stub) propagates
        unchanged.
        """
        return self._fetch_once(normalize_currencies(ccy))

    def _fetch_once(self, ccys: tuple[str, ...]) -> dict[str, MaxWithdrawal]:
        """Make exactly one round trip for already normalised currencies (``()``: all)."""
        ccy_param = ",".join(ccys)
        logger.debug("max-withdrawal request: ccy=%r", ccy_param)
        try:
            body = self._account_api.get_max_withdrawal(ccy=ccy_param)
        except _TRANSPORT_ERRORS as exc:
            raise TransportError(
                f"max-withdrawal request failed: {type(exc).__name__}: {_exception_text(exc)}"
            ) from exc
        rows = parse_max_withdrawal_response(body, asked=ccys)
        logger.debug("max-withdrawal response: %d rows", len(rows))
        return rows
