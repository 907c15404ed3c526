"""README.md is the product's front page: its examples must run and its outputs be true."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytest_plugins = ["pytester"]

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def fenced_blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", README, flags=re.DOTALL | re.MULTILINE)


def block_starting(language: str, first_line: str) -> str:
    matches = [block for block in fenced_blocks(language) if block.startswith(first_line)]
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


def test_make_demo_output_is_what_the_readme_shows() -> None:
    makefile = (Path(__file__).resolve().parent.parent / "Makefile").read_text(encoding="utf-8")
    assert "okx-ext max-withdrawal --fake BTC ETH USDT" in makefile
    assert "`okx-ext max-withdrawal --fake BTC ETH USDT`" in README
    shown = block_starting("", "CCY ")
    demo = subprocess.run(
        [sys.executable, "-m", "okx_ext", "max-withdrawal", "--fake", "BTC", "ETH", "USDT"],
        capture_output=True, text=True, timeout=60, check=False,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert demo.returncode == 0, demo.stderr
    assert demo.stdout == shown


def test_every_error_code_in_the_readme_table_maps_to_the_class_it_names() -> None:
    from okx_ext.errors import error_for_code

    rows = re.findall(r"^\| `(\w+)`[^|]*\| ([^|]*) \|", README, flags=re.MULTILINE)
    checked = 0
    for class_name, cause in rows:
        for code in re.findall(r"\b5\d{4}\b", cause):
            assert type(error_for_code(code, "")).__name__ == class_name, code
            checked += 1
    assert checked >= 27  # every code the wrapper maps is in the table


def test_the_readme_lists_the_exit_codes_of_the_one_table() -> None:
    from okx_ext.cli import EXIT_CODE_TABLE

    listed = "; ".join(f"**{row.code}** {row.meaning}" for row in EXIT_CODE_TABLE)
    assert f"Exit codes (`okx_ext.cli.EXIT_CODE_TABLE`, as `--help` shows them): {listed}." in (
        " ".join(README.split()))
