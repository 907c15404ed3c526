"""What every route handler shares: its signature, query reading, the ``ccy`` list, answers."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import unquote

from okx_fakes._chains import ChainRow
from okx_fakes._errors import ERRORS, SUCCESS_CODE, error_response
from okx_fakes._facts import CCY_PATTERN, MAX_CCY_COUNT
from okx_fakes._ledger import Ledger
from okx_fakes._types import FakeResponse, json_body

__all__ = ["Caller", "Handler", "ccy_list", "ok_response", "param_error", "query_values"]


@dataclass(frozen=True)
class Caller:
    """Who a route answers: the account's ledger (under the exchange's lock), uid, key rights.

    ``chains`` is the exchange's chain table (read-only to handlers).
    """

    ledger: Ledger
    uid: str
    permissions: frozenset[str]
    chains: Mapping[tuple[str, str], ChainRow] = field(default_factory=dict)


# A route's handler: (the caller, raw query, raw body, the fake's clock)
# -> (OKX code, response).
Handler = Callable[[Caller, str, bytes, float], tuple[str, FakeResponse]]


def query_values(query: str, name: str) -> list[str]:
    """Return every percent-decoded value of parameter ``name`` in a raw query, in order."""
    values = []
    for pair in query.split("&") if query else ():
        key, _, value = pair.partition("=")
        if unquote(key) == name:
            values.append(unquote(value))
    return values


def ccy_list(query: str) -> tuple[str | None, list[str] | None]:
    """Read the ``ccy`` parameter: ``(error code or None, currencies or None for all)``.

    Missing or empty: None (every currency). Otherwise split on commas: more than 20 items
    -> 50025 (counted before duplicates collapse); an item that is not 1 to 32 ASCII
    letters/digits -> 51000; a repeated ``ccy`` parameter -> 51000. Items are
    case-insensitive (upper-cased) and duplicates kept once, in the order asked.
    """
    values = query_values(query, "ccy")
    if len(values) > 1:
        return "51000", None
    if not values or values[0] == "":
        return None, None
    items = values[0].split(",")
    if len(items) > MAX_CCY_COUNT:
        return "50025", None
    if not all(CCY_PATTERN.fullmatch(item) for item in items):
        return "51000", None
    return None, list(dict.fromkeys(item.upper() for item in items))


def ok_response(data: Sequence[Mapping[str, object]]) -> tuple[str, FakeResponse]:
    """Return OKX's success answer carrying ``data``."""
    return SUCCESS_CODE, FakeResponse(200, json_body({"code": SUCCESS_CODE, "data": data,
                                                      "msg": ""}))


def param_error(code: str, param: str) -> tuple[str, FakeResponse]:
    """Return OKX's answer for a parameter code (50014, 51000...) naming ``param``."""
    return code, error_response(code, ERRORS[code].message(param0=param))
