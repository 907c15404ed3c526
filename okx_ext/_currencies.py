"""The currency argument rule: validated and normalised before any request is made.

python-okx signs the raw query string and httpx percent-encodes it afterwards, so
any character outside ``A-Z0-9`` and the separating comma would be signed as one
string and sent as another. Refusing it here is what keeps a request well formed.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator

from okx_ext._endpoint import MAX_CURRENCIES_PER_REQUEST
from okx_ext.errors import CurrencyValidationError, OkxExtError, TooManyCurrenciesError
from okx_ext.text import exact_str, preview

__all__ = ["MAX_CURRENCIES_PER_REQUEST", "normalize_currencies"]

# A currency code as OKX spells it: the one definition, used for arguments and answers.
_CURRENCY_CODE = re.compile(r"[A-Z0-9]{1,32}")

_CURRENCY_RULE = "1 to 32 characters A-Z or 0-9 after stripping and upper-casing"

def _is_currency_code(text: str) -> bool:
    """Tell whether ``text`` is exactly a currency code as OKX writes it (upper case)."""
    return _CURRENCY_CODE.fullmatch(text) is not None


def _normalize_item(item: object, position: int) -> str:
    """Return one item stripped and upper-cased, or raise CurrencyValidationError."""
    if not isinstance(item, str):
        raise CurrencyValidationError(
            f"currency at position {position} must be a str, "
            f"got {type(item).__name__}: {preview(item)}",
            position=position,
        )
    # A str subclass is read by its value: its own strip()/upper() may raise or lie.
    stripped = exact_str(item).strip()
    if not stripped:
        raise CurrencyValidationError(
            f"currency at position {position} is empty (as in 'BTC,,ETH' or a trailing comma)",
            position=position,
        )
    # ASCII is checked before upper(): "ß".upper() == "SS" would smuggle non-ASCII through.
    code = stripped.upper()
    if not (stripped.isascii() and _is_currency_code(code)):
        raise CurrencyValidationError(
            f"currency at position {position} is not a currency code "
            f"({_CURRENCY_RULE}): {preview(item)}",
            position=position,
        )
    return code


def _raw_items(ccy: str | Iterable[str] | None) -> Iterator[object]:
    """Return the items of the argument before validation, refusing impossible shapes."""
    if ccy is None:
        return iter(())
    if isinstance(ccy, str):
        text = exact_str(ccy)
        return iter(text.split(",") if text else ())
    if isinstance(ccy, (bytes, bytearray, memoryview)):
        raise CurrencyValidationError(
            f"ccy must be str, not {type(ccy).__name__} (decode it first): {preview(ccy)}"
        )
    try:
        return iter(ccy)
    except TypeError:
        raise CurrencyValidationError(
            "ccy must be None, a str or an iterable of str, "
            f"got {type(ccy).__name__}: {preview(ccy)}"
        ) from None
    except Exception as exc:
        raise _unreadable(exc, None) from exc


def _unreadable(exc: Exception, position: int | None) -> CurrencyValidationError:
    """Return the error for an iterable argument that raised while being read."""
    where = "ccy" if position is None else f"ccy at position {position}"
    return CurrencyValidationError(
        f"reading {where} raised {type(exc).__name__}: {preview(str(exc), 100)}",
        position=position,
    )


def _iter_currencies(ccy: str | Iterable[str] | None) -> Iterator[tuple[int, str]]:
    """Yield ``(position, code)`` for each distinct valid currency, first-seen order.

    Lazy and unbounded (the per-request limit is the caller's business), so an
    infinite generator is consumed only as far as the caller reads.
    """
    seen: set[str] = set()
    items = _raw_items(ccy)
    for position in itertools.count():
        try:
            item = next(items)
        except StopIteration:
            return
        except OkxExtError:
            raise
        except Exception as exc:
            # The caller's generator failed: nothing may be sent, and the caller still
            # gets this library's typed error, with theirs chained.
            raise _unreadable(exc, position) from exc
        code = _normalize_item(item, position)
        if code not in seen:
            seen.add(code)
            yield position, code


def normalize_currencies(ccy: str | Iterable[str] | None) -> tuple[str, ...]:
    """Validate a currency argument and return its codes, upper-cased, deduplicated.

    ``None``, ``""`` or an empty iterable mean all currencies and give ``()``.
    A str is split on commas; an iterable gives one currency per item (a Mapping
    contributes its keys, so a previous result dict can be passed back; a set's
    order is arbitrary). Each item is stripped and upper-cased and must then be
    1 to 32 characters of ``A-Z0-9``. Duplicates collapse, first-seen order kept::

        >>> normalize_currencies(" btc,ETH, btc ")
        ('BTC', 'ETH')

    Raise CurrencyValidationError naming the bad item and its 0-based position
    (non-str item, bytes, empty item, any other character), or
    TooManyCurrenciesError past MAX_CURRENCIES_PER_REQUEST distinct currencies
    (checked as items arrive, so an endless generator is refused, not exhausted).
    """
    codes: list[str] = []
    for position, code in _iter_currencies(ccy):
        if len(codes) == MAX_CURRENCIES_PER_REQUEST:
            raise TooManyCurrenciesError(
                f"more than {MAX_CURRENCIES_PER_REQUEST} distinct currencies in one request "
                f"(distinct currency #{MAX_CURRENCIES_PER_REQUEST + 1}, {code!r}, "
                f"is at position {position})",
                position=position,
                limit=MAX_CURRENCIES_PER_REQUEST,
            )
        codes.append(code)
    return tuple(codes)
