"""Keys and accounts: who may call the exchange and the ledger each key reaches.

:class:`AccountBook` is plain state, used under the exchange's one lock. Opening accounts
is a transaction like any other: :meth:`AccountBook.open` checks every key of a batch
first (free, well formed, modes agreeing) and then adds them all, or raises with nothing
added. A snapshot (:class:`BookState`) is shallow: keys are immutable records and each
ledger keeps its own immutable rows; restoring skips every ledger whose change stamp has
not moved, so a reset costs what the test changed, not what the exchange holds.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from okx_fakes._accounts import FakeAccount, check_mode
from okx_fakes._authenticate import KeyRecord
from okx_fakes._chains import DEFAULT_CHAINS, ChainRow
from okx_fakes._facts import PERMISSIONS, Mode
from okx_fakes._ledger import Ledger, LedgerState, Sequences
from okx_fakes._wire import is_sendable_header_value

__all__ = ["AccountBook", "BookState", "NewKey", "check_key"]

_FIRST_UID = 100_000_000_000_001  # assumption: OKX user ids look like 15+ digit numbers


@dataclass(frozen=True)
class NewKey:
    """One API key to add: credentials, environment, permissions, and its account's uid/mode.

    ``setup`` (optional) seeds the ledger of the key's account (new or shared) before anyone
    can see it: it runs inside the opening transaction and must not raise (check first).
    """

    api_key: str = field(repr=False)
    secret_key: str = field(repr=False)
    passphrase: str = field(repr=False)
    mode: Mode | None
    demo: bool
    uid: str | None
    permissions: frozenset[str]
    setup: Callable[[Ledger], None] | None = field(default=None, compare=False)


def check_key(api_key: object, secret_key: object, passphrase: object, *, mode: object,
              demo: bool, uid: object, permissions: Iterable[str]) -> NewKey:
    """Validate one key's fields (nothing held by the exchange is read); ValueError if bad.

    ``api_key`` and ``passphrase`` travel in HTTP headers (ASCII, no control character,
    no surrounding whitespace), ``secret_key`` is UTF-8 encoded to sign.
    """
    for name, value in (("api_key", api_key), ("secret_key", secret_key),
                        ("passphrase", passphrase)):
        if not isinstance(value, str) or not value:
            raise ValueError(f"{name} must be a non-empty str")
    assert isinstance(api_key, str) and isinstance(secret_key, str)
    assert isinstance(passphrase, str)
    for name, value in (("api_key", api_key), ("passphrase", passphrase)):
        if not is_sendable_header_value(value):
            raise ValueError(f"{name} cannot be sent in an HTTP header (non-ASCII, control "
                             "character or surrounding whitespace; value not shown)")
    try:
        secret_key.encode()
    except UnicodeEncodeError:
        raise ValueError("secret_key is not encodable as UTF-8 (value not shown)") from None
    checked_mode = None if mode is None else check_mode(mode)
    if uid is not None and (not isinstance(uid, str) or not uid):
        raise ValueError("uid must be a non-empty str")
    return NewKey(api_key, secret_key, passphrase, checked_mode, bool(demo), uid,
                  check_permissions(permissions))


def check_permissions(permissions: Iterable[str]) -> frozenset[str]:
    """Return ``permissions`` as a set, if each is one of :data:`PERMISSIONS`; else ValueError."""
    if isinstance(permissions, str):  # "read" would otherwise be the set {"r", "e", "a", "d"}
        raise ValueError(f"permissions must be a collection such as {PERMISSIONS}, not a str")
    granted = frozenset(permissions)
    unknown = granted - set(PERMISSIONS)
    if unknown:
        raise ValueError(f"unknown permissions {', '.join(sorted(map(repr, unknown)))}: "
                         f"expected a subset of {PERMISSIONS}")
    return granted


@dataclass(frozen=True)
class BookState:
    """The book at one moment: keys, each account's ledger state, the counters."""

    keys: Mapping[str, KeyRecord]
    ledgers: Mapping[str, LedgerState]
    next_uid: int
    next_trans_id: int
    keys_stamp: int
    chains: Mapping[tuple[str, str], ChainRow] = field(default_factory=dict)
    next_wd_id: int = 0
    epoch: int = 0


