"""The fake's argument checks that name a field: one error type, positive ints, plain decimals.

:class:`FieldError` is what the model raises for a value it refuses; ``field`` names the
argument, so that an adapter (the control API) can name its own field without reading
the message.
"""

from __future__ import annotations

import re

from okx_ext.text import preview

__all__ = ["FieldError", "check_plain_decimal", "check_positive_int", "check_request_path",
           "check_utf8"]

# OKX writes amounts as plain decimals: ASCII digits, an optional fraction, no exponent,
# no "_" separator, no space. The sign is let through for the model's own ">= 0" message.
_PLAIN_DECIMAL = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


class FieldError(ValueError):
    """A value refused: ``field`` names the argument, ``problem`` says what is wrong with it.

    ``str()`` is ``message`` when given (a sentence that reads on its own), else
    ``"FIELD: problem"``.
    """

    def __init__(self, field: str, problem: str, message: str | None = None) -> None:
        super().__init__(f"{field}: {problem}" if message is None else message)
        self.field = field
        self.problem = problem


def check_positive_int(field: str, value: object) -> int:
    """Return ``value`` if it is an int >= 1 (a bool is not), else raise :class:`FieldError`."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise FieldError(field, f"expected a positive whole number, got {preview(value)}")
    return value


def check_utf8(field: str, text: object) -> bytes:
    """Return ``text`` as UTF-8, or raise :class:`FieldError` (not a str, a lone surrogate)."""
    if not isinstance(text, str):
        raise FieldError(field, f"must be a str, got {type(text).__name__}",
                         f"{field} must be a str, got {type(text).__name__}")
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        problem = "is not encodable as UTF-8 (a lone surrogate?)"
        raise FieldError(field, problem, f"{field} {problem}") from None


def check_plain_decimal(field: str, value: object) -> object:
    """Return ``value``; a str must be a plain decimal as OKX writes one, else :class:`FieldError`.

    ``"1.5"`` and ``"100"`` pass; ``"1_000"``, ``"\u0661"`` (an Arabic-Indic one), ``" 1 "``,
    ``"1e3"``, ``".5"`` do not, though ``Decimal()`` reads them all. Other types pass
    through for the amount parser to judge.
    """
    if isinstance(value, str) and _PLAIN_DECIMAL.fullmatch(value) is None:
        raise FieldError(field, "expected a plain decimal string such as '1.5' (ASCII digits, "
                                f"no exponent, separator or space), got {preview(value)}")
    return value


def check_request_path(field: str, path: object) -> str:
    """Return ``path`` if it is a request path: ``/`` then printable ASCII, no query.

    Else :class:`FieldError` naming ``field``: a path with a query or a fragment, a space
    or a control character never equals the path of a request (still percent-encoded),
    so a fault aimed at it, or a stub of it, would never fire.
    """
    if (isinstance(path, str) and path.startswith("/") and path.isascii()
            and path.isprintable() and not any(char in path for char in " ?#")):
        return path
    raise FieldError(field, f"expected a request path such as '/api/v5/market/ticker' (no "
                            f"query, no space), got {preview(path)}")
