"""The site's generated and checked content: tables equal to the code, on every page.

The examples themselves run through Sybil (docs/conftest.py); this file checks the
tables the pages show against the code they describe.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from _doc_blocks import DOCS, REPO, block, fenced_blocks, table_rows

from okx_ext import errors
from okx_ext.cli import EXIT_CODES

ERROR_TABLE_PAGES = [DOCS / "wrapper" / "errors.md"]
DEMO_OUTPUT_PAGES = [DOCS / "getting-started.md"]


def error_class_rows(page: Path) -> list[list[str]]:
    """The rows of a page's error-class table (first cell: `Error` [/ `Error`])."""
    text = page.read_text(encoding="utf-8")
    header = "| Error | OKX codes / cause | Retried | CLI exit |"
    assert header in text, f"{page.name} has no error-class table"
    table = text.split(header, 1)[1].split("\n\n", 1)[0]
    return table_rows(header + table)


def exit_code_of(error_class: type[Exception]) -> int:
    return next((code for cls, code in EXIT_CODES if issubclass(error_class, cls)), 1)


@pytest.mark.parametrize("page", ERROR_TABLE_PAGES, ids=lambda page: page.name)
def test_every_code_in_the_error_table_maps_to_the_class_it_names(page: Path) -> None:
    checked = 0
    for first, cause, _, _ in error_class_rows(page):
        class_names = re.findall(r"`(\w+)`", first)
        for code in re.findall(r"\b5\d{4}\b", cause):
            assert type(errors.error_for_code(code, "")).__name__ == class_names[0], code
            checked += 1
    assert checked >= 27  # every code the wrapper maps is in the table


@pytest.mark.parametrize("page", ERROR_TABLE_PAGES, ids=lambda page: page.name)
def test_the_error_table_lists_every_class_with_its_retry_and_exit_code(page: Path) -> None:
    rows = error_class_rows(page)
    shown = {name for first, *_ in rows for name in re.findall(r"`(\w+)`", first)}
    every = {name for name in errors.__all__ if name.endswith("Error")} - {"OkxExtError"}
    assert shown == every
    for first, _, retried, exit_cell in rows:
        for name in re.findall(r"`(\w+)`", first):
            error_class = getattr(errors, name)
            assert retried == ("yes" if getattr(error_class, "retryable", False) else "no"), name
            assert int(exit_cell) == exit_code_of(error_class), name


