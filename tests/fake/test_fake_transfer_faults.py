"""The faults a transfer meets, through the three ways in, which must agree.

A lost answer (a network fault ``after_answer``), a fault aimed at the transfer route,
and a pending transfer settled ``success`` or ``failed``: each runs through the drop-in
``FakeFundingAPI``, a real ``FundingAPI`` under ``install()``, and a real ``FundingAPI``
over HTTP with the control API injecting the faults.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fake_support import DEMO_KEY, DEMO_PASSPHRASE, DEMO_SECRET, funded_exchange
from okx.Funding import FundingAPI
from okx_fakes import FakeExchange, FakeFundingAPI, TransferRecord
from okx_fakes._faults import FaultQueue, code_fault

TRANSFER = "/api/v5/asset/transfer"
STATE = "/api/v5/asset/transfer-state"
BALANCES = "/api/v5/asset/balances"
MAX_WD = "/api/v5/account/max-withdrawal"
WAYS = ("drop-in", "install", "http")


class InProcess:
    """Faults and settlements on the exchange itself (drop-in and install())."""

    def __init__(self, exchange: FakeExchange) -> None:
        self.exchange = exchange

    def fail_next(self, code: str, path: str | None) -> None:
        self.exchange.fail_next(code, path=path)

    def drop(self, path: str | None, after_answer: bool) -> None:
        self.exchange.fail_next_network(path=path, after_answer=after_answer)

    def pend(self, times: int) -> None:
        self.exchange.pend_next_transfers(times)

    def settle(self, trans_id: str, state: str) -> dict[str, str]:
        return self.exchange.settle_transfer(trans_id, state).as_okx()


class OverHTTP:
    """The same through the control API."""

    def __init__(self, control: httpx.Client) -> None:
        self.control = control

    def _post(self, path: str, body: dict[str, Any], status: int) -> Any:
        answer = self.control.post(path, json=body)
        assert answer.status_code == status, answer.text
        return answer.json()

    def fail_next(self, code: str, path: str | None) -> None:
        self._post("/_fake/faults", {"code": code, "path": path}, 201)

    def drop(self, path: str | None, after_answer: bool) -> None:
        self._post("/_fake/faults", {"network": True, "path": path,
                                     "after_answer": after_answer}, 201)

    def pend(self, times: int) -> None:
        self._post("/_fake/transfers/pending", {"times": times}, 201)

    def settle(self, trans_id: str, state: str) -> dict[str, str]:
        return self._post(f"/_fake/transfers/{trans_id}/settle", {"state": state}, 200)


@contextmanager
def way_in(name: str) -> Iterator[tuple[FakeExchange, Any, Any]]:
    """A funded exchange, a funding client reaching it the ``name`` way, and its controls."""
    exchange = funded_exchange()
    credentials = (DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE)
    if name == "drop-in":
        yield exchange, FakeFundingAPI(*credentials, flag="1", exchange=exchange), InProcess(
            exchange)
    elif name == "install":
        with FundingAPI(*credentials, flag="1", debug=False) as api, exchange.install(api):
            yield exchange, api, InProcess(exchange)
    else:
        with (exchange.serve() as url,
              FundingAPI(*credentials, flag="1", domain=url, debug=False) as api,
              httpx.Client(base_url=url) as control):
            yield exchange, api, OverHTTP(control)


def transfer(api: Any, amt: str, client_id: str = "") -> Any:
    params = {"ccy": "BTC", "amt": amt, "from": "18", "to": "6"}
    if client_id:
        params["clientId"] = client_id
    return api._request_with_params("POST", TRANSFER, params)


def state_of(api: Any, **ids: str) -> Any:
    return api._request_with_params("GET", STATE, ids)


def books(exchange: FakeExchange) -> tuple[Decimal, Decimal, list[str]]:
    """BTC available in trading, BTC in funding, and each transfer's state."""
    account = exchange.account_for_key(DEMO_KEY)
    return (account.trading_balance("BTC").available, account.funding_balance("BTC"),
            [record.state for record in account.transfers])


def trail(exchange: FakeExchange) -> list[tuple[str, str, str | None, int | None]]:
    return [(r.method, r.path, r.code, r.status) for r in exchange.requests]


