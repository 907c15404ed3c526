"""Text shown to people: values cut for error messages, targets escaped for log lines."""

from __future__ import annotations

__all__ = ["printable", "shown"]

_SHOWN_CHARS = 40


def shown(value: object) -> str:
    """Return ``repr(value)`` cut to 40 characters (``...`` marks a cut), for a message.

    A value whose repr raises ValueError (an int beyond ``sys.get_int_max_str_digits()``)
    is named by its type instead.
    """
    try:
        text = repr(value)
    except ValueError:
        return f"<{type(value).__name__} too large to show>"
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 3] + "..."


def printable(text: str) -> str:
    """Return ``text`` with control and non-ASCII characters backslash-escaped, for a log line.

    A request target is whatever the client sent: raw into a terminal, its escape
    sequences would rewrite the operator's screen.
    """
    if text.isascii() and text.isprintable():
        return text
    return "".join(char if " " <= char <= "~" else char.encode("unicode_escape").decode("ascii")
                   for char in text)
