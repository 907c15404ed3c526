"""The one table of OKX error codes the fake answers: code -> status, message, body shape, source.

Every row says where its status and message come from (:class:`Source`): OKX's v5 REST
error-code table (``table``, https://www.okx.com/docs-v5/en/#error-code-rest-api-public),
a raw OKX answer quoted in a public issue thread (``wire``, naming the thread as
``owner/repo#N``, which :attr:`Source.urls` gives as the GitHub URL; where the wire
contradicts the table, the wire wins), or the fake's own choice (``assumed``, saying why).
Templates use ``{param0}``/``{param1}`` like OKX's table; :meth:`OkxErrorSpec.message`
fills them, by default with what this endpoint would say (``ccy``, ``20``; a loopback IP
for the IP-whitelist codes).

Each row also states its body shape. OKX's gateway (authentication, the 429 rate limit)
answers ``{"msg": ..., "code": ...}`` exactly, msg first, no ``data``
(:data:`GATEWAY_SHAPE_SOURCE`); the endpoints answer ``{"code": ..., "data": [], "msg": ...}``.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

from okx_fakes._facts import MAX_CCY_COUNT
from okx_fakes._types import FakeResponse, json_body

__all__ = [
    "ENDPOINT",
    "ERRORS",
    "GATEWAY",
    "GATEWAY_SHAPE_SEEN",
    "GATEWAY_SHAPE_SOURCE",
    "SUCCESS_CODE",
    "TABLE",
    "TABLE_URL",
    "BodyShape",
    "OkxErrorSpec",
    "Source",
    "assumed",
    "error_body",
    "error_response",
    "wire",
]

SUCCESS_CODE = "0"

BodyShape = Literal["gateway", "endpoint"]
#: ``{"msg": ..., "code": ...}``: what OKX's gateway answers (authentication, the 429).
GATEWAY: BodyShape = "gateway"
#: ``{"code": ..., "data": [], "msg": ...}``: what an endpoint answers.
ENDPOINT: BodyShape = "endpoint"


class Source(NamedTuple):
    """Where a fact comes from: ``kind`` is ``table``, ``wire`` or ``assumed``.

    ``evidence`` names the issue threads for ``wire`` and says why for ``assumed``
    (empty for ``table``: OKX's v5 REST error-code table). Build one with :data:`TABLE`,
    :func:`wire` or :func:`assumed`.
    """

    kind: Literal["table", "wire", "assumed"]
    evidence: str = ""

    def __str__(self) -> str:
        return f"{self.kind}: {self.evidence}" if self.evidence else self.kind

    @property
    def urls(self) -> tuple[str, ...]:
        """The addresses of the sources: the threads of a ``wire`` fact, or OKX's table."""
        if self.kind == "table":
            return (TABLE_URL,)
        if self.kind != "wire":
            return ()
        return tuple(_thread_url(thread) for thread in self.evidence.split(", "))


#: OKX's v5 REST error-code table ("Error Code / REST API / Public").
TABLE = Source("table")
TABLE_URL = "https://www.okx.com/docs-v5/en/#error-code-rest-api-public"


def _thread_url(thread: str) -> str:
    """Return the GitHub URL of ``owner/repo#N`` (GitHub sends an issue URL on to a PR's).

    ``owner/repo@commit:path`` names a file: a test suite that runs against live OKX.
    """
    if "#" not in thread:
        repository, _, rest = thread.partition("@")
        commit, _, path = rest.partition(":")
        return f"https://github.com/{repository}/blob/{commit}/{path}"
    repository, _, number = thread.partition("#")
    return f"https://github.com/{repository}/issues/{number}"


def wire(threads: str) -> Source:
    """Return the source of a fact seen in raw OKX answers quoted in ``threads``."""
    return Source("wire", threads)


def assumed(why: str) -> Source:
    """Return the source of a fact the fake chose, ``why`` saying on what grounds."""
    return Source("assumed", why)


#: The evidence for the gateway body shape (``{"msg":"Invalid Sign","code":"50113"}``,
#: ``Content-Length: 37``; ``429 {"msg":"Too Many Requests","code":"50011"}``).
GATEWAY_SHAPE_SOURCE = wire("ccxt/ccxt#11109, sieblyio/okx-api#22, c9s/bbgo#1534, "
                            "ccxt/ccxt#18901")
#: The codes whose gateway body was seen on the wire; the other gateway rows are assumed alike.
GATEWAY_SHAPE_SEEN = frozenset({"50011", "50113"})


class OkxErrorSpec(NamedTuple):
    """What OKX answers for one error code: HTTP status, message template, default fill.

    ``source`` backs the status and the message; ``shape`` is the body's
    (:data:`GATEWAY` or :data:`ENDPOINT`).
    """

    status: int
    template: str
    params: tuple[tuple[str, str], ...] = ()
    source: Source = TABLE
    shape: BodyShape = ENDPOINT

    def message(self, **params: str) -> str:
        """Render the message, ``params`` overriding the default fill."""
        return self.template.format_map({**dict(self.params), **params})


_CCY = (("param0", "ccy"),)
_CCY_20 = (("param0", "ccy"), ("param1", str(MAX_CCY_COUNT)))
_IP = (("param0", "127.0.0.1"),)


def _gateway(status: int, template: str, source: Source = TABLE,
             params: tuple[tuple[str, str], ...] = ()) -> OkxErrorSpec:
    return OkxErrorSpec(status, template, params, source, GATEWAY)


# A suite that runs against live OKX and passes only if OKX answers as it asserts.
_OKX_API_READ_TEST = ("tiagosiebler/okx-api@bfb8068c2defd8675c1bfcfc6d69771bdb2c9d6e:"
                      "test/private.read.test.ts")

ERRORS: dict[str, OkxErrorSpec] = {
    # General class.
    "50001": OkxErrorSpec(503, "Service temporarily unavailable. Please try again later."),
    "50004": OkxErrorSpec(
        400,
        "API endpoint request timeout. (does not mean that the request was successful or "
        "failed, please check the request result).",
    ),
    "50005": OkxErrorSpec(410, "API endpoint is inactive or unavailable."),
    "50007": OkxErrorSpec(200, "User blocked."),
    "50008": OkxErrorSpec(200, "User doesn't exist."),
    "50009": OkxErrorSpec(200, "Account is frozen due to stop-out."),
    # The table's other 50011 row (HTTP 200, "Rate limit reached...") is not what this
    # endpoint's limit answers.
    "50011": _gateway(429, "Too Many Requests", wire("c9s/bbgo#1534, ccxt/ccxt#18901")),
    "50012": OkxErrorSpec(200, "Account status invalid. Check account status"),
    "50013": OkxErrorSpec(429, "Systems are busy. Please try again later."),
    "50014": OkxErrorSpec(400, "Parameter {param0} can not be empty.", _CCY),
    "50025": OkxErrorSpec(200, "Parameter {param0} count exceeds the limit {param1}.", _CCY_20),
    "50026": OkxErrorSpec(500, "System error. Try again later"),
    "50030": OkxErrorSpec(200, "You don't have permission to use this API endpoint"),
    "50035": OkxErrorSpec(403, "This endpoint requires that APIKey must be bound to IP"),
    "50038": OkxErrorSpec(200, "This feature is unavailable in demo trading"),
    "50040": OkxErrorSpec(200, "Too frequent operations, please try again later"),
    # API class (authentication): the gateway answers.
    "50100": _gateway(400, "API frozen, please contact customer service."),
    "50101": _gateway(401, "APIKey does not match current environment.", wire("pyted/okx#9")),
    "50102": _gateway(401, "Timestamp request expired", wire("ccxt/ccxt#11138")),
    "50103": _gateway(401, "Request header OK-ACCESS-KEY can not be empty.",
                      wire("burakoner/OKX.Api#1, ccxt/ccxt#15895")),
    "50104": _gateway(401, 'Request header "OK-ACCESS-PASSPHRASE" cannot be empty.'),
    "50105": _gateway(401, "Request header OK-ACCESS-PASSPHRASE incorrect.",
                      wire("ccxt/ccxt#22265")),
    "50106": _gateway(401, 'Request header "OK-ACCESS-SIGN" cannot be empty.'),
    "50107": _gateway(401, 'Request header "OK-ACCESS-TIMESTAMP" cannot be empty.'),
    "50108": _gateway(401, "Exchange ID does not exist."),
    "50109": _gateway(401, "Exchange domain does not exist."),
    "50110": _gateway(401, "Your IP {param0} is not included in your API key's IP whitelist.",
                      params=_IP),
    "50111": _gateway(401, "Invalid OK-ACCESS-KEY", wire("pyted/okx#1")),
    "50112": _gateway(401, "Invalid OK-ACCESS-TIMESTAMP."),
    "50113": _gateway(401, "Invalid Sign", wire("ccxt/ccxt#11109, sieblyio/okx-api#22")),
    "50114": _gateway(401, "Invalid authorization."),
    "50115": _gateway(405, "Invalid request method."),
    # The table says HTTP 200; the wire shows 401 ("401 Client Error: Unauthorized").
    "50119": _gateway(401, "API key doesn't exist",
                      wire("freqtrade/freqtrade#9422, ccxt/ccxt#23779, okxapi/python-okx#118")),
    "50120": OkxErrorSpec(200, "This API key doesn't have permission to use this function"),
    "50121": OkxErrorSpec(
        200, "You can't access our services through the IP address ({param0})", _IP
    ),
    # Trade class.
    "51000": OkxErrorSpec(400, "Parameter {param0} error", _CCY),
    # Funding class, from OKX's table (its funding section,
    # https://www.okx.com/docs-v5/en/#error-code-rest-api-funding). Endpoint answers:
    # the gateway shape is only for the API class.
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
    # Table; transfer-state for a transId or clientId that names no transfer. The wire
    # (okx-api's read test against live OKX) asserts it for an unknown clientId.
    "58129": OkxErrorSpec(
        200, "{param0} is incorrect or {param0} does not match with 'type'",
        (("param0", "transId"),), wire(_OKX_API_READ_TEST),
    ),
    # The wire's text (no final period, which the table's row has): a transfer above what
    # may move, and a withdrawal above the funding balance.
    "58350": OkxErrorSpec(200, "Insufficient balance",
                          source=wire("ccxt/ccxt#14642, ccxt/ccxt#24554")),
    # Table (funding): the withdrawal's refusals, each used where the table's words say.
    "58010": OkxErrorSpec(200, "Chain {param0} isn't supported", (("param0", "chain"),)),
    "58205": OkxErrorSpec(200, "Withdrawal amount exceeds the upper limit."),
    "58206": OkxErrorSpec(200, "Withdrawal amount is less than the lower limit."),
    "58213": OkxErrorSpec(200, "The internal transfer address is illegal. It must be an "
                               "email, phone number, or account name"),
    "58214": OkxErrorSpec(200, "Withdrawals suspended due to {param0} maintenance",
                          (("param0", "chain"),)),
    "58215": OkxErrorSpec(200, "Withdrawal ID does not exist."),
    "58216": OkxErrorSpec(200, "Operation not allowed."),
    "58220": OkxErrorSpec(200, "Withdrawal request already canceled."),
    # Table; answering it for every type 1-4 (no sub-accounts modelled) is an assumption.
    "58127": OkxErrorSpec(
        200,
        "Main account API key does not support current transfer 'type' parameter. "
        "Please refer to the API documentation.",
    ),
}

def error_body(code: str, msg: str, shape: BodyShape) -> dict[str, object]:
    """Return OKX's error body for ``code`` in ``shape``, keys in OKX's order."""
    if shape == GATEWAY:
        return {"msg": msg, "code": code}
    return {"code": code, "data": [], "msg": msg}


def error_response(code: str, msg: str | None = None) -> FakeResponse:
    """Return OKX's answer for ``code`` (a key of :data:`ERRORS`); ``msg`` replaces its text."""
    spec = ERRORS[code]
    text = spec.message() if msg is None else msg
    return FakeResponse(spec.status, json_body(error_body(code, text, spec.shape)))
