"""Strategies for seeded fake exchanges: accounts of every mode and the keys to reach them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hypothesis import strategies as st

from okx_fakes._accounts_file import AccountSpec, seed_exchange
from okx_fakes._exchange import FakeExchange
from okx_fakes._facts import ACCOUNT_MODES
from okx_fakes.strategies.payloads import amounts, currency_codes

__all__ = ["SeededAccount", "SeededExchange", "accounts"]


@dataclass(frozen=True, repr=False)
class SeededAccount(AccountSpec):
    """The account spec of one API key in a :class:`SeededExchange`.

    Fields in order: ``api_key``, ``secret_key``, ``passphrase`` (deterministic test values,
    ``"key-0"``..., never shown in the repr), ``demo``, ``mode`` and ``uid`` (always set),
    ``balances`` (currency -> ``(available, borrowable)`` strings, shared by the keys of one
    uid); ``flag`` is the ``x-simulated-trading`` value the key needs.
    """


@dataclass(frozen=True)
class SeededExchange:
    """A fresh :class:`~okx_fakes.FakeExchange` and the accounts it was seeded with, in order."""

    exchange: FakeExchange
    accounts: tuple[SeededAccount, ...]


_MODES = st.sampled_from(ACCOUNT_MODES)
# amounts() draws only what FakeExchange keeps (30 integer and 30 fraction digits at most).
_BALANCES = st.dictionaries(currency_codes(), st.tuples(amounts(), amounts()), max_size=5)
_BOOLEANS = st.booleans()


@st.composite
def accounts(
    draw: st.DrawFn,
    *,
    min_accounts: int = 1,
    max_accounts: int = 4,
    clock: Callable[[], float] | None = None,
) -> SeededExchange:
    """Seeded :class:`~okx_fakes.FakeExchange` states and the credentials to reach them.

    Draws 1 to 4 API keys (``min_accounts``/``max_accounts``), each demo or live. A key
    either opens a new account (uid ``"uid-0"``, ``"uid-1"``... with a mode and up to 5
    balances) or is a sub-key of an earlier one, sharing its uid, mode and balances. Keys are
    deterministic: key ``i`` has ``api_key="key-i"``, ``secret_key="secret-i"`` and
    ``passphrase="pass-i"``.
    ``clock`` is passed to ``FakeExchange`` (``None``: its default clock, read at each call).

    Example::

        @given(accounts())
        def test_all(seeded):
            first = seeded.accounts[0]
            api = FakeAccountAPI(first.api_key, first.secret_key, first.passphrase,
                                 flag=first.flag, exchange=seeded.exchange)
    """
    count = draw(st.integers(min_accounts, max_accounts))
    # Keys of one uid are keys of one account: they share its mode and balances.
    users: dict[str, tuple[str, dict[str, tuple[str, str]]]] = {}
    seeded: list[SeededAccount] = []
    for index in range(count):
        demo = draw(_BOOLEANS)
        if len(users) > 0 and draw(_BOOLEANS):
            uid = draw(st.sampled_from(sorted(users)))
            mode, balances = users[uid]
        else:
            uid = f"uid-{len(users)}"
            mode = draw(_MODES)
            balances = draw(_BALANCES)
            users[uid] = (mode, balances)
        seeded.append(SeededAccount(f"key-{index}", f"secret-{index}", f"pass-{index}",
                                    demo, mode, uid, balances))
    exchange = FakeExchange(clock=clock)
    seed_exchange(exchange, seeded)
    return SeededExchange(exchange, tuple(seeded))
