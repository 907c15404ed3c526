"""ccxt's okx exchange class reads the fake served on loopback.

ccxt parses OKX's answers with its own code (``ccxt/okx.py``: ``parse_trading_balance``,
``parse_funding_balance``, ``parse_transfer``), written against okx.com, not against this
fake. Each test pins the exact numbers ccxt derives from the seeded ledger, so a field the
fake renames, leaves out or renders differently fails here.
"""

from __future__ import annotations

import json
import time
from typing import Any

import ccxt
import pytest
from interop_support import DEMO, DEMO_UID, SPOT, Served

# The currencies the transfer tests name. ccxt's transfer() looks the code up in
# exchange.currencies, which load_markets() would fill from asset/currencies and the
# public instruments routes: the fake does not model the latter (plain-text 404), and
# ccxt skips the former in sandbox mode, so they are preset. precision None: ccxt then
# sends the amount as given (currency_to_precision).
CURRENCIES = {code: {"id": code, "code": code, "precision": None} for code in ("USDT", "ETH")}


def okx_client(base_url: str, credentials: tuple[str, str, str], *,
               sandbox: bool) -> ccxt.okx:
    """Return a ccxt okx client aimed at ``base_url``, markets preset so none are fetched."""
    key, secret, passphrase = credentials
    # enableRateLimit off: ccxt's own throttle would only sleep between requests here.
    client = ccxt.okx({"apiKey": key, "secret": secret, "password": passphrase,
                       "enableRateLimit": False})
    if sandbox:
        # Sends x-simulated-trading: 1 and swaps urls['api'] for urls['test'], which is why
        # the URL is set afterwards.
        client.set_sandbox_mode(True)
    client.urls["api"]["rest"] = base_url
    # Loopback only: a proxy from the environment must not carry these requests.
    client.session.trust_env = False
    # fetch_balance/transfer/fetch_transfer call load_markets() only while markets is None.
    client.set_markets({}, CURRENCIES)
    return client


def accounts(balance: dict[str, Any], *codes: str) -> dict[str, dict[str, float]]:
    """The free/used/total ccxt parsed for each of ``codes``."""
    return {code: {part: balance[code][part] for part in ("free", "used", "total")}
            for code in codes}


def test_trading_balance_margin_mode(served: Served) -> None:
    # multi_currency answers availEq: ccxt takes free = availEq, total = eq (= cashBal)
    # and derives used = total - free, which must come out as the frozen amount.
    client = okx_client(served.base_url, DEMO, sandbox=True)
    before_ms = int(time.time() * 1000)
    balance = client.fetch_balance()
    after_ms = int(time.time() * 1000)
    assert accounts(balance, "BTC", "USDT") == {
        "BTC": {"free": 1.5, "used": 0.25, "total": 1.75},
        "USDT": {"free": 1000.0, "used": 0.0, "total": 1000.0},
    }
    assert set(balance["total"]) == {"BTC", "USDT"}
    details = {row["ccy"]: row for row in balance["info"]["data"][0]["details"]}
    assert {name: details["BTC"][name] for name in ("availEq", "availBal", "frozenBal", "eq",
                                                   "cashBal", "maxLoan", "liab")} == {
        "availEq": "1.5", "availBal": "1.5", "frozenBal": "0.25", "eq": "1.75",
        "cashBal": "1.75", "maxLoan": "0.5", "liab": "0"}
    # uTime, in ms, is the answer's timestamp in ccxt's balance.
    assert before_ms <= balance["timestamp"] <= after_ms
    assert balance["datetime"] == client.iso8601(balance["timestamp"])


def test_trading_balance_spot_mode(served: Served) -> None:
    # Spot mode answers availEq "": ccxt reads it as absent and takes free = availBal and
    # used = frozenBal; a live key, so no sandbox header.
    client = okx_client(served.base_url, SPOT, sandbox=False)
    balance = client.fetch_balance()
    assert accounts(balance, "ETH") == {"ETH": {"free": 2.125, "used": 0.375, "total": 2.5}}
    assert balance["info"]["data"][0]["details"][0]["availEq"] == ""
    assert set(balance["total"]) == {"ETH"}


