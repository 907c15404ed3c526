"""Accounts as data: :class:`AccountSpec`, the one function that seeds them, their JSON document.

The accounts file, the Hypothesis strategies and the pytest plugin all describe accounts as
:class:`AccountSpec` and open them with :func:`seed_exchange`. The document format serves
``python -m okx_fakes --accounts FILE.json`` (also ``okx-ext fake-server``) and the
built-in fake that ``okx-ext max-withdrawal --fake`` answers from; without a file both
use :data:`SAMPLE_ACCOUNTS`. The document is a JSON object::

    {
      "accounts": [
        {
          "api_key": "my-key",            # required, non-empty string
          "secret_key": "my-secret",      # required, non-empty string
          "passphrase": "my-passphrase",  # required, non-empty string
          "mode": "multi_currency",       # spot | futures | multi_currency | portfolio
                                          # (default "spot"; a key sharing a uid
                                          # inherits that account's mode)
          "demo": true,                   # demo-trading key (default true)
          "uid": "1001",                  # optional; keys sharing a uid share one
                                          # account: balances and rate limit
          "balances": {                   # optional; drives the fake's answer model
            "BTC": {"available": "1.5", "borrowable": "0.5"},
            "ETH": {"available": "8", "frozen": "2",  # cashBal 10, 2 held by orders
                    "margin": "1", "borrowed": "0"}  # margin: held for positions
          },
          "max_withdrawals": {            # optional; pins exact answers (null -> "")
            "ETH": {"max_wd": "10", "max_wd_ex": "12",
                    "spot_offset_max_wd": null, "spot_offset_max_wd_ex": null}
          },
          "funding": {"USDT": "100",       # optional; the funding account's balances
                      "BTC": {"available": "1", "frozen": "0.5"}},
          "permissions": ["read", "trade"]  # optional; the key's (default: also "withdraw")
        }
      ]
    }

Amounts are plain decimal strings as OKX writes them (``"0.00000001"``; not ``"1_000"``,
``" 1 "``, ``"1e3"`` or non-ASCII digits) or JSON integers; JSON numbers with a
fraction are read exactly as written, never through ``float``. Unknown keys are refused, so
that a typo cannot silently leave an account unfunded. The fake exchange itself judges
modes, currency codes and amounts; its complaint is reported with the place in the file.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Final

from okx_ext.text import preview
from okx_fakes._accounts import (
    Amount,
    FakeAccount,
    funding_row,
    normalize_ccy,
    pinned_row,
    trading_row,
)
from okx_fakes._book import check_key
from okx_fakes._checks import FieldError, check_plain_decimal
from okx_fakes._facts import PERMISSIONS
from okx_fakes._ledger import FundingRow, Ledger, TradingRow
from okx_fakes._model import ExchangeModel
from okx_fakes._types import read_json

__all__ = [
    "SAMPLE_ACCOUNTS",
    "AccountSpec",
    "AccountsFileError",
    "parse_accounts",
    "seed_exchange",
    "specs_from_document",
]

#: The sample account: a demo-trading multi-currency margin account. Its credentials are
#: public on purpose (it exists only inside a fake); the docs' CLI page documents them.
SAMPLE_ACCOUNTS: Final[Mapping[str, Any]] = {
    "accounts": [
        {
            "api_key": "okx-ext-sample-key",
            "secret_key": "okx-ext-sample-secret",
            "passphrase": "okx-ext-sample-passphrase",
            "mode": "multi_currency",
            "demo": True,
            "balances": {
                "BTC": {"available": "1.23456789", "borrowable": "0.5"},
                "ETH": {"available": "10", "borrowable": "2.5"},
                "USDT": {"available": "2500.75", "borrowable": "1000"},
            },
        }
    ]
}

_ACCOUNT_KEYS: Final = frozenset({
    "api_key", "secret_key", "passphrase", "mode", "demo", "uid", "balances", "max_withdrawals",
    "funding", "permissions",
})
_BALANCE_KEYS: Final = frozenset({"available", "borrowable", "frozen", "margin", "borrowed"})
_FUNDING_KEYS: Final = frozenset({"available", "frozen"})
# FakeAccount.set_max_withdrawal's optional keywords; JSON null or absent means "".
_OPTIONAL_PINS: Final = ("max_wd_ex", "spot_offset_max_wd", "spot_offset_max_wd_ex")
_PINNED_KEYS: Final = frozenset({"max_wd", *_OPTIONAL_PINS})


class AccountsFileError(ValueError):
    """An accounts document is not valid; the message names the place and the problem."""


@dataclass(frozen=True)
class AccountSpec:
    """One API key and the account it opens or joins: what :func:`seed_exchange` adds.

    ``mode`` None means "spot", or the mode of the account a shared ``uid`` names.
    ``balances`` maps a currency to ``(available, borrowable)`` or to ``set_balance``'s
    keyword arguments (``available``, ``borrowable``, ``frozen``, ``margin``, ``borrowed``);
    ``max_withdrawals`` maps a currency to ``set_max_withdrawal``'s keyword arguments;
    ``funding`` maps a currency to its funding ``availBal``, or to ``set_funding_balance``'s
    arguments (``available``, ``frozen``), and
    ``permissions`` are the key's (``add_account``). The spec is shape-checked only: the
    exchange judges its values when seeded.
    """

    api_key: str
    secret_key: str
    passphrase: str
    demo: bool = True
    mode: str | None = None
    uid: str | None = None
    balances: Mapping[str, tuple[Amount, Amount] | Mapping[str, Amount]] = field(
        default_factory=dict)
    max_withdrawals: Mapping[str, Mapping[str, Amount | None]] = field(default_factory=dict)
    funding: Mapping[str, Amount | Mapping[str, Amount]] = field(default_factory=dict)
    permissions: tuple[str, ...] = PERMISSIONS

    def __repr__(self) -> str:
        # The dataclass default would print the credentials.
        return f"{type(self).__name__}(mode={self.mode!r}, demo={self.demo!r}, uid={self.uid!r})"

    def balance_arguments(self, ccy: str) -> Mapping[str, Amount]:
        """Return ``set_balance``'s keyword arguments for ``balances[ccy]``, in either form.

        :func:`seed_exchange` reads balances through this method, so a subclass that keeps
        parts of a row beside ``balances`` seeds them too.
        """
        value = self.balances[ccy]
        if isinstance(value, Mapping):
            return value
        available, borrowable = value
        return {"available": available, "borrowable": borrowable}

    @property
    def flag(self) -> str:
        """The ``x-simulated-trading`` flag this key needs: ``"1"`` demo, ``"0"`` live."""
        return "1" if self.demo else "0"


def parse_accounts(text: str | bytes) -> list[AccountSpec]:
    """Parse an accounts document (JSON text) into account specs.

    Raises :class:`AccountsFileError` naming the offending place, e.g.
    ``accounts[0].balances.BTC.available``.
    """
    try:
        document = read_json(text)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        # RecursionError: nesting deeper than the interpreter's stack allows.
        raise AccountsFileError(f"not valid JSON: {exc}") from None
    return specs_from_document(document)


def specs_from_document(document: object) -> list[AccountSpec]:
    """Shape-check an already decoded accounts document (see the module docstring)."""
    top = _mapping(document, "the document", {"accounts"})
    if "accounts" not in top:
        raise AccountsFileError('the document: missing key "accounts"')
    accounts = top["accounts"]
    if not isinstance(accounts, list) or not accounts:
        raise AccountsFileError("accounts: expected a non-empty list of accounts")
    return [_account(entry, f"accounts[{index}]") for index, entry in enumerate(accounts)]


def seed_exchange(
    exchange: ExchangeModel, specs: Sequence[AccountSpec]
) -> list[FakeAccount]:
    """Add every key of ``specs`` to ``exchange`` with its balances and pinned answers, in order.

    One transaction: every key, mode, currency code and amount is checked first, then all
    are added under the exchange's lock (no request sees half an account), or none is.
    Returns the account of each spec. A refusal is :class:`AccountsFileError` naming the
    place, e.g. ``accounts[1].balances.BTC``.
    """
    keys = []
    for index, spec in enumerate(specs):
        where = f"accounts[{index}]"
        try:
            key = check_key(spec.api_key, spec.secret_key, spec.passphrase, mode=spec.mode,
                            demo=spec.demo, uid=spec.uid, permissions=spec.permissions)
        except (ValueError, TypeError) as exc:
            raise AccountsFileError(f"{where}: {exc}") from None
        rows = _rows(spec, where)
        keys.append(replace(key, setup=functools.partial(_put_rows, rows)))
    try:
        return exchange.open_accounts(keys)
    except ValueError as exc:
        # Which key was refused: the first that is a duplicate or disagrees on the mode.
        raise AccountsFileError(f"{_refused_place(exchange, specs)}: {exc}") from None


_Rows = tuple[list[tuple[str, TradingRow]], list[tuple[str, FundingRow]]]


def _rows(spec: AccountSpec, where: str) -> _Rows:
    """Check a spec's currencies and amounts; return the rows to put, in the spec's order."""
    trading: list[tuple[str, TradingRow]] = []
    funding: list[tuple[str, FundingRow]] = []
    tables: list[tuple[str, Mapping[str, Any], Any]] = [
        ("balances", spec.balances,
         lambda ccy: trading_row(**spec.balance_arguments(ccy))),
        ("max_withdrawals", spec.max_withdrawals,
         lambda ccy: pinned_row(**spec.max_withdrawals[ccy])),
    ]
    for name, table, build in tables:
        for ccy in table:
            try:
                trading.append((normalize_ccy(ccy), build(ccy)))
            except (ValueError, TypeError) as exc:
                raise AccountsFileError(f"{where}.{name}.{ccy}: {exc}") from None
    for ccy, value in spec.funding.items():
        try:
            row = (funding_row(**value) if isinstance(value, Mapping)
                   else funding_row(value))
            funding.append((normalize_ccy(ccy), row))
        except (ValueError, TypeError) as exc:
            raise AccountsFileError(f"{where}.funding.{ccy}: {exc}") from None
    return trading, funding


def _put_rows(rows: _Rows, ledger: Ledger) -> None:
    trading, funding = rows
    for ccy, row in trading:
        ledger.put_trading(ccy, row)
    for ccy, funding_held in funding:
        ledger.put_funding(ccy, funding_held)


def _refused_place(exchange: ExchangeModel, specs: Sequence[AccountSpec]) -> str:
    """Name the spec a batch was refused for (best effort: the first that cannot open alone)."""
    seen: set[str] = set()
    for index, spec in enumerate(specs):
        if spec.api_key in seen:
            return f"accounts[{index}]"
        seen.add(spec.api_key)
        try:
            exchange.account_for_key(spec.api_key)
        except KeyError:
            continue
        return f"accounts[{index}]"
    return "accounts"


def _mapping(value: object, where: str, allowed: frozenset[str] | set[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise AccountsFileError(f"{where}: expected an object, got {preview(value)}")
    unknown = sorted(set(value) - set(allowed))
    if unknown:
        raise AccountsFileError(
            f"{where}: unknown key {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})"
        )
    return value


def _text(entry: dict[str, Any], key: str, where: str) -> str:
    if key not in entry:
        raise AccountsFileError(f'{where}: missing key "{key}"')
    value = entry[key]
    if not isinstance(value, str) or not value:
        # Never echo what is there: it may be a secret in the wrong place.
        raise AccountsFileError(f"{where}.{key}: expected a non-empty string")
    return value


def _amount(value: object, where: str) -> Amount:
    # bool is an int: "available": true is a typo, not one unit.
    if isinstance(value, bool):
        raise AccountsFileError(f"{where}: expected a decimal string, got {preview(value)}")
    if isinstance(value, (str, int, Decimal)):
        try:
            check_plain_decimal(where, value)
        except FieldError as exc:
            raise AccountsFileError(str(exc)) from None
        return value
    raise AccountsFileError(f"{where}: expected a decimal string, got {preview(value)}")


def _optional_amount(value: object, where: str) -> Amount | None:
    return None if value is None else _amount(value, where)


def _currency_table(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise AccountsFileError(f"{where}: expected an object keyed by currency")
    return value


def _account(entry: object, where: str) -> AccountSpec:
    account = _mapping(entry, where, _ACCOUNT_KEYS)
    mode = account.get("mode")
    if mode is not None and not isinstance(mode, str):
        raise AccountsFileError(f"{where}.mode: expected a string, got {preview(mode)}")
    demo = account.get("demo", True)
    if not isinstance(demo, bool):
        raise AccountsFileError(f"{where}.demo: expected true or false, got {preview(demo)}")
    uid = account.get("uid")
    if uid is not None and (not isinstance(uid, str) or not uid):
        raise AccountsFileError(f"{where}.uid: expected a non-empty string, got {preview(uid)}")

    balances: dict[str, tuple[Amount, Amount] | Mapping[str, Amount]] = {}
    for ccy, balance in _currency_table(account.get("balances", {}), f"{where}.balances").items():
        place = f"{where}.balances.{ccy}"
        fields = _mapping(balance, place, _BALANCE_KEYS)
        if "available" not in fields:
            raise AccountsFileError(f'{place}: missing key "available"')
        amounts = {name: _amount(value, f"{place}.{name}") for name, value in fields.items()}
        if set(amounts) <= {"available", "borrowable"}:  # the short form set_balance had
            balances[ccy] = (amounts["available"], amounts.get("borrowable", 0))
        else:
            balances[ccy] = amounts

    pins: dict[str, dict[str, Amount | None]] = {}
    tables = _currency_table(account.get("max_withdrawals", {}), f"{where}.max_withdrawals")
    for ccy, pinned in tables.items():
        place = f"{where}.max_withdrawals.{ccy}"
        fields = _mapping(pinned, place, _PINNED_KEYS)
        if "max_wd" not in fields:
            raise AccountsFileError(f'{place}: missing key "max_wd"')
        pins[ccy] = {"max_wd": _amount(fields["max_wd"], f"{place}.max_wd")}
        for key in _OPTIONAL_PINS:
            pins[ccy][key] = _optional_amount(fields.get(key), f"{place}.{key}")

    funding: dict[str, Amount | Mapping[str, Amount]] = {}
    for ccy, held in _currency_table(account.get("funding", {}), f"{where}.funding").items():
        place = f"{where}.funding.{ccy}"
        if isinstance(held, dict):
            fields = _mapping(held, place, _FUNDING_KEYS)
            if "available" not in fields:
                raise AccountsFileError(f'{place}: missing key "available"')
            funding[ccy] = {name: _amount(value, f"{place}.{name}")
                            for name, value in fields.items()}
        else:
            funding[ccy] = _amount(held, place)
    permissions = account.get("permissions", list(PERMISSIONS))
    if not isinstance(permissions, list) or not all(isinstance(p, str) for p in permissions):
        raise AccountsFileError(f"{where}.permissions: expected a list of strings, "
                                f"got {preview(permissions)}")

    return AccountSpec(
        api_key=_text(account, "api_key", where),
        secret_key=_text(account, "secret_key", where),
        passphrase=_text(account, "passphrase", where),
        mode=mode,
        demo=demo,
        uid=uid,
        balances=balances,
        max_withdrawals=pins,
        funding=funding,
        permissions=tuple(permissions),
    )
