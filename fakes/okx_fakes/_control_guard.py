"""Who may drive the control API: a token, or else a loopback ``Host``; JSON bodies only.

The control API seeds accounts, resets and reads records, so anything that can reach it
owns the fake. Three checks run before any control route, in this order:

1. With a token (``control_token``, ``--control-token`` or :data:`CONTROL_TOKEN_ENV`),
   every control request must carry ``Authorization: Bearer TOKEN``, else 401. The scheme
   is case-insensitive (RFC 9110 §11.1, formerly RFC 7235 §2.1: ``bearer`` is Bearer);
   the token under any other scheme (``Basic``, ``Token``) does not count.
2. Without one, only a ``Host`` naming a loopback address (``localhost``, ``127.0.0.0/8``,
   ``[::1]``, any port) is answered, else 403: a web page that rebinds its own DNS name
   to 127.0.0.1 still sends its own name (DNS rebinding). The value is parsed as an
   RFC 3986 authority (``host [":" port]``, an IPv6 address in brackets): a userinfo
   (``localhost:80@evil.com``), anything after the bracket but a port
   (``[::1].evil.com``), a second colon (``127.0.0.1:80:80``) or a port over 65535 is
   refused, as is any other name (``localhost.evil.com``).
3. Every method but GET and HEAD needs ``Content-Type: application/json``, else 415: a
   browser sends that type cross-origin only after a CORS preflight, which the fake never
   grants, so no web page can post a simple form or ``fetch`` to it (CSRF).

A server bound to anything but a loopback address refuses to start with the control API
on and no token (:func:`check_control_exposure`).
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Mapping
from typing import Final

from okx_fakes._types import FakeResponse, json_body
from okx_fakes._wire import is_sendable_header_value

__all__ = [
    "CONTROL_TOKEN_ENV",
    "ControlGuard",
    "check_control_exposure",
    "check_control_token",
    "is_loopback_authority",
    "is_loopback_host",
]

#: The environment variable ``okx-fakes`` reads the control token from (``--control-token``
#: wins). An environment variable keeps the token out of ``ps`` listings.
CONTROL_TOKEN_ENV: Final = "OKX_FAKES_CONTROL_TOKEN"

# Methods a browser may send cross-origin without a preflight are GET, HEAD and POST;
# every method that changes state is held to JSON, so that none is a "simple" request.
_READ_METHODS: Final = frozenset({"GET", "HEAD"})


_LOCALHOST: Final = frozenset({"localhost", "localhost."})  # the root's dot: same name
_IPV6_LOOPBACK: Final = ipaddress.IPv6Address("::1")
_MAX_PORT: Final = 65535


def is_loopback_host(host: str) -> bool:
    """Return whether ``host``, a bind address or a ``Host`` value, is a loopback address.

    A bind address may be a bare IP address (``::1``); anything else is read as a
    ``Host`` value (:func:`is_loopback_authority`).
    """
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return is_loopback_authority(host)
    return _is_loopback_address(address)


def is_loopback_authority(authority: str) -> bool:
    """Return whether an RFC 3986 authority (a ``Host`` header) names a loopback address.

    Loopback names are ``localhost``, an IPv4 address in 127.0.0.0/8 and ``[::1]``, each
    with an optional port (digits, at most 65535; RFC 3986 §3.2.3 allows an empty one).
    Any other name is not, since it may resolve anywhere. A userinfo
    (``user@host``) is refused: RFC 9110 §4.2.4 forbids one in an ``http`` authority, and
    ``localhost:80@evil.com`` names ``evil.com``. Case does not matter (RFC 3986 §3.2.2).
    """
    value = authority.strip(" \t").lower()  # a header's optional whitespace (RFC 9110 §5.5)
    if not value.isascii() or "@" in value:
        return False
    if value.startswith("["):  # IP-literal = "[" IPv6address "]" (or IPvFuture: refused)
        literal, bracket, rest = value[1:].partition("]")
        if not bracket:
            return False
        try:
            address: ipaddress.IPv4Address | ipaddress.IPv6Address = (
                ipaddress.IPv6Address(literal))
        except ValueError:  # IPvFuture, a zone ID, or no address at all
            return False
    else:
        # IPv4address and reg-name hold no ":": the first one starts the port.
        name, colon, port = value.partition(":")
        rest = colon + port
        if name in _LOCALHOST:
            return _is_port_part(rest)
        try:
            address = ipaddress.IPv4Address(name)  # dotted-decimal only: "127.1" is a name
        except ValueError:
            return False
    return _is_loopback_address(address) and _is_port_part(rest)


def _is_loopback_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        return address == _IPV6_LOOPBACK  # not an IPv4-mapped ::ffff:127.0.0.1
    return address.is_loopback


def _is_port_part(rest: str) -> bool:
    """Return whether ``rest`` is empty or ``":" port``, port = *DIGIT up to 65535."""
    if not rest:
        return True
    port = rest[1:]
    if rest[0] != ":" or not (port == "" or (port.isascii() and port.isdigit())):
        return False
    return port == "" or (len(port) <= 5 and int(port) <= _MAX_PORT)


def check_control_token(token: str | None) -> str | None:
    """Return ``token`` if usable (None: no token), else raise ValueError (value not shown).

    It travels in a header, so it must be a non-empty header value (ASCII, no control
    character, no surrounding whitespace).
    """
    if token is None:
        return None
    if not isinstance(token, str) or not is_sendable_header_value(token) or not token:
        raise ValueError("control_token must be a non-empty str that can be sent in an HTTP "
                         "header (ASCII, no control character or surrounding whitespace; "
                         "value not shown)")
    return token


def check_control_exposure(host: str, *, control: bool, token: str | None) -> None:
    """Raise ValueError when ``host`` is not loopback, the control API is on and no token set."""
    if control and token is None and not is_loopback_host(host):
        raise ValueError(
            f"refusing to serve the control API on {host}, reachable from other machines, "
            f"without a token: set control_token (--control-token or {CONTROL_TOKEN_ENV}) "
            "or turn the control API off (control=False, --no-control)"
        )


class ControlGuard:
    """The checks of the module docstring, for one app: ``refusal()`` is None when allowed."""

    def __init__(self, token: str | None = None) -> None:
        checked = check_control_token(token)
        self._token = None if checked is None else checked.encode("ascii")

    def __repr__(self) -> str:
        return f"ControlGuard(token={'set' if self._token is not None else 'none'})"

    def refusal(self, method: str, headers: Mapping[str, str]) -> FakeResponse | None:
        """Return the answer refusing this control request, or None to let it through.

        ``headers`` has lower-case names, as :class:`~okx_fakes.FakeRequest`'s.
        """
        if self._token is not None:
            if not self._has_token(headers.get("authorization", "")):
                return _refused(401, "authorization: send the control token as "
                                     "'Authorization: Bearer TOKEN'",
                                (("www-authenticate", 'Bearer realm="okx-fakes control"'),))
        elif not is_loopback_authority(headers.get("host", "")):
            return _refused(403, "host: without a control token, the control API answers only "
                                 "a Host naming a loopback address (localhost, 127.0.0.1, [::1])")
        if method not in _READ_METHODS:
            media_type = headers.get("content-type", "").partition(";")[0].strip().lower()
            if media_type != "application/json":
                return _refused(415, f"content-type: a {method} to the control API must be "
                                     "'application/json'")
        return None

    def _has_token(self, authorization: str) -> bool:
        assert self._token is not None
        scheme, _, credential = authorization.strip().partition(" ")
        # A header is latin-1 text (PEP 3333); surrogateescape keeps any byte comparable.
        sent = credential.strip().encode("utf-8", "surrogateescape")
        return scheme.lower() == "bearer" and hmac.compare_digest(sent, self._token)


def _refused(status: int, message: str,
             extra: tuple[tuple[str, str], ...] = ()) -> FakeResponse:
    return FakeResponse(status, json_body({"error": message}),
                        (("content-type", "application/json"), *extra))
