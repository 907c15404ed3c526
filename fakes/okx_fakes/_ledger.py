"""One account's books: the ledger every answer is derived from, changed by whole transactions.

Per currency the ledger holds, and nothing else:

* in the trading account (:class:`TradingRow`): cash (``cashBal``), what is frozen
  (``frozenBal``; the fake freezes only for open orders, so ``ordFrozen`` is the same),
  what is held as margin for positions (the margin modes only), what is borrowed
  (``liab``) and what may still be borrowed (``maxLoan``), and an optional pinned
  max-withdrawal answer;
* in the funding account (:class:`FundingRow`): a balance and the part of it that is frozen;
* transfers in flight (pending), held apart from both accounts;
* withdrawals: while one is pending its amount and fee are frozen in funding; once it
  succeeds they have left the exchange and count as withdrawn.

Every answer is derived from these quantities when it is asked for, never stored beside
them (:meth:`Ledger.entry`, :meth:`Ledger.balance_row`, :meth:`Ledger.funding_row`):

=================  ==============================  ===================  ==================
mode (acctLv)      ``maxWd``                       ``maxWdEx``          ``spotOffset*``
=================  ==============================  ===================  ==================
spot (1)           availBal                        maxWd + maxLoan      ``""``
futures (2)        max(0, availBal - margin)       ``""``               ``""``
multi_currency (3) max(0, availBal - margin)       maxWd + maxLoan      ``""``
portfolio (4)      max(0, availBal - margin)       maxWd + maxLoan      = maxWd / maxWdEx
=================  ==============================  ===================  ==================

with ``availBal = max(0, cashBal - frozenBal)`` (wire arithmetic: every recorded
``account/balance`` row). The rest is documented on the model page, each row sourced or
marked assumed.

A :class:`Ledger` is plain state: no lock, no knowledge of keys or requests. Its owner
(the exchange) holds one lock at its edge and calls one method per transaction. Every
method that changes the ledger checks everything first and then applies the change
whole, or raises with nothing changed; so a refused call needs no undo, and nothing ever
restores a snapshot to take one back.
Rows are immutable: a change replaces a row, so a snapshot is a shallow copy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Final

from okx_ext.text import preview
from okx_fakes._amounts import EXACT, format_amount
from okx_fakes._facts import ACCOUNT_LEVELS, Mode

__all__ = [
    "BORROWING_MODES",
    "FUNDING",
    "MARGIN_MODES",
    "PENDING",
    "SETTLED_STATES",
    "TRADING",
    "FundingRow",
    "Ledger",
    "LedgerState",
    "Sequences",
    "TradingRow",
    "TransferRecord",
    "WithdrawalEntry",
    "WithdrawalRecord",
]

ZERO: Final = Decimal(0)
# OKX docs (max-withdrawal): the modes that can borrow answer maxWdEx; portfolio also the
# spot-offset pair.
BORROWING_MODES: Final = frozenset({"spot", "multi_currency", "portfolio"})
_SPOT_OFFSET_MODES: Final = frozenset({"portfolio"})
# OKX docs (account/balance, max-withdrawal): the margin modes hold margin for positions,
# which lowers what may be withdrawn; spot mode holds none (assumption: no positions).
MARGIN_MODES: Final = frozenset({"futures", "multi_currency", "portfolio"})
# OKX funding docs (funds transfer): account type 6 is funding, 18 is trading.
FUNDING: Final = "6"
TRADING: Final = "18"
# OKX funding docs (transfer-state): a transfer is success, pending or failed.
PENDING: Final = "pending"
SETTLED_STATES: Final = ("success", "failed")


@dataclass(frozen=True)
class WithdrawalEntry:
    """The four answer strings for one currency (``""`` where OKX leaves a field empty)."""

    max_wd: str
    max_wd_ex: str
    spot_offset_max_wd: str
    spot_offset_max_wd_ex: str

    def as_okx(self, ccy: str) -> dict[str, str]:
        """Return the entry as it appears in OKX's ``data`` list."""
        return {
            "ccy": ccy,
            "maxWd": self.max_wd,
            "maxWdEx": self.max_wd_ex,
            "spotOffsetMaxWd": self.spot_offset_max_wd,
            "spotOffsetMaxWdEx": self.spot_offset_max_wd_ex,
        }

    def shifted(self, delta: Decimal) -> WithdrawalEntry:
        """Move every non-empty value by ``delta``, never below 0 (a transfer moves a pin)."""

        def move(value: str) -> str:
            return value and format_amount(max(ZERO, EXACT.add(Decimal(value), delta)))

        return WithdrawalEntry(move(self.max_wd), move(self.max_wd_ex),
                               move(self.spot_offset_max_wd), move(self.spot_offset_max_wd_ex))