@pytest.mark.parametrize("page", DEMO_OUTPUT_PAGES, ids=lambda page: page.name)
def test_make_demo_output_is_what_the_page_shows(page: Path) -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert "okx-ext max-withdrawal --fake BTC ETH USDT" in makefile
    text = page.read_text(encoding="utf-8")
    assert "`okx-ext max-withdrawal --fake BTC ETH USDT`" in text
    [shown] = [body for body in fenced_blocks(text, "") if body.startswith("CCY ")]
    demo = subprocess.run(
        [sys.executable, "-m", "okx_ext", "max-withdrawal", "--fake", "BTC", "ETH", "USDT"],
        capture_output=True, text=True, timeout=60, check=False,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert demo.returncode == 0, demo.stderr
    assert demo.stdout == shown


# -- the benchmark figures: goals and verdicts are benchmarks/run.py's --------------------

def bench_run() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_run", REPO / "benchmarks" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def figure(cell: str) -> float:
    """A figure as the page shows it: ``2.31x``, ``120.0 s``, ``99.7%``, ``0``."""
    number = Decimal(re.match(r"[\d.]+", cell).group())  # type: ignore[union-attr]
    return float(number / 100 if cell.endswith("%") else number)


def results_from(rows: list[list[str]]) -> dict[str, Any]:
    """The results dict benchmarks/run.py's table() reads, rebuilt from the page's figures."""
    values = [figure(result) for _, _, result, _, _ in rows]
    assert len(values) == 13, "one row per figure of benchmarks/run.py's table()"
    (floor_1, floor_20, sdk_1, floor_sdk_1, direct_1, direct_20, install_1, install_20,
     limiter_s, limiter_50011, batch, default, sleeps) = values
    return {
        "wrapper": {"vs_floor_1": floor_1, "vs_floor_20": floor_20, "vs_sdk_1": sdk_1,
                    "floor_vs_sdk_1": floor_sdk_1},
        "fake": {"direct_speedup_1": direct_1, "direct_speedup_20": direct_20,
                 "install_vs_static_1": install_1, "install_vs_static_20": install_20},
        "limiter": {"simulated_s_median": limiter_s, "simulated_s_max": limiter_s,
                    "answered_50011_total": int(limiter_50011)},
        "retry": {"batch": {"success_rate_min": batch, "real_sleeps_total": int(sleeps)},
                  "default": {"success_rate_min": default, "real_sleeps_total": 0}},
    }


def suite_results_from(rows: list[list[str]]) -> dict[str, Any]:
    """The results dict benchmarks/suite_speed.py's rows() reads, rebuilt from the page."""
    values = [figure(result) for _, _, result, _, _ in rows]
    assert len(values) == 18, "one row per figure of benchmarks/suite_speed.py's rows()"
    (import_ms, cli, plugin_ms, pytest_with_ms, session_ms, respx, pytest_httpx, per_test,
     amounts, accounts, hand_built, lean, payloads, fake_eps, speedup, fake_vs_respx,
     fake_vs_hand_built, install_vs_respx) = values
    return {
        "import": {"okx_ext_ms_min": import_ms, "cli_vs_sdk": cli},
        # The run without the plugin is the cell's second figure: a reported row, no goal.
        "plugin_startup": {"plugin_import_ms_min": plugin_ms,
                           "pytest_with_ms_min": pytest_with_ms, "pytest_without_ms_min": 0.0},
        "fixtures": {"session_ms_least": session_ms, "respx_vs_session": respx,
                     "pytesthttpx_vs_session": pytest_httpx,
                     "per_test_client_vs_session": per_test},
        "draws": {"vs_integers": {"amounts": amounts, "accounts": accounts,
                                  "okx_payloads": payloads},
                  "accounts_vs_hand_built": hand_built, "accounts_vs_lean": lean},
        "property": {"examples_per_s": {"fake": fake_eps}, "fake_speedup_vs_baseline": speedup,
                     "fake_vs_respx_speed": fake_vs_respx,
                     "fake_vs_respx_hand_built_speed": fake_vs_hand_built,
                     "install_vs_respx_speed": install_vs_respx},
    }


def ledger_results_from(rows: list[list[str]]) -> dict[str, Any]:
    """The results dict benchmarks/ledger_speed.py's rows() reads, rebuilt from the page."""
    values = [figure(result) for _, _, result, _, _ in rows]
    assert len(values) == 8, "one row per figure of benchmarks/ledger_speed.py's rows()"
    (put_ms, refused_ms, put_ratio, max_wd_ratio, state_ratio, one_us, hundred_us,
     hundred_vs_one) = values
    return {
        "history": {"transfers": 100_000, "put_ms_least": put_ms,
                    "refused_ms_least": refused_ms, "put_long_vs_short": put_ratio,
                    "max_wd_long_vs_short": max_wd_ratio, "state_long_vs_short": state_ratio},
        "reset": {"one_us_least": one_us, "hundred_us_least": hundred_us,
                  "hundred_vs_one": hundred_vs_one},
    }


@pytest.mark.parametrize("marker", ["bench-run", "bench-suite", "bench-ledger"])
def test_the_benchmark_tables_state_the_bench_goals_and_verdicts(marker: str) -> None:
    rows = table_rows(block(DOCS / "benchmarks.md", marker))
    run = bench_run()
    if marker == "bench-run":
        computed = run.table(results_from(rows))
    elif marker == "bench-suite":
        computed = run.suite_speed.rows(suite_results_from(rows))
    else:
        computed = run.ledger_speed.rows(ledger_results_from(rows))
    for row, (name, _, goal, met) in zip(rows, computed, strict=True):
        shown_goal = row[3].replace("≤", "<=").replace("≥", ">=")
        assert shown_goal == goal, (row, name)
        shown_met = row[4]
        assert shown_met == ("" if goal == "(reported)" else "yes" if met else "no"), (row, name)


# -- the examples' runner (docs/conftest.py) fails a broken example ----------------------

BROKEN_PAGE = '''# A page

```python
total = 1 + 1
```

```python
>>> total
3
```

```python title="test_page.py"
def test_fails():
    assert 1 + 1 == 3
```

```py
print("a fence the runner does not know")
```

```console
$ echo hello
goodbye
```
'''


def test_the_docs_runner_fails_every_broken_kind_of_example(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "conftest.py").write_text((DOCS / "conftest.py").read_text(encoding="utf-8"),
                                      encoding="utf-8")
    (docs / "page.md").write_text(BROKEN_PAGE, encoding="utf-8")
    # The runner reaches the suite's helpers (tests/_redis_server.py) beside its docs/.
    (tmp_path / "tests").symlink_to(REPO / "tests")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=",
         "docs"], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 1, result.stdout
    assert result.stdout.splitlines()[-1].startswith("4 failed, 1 passed"), result.stdout


# -- the command's exit codes: the one table, okx_ext.cli.EXIT_CODE_TABLE ----------------

def render_exit_codes() -> str:
    """The CLI page's exit-code table, one row per row of EXIT_CODE_TABLE, in its order."""
    from okx_ext.cli import EXIT_CODE_TABLE

    lines = ["| exit | meaning | errors |", "|---|---|---|"]
    for row in EXIT_CODE_TABLE:
        meaning = row.meaning.replace("|", "\\|")  # "| head" inside a Markdown cell
        classes = ", ".join(f"`{error.__name__}`" for error in row.errors)
        lines.append(f"| {row.code} | {meaning} | {classes} |")
    return "\n".join(lines)


def test_the_cli_page_lists_the_exit_codes_of_the_one_table() -> None:
    rendered = render_exit_codes()
    assert block(DOCS / "cli.md", "exit-codes") == rendered, f"cli.md should read:\n{rendered}"


# -- the control API: the server page's table lists every control route -------------------

def test_the_server_page_lists_every_control_route_and_no_other() -> None:
    from okx_fakes._control import CONTROL_PREFIX, CONTROL_ROUTES

    text = (DOCS / "fake" / "server.md").read_text(encoding="utf-8")
    header = "| request | does |"
    shown = {cells[0].strip("`") for cells in
             table_rows(header + text.split(header, 1)[1].split("\n\n", 1)[0])}
    routes = {f"{route.method} {route.pattern.pattern}" for route in CONTROL_ROUTES}
    # A route's pattern with its named groups written as the page writes them: {api_key}.
    as_shown = {re.sub(r"\(\?P<(\w+)>\[\^/\]\+\)", r"{\1}", route) for route in routes}
    as_shown = {route.replace("{trans_id}", "{transId}").replace("{wd_id}", "{wdId}")
                for route in as_shown}
    assert CONTROL_PREFIX == "/_fake/"
    assert shown == as_shown
