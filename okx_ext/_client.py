"""MaxWithdrawalClient: validates, calls the wrapped python-okx style API, types the answer."""

from __future__ import annotations

import functools
import json
import logging
import warnings
from collections.abc import Callable, Iterable
from typing import Any, Protocol

import httpx

from okx_ext._currencies import _iter_currencies, normalize_currencies
from okx_ext._endpoint import MAX_CURRENCIES_PER_REQUEST
from okx_ext._models import MaxWithdrawal, parse_max_withdrawal_response
from okx_ext._ratelimit import RateLimit, RateLimiter, RateLimiterProtocol
from okx_ext._retry import BudgetExhausted, Retry
from okx_ext.errors import OkxExtError, TransportError
from okx_ext.text import preview

__all__ = ["DebugLoggingWarning", "MaxWithdrawalClient", "SupportsGetMaxWithdrawal"]

logger = logging.getLogger("okx_ext")

@functools.cache
def _transport_errors() -> tuple[type[BaseException], ...]:
    """Return the exception types that mean the round trip failed (built on first fault).

    Built on the first exception rather than at import, so that ``import okx_ext`` does
    not pay for importing h2.
    """
    errors: tuple[type[BaseException], ...] = (
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
        return errors
    return (*errors, H2Error)


# httpx could not put the request on the wire as built: a header value (the API key or
# passphrase, from python-okx) with a control character (h11's LocalProtocolError) or
# a non-ASCII character (UnicodeEncodeError). Both messages quote the value, so that
# text is never repeated, and the same request would fail again: not retryable.
_UNSENDABLE_ERRORS: tuple[type[BaseException], ...] = (httpx.LocalProtocolError, UnicodeEncodeError)

_ERROR_TEXT_CHARS = 200


def _raised_decoding_json(exc: BaseException) -> bool:
    """Tell whether ``exc`` was raised inside the json package (decoding a body).

    ``json.loads`` raises RecursionError for a deeply nested body and a plain ValueError
    for an integer longer than the str-conversion limit: non-JSON bodies for Python,
    unlike a ValueError raised by a bug in a wrapped stub.
    """
    traceback = exc.__traceback__
    module = None
    while traceback is not None:
        module = traceback.tb_frame.f_globals.get("__name__")
        traceback = traceback.tb_next
    return isinstance(module, str) and (module == "json" or module.startswith("json."))


def _unsendable_request(failure: type[BaseException]) -> TransportError:
    error = TransportError(
        f"max-withdrawal request could not be sent: {failure.__name__}: most likely a credential "
        "(API key or passphrase) holds a character an HTTP header cannot carry (a control "
        "character such as a trailing newline, or non-ASCII); the text is withheld as it "
        "quotes the credential"
    )
    error.retryable = False
    return error


_CREDENTIAL_HEADER_PREFIX = "ok-access-"
_SCRUBBED = "***"


def _scrub_credentials(exc: BaseException) -> None:
    """Replace the ``OK-ACCESS-*`` headers by ``***`` on every request ``exc`` chains.

    An httpx error carries the request it failed on, headers included (the API key,
    passphrase and signature python-okx set), and a TransportError keeps it as its
    cause: an error reporter walking the chain would show them. The exceptions are kept,
    only the header values change. python-okx's own frame locals in the traceback are
    out of reach.
    """
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        pending += [current.__cause__, current.__context__]
        requests = [getattr(current, "_request", None)]  # httpx.RequestError, unchecked
        response = getattr(current, "response", None)  # httpx.HTTPStatusError
        if isinstance(response, httpx.Response):
            requests.append(getattr(response, "_request", None))
        for request in requests:
            if isinstance(request, httpx.Request):
                for name in list(request.headers):
                    if name.lower().startswith(_CREDENTIAL_HEADER_PREFIX):
                        request.headers[name] = _SCRUBBED


def _exception_text(exc: BaseException) -> str:
    """Return the exception's own text, truncated; never raise while reporting a fault."""
    try:
        text = str(exc)
    except Exception:
        text = ""
    return preview(text, _ERROR_TEXT_CHARS)


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


# Frozen, stateless policies: safe as shared defaults (each client builds its own limiter).
_DEFAULT_RATE_LIMIT = RateLimit()
_DEFAULT_RETRY = Retry()


class MaxWithdrawalClient:
    """Typed, validated access to OKX's maximum-withdrawals endpoint.

    Wraps any object with a python-okx style ``get_max_withdrawal(ccy='')`` method
    (the real ``okx.Account.AccountAPI``, a fake, a stub); it never builds a client
    itself::

        client = MaxWithdrawalClient(AccountAPI(key, secret, passphrase, flag="0"))
        rows = client.get_max_withdrawal(["btc", "ETH"])
        rows["BTC"].max_wd  # Decimal('124')

    Every request goes through a client-side rate limiter and a retry policy, and
    the client may be shared by threads:

    - ``rate_limit``: a `RateLimit` (this client builds its own limiter from it, on
      its ``clock``/``sleep``), a `RateLimiter` to share one budget between several
      clients of the same user in one process, a `RedisRateLimiter` to share it
      between processes and machines, any other `RateLimiterProtocol`, or None for
      no limiting.
    - ``retry``: a `Retry` policy for transient errors, or None for a single attempt.
    - ``clock``/``sleep``: default to `time.time`/`time.sleep`, looked up at each
      call (so freezegun works); inject a simulated pair in tests. A shared
      `RateLimiter` keeps the clock it was built with: give it the same one.
    """

    def __init__(
        self,
        account_api: SupportsGetMaxWithdrawal,
        *,
        rate_limit: RateLimit | RateLimiterProtocol | None = _DEFAULT_RATE_LIMIT,
        retry: Retry | None = _DEFAULT_RETRY,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], object] | None = None,
    ) -> None:
        if not callable(getattr(account_api, "get_max_withdrawal", None)):
            raise TypeError(
                "account_api must have a get_max_withdrawal(ccy='') method, "
                f"got {type(account_api).__name__}"
            )
        self._account_api = account_api
        self._clock = clock
        self._sleep = sleep
        self._limiter: RateLimiterProtocol | None
        if isinstance(rate_limit, RateLimit):
            self._limiter = RateLimiter(rate_limit, clock=clock, sleep=sleep)
        elif isinstance(rate_limit, RateLimiterProtocol) or rate_limit is None:
            self._limiter = rate_limit
        else:
            raise TypeError(
                "rate_limit must be a RateLimit, a RateLimiter (or any RateLimiterProtocol) "
                "or None, "
                f"got {type(rate_limit).__name__}"
            )
        if not (retry is None or isinstance(retry, Retry)):
            raise TypeError(f"retry must be a Retry or None, got {type(retry).__name__}")
        self._retry = retry
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
                details.append(f"{attribute}={preview(value, 60)}")
        return f"{type(self).__name__}({' '.join(details)})"

    def get_max_withdrawal(
        self, ccy: str | Iterable[str] | None = None
    ) -> dict[str, MaxWithdrawal]:
        """Return the maximum withdrawals keyed by currency, in the order OKX answered.

        ``ccy``: ``None`` (all currencies the account holds), a comma-separated str or
        an iterable of str, at most 20 distinct (see ``normalize_currencies``). A
        currency asked for but absent from OKX's answer is absent from the result.

        The request waits for the rate limiter and transient errors are retried as
        the client's ``retry`` allows.

        Raises (all ``OkxExtError``): CurrencyValidationError / TooManyCurrenciesError
        before any request; the typed OkxApiError for a non-zero OKX code;
        TransportError for network faults, timeouts and non-JSON bodies (original
        chained); ResponseFormatError for a payload of the wrong shape. The error
        raised is the last one, with ``attempts`` set. Any other exception raised by
        the wrapped object (e.g. a bug in a stub) propagates unchanged, never retried.
        """
        return self._fetch(normalize_currencies(ccy))

    def get_max_withdrawals(self, currencies: Iterable[str]) -> dict[str, MaxWithdrawal]:
        """Return the maximum withdrawals of any number of currencies, in the order asked.

        ``currencies`` follows the rule of ``normalize_currencies`` (a comma-separated
        str or an iterable of str; stripped, upper-cased, duplicates collapsed) except
        that there is no limit of 20: all of it is validated before any request, then
        sent in batches of 20, each through the rate limiter and the retry policy.
        Empty means all currencies, as for `get_max_withdrawal`, in OKX's order. A
        currency absent from OKX's answer is absent from the result.

        If a batch fails, its typed error is raised with ``partial`` holding every
        row already fetched (earlier batches, in the order asked) and ``attempts``
        the attempts made for the failing batch. Raises as `get_max_withdrawal`.
        """
        codes = [code for _, code in _iter_currencies(currencies)]
        if not codes:
            return self._fetch(())
        rows: dict[str, MaxWithdrawal] = {}
        for first in range(0, len(codes), MAX_CURRENCIES_PER_REQUEST):
            batch = tuple(codes[first : first + MAX_CURRENCIES_PER_REQUEST])
            try:
                answer = self._fetch(batch)
            except OkxExtError as error:
                error.partial = rows
                raise
            rows.update((code, answer[code]) for code in batch if code in answer)
        return rows

    def _fetch(self, ccys: tuple[str, ...]) -> dict[str, MaxWithdrawal]:
        """Make one request, with rate limiting and retries as configured."""
        if self._retry is None:
            return self._attempt(ccys, None)
        return self._retry.call(
            functools.partial(self._attempt, ccys), clock=self._clock, sleep=self._sleep
        )

    def _attempt(self, ccys: tuple[str, ...], deadline: float | None) -> dict[str, MaxWithdrawal]:
        """Make one round trip in a rate-limit slot that must start by ``deadline``."""
        limiter = self._limiter
        if limiter is None:
            return self._fetch_once(ccys)
        if not limiter.acquire(deadline):
            raise BudgetExhausted
        try:
            return self._fetch_once(ccys)
        finally:
            limiter.release()

    def _fetch_once(self, ccys: tuple[str, ...]) -> dict[str, MaxWithdrawal]:
        """Make exactly one round trip for already normalised currencies (``()``: all)."""
        ccy_param = ",".join(ccys)
        logger.debug("max-withdrawal request: ccy=%r", ccy_param)
        try:
            body = self._account_api.get_max_withdrawal(ccy=ccy_param)
        except _UNSENDABLE_ERRORS as exc:
            unsendable: type[BaseException] | None = type(exc)
        except _transport_errors() as exc:
            _scrub_credentials(exc)
            raise TransportError(
                f"max-withdrawal request failed: {type(exc).__name__}: {_exception_text(exc)}"
            ) from exc
        except (ValueError, RecursionError) as exc:
            if not _raised_decoding_json(exc):
                raise
            raise TransportError(
                "max-withdrawal response body is not decodable JSON: "
                f"{type(exc).__name__}: {_exception_text(exc)}"
            ) from exc
        else:
            unsendable = None
        if unsendable is not None:
            # Raised here, outside the except clause, so that the original (which quotes
            # the credential) is neither the __cause__ nor the __context__.
            raise _unsendable_request(unsendable)
        rows = parse_max_withdrawal_response(body, asked=ccys)
        logger.debug("max-withdrawal response: %d rows", len(rows))
        return rows