@dataclass(frozen=True)
class TradingRow:
    """One currency of the trading account (exact amounts, each >= 0).

    ``cash`` is ``cashBal``; ``frozen`` is ``frozenBal`` (and ``ordFrozen``: the fake
    freezes for open orders only); ``margin`` is held for positions in the margin modes;
    ``liab`` is what is borrowed, ``max_loan`` what may still be borrowed. ``pin`` (from
    ``set_max_withdrawal``) replaces the derived max-withdrawal answer.
    """

    cash: Decimal = ZERO
    frozen: Decimal = ZERO
    margin: Decimal = ZERO
    liab: Decimal = ZERO
    max_loan: Decimal = ZERO
    pin: WithdrawalEntry | None = None
    # When the row last changed (the exchange's clock; 0: never stamped). Not state:
    # two rows holding the same amounts are equal whenever they were made.
    u_time: float = field(default=0.0, compare=False)
    # The answer in each mode, rendered on first use: a row never changes (a change is a
    # new row), and rendering is most of an answer's cost (20 currencies a request).
    _entries: dict[str, WithdrawalEntry] = field(init=False, repr=False, compare=False,
                                                 default_factory=dict)

    @property
    def avail_bal(self) -> Decimal:
        """``availBal = max(0, cashBal - frozenBal)`` (wire arithmetic)."""
        return max(ZERO, EXACT.subtract(self.cash, self.frozen))

    def max_wd(self, mode: str) -> Decimal:
        """Return what may move out without borrowing: availBal, less margin in the margin modes."""
        if mode in MARGIN_MODES:
            return max(ZERO, EXACT.subtract(self.avail_bal, self.margin))
        return self.avail_bal

    def entry(self, mode: str) -> WithdrawalEntry:
        """Return the max-withdrawal answer in ``mode`` (the pin, when one is set)."""
        if self.pin is not None:
            return self.pin
        cached = self._entries.get(mode)
        if cached is None:
            cached = self._entries[mode] = self._render(mode)
        return cached

    def _render(self, mode: str) -> WithdrawalEntry:
        max_wd = self.max_wd(mode)
        text = format_amount(max_wd)
        ex = format_amount(EXACT.add(max_wd, self.max_loan)) if mode in BORROWING_MODES else ""
        if mode in _SPOT_OFFSET_MODES:
            return WithdrawalEntry(text, ex, text, ex)
        return WithdrawalEntry(text, ex, "", "")


@dataclass(frozen=True)
class FundingRow:
    """One currency of the funding account: ``bal`` in all, ``frozen`` of it held."""

    bal: Decimal = ZERO
    frozen: Decimal = ZERO

    @property
    def avail_bal(self) -> Decimal:
        """``availBal = bal - frozenBal`` (OKX funding docs)."""
        return EXACT.subtract(self.bal, self.frozen)


@dataclass(frozen=True)
class TransferRecord:
    """One transfer the exchange made (only accepted transfers are recorded).

    ``from_``/``to`` are ``"18"`` (trading) or ``"6"`` (funding); ``loan`` is the
    ``loanTrans`` flag as understood and ``borrowed`` the part of ``amt`` it borrowed;
    ``client_id`` is ``""`` when none was sent; ``state`` is ``"success"`` (the fake
    settles at once), or ``"pending"`` after :meth:`FakeExchange.pend_next_transfers` until
    :meth:`FakeExchange.settle_transfer` makes it ``"success"`` or ``"failed"``; ``time``
    is the fake's clock.
    """

    trans_id: str
    client_id: str
    ccy: str
    amt: Decimal
    from_: str
    to: str
    loan: bool
    state: str
    time: float
    type: str = "0"
    borrowed: Decimal = field(default=ZERO, compare=False)

    def as_okx(self) -> dict[str, str]:
        """Return the row ``GET /api/v5/asset/transfer-state`` answers for it."""
        return {
            "amt": format_amount(self.amt), "ccy": self.ccy, "clientId": self.client_id,
            "from": self.from_, "instId": "", "state": self.state, "subAcct": "",
            "to": self.to, "toInstId": "", "transId": self.trans_id, "type": self.type,
        }


