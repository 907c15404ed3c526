"""Generated blocks of the site's pages, and the README: one reader for every test.

A block is the text between ``<!-- begin NAME -->`` and ``<!-- end NAME -->`` on a page;
the tests rebuild it from the code (or check it against the code) wherever it appears.
"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
DOCS = REPO / "docs"


def block(page: Path, name: str) -> str:
    """The text of block ``name`` on ``page`` (fails the test when it is missing)."""
    text = page.read_text(encoding="utf-8")
    begin, end = f"<!-- begin {name} -->\n", f"\n<!-- end {name} -->"
    assert begin in text and end in text, f"{page.relative_to(REPO)} has no block {name!r}"
    return text.split(begin, 1)[1].split(end, 1)[0]


def fenced_blocks(text: str, language: str) -> list[str]:
    """The bodies of the ```language fences of ``text`` (``""``: fences with no language)."""
    return re.findall(rf"^```{language}\n(.*?)^```$", text, flags=re.DOTALL | re.MULTILINE)


def table_rows(markdown: str) -> list[list[str]]:
    """The body rows of a Markdown table, each a list of its stripped cells."""
    lines = [line for line in markdown.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in lines[2:]]


def console_steps(session: str) -> list[tuple[str, str]]:
    """Split a console session into (command, the output shown under it)."""
    steps: list[tuple[str, str]] = []
    for line in session.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:].split("  # ")[0].strip(), ""))
        elif steps and steps[-1][0].endswith("\\") and not steps[-1][1]:
            command, _ = steps[-1]
            steps[-1] = (f"{command[:-1].rstrip()} {line.strip()}", "")  # a continued command
        elif steps:
            command, output = steps[-1]
            steps[-1] = (command, output + line + "\n")
    return steps
