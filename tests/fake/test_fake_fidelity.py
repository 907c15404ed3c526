"""Fidelity: one scenario list, three ways into the fake, identical answers; also OKX demo.

Each scenario calls ``get_max_withdrawal`` through a :class:`Target` and checks the
outcome with assertions that hold on real OKX too (codes, shapes). On the fake, the
three ways in (FakeAccountAPI, the real SDK via install(), the real SDK via serve())
must also give identical outcomes. With ``OKX_DEMO_API_KEY``, ``OKX_DEMO_SECRET_KEY`` and
``OKX_DEMO_PASSPHRASE`` set, the scenarios that need no state we cannot set on OKX run
against OKX's demo environment (``-m okx_demo``); otherwise that test is skipped.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
import okx.Account as Account
import pytest
from fake_support import (
    DEMO_KEY,
    DEMO_PASSPHRASE,
    DEMO_SECRET,
    FUNDS,
    LIVE_KEY,
    LIVE_PASSPHRASE,
    LIVE_SECRET,
    frozen_clock,
    funded_exchange,
)
from okx_fakes import FakeAccountAPI, FakeExchange


class Client(Protocol):
    def get_max_withdrawal(self, ccy: str = "") -> Any: ...


@dataclass
class Target:
    """Where a scenario runs: ``client()`` builds a client; ``exchange`` is None on OKX."""

    exchange: FakeExchange | None
    client: Callable[..., AbstractContextManager[Client]]
    key: str
    secret: str
    passphrase: str

    def funded(self, **overrides: str) -> AbstractContextManager[Client]:
        creds = {"key": self.key, "secret": self.secret, "passphrase": self.passphrase,
                 "flag": "1", **overrides}
        return self.client(**creds)


def outcome(call: Callable[[], Any]) -> Any:
    """The answer, or the kind of failure (the same family through every way in)."""
    try:
        return call()
    except httpx.TransportError:
        return "httpx.TransportError"
    except json.JSONDecodeError:
        return "json.JSONDecodeError"


def _entry_shape(entry: dict[str, str]) -> None:
    assert set(entry) == {"ccy", "maxWd", "maxWdEx", "spotOffsetMaxWd", "spotOffsetMaxWdEx"}


def _code(answer: Any, code: str) -> None:
    assert isinstance(answer, dict)
    assert answer["code"] == code
    assert isinstance(answer["msg"], str) and answer["msg"]


# -- scenarios: (name, needs state only the fake can set, run) ---------------------------

def funded_account(target: Target) -> Any:
    with target.funded() as api:
        answer = outcome(lambda: api.get_max_withdrawal("BTC"))
    assert answer == {"code": "0", "msg": "", "data": [{
        "ccy": "BTC", "maxWd": "1.5", "maxWdEx": "2", "spotOffsetMaxWd": "",
        "spotOffsetMaxWdEx": ""}]}
    return answer


def all_currencies(target: Target) -> Any:
    with target.funded() as api:
        answer = outcome(lambda: api.get_max_withdrawal())
    assert answer["code"] == "0"
    for entry in answer["data"]:
        _entry_shape(entry)
    if target.exchange is not None:
        assert [entry["ccy"] for entry in answer["data"]] == list(FUNDS)
    return answer


def named_in_order(target: Target) -> Any:
    with target.funded() as api:
        answer = outcome(lambda: api.get_max_withdrawal("USDT,BTC,ETH"))
    assert answer["code"] == "0"
    assert [entry["ccy"] for entry in answer["data"]] == ["USDT", "BTC", "ETH"]
    return answer


def never_held(target: Target) -> Any:
    with target.funded() as api:
        answer = outcome(lambda: api.get_max_withdrawal("ZRX"))
    assert answer["code"] == "0"
    assert [entry["ccy"] for entry in answer["data"]] == ["ZRX"]
    _entry_shape(answer["data"][0])
    if target.exchange is not None:
        assert (answer["data"][0]["maxWd"], answer["data"][0]["maxWdEx"]) == ("0", "0")
    return answer


def more_than_twenty(target: Target) -> Any:
    codes = ("BTC,ETH,USDT,OKB,LTC,XRP,ADA,DOT,SOL,TRX,DOGE,LINK,UNI,AVAX,ATOM,FIL,ETC,BCH,EOS,"
             "XLM,SHIB")
    with target.funded() as api:
        answer = outcome(lambda: api.get_max_withdrawal(codes))
    _code(answer, "50025")
    return answer


def malformed_list(target: Target) -> Any:
    with target.funded() as api:
        answer = outcome(lambda: api.get_max_withdrawal("BTC,,ETH"))
    _code(answer, "51000")
    return answer


def unvalidated_space(target: Target) -> Any:
    with target.funded() as api:  # signed over "BTC, ETH", sent as "BTC,%20ETH"
        answer = outcome(lambda: api.get_max_withdrawal("BTC, ETH"))
    _code(answer, "50113")
    return answer


def wrong_passphrase(target: Target) -> Any:
    with target.funded(passphrase=target.passphrase + "x") as api:
        answer = outcome(lambda: api.get_max_withdrawal("BTC"))
    _code(answer, "50105")
    return answer


def unknown_key(target: Target) -> Any:
    with target.funded(key="00000000-0000-4000-8000-000000000000") as api:
        answer = outcome(lambda: api.get_max_withdrawal("BTC"))
    _code(answer, "50111")
    return answer


def wrong_environment(target: Target) -> Any:
    with target.funded(flag="0") as api:  # a demo key sent to the live environment
        answer = outcome(lambda: api.get_max_withdrawal("BTC"))
    _code(answer, "50101")
    return answer


def live_key_in_demo(target: Target) -> Any:
    with target.funded(key=LIVE_KEY, secret=LIVE_SECRET, passphrase=LIVE_PASSPHRASE) as api:
        answer = outcome(lambda: api.get_max_withdrawal("BTC"))
    _code(answer, "50101")
    return answer


def rate_limit_21st(target: Target) -> Any:
    with target.funded() as api:
        answers = [outcome(lambda: api.get_max_withdrawal("BTC")) for _ in range(21)]
    assert [a["code"] for a in answers] == ["0"] * 20 + ["50011"]
    return answers[-1]


def injected_50001(target: Target) -> Any:
    assert target.exchange is not None
    target.exchange.fail_next(50001)
    with target.funded() as api:
        answer = outcome(lambda: api.get_max_withdrawal("BTC"))
    _code(answer, "50001")
    return answer


def injected_html_502(target: Target) -> Any:
    assert target.exchange is not None
    target.exchange.fail_next_http(502, "<html><body>502 Bad Gateway</body></html>")
    with target.funded() as api:
        answer = outcome(lambda: api.get_max_withdrawal("BTC"))
    assert answer == "json.JSONDecodeError"
    return answer


def network_fault(target: Target) -> Any:
    assert target.exchange is not None
    target.exchange.fail_next_network()
    with target.funded() as api:
        answer = outcome(lambda: api.get_max_withdrawal("BTC"))
        assert answer == "httpx.TransportError"
        assert api.get_max_withdrawal("BTC")["code"] == "0"  # one fault, then served again
    return answer


SCENARIOS: list[tuple[Callable[[Target], Any], bool]] = [
    (funded_account, True),
    (all_currencies, False),
    (named_in_order, False),
    (never_held, False),
    (more_than_twenty, False),
    (malformed_list, False),
    (unvalidated_space, False),
    (wrong_passphrase, False),
    (unknown_key, False),
    (wrong_environment, False),
    (live_key_in_demo, True),  # needs a live key we hold
    (rate_limit_21st, True),  # needs a clock we control
    (injected_50001, True),
    (injected_html_502, True),
    (network_fault, True),
]


# -- the three ways into the fake ---------------------------------------------------------

def _direct(exchange: FakeExchange) -> Callable[..., AbstractContextManager[Client]]:
    @contextmanager
    def client(key: str, secret: str, passphrase: str, flag: str) -> Iterator[Client]:
        yield FakeAccountAPI(key, secret, passphrase, flag=flag, exchange=exchange)

    return client


def _installed(exchange: FakeExchange) -> Callable[..., AbstractContextManager[Client]]:
    @contextmanager
    def client(key: str, secret: str, passphrase: str, flag: str) -> Iterator[Client]:
        with Account.AccountAPI(key, secret, passphrase, flag=flag) as api:
            exchange.install(api)
            yield api

    return client


def _served(base_url: str) -> Callable[..., AbstractContextManager[Client]]:
    @contextmanager
    def client(key: str, secret: str, passphrase: str, flag: str) -> Iterator[Client]:
        with Account.AccountAPI(key, secret, passphrase, flag=flag, domain=base_url) as api:
            yield api

    return client


def _run_on_fake(way: str, scenario: Callable[[Target], Any]) -> Any:
    exchange = funded_exchange(frozen_clock())
    with ExitStack() as stack:
        if way == "direct":
            client = _direct(exchange)
        elif way == "install":
            client = _installed(exchange)
        else:
            client = _served(stack.enter_context(exchange.serve()))
        target = Target(exchange, client, DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE)
        return scenario(target), exchange.requests


@pytest.mark.parametrize(("scenario", "fake_only"), SCENARIOS,
                         ids=[s.__name__ for s, _ in SCENARIOS])
def test_three_ways_in_give_identical_answers(
    scenario: Callable[[Target], Any], fake_only: bool
) -> None:
    results = {way: _run_on_fake(way, scenario) for way in ("direct", "install", "serve")}
    answers = {way: answer for way, (answer, _) in results.items()}
    assert answers["direct"] == answers["install"] == answers["serve"]
    recorded = {way: [(r.path, r.query, r.uid, r.code, r.status) for r in records]
                for way, (_, records) in results.items()}
    assert recorded["direct"] == recorded["install"] == recorded["serve"]


_DEMO_ENV = ("OKX_DEMO_API_KEY", "OKX_DEMO_SECRET_KEY", "OKX_DEMO_PASSPHRASE")


@pytest.mark.okx_demo
@pytest.mark.parametrize(("scenario", "fake_only"), SCENARIOS,
                         ids=[s.__name__ for s, _ in SCENARIOS])
def test_scenarios_hold_on_okx_demo(scenario: Callable[[Target], Any], fake_only: bool) -> None:
    if not all(os.environ.get(name) for name in _DEMO_ENV):
        pytest.skip("set OKX_DEMO_API_KEY, OKX_DEMO_SECRET_KEY, OKX_DEMO_PASSPHRASE to run "
                    "the fidelity scenarios against OKX's demo environment")
    if fake_only:
        pytest.skip("needs state only the fake can set (balances, faults, clock, a live key)")

    @contextmanager
    def client(key: str, secret: str, passphrase: str, flag: str) -> Iterator[Client]:
        with Account.AccountAPI(key, secret, passphrase, flag=flag) as api:
            yield api

    key, secret, passphrase = (os.environ[name] for name in _DEMO_ENV)
    scenario(Target(None, client, key, secret, passphrase))
