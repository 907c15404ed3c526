"""The okx-api Node SDK (tiagosiebler/okx-api) reads the fake served on loopback.

``node/package.json`` pins okx-api exactly and ``node/package-lock.json`` its whole tree;
``make install`` installs them (``npm ci``) into ``node/node_modules`` (git-ignored), as it
installs the Python packages: the tests themselves reach no registry.
``node/read_fake.mjs`` makes each call and prints what the SDK resolved or rejected with.
The SDK signs and sends its own requests (its own timestamp, query serialisation, the
``tag`` it adds to POST bodies, ``x-simulated-trading`` from ``demoTrading``), so each
value asserted here crossed the wire as a second, non-Python client does it.

Without ``node`` on PATH, or without the installed okx-api, these tests are skipped, or
failed when ``OKX_EXT_REQUIRE_NODE=1`` (``.ci/run`` sets it where node is installed).
"""

from __future__ import annotations

import datetime
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
    """The node executable, once the pinned okx-api is installed (by ``make install``)."""
    node = shutil.which("node")
    installed = (NODE_DIR / "node_modules" / "okx-api" / "package.json").is_file()
    if node is None or not installed:
        reason = ("node is not on PATH: the okx-api interop tests need Node.js" if node is None
                  else "okx-api is not installed: run make install (npm ci in tests/interop/node)")
        if os.environ.get("OKX_EXT_REQUIRE_NODE") == "1":
            pytest.fail(f"{reason} (OKX_EXT_REQUIRE_NODE=1)")
        pytest.skip(reason)
    return node


@pytest.fixture(scope="module")
def results(node: str) -> dict[str, Any]:
    """What okx-api resolved or rejected with, call by call (see ``read_fake.mjs``).

    One run of the script for the module (node starts in about half a second), against
    its own freshly seeded exchange; the window of uTime and the transfer's id are added.
    """
    exchange = seeded_exchange()
    key, secret, passphrase = DEMO
    # The first two withdrawals wait (see read_fake.mjs).
    exchange.pend_next_withdrawals(2)
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
                        "fundingAfter": "ok", "currencies": "ok", "withdrawA": "ok",
                        "cancelA": "ok", "cancelAAgain": "error", "withdrawB": "ok",
                        "withdrawC": "ok", "cancelC": "error", "withdrawTooMuch": "error",
                        "withdrawalHistory": "ok", "withdrawalByClientId": "ok",
                        "unknownWdId": "error", "withdrawStatus": "ok",
                        "fundingAfterWithdrawals": "ok"}


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
    # The rows in the order first set; the answer's uTime (ms, as a string) is the
    # request's, each row's its currency's last change (seeded before: not later).
    assert [row["ccy"] for row in account["details"]] == ["BTC", "USDT"]
    first, last = results["_window_ms"]
    assert first <= int(account["uTime"]) <= last
    assert all(int(row["uTime"]) <= first for row in account["details"])


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


# -- withdrawals (read_fake.mjs: A waits and is canceled, B waits, C leaves at once) ------

ADDRESS = "TTsY9uu2Y3aXXXXXscA4v"


def usdt_chain(chain: str, *, fee: str, min_wd: str, main_net: bool) -> dict[str, Any]:
    """The asset/currencies row of a USDT chain of the fake's default table (name aside)."""
    return {"burningFeeRate": "", "canDep": True, "canInternal": True, "canWd": True,
            "ccy": "USDT", "chain": chain, "ctAddr": "", "depEstOpenTime": "",
            "depQuotaFixed": "", "depQuoteDailyLayer2": "", "fee": fee, "logoLink": "",
            "mainNet": main_net, "maxFee": fee, "maxFeeForCtAddr": "", "maxWd": "1000000",
            "minDep": "", "minDepArrivalConfirm": "", "minFee": fee, "minFeeForCtAddr": "",
            "minInternal": min_wd, "minWd": min_wd, "minWdUnlockConfirm": "",
            "needTag": False, "usedDepQuotaFixed": "", "usedWdQuota": "0",
            "wdEstOpenTime": "", "wdQuota": "10000000", "wdTickSz": "6"}


def history_row(wd_id: str, client_id: str, amt: str, state: str, tx_id: str,
                ts: str) -> dict[str, Any]:
    """One withdrawal-history row of a USDT-TRC20 withdrawal to ADDRESS (fee 1)."""
    return {"amt": amt, "areaCodeFrom": "", "areaCodeTo": "", "ccy": "USDT",
            "chain": "USDT-TRC20", "clientId": client_id, "fee": "1", "feeCcy": "USDT",
            "from": "", "nonTradableAsset": False, "note": "", "state": state, "to": ADDRESS,
            "toAddrType": "1", "ts": ts, "txId": tx_id, "wdId": wd_id}