def test_funding_balance(served: Served) -> None:
    # asset/balances: free = availBal, used = frozenBal, total = bal.
    client = okx_client(served.base_url, DEMO, sandbox=True)
    balance = client.fetch_balance({"type": "funding"})
    assert accounts(balance, "USDT", "ETH") == {
        "USDT": {"free": 100.0, "used": 5.0, "total": 105.0},
        "ETH": {"free": 0.5, "used": 0.0, "total": 0.5},
    }
    assert set(balance["total"]) == {"USDT", "ETH"}


def test_transfer_and_fetch_transfer(served: Served) -> None:
    client = okx_client(served.base_url, DEMO, sandbox=True)
    sent = client.transfer("USDT", 12.5, "trading", "funding")
    (record,) = served.exchange.account(DEMO_UID).transfers
    # ccxt maps the answer's from/to (18, 6) back to its account names; the success answer
    # carries no state, so ccxt's status is None until fetch_transfer.
    assert {k: sent[k] for k in ("id", "currency", "amount", "fromAccount", "toAccount",
                                 "status")} == {
        "id": record.trans_id, "currency": "USDT", "amount": 12.5, "fromAccount": "trading",
        "toAccount": "funding", "status": None}
    assert sent["info"] == {"amt": "12.5", "ccy": "USDT", "clientId": "", "from": "18",
                            "to": "6", "transId": record.trans_id}
    fetched = client.fetch_transfer(sent["id"])
    assert {k: fetched[k] for k in ("id", "currency", "amount", "fromAccount", "toAccount",
                                    "status")} == {
        "id": record.trans_id, "currency": "USDT", "amount": 12.5, "fromAccount": "trading",
        "toAccount": "funding", "status": "ok"}
    # The funds moved, as both balances read by ccxt show.
    funding = client.fetch_balance({"type": "funding"})
    assert accounts(funding, "USDT") == {"USDT": {"free": 112.5, "used": 5.0, "total": 117.5}}
    trading = client.fetch_balance()
    assert accounts(trading, "USDT") == {"USDT": {"free": 987.5, "used": 0.0, "total": 987.5}}


def test_fetch_unknown_transfer_is_an_exchange_error(served: Served) -> None:
    # ccxt's okx has no entry for 58129 in its exception table: the broad ExchangeError,
    # carrying the fake's body.
    client = okx_client(served.base_url, DEMO, sandbox=True)
    with pytest.raises(ccxt.ExchangeError) as caught:
        client.fetch_transfer("999")
    assert type(caught.value) is ccxt.ExchangeError
    assert str(caught.value) == (
        'okx {"code":"58129","data":[],"msg":"transId is incorrect or transId does not '
        "match with 'type'\"}")


def test_demo_key_without_sandbox_mode_is_refused(served: Served) -> None:
    # Without set_sandbox_mode ccxt sends no x-simulated-trading header: the fake refuses a
    # demo key then, as OKX does (50101), and ccxt maps it to an authentication error.
    client = okx_client(served.base_url, DEMO, sandbox=False)
    with pytest.raises(ccxt.AuthenticationError, match='"code":"50101"'):
        client.fetch_balance()


# -- withdrawals ------------------------------------------------------------------------
#
# ccxt's okx.py: withdraw() posts asset/withdrawal (chain = ccy + "-" + params["network"],
# and the chain's fee from exchange.currencies when none is given), fetch_withdrawals and
# fetch_withdrawal read asset/withdrawal-history through parse_transaction, whose
# parse_transaction_status maps OKX's state "2" to "ok", "0" to "pending", "-1" to
# "failed" and "-2" to "canceled". fetch_currencies and fetch_deposit_withdraw_fees read
# asset/currencies. The fake's first wdId is 20000001; an on-chain withdrawal that leaves
# gets the txId "0x" + the wdId in 64 hex digits.

ADDRESS = "TTsY9uu2Y3aXXXXXscA4v"  # the address of ccxt's own recorded withdraw request
TX_ID_1 = "0x" + f"{20000001:064x}"
# The fields of ccxt's transaction structure the fake's answers decide.
TRANSACTION_FIELDS = ("id", "currency", "amount", "network", "address", "addressTo",
                      "addressFrom", "tag", "status", "type", "txid", "fee")


