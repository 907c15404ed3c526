"""The fake exchange's core: its parts, one lock, and the transactions tests drive.

:class:`ExchangeModel` is made of parts, each with one job and no lock of its own:

* :class:`~okx_fakes._book.AccountBook`: API keys and the accounts (ledgers) they reach;
* :class:`~okx_fakes._faults.FaultQueue`: the injected faults;
* :class:`~okx_fakes._path.RequestPath`: the one request path (``handle``);
* :class:`~okx_fakes._path.RequestLog`: the record of handled requests;
* :class:`~okx_fakes._stubs.StubTable`: the stubbed answers for unmodelled requests;
* :class:`~okx_fakes._ratewindows.RateWindows`: the rate limits' windows.

The model holds the one lock, at its edge: each public method is one transaction, checked
first and applied whole under the lock, or refused with nothing changed; each read sees
one moment. Nothing restores a snapshot to undo a refused call. This is the core: it
imports no adapter. The ways in (``FakeAccountAPI``, the WSGI app, ``install()``, the
server) need only :meth:`ExchangeModel.handle` and :meth:`ExchangeModel.now`;
:class:`~okx_fakes.FakeExchange` adds them as methods.
"""

from __future__ import annotations

import datetime
import math
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from okx_ext.text import preview
from okx_fakes._accounts import FakeAccount
from okx_fakes._amounts import format_amount
from okx_fakes._authenticate import KeyRecord
from okx_fakes._book import AccountBook, BookState, NewKey, check_key
from okx_fakes._chains import ChainRow, chain_row
from okx_fakes._checks import FieldError, check_positive_int
from okx_fakes._facts import DEFAULT_MAX_SKEW_S, PERMISSIONS
from okx_fakes._faults import (
    Fault,
    FaultQueue,
    check_fault_path,
    code_fault,
    http_fault,
    network_fault,
)
from okx_fakes._ledger import (
    SETTLED_STATES,
    WD_STATES,
    Ledger,
    LedgerState,
    TransferRecord,
    WithdrawalRecord,
)
from okx_fakes._path import FallbackCall, RequestLog, RequestPath
from okx_fakes._ratewindows import RateWindows
from okx_fakes._routes import ROUTES, window_lengths
from okx_fakes._stubs import Stub, StubTable, make_stub
from okx_fakes._types import FakeRequest, FakeResponse, RequestRecord

__all__ = ["ExchangeModel", "ExchangeState", "default_clock"]


def default_clock() -> float:
    """Return now in epoch seconds from ``datetime.datetime.now(timezone.utc)``.

    python-okx signs with ``datetime``; the module attribute is read at each call, so
    freezegun (which freezes ``datetime`` in every thread, ``time.time`` not in threads)
    moves the fake's clock and the SDK's timestamps together.
    """
    return datetime.datetime.now(datetime.timezone.utc).timestamp()


@dataclass(frozen=True)
class ExchangeState:
    """What :meth:`FakeExchange.snapshot` returns and :meth:`FakeExchange.restore` takes.

    ``accounts`` maps each uid to its ledger's state (immutable rows); taking one copies
    containers, not amounts, and restoring one touches only the ledgers changed since.
    """

    # Keyed by API key: left out of comparisons, so that no diff (pytest's) ever prints one.
    keys: dict[str, KeyRecord] = field(repr=False, compare=False)
    accounts: dict[str, LedgerState] = field(default_factory=dict)
    next_uid: int = 0
    next_trans_id: int = 0
    book: BookState | None = field(default=None, repr=False, compare=False)

    def __repr__(self) -> str:
        # The keys hold secrets.
        return f"ExchangeState(accounts={len(self.accounts)}, keys={len(self.keys)})"


