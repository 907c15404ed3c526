"""What an error reporter walking a TransportError's cause chain can see: no credential.

httpx's error carries the request it failed on, with the OK-ACCESS-* headers python-okx
set (key, passphrase, signature). The cause is kept, with those values replaced by ***.
"""

from __future__ import annotations

import httpx
import pytest
from okx.Account import AccountAPI
from test_cli import closed_port_url

from okx_ext import MaxWithdrawalClient, RateLimitError, TransportError, error_for_code
from okx_ext._client import _scrub_credentials

KEY, SECRET, PASSPHRASE = "key-cause-3f9a", "secret-cause-77b1", "pass-cause-c0de"


def _chain(error: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def test_the_cause_of_a_transport_error_carries_no_credential_header() -> None:
    api = AccountAPI(KEY, SECRET, PASSPHRASE, flag="1", domain=closed_port_url(), debug=False)
    client = MaxWithdrawalClient(api, rate_limit=None, retry=None)
    with pytest.raises(TransportError) as caught:
        client.get_max_withdrawal("BTC")

    cause = caught.value.__cause__
    assert isinstance(cause, httpx.ConnectError)  # kept
    headers = cause.request.headers
    for name in ("OK-ACCESS-KEY", "OK-ACCESS-PASSPHRASE", "OK-ACCESS-SIGN", "OK-ACCESS-TIMESTAMP"):
        assert headers[name] == "***"
    assert headers["Content-Type"] == "application/json"  # the other headers are left alone
    for error in _chain(caught.value):
        request = getattr(error, "_request", None)
        text = f"{error!r} {error} {request!r} {getattr(request, 'headers', '')!r}"
        for secret in (KEY, PASSPHRASE):
            assert secret not in text


def test_an_http_status_error_s_request_and_response_are_scrubbed() -> None:
    request = httpx.Request("GET", "https://www.okx.com/x",
                            headers={"OK-ACCESS-PASSPHRASE": PASSPHRASE, "Accept": "*/*"})
    response = httpx.Response(502, request=request)
    try:
        try:
            raise httpx.HTTPStatusError("bad gateway", request=request, response=response)
        except httpx.HTTPStatusError as inner:
            raise ValueError("wrapped") from inner
    except ValueError as outer:
        _scrub_credentials(outer)

    assert request.headers["ok-access-passphrase"] == "***"
    assert response.request.headers["accept"] == "*/*"


def test_58102_the_transfer_rate_limit_is_a_retryable_rate_limit_error() -> None:
    error = error_for_code("58102", "Rate limit reached.", 429)

    assert type(error) is RateLimitError
    assert error.retryable is True
    assert error.http_status == 429
