"""Who may drive the control API: a token, or else a loopback ``Host``; JSON bodies only.

The control API seeds accounts, resets and reads records, so anything that can reach it
owns the fake. Three checks run before any control route, in this order:

1. With a token (``control_token``, ``--control-token`` or :data:`CONTROL_TOKEN_ENV`),
   every control request must carry ``Authorization: Bearer TOKEN``, else 401.
2. Without one, only a ``Host`` naming a loopback address (``localhost``, ``127.0.0.0/8``,
   ``[::1]``, any port) is answered, else 403: a web page that rebinds its own DNS name
   to 127.0.0.1 still sends its own name (DNS rebinding).
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
    "is_loopback_host",
]

#: The environment variable ``okx-fakes`` reads the control token from (``--control-token``
#: wins). An environment variable keeps the token out of ``ps`` listings.
CONTROL_TOKEN_ENV: Final = "OKX_FAKES_CONTROL_TOKEN"

# Methods a browser may send cross-origin without a preflight are GET, HEAD and POST;
# every method that changes state is held to JSON, so that none is a "simple" request.
_READ_METHODS: Final = frozenset({"GET", "HEAD"})


def is_loopback_host(host: str) -> bool:
    """Return whether ``host`` (a bind address or a ``Host`` value, port allowed) is loopback.

    ``localhost``, an IPv4 address in 127.0.0.0/8 and ``::1`` (bracketed with a port) are;
    any other name is not, since it may resolve anywhere.
    """
    name = host.strip().lower()
    if name.startswith("["):  # [::1] or [::1]:8080
        name = name[1:].partition("]")[0]
    elif name.count(":") == 1:  # 127.0.0.1:8080 or localhost:8080
        name = name.partition(":")[0]
    name = name.removesuffix(".")
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


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
        elif not is_loopback_host(headers.get("host", "")):
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
