"""The control API: drive a served fake from any language, under ``/_fake/`` (never an OKX path).

JSON in and out, modelled on moto's ``/moto-api/``. A bad body or value answers 400 with
``{"error": "FIELD: problem"}``; an unknown API key 404; an unknown control path 404 and
a known one with another method 405. Adding an endpoint is one handler and one entry in
:data:`CONTROL_ROUTES`. Who may call it is :mod:`okx_fakes._control_guard`'s concern.

Every POST and PUT is one transaction of the exchange: checked whole first, then applied
under the exchange's lock, or refused (4xx) with nothing changed. Nothing is ever undone
by restoring a snapshot, so a refused call never loses what other clients did meanwhile,
and a write costs what it changes, not what the exchange holds. Every GET reads one
moment. A body with a string JSON cannot carry as UTF-8 (a lone surrogate such as
U+D800) is refused before any handler runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from okx_ext.text import preview
from okx_fakes._accounts import format_amount
from okx_fakes._accounts_file import AccountsFileError, seed_exchange, specs_from_document
from okx_fakes._checks import FieldError, check_plain_decimal, check_positive_int
from okx_fakes._errors import ERRORS
from okx_fakes._types import FakeResponse, json_body, read_json

if TYPE_CHECKING:
    from okx_fakes._accounts import FakeAccount
    from okx_fakes._model import ExchangeModel, ExchangeState

__all__ = ["CONTROL_PREFIX", "CONTROL_ROUTES", "ControlAPI", "ControlError", "redact"]

CONTROL_PREFIX = "/_fake/"


class ControlError(Exception):
    """A control request refused: the HTTP status and a message naming the field."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


# A handler gets the API, the path's named groups (percent-decoded) and the decoded body.
ControlHandler = Callable[["ControlAPI", dict[str, str], Any], tuple[int, object]]


@dataclass(frozen=True)
class ControlRoute:
    """One control endpoint: method, path pattern (named groups), handler."""

    method: str
    pattern: re.Pattern[str]
    handler: ControlHandler


class ControlAPI:
    """The control API of one exchange; its reset goes back to the state it was made with."""

    def __init__(self, exchange: ExchangeModel) -> None:
        self.exchange = exchange
        self.initial_state: ExchangeState = exchange.snapshot()

    def handle(self, method: str, target: str, body: bytes) -> FakeResponse:
        """Answer one control request (``target`` under ``/_fake/``) with a JSON response.

        A POST or PUT refused 4xx changed nothing (module docs).
        """
        try:
            return self._dispatch(method, target, body)
        except Exception as exc:  # a bug, not the input: still JSON
            return FakeResponse(500, json_body(
                {"error": f"internal error: {type(exc).__name__}"}))

    def _dispatch(self, method: str, target: str, body: bytes) -> FakeResponse:
        path = target.partition("?")[0]
        allowed = []
        for route in CONTROL_ROUTES:
            match = route.pattern.fullmatch(path)
            if match is None:
                continue
            if route.method != method:
                allowed.append(route.method)
                continue
            params = {name: unquote(value) for name, value in match.groupdict().items()}
            try:
                status, payload = route.handler(self, params, _decode(body, route.method))
            except ControlError as exc:
                status, payload = exc.status, {"error": str(exc)}
            return FakeResponse(status, json_body(payload))
        if allowed:
            return FakeResponse(405, json_body({"error": f"{path}: use {', '.join(allowed)}"}),
                                (("content-type", "application/json"),
                                 ("allow", ", ".join(allowed))))
        return FakeResponse(404, json_body({"error": "no such control endpoint"}))