def plain_drop_error(name: str) -> type[Exception]:
    """What a plain network fault raises the ``name`` way: the lost answer must match it."""
    with way_in(name) as (_, api, control), pytest.raises(httpx.TransportError) as caught:
        control.drop(None, after_answer=False)
        api.get_balances("BTC")
    return type(caught.value)


# -- a lost answer ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", WAYS)
def test_a_lost_transfer_answer_moved_the_funds_and_says_nothing(name: str) -> None:
    with way_in(name) as (exchange, api, control):
        control.drop(TRANSFER, after_answer=True)
        assert api.get_balances("BTC")["data"] == []  # aimed at the transfer: passed by
        with pytest.raises(httpx.TransportError) as caught:
            transfer(api, "1", client_id="sweep1")
        found = state_of(api, clientId="sweep1")
        again = transfer(api, "0.25", client_id="sweep2")  # the fault was used up
    assert type(caught.value) is plain_drop_error(name)
    assert found["data"][0] | {"transId": "-"} == {
        "amt": "1", "ccy": "BTC", "clientId": "sweep1", "from": "18", "instId": "",
        "state": "success", "subAcct": "", "to": "6", "toInstId": "", "transId": "-",
        "type": "0"}
    assert again["code"] == "0"
    assert books(exchange) == (Decimal("0.25"), Decimal("1.25"), ["success", "success"])
    # Handled and recorded as answered: only the caller never saw it.
    assert trail(exchange) == [("GET", BALANCES, "0", 200), ("POST", TRANSFER, "0", 200),
                               ("GET", STATE, "0", 200), ("POST", TRANSFER, "0", 200)]


def test_a_plain_drop_is_connect_error_in_process_and_a_closed_socket_over_http() -> None:
    assert [plain_drop_error(name) for name in WAYS] == [
        httpx.ConnectError, httpx.ConnectError, httpx.RemoteProtocolError]


# -- a fault aimed at a route ------------------------------------------------------------------


@pytest.mark.parametrize("name", WAYS)
def test_an_aimed_fault_waits_for_its_route(name: str) -> None:
    with way_in(name) as (exchange, api, control):
        control.fail_next("50001", TRANSFER)
        control.fail_next("50013", None)  # not aimed: the next request whatever it is
        busy = api.get_balances("BTC")
        balances = api.get_balances("BTC")
        failed = transfer(api, "1")
        moved = transfer(api, "1")
    assert (busy["code"], balances["code"], failed["code"], moved["code"]) == (
        "50013", "0", "50001", "0")
    assert books(exchange) == (Decimal("0.5"), Decimal("1"), ["success"])
    assert trail(exchange) == [("GET", BALANCES, "50013", 429), ("GET", BALANCES, "0", 200),
                               ("POST", TRANSFER, "50001", 503), ("POST", TRANSFER, "0", 200)]


# -- pending, then settled -------------------------------------------------------------------


@pytest.mark.parametrize("name", WAYS)
@pytest.mark.parametrize(("settled", "after"), [
    ("success", (Decimal("0.5"), Decimal("1"))),
    ("failed", (Decimal("1.5"), Decimal("0"))),
])
def test_a_pending_transfer_then_settled(name: str, settled: str,
                                         after: tuple[Decimal, Decimal]) -> None:
    with way_in(name) as (exchange, api, control):
        control.pend(1)
        answer = transfer(api, "1", client_id="slow")
        trans_id = answer["data"][0]["transId"]
        pending = state_of(api, transId=trans_id)["data"][0]["state"]
        while_pending = books(exchange)
        settled_row = control.settle(trans_id, settled)
        final = state_of(api, clientId="slow")["data"][0]["state"]
        next_one = transfer(api, "0.5")  # the pending count was used up
    assert answer["code"] == "0"
    assert (pending, settled_row["state"], final) == ("pending", settled, settled)
    # While pending the amount has left trading and not reached funding (assumed).
    assert while_pending == (Decimal("0.5"), Decimal("0"), ["pending"])
    assert next_one["code"] == "0"
    available, funding = after
    assert books(exchange) == (available - Decimal("0.5"), funding + Decimal("0.5"),
                               [settled, "success"])


