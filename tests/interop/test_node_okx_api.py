"""The okx-api Node SDK (tiagosiebler/okx-api) reads the fake served on loopback.

``node/package.json`` pins okx-api exactly and ``node/package-lock.json`` its whole tree;
``npm ci`` installs them once per session into ``node/node_modules`` (git-ignored).
``node/read_fake.mjs`` makes each call and prints what the SDK resolved or rejected with.
The SDK signs and sends its own requests (its own timestamp, query serialisation, the
``tag`` it adds to POST bodies, ``x-simulated-trading`` from ``demoTrading``), so each
value asserted here crossed the wire as a second, non-Python client does it.

Without ``node`` or ``npm`` on PATH these tests are skipped, or failed when
``OKX_EXT_REQUIRE_NODE=1`` (``.ci/run`` sets it where node is installed).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from interop_support import DEMO, DEMO_UID, seeded_exchange

NODE_DIR = Path(__file__).parent / "node"


@pytest.fixture(scope="session")
def node() -> str:
    """The node executable, with the pinned okx-api installed by ``npm ci`` (once a session)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        missing = "node" if node is None else "npm"
        reason = f"{missing} is not on PATH: the okx-api interop tests need Node.js and npm"
        if os.environ.get("OKX_EXT_REQUIRE_NODE") == "1":
            pytest.fail(f"{reason} (OKX_EXT_REQUIRE_NODE=1)")
        pytest.skip(reason)
    # npm ci installs exactly the lock file (fails if it disagrees with package.json).
    done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR,
                          capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0:
        pytest.fail(f"npm ci failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return node


@pytest.fixture(scope="module")
def results(node: str) -> dict[str, Any]:
    """What okx-api resolved or rejected with, call by call (see ``read_fake.mjs``).

    One run of the script for the module (node starts in about half a second), against
    its own freshly seeded exchange; the window of uTime and the transfer's id are added.
    """
    exchange = seeded_exchange()
    key, secret, passphrase = DEMO
    with exchange.serve() as base_url:
        env = {**os.environ, "OKX_BASE_URL": base_url, "OKX_API_KEY": key,
               "OKX_API_SECRET": secret, "OKX_API_PASS": passphrase}
        before_ms = int(time.time() * 1000)
        done = subprocess.run([node, "read_fake.mjs"], cwd=NODE_DIR, env=env,
                              capture_output=True, text=True, timeout=60, check=False)
        after_ms = int(time.time() * 1000)
    assert done.returncode == 0, done.stderr
    out: dict[str, Any] = json.loads(done.stdout)
    out["_window_ms"] = (before_ms, after_ms)
    (record,) = exchange.account(DEMO_UID).transfers
    out["_trans_id"] = record.trans_id
    return out


def test_every_call_answered(results: dict[str, Any]) -> None:
    # Which calls resolved and which rejected: only the unknown clientId is an error.
    outcomes = {name: next(iter(value)) for name, value in results.items()
                if not name.startswith("_")}
    assert outcomes == {"balance": "ok", "fundingBalances": "ok", "maxWithdrawals": "ok",
                        "transfer": "ok", "transferState": "ok", "unknownClientId": "error",
                        "fundingAfter": "ok"}


def test_trading_balance(results: dict[str, Any]) -> None:
    (account,) = results["balance"]["ok"]
    fields = ("availBal", "availEq", "cashBal", "eq", "frozenBal", "ordFrozen", "maxLoan",
              "liab", "crossLiab")
    assert {row["ccy"]: {name: row[name] for name in fields}
            for row in account["details"]} == {
        "BTC": {"availBal": "1.5", "availEq": "1.5", "cashBal": "1.75", "eq": "1.75",
                "frozenBal": "0.25", "ordFrozen": "0.25", "maxLoan": "0.5", "liab": "0",
                "crossLiab": "0"},
        "USDT": {"availBal": "1000", "availEq": "1000", "cashBal": "1000", "eq": "1000",
                 "frozenBal": "0", "ordFrozen": "0", "maxLoan": "0", "liab": "0",
                 "crossLiab": "0"},
    }
    # The rows in the order first set, and one uTime (ms, as a string) on all of them.
    assert [row["ccy"] for row in account["details"]] == ["BTC", "USDT"]
    first, last = results["_window_ms"]
    assert first <= int(account["uTime"]) <= last
    assert {row["uTime"] for row in account["details"]} == {account["uTime"]}


def test_funding_balances(results: dict[str, Any]) -> None:
    assert results["fundingBalances"] == {"ok": [
        {"availBal": "100", "bal": "105", "ccy": "USDT", "frozenBal": "5"},
        {"availBal": "0.5", "bal": "0.5", "ccy": "ETH", "frozenBal": "0"},
    ]}


def test_max_withdrawals(results: dict[str, Any]) -> None:
    # Multi-currency mode: maxWdEx adds what may still be borrowed (maxLoan) to maxWd.
    assert results["maxWithdrawals"] == {"ok": [
        {"ccy": "BTC", "maxWd": "1.5", "maxWdEx": "2", "spotOffsetMaxWd": "",
         "spotOffsetMaxWdEx": ""},
        {"ccy": "USDT", "maxWd": "1000", "maxWdEx": "1000", "spotOffsetMaxWd": "",
         "spotOffsetMaxWdEx": ""},
    ]}


def test_transfer_and_its_state(results: dict[str, Any]) -> None:
    trans_id = results["_trans_id"]
    assert results["transfer"] == {"ok": [
        {"amt": "12.5", "ccy": "USDT", "clientId": "interop1", "from": "18", "to": "6",
         "transId": trans_id}]}
    assert results["transferState"] == {"ok": [
        {"amt": "12.5", "ccy": "USDT", "clientId": "interop1", "from": "18", "instId": "",
         "state": "success", "subAcct": "", "to": "6", "toInstId": "", "transId": trans_id,
         "type": "0"}]}
    # The funds arrived: the funding account read again after the transfer.
    assert results["fundingAfter"] == {"ok": [
        {"availBal": "112.5", "bal": "117.5", "ccy": "USDT", "frozenBal": "5"}]}


def test_unknown_client_id_rejects_with_58129(results: dict[str, Any]) -> None:
    # okx-api rejects with the answer's body on code != "0" (wire-e2e: its own live read
    # test expects 58129, data [] and a message naming clientId).
    assert results["unknownClientId"] == {"error": {
        "code": "58129", "data": [],
        "msg": "clientId is incorrect or clientId does not match with 'type'"}}