def redact(target: str) -> str:
    """Return ``target`` with any ``/_fake/accounts/<segment>`` shown as ``.../***``, for a log.

    The segment is masked whether or not a control route matches (a typo, a trailing slash,
    ``control=False``, a request the server refused before the app): it is where a client
    puts an API key. Any spelling is found: percent-encoded (``/%5Ffake/``, twice too),
    another case (``/_fake/Accounts/``), doubled slashes, dot segments, an absolute-form
    target, or in the query (``/x?/_fake/accounts/KEY``). Such a target is shown decoded,
    with the segment masked; any other is returned unchanged.
    """
    decoded = _decode_ascii(target)
    masked, count = _ACCOUNT_SEGMENT.subn(r"\1***", decoded)
    return masked if count else target


# "_fake", anything up to "accounts" (slashes, dot segments, other segments), then the
# first segment after it that is not a dot segment: case-insensitive, anywhere.
_ACCOUNT_SEGMENT = re.compile(r"(_fake/(?:[^?#]*?/)?accounts/+(?:\.{1,2}/+)*)[^/?#]+",
                              re.IGNORECASE)
# An ASCII percent-escape, except those of "/", "?" and "#", which would move a key's
# own characters out of its segment.
_ASCII_ESCAPE = re.compile(r"%(?!2[fF]|3[fF]|23)([0-7][0-9a-fA-F])")


def _decode_ascii(text: str) -> str:
    """Undo ASCII percent-escapes until none is left (``%255F`` -> ``%5F`` -> ``_``)."""
    while True:
        decoded = _ASCII_ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), text)
        if decoded == text:
            return text
        text = decoded


def _decode(body: bytes, method: str) -> Any:
    if method in ("GET", "DELETE") or (not body.strip() and method == "POST"):
        return {}
    try:
        document = read_json(body)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise ControlError(400, "body: not valid JSON") from None
    problem = _unencodable(document)
    if problem is not None:
        raise ControlError(400, problem)
    return document


def _unencodable(document: Any) -> str | None:
    """Return a message naming the first str (key or value) UTF-8 cannot carry, or None.

    Iterative: the decoder already bounded the nesting, this walk adds no recursion.
    """
    problem = "is not encodable as UTF-8 (a lone surrogate?)"
    pending: list[tuple[Any, str]] = [(document, "")]
    while pending:
        item, where = pending.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return f"{where or 'body'}: {problem}"
        elif isinstance(item, dict):
            for key, member in item.items():
                try:
                    key.encode("utf-8")
                except UnicodeEncodeError:
                    return f"{where or 'body'}: a key {problem}"
                pending.append((member, f"{where}.{key}" if where else key))
        elif isinstance(item, list):
            pending.extend((member, f"{where}[{index}]") for index, member in enumerate(item))
    return None


def _object(body: Any, allowed: frozenset[str]) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ControlError(400, f"body: expected a JSON object, got {preview(body)}")
    for name in body:
        if name not in allowed:
            raise ControlError(400, f"{preview(name)}: unknown field "
                                    f"(allowed: {', '.join(sorted(allowed))})")
    return body


def _field_error(exc: FieldError, names: dict[str, str] | None = None) -> ControlError:
    """Return the model's refusal as a 400 naming the control API's field (``names`` maps)."""
    return ControlError(400, f"{(names or {}).get(exc.field, exc.field)}: {exc.problem}")


# -- handlers ----------------------------------------------------------------------------------


def _get_requests(api: ControlAPI, params: dict[str, str], body: Any) -> tuple[int, object]:
    return 200, {"requests": [record._asdict() for record in api.exchange.requests]}


def _delete_requests(api: ControlAPI, params: dict[str, str], body: Any) -> tuple[int, object]:
    api.exchange.reset_requests()
    return 200, {"requests": []}


def _post_account(api: ControlAPI, params: dict[str, str], body: Any) -> tuple[int, object]:
    try:
        specs = specs_from_document({"accounts": [body]})
        (account,) = seed_exchange(api.exchange, specs)  # one transaction: all or nothing
    except AccountsFileError as exc:
        raise ControlError(400, _field_message(str(exc))) from None
    return 201, {"uid": account.uid, "mode": account.mode, "currencies": account.currencies}


