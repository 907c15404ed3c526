"""OKX's signature and timestamp codec at their edges: the exact message, any local time zone."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator

import okx.utils
import pytest
from fake_support import DEMO_KEY, DEMO_PASSPHRASE, DEMO_SECRET, funded_exchange
from okx_fakes import FakeRequest
from okx_fakes._auth import format_timestamp, parse_timestamp, prehash, sign, signature_matches

TIMESTAMP = "2024-01-02T03:04:05.678Z"


@pytest.fixture
def far_from_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process's local time zone nine hours east of UTC, for one test."""
    if not hasattr(time, "tzset"):
        pytest.skip("time.tzset is POSIX only")
    monkeypatch.setenv("TZ", "JST-9")  # POSIX form: no tz database needed
    time.tzset()
    try:
        yield
    finally:
        monkeypatch.undo()
        time.tzset()


@pytest.mark.usefixtures("far_from_utc")
def test_timestamps_are_utc_whatever_the_local_time_zone() -> None:
    # 86400.5 s after the epoch is 1970-01-02T00:00:00.500 UTC (09:00 in JST).
    assert time.localtime(0).tm_hour == 9  # the fixture took effect
    assert format_timestamp(86400.5) == "1970-01-02T00:00:00.500Z"
    assert parse_timestamp("1970-01-02T00:00:00.500Z") == 86400.5


def test_the_signed_message_without_a_body_is_timestamp_method_target() -> None:
    assert prehash(TIMESTAMP, "get", "/api/v5/account/max-withdrawal?ccy=BTC") == (
        "2024-01-02T03:04:05.678ZGET/api/v5/account/max-withdrawal?ccy=BTC")


def test_the_signature_is_python_okx_s() -> None:
    message = prehash(TIMESTAMP, "POST", "/api/v5/asset/transfer", '{"ccy":"BTC"}')
    expected = okx.utils.sign(message, "secret-91c2").decode("ascii")
    assert sign("secret-91c2", message) == expected
    assert len(base64.b64decode(expected)) == 32  # an HMAC-SHA256 digest
    assert signature_matches("secret-91c2", message, expected)
    assert not signature_matches("secret-91c3", message, expected)


TRANSFER = "/api/v5/asset/transfer"
BODY = b'{"ccy":"BTC","amt":"0.1","from":"18","to":"6"}'


def _post(body: bytes, signed_body: str) -> str:
    """POST ``body`` to the transfer route, signed over ``signed_body``; return OKX's code."""
    signature = okx.utils.sign(okx.utils.pre_hash(TIMESTAMP, "POST", TRANSFER, signed_body,
                                                  False), DEMO_SECRET).decode()
    request = FakeRequest("POST", TRANSFER, {
        "ok-access-key": DEMO_KEY, "ok-access-sign": signature,
        "ok-access-timestamp": TIMESTAMP, "ok-access-passphrase": DEMO_PASSPHRASE,
        "x-simulated-trading": "1", "content-type": "application/json",
    }, body)
    answer = funded_exchange(max_skew_s=None).handle(request)
    return str(json.loads(answer.body)["code"])


def test_a_body_signed_with_the_request_is_accepted() -> None:
    assert _post(BODY, BODY.decode()) == "0"


def test_a_signature_that_leaves_the_body_out_answers_50113() -> None:
    assert _post(BODY, "") == "50113"


def test_a_body_that_is_not_utf8_answers_50113_whatever_was_signed() -> None:
    body = b'{"ccy":"BTC","amt":"0.1","from":"18","to":"6","clientId":"\xff"}'
    assert _post(body, body.decode("latin-1")) == "50113"