# Assumption: OKX's transfer ids are decimal numbers; the fake's start here and count up.
FIRST_TRANS_ID: Final = 1_000_001
# Assumption: withdrawal ids too (OKX's examples: "67485", "15447421").
FIRST_WD_ID: Final = 20_000_001

# OKX docs (withdrawal history): the state codes. Waiting: 0 (and 17, 19, 10, 4-9, 12, 7
# for reviews the fake does not model); final: 2 success, -1 failed, -2 canceled.
WD_WAITING: Final = "0"
WD_STATES: Final = {"success": "2", "failed": "-1", "canceled": "-2"}
WD_FINAL: Final = frozenset(WD_STATES.values())
# OKX docs (cancel withdrawal): only these states may be canceled.
WD_CANCELLABLE: Final = frozenset({"0", "17", "19"})
# OKX docs (withdrawal): dest 3 is internal (to another OKX user), 4 on chain.
INTERNAL: Final = "3"
ON_CHAIN: Final = "4"


@dataclass(frozen=True)
class WithdrawalRecord:
    """One withdrawal the exchange accepted: ``amt`` leaves with ``fee`` on top of it.

    ``dest`` is ``"3"`` (internal) or ``"4"`` (on chain); ``state`` is OKX's code (``"2"``
    success at once, or ``"0"`` waiting after :meth:`FakeExchange.pend_next_withdrawals`
    until settled or canceled: ``"-1"`` failed, ``"-2"`` canceled); ``tx_id`` is ``""``
    until an on-chain withdrawal succeeds (assumption: the fake's ids are ``0x`` and the
    wdId, hex).
    """

    wd_id: str
    client_id: str
    ccy: str
    chain: str
    amt: Decimal
    fee: Decimal
    dest: str
    to_addr: str
    area_code: str
    state: str
    time: float
    tx_id: str = ""

    @property
    def total(self) -> Decimal:
        """``amt + fee``: what leaves the funding account."""
        return EXACT.add(self.amt, self.fee)

    def as_answer(self) -> dict[str, str]:
        """Return the row ``POST /api/v5/asset/withdrawal`` answers (keys alphabetical)."""
        return {"amt": format_amount(self.amt), "ccy": self.ccy, "chain": self.chain,
                "clientId": self.client_id, "wdId": self.wd_id}

    def as_okx(self) -> dict[str, object]:
        """Return the row ``GET /api/v5/asset/withdrawal-history`` answers.

        Keys alphabetical, as private endpoints answer on the wire; the field set is OKX's
        docs example.
        """
        return {
            "amt": format_amount(self.amt), "areaCodeFrom": "", "areaCodeTo": self.area_code,
            "ccy": self.ccy, "chain": self.chain, "clientId": self.client_id,
            "fee": format_amount(self.fee), "feeCcy": self.ccy, "from": "",
            "nonTradableAsset": False, "note": "", "state": self.state,
            "to": self.to_addr, "toAddrType": "1", "ts": str(int(self.time * 1000)),
            "txId": self.tx_id, "wdId": self.wd_id,
        }


