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
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import httpx
import okx.Account as Account
import okx.utils
import pytest
from _doc_blocks import DOCS, block
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
from okx_fakes import ERRORS, FakeAccountAPI, FakeExchange, FakeRequest
from okx_fakes._errors import GATEWAY_SHAPE_SEEN


class Client(Protocol):
    def get_max_withdrawal(self, ccy: str = "") -> Any: ...


# Sends one raw request (method, path?query, headers) and returns the HTTP status and body.
RawSend = Callable[[str, str, dict[str, str]], tuple[int, bytes]]


@dataclass
class Target:
    """Where a scenario runs: ``client()`` builds a client; ``exchange`` is None on OKX.

    ``send`` puts one raw request on the wire, so a scenario sees the status and exact body.
    """

    exchange: FakeExchange | None
    client: Callable[..., AbstractContextManager[Client]]
    key: str
    secret: str
    passphrase: str
    send: RawSend

    def signed(self, target: str, method: str = "GET", **overrides: str | None) -> dict[str, str]:
        """Headers python-okx would send for ``target``; an override of None drops one."""
        timestamp = overrides.get("OK-ACCESS-TIMESTAMP") or okx.utils.get_timestamp()
        signature = okx.utils.sign(okx.utils.pre_hash(timestamp, method, target, "", False),
                                   self.secret).decode()
        headers: dict[str, str | None] = {
            "OK-ACCESS-KEY": self.key, "OK-ACCESS-SIGN": signature,
            "OK-ACCESS-TIMESTAMP": timestamp, "OK-ACCESS-PASSPHRASE": self.passphrase,
            "x-simulated-trading": "1", **overrides,
        }
        return {name: value for name, value in headers.items() if value is not None}

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


# -- raw scenarios: the HTTP status and the exact bytes, as OKX sends them ----------------

PATH = "/api/v5/account/max-withdrawal"


def _exact(answer: tuple[int, bytes], code: str) -> None:
    """``answer`` is the fake's row for ``code``: its status and body, byte for byte."""
    assert answer == (ERRORS[code].status, _body_text(code).encode()), code


def auth_headers_in_order(target: Target) -> Any:
    target_path = PATH + "?ccy=BTC"
    headers = target.signed(target_path)
    answers = []
    # Each missing header answers its code; with several missing, the first in order wins.
    for code, dropped in (("50103", ("OK-ACCESS-KEY", "OK-ACCESS-SIGN")),
                          ("50106", ("OK-ACCESS-SIGN", "OK-ACCESS-TIMESTAMP")),
                          ("50107", ("OK-ACCESS-TIMESTAMP", "OK-ACCESS-PASSPHRASE")),
                          ("50104", ("OK-ACCESS-PASSPHRASE",))):
        sent = {name: value for name, value in headers.items() if name not in dropped}
        answers.append(target.send("GET", target_path, sent))
        _exact(answers[-1], code)
    return answers


def auth_failures(target: Target) -> Any:
    path = PATH + "?ccy=BTC"
    cases = {
        "50112": target.signed(path, **{"OK-ACCESS-TIMESTAMP": "2024-01-02 03:04:05"}),
        "50111": {**target.signed(path), "OK-ACCESS-KEY": "00000000-0000-4000-8000-000000000000"},
        "50105": {**target.signed(path), "OK-ACCESS-PASSPHRASE": target.passphrase + "x"},
        "50101": {**target.signed(path), "x-simulated-trading": "0"},
        "50113": {**target.signed(path), "OK-ACCESS-SIGN": "c2lnbg=="},
    }
    answers = []
    for code, headers in cases.items():
        answers.append(target.send("GET", path, headers))
        _exact(answers[-1], code)
    return answers


def timestamp_expired(target: Target) -> Any:
    path = PATH + "?ccy=BTC"
    answers = []
    # Epoch milliseconds answer 50102 like an old timestamp (okxapi/python-okx#55).
    for timestamp in ("1607417337715", "2020-12-08T09:08:57.715Z"):
        answers.append(target.send("GET", path, target.signed(path, **{
            "OK-ACCESS-TIMESTAMP": timestamp})))
        _exact(answers[-1], "50102")
    return answers


def other_methods(target: Target) -> Any:
    answers = []
    for method in ("POST", "PUT", "DELETE"):
        answers.append(target.send(method, PATH, target.signed(PATH, method)))
        _exact(answers[-1], "50115")
    return answers