def test_currencies(results: dict[str, Any]) -> None:
    # getCurrencies({ccy: 'USDT'}): the two USDT rows of the default chain table, every
    # key of okx-api's FundingCurrency type (name: checked below).
    rows = results["currencies"]["ok"]
    assert [{k: v for k, v in row.items() if k != "name"} for row in rows] == [
        usdt_chain("USDT-TRC20", fee="1", min_wd="2", main_net=True),
        usdt_chain("USDT-ERC20", fee="3", min_wd="10", main_net=False)]
    assert all(set(row) == {*usdt_chain("", fee="", min_wd="", main_net=False), "name"}
               for row in rows)


def test_currencies_name(results: dict[str, Any]) -> None:
    assert [row["name"] for row in results["currencies"]["ok"]] == ["Tether", "Tether"]


def test_submit_withdraw_answers(results: dict[str, Any]) -> None:
    # submitWithdraw resolves with WithdrawResponse rows: amt, ccy, chain, clientId, wdId.
    assert {name: results[name] for name in ("withdrawA", "withdrawB", "withdrawC")} == {
        name: {"ok": [{"amt": amt, "ccy": "USDT", "chain": "USDT-TRC20", "clientId": client,
                       "wdId": wd_id}]}
        for name, amt, client, wd_id in (("withdrawA", "20", "interopWdA", "20000001"),
                                         ("withdrawB", "30", "interopWdB", "20000002"),
                                         ("withdrawC", "10", "interopWdC", "20000003"))}


def test_cancel_withdrawal(results: dict[str, Any]) -> None:
    # A waiting one cancels; canceled already: 58220; C has left (state 2): 58216.
    assert results["cancelA"] == {"ok": [{"wdId": "20000001"}]}
    assert results["cancelAAgain"] == {"error": {
        "code": "58220", "data": [], "msg": "Withdrawal request already canceled."}}
    assert results["cancelC"] == {"error": {
        "code": "58216", "data": [], "msg": "Operation not allowed."}}


def test_withdraw_above_funding_rejects_with_58350(results: dict[str, Any]) -> None:
    # 70 + the 1 USDT fee is above the 70.5 left free in funding.
    assert results["withdrawTooMuch"] == {"error": {
        "code": "58350", "data": [], "msg": "Insufficient balance"}}


def test_withdrawal_history(results: dict[str, Any]) -> None:
    rows = results["withdrawalHistory"]["ok"]
    first, last = results["_window_ms"]
    stamps = [row["ts"] for row in rows]
    # Newest first, ts in ms within the run (as strings).
    assert first <= int(stamps[2]) <= int(stamps[1]) <= int(stamps[0]) <= last
    c_ts, b_ts, a_ts = stamps
    assert rows == [
        history_row("20000003", "interopWdC", "10", "2", "0x" + f"{20000003:064x}", c_ts),
        history_row("20000002", "interopWdB", "30", "0", "", b_ts),
        history_row("20000001", "interopWdA", "20", "-2", "", a_ts)]
    assert results["withdrawalByClientId"] == {"ok": [rows[1]]}
    assert results["unknownWdId"] == {"error": {
        "code": "58215", "data": [], "msg": "Withdrawal ID does not exist."}}


def test_deposit_withdraw_status(results: dict[str, Any]) -> None:
    # B is waiting: its stage, no txId yet, and an estimate 30 minutes after it was made,
    # in UTC+8 as OKX writes it ("01/09/2023, 8:10:48 PM").
    b_ts = int(results["withdrawalByClientId"]["ok"][0]["ts"])
    due = datetime.datetime.fromtimestamp(b_ts // 1000 + 1800,
                                          datetime.timezone(datetime.timedelta(hours=8)))
    assert results["withdrawStatus"] == {"ok": [{
        "estCompleteTime": f"{due:%m/%d/%Y}, {int(due.strftime('%I'))}:{due:%M:%S %p}",
        "state": "Pending withdrawal: Waiting for the withdrawal to be processed.",
        "txId": "", "wdId": "20000002"}]}


def test_funding_after_withdrawals(results: dict[str, Any]) -> None:
    # From 112.5 free, 5 frozen: B (30 + 1 fee) frozen while it waits, C (10 + 1) gone,
    # A back after its cancel.
    assert results["fundingAfterWithdrawals"] == {"ok": [
        {"availBal": "70.5", "bal": "106.5", "ccy": "USDT", "frozenBal": "36"}]}
