"""OKX's request signature and timestamp format: signed by FakeAccountAPI, verified by the model.

A signature is ``base64(HMAC-SHA256(secret, timestamp + METHOD + path?query + body))``
(python-okx's ``utils.sign(utils.pre_hash(...))``); a timestamp is ISO-8601 UTC with
milliseconds and a ``Z``, e.g. ``2024-01-02T03:04:05.678Z`` (``utils.get_timestamp()``).
"""

from __future__ import annotations

import base64
import hmac
import re
from datetime import datetime, timezone

__all__ = [
    "format_timestamp",
    "is_epoch_digits",
    "parse_timestamp",
    "prehash",
    "sign",
    "signature_matches",
]

# fromisoformat alone also takes other forms ("2024-01-02", "+01:00"): OKX does not.
_TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z")


def prehash(timestamp: str, method: str, target: str, body: str = "") -> str:
    """Return the message OKX signs: timestamp, upper-case method, path?query, body."""
    return timestamp + method.upper() + target + body


def sign(secret: str, message: str) -> str:
    """Return OKX's signature of ``message`` with ``secret``."""
    digest = hmac.digest(secret.encode(), message.encode(), "sha256")
    return base64.b64encode(digest).decode("ascii")


def signature_matches(secret: str, message: str, signature: str) -> bool:
    """Return True if ``signature`` is OKX's signature of ``message`` (constant time)."""
    return hmac.compare_digest(sign(secret, message).encode(), signature.encode())


def format_timestamp(epoch_s: float) -> str:
    """Return ``epoch_s`` as an OKX timestamp (milliseconds truncated, like python-okx)."""
    moment = datetime.fromtimestamp(epoch_s, timezone.utc).replace(tzinfo=None)
    return moment.isoformat("T", "milliseconds") + "Z"


def parse_timestamp(text: str) -> float | None:
    """Return the epoch seconds of an OKX timestamp, or None if ``text`` is not one.

    The date and time must exist: ``2023-02-29`` or a 60th second is None.
    """
    if _TIMESTAMP.fullmatch(text) is None:
        return None
    try:
        moment = datetime.fromisoformat(text[:-1])
    except ValueError:
        return None
    return moment.replace(tzinfo=timezone.utc).timestamp()


def is_epoch_digits(text: str) -> bool:
    """Return True if ``text`` is all ASCII digits, like epoch milliseconds ``1607417337715``.

    OKX answers such a timestamp 50102 (expired), not 50112 (https://github.com/okxapi/python-okx/issues/55).
    """
    return text.isascii() and text.isdigit()
