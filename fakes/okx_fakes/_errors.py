"""The one table of OKX error codes the fake answers: code -> HTTP status and message.

Sources: OKX's v5 REST error-code table (statuses and templates, as reproduced on
OKX's own developer pages) and, where the wire differs from the table, what OKX
actually sends: ``50011`` answers ``"Too Many Requests"`` (the table's text is
"Rate limit reached...") and ``50113`` answers ``"Invalid Sign"``.
Templates use ``{param0}``/``{param1}`` placeholders exactly like OKX's table;
:meth:`OkxErrorSpec.message` fills them, by default with what this endpoint would say
(``ccy``, ``20``; a loopback IP for the IP-whitelist codes).

Error bodies follow this project's contract, ``{"code": ..., "msg": ..., "data": []}``.
"""

from __future__ import annotations

from typing import NamedTuple

from okx_fakes._facts import MAX_CCY_COUNT
from okx_fakes._types import FakeResponse, json_body

__all__ = [
    "ERRORS",
    "NOT_FOUND",
    "SUCCESS_CODE",
    "OkxErrorSpec",
    "error_response",
    "not_found_response",
]

SUCCESS_CODE = "0"


class OkxErrorSpec(NamedTuple):
    """What OKX answers for one error code: HTTP status, message template, default fill."""

    status: int
    template: str
    params: tuple[tuple[str, str], ...] = ()

    def message(self, **params: str) -> str:
        """Render the message, ``params`` overriding the default fill."""
        return self.template.format_map({**dict(self.params), **params})


_CCY = (("param0", "ccy"),)
_CCY_20 = (("param0", "ccy"), ("param1", str(MAX_CCY_COUNT)))
_IP = (("param0", "127.0.0.1"),)

ERRORS: dict[str, OkxErrorSpec] = {
    # General class.
    "50001": OkxErrorSpec(503, "Service temporarily unavailable. Try again later"),
    "50004": OkxErrorSpec(
        400,
        "API endpoint request timeout (does not mean that the request was successful "
        "or failed, please check the request result)",
    ),
    "50005": OkxErrorSpec(410, "API is offline or unavailable"),
    "50011": OkxErrorSpec(429, "Too Many Requests"),
    "50013": OkxErrorSpec(429, "Systems are busy. Please try again later"),
    "50014": OkxErrorSpec(400, "Parameter {param0} cannot be empty", _CCY),
    # OKX's table gives 50025 HTTP 200 (a business error inside a normal answer).
    "50025": OkxErrorSpec(200, "Parameter {param0} count exceeds the limit {param1}", _CCY_20),
    "50026": OkxErrorSpec(500, "System error. Try again later"),
    "50030": OkxErrorSpec(200, "You don't have permission to use this API endpoint"),
    "50035": OkxErrorSpec(403, "This endpoint requires that APIKey must be bound to IP"),
    # API class (authentication).
    "50100": OkxErrorSpec(400, "API frozen, please contact customer service"),
    "50101": OkxErrorSpec(401, "APIKey does not match current environment"),
    "50102": OkxErrorSpec(401, "Timestamp request expired"),
    "50103": OkxErrorSpec(401, 'Request header "OK-ACCESS-KEY" cannot be empty'),
    "50104": OkxErrorSpec(401, 'Request header "OK-ACCESS-PASSPHRASE" cannot be empty'),
    "50105": OkxErrorSpec(401, 'Request header "OK-ACCESS-PASSPHRASE" incorrect'),
    "50106": OkxErrorSpec(401, 'Request header "OK-ACCESS-SIGN" cannot be empty'),
    "50107": OkxErrorSpec(401, 'Request header "OK-ACCESS-TIMESTAMP" cannot be empty'),
    "50110": OkxErrorSpec(
        401, "Your IP {param0} is not included in your API key's IP whitelist", _IP
    ),
    "50111": OkxErrorSpec(401, "Invalid OK-ACCESS-KEY"),
    "50112": OkxErrorSpec(401, "Invalid OK-ACCESS-TIMESTAMP"),
    "50113": OkxErrorSpec(401, "Invalid Sign"),
    "50114": OkxErrorSpec(401, "Invalid authorization"),
    "50119": OkxErrorSpec(401, "API key doesn't exist"),
    # OKX's table (funding reference): a key without the endpoint's permission; HTTP 200.
    "50120": OkxErrorSpec(200, "This API key doesn't have permission to use this function"),
    "50121": OkxErrorSpec(
        401, "You can't access our services through the IP address ({param0})", _IP
    ),
    # Trade class.
    "51000": OkxErrorSpec(400, "Parameter {param0} error", _CCY),
    # Funding class, from OKX's table (shared/reference/okx-funding-transfer.md).
    # Table: the transfer's own rate limit (per uid and currency).
    "58102": OkxErrorSpec(
        429, "Rate limit reached. Please refer to API docs and throttle requests accordingly."
    ),
    # Table: amt <= 0.
    "58114": OkxErrorSpec(400, "Transfer amount must be greater than 0"),
    # Table: more than maxWd (maxWdEx with loanTrans) or the funding balance.
    "58116": OkxErrorSpec(200, "Transfer exceeds the available amount."),
    # Table: from == to.
    "58123": OkxErrorSpec(200, "The From parameter cannot be the same as the To parameter."),
    # Table; answering it for every type 1-4 (no sub-accounts modelled) is an assumption.
    "58127": OkxErrorSpec(
        200,
        "Main account API key does not support current transfer 'type' parameter. "
        "Please refer to the API documentation.",
    ),
}

# Not an OKX code (assumption): what the fake answers for a path or method it does not model.
NOT_FOUND = OkxErrorSpec(404, "Not Found")


def error_response(code: str, msg: str | None = None) -> FakeResponse:
    """Return OKX's answer for ``code`` (a key of :data:`ERRORS`); ``msg`` replaces its text."""
    spec = ERRORS[code]
    return _error_answer(spec.status, code, spec.message() if msg is None else msg)


def not_found_response() -> FakeResponse:
    """Return the fake's answer for a route it does not model."""
    return _error_answer(NOT_FOUND.status, str(NOT_FOUND.status), NOT_FOUND.template)


def _error_answer(status: int, code: str, msg: str) -> FakeResponse:
    return FakeResponse(status, json_body({"code": code, "msg": msg, "data": []}))
