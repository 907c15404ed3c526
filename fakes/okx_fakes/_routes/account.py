"""The account routes' handlers: ``GET /api/v5/account/max-withdrawal``.

Each handler runs under the exchange's lock and reads the account through its
:class:`~okx_fakes.LockedAccount` view (see :data:`okx_fakes._routes.ROUTES`).
"""

from __future__ import annotations

from okx_fakes._accounts import LockedAccount
from okx_fakes._errors import error_response
from okx_fakes._params import ccy_list, ok_response
from okx_fakes._types import FakeResponse

__all__ = ["max_withdrawal"]


def max_withdrawal(account: LockedAccount, query: str, body: bytes,
                   now: float) -> tuple[str, FakeResponse]:
    """``GET /api/v5/account/max-withdrawal``: the account's answer for ``ccy``.

    ``ccy`` as :func:`~okx_fakes._params.ccy_list` reads it (empty: every held currency, in
    the order first set); other parameters are ignored.
    """
    code, currencies = ccy_list(query)
    if code is not None:
        return code, error_response(code)
    if currencies is None:
        currencies = account.currencies()
    return ok_response([account.entry(ccy).as_okx(ccy) for ccy in currencies])