class AccountBook:
    """API keys and the accounts they reach (see the module docs). Plain state: no lock."""

    def __init__(self, lock: threading.Lock) -> None:
        self._lock = lock
        self.sequences = Sequences()
        self.keys: dict[str, KeyRecord] = {}
        self.accounts: dict[str, FakeAccount] = {}
        self.next_uid = _FIRST_UID
        self._keys_stamp = self.sequences.stamp()
        # The chains withdrawals go out on, exchange-wide: (ccy, chain) -> row.
        self.chains: dict[tuple[str, str], ChainRow] = {
            (row.ccy, row.chain): row for row in DEFAULT_CHAINS}

    def __repr__(self) -> str:
        return f"AccountBook(accounts={len(self.accounts)}, keys={len(self.keys)})"

    def open(self, batch: Sequence[NewKey]) -> list[FakeAccount]:
        """Add every key of ``batch`` in order, and return each key's account; all or nothing.

        A new ``uid`` (None: a fresh one) opens an account in the key's mode (default
        "spot"); a known one adds a sub-key sharing its ledger, and must not name another
        mode. ValueError for a key already registered (or twice in the batch) or a mode
        that disagrees, with nothing added.
        """
        planned: dict[str, Mode] = {}       # uid -> mode, of the accounts this batch opens
        uids: list[str] = []
        next_uid = self.next_uid
        seen: set[str] = set()
        for key in batch:
            if key.api_key in self.keys or key.api_key in seen:
                raise ValueError("this api_key is already registered on the exchange")
            seen.add(key.api_key)
            uid = key.uid
            if uid is None:
                while str(next_uid) in self.accounts or str(next_uid) in planned:
                    next_uid += 1
                uid = str(next_uid)
                next_uid += 1
            known = self.accounts.get(uid)
            mode = known.mode if known is not None else planned.get(uid)
            if mode is None:
                planned[uid] = key.mode or "spot"
            elif key.mode is not None and key.mode != mode:
                raise ValueError(
                    f"uid {uid!r} is a {mode!r} account; cannot add a key as {key.mode!r}")
            uids.append(uid)
        # Checked: from here on nothing can refuse.
        opened: list[FakeAccount] = []
        for key, uid in zip(batch, uids, strict=True):
            account = self.accounts.get(uid)
            if account is None:
                account = FakeAccount(uid, Ledger(planned[uid], self.sequences, uid), self._lock)
                self.accounts[uid] = account
            if key.setup is not None:
                key.setup(account._ledger)
            self.keys[key.api_key] = KeyRecord(key.secret_key, key.passphrase, key.demo,
                                               account, key.permissions)
            opened.append(account)
        self.next_uid = next_uid
        self._keys_stamp = self.sequences.stamp()
        return opened

    def ledger(self, account: FakeAccount) -> Ledger:
        """Return the ledger behind ``account``."""
        return account._ledger

    def state(self) -> BookState:
        """Return the book now (shallow: keys and ledger rows are immutable).

        The state opens an epoch: until another snapshot or restore, the ledgers changed
        since are tracked, so that restoring it visits only them.
        """
        sequences = self.sequences
        sequences.epoch = sequences.stamp()
        sequences.dirty.clear()
        return BookState(
            dict(self.keys),
            {uid: account._ledger.state() for uid, account in self.accounts.items()},
            self.next_uid,
            self.sequences.next_trans_id,
            self._keys_stamp,
            dict(self.chains),
            self.sequences.next_wd_id,
            sequences.epoch,
        )

    def restore(self, state: BookState) -> None:
        """Go back to ``state``: its keys, accounts (same identities), ledgers and counters.

        Accounts added since are dropped; ledgers unchanged since are not touched. Going
        back to the state the ledgers last matched (the usual per-test reset) visits only
        the ledgers changed since: its cost grows with what the test changed, not with
        what the exchange holds.
        """
        sequences = self.sequences
        if (state.epoch and state.epoch == sequences.epoch
                and state.keys_stamp == self._keys_stamp):
            for ledger in sequences.dirty:
                ledger.restore(state.ledgers[ledger.uid])
        else:
            if state.keys_stamp != self._keys_stamp:
                self.keys = dict(state.keys)
                accounts = {key.account.uid: key.account for key in self.keys.values()}
                self.accounts = {uid: accounts[uid] for uid in state.ledgers}
                self._keys_stamp = state.keys_stamp
            for uid, ledger_state in state.ledgers.items():
                self.accounts[uid]._ledger.restore(ledger_state)
        sequences.epoch = state.epoch
        sequences.dirty.clear()
        self.next_uid = state.next_uid
        self.sequences.next_trans_id = state.next_trans_id
        if state.next_wd_id:
            self.sequences.next_wd_id = state.next_wd_id
            self.chains = dict(state.chains)