def record_requests(client: ccxt.okx) -> list[tuple[str, str, Any]]:
    """Record (method, path and query, parsed JSON body) of each request ``client`` sends."""
    sent: list[tuple[str, str, Any]] = []
    fetch = client.fetch

    def recording(url: str, method: str = "GET", headers: Any = None,
                  body: Any = None) -> Any:
        path = url.split("/", 3)[3]
        sent.append((method, "/" + path, None if body is None else json.loads(body)))
        return fetch(url, method, headers, body)

    setattr(client, "fetch", recording)  # noqa: B010 (mypy: a method is not assignable)
    return sent


def transaction(parsed: dict[str, Any]) -> dict[str, Any]:
    """The fields of a ccxt transaction the fake decides (see TRANSACTION_FIELDS)."""
    return {name: parsed[name] for name in TRANSACTION_FIELDS}


def live_client_with_currencies(served: Served, usdt_funding: str) -> ccxt.okx:
    """The live (spot) key with ``usdt_funding`` USDT in funding, currencies read from the fake.

    fetch_currencies() answers {} without a request in sandbox mode (okx.py), so the
    currencies are read with the live key, then loaded as withdraw() expects them.
    """
    served.exchange.account_for_key(SPOT[0]).set_funding_balance("USDT", usdt_funding)
    client = okx_client(served.base_url, SPOT, sandbox=False)
    client.set_markets({}, client.fetch_currencies())
    return client


def test_fetch_currencies_parses_the_chain_table(served: Served) -> None:
    client = okx_client(served.base_url, SPOT, sandbox=False)
    sent = record_requests(client)
    currencies = client.fetch_currencies()
    assert sent == [("GET", "/api/v5/asset/currencies", None)]
    assert sorted(currencies) == ["BTC", "ETH", "USDT"]
    usdt = currencies["USDT"]
    # One network per chain row: the part after "USDT-" is ccxt's network code; fee,
    # withdraw limits (minWd, maxWd) and precision (10 ** -wdTickSz) come from the row.
    assert {code: {k: v for k, v in network.items() if k != "info"}
            for code, network in usdt["networks"].items()} == {
        "TRC20": {"id": "USDT-TRC20", "network": "TRC20", "active": None, "deposit": True,
                  "withdraw": True, "fee": 1.0, "precision": 1e-06,
                  "limits": {"withdraw": {"min": 2.0, "max": 1000000.0}}},
        "ERC20": {"id": "USDT-ERC20", "network": "ERC20", "active": None, "deposit": True,
                  "withdraw": True, "fee": 3.0, "precision": 1e-06,
                  "limits": {"withdraw": {"min": 10.0, "max": 1000000.0}}},
    }
    # The currency-wide values ccxt derives from its networks.
    assert {k: usdt[k] for k in ("id", "code", "type", "active", "deposit", "withdraw",
                                 "fee", "precision", "limits")} == {
        "id": "USDT", "code": "USDT", "type": "crypto", "active": None, "deposit": True,
        "withdraw": True, "fee": 1.0, "precision": 1e-06,
        "limits": {"amount": {"min": None, "max": None},
                   "deposit": {"min": None, "max": None},
                   "withdraw": {"min": 2.0, "max": 1000000.0}}}
    btc = currencies["BTC"]["networks"]["BTC"]
    # OKX's published BTC row (the fake's default): fee 0.00005, minWd 0.0005, maxWd 500.
    assert (btc["id"], btc["fee"], btc["precision"], btc["limits"]) == (
        "BTC-Bitcoin", 5e-05, 1e-08, {"withdraw": {"min": 0.0005, "max": 500.0}})
    assert currencies["ETH"]["networks"]["ERC20"]["fee"] == 0.0016


def test_fetch_currencies_names_the_currency(served: Served) -> None:
    # asset/currencies' name is the currency's name (OKX's example: "Bitcoin").
    currencies = okx_client(served.base_url, SPOT, sandbox=False).fetch_currencies()
    assert {code: currencies[code]["name"] for code in currencies} == {
        "BTC": "Bitcoin", "ETH": "Ethereum", "USDT": "Tether"}


