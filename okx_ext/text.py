"""Text helpers for error messages: reading str/int subclasses by value, bounded reprs.

Public and small on purpose: ``okx_fakes`` cuts the values in its messages with the same
:func:`preview`, so the rule has one home and the fake uses no private name of okx_ext.
"""

from __future__ import annotations

__all__ = ["PREVIEW_CHARS", "exact_int", "exact_str", "preview"]

PREVIEW_CHARS = 40


def exact_str(text: str) -> str:
    """Return a str subclass's value as an exact str (its own methods may raise or lie)."""
    return str.__str__(text)


def exact_int(number: int) -> int:
    """Return an int subclass's value as an exact int (its own methods may raise or lie)."""
    return int.__int__(number)


def preview(value: object, limit: int = PREVIEW_CHARS) -> str:
    """Return a repr of ``value`` at most ``limit`` characters long; never raise.

    A long str or bytes is cut before repr, so a megabyte payload is never repr'd whole;
    a broken ``__repr__`` gives ``<TypeName object>``.
    """
    try:
        if isinstance(value, str):
            value = exact_str(value)
        if isinstance(value, (str, bytes, bytearray)) and len(value) > limit:
            value = value[: limit + 1]
        text = repr(value)
    except Exception:
        text = f"<{type(value).__name__} object>"
    return text if len(text) <= limit else text[: limit - 3] + "..."
