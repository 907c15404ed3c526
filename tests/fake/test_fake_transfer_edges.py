"""The transfer routes' refusals, each pinned whole: code, message naming the parameter, record.

One signed request per case, straight to ``FakeExchange.handle``; the exchange's record of
the request must carry the code the body answers.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fake_support import DEMO_KEY, DEMO_PASSPHRASE, DEMO_SECRET, START_S, StepClock, funded_exchange
from okx_fakes import ERRORS, FakeExchange, FakeRequest
from okx_fakes._auth import format_timestamp, prehash, sign

TRANSFER = "/api/v5/asset/transfer"
STATE = "/api/v5/asset/transfer-state"
GOOD = {"ccy": "BTC", "amt": "0.1", "from": "18", "to": "6"}


def _send(exchange: FakeExchange, method: str, target: str, body: str = "") -> dict[str, Any]:
    """Send one signed request; return the answer's JSON, checked against the record."""
    timestamp = format_timestamp(START_S)
    headers = {"ok-access-key": DEMO_KEY, "ok-access-passphrase": DEMO_PASSPHRASE,
               "ok-access-timestamp": timestamp, "x-simulated-trading": "1",
               "ok-access-sign": sign(DEMO_SECRET, prehash(timestamp, method, target, body))}
    response = exchange.handle(FakeRequest(method, target, headers, body.encode()))
    answer: dict[str, Any] = json.loads(response.body)
    record = exchange.requests[-1]
    assert (record.code, record.status) == (answer["code"], response.status)
    if answer["code"] != "0":
        assert response.status == ERRORS[answer["code"]].status
    return answer


def _transfer(**changes: object) -> dict[str, Any]:
    """POST a transfer: GOOD with ``changes`` (a value of None leaves the field out)."""
    fields = {**GOOD, **changes}
    body = json.dumps({name: value for name, value in fields.items() if value is not None})
    return _send(funded_exchange(StepClock(), max_skew_s=None), "POST", TRANSFER, body)


def _refusal(code: str, param: str) -> dict[str, Any]:
    return {"code": code, "data": [], "msg": ERRORS[code].message(param0=param)}


@pytest.mark.parametrize(("changes", "code", "param"), [
    ({"ccy": None}, "50014", "ccy"),
    ({"to": ""}, "50014", "to"),
    ({"type": [1]}, "51000", "type"),
    ({"type": True}, "51000", "type"),
    ({"ccy": "B-C"}, "51000", "ccy"),
    ({"ccy": 7}, "51000", "ccy"),
    ({"amt": "1" + "0" * 30}, "51000", "amt"),  # 31 integer digits
    ({"amt": "0." + "1" * 31}, "51000", "amt"),  # 31 fraction digits
    ({"from": [6]}, "51000", "from"),
    ({"from": "7"}, "51000", "from"),
    ({"to": {"6": 6}}, "51000", "to"),
    ({"loanTrans": []}, "51000", "loanTrans"),
    ({"loanTrans": "yes"}, "51000", "loanTrans"),
    ({"clientId": 5}, "51000", "clientId"),
    ({"clientId": "a-b"}, "51000", "clientId"),
])
def test_a_malformed_field_is_refused_naming_it(changes: dict[str, object], code: str,
                                                 param: str) -> None:
    assert _transfer(**changes) == _refusal(code, param)


@pytest.mark.parametrize(("changes", "code"), [
    ({"type": 1}, "58127"),  # a JSON integer, read as the documented "1"
    ({"type": "4"}, "58127"),
    ({"amt": "0." + "0" * 31}, "58114"),  # zero, whatever its digits: not a malformed amount
    ({"amt": "-1"}, "58114"),
    ({"to": "18"}, "58123"),
    ({"amt": "100"}, "58350"),  # 18 -> 6 above maxWd
    ({"amt": "100", "from": "6", "to": "18"}, "58116"),  # 6 -> 18 above the funding availBal
])
def test_a_well_formed_refusal_answers_its_code(changes: dict[str, object], code: str) -> None:
    assert _transfer(**changes) == {"code": code, "data": [], "msg": ERRORS[code].message()}


@pytest.mark.parametrize("type_", [0, "0", "", None])
def test_type_zero_or_absent_is_a_transfer_within_the_account(type_: object) -> None:
    assert _transfer(type=type_)["code"] == "0"


def test_a_json_float_type_is_malformed_even_if_it_reads_as_one() -> None:
    body = '{"ccy": "BTC", "amt": "0.1", "from": "18", "to": "6", "type": 1e0}'
    answer = _send(funded_exchange(StepClock(), max_skew_s=None), "POST", TRANSFER, body)
    assert answer == _refusal("51000", "type")


@pytest.mark.parametrize("name", ["transId", "clientId"])
def test_transfer_state_refuses_a_parameter_given_twice(name: str) -> None:
    exchange = funded_exchange(StepClock(), max_skew_s=None)
    answer = _send(exchange, "GET", f"{STATE}?{name}=1&{name}=2")
    assert answer == _refusal("51000", name)
