"""What the interop tests share: the credentials, the seeded exchange, the served pair."""

from __future__ import annotations

from dataclasses import dataclass

from okx_fakes import FakeExchange

# One demo key in multi-currency margin mode (availEq set: ccxt's margin branch), one live
# key in spot mode (availEq "": ccxt's availBal/frozenBal branch).
DEMO = ("interop-demo-key", "interop-demo-secret", "Interop-Pass-1")
SPOT = ("interop-spot-key", "interop-spot-secret", "Interop-Pass-2")
DEMO_UID = "7000001"


@dataclass(frozen=True)
class Served:
    """A fake exchange seeded for the interop tests, and the base URL it is served on."""

    exchange: FakeExchange
    base_url: str


def seeded_exchange() -> FakeExchange:
    """Return the exchange every interop test starts from (amounts exact in binary floats).

    Amounts are sums of powers of two so that ccxt's floats equal them exactly.
    """
    exchange = FakeExchange()
    demo = exchange.add_account(*DEMO, mode="multi_currency", demo=True,
                                uid=DEMO_UID)
    demo.set_balance("BTC", available="1.5", borrowable="0.5", frozen="0.25")
    demo.set_balance("USDT", available="1000")
    demo.set_funding_balance("USDT", "100", frozen="5")
    demo.set_funding_balance("ETH", "0.5")
    spot = exchange.add_account(*SPOT, mode="spot", demo=False)
    spot.set_balance("ETH", available="2.125", frozen="0.375")
    return exchange
