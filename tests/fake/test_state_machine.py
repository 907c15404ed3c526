"""A Hypothesis state machine over FakeExchange: the answer model and the rate limit hold in
every reachable state.

The machine keeps its own model of the exchange (keys, accounts, what each currency was set
to, the times of requests that reached the rate limit) and drives the fake through
FakeAccountAPI on a simulated clock. Time moves in steps of 1/64 s, exact in binary floating
point, so the 2-second window has no rounding at its edge.
"""

from __future__ import annotations

import decimal
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import client_strategies as client_st
import httpx
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
)
from okx_fakes import (
    RATE_LIMIT_REQUESTS,
    RATE_LIMIT_WINDOW_S,
    FakeAccountAPI,
    FakeExchange,
)
from okx_fakes import strategies as okx_st

START_S = 1_700_000_000.0
TICK_S = 1 / 64
PLAIN_AMOUNT = re.compile(r"(0|[1-9][0-9]*)(\.[0-9]*[1-9])?")
EXACT = decimal.Context(prec=200)
CCY_POOL = ("BTC", "ETH", "USDT", "OKB", "1INCH")
# Codes answered after the rate limit let the request through: they consume the window.
PAST_THE_LIMIT = frozenset({"0", "51000", "50025"})
# Codes answered with the gateway body (independent of the fake's table): auth and the 429.
GATEWAY_CODES = frozenset({"50011", "50101", "50102", "50103", "50104", "50105", "50106",
                           "50107", "50111", "50112", "50113"})
# FakeExchange keeps amounts to 30 integer digits.
AMOUNTS = okx_st.amounts(max_integer_digits=25)
HOSTILE_STRINGS = client_st.hostile_currency_args(strings_only=True)
CURRENCIES = st.one_of(st.sampled_from(CCY_POOL), okx_st.currency_codes())


class ManualClock:
    """A clock that moves only when the machine says so."""

    def __init__(self) -> None:
        self.now_s = START_S

    def __call__(self) -> float:
        return self.now_s


@dataclass
class KeyModel:
    api_key: str
    secret_key: str
    passphrase: str
    demo: bool
    uid: str

    def api(self, exchange: FakeExchange, *, flag: str | None = None) -> FakeAccountAPI:
        env = ("1" if self.demo else "0") if flag is None else flag
        return FakeAccountAPI(
            self.api_key, self.secret_key, self.passphrase, flag=env, exchange=exchange
        )


@dataclass
class AccountModel:
    mode: str
    # ccy -> ("balance", (available, borrowable)) or ("pinned", the four answer strings)
    held: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)

    def expected(self, ccy: str) -> tuple[str, tuple[Decimal | None, ...]]:
        """What the documented model answers for ``ccy``: its source and the four values."""
        source, values = self.held.get(ccy, ("balance", ("0", "0")))
        if source == "pinned":
            return source, tuple(Decimal(v) if v else None for v in values)
        available, borrowable = (Decimal(v) for v in values)
        max_wd_ex = None if self.mode == "futures" else EXACT.add(available, borrowable)
        if self.mode == "portfolio":
            return source, (available, max_wd_ex, available, max_wd_ex)
        return source, (available, max_wd_ex, None, None)


def spec_items(ccy: str) -> list[str] | None:
    """The currencies a valid ccy string names, upper-cased, or None if any item is invalid."""
    items = ccy.split(",")
    if all(re.fullmatch(r"[A-Za-z0-9]{1,32}", item) for item in items):
        return [item.upper() for item in items]
    return None


