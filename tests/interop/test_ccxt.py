"""ccxt's okx exchange class reads the fake served on loopback.

ccxt parses OKX's answers with its own code (``ccxt/okx.py``: ``parse_trading_balance``,
``parse_funding_balance``, ``parse_transfer``), written against okx.com, not against this
fake. Each test pins the exact numbers ccxt derives from the seeded ledger, so a field the
fake renames, leaves out or renders differently fails here.
"""

from __future__ import annotations

import time
from typing import Any

import ccxt
import pytest
from interop_support import DEMO, DEMO_UID, SPOT, Served

# The currencies the transfer tests name. ccxt's transfer() looks the code up in
# exchange.currencies, which load_markets() would fill from asset/currencies and the
# public instruments routes: the fake models neither (plain-text 404), so they are
# preset. precision None: ccxt then sends the amount as given (currency_to_precision).
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
