"""The fake's argument checks that name a field: one error type, one positive-int check.

:class:`FieldError` is what the model raises for a value it refuses; ``field`` names the
argument, so that an adapter (the control API) can name its own field without reading
the message.
"""

from __future__ import annotations

from okx_ext._text import preview

__all__ = ["FieldError", "check_positive_int", "check_utf8"]


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