class ExchangeMachine(RuleBasedStateMachine):
    """Add keys and accounts, set and pin balances, switch modes, query, let time pass."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = ManualClock()
        self.exchange = FakeExchange(clock=self.clock)
        self.keys: list[KeyModel] = []
        self.accounts: dict[str, AccountModel] = {}
        self.passed_s: dict[str, list[float]] = {}
        self.sent = 0

    # -- state -------------------------------------------------------------------------

    @rule(data=st.data(), mode=st.sampled_from(okx_st.ACCOUNT_MODES), demo=st.booleans())
    def add_key(self, data: st.DataObject, mode: str, demo: bool) -> None:
        index = len(self.keys)
        if self.accounts and data.draw(st.booleans(), label="sub-key of an existing uid"):
            uid = data.draw(st.sampled_from(sorted(self.accounts)), label="uid")
            account = self.exchange.add_account(
                f"key-{index}", f"secret-{index}", f"pass-{index}", demo=demo, uid=uid
            )
            assert account.mode == self.accounts[uid].mode
        else:
            uid = f"uid-{len(self.accounts)}"
            self.exchange.add_account(
                f"key-{index}", f"secret-{index}", f"pass-{index}", mode=mode, demo=demo, uid=uid
            )
            self.accounts[uid] = AccountModel(mode)
            self.passed_s[uid] = []
        self.keys.append(KeyModel(f"key-{index}", f"secret-{index}", f"pass-{index}", demo, uid))

    @precondition(lambda self: self.accounts)
    @rule(data=st.data(), ccy=CURRENCIES, available=AMOUNTS, borrowable=AMOUNTS)
    def set_balance(self, data: st.DataObject, ccy: str, available: str, borrowable: str) -> None:
        uid = data.draw(st.sampled_from(sorted(self.accounts)), label="uid")
        self.exchange.account(uid).set_balance(ccy, available=available, borrowable=borrowable)
        self.accounts[uid].held[ccy] = ("balance", (available, borrowable))

    @precondition(lambda self: self.accounts)
    @rule(
        data=st.data(),
        ccy=CURRENCIES,
        max_wd=AMOUNTS,
        extra=st.none() | AMOUNTS,
        spot_offset=st.none() | st.tuples(AMOUNTS, AMOUNTS),
    )
    def pin_max_withdrawal(
        self,
        data: st.DataObject,
        ccy: str,
        max_wd: str,
        extra: str | None,
        spot_offset: tuple[str, str] | None,
    ) -> None:
        uid = data.draw(st.sampled_from(sorted(self.accounts)), label="uid")
        max_wd_ex = None
        if extra is not None:
            max_wd_ex = format(EXACT.add(Decimal(max_wd), Decimal(extra)), "f")
        offset, offset_ex = spot_offset or (None, None)
        self.exchange.account(uid).set_max_withdrawal(ccy, max_wd, max_wd_ex, offset, offset_ex)
        given = (max_wd, max_wd_ex, offset, offset_ex)
        pinned = tuple("" if value is None else value for value in given)
        self.accounts[uid].held[ccy] = ("pinned", pinned)

    @precondition(lambda self: self.accounts)
    @rule(data=st.data(), ccy=CURRENCIES, max_wd=AMOUNTS, shortfall=AMOUNTS)
    def pin_inconsistent_values_is_refused(
        self, data: st.DataObject, ccy: str, max_wd: str, shortfall: str
    ) -> None:
        uid = data.draw(st.sampled_from(sorted(self.accounts)), label="uid")
        above = format(EXACT.add(EXACT.add(Decimal(max_wd), Decimal(shortfall)), 1), "f")
        before = self.exchange.account(uid).entry(ccy.upper())
        try:
            self.exchange.account(uid).set_max_withdrawal(ccy, above, max_wd)
        except ValueError:
            pass
        else:
            raise AssertionError("max_wd above max_wd_ex was accepted")
        assert self.exchange.account(uid).entry(ccy.upper()) == before

    @precondition(lambda self: self.accounts)
    @rule(data=st.data(), mode=st.sampled_from(okx_st.ACCOUNT_MODES))
    def switch_mode(self, data: st.DataObject, mode: str) -> None:
        uid = data.draw(st.sampled_from(sorted(self.accounts)), label="uid")
        self.exchange.account(uid).set_mode(mode)  # type: ignore[arg-type]
        self.accounts[uid].mode = mode

    @rule(ticks=st.one_of(st.integers(0, 3 * 64), st.sampled_from((64, 128, 129))))
    def advance_time(self, ticks: int) -> None:
        self.clock.now_s += ticks * TICK_S

    # -- queries -----------------------------------------------------------------------

    def _window_count(self, uid: str) -> int:
        now = self.clock.now_s
        return sum(1 for t in self.passed_s[uid] if now - RATE_LIMIT_WINDOW_S < t <= now)

    def _send(self, key: KeyModel, ccy: str, *, flag: str | None = None) -> dict[str, Any]:
        limited = self._window_count(key.uid) >= RATE_LIMIT_REQUESTS
        self.sent += 1
        body = key.api(self.exchange, flag=flag).get_max_withdrawal(ccy)
        assert isinstance(body, dict) and isinstance(body.get("code"), str), body
        code = body["code"]
        if code != "0":
            # The gateway (authentication, the 429) sends no data; endpoints send an empty one.
            assert body.get("data", []) == [] and isinstance(body["msg"], str) and body["msg"]
            assert ("data" in body) is (code not in GATEWAY_CODES), body
        if code in PAST_THE_LIMIT:
            assert not limited, f"request {self._window_count(key.uid) + 1} in 2 s answered {code}"
            self.passed_s[key.uid].append(self.clock.now_s)
        elif code == "50011":
            assert limited, "50011 although the window had room"
        return body

    @precondition(lambda self: self.keys)
    @rule(data=st.data(), items=st.lists(CURRENCIES, max_size=24), lower=st.booleans())
    def query_named(self, data: st.DataObject, items: list[str], lower: bool) -> None:
        key = data.draw(st.sampled_from(self.keys), label="key")
        ccy = ",".join(item.lower() if lower else item for item in items)
        body = self._send(key, ccy)
        limited = body["code"] == "50011"
        if len(items) > 20:
            assert body["code"] in ({"50011"} if limited else {"50025"}), body
            return
        if limited:
            return
        assert body["code"] == "0", body
        asked = list(dict.fromkeys(items)) if items else list(self.accounts[key.uid].held)
        self._check_answer(key.uid, body["data"], asked)

    @precondition(lambda self: self.keys)
    @rule(data=st.data(), count=st.integers(1, 25))
    def burst_of_all_currency_queries(self, data: st.DataObject, count: int) -> None:
        key = data.draw(st.sampled_from(self.keys), label="key")
        for _ in range(count):
            body = self._send(key, "")
            if body["code"] == "0":
                self._check_answer(key.uid, body["data"], list(self.accounts[key.uid].held))

    @precondition(lambda self: self.keys)
    @rule(data=st.data(), ccy=HOSTILE_STRINGS)
    def query_hostile(self, data: st.DataObject, ccy: str) -> None:
        key = data.draw(st.sampled_from(self.keys), label="key")
        try:
            body = self._send(key, ccy)
        except httpx.InvalidURL:
            # httpx refuses control characters before anything is sent, as under the real SDK.
            self.sent -= 1
            assert re.search(r"[\x00-\x1f\x7f]", ccy), ccy
            return
        items = spec_items(ccy)
        if items is not None:  # only the count is wrong
            assert body["code"] in {"50025", "50011"}, body
        else:
            # A character httpx percent-encodes breaks the signature; others are a bad parameter.
            assert body["code"] in {"50113", "51000", "50011"}, body

    @precondition(lambda self: self.keys)
    @rule(data=st.data())
    def query_with_the_wrong_environment(self, data: st.DataObject) -> None:
        key = data.draw(st.sampled_from(self.keys), label="key")
        body = self._send(key, "BTC", flag="0" if key.demo else "1")
        assert body["code"] == "50101", body

    def _check_answer(self, uid: str, data: list[dict[str, str]], asked: list[str]) -> None:
        assert [entry["ccy"] for entry in data] == [ccy.upper() for ccy in asked]
        account = self.accounts[uid]
        for entry in data:
            source, expected = account.expected(entry["ccy"])
            fields = ("maxWd", "maxWdEx", "spotOffsetMaxWd", "spotOffsetMaxWdEx")
            answered = tuple(Decimal(entry[f]) if entry[f] else None for f in fields)
            assert answered == expected, (entry, source, expected)
            for name in fields:
                assert entry[name] == "" or PLAIN_AMOUNT.fullmatch(entry[name]), entry
            assert entry["maxWd"] != ""
            if entry["maxWdEx"]:
                assert 0 <= Decimal(entry["maxWd"]) <= Decimal(entry["maxWdEx"]), entry
            if source == "balance":  # pinned values are answered as pinned, whatever the mode
                assert (entry["maxWdEx"] == "") == (account.mode == "futures"), entry
                has_offset = entry["spotOffsetMaxWd"] != "" or entry["spotOffsetMaxWdEx"] != ""
                assert has_offset == (account.mode == "portfolio"), entry

    # -- invariants ----------------------------------------------------------------------

    @invariant()
    def every_request_is_recorded(self) -> None:
        assert len(self.exchange.requests) == self.sent

    @invariant()
    def no_uid_gets_more_than_20_requests_past_the_limit_in_2_s(self) -> None:
        by_uid: dict[str | None, list[float]] = {}
        for record in self.exchange.requests:
            if record.code in PAST_THE_LIMIT:
                by_uid.setdefault(record.uid, []).append(record.time)
        assert None not in by_uid
        for uid, times in by_uid.items():
            assert times == self.passed_s[uid]  # type: ignore[index]
            for first, after_twenty in zip(times, times[RATE_LIMIT_REQUESTS:], strict=False):
                assert after_twenty - first >= RATE_LIMIT_WINDOW_S, (uid, first, after_twenty)


ExchangeMachine.TestCase.settings = settings(
    max_examples=60, stateful_step_count=40, deadline=None
)
TestExchangeMachine = ExchangeMachine.TestCase
