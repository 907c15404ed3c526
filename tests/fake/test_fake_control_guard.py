"""The control API's guard: the loopback Host check (RFC 3986) and the token's scheme."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from fake_support import frozen_clock, funded_exchange
from okx_fakes import FakeWSGIApp
from okx_fakes._control_guard import is_loopback_authority, is_loopback_host

TOKEN = "control-token-8d21"


@pytest.mark.parametrize(
    ("authority", "loopback"),
    [
        ("localhost", True),
        ("LOCALHOST", True),  # a host is case-insensitive (RFC 3986 §3.2.2)
        ("localhost:8080", True),
        ("localhost.", True),  # the root's dot: the same name
        ("localhost:", True),  # an empty port (RFC 3986 §3.2.3)
        ("127.0.0.1", True),
        ("127.8.9.10:1", True),
        ("127.255.255.255:65535", True),
        ("[::1]", True),
        ("[::1]:8080", True),
        ("[0:0:0:0:0:0:0:1]:80", True),
        (" localhost:80 ", True),  # a header's optional whitespace
        # A userinfo: the host is what follows the "@".
        ("localhost:80@evil.com", False),
        ("localhost@evil.com", False),
        ("user@localhost", False),  # RFC 9110 §4.2.4: no userinfo in an http authority
        ("127.0.0.1@evil.com:80", False),
        # After the IP-literal only a port may follow.
        ("[::1].evil.com", False),
        ("[::1]evil.com", False),
        ("[::1]:80:80", False),
        ("[::1", False),
        ("[::ffff:127.0.0.1]", False),  # IPv4-mapped: not [::1]
        ("[v1.fe]", False),  # IPvFuture
        ("[::1%25lo]", False),  # a zone ID
        ("[127.0.0.1]", False),
        ("::1", False),  # an IPv6 address must be bracketed in an authority
        # Other names, which may resolve anywhere.
        ("localhost.evil.com", False),
        ("evil.localhost", False),
        ("127.0.0.1.evil.com", False),
        ("127.1", False),  # not dotted-decimal: a reg-name
        ("0177.0.0.1", False),
        ("0.0.0.0", False),
        ("192.0.2.1:80", False),
        # Ports.
        ("127.0.0.1:80:80", False),
        ("localhost:65536", False),
        ("localhost:000080", False),
        ("localhost:8o", False),
        ("localhost:-1", False),
        ("localhost:\u0661", False),  # a non-ASCII digit
        ("localhost :80", False),
        ("", False),
        (":80", False),
        ("loc\u0430lhost", False),  # a Cyrillic "a"
    ],
)
def test_a_host_is_read_as_an_rfc_3986_authority(authority: str, loopback: bool) -> None:
    assert is_loopback_authority(authority) is loopback


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("::1", True),  # a bind address: a bare IPv6 address
        ("localhost", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("::ffff:127.0.0.1", False),
        ("127.1", False),
        ("", False),
    ],
)
def test_a_bind_address_may_also_be_a_bare_ip_address(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


def _control_get(app: FakeWSGIApp, headers: dict[str, str]) -> tuple[str, dict[str, Any]]:
    environ: dict[str, Any] = {"REQUEST_METHOD": "GET", "PATH_INFO": "/_fake/requests",
                               "wsgi.input": io.BytesIO(b"")}
    environ.update({"HTTP_" + name.upper().replace("-", "_"): value
                    for name, value in headers.items()})
    statuses: list[str] = []
    body = b"".join(app(environ, lambda status, headers: statuses.append(status)))
    return statuses[0], json.loads(body)


@pytest.mark.parametrize("host", ["localhost:80@evil.com", "[::1].evil.com",
                                  "localhost.evil.com", "127.0.0.1:80:80"])
def test_the_control_api_refuses_a_host_that_only_looks_like_loopback(host: str) -> None:
    app = FakeWSGIApp(funded_exchange(frozen_clock()))
    status, body = _control_get(app, {"host": host})
    assert status == "403 Forbidden"
    assert body == {"error": "host: without a control token, the control API answers only a "
                             "Host naming a loopback address (localhost, 127.0.0.1, [::1])"}


def test_the_control_api_answers_a_loopback_host() -> None:
    app = FakeWSGIApp(funded_exchange(frozen_clock()))
    assert _control_get(app, {"host": "[::1]:8080"}) == ("200 OK", {"requests": []})


# The scheme is case-insensitive (RFC 7235 §2.1, RFC 9110 §11.1): "bearer" is Bearer.
@pytest.mark.parametrize(
    ("authorization", "status"),
    [
        (f"Bearer {TOKEN}", "200 OK"),
        (f"bearer {TOKEN}", "200 OK"),
        (f"BEARER {TOKEN}", "200 OK"),
        (f"Basic {TOKEN}", "401 Unauthorized"),
        (f"Token {TOKEN}", "401 Unauthorized"),
        (f"Bearer{TOKEN}", "401 Unauthorized"),
        (TOKEN, "401 Unauthorized"),
        (f"Bearer {TOKEN} extra", "401 Unauthorized"),
        ("Bearer", "401 Unauthorized"),
    ],
)
def test_the_token_counts_only_under_the_bearer_scheme(authorization: str, status: str) -> None:
    app = FakeWSGIApp(funded_exchange(frozen_clock()), control_token=TOKEN)
    answered, body = _control_get(app, {"authorization": authorization, "host": "fake.lan"})
    assert answered == status
    if status != "200 OK":
        assert body == {"error": "authorization: send the control token as "
                                 "'Authorization: Bearer TOKEN'"}