class ExchangeModel:
    """The model of :class:`~okx_fakes.FakeExchange`, without its ways in (see the module docs).

    The constructor's arguments (``clock``, ``max_skew_s``, ``max_records``) are documented
    on :class:`~okx_fakes.FakeExchange`, the public face. Thread-safe: one lock guards all
    state.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] | None = None,
        max_skew_s: float | None = DEFAULT_MAX_SKEW_S,
        max_records: int | None = None,
    ) -> None:
        if max_records is not None:
            check_positive_int("max_records", max_records)
        if max_skew_s is not None and (
            isinstance(max_skew_s, bool) or not isinstance(max_skew_s, (int, float))
            or not max_skew_s >= 0  # NaN too
        ):
            raise ValueError(f"max_skew_s must be a number >= 0 or None, got {max_skew_s!r}")
        self._clock = clock
        self.max_skew_s = max_skew_s
        self._lock = threading.Lock()
        self._book = AccountBook(self._lock)
        self._book.sequences.clock = self._row_time
        self._faults = FaultQueue()
        self._windows = RateWindows(window_lengths(ROUTES))
        self._log = RequestLog(max_records)
        self._stubs = StubTable()
        self._path = RequestPath(self._lock, self._book, self._faults, self._windows,
                                 self._log, self.now, lambda: self.max_skew_s, self._stubs)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(accounts={len(self._book.accounts)}, "
                f"keys={len(self._book.keys)})")

    def now(self) -> float:
        """Return the fake's clock, in epoch seconds (ValueError if it reads NaN or infinity)."""
        epoch_s = (self._clock or default_clock)()
        if not math.isfinite(epoch_s):  # NaN would freeze the rate window, silently
            raise ValueError(f"the exchange's clock returned {epoch_s!r}, not finite epoch seconds")
        return epoch_s

    def _row_time(self) -> float:
        """Return when a trading row changes (its ``uTime``): 0 when the clock is unreadable.

        Seeding must not fail on the clock: a row stamped 0 answers the request's time.
        """
        try:
            return self.now()
        except ValueError:
            return 0.0

    def handle(self, request: FakeRequest, fallback: FallbackCall | None = None) -> FakeResponse:
        """Answer one request: faults, routing, auth, rate limit, then the route's handler.

        Every request enters here, modelled or not. One the fake does not model is
        authenticated if it carries an API key, then answered by a stub (:meth:`stub`),
        else by ``fallback`` (an in-process adapter's; called outside the lock), else with
        the not-modelled 404 (see :mod:`okx_fakes._path`).
        """
        return self._path.handle(request, fallback)

    # -- keys and accounts ---------------------------------------------------------------

    def add_account(
        self,
        api_key: str,
        secret_key: str,
        passphrase: str,
        *,
        mode: str | None = None,
        demo: bool = True,
        uid: str | None = None,
        permissions: Iterable[str] = PERMISSIONS,
    ) -> FakeAccount:
        """Register an API key and return the account it belongs to.

        A new ``uid`` (default: a fresh deterministic one) creates an account in ``mode``
        (default "spot"). An existing ``uid`` adds a sub-key to that account, sharing its
        ledger, mode and rate limit; passing a different ``mode`` then raises ValueError.
        ``demo`` is per key: a demo key must send ``x-simulated-trading: 1``.
        ``permissions`` is per key too, a subset of ``("read", "trade", "withdraw")``:
        reads need "read", a transfer needs "trade" (else 50120); ValueError for anything
        else. Raises ValueError for a duplicate or empty ``api_key``, and for credentials no
        client can send: ``api_key`` and ``passphrase`` travel in HTTP headers (ASCII, no
        control character, no surrounding whitespace), ``secret_key`` is UTF-8 encoded to
        sign.
        """
        key = check_key(api_key, secret_key, passphrase, mode=mode, demo=demo, uid=uid,
                        permissions=permissions)
        (account,) = self.open_accounts([key])
        return account

    def open_accounts(self, keys: Sequence[NewKey]) -> list[FakeAccount]:
        """Add checked keys (see :func:`~okx_fakes._book.check_key`) in one transaction.

        Each key's ``setup`` seeds a new account's ledger before any request can see it.
        All are added, or none (ValueError).
        """
        with self._lock:
            return self._book.open(keys)

    def account(self, uid: str) -> FakeAccount:
        """Return the account with this uid (KeyError if none)."""
        with self._lock:
            return self._book.accounts[uid]

    def account_for_key(self, api_key: str) -> FakeAccount:
        """Return the account an API key belongs to (KeyError, the key not shown, if none)."""
        with self._lock:
            key = self._book.keys.get(api_key)
        if key is None:
            raise KeyError("no account has this api key (key not shown)")
        return key.account

    @property
    def accounts(self) -> list[FakeAccount]:
        """All accounts, in creation order."""
        with self._lock:
            return list(self._book.accounts.values())

    def summarize_accounts(self) -> list[dict[str, object]]:
        """Every account's uid, mode and trading currencies, read at one moment."""
        with self._lock:
            return [{"uid": uid, "mode": account._ledger.mode,
                     "currencies": list(account._ledger.trading)}
                    for uid, account in self._book.accounts.items()]

    def read_account(self, uid: str, reader: Callable[[Ledger], Any]) -> Any:
        """Return ``reader(ledger)`` for the account ``uid``, at one moment (KeyError if none).

        The reader runs under the exchange's lock: every field it reads belongs to one state.
        """
        with self._lock:
            return reader(self._book.ledger(self._book.accounts[uid]))

    def describe_account(self, uid: str) -> dict[str, object]:
        """One account's whole state at one moment, as the control API shows it.

        Trading rows (with the max-withdrawal entry each answers), funding rows, transfers.
        KeyError for an unknown uid.
        """
        described: dict[str, object] = self.read_account(uid, lambda ledger: _describe(uid, ledger))
        return described

    @property
    def requests(self) -> list[RequestRecord]:
        """A copy of the handled requests, oldest first (no secrets are ever recorded)."""
        with self._lock:
            return self._log.copy()

    # -- snapshots -----------------------------------------------------------------------

    def snapshot(self) -> ExchangeState:
        """Return the accounts, keys and balances as they are now, for :meth:`restore`.

        Read at one moment. Ledger rows are immutable, so the copy is of containers only.
        """
        with self._lock:
            book = self._book.state()
        return ExchangeState(dict(book.keys), dict(book.ledgers), book.next_uid,
                             book.next_trans_id, book)

    def restore(self, state: ExchangeState, *, keep_activity: bool = False) -> None:
        """Go back to ``state``: accounts, keys, balances; no faults, stubs, records or windows.

        The next uid and the next transfer id are the state's too. Accounts in ``state``
        keep their identity (a held ``FakeAccount`` sees the restored balances); accounts
        added since are dropped. Ledgers unchanged since ``state`` are not touched, so the
        cost grows with what changed, not with what the exchange holds. ``keep_activity``
        keeps the queued faults and pending count, the stubs, the records and the rate
        windows.
        """
        book = state.book or BookState(state.keys, state.accounts, state.next_uid,
                                       state.next_trans_id, -1)
        with self._lock:
            self._book.restore(book)
            if keep_activity:
                return
            self._book.sequences.pending_next = 0
            self._book.sequences.pending_withdrawals = 0
            self._faults.clear()
            self._stubs.clear()
            self._log.clear()
            self._windows.clear()

    def reset_requests(self) -> None:
        """Forget recorded requests (the rate-limit windows are kept)."""
        with self._lock:
            self._log.clear()

    def reset_rate_limits(self) -> None:
        """Empty every rate-limit window."""
        with self._lock:
            self._windows.clear()

    # -- faults ------------------------------------------------------------------------

    def fail_next(self, code: str | int, *, times: int = 1, msg: str | None = None,
                  path: str | None = None) -> None:
        """Answer the next ``times`` requests with OKX error ``code`` (status from the table).

        ``msg`` defaults to the table's message. Faults queue in FIFO order with the other
        ``fail_next_*`` calls and apply before authentication. ``path`` aims the fault: it
        waits for a request to that path (e.g. ``"/api/v5/asset/transfer"``), other
        requests pass it by; None (the default) takes whatever request comes next. Any
        path, modelled or not (a stubbed or fallback-bound request takes it too), the
        same in-process and over HTTP.
        ValueError for an unknown code, a ``path`` with a query or a space, or a ``msg``
        that is not a str encodable as UTF-8 (the body is UTF-8 JSON).
        """
        self._enqueue(code_fault(code, msg), times, path)

    def fail_next_http(
        self,
        status: int,
        body: bytes | str,
        *,
        times: int = 1,
        content_type: str = "text/html; charset=utf-8",
        path: str | None = None,
    ) -> None:
        """Answer the next ``times`` requests with a raw HTTP ``status`` and ``body``.

        ``path`` aims the fault as for :meth:`fail_next`. ValueError for a status outside
        100-599, a ``body`` neither bytes nor a str encodable as UTF-8, a ``content_type``
        no HTTP client could receive as a header value (non-ASCII, a control character
        such as a line break), or a ``path`` with a query or a space.
        """
        self._enqueue(http_fault(status, body, content_type), times, path)

    def fail_next_network(self, times: int = 1, *, path: str | None = None,
                          after_answer: bool = False) -> None:
        """Drop the connection on the next ``times`` requests (to ``path``, if given).

        ``install()`` and ``FakeAccountAPI`` raise ``httpx.ConnectError``; ``serve()``
        closes the socket without answering (httpx then raises ``RemoteProtocolError``).
        With ``after_answer`` the request is first handled as usual (a transfer moves and
        is recorded, the request too) and only its answer is lost: the caller sees the
        same error as for a plain drop, as when OKX applies a transfer whose answer never
        arrives. ``path`` aims the fault as for :meth:`fail_next`.
        """
        self._enqueue(network_fault(after_answer), times, path)

    def pend_next_transfers(self, times: int = 1) -> None:
        """Leave the next ``times`` accepted transfers ``pending`` until :meth:`settle_transfer`.

        Such a transfer answers success with its transId as usual, and
        ``transfer-state`` shows it ``pending``. Meanwhile the amount has left the source
        account and not reached the destination: it is in flight, held apart (an
        assumption: OKX publishes no balances for a pending transfer; debiting at once is
        what lets a failed one "return" the amount, and never shows money in two places).
        Refused transfers do not count. :meth:`restore` forgets what is left of the count.
        """
        check_positive_int("times", times)
        with self._lock:
            self._book.sequences.pending_next += times

    def settle_transfer(self, trans_id: str, state: str = "success") -> TransferRecord:
        """Settle a pending transfer as ``state``, and return its settled record.

        ``"success"`` credits the destination; ``"failed"`` returns the amount to the
        source (to trading as cash, as a transfer back would). KeyError when no account
        has a transfer ``trans_id``; ValueError for another ``state``, or a transfer that
        is not pending (it settled already). Nothing changes on a refusal.
        """
        if state not in SETTLED_STATES:
            raise FieldError("state", f"expected one of {', '.join(SETTLED_STATES)}, "
                                      f"got {preview(state)}")
        with self._lock:
            ledger = self._holder(lambda ledger: ledger.find_transfer(str(trans_id), ""))
            if ledger is not None:
                return ledger.settle(str(trans_id), state)
        raise KeyError(f"no transfer has transId {preview(trans_id)}")

    def _holder(self, find: Callable[[Ledger], object]) -> Ledger | None:
        """Return the ledger in which ``find`` finds something (the caller holds the lock)."""
        for account in self._book.accounts.values():
            ledger = self._book.ledger(account)
            if find(ledger) is not None:
                return ledger
        return None

    def pend_next_withdrawals(self, times: int = 1) -> None:
        """Leave the next ``times`` accepted withdrawals waiting (state ``"0"``).

        Until :meth:`settle_withdrawal` (or a cancel) their amount and fee are frozen in
        funding (an assumption: OKX publishes states, not balance movements). Refused
        withdrawals do not count; :meth:`restore` forgets what is left of the count.
        """
        check_positive_int("times", times)
        with self._lock:
            self._book.sequences.pending_withdrawals += times

    def settle_withdrawal(self, wd_id: str, state: str = "success") -> WithdrawalRecord:
        """Settle a waiting withdrawal as ``"success"``, ``"failed"`` or ``"canceled"``.

        Success: it leaves the exchange (counted as withdrawn) and gets a ``txId`` if on
        chain; failed or canceled: amount and fee are free again in funding. KeyError for
        an unknown ``wd_id``, ValueError for another ``state`` or a final withdrawal.
        """
        if state not in WD_STATES:
            raise FieldError("state", f"expected one of {', '.join(WD_STATES)}, "
                                      f"got {preview(state)}")
        with self._lock:
            ledger = self._holder(lambda ledger: ledger.find_withdrawal(str(wd_id), ""))
            if ledger is not None:
                return ledger.settle_withdrawal(str(wd_id), state)
        raise KeyError(f"no withdrawal has wdId {preview(wd_id)}")

    def set_chain(self, ccy: str, chain: str, **rules: Any) -> ChainRow:
        """Add or replace the chain ``chain`` of ``ccy`` in the chain table; return its row.

        ``rules`` are :func:`~okx_fakes._chains.chain_row`'s: ``fee``, ``min_wd``,
        ``max_wd`` (required), ``wd_tick_sz``, ``min_internal``, ``can_wd``,
        ``can_internal``, ``main_net``, ``name``. ValueError/TypeError naming the field.
        """
        row = chain_row(ccy, chain, **rules)
        with self._lock:
            self._book.chains[(row.ccy, row.chain)] = row
        return row

    @property
    def chains(self) -> list[ChainRow]:
        """The chain table, in the order rows were first set."""
        with self._lock:
            return list(self._book.chains.values())

    def clear_faults(self) -> None:
        """Drop every queued fault."""
        with self._lock:
            self._faults.clear()

    def _enqueue(self, fault: Fault, times: int, path: str | None = None) -> None:
        check_positive_int("times", times)  # before the lock: a refusal queues nothing
        check_fault_path(path)
        with self._lock:
            self._faults.push(fault, times, path)


    # -- stubs -------------------------------------------------------------------------

    def stub(self, method: str, path: str, *, query: dict[str, str] | None = None,
             status: int = 200, json: Any, times: int | None = None) -> Stub:
        """Answer ``method path`` with ``status`` and the JSON body ``json``; return the stub.

        For a path the fake does not model (the ticker, say): a request matching it goes
        through faults and authentication (when it carries an API key) as any other, then
        takes the stub's answer, recorded with the body's ``code``. ``query`` (e.g.
        ``{"instId": "BTC-USDT"}``) must be a subset of the request's decoded query
        parameters (None: any query). ``times`` answers that many requests, then the stub
        is dropped (None: unlimited). The oldest matching stub answers first. A stub comes
        before the ``fallback=`` of ``install()``. The returned :class:`~okx_fakes.Stub`
        counts its ``calls``. ValueError for a path the fake models (the model answers
        it; fail it with a fault), a path with a query or a space, a status outside
        100-599, ``times`` not a positive int, ``query`` not str to str, or ``json`` not a
        JSON value. :meth:`restore` (and the fixtures' reset) drops every stub.
        """
        checked = make_stub(method, path, query=query, status=status, json=json, times=times)
        with self._lock:
            self._stubs.add(checked)
        return checked

    @property
    def stubs(self) -> list[Stub]:
        """The stubs still answering, oldest first (a copy of the list, the stubs themselves)."""
        with self._lock:
            return self._stubs.copy()

    def describe_stubs(self) -> list[dict[str, object]]:
        """Return the stubs still answering as the control API lists them, at one moment."""
        with self._lock:  # calls and remaining change together, under the lock
            return [stub.as_json() for stub in self._stubs.copy()]

    def clear_stubs(self) -> None:
        """Drop every stub."""
        with self._lock:
            self._stubs.clear()


def _describe(uid: str, ledger: Ledger) -> dict[str, object]:
    trading = []
    for ccy, row in ledger.trading.items():
        trading.append({
            "ccy": ccy,
            "available": format_amount(row.avail_bal),
            "borrowable": format_amount(row.max_loan),
            "borrowed": format_amount(row.liab),
            "cash": format_amount(row.cash),
            "frozen": format_amount(row.frozen),
            "margin": format_amount(row.margin),
            "maxWithdrawal": ledger.entry(ccy).as_okx(ccy),
        })
    funding = [{"ccy": ccy, "availBal": format_amount(row.avail_bal),
                "frozenBal": format_amount(row.frozen)}
               for ccy, row in ledger.funding.items() if row.bal > 0]
    return {"uid": uid, "mode": ledger.mode, "trading": trading, "funding": funding,
            "transfers": [record.as_okx() for record in ledger.transfers],
            "withdrawals": [record.as_okx() for record in ledger.withdrawals],
            "withdrawn": [{"ccy": ccy, "amt": format_amount(amount)}
                          for ccy, amount in ledger.withdrawn.items()]}
