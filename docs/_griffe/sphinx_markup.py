"""A griffe extension: the docstrings' Sphinx markup, rendered as Markdown on the site.

The docstrings are written for ``help()`` and IDEs, in reST habits: roles such as
``:class:`~okx_fakes.FakeServer``` and a paragraph ending ``::`` before an indented
example. mkdocstrings renders docstrings as Markdown, where those show as stray colons.
This extension rewrites them as code spans and a plain colon, on the site only; the
docstrings themselves stay as they are.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:class|data|func|meth|attr|mod|exc|obj):`(~?)([\w.]+)(\(\))?`")
_LITERAL_INTRO = re.compile(r"(\S)::$", re.MULTILINE)


def to_markdown(text: str) -> str:
    """Rewrite Sphinx roles as code spans and a ``word::`` literal intro as ``word:``."""
    def role(match: re.Match[str]) -> str:
        short, target, call = match.groups()
        name = target.rsplit(".", 1)[-1] if short else target
        return f"`{name}{call or ''}`"

    return _LITERAL_INTRO.sub(r"\1:", _ROLE.sub(role, text))


class SphinxMarkup(griffe.Extension):
    """Rewrite each object's docstring as it is loaded."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Convert ``obj``'s docstring, if it has one."""
        if obj.docstring is not None:
            obj.docstring.value = to_markdown(obj.docstring.value)
