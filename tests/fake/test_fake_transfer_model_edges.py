"""The transfer model at its edges: ids, pending counts, lookups, pinned values, settling."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest
from fake_support import DEMO_KEY, DEMO_PASSPHRASE, DEMO_SECRET
from okx_fakes import FakeAccount, FakeExchange, Ledger, TransferRecord


def _account(mode: str = "multi_currency") -> tuple[FakeExchange, FakeAccount]:
    exchange = FakeExchange(max_skew_s=None)
    account = exchange.add_account(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, mode=mode)
    account.set_max_withdrawal("BTC", "1", "3", "0.5")  # spotOffsetMaxWdEx ""
    account.set_funding_balance("BTC", "10")
    return exchange, account


@contextmanager
def _locked(exchange: FakeExchange, account: FakeAccount) -> Iterator[Ledger]:
    """The account's ledger as route handlers see it, under its exchange's lock."""
    with exchange._lock:
        yield exchange._book.ledger(account)


def _move(exchange: FakeExchange, account: FakeAccount, amt: str, from_: str = "6",
          to: str = "18", client_id: str = "") -> TransferRecord:
    with _locked(exchange, account) as locked:
        record = locked.transfer("BTC", Decimal(amt), from_, to, loan=False,
                                 client_id=client_id, now=0.0)
    assert record is not None
    return record


def test_transfer_ids_count_up_by_one() -> None:
    exchange, account = _account()
    ids = [_move(exchange, account, "1").trans_id for _ in range(3)]
    assert ids == ["1000001", "1000002", "1000003"]


def test_pending_counts_add_up() -> None:
    exchange, account = _account()
    exchange.pend_next_transfers(1)
    exchange.pend_next_transfers(1)  # two now, not one
    states = [_move(exchange, account, "1").state for _ in range(3)]
    assert states == ["pending", "pending", "success"]


def test_a_credit_to_trading_moves_the_pinned_answer_with_it() -> None:
    exchange, account = _account()
    _move(exchange, account, "2")  # funding -> trading
    entry = account.entry("BTC")
    assert (entry.max_wd, entry.max_wd_ex, entry.spot_offset_max_wd,
            entry.spot_offset_max_wd_ex) == ("3", "5", "2.5", "")  # "" stays ""


def test_transferable_is_max_wd_unless_loan_is_asked() -> None:
    _, account = _account()
    assert account.transferable("btc") == Decimal("1")
    assert account.transferable("btc", loan=True) == Decimal("3")


def test_find_transfer_by_trans_id_by_client_id_or_neither() -> None:
    exchange, account = _account()
    first = _move(exchange, account, "1", client_id="XXXX")  # any clientId, even a placeholder's
    second = _move(exchange, account, "1", client_id="b2")
    assert account.find_transfer(first.trans_id) == first
    assert account.find_transfer(client_id="b2") == second
    assert account.find_transfer(client_id="nope") is None
    assert account.find_transfer() is None  # neither id: nothing, whatever ids exist
    with _locked(exchange, account) as locked:
        assert locked.find_transfer("", "nope") is None


def test_settling_an_unknown_trans_id_is_a_key_error_naming_it() -> None:
    exchange, account = _account()
    _move(exchange, account, "1")
    with _locked(exchange, account) as locked, pytest.raises(KeyError,
                                                   match="no transfer has transId '999'"):
        locked.settle("999", "success")
