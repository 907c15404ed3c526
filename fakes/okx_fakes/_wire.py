"""What the wire accepts in a header: the checks httpx and h11 make before a request leaves.

httpx encodes header values as ASCII (``UnicodeEncodeError`` otherwise) and h11, which
writes HTTP/1.1, refuses a value with NUL, a line break or other whitespace inside, or
whitespace around it (``LocalProtocolError``). A real client over a real socket fails
there, so the fake's socket-free ways in (``FakeAccountAPI``, ``install()``) check the same,
or a credential no client could send would pass. Unlike h11's, these messages never show
the value: it is usually a credential.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import httpx

__all__ = ["check_ascii_headers", "check_header_values", "is_sendable_header_value"]

# h11's field-value (h11._abnf): runs of [^\x00\s] separated by spaces or tabs.
_FIELD_VALUE = re.compile(r"(?:[^\x00\s]+(?:[ \t]+[^\x00\s]+)*)?", re.ASCII)
_FIELD_VALUE_BYTES = re.compile(_FIELD_VALUE.pattern.encode())  # bytes: \s is ASCII there
# h11's field-name: an RFC 9110 token.
_FIELD_NAME_BYTES = re.compile(rb"[-!#$%&'*+.^_`|~0-9a-zA-Z]+")


def is_sendable_header_value(value: str) -> bool:
    """Return True if httpx and h11 would send ``value`` as a header value."""
    return value.isascii() and _FIELD_VALUE.fullmatch(value) is not None


def check_ascii_headers(headers: Iterable[tuple[str, str]]) -> None:
    """Raise httpx's ``UnicodeEncodeError`` for a non-ASCII value, the value itself hidden.

    Same encoding, positions and reason as ``value.encode("ascii")``; the ``object`` holds
    U+FFFD in place of every character, and the reason names the header.
    """
    for name, value in headers:
        if not value.isascii():
            start = next(index for index, char in enumerate(value) if not char.isascii())
            raise UnicodeEncodeError(
                "ascii", "\ufffd" * len(value), start, start + 1,
                f"ordinal not in range(128) (header {name}; value not shown)",
            )


def check_header_values(
    headers: Iterable[tuple[bytes, bytes]], request: httpx.Request | None = None
) -> None:
    """Raise ``httpx.LocalProtocolError`` where h11 would refuse to send these raw headers."""
    for name, value in headers:
        if _FIELD_NAME_BYTES.fullmatch(name) is None:
            raise httpx.LocalProtocolError(f"Illegal header name {name!r}", request=request)
        if _FIELD_VALUE_BYTES.fullmatch(value) is None:
            raise httpx.LocalProtocolError(
                f"Illegal header value in {name.decode('ascii')} (value not shown: it may be "
                "a credential)", request=request,
            )