def test_fetch_currencies_in_sandbox_mode_sends_nothing(served: Served) -> None:
    # ccxt's own rule, pinned so the live-key choice above stays explained.
    client = okx_client(served.base_url, DEMO, sandbox=True)
    sent = record_requests(client)
    assert client.fetch_currencies() == {}
    assert sent == []


def test_fetch_deposit_withdraw_fees(served: Served) -> None:
    client = live_client_with_currencies(served, "0")
    sent = record_requests(client)
    fees = client.fetch_deposit_withdraw_fees(["USDT", "BTC"])
    assert sent == [("GET", "/api/v5/asset/currencies?ccy=USDT%2CBTC", None)]
    no_fee = {"fee": None, "percentage": None}
    # One network: ccxt lifts its withdraw fee to the currency; two: it leaves it None.
    assert {code: {k: v for k, v in entry.items() if k != "info"}
            for code, entry in fees.items()} == {
        "USDT": {"withdraw": no_fee, "deposit": no_fee, "networks": {
            "TRC20": {"withdraw": {"fee": 1.0, "percentage": False}, "deposit": no_fee},
            "ERC20": {"withdraw": {"fee": 3.0, "percentage": False}, "deposit": no_fee}}},
        "BTC": {"withdraw": {"fee": 5e-05, "percentage": False}, "deposit": no_fee,
                "networks": {"BTC": {"withdraw": {"fee": 5e-05, "percentage": False},
                                     "deposit": no_fee}}},
    }


def test_withdraw_at_once_then_fetch_it(served: Served) -> None:
    client = live_client_with_currencies(served, "50")
    sent = record_requests(client)
    before_ms = int(time.time() * 1000)
    made = client.withdraw("USDT", 5, ADDRESS, {"network": "TRC20"})
    after_ms = int(time.time() * 1000)
    # ccxt sends the chain's fee read from asset/currencies (OKX no longer needs it; the
    # fake takes its own fee from the chain table, the same 1 USDT).
    assert sent == [("POST", "/api/v5/asset/withdrawal", {
        "ccy": "USDT", "toAddr": ADDRESS, "dest": "4", "amt": "5", "chain": "USDT-TRC20",
        "fee": "1"})]
    # The answer carries no state, address, fee nor time: ccxt leaves them None.
    assert made["info"] == {"amt": "5", "ccy": "USDT", "chain": "USDT-TRC20",
                            "clientId": "", "wdId": "20000001"}
    assert transaction(made) == {
        "id": "20000001", "currency": "USDT", "amount": 5.0, "network": "TRC20",
        "address": None, "addressTo": None, "addressFrom": None, "tag": None,
        "status": None, "type": "withdrawal", "txid": None,
        "fee": {"currency": "USDT", "cost": None}}
    listed = client.fetch_withdrawals("USDT")
    assert sent[1] == ("GET", "/api/v5/asset/withdrawal-history?ccy=USDT", None)
    fetched = client.fetch_withdrawal("20000001")
    assert sent[2] == ("GET", "/api/v5/asset/withdrawal-history?wdId=20000001", None)
    assert [transaction(row) for row in listed] == [transaction(fetched)]
    assert transaction(fetched) == {
        "id": "20000001", "currency": "USDT", "amount": 5.0, "network": "TRC20",
        "address": ADDRESS, "addressTo": ADDRESS, "addressFrom": None, "tag": None,
        "status": "ok", "type": "withdrawal", "txid": TX_ID_1,
        "fee": {"currency": "USDT", "cost": 1.0}}
    assert before_ms <= fetched["timestamp"] <= after_ms
    assert fetched["datetime"] == client.iso8601(fetched["timestamp"])
    # Amount and fee left the funding account.
    funding = client.fetch_balance({"type": "funding"})
    assert accounts(funding, "USDT") == {"USDT": {"free": 44.0, "used": 0.0, "total": 44.0}}


