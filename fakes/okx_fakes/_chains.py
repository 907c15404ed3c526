"""The chains a currency can be withdrawn on: fee, bounds, tick size, and whether it may.

One row per ``(ccy, chain)``, as ``GET /api/v5/asset/currencies`` answers. Tests seed the
table (``FakeExchange.set_chain``, ``PUT /_fake/chains/{ccy}/{chain}``); the default is a
small set, each row sourced or marked assumed. ``max_wd`` here is the chain's cap on one
withdrawal: the same name as max-withdrawal's ``maxWd``, an unrelated quantity (OKX docs).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from okx_fakes._amounts import Amount, format_amount, normalize_ccy, parse_amount
from okx_fakes._checks import FieldError

__all__ = ["DEFAULT_CHAINS", "ChainRow", "chain_row"]


@dataclass(frozen=True)
class ChainRow:
    """One currency on one chain, and the rules a withdrawal on it meets.

    ``fee`` is charged on top of ``amt`` (OKX docs: not included in it); ``min_wd`` and
    ``max_wd`` bound one on-chain withdrawal, ``min_internal`` one internal (``dest`` 3);
    ``wd_tick_sz`` is how many decimals ``amt`` may have; ``can_wd``/``can_internal``
    say whether those are open. ``source`` says where the row's numbers come from.
    """

    ccy: str
    chain: str
    fee: Decimal
    min_wd: Decimal
    max_wd: Decimal
    wd_tick_sz: int
    min_internal: Decimal
    can_wd: bool = True
    can_internal: bool = True
    can_dep: bool = True
    main_net: bool = True
    name: str = ""
    source: str = "assumed"

    def as_okx(self) -> dict[str, object]:
        """Return the row ``GET /api/v5/asset/currencies`` answers, keys in the wire's order."""
        return {
            "burningFeeRate": "", "canDep": self.can_dep, "canInternal": self.can_internal,
            "canWd": self.can_wd, "ccy": self.ccy, "chain": self.chain, "ctAddr": "",
            "depEstOpenTime": "", "depQuotaFixed": "", "depQuoteDailyLayer2": "",
            "fee": format_amount(self.fee), "logoLink": "", "mainNet": self.main_net,
            "maxFee": format_amount(self.fee), "maxFeeForCtAddr": "",
            "maxWd": format_amount(self.max_wd), "minDep": "", "minDepArrivalConfirm": "",
            "minFee": format_amount(self.fee), "minFeeForCtAddr": "",
            "minInternal": format_amount(self.min_internal), "minWd": format_amount(self.min_wd),
            "minWdUnlockConfirm": "", "name": self.name, "needTag": False,
            "usedDepQuotaFixed": "", "usedWdQuota": "0", "wdEstOpenTime": "",
            "wdQuota": "10000000", "wdTickSz": str(self.wd_tick_sz),
        }


def chain_row(ccy: str, chain: str, *, fee: Amount, min_wd: Amount, max_wd: Amount,
              wd_tick_sz: int = 8, min_internal: Amount | None = None, can_wd: bool = True,
              can_internal: bool = True, main_net: bool = True, name: str = "",
              source: str = "assumed") -> ChainRow:
    """Validate and return a :class:`ChainRow` (ValueError/TypeError naming the field).

    ``chain`` is OKX's ``CCY-Network`` name (e.g. ``"BTC-Bitcoin"``); ``min_internal``
    defaults to ``min_wd``; ``min_wd <= max_wd``.
    """
    code = normalize_ccy(ccy)
    if not isinstance(chain, str) or not chain.startswith(f"{code}-") or len(chain) > 64:
        raise FieldError("chain", f"expected '{code}-<network>' (at most 64 characters), "
                                  f"got {chain!r}")
    if isinstance(wd_tick_sz, bool) or not isinstance(wd_tick_sz, int) or not (
            0 <= wd_tick_sz <= 30):
        raise FieldError("wd_tick_sz", f"expected an int from 0 to 30, got {wd_tick_sz!r}")
    low = parse_amount(min_wd, name="min_wd")
    high = parse_amount(max_wd, name="max_wd")
    if low > high:
        raise FieldError("min_wd", f"must not exceed max_wd ({format_amount(high)})")
    for field_name, flag in (("can_wd", can_wd), ("can_internal", can_internal),
                             ("main_net", main_net)):
        if not isinstance(flag, bool):
            raise FieldError(field_name, f"expected true or false, got {flag!r}")
    if not isinstance(name, str):
        raise FieldError("name", f"expected a string, got {name!r}")
    return ChainRow(code, chain, parse_amount(fee, name="fee"), low, high, wd_tick_sz,
                    low if min_internal is None else parse_amount(min_internal,
                                                                 name="min_internal"),
                    can_wd, can_internal, True, main_net, name, source)


#: The chains a new exchange knows. BTC's numbers are OKX's published currencies example
#: (docs_example_2026 in the recorded answers); the others are assumptions of plausible
#: size, to be seeded over by a test that cares.
DEFAULT_CHAINS: Final[tuple[ChainRow, ...]] = (
    chain_row("BTC", "BTC-Bitcoin", fee="0.00005", min_wd="0.0005", max_wd="500",
              wd_tick_sz=8, min_internal="0.0001", name="Bitcoin",
              source="OKX docs: the currencies example"),
    chain_row("ETH", "ETH-ERC20", fee="0.0016", min_wd="0.001", max_wd="2000",
              wd_tick_sz=8, name="Ethereum", source="assumed"),
    chain_row("USDT", "USDT-TRC20", fee="1", min_wd="2", max_wd="1000000", wd_tick_sz=6,
              name="Tether", source="assumed (ccxt's recorded request sends fee 1)"),
    chain_row("USDT", "USDT-ERC20", fee="3", min_wd="10", max_wd="1000000", wd_tick_sz=6,
              main_net=False, name="Tether", source="assumed"),
)
