"""README.md is the product's front page: its examples must run and its outputs be true."""

from __future__ import annotations

import ast
import re
from typing import Any

import pytest
from _doc_blocks import README as README_PATH
from _doc_blocks import fenced_blocks

pytest_plugins = ["pytester"]

README = README_PATH.read_text(encoding="utf-8")


def block_starting(language: str, first_line: str) -> str:
    matches = [block for block in fenced_blocks(README, language)
               if block.startswith(first_line)]
    assert len(matches) == 1, f"expected one ```{language} block starting {first_line!r}"
    return matches[0]


def test_the_fake_exchange_example_answers_what_the_readme_says() -> None:
    block = block_starting("python", "from okx_fakes import FakeExchange, FakeAccountAPI")
    *statements, last = ast.parse(block).body
    namespace: dict[str, Any] = {}
    exec(compile(ast.Module(body=statements, type_ignores=[]), "README.md", "exec"), namespace)
    answer = eval(compile(ast.Expression(body=last.value), "README.md", "eval"), namespace)  # type: ignore[attr-defined]
    promised = re.search(r"^# (\{.*\})$", block, flags=re.MULTILINE)
    assert promised is not None, "the example's answer is not written in the README"
    assert answer == ast.literal_eval(promised.group(1))


def test_the_fixture_example_passes_in_a_downstream_suite(pytester: pytest.Pytester) -> None:
    block = block_starting("python", "from decimal import Decimal")
    pytester.makepyfile(test_downstream=block)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


# The demo output and the error-class table are checked on the README and on the site
# alike, in tests/test_docs.py.


def test_the_readme_lists_the_exit_codes_of_the_one_table() -> None:
    from okx_ext.cli import EXIT_CODE_TABLE

    listed = "; ".join(f"**{row.code}** {row.meaning}" for row in EXIT_CODE_TABLE)
    assert f"Exit codes (`okx_ext.cli.EXIT_CODE_TABLE`, as `--help` shows them): {listed}." in (
        " ".join(README.split()))
