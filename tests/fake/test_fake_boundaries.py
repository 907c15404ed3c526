"""The fake at the edges the older tests stepped over: each test here was written against a
bug planted by hand that the suite let through.

Transfers sharing a ``clientId``, a currency written in two cases, a body of exactly
``MAX_BODY_BYTES`` and one byte more (both ways a WSGI server hands a body over), and a
rate window whose oldest entry is stale while its later ones are live when the exchange
sweeps its windows. All through public ways in, on a clock that moves only when told.
"""

from __future__ import annotations

import io
from decimal import Decimal
from http import HTTPStatus
from typing import Any

import pytest
from fake_support import DEMO_KEY, DEMO_PASSPHRASE, DEMO_SECRET, StepClock, funded_exchange
from okx_fakes import FakeAccountAPI, FakeExchange, FakeFundingAPI
from okx_fakes._wsgi import MAX_BODY_BYTES

# The reason phrase is the running Python's (http.HTTPStatus): 3.13 says "Content Too Large"
# (RFC 9110's name), earlier ones "Request Entity Too Large".
TOO_LARGE = f"413 {HTTPStatus.REQUEST_ENTITY_TOO_LARGE.phrase}"

Stepped = tuple[StepClock, FakeExchange, FakeFundingAPI]


@pytest.fixture
def stepped() -> Stepped:
    """The funded exchange on a StepClock, and a FundingAPI of its demo key."""
    clock = StepClock()
    exchange = funded_exchange(clock, max_skew_s=None)
    return clock, exchange, FakeFundingAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, flag="1",
                                           exchange=exchange)


def _transfer(funding: FakeFundingAPI, ccy: str, amt: str, **extra: str) -> Any:
    # python-okx's funds_transfer has no clientId parameter: the SDK's request method does.
    return funding._request_with_params("POST", "/api/v5/asset/transfer", {
        "ccy": ccy, "amt": amt, "from": "18", "to": "6", **extra})


# -- the transfer model ---------------------------------------------------------------------


def test_transfer_state_by_client_id_answers_the_latest_transfer_with_it(
    stepped: Stepped,
) -> None:
    clock, exchange, funding = stepped
    first = _transfer(funding, "BTC", "0.1", clientId="dup7")["data"][0]["transId"]
    clock.now_s += 1
    second = _transfer(funding, "BTC", "0.3", clientId="dup7")["data"][0]["transId"]
    assert first != second

    rows = funding._request_with_params("GET", "/api/v5/asset/transfer-state",
                                        {"clientId": "dup7"})["data"]
    assert [(row["transId"], row["amt"]) for row in rows] == [(second, "0.3")]
    record = exchange.account_for_key(DEMO_KEY).find_transfer(client_id="dup7")
    assert record is not None
    assert (record.trans_id, record.amt) == (second, Decimal("0.3"))


def test_a_currency_in_any_case_shares_one_transfer_rate_window(stepped: Stepped) -> None:
    funding = stepped[2]
    # Two transfers per second per currency: BTC, btc and Btc are one currency.
    codes = [funding.funds_transfer(ccy, "0.01", "18", "6")["code"]
             for ccy in ("BTC", "btc", "Btc")]
    assert codes == ["0", "0", "58102"]


# -- the WSGI app's body limit --------------------------------------------------------------


def _post(exchange: FakeExchange, body: bytes, *, chunked: bool) -> str:
    """POST ``body`` to the transfer path through the WSGI app; return the status."""
    environ: dict[str, Any] = {"REQUEST_METHOD": "POST",
                               "REQUEST_URI": "/api/v5/asset/transfer",
                               "wsgi.input": io.BytesIO(body)}
    if chunked:  # no Content-Length: the server de-chunked the body and says so
        environ["wsgi.input_terminated"] = True
    else:
        environ["CONTENT_LENGTH"] = str(len(body))
    statuses: list[str] = []
    b"".join(exchange.wsgi_app()(environ, lambda status, headers: statuses.append(status)))
    return statuses[0]


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_body_of_exactly_max_body_bytes_is_read_and_one_byte_more_is_413(
    stepped: Stepped, chunked: bool
) -> None:
    exchange = stepped[1]
    # Read, the body reaches the exchange: the unsigned request is answered 401 (50103).
    assert _post(exchange, b"x" * MAX_BODY_BYTES, chunked=chunked) == "401 Unauthorized"
    assert _post(exchange, b"x" * (MAX_BODY_BYTES + 1),
                 chunked=chunked) == TOO_LARGE
    assert len(exchange.requests) == 1


# -- the rate windows' sweep ----------------------------------------------------------------


def test_the_window_sweep_keeps_a_window_whose_oldest_entry_alone_is_stale(
    stepped: Stepped,
) -> None:
    clock, exchange, funding = stepped
    account = FakeAccountAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, exchange=exchange)
    assert account.get_max_withdrawal("BTC")["code"] == "0"  # at 0.0: stale from 2.0
    clock.now_s += 1.5
    assert [account.get_max_withdrawal("BTC")["code"] for _ in range(19)] == ["0"] * 19
    clock.now_s += 1.0  # 2.5: the oldest entry is stale, the 19 others live until 3.5
    # Hundreds of windows (one per transfer currency) make the exchange sweep its windows,
    # whatever its threshold; a sweep must keep the max-withdrawal window, still live.
    for number in range(300):
        assert funding.funds_transfer(f"Z{number}", "1", "18", "6")["code"] == "58350"

    codes = [account.get_max_withdrawal("BTC")["code"] for _ in range(3)]
    assert codes == ["0", "50011", "50011"]
