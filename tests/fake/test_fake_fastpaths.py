"""The fake's hand-tuned hot paths agree with the standard library on every input.

``hmac_b64`` keys RFC 2104's inner and outer SHA-256 states once per secret, and
``FakeAccountAPI`` decodes its own answers with json's scanner directly: both must be
indistinguishable from ``hmac.new`` and from ``json.loads`` (what httpx's
``Response.json()`` calls), errors included.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st
from okx_fakes import FakeAccountAPI, FakeExchange
from okx_fakes._api import _json
from okx_fakes._exchange import hmac_b64


@given(secret=st.text(max_size=100), message=st.text(max_size=300))
@example(secret="", message="")
@example(secret="s" * 64, message="2020-12-08T09:08:57.715ZGET/api/v5/account/max-withdrawal")
@example(secret="s" * 65, message="m")  # longer than a SHA-256 block: hashed first
@example(secret="é" * 32, message="m")  # 64 bytes from 32 characters
@example(secret="é" * 33, message="m")  # 66 bytes
def test_hmac_b64_is_hmac_sha256_base64(secret: str, message: str) -> None:
    expected = base64.b64encode(
        hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()
    )
    assert hmac_b64(secret, message) == expected


def _outcome(decode: Any, body: bytes) -> tuple[str, Any]:
    try:
        return "ok", decode(body)
    except Exception as exc:  # the type is the contract; messages may differ in detail
        return "error", type(exc)


json_texts = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=10,
).map(json.dumps)


@given(
    body=st.one_of(
        st.binary(max_size=60),
        json_texts.map(str.encode),
        st.tuples(
            st.sampled_from(["", " ", "\ufeff", "x", "{"]),
            json_texts,
            st.sampled_from(["", " ", "}", "x", "\n"]),
        ).map(lambda parts: "".join(parts).encode("utf-8")),
        json_texts.map(lambda text: text.encode("utf-16")),
    )
)
@example(body=b'{"code":"0","msg":"","data":[]}')
@example(body=b'\xef\xbb\xbf{"code":"0"}')
@example(body=b"<html>502 Bad Gateway</html>")
@example(body=b'{"a":1} {"b":2}')
def test_json_fast_path_matches_json_loads(body: bytes) -> None:
    assert _outcome(_json, body) == _outcome(json.loads, body)


def test_answers_are_fresh_objects_each_call() -> None:
    exchange = FakeExchange()
    exchange.add_account("k", "s", "p").set_balance("BTC", available="1")
    api = FakeAccountAPI("k", "s", "p", flag="1", exchange=exchange)
    first = api.get_max_withdrawal("BTC")
    first["data"][0]["maxWd"] = "999"  # a caller mutating its answer...
    assert api.get_max_withdrawal("BTC")["data"][0]["maxWd"] == "1"  # ...changes nothing