class Sequences:
    """What an exchange's ledgers share: the transfer-id counter, pending count, change stamps.

    Transfer ids are unique on the exchange. Every change to a ledger takes a fresh stamp,
    never handed out before, so two ledgers (or one at two moments) with the same stamp
    hold the same state: a restore skips every ledger whose stamp has not moved.
    Plain state, used under the exchange's lock.
    """

    def __init__(self, next_trans_id: int = FIRST_TRANS_ID) -> None:
        self.next_trans_id = next_trans_id
        self.pending_next = 0  # how many of the next accepted transfers stay pending
        self.next_wd_id = FIRST_WD_ID
        self.pending_withdrawals = 0  # how many of the next withdrawals stay waiting
        self._next_stamp = 1
        # The snapshot the ledgers last matched (taken or restored), and the ledgers
        # changed since: restoring that snapshot again visits only those.
        self.epoch = 0
        self.dirty: set[Ledger] = set()
        # The exchange's clock, for the time a trading row last changed (``uTime``).
        self.clock: Callable[[], float] = lambda: 0.0

    def __repr__(self) -> str:
        return f"Sequences(next_trans_id={self.next_trans_id})"

    def stamp(self) -> int:
        """Return a stamp never returned before."""
        self._next_stamp += 1
        return self._next_stamp

    def take_trans_id(self) -> str:
        """Return the next transfer id, as OKX writes it (a decimal string), and count on."""
        taken = self.next_trans_id
        self.next_trans_id += 1
        return str(taken)

    def take_pending(self) -> bool:
        """Return True (and count down) when the transfer being made stays pending."""
        if self.pending_next == 0:
            return False
        self.pending_next -= 1
        return True

    def take_wd_id(self) -> str:
        """Return the next withdrawal id, and count on."""
        taken = self.next_wd_id
        self.next_wd_id += 1
        return str(taken)

    def take_pending_withdrawal(self) -> bool:
        """Return True (and count down) when the withdrawal being made stays waiting."""
        if self.pending_withdrawals == 0:
            return False
        self.pending_withdrawals -= 1
        return True


@dataclass(frozen=True)
class LedgerState:
    """A ledger at one moment: what a snapshot keeps (immutable rows, shallow containers)."""

    mode: Mode
    trading: Mapping[str, TradingRow]
    funding: Mapping[str, FundingRow]
    transfers: tuple[TransferRecord, ...]
    stamp: int = field(compare=False, repr=False)
    withdrawals: tuple[WithdrawalRecord, ...] = ()
    withdrawn: Mapping[str, Decimal] = field(default_factory=dict)