def test_pending_withdrawal_settles_ok(served: Served) -> None:
    # The demo key in sandbox mode, currencies preset without networks: ccxt then sends no
    # fee; the fake charges the chain's (1 USDT on USDT-TRC20) all the same.
    client = okx_client(served.base_url, DEMO, sandbox=True)
    sent = record_requests(client)
    served.exchange.pend_next_withdrawals()
    made = client.withdraw("USDT", 20, ADDRESS, {"network": "TRC20"})
    assert sent == [("POST", "/api/v5/asset/withdrawal", {
        "ccy": "USDT", "toAddr": ADDRESS, "dest": "4", "amt": "20", "chain": "USDT-TRC20"})]
    assert made["id"] == "20000001"
    waiting = client.fetch_withdrawal("20000001")
    # state "0": pending; no txId yet (the fake answers "", which ccxt reads as None).
    assert (waiting["status"], waiting["txid"], waiting["info"]["state"],
            waiting["info"]["txId"]) == ("pending", None, "0", "")
    # Waiting, amount and fee are frozen in funding (100 free, 5 frozen before).
    assert accounts(client.fetch_balance({"type": "funding"}), "USDT") == {
        "USDT": {"free": 79.0, "used": 26.0, "total": 105.0}}
    served.exchange.settle_withdrawal("20000001", "success")
    settled = client.fetch_withdrawal("20000001")
    assert transaction(settled) == {
        "id": "20000001", "currency": "USDT", "amount": 20.0, "network": "TRC20",
        "address": ADDRESS, "addressTo": ADDRESS, "addressFrom": None, "tag": None,
        "status": "ok", "type": "withdrawal", "txid": TX_ID_1,
        "fee": {"currency": "USDT", "cost": 1.0}}
    assert accounts(client.fetch_balance({"type": "funding"}), "USDT") == {
        "USDT": {"free": 79.0, "used": 5.0, "total": 84.0}}


def test_failed_and_canceled_withdrawals_in_the_history(served: Served) -> None:
    client = okx_client(served.base_url, DEMO, sandbox=True)
    served.exchange.pend_next_withdrawals(2)
    first = client.withdraw("USDT", 10, ADDRESS, {"network": "TRC20"})
    second = client.withdraw("USDT", 12, ADDRESS, {"network": "TRC20"})
    served.exchange.settle_withdrawal(first["id"], "failed")
    # ccxt's okx has no cancel method: its implicit API method for the route.
    canceled = client.private_post_asset_cancel_withdrawal({"wdId": second["id"]})
    assert canceled == {"code": "0", "data": [{"wdId": "20000002"}], "msg": ""}
    # The fake answers newest first; ccxt sorts by ts (equal within a millisecond), so
    # ccxt's order is not pinned. Neither left, so neither has a txId.
    raw = client.private_get_asset_withdrawal_history({"ccy": "USDT"})
    assert [row["wdId"] for row in raw["data"]] == ["20000002", "20000001"]
    listed = client.fetch_withdrawals("USDT")
    assert sorted((row["id"], row["status"], row["amount"], row["txid"],
                   row["info"]["state"], row["info"]["txId"]) for row in listed) == [
        ("20000001", "failed", 10.0, None, "-1", ""),
        ("20000002", "canceled", 12.0, None, "-2", "")]
    # Both returned to the funding account.
    assert accounts(client.fetch_balance({"type": "funding"}), "USDT") == {
        "USDT": {"free": 100.0, "used": 5.0, "total": 105.0}}


def test_withdraw_above_funding_is_insufficient_funds(served: Served) -> None:
    # 44 + the 1 USDT fee is above the 44.5 in funding: 58350, in ccxt's table as
    # InsufficientFunds; nothing leaves.
    client = live_client_with_currencies(served, "44.5")
    with pytest.raises(ccxt.InsufficientFunds) as caught:
        client.withdraw("USDT", 44, ADDRESS, {"network": "TRC20"})
    assert type(caught.value) is ccxt.InsufficientFunds
    assert str(caught.value) == 'okx {"code":"58350","data":[],"msg":"Insufficient balance"}'
    assert client.fetch_withdrawals("USDT") == []
    # The whole balance less the fee goes.
    made = client.withdraw("USDT", 43.5, ADDRESS, {"network": "TRC20"})
    assert made["id"] == "20000001"
    # Nothing is left: asset/balances then has no USDT row, and ccxt no USDT entry.
    assert client.fetch_balance({"type": "funding"})["total"] == {}