def _field_message(message: str) -> str:
    """Turn an accounts-file place (``accounts[0].balances.BTC: ...``) into the field's."""
    for prefix in ("accounts[0].", "accounts[0]: ", "the document: "):
        if message.startswith(prefix):
            return message[len(prefix):]
    return message


def _account_of(api: ControlAPI, params: dict[str, str]) -> FakeAccount:
    try:
        return api.exchange.account_for_key(params["api_key"])
    except KeyError:
        raise ControlError(404, "api_key: unknown (value not shown)") from None


def _amounts(body: Any, required: str, optional: frozenset[str]) -> dict[str, Any]:
    """Return the body's amount fields: ``required`` present, none a JSON boolean."""
    fields = _object(body, frozenset({required}) | optional)
    if required not in fields:
        raise ControlError(400, f"{required}: missing")
    _check_decimals(fields, fields)
    return fields


def _check_decimals(fields: dict[str, Any], names: Iterable[str]) -> None:
    """Refuse (400 naming it) any of ``names`` in ``fields`` that is not a plain decimal."""
    for name in names:
        if name not in fields:
            continue
        value = fields[name]
        if isinstance(value, bool):
            raise ControlError(400, f"{name}: expected a decimal string, got {value}")
        try:
            check_plain_decimal(name, value)
        except FieldError as exc:
            raise _field_error(exc) from None


def _refused_amount(exc: Exception) -> ControlError:
    """Return the model's complaint about a currency or amount as a 400 naming the field.

    An amount's message starts with its field already; a currency's does not.
    """
    if isinstance(exc, FieldError) and exc.field == "ccy":
        return _field_error(exc)
    return ControlError(400, str(exc))


def _put_balance(api: ControlAPI, params: dict[str, str], body: Any) -> tuple[int, object]:
    fields = _amounts(body, "available",
                      frozenset({"borrowable", "frozen", "margin", "borrowed"}))
    account = _account_of(api, params)
    try:
        account.set_balance(params["ccy"], **fields)
    except (ValueError, TypeError) as exc:
        raise _refused_amount(exc) from None
    ccy = params["ccy"].upper()
    return 200, account.entry(ccy).as_okx(ccy)


def _put_funding(api: ControlAPI, params: dict[str, str], body: Any) -> tuple[int, object]:
    fields = _amounts(body, "available", frozenset({"frozen"}))
    account = _account_of(api, params)
    try:
        account.set_funding_balance(params["ccy"], fields["available"],
                                    frozen=fields.get("frozen", 0))
    except (ValueError, TypeError) as exc:
        raise _refused_amount(exc) from None
    ccy = params["ccy"].upper()
    row = account.funding_row(ccy)
    return 200, {"ccy": ccy, "availBal": format_amount(row.avail_bal),
                 "frozenBal": format_amount(row.frozen)}


_FAULT_SHAPES = {
    "code": frozenset({"code", "times", "msg", "path"}),
    "http_status": frozenset({"http_status", "body", "times", "content_type", "path"}),
    "network": frozenset({"network", "times", "path", "after_answer"}),
}


def _post_fault(api: ControlAPI, params: dict[str, str], body: Any) -> tuple[int, object]:
    if not isinstance(body, dict):
        raise ControlError(400, f"body: expected a JSON object, got {preview(body)}")
    kinds = [kind for kind in _FAULT_SHAPES if kind in body]
    if len(kinds) != 1:
        raise ControlError(400, "body: expected exactly one of code, http_status, network")
    kind = kinds[0]
    fields = _object(body, _FAULT_SHAPES[kind])
    try:
        times = check_positive_int("times", fields.get("times", 1))
        if kind == "code":
            code = fields["code"]
            if isinstance(code, bool) or not isinstance(code, (int, str)) or (
                    str(code) not in ERRORS):
                raise ControlError(400, "code: not an OKX code of the fake's table, "
                                        f"got {preview(code)}")
            api.exchange.fail_next(str(code), times=times, msg=fields.get("msg"),
                                   path=fields.get("path"))
        elif kind == "http_status":
            api.exchange.fail_next_http(fields["http_status"], fields.get("body", ""),
                                        times=times,
                                        content_type=fields.get("content_type",
                                                                "text/html; charset=utf-8"),
                                        path=fields.get("path"))
        else:
            if fields["network"] is not True:
                raise ControlError(400, f"network: expected true, got {preview(fields['network'])}")
            api.exchange.fail_next_network(times, path=fields.get("path"),
                                           after_answer=fields.get("after_answer", False))
    except FieldError as exc:  # the model's refusal, naming its parameter
        raise _field_error(exc, _FAULT_FIELDS) from None
    return 201, {"queued": {**fields, "times": times}}


