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
            "BTC": {"available": "1.5", "borrowable": "0.5"}
          },
          "max_withdrawals": {            # optional; pins exact answers (null -> "")
            "ETH": {"max_wd": "10", "max_wd_ex": "12",
                    "spot_offset_max_wd": null, "spot_offset_max_wd_ex": null}
          },
          "funding": {"USDT": "100"},     # optional; the funding account's balances
          "permissions": ["read", "trade"]  # optional; the key's (default both)
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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

from okx_ext._text import preview
from okx_fakes._accounts import Amount, FakeAccount
from okx_fakes._checks import FieldError, check_plain_decimal
from okx_fakes._facts import PERMISSIONS
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
_BALANCE_KEYS: Final = frozenset({"available", "borrowable"})
# FakeAccount.set_max_withdrawal's optional keywords; JSON null or absent means "".
_OPTIONAL_PINS: Final = ("max_wd_ex", "spot_offset_max_wd", "spot_offset_max_wd_ex")
_PINNED_KEYS: Final = frozenset({"max_wd", *_OPTIONAL_PINS})


class AccountsFileError(ValueError):
    """An accounts document is not valid; the message names the place and the problem."""


@dataclass(frozen=True)
class AccountSpec:
    """One API key and the account it opens or joins: what :func:`seed_exchange` adds.

    ``mode`` None means "spot", or the mode of the account a shared ``uid`` names.
    ``balances`` maps a currency to ``(available, borrowable)`` for ``set_balance``;
    ``max_withdrawals`` maps a currency to ``set_max_withdrawal``'s keyword arguments;
    ``funding`` maps a currency to its funding balance (``set_funding_balance``), and
    ``permissions`` are the key's (``add_account``). The spec is shape-checked only: the
    exchange judges its values when seeded.
    """

    api_key: str
    secret_key: str
    passphrase: str
    demo: bool = True
    mode: str | None = None
    uid: str | None = None
    balances: Mapping[str, tuple[Amount, Amount]] = field(default_factory=dict)
    max_withdrawals: Mapping[str, Mapping[str, Amount | None]] = field(default_factory=dict)
    funding: Mapping[str, Amount] = field(default_factory=dict)
    permissions: tuple[str, ...] = PERMISSIONS

    def __repr__(self) -> str:
        # The dataclass default would print the credentials.
        return f"{type(self).__name__}(mode={self.mode!r}, demo={self.demo!r}, uid={self.uid!r})"

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

    Returns the account of each spec. The exchange's own validation (mode names, currency
    codes, amounts, duplicate keys) is reported as :class:`AccountsFileError` naming the
    place, e.g. ``accounts[1].balances.BTC``.
    """
    accounts = []
    for index, spec in enumerate(specs):
        where = f"accounts[{index}]"
        try:
            account = exchange.add_account(
                spec.api_key,
                spec.secret_key,
                spec.passphrase,
                mode=spec.mode,
                demo=spec.demo,
                uid=spec.uid,
                permissions=spec.permissions,
            )
        except (ValueError, TypeError) as exc:
            raise AccountsFileError(f"{where}: {exc}") from None
        for ccy, (available, borrowable) in spec.balances.items():
            try:
                account.set_balance(ccy, available=available, borrowable=borrowable)
            except (ValueError, TypeError) as exc:
                raise AccountsFileError(f"{where}.balances.{ccy}: {exc}") from None
        for ccy, pinned in spec.max_withdrawals.items():
            try:
                account.set_max_withdrawal(ccy, **pinned)
            except (ValueError, TypeError) as exc:
                raise AccountsFileError(f"{where}.max_withdrawals.{ccy}: {exc}") from None
        for ccy, available in spec.funding.items():
            try:
                account.set_funding_balance(ccy, available)
            except (ValueError, TypeError) as exc:
                raise AccountsFileError(f"{where}.funding.{ccy}: {exc}") from None
        accounts.append(account)
    return accounts


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

    balances: dict[str, tuple[Amount, Amount]] = {}
    for ccy, balance in _currency_table(account.get("balances", {}), f"{where}.balances").items():
        place = f"{where}.balances.{ccy}"
        fields = _mapping(balance, place, _BALANCE_KEYS)
        if "available" not in fields:
            raise AccountsFileError(f'{place}: missing key "available"')
        available = _amount(fields["available"], f"{place}.available")
        borrowable = _amount(fields.get("borrowable", 0), f"{place}.borrowable")
        balances[ccy] = (available, borrowable)

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

    funding = {
        ccy: _amount(available, f"{where}.funding.{ccy}")
        for ccy, available in _currency_table(account.get("funding", {}),
                                              f"{where}.funding").items()
    }
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