class RefusedTransfer(Exception):
    """A transfer the ledger may not make: ``code`` is OKX's answer (nothing changed)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class Ledger:
    """One account's books (see the module docs): plain state, changed whole or not at all."""

    def __init__(self, mode: Mode, sequences: Sequences, uid: str = "") -> None:
        self.uid = uid
        self.mode: Mode = mode
        self.trading: dict[str, TradingRow] = {}
        self.funding: dict[str, FundingRow] = {}
        self.transfers: list[TransferRecord] = []
        self._by_id: dict[str, int] = {}        # transId -> index in transfers
        self._by_client: dict[str, int] = {}    # clientId -> index of its latest transfer
        self._pending: dict[str, int] = {}      # transId -> index, of those still pending
        self.withdrawals: list[WithdrawalRecord] = []
        self._wd_by_id: dict[str, int] = {}
        self._wd_by_client: dict[str, int] = {}
        self._wd_waiting: dict[str, int] = {}   # wdId -> index, of those still waiting
        self.withdrawn: dict[str, Decimal] = {}  # what has left the exchange, per currency
        self.sequences = sequences
        self.stamp = sequences.stamp()

    def __repr__(self) -> str:
        return f"Ledger(mode={self.mode!r}, currencies={list(self.trading)})"

    def _changed(self) -> None:
        self.stamp = self.sequences.stamp()
        self.sequences.dirty.add(self)

    # -- derived answers -----------------------------------------------------------------

    def row(self, ccy: str) -> TradingRow:
        """Return the trading row of ``ccy`` (all zeros for a currency never held)."""
        return self.trading.get(ccy, _NOTHING)

    def entry(self, ccy: str) -> WithdrawalEntry:
        """Return the max-withdrawal answer for one (upper-case, valid) currency."""
        return self.row(ccy).entry(self.mode)

    def transferable(self, ccy: str, loan: bool) -> Decimal:
        """Return the most a transfer of ``ccy`` from trading (18) to funding (6) may move.

        ``maxWd``; with ``loan`` in a borrowing mode ``maxWdEx`` when it is not ``""``. A
        pinned ``""`` counts as 0, so a pin bounds transfers as a derived answer does.
        """
        entry = self.entry(ccy)
        bound = entry.max_wd_ex if loan and self.mode in BORROWING_MODES else ""
        return Decimal(bound or entry.max_wd or 0)

    def in_flight(self, ccy: str) -> Decimal:
        """Return the sum of ``ccy``'s pending transfers: left one account, not yet the other."""
        total = ZERO
        for record in self.pending():
            if record.ccy == ccy:
                total = EXACT.add(total, record.amt)
        return total

    def pending(self) -> Iterator[TransferRecord]:
        """Return the transfers still pending, oldest first."""
        return (self.transfers[index] for index in self._pending.values())

    def find_transfer(self, trans_id: str, client_id: str) -> TransferRecord | None:
        """Return the transfer with ``trans_id``, else the latest with ``client_id``, or None.

        ``trans_id`` wins when both are given, as on OKX. Indexed: flat in the history.
        """
        if trans_id:
            index = self._by_id.get(trans_id)
        elif client_id:
            index = self._by_client.get(client_id)
        else:
            index = None
        return None if index is None else self.transfers[index]

    # -- transactions: checked, then applied whole -----------------------------------------

    def set_mode(self, mode: Mode) -> None:
        """Switch the mode; balances stay, answers follow the new mode's rules."""
        self.mode = mode
        self._changed()

    def put_trading(self, ccy: str, row: TradingRow) -> None:
        """Replace the trading row of ``ccy`` (the caller validated it)."""
        self.trading[ccy] = replace(row, u_time=self.sequences.clock())
        self._changed()

    def remove_trading(self, ccy: str) -> None:
        """Stop holding ``ccy`` in the trading account (unknown: nothing changes)."""
        if self.trading.pop(ccy, None) is not None:
            self._changed()

    def put_funding(self, ccy: str, row: FundingRow) -> None:
        """Set the funding row of ``ccy`` (the caller validated it), waiting withdrawals kept.

        What waiting withdrawals hold stays frozen on top of ``row``: seeding sets what is
        free and what else is frozen, never what a withdrawal has already taken.
        """
        held = self.withdrawal_holds(ccy)
        self.funding[ccy] = FundingRow(EXACT.add(row.bal, held), EXACT.add(row.frozen, held))
        self._changed()

    def withdrawal_holds(self, ccy: str) -> Decimal:
        """Return what waiting withdrawals of ``ccy`` hold frozen (amount and fee)."""
        total = ZERO
        for index in self._wd_waiting.values():
            record = self.withdrawals[index]
            if record.ccy == ccy:
                total = EXACT.add(total, record.total)
        return total

    def transfer(self, ccy: str, amt: Decimal, from_: str, to: str, *, loan: bool,
                 client_id: str, now: float) -> TransferRecord:
        """Move ``amt`` of ``ccy`` from ``from_`` to ``to``, or raise :class:`RefusedTransfer`.

        18 -> 6 above what may move (:meth:`transferable`) answers 58350 "Insufficient
        balance" (wire: ccxt/ccxt#14642, a transfer of the whole availBal); 6 -> 18 above
        the funding ``availBal`` answers 58116, the table's "Transfer exceeds the available
        amount" (assumption: the table's situation). The part above ``maxWd`` of a
        ``loanTrans`` transfer is borrowed: ``liab`` rises and ``maxLoan`` falls by it
        (assumption: OKX publishes no split). A pending transfer (see
        :meth:`Sequences.take_pending`) leaves the source now and reaches ``to`` when it
        settles.
        """
        if from_ == TRADING:
            if amt > self.transferable(ccy, loan):
                raise RefusedTransfer("58350")
            held = self.row(ccy)
            borrowed = max(ZERO, EXACT.subtract(amt, held.max_wd(self.mode)))
            source = replace(
                held,
                cash=EXACT.subtract(EXACT.add(held.cash, borrowed), amt),
                liab=EXACT.add(held.liab, borrowed),
                max_loan=max(ZERO, EXACT.subtract(held.max_loan, borrowed)),
                pin=None if held.pin is None else held.pin.shifted(EXACT.minus(amt)),
                u_time=now,
            )
            funding_source = None
        else:
            held_funding = self.funding.get(ccy, _NO_FUNDING)
            if amt > held_funding.avail_bal:
                raise RefusedTransfer("58116")
            borrowed = ZERO
            source = None
            funding_source = replace(held_funding, bal=EXACT.subtract(held_funding.bal, amt))
        # Checked: from here on nothing can refuse.
        if source is not None:
            self.trading[ccy] = source
        if funding_source is not None:
            self.funding[ccy] = funding_source
        pending = self.sequences.take_pending()
        if not pending:
            self._credit(ccy, amt, to)
        record = TransferRecord(self.sequences.take_trans_id(), client_id, ccy, amt, from_, to,
                                loan, PENDING if pending else "success", now,
                                borrowed=borrowed)
        self._append(record)
        self._changed()
        return record

    def settle(self, trans_id: str, state: str) -> TransferRecord:
        """Settle pending transfer ``trans_id``: success credits ``to``, failed returns it.

        A failed transfer's amount comes back as a transfer the other way would bring it
        (to trading as cash, nothing borrowed repaid). KeyError if none has the id,
        ValueError if it is not pending; nothing changes then.
        """
        index = self._by_id.get(trans_id)
        if index is None:
            raise KeyError(f"no transfer has transId {preview(trans_id)}")
        record = self.transfers[index]
        if record.state != PENDING:
            raise ValueError(f"transfer {trans_id} is {record.state}, not pending: it settles once")
        self._credit(record.ccy, record.amt, record.to if state == "success" else record.from_)
        settled = replace(record, state=state)
        self.transfers[index] = settled
        del self._pending[trans_id]
        self._changed()
        return settled

    def _credit(self, ccy: str, amt: Decimal, to: str) -> None:
        if to == FUNDING:
            held = self.funding.get(ccy, _NO_FUNDING)
            self.funding[ccy] = replace(held, bal=EXACT.add(held.bal, amt))
            return
        row = self.row(ccy)
        self.trading[ccy] = replace(row, cash=EXACT.add(row.cash, amt),
                                    u_time=self.sequences.clock(),
                                    pin=None if row.pin is None else row.pin.shifted(amt))

    def _append(self, record: TransferRecord) -> None:
        index = len(self.transfers)
        self.transfers.append(record)
        self._by_id[record.trans_id] = index
        if record.client_id:
            self._by_client[record.client_id] = index
        if record.state == PENDING:
            self._pending[record.trans_id] = index

    # -- withdrawals ----------------------------------------------------------------------

    def find_withdrawal(self, wd_id: str, client_id: str) -> WithdrawalRecord | None:
        """Return the withdrawal with ``wd_id``, else the latest with ``client_id``, or None."""
        if wd_id:
            index = self._wd_by_id.get(wd_id)
        elif client_id:
            index = self._wd_by_client.get(client_id)
        else:
            index = None
        return None if index is None else self.withdrawals[index]

    def withdraw(self, ccy: str, amt: Decimal, fee: Decimal, *, chain: str, dest: str,
                 to_addr: str, area_code: str, client_id: str,
                 now: float) -> WithdrawalRecord:
        """Take ``amt + fee`` out of funding, or raise :class:`RefusedTransfer` (58350).

        OKX docs: the fee is not included in ``amt``; the wire answers 58350
        "Insufficient balance" when the funding ``availBal`` cannot pay both
        (ccxt/ccxt#24554). A waiting withdrawal (see
        :meth:`Sequences.take_pending_withdrawal`) freezes them in funding until it
        settles; one that succeeds at once leaves at once.
        """
        held = self.funding.get(ccy, _NO_FUNDING)
        total = EXACT.add(amt, fee)
        if total > held.avail_bal:
            raise RefusedTransfer("58350")
        waiting = self.sequences.take_pending_withdrawal()
        wd_id = self.sequences.take_wd_id()
        record = WithdrawalRecord(wd_id, client_id, ccy, chain, amt, fee, dest, to_addr,
                                  area_code, WD_WAITING if waiting else WD_STATES["success"],
                                  now, "" if waiting else _tx_id(wd_id, dest))
        if waiting:
            self.funding[ccy] = replace(held, frozen=EXACT.add(held.frozen, total))
        else:
            self.funding[ccy] = replace(held, bal=EXACT.subtract(held.bal, total))
            self.withdrawn[ccy] = EXACT.add(self.withdrawn.get(ccy, ZERO), total)
        self._append_withdrawal(record)
        self._changed()
        return record

    def settle_withdrawal(self, wd_id: str, state: str) -> WithdrawalRecord:
        """Settle a waiting withdrawal as ``state`` ("success", "failed" or "canceled").

        Success: it leaves; failed or canceled: it returns to the funding ``availBal``.
        KeyError for an unknown id, ValueError for a withdrawal already final; nothing
        changes then.
        """
        index = self._wd_by_id.get(wd_id)
        if index is None:
            raise KeyError(f"no withdrawal has wdId {preview(wd_id)}")
        record = self.withdrawals[index]
        if record.state in WD_FINAL:
            raise ValueError(f"withdrawal {wd_id} is final (state {record.state}): it settles "
                             "once")
        code = WD_STATES[state]
        held = self.funding.get(record.ccy, _NO_FUNDING)
        frozen = EXACT.subtract(held.frozen, record.total)
        if code == WD_STATES["success"]:
            self.funding[record.ccy] = FundingRow(EXACT.subtract(held.bal, record.total), frozen)
            self.withdrawn[record.ccy] = EXACT.add(self.withdrawn.get(record.ccy, ZERO),
                                                   record.total)
            settled = replace(record, state=code, tx_id=_tx_id(wd_id, record.dest))
        else:
            self.funding[record.ccy] = replace(held, frozen=frozen)
            settled = replace(record, state=code)
        self.withdrawals[index] = settled
        del self._wd_waiting[wd_id]
        self._changed()
        return settled

    def _append_withdrawal(self, record: WithdrawalRecord) -> None:
        index = len(self.withdrawals)
        self.withdrawals.append(record)
        self._wd_by_id[record.wd_id] = index
        if record.client_id:
            self._wd_by_client[record.client_id] = index
        if record.state not in WD_FINAL:
            self._wd_waiting[record.wd_id] = index

    # -- snapshots ------------------------------------------------------------------------

    def state(self) -> LedgerState:
        """Return the ledger now; its rows are immutable, so shallow copies keep it."""
        return LedgerState(self.mode, dict(self.trading), dict(self.funding),
                           tuple(self.transfers), self.stamp, tuple(self.withdrawals),
                           dict(self.withdrawn))

    def restore(self, state: LedgerState) -> None:
        """Go back to ``state`` (skipped when the ledger has not changed since it was taken)."""
        if state.stamp == self.stamp:
            return
        self.mode = state.mode
        self.trading = dict(state.trading)
        self.funding = dict(state.funding)
        self.transfers = []
        self._by_id = {}
        self._by_client = {}
        self._pending = {}
        for record in state.transfers:
            self._append(record)
        self.withdrawals = []
        self._wd_by_id = {}
        self._wd_by_client = {}
        self._wd_waiting = {}
        for withdrawal in state.withdrawals:
            self._append_withdrawal(withdrawal)
        self.withdrawn = dict(state.withdrawn)
        self.stamp = state.stamp

    # -- reading many fields at one moment --------------------------------------------------

    def acct_lv(self) -> str:
        """OKX's account level for the mode ("1".."4")."""
        return ACCOUNT_LEVELS[self.mode]

    def totals(self, ccy: str) -> Decimal:
        """``cash + funding bal + in flight - liab + withdrawn``: what only deposits change."""
        row = self.row(ccy)
        funding = self.funding.get(ccy, _NO_FUNDING)
        held = EXACT.add(EXACT.add(row.cash, funding.bal), self.in_flight(ccy))
        return EXACT.add(EXACT.subtract(held, row.liab), self.withdrawn.get(ccy, ZERO))


def _tx_id(wd_id: str, dest: str) -> str:
    """Return the chain's transaction id of a withdrawal that left (internal ones have none)."""
    return f"0x{int(wd_id):064x}" if dest == ON_CHAIN else ""


_NOTHING: Final = TradingRow()
_NO_FUNDING: Final = FundingRow()
