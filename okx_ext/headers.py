"""The one rule for an HTTP header value: what httpx and h11 will send.

python-okx sends the API key and the passphrase as header values. httpx encodes a value
as ASCII and h11, which writes HTTP/1.1, refuses NUL, a line break or other whitespace
inside it, or whitespace around it (h11's ``field-value`` in ``h11._abnf``). The CLI
checks credentials with this rule before any request; the fake exchange
(``okx_fakes``) checks what its socket-free ways in would send with it too; the module is public so
that the fake uses no private name of okx_ext.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["FIELD_VALUE", "is_sendable_header_value"]

#: h11's field-value: runs of ``[^\x00\s]`` separated by spaces or tabs (or nothing).
FIELD_VALUE: Final = re.compile(rb"(?:[^\x00\s]+(?:[ \t]+[^\x00\s]+)*)?")


def is_sendable_header_value(value: str) -> bool:
    """Return True if httpx and h11 would send ``value`` as a header value."""
    return value.isascii() and FIELD_VALUE.fullmatch(value.encode("ascii")) is not None