def too_many_raw(target: Target) -> Any:
    path = PATH + "?ccy=" + ",".join(["BTC"] * 21)  # 50025 counts before duplicates collapse
    answer = target.send("GET", path, target.signed(path))
    _exact(answer, "50025")
    return answer


def malformed_raw(target: Target) -> Any:
    path = PATH + "?ccy=BTC,,ETH"
    answer = target.send("GET", path, target.signed(path))
    _exact(answer, "51000")
    return answer


def lower_case_ccy(target: Target) -> Any:
    with target.funded() as api:
        answer = outcome(lambda: api.get_max_withdrawal("btc,Eth"))
    assert answer["code"] == "0"
    assert [entry["ccy"] for entry in answer["data"]] == ["BTC", "ETH"]
    return answer


def rate_limit_burst(target: Target) -> Any:
    path = PATH + "?ccy=BTC"
    headers = target.signed(path)
    with ThreadPoolExecutor(21) as pool:  # at once: 21 within OKX's 2 s, whatever the latency
        answers = sorted(pool.map(lambda _: target.send("GET", path, headers), range(21)))
    limited = [answer for answer in answers if answer[0] != 200]
    assert limited and len(answers) - len(limited) <= 20
    for answer in limited:
        _exact(answer, "50011")
    if target.exchange is not None:
        assert len(limited) == 1
    return answers


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
    (auth_headers_in_order, False),
    (auth_failures, False),
    (timestamp_expired, False),
    (other_methods, False),
    (too_many_raw, False),
    (malformed_raw, False),
    (lower_case_ccy, False),
    (rate_limit_burst, False),
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


def _handle_sender(exchange: FakeExchange) -> RawSend:
    def send(method: str, target: str, headers: dict[str, str]) -> tuple[int, bytes]:
        lowered = {name.lower(): value for name, value in headers.items()}
        response = exchange.handle(FakeRequest(method, target, lowered))
        return response.status, response.body

    return send


def _http_sender(client: httpx.Client) -> RawSend:
    def send(method: str, target: str, headers: dict[str, str]) -> tuple[int, bytes]:
        response = client.request(method, target, headers=headers)
        return response.status_code, response.content

    return send


def _run_on_fake(way: str, scenario: Callable[[Target], Any]) -> Any:
    exchange = funded_exchange(frozen_clock())
    with ExitStack() as stack:
        if way == "direct":
            client, send = _direct(exchange), _handle_sender(exchange)
        elif way == "install":
            plain = stack.enter_context(httpx.Client(base_url="https://www.okx.com"))
            exchange.install(plain)
            client, send = _installed(exchange), _http_sender(plain)
        else:
            base_url = stack.enter_context(exchange.serve())
            client = _served(base_url)
            send = _http_sender(stack.enter_context(httpx.Client(base_url=base_url)))
        target = Target(exchange, client, DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE, send)
        return scenario(target), exchange.requests


@pytest.mark.parametrize(("scenario", "fake_only"), SCENARIOS,
                         ids=[s.__name__ for s, _ in SCENARIOS])
