"""What the wire does that the socket-free ways in (FakeAccountAPI, install()) must copy.

httpx encodes header values as ASCII (``UnicodeEncodeError`` otherwise) and h11, which
writes HTTP/1.1, refuses a value with NUL, a line break or other whitespace inside, or
whitespace around it (``LocalProtocolError``); a dropped connection is
``httpx.ConnectError``. The header-value rule is the one ``okx_ext``'s CLI checks
credentials with (``okx_ext.headers``): it is h11's, not OKX's. Unlike h11's, these
messages never show a header value: it is usually a credential.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import httpx

from okx_ext.headers import FIELD_VALUE, is_sendable_header_value

__all__ = [
    "NETWORK_FAULT_MESSAGE",
    "check_header_values",
    "check_sendable_headers",
    "is_sendable_header_value",
]

NETWORK_FAULT_MESSAGE = "fake OKX exchange dropped the connection (injected network fault)"

# h11's field-name: an RFC 9110 token.
_FIELD_NAME = re.compile(rb"[-!#$%&'*+.^_`|~0-9a-zA-Z]+")


def check_sendable_headers(headers: Mapping[str, str]) -> None:
    """Raise what httpx or h11 raise for a header value they would not send, value hidden.

    A non-ASCII value is httpx's ``UnicodeEncodeError`` (same encoding, positions and
    reason as ``value.encode("ascii")``, U+FFFD in place of every character, the header
    named); any other is h11's ``httpx.LocalProtocolError``.
    """
    for name, value in headers.items():
        if is_sendable_header_value(value):
            continue
        if not value.isascii():
            start = next(index for index, char in enumerate(value) if not char.isascii())
            raise UnicodeEncodeError(
                "ascii", "\ufffd" * len(value), start, start + 1,
                f"ordinal not in range(128) (header {name}; value not shown)",
            )
        raise httpx.LocalProtocolError(_illegal_value(name))


def check_header_values(
    headers: Iterable[tuple[bytes, bytes]], request: httpx.Request | None = None
) -> None:
    """Raise ``httpx.LocalProtocolError`` where h11 would refuse to send these raw headers."""
    for name, value in headers:
        if _FIELD_NAME.fullmatch(name) is None:
            raise httpx.LocalProtocolError(f"Illegal header name {name!r}", request=request)
        if FIELD_VALUE.fullmatch(value) is None:
            raise httpx.LocalProtocolError(_illegal_value(name.decode("ascii")), request=request)


def _illegal_value(name: str) -> str:
    return f"Illegal header value in {name} (value not shown: it may be a credential)"
