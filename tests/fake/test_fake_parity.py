"""FakeAccountAPI and FakeFundingAPI send what python-okx + httpx put on the wire; auth order."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import httpx
import okx.Account as Account
import okx.Funding as Funding
import pytest
from fake_support import DEMO_KEY, DEMO_PASSPHRASE, DEMO_SECRET, frozen_clock, funded_exchange
from freezegun import freeze_time
from hypothesis import given, settings
from hypothesis import strategies as st
from okx_fakes import (
    AUTH_ORDER,
    FakeAccountAPI,
    FakeExchange,
    FakeFundingAPI,
    FakeRequest,
    FakeResponse,
)


class CapturingExchange(FakeExchange):
    """Keeps every request handed to handle()."""

    def __init__(self, clock: Callable[[], float] | None = None) -> None:
        super().__init__(clock=clock, max_skew_s=None)
        self.seen: list[FakeRequest] = []

    def handle(self, request: FakeRequest) -> FakeResponse:
        self.seen.append(request)
        return super().handle(request)


def _sent(send: Callable[[], object], exchange: CapturingExchange) -> object:
    try:
        send()
    except httpx.InvalidURL as exc:  # httpx refuses control characters before sending
        return ("InvalidURL", str(exc))
    request = exchange.seen.pop()
    headers = {name: value for name, value in request.headers.items()
               if name not in ("accept", "accept-encoding", "connection", "host", "user-agent")}
    return request.method, request.target, headers, request.body


_ccy_args = st.one_of(
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=12),
    st.text(max_size=6),
    st.sampled_from(["", "BTC", "BTC,ETH", "BTC, ETH", "btc#x", "a b", "%41", "é", "\t"]),
)


@pytest.fixture(scope="module")
def real_clients() -> Iterator[dict[str, Account.AccountAPI]]:
    clients = {key: Account.AccountAPI(key, DEMO_SECRET, DEMO_PASSPHRASE, flag="1")
               for key in (DEMO_KEY, "-1")}
    yield clients
    for client in clients.values():
        client.close()


@settings(max_examples=60, deadline=None)
@given(ccy=_ccy_args, key=st.sampled_from([DEMO_KEY, "-1"]))
def test_fake_account_api_sends_what_the_sdk_sends(
    real_clients: dict[str, Account.AccountAPI], ccy: str, key: str
) -> None:
    with freeze_time("2024-05-01 12:00:00.123456"):
        exchange = CapturingExchange()
        fake = FakeAccountAPI(key, DEMO_SECRET, DEMO_PASSPHRASE, flag="1", exchange=exchange)
        real = real_clients[key]
        with exchange.install(real):
            assert _sent(lambda: fake.get_max_withdrawal(ccy), exchange) == _sent(
                lambda: real.get_max_withdrawal(ccy), exchange)


_transfer_args = st.fixed_dictionaries({
    "ccy": st.sampled_from(["BTC", "usdt", ""]),
    "amt": st.sampled_from(["1", "0.5", "", "-1", "1e3"]),
    "from_": st.sampled_from(["18", "6", "7"]),
    "to": st.sampled_from(["6", "18"]),
    "loanTrans": st.sampled_from(["", True, False, "true"]),
})


@settings(max_examples=40, deadline=None)
@given(transfer=_transfer_args, read=st.sampled_from(["transfer_state", "get_balances"]),
       read_arg=st.sampled_from(["", "BTC", "1000001", "BTC,ETH"]))
def test_fake_funding_api_sends_what_the_sdk_sends(
    transfer: dict[str, object], read: str, read_arg: str
) -> None:
    with freeze_time("2024-05-01 12:00:00.123456"):
        exchange = CapturingExchange()
        fake = FakeFundingAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, flag="1", exchange=exchange)
        with Funding.FundingAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, flag="1") as real:
            exchange.install(real)
            assert _sent(lambda: fake.funds_transfer(**transfer), exchange) == _sent(
                lambda: real.funds_transfer(**transfer), exchange)
            assert _sent(lambda: getattr(fake, read)(read_arg), exchange) == _sent(
                lambda: getattr(real, read)(read_arg), exchange)


def test_parity_check_notices_a_different_signature() -> None:
    with freeze_time("2024-05-01 12:00:00"):
        exchange = CapturingExchange()
        fake = FakeAccountAPI(DEMO_KEY, "other-secret", DEMO_PASSPHRASE, exchange=exchange)
        with Account.AccountAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, flag="1") as real:
            exchange.install(real)
            assert _sent(lambda: fake.get_max_withdrawal("BTC"), exchange) != _sent(
                lambda: real.get_max_withdrawal("BTC"), exchange)


# One defect per auth code, applied to a request that is otherwise valid.
DEFECTS: dict[str, Callable[[dict[str, str]], None]] = {
    "50103": lambda h: h.pop("ok-access-key"),
    "50106": lambda h: h.pop("ok-access-sign"),
    "50107": lambda h: h.pop("ok-access-timestamp"),
    "50104": lambda h: h.pop("ok-access-passphrase"),
    "50112": lambda h: h.update({"ok-access-timestamp": "2024-05-01 12:00:00"}),
    "50102": lambda h: h.update({"ok-access-timestamp": "2000-01-01T00:00:00.000Z"}),
    "50111": lambda h: h.update({"ok-access-key": "unknown"}),
    "50105": lambda h: h.update({"ok-access-passphrase": "wrong"}),
    "50101": lambda h: h.update({"x-simulated-trading": "0"}),
    "50113": lambda h: h.update({"ok-access-sign": "AAAA"}),
}


def _valid_request(exchange: FakeExchange) -> FakeRequest:
    """A request FakeAccountAPI signs at ``exchange``'s time (so the skew check passes)."""
    capture = CapturingExchange(clock=exchange.now)
    capture.add_account(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE)
    FakeAccountAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, exchange=capture).get_max_withdrawal(
        "BTC")
    return capture.seen[-1]


def _code_for(exchange: FakeExchange, request: FakeRequest, *codes: str) -> str:
    headers = dict(request.headers)
    for code in codes:
        DEFECTS[code](headers)
    body = exchange.handle(request._replace(headers=headers)).body
    return body.split(b'"code":"')[1].split(b'"')[0].decode()


def test_auth_order_is_the_documented_one() -> None:
    assert [code for code, _ in AUTH_ORDER] == list(DEFECTS)
    exchange = funded_exchange(frozen_clock())
    request = _valid_request(exchange)
    assert _code_for(exchange, request) == "0"
    for code in DEFECTS:
        assert _code_for(exchange, request, code) == code
    for earlier, later in itertools.combinations(DEFECTS, 2):
        if {earlier, later} == {"50112", "50102"}:
            continue  # both defects rewrite the same header
        assert _code_for(exchange, request, later, earlier) == earlier, (earlier, later)


@pytest.mark.parametrize("flag", ["0", "2", ""])
def test_demo_key_needs_flag_one(flag: str) -> None:
    exchange = funded_exchange(frozen_clock())
    api = FakeAccountAPI(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, flag=flag, exchange=exchange)
    assert api.get_max_withdrawal("BTC")["code"] == "50101"