# The model's parameter names that the control API spells differently.
_FAULT_FIELDS = {"status": "http_status"}


def _post_reset(api: ControlAPI, params: dict[str, str], body: Any) -> tuple[int, object]:
    _object(body, frozenset())
    api.exchange.restore(api.initial_state)
    return 200, {}


def _get_accounts(api: ControlAPI, params: dict[str, str], body: Any) -> tuple[int, object]:
    return 200, {"accounts": api.exchange.summarize_accounts()}


def _get_account(api: ControlAPI, params: dict[str, str], body: Any) -> tuple[int, object]:
    """One account's state by uid, read at one moment: trading, funding, transfers."""
    try:
        return 200, api.exchange.describe_account(params["uid"])
    except KeyError:
        raise ControlError(404, f"uid: unknown, got {preview(params['uid'])}") from None


def _times(body: Any) -> int:
    """Read the ``times`` of a pend request (default 1; 400 naming it if bad)."""
    fields = _object(body, frozenset({"times"}))
    try:
        return check_positive_int("times", fields.get("times", 1))
    except FieldError as exc:
        raise _field_error(exc) from None


def _settled(settle: Callable[[str, str], Any], id_name: str, ident: str,
             body: Any) -> tuple[int, object]:
    """Settle ``ident`` with the body's ``state``: 404 unknown, 409 final already."""
    fields = _object(body, frozenset({"state"}))
    if "state" not in fields:
        raise ControlError(400, "state: missing")
    try:
        record = settle(ident, fields["state"])
    except FieldError as exc:
        raise _field_error(exc) from None
    except KeyError:
        raise ControlError(404, f"{id_name}: unknown, got {preview(ident)}") from None
    except ValueError as exc:  # settled already
        raise ControlError(409, f"{id_name}: {exc}") from None
    return 200, record.as_okx()


def _post_pend_transfers(api: ControlAPI, params: dict[str, str],
                         body: Any) -> tuple[int, object]:
    times = _times(body)
    api.exchange.pend_next_transfers(times)
    return 201, {"queued": {"pending_transfers": times}}


def _post_settle(api: ControlAPI, params: dict[str, str], body: Any) -> tuple[int, object]:
    return _settled(api.exchange.settle_transfer, "transId", params["trans_id"], body)


def _post_pend_withdrawals(api: ControlAPI, params: dict[str, str],
                           body: Any) -> tuple[int, object]:
    times = _times(body)
    api.exchange.pend_next_withdrawals(times)
    return 201, {"queued": {"pending_withdrawals": times}}


def _post_settle_withdrawal(api: ControlAPI, params: dict[str, str],
                            body: Any) -> tuple[int, object]:
    return _settled(api.exchange.settle_withdrawal, "wdId", params["wd_id"], body)


_CHAIN_FIELDS = frozenset({"fee", "min_wd", "max_wd", "wd_tick_sz", "min_internal", "can_wd",
                           "can_internal", "main_net", "name"})


