"""Text shown to people: targets escaped for log lines.

Values cut for error messages use the one preview helper, ``okx_ext.text.preview`` (public).
"""

from __future__ import annotations

__all__ = ["printable"]

def printable(text: str) -> str:
    """Return ``text`` with control and non-ASCII characters backslash-escaped, for a log line.

    A request target is whatever the client sent: raw into a terminal, its escape
    sequences would rewrite the operator's screen.
    """
    if text.isascii() and text.isprintable():
        return text
    return "".join(char if " " <= char <= "~" else char.encode("unicode_escape").decode("ascii")
                   for char in text)