@pytest.mark.parametrize("name", WAYS)
def test_the_three_ways_leave_the_same_books_and_records(name: str) -> None:
    # One script mixing all three: every way must end in the one outcome pinned here.
    with way_in(name) as (exchange, api, control):
        control.pend(2)
        control.drop(TRANSFER, after_answer=True)
        with pytest.raises(httpx.TransportError):
            transfer(api, "0.5", client_id="a")
        second = transfer(api, "0.5", client_id="b")["data"][0]["transId"]
        first = state_of(api, clientId="a")["data"][0]["transId"]
        control.settle(first, "failed")
        control.settle(second, "success")
    assert books(exchange) == (Decimal("1"), Decimal("0.5"), ["failed", "success"])
    assert [(r.method, r.path, r.code) for r in exchange.requests] == [
        ("POST", TRANSFER, "0"), ("POST", TRANSFER, "0"), ("GET", STATE, "0")]


# -- the model's rules -------------------------------------------------------------------------


def test_a_pending_transfer_settles_once_and_unknown_ids_are_refused() -> None:
    exchange = funded_exchange()
    exchange.pend_next_transfers()
    api = FakeFundingAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, exchange=exchange)
    trans_id = api.funds_transfer("BTC", "1", "18", "6")["data"][0]["transId"]
    settled = exchange.settle_transfer(trans_id)
    assert isinstance(settled, TransferRecord) and settled.state == "success"
    with pytest.raises(ValueError, match=rf"transfer {trans_id} is success, not pending"):
        exchange.settle_transfer(trans_id, "failed")
    with pytest.raises(KeyError, match="no transfer has transId '999'"):
        exchange.settle_transfer("999")
    with pytest.raises(ValueError, match="state: expected one of success, failed, got 'pending'"):
        exchange.settle_transfer(trans_id, "pending")


def test_a_refused_transfer_does_not_use_up_the_pending_count() -> None:
    exchange = funded_exchange()
    exchange.pend_next_transfers()
    api = FakeFundingAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, exchange=exchange)
    assert api.funds_transfer("BTC", "99", "18", "6")["code"] == "58350"
    assert api.funds_transfer("BTC", "1", "18", "6")["code"] == "0"
    assert [t.state for t in exchange.account_for_key(DEMO_KEY).transfers] == ["pending"]


def test_a_failed_funding_to_trading_transfer_returns_to_funding() -> None:
    exchange = funded_exchange()
    account = exchange.account_for_key(DEMO_KEY)
    account.set_funding_balance("USDT", "100")
    exchange.pend_next_transfers()
    api = FakeFundingAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, exchange=exchange)
    trans_id = api.funds_transfer("USDT", "40", "6", "18")["data"][0]["transId"]
    assert (account.funding_balance("USDT"), account.entry("USDT").max_wd) == (60, "2500.25")
    exchange.settle_transfer(trans_id, "failed")
    assert (account.funding_balance("USDT"), account.entry("USDT").max_wd) == (100, "2500.25")


def test_restore_forgets_the_pending_count() -> None:
    exchange = funded_exchange()
    state = exchange.snapshot()
    exchange.pend_next_transfers(3)
    exchange.restore(state)
    api = FakeFundingAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, exchange=exchange)
    api.funds_transfer("BTC", "1", "18", "6")
    assert [t.state for t in exchange.account_for_key(DEMO_KEY).transfers] == ["success"]


def test_aimed_faults_are_taken_in_order_and_never_block_others() -> None:
    queue = FaultQueue()
    aimed, plain = code_fault("50001"), code_fault("50013")
    queue.push(aimed, 2, TRANSFER)
    queue.push(plain, 1)
    assert queue.pop(MAX_WD) is plain
    assert queue.pop(MAX_WD) is None
    assert [queue.pop(TRANSFER), queue.pop(TRANSFER), queue.pop(TRANSFER)] == [aimed, aimed, None]


@pytest.mark.parametrize("path", ["api/v5/asset/transfer", 7, TRANSFER + "?ccy=BTC"])
def test_a_fault_aimed_at_no_request_path_is_refused(path: object) -> None:
    exchange = FakeExchange()
    with pytest.raises(ValueError, match=r"^path: expected a request path such as "):
        exchange.fail_next(50001, path=path)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^path: "):
        exchange.fail_next_network(path=path)  # type: ignore[arg-type]


def test_after_answer_must_be_a_bool() -> None:
    with pytest.raises(ValueError, match="after_answer: expected true or false, got str"):
        FakeExchange().fail_next_network(after_answer="yes")  # type: ignore[arg-type]