def test_three_ways_in_give_identical_answers(
    scenario: Callable[[Target], Any], fake_only: bool
) -> None:
    results = {way: _run_on_fake(way, scenario) for way in ("direct", "install", "serve")}
    answers = {way: answer for way, (answer, _) in results.items()}
    assert answers["direct"] == answers["install"] == answers["serve"]
    # Sorted: a concurrent scenario (rate_limit_burst) records in any order.
    recorded = {way: sorted((r.method, r.path, r.query, r.uid or "", r.code or "", r.status or 0)
                            for r in records)
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
    with httpx.Client(base_url="https://www.okx.com") as plain:
        scenario(Target(None, client, key, secret, passphrase, _http_sender(plain)))


# -- the fidelity matrix on the site: rebuilt from ERRORS, checked against SCENARIOS ------

# Each generated block, on the site's pages that show it.
BLOCK_PAGES = {"error-codes": [DOCS / "fake" / "fidelity.md"],
               "error-sources": [DOCS / "fake" / "model.md"],
               "behaviours": [DOCS / "fake" / "fidelity.md"]}
# The demo scenario that observes each code the fake produces by itself.
CODE_SCENARIOS = {
    "50011": "rate_limit_burst", "50025": "too_many_raw", "50101": "auth_failures",
    "50102": "timestamp_expired", "50103": "auth_headers_in_order",
    "50104": "auth_headers_in_order", "50105": "auth_failures",
    "50106": "auth_headers_in_order", "50107": "auth_headers_in_order",
    "50111": "auth_failures", "50112": "auth_failures", "50113": "auth_failures",
    "50115": "other_methods", "51000": "malformed_raw",
}
# Codes the fake's transfer model answers by itself that no demo scenario checks yet (a
# transfer scenario would move demo funds); tests/fake/test_fake_funding.py provokes each.
MODEL_ONLY = {"50014", "50120", "58102", "58114", "58116", "58123", "58127", "58129", "58350",
              "58010", "58205", "58206", "58213", "58214", "58215", "58216", "58220"}
_OBSERVABLE = {scenario.__name__ for scenario, fake_only in SCENARIOS if not fake_only}


def _body_text(code: str) -> str:
    spec = ERRORS[code]
    msg = json.dumps(spec.message(), ensure_ascii=False, separators=(",", ":"))
    if spec.shape == "gateway":
        return f'{{"msg":{msg},"code":"{code}"}}'
    return f'{{"code":"{code}","data":[],"msg":{msg}}}'


def _evidence(code: str) -> str:
    source = ERRORS[code].source
    shape = ERRORS[code].shape
    if shape == "gateway" and code not in GATEWAY_SHAPE_SEEN:
        return f"{source}; gateway shape assumed like 50113's"
    return str(source)


def render_codes() -> str:
    """The fidelity page's code table: one row per code of ERRORS, from its row."""
    lines = ["| code | HTTP | body | evidence | demo scenario |", "|---|---|---|---|---|"]
    for code, spec in sorted(ERRORS.items()):
        scenario = CODE_SCENARIOS.get(code)
        if scenario:
            cell = f"`{scenario}`"
        elif code in MODEL_ONLY:
            cell = "answered by the fake's funding model; no demo scenario yet"
        else:
            cell = "not observable: injected only"
        lines.append(f"| {code} | {spec.status} | `{_body_text(code)}` | {_evidence(code)} "
                     f"| {cell} |")
    return "\n".join(lines)


def render_sources() -> str:
    """The model page's list of differences and unverified points, from ERRORS' sources."""
    def codes(kind: str) -> str:
        return ", ".join(code for code, spec in sorted(ERRORS.items())
                         if spec.source.kind == kind) or "none"

    gateway = [code for code, spec in sorted(ERRORS.items()) if spec.shape == "gateway"]
    return "\n".join([
        f"- **Seen on the wire** (status and message; the wire wins over OKX's table): "
        f"{codes('wire')}.",
        f"- **From OKX's table, not observed**: {codes('table')}.",
        f"- **Assumed**: {codes('assumed')}.",
        f"- **Gateway body** `{{\"msg\":...,\"code\":...}}` seen for "
        f"{', '.join(sorted(GATEWAY_SHAPE_SEEN))}; assumed alike for "
        f"{', '.join(code for code in gateway if code not in GATEWAY_SHAPE_SEEN)}. "
        f"Every other code answers `{{\"code\":...,\"data\":[],\"msg\":...}}`.",
    ])


@pytest.mark.parametrize(("name", "render", "page"), [
    (name, render, page)
    for name, render in [("error-codes", render_codes), ("error-sources", render_sources)]
    for page in BLOCK_PAGES[name]
])
def test_page_blocks_are_rebuilt_from_the_error_table(name: str, render: Callable[[], str],
                                                      page: Path) -> None:
    assert block(page, name) == render(), f"{page.name} block {name!r} should read:\n{render()}"


@pytest.mark.parametrize("page", BLOCK_PAGES["behaviours"])
def test_every_observable_matrix_row_names_a_demo_scenario(page: Path) -> None:
    assert set(CODE_SCENARIOS) <= set(ERRORS) and set(CODE_SCENARIOS.values()) <= _OBSERVABLE
    # Written by hand, so kept identical wherever it appears.
    assert block(page, "behaviours") == block(BLOCK_PAGES["behaviours"][0], "behaviours")
    behaviours = block(page, "behaviours").splitlines()[2:]
    assert len(behaviours) == 18
    for row in behaviours:
        scenario_cell = row.rstrip(" |").rsplit("|", 1)[1].strip()
        named = set(re.findall(r"`(\w+)`", scenario_cell))
        assert named <= _OBSERVABLE, row
        assert named or scenario_cell.startswith(("not observable", "no demo scenario yet")), row
