"""Hypothesis strategies for code that talks to OKX's max-withdrawal and transfer endpoints.

Plain functions returning ``SearchStrategy`` objects, for this project's tests and for
downstream test suites alike::

    from hypothesis import given
    from okx_fakes import strategies as okx_st

    @given(okx_st.okx_payloads())
    def test_my_parser_accepts_every_valid_body(body): ...

One module per audience, every name re-exported here (as ``hypothesis.strategies``
does): :mod:`~okx_fakes.strategies.payloads` (currency codes, amounts, answers and
malformed answers), :mod:`~okx_fakes.strategies.errors` (OKX's error answers),
:mod:`~okx_fakes.strategies.exchanges` (seeded exchanges and their keys),
:mod:`~okx_fakes.strategies.transfers` (valid and malformed transfers) and
:mod:`~okx_fakes.strategies.machine` (:class:`LedgerMachine`, a state machine checking the
ledger's invariants, to extend with your service's rules). The rules come
from the fake's own facts, never from ``okx_ext``: the fake models the exchange, not the
client. This package is the only place in ``okx_fakes`` that imports Hypothesis.
"""

from __future__ import annotations

from okx_fakes.strategies.errors import ErrorCase, error_cases, error_payloads
from okx_fakes.strategies.exchanges import SeededAccount, SeededExchange, accounts
from okx_fakes.strategies.machine import LedgerMachine
from okx_fakes.strategies.payloads import (
    ACCOUNT_MODES,
    MALFORMED_DEFECTS,
    MAX_CURRENCIES_PER_REQUEST,
    MalformedPayloadCase,
    amounts,
    currency_codes,
    malformed_payload_cases,
    malformed_payloads,
    max_withdrawal_entries,
    okx_payloads,
)
from okx_fakes.strategies.transfers import (
    MalformedTransferCase,
    TransferCase,
    loan_trans_values,
    malformed_transfer_cases,
    transfer_amounts,
    transfer_cases,
)

__all__ = [
    "ACCOUNT_MODES",
    "MALFORMED_DEFECTS",
    "MAX_CURRENCIES_PER_REQUEST",
    "ErrorCase",
    "LedgerMachine",
    "MalformedPayloadCase",
    "MalformedTransferCase",
    "SeededAccount",
    "SeededExchange",
    "TransferCase",
    "accounts",
    "amounts",
    "currency_codes",
    "error_cases",
    "error_payloads",
    "loan_trans_values",
    "malformed_payload_cases",
    "malformed_payloads",
    "malformed_transfer_cases",
    "max_withdrawal_entries",
    "okx_payloads",
    "transfer_amounts",
    "transfer_cases",
]
