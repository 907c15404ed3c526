"""Authentication, driven by :data:`AUTH_CHECKS`: each check in order, the first failure wins.

:data:`AUTH_ORDER` (code, what fails it) is the same table without the functions. A check
reads one request's :class:`Credentials`; the API key is looked up (through the
exchange's ``find_key``) only when the checks reach 50111.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from okx_fakes._accounts import FakeAccount
from okx_fakes._auth import is_epoch_digits, parse_timestamp, prehash, signature_matches
from okx_fakes._types import FakeRequest

__all__ = ["AUTH_CHECKS", "AUTH_ORDER", "AuthCheck", "Credentials", "KeyRecord", "authenticate"]


@dataclass(frozen=True)
class KeyRecord:
    """One API key as the exchange holds it: its secrets, environment, account, permissions."""

    secret: str = field(repr=False)
    passphrase: str = field(repr=False)
    demo: bool
    account: FakeAccount
    permissions: frozenset[str]

    def __repr__(self) -> str:
        # Snapshots and pytest's diffs show keys: never the secret or the passphrase.
        return f"KeyRecord(uid={self.account.uid!r})"


class Credentials:
    """One request's authentication headers, read once; ``key`` is set once it is found."""

    __slots__ = ("_find_key", "_max_skew_s", "_now", "api_key", "key", "passphrase", "request",
                 "sent_at", "signature", "timestamp")

    def __init__(self, request: FakeRequest, find_key: Callable[[str], KeyRecord | None],
                 now: Callable[[], float], max_skew_s: float | None) -> None:
        headers = request.headers
        self.request = request
        self.api_key = headers.get("ok-access-key") or ""
        self.signature = headers.get("ok-access-sign") or ""
        self.timestamp = headers.get("ok-access-timestamp") or ""
        self.passphrase = headers.get("ok-access-passphrase") or ""
        self.sent_at: float | None = None
        self.key: KeyRecord | None = None
        self._find_key = find_key
        self._now = now
        self._max_skew_s = max_skew_s

    def timestamp_readable(self) -> bool:
        """All digits (50102 next) or an OKX timestamp, which is then read into ``sent_at``."""
        if is_epoch_digits(self.timestamp):
            return True
        self.sent_at = parse_timestamp(self.timestamp)
        return self.sent_at is not None

    def timestamp_fresh(self) -> bool:
        """Not all digits, and within ``max_skew_s`` of the fake's clock (if bounded)."""
        if self.sent_at is None:  # epoch digits: OKX answers them 50102 (expired)
            return False
        return self._max_skew_s is None or abs(self.sent_at - self._now()) <= self._max_skew_s

    def key_known(self) -> bool:
        """Look the API key up; True if the exchange knows it."""
        self.key = self._find_key(self.api_key)
        return self.key is not None

    def passphrase_matches(self) -> bool:
        """Tell whether the passphrase is the key's (constant time)."""
        assert self.key is not None  # checked after key_known
        return hmac.compare_digest(self.passphrase.encode(), self.key.passphrase.encode())

    def environment_matches(self) -> bool:
        """``x-simulated-trading`` is "1" for a demo key, absent or "0" for a live one."""
        assert self.key is not None
        simulated = self.request.headers.get("x-simulated-trading")
        return simulated == "1" if self.key.demo else simulated in (None, "0")

    def signature_matches(self) -> bool:
        """Tell whether the signature is OKX's over timestamp, method, target and UTF-8 body."""
        assert self.key is not None
        request = self.request
        try:
            body = request.body.decode("utf-8")
        except UnicodeDecodeError:  # assumption: OKX cannot have signed it, so 50113
            return False
        message = prehash(self.timestamp, request.method, request.target, body)
        return signature_matches(self.key.secret, message, self.signature)


class AuthCheck(NamedTuple):
    """One step of authentication: the code answered when ``passes`` is False, and why."""

    code: str
    description: str
    passes: Callable[[Credentials], bool]


#: The order in which the fake checks authentication; the first failure is answered.
AUTH_CHECKS: tuple[AuthCheck, ...] = (
    AuthCheck("50103", "OK-ACCESS-KEY header missing or empty", lambda c: bool(c.api_key)),
    AuthCheck("50106", "OK-ACCESS-SIGN header missing or empty", lambda c: bool(c.signature)),
    AuthCheck("50107", "OK-ACCESS-TIMESTAMP header missing or empty",
              lambda c: bool(c.timestamp)),
    AuthCheck("50104", "OK-ACCESS-PASSPHRASE header missing or empty",
              lambda c: bool(c.passphrase)),
    AuthCheck("50112", "timestamp neither ISO-8601 UTC with milliseconds "
                       "(2024-01-02T03:04:05.678Z) nor all digits",
              Credentials.timestamp_readable),
    AuthCheck("50102", "timestamp all digits (epoch milliseconds, 1607417337715: "
                       "https://github.com/okxapi/python-okx/issues/55), "
                       "or more than max_skew_s away from the fake's clock",
              Credentials.timestamp_fresh),
    AuthCheck("50111", "API key unknown", Credentials.key_known),
    AuthCheck("50105", "passphrase does not match the key", Credentials.passphrase_matches),
    AuthCheck("50101", 'x-simulated-trading is not "1" for a demo key, or not absent/"0" for '
                       "a live key", Credentials.environment_matches),
    AuthCheck("50113", "signature is not base64(HMAC-SHA256(secret, ts + METHOD + "
                       "path?query + body))", Credentials.signature_matches),
)

#: :data:`AUTH_CHECKS` as (code, description) pairs: the order, for people and tests.
AUTH_ORDER: tuple[tuple[str, str], ...] = tuple(
    (check.code, check.description) for check in AUTH_CHECKS
)


def authenticate(request: FakeRequest, find_key: Callable[[str], KeyRecord | None],
                 now: Callable[[], float],
                 max_skew_s: float | None) -> tuple[str | None, KeyRecord | None]:
    """Return the first failing code of :data:`AUTH_CHECKS` (None: all pass) and the key if known.

    ``find_key`` maps an API key to its record (None if unknown); ``now`` is the fake's
    clock; ``max_skew_s`` bounds the timestamp's distance from it (None: unbounded).
    """
    credentials = Credentials(request, find_key, now, max_skew_s)
    for check in AUTH_CHECKS:
        if not check.passes(credentials):
            return check.code, credentials.key
    return None, credentials.key