def _put_chain(api: ControlAPI, params: dict[str, str], body: Any) -> tuple[int, object]:
    fields = _object(body, _CHAIN_FIELDS)
    for name in ("fee", "min_wd", "max_wd"):
        if name not in fields:
            raise ControlError(400, f"{name}: missing")
    _check_decimals(fields, ("fee", "min_wd", "max_wd", "min_internal"))
    try:
        row = api.exchange.set_chain(params["ccy"], params["chain"], **fields)
    except FieldError as exc:
        raise _field_error(exc) from None
    except (ValueError, TypeError) as exc:
        raise ControlError(400, str(exc)) from None
    return 200, row.as_okx()


def _get_chains(api: ControlAPI, params: dict[str, str], body: Any) -> tuple[int, object]:
    return 200, {"chains": [row.as_okx() for row in api.exchange.chains]}


_STUB_FIELDS = frozenset({"method", "path", "query", "status", "json", "times"})


def _put_stub(api: ControlAPI, params: dict[str, str], body: Any) -> tuple[int, object]:
    """Add a stub (see :meth:`FakeExchange.stub`): 201 with the stub as listed."""
    fields = _object(body, _STUB_FIELDS)
    for name in ("method", "path", "json"):
        if name not in fields:
            raise ControlError(400, f"{name}: missing")
    try:
        answer = _plain_numbers(fields["json"])
    except RecursionError:
        raise ControlError(400, "json: nested too deep") from None
    try:
        stub = api.exchange.stub(fields["method"], fields["path"], query=fields.get("query"),
                                 status=fields.get("status", 200), json=answer,
                                 times=fields.get("times"))
    except FieldError as exc:
        raise _field_error(exc) from None
    return 201, {"stub": stub.as_json()}


def _plain_numbers(document: Any) -> Any:
    """Return ``document`` with its fractions as floats, as ``json.loads`` reads them.

    The control API reads every body with fractions as ``Decimal`` (amounts stay exact);
    a stub's body is the test's own JSON, answered back as JSON, which a float carries.
    """
    if isinstance(document, Decimal):
        return float(document)
    if isinstance(document, list):
        return [_plain_numbers(item) for item in document]
    if isinstance(document, dict):
        return {key: _plain_numbers(value) for key, value in document.items()}
    return document


def _get_stubs(api: ControlAPI, params: dict[str, str], body: Any) -> tuple[int, object]:
    return 200, {"stubs": api.exchange.describe_stubs()}


def _delete_stubs(api: ControlAPI, params: dict[str, str], body: Any) -> tuple[int, object]:
    api.exchange.clear_stubs()
    return 200, {"stubs": []}


def _route(method: str, pattern: str, handler: ControlHandler) -> ControlRoute:
    return ControlRoute(method, re.compile(CONTROL_PREFIX + pattern), handler)


#: The control endpoints, in matching order.
CONTROL_ROUTES: tuple[ControlRoute, ...] = (
    _route("GET", "requests", _get_requests),
    _route("DELETE", "requests", _delete_requests),
    _route("POST", "accounts", _post_account),
    _route("PUT", "accounts/(?P<api_key>[^/]+)/balances/(?P<ccy>[^/]+)", _put_balance),
    _route("PUT", "accounts/(?P<api_key>[^/]+)/funding/(?P<ccy>[^/]+)", _put_funding),
    _route("POST", "faults", _post_fault),
    _route("POST", "reset", _post_reset),
    _route("GET", "accounts", _get_accounts),
    _route("GET", "accounts/(?P<uid>[^/]+)", _get_account),
    _route("POST", "transfers/pending", _post_pend_transfers),
    _route("POST", "transfers/(?P<trans_id>[^/]+)/settle", _post_settle),
    _route("POST", "withdrawals/pending", _post_pend_withdrawals),
    _route("POST", "withdrawals/(?P<wd_id>[^/]+)/settle", _post_settle_withdrawal),
    _route("GET", "chains", _get_chains),
    _route("PUT", "chains/(?P<ccy>[^/]+)/(?P<chain>[^/]+)", _put_chain),
    _route("PUT", "stubs", _put_stub),
    _route("GET", "stubs", _get_stubs),
    _route("DELETE", "stubs", _delete_stubs),
)
