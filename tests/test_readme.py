"""README.md is the product's front page: short, its examples run, its links resolve.

Everything else lives on the documentation site (docs/), whose examples Sybil runs.
"""

from __future__ import annotations

import ast
import doctest
import os
import re
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest import mock

import httpx
import pytest
from _doc_blocks import README as README_PATH
from _doc_blocks import REPO, console_steps, fenced_blocks, table_rows
from okx_fakes import FakeExchange, FakeTransport

from okx_ext import errors

pytest_plugins = ["pytester"]

README = README_PATH.read_text(encoding="utf-8")
MAX_README_BYTES = 8 * 1024


def block_starting(language: str, first_line: str) -> str:
    matches = [block for block in fenced_blocks(README, language)
               if block.startswith(first_line)]
    assert len(matches) == 1, f"expected one ```{language} block starting {first_line!r}"
    return matches[0]


def test_the_readme_is_at_most_8_kb() -> None:
    assert len(README.encode("utf-8")) <= MAX_README_BYTES


# -- the three examples ----------------------------------------------------------------------

def test_the_wrapper_example_answers_what_its_comment_says() -> None:
    block = block_starting("python", "from okx.Account import AccountAPI")
    *statements, last = ast.parse(block).body
    assert isinstance(last, ast.Expr), "the example ends with the value it shows"
    promised = re.search(r"# (Decimal\('[\d.]+'\))", block.splitlines()[-1])
    assert promised is not None, "the example's last line shows its value in a comment"
    exchange = FakeExchange()
    exchange.add_account("key", "secret", "pass", demo=False, mode="multi_currency")
    exchange.account_for_key("key").set_max_withdrawal("BTC", "124", None)
    exchange.account_for_key("key").set_balance("ETH", available="10")
    fake = FakeTransport(exchange)
    namespace: dict[str, Any] = {"key": "key", "secret": "secret", "passphrase": "pass"}

    def to_the_fake(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
        assert request.url.host == "www.okx.com", request.url
        return fake.handle_request(request)

    with mock.patch.object(httpx.HTTPTransport, "handle_request", to_the_fake):
        exec(compile(ast.Module(body=statements, type_ignores=[]), "README.md", "exec"),
             namespace)
        shown = eval(compile(ast.Expression(body=last.value), "README.md", "eval"), namespace)
    assert shown == eval(promised.group(1), {"Decimal": Decimal})
    assert list(namespace["rows"]) == ["BTC", "ETH"]


def test_the_fixture_example_passes_in_a_downstream_suite(pytester: pytest.Pytester) -> None:
    block = block_starting("python", "from decimal import Decimal")
    pytester.makepyfile(test_downstream=block)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


@pytest.fixture
def workdir(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A directory and a free port for the console example; its servers stopped after."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    background: list[subprocess.Popen[str]] = []
    yield {"dir": tmp_path, "port": port, "background": background}
    for process in background:
        process.terminate()
        process.wait(timeout=10)
        assert process.stdout is not None
        process.stdout.close()


def test_the_fake_server_example_prints_what_the_readme_shows(workdir: dict[str, Any]) -> None:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    checker = doctest.OutputChecker()
    steps = console_steps(block_starting("console", "$ okx-ext fake-server"))
    assert len(steps) == 3
    for command, expected in steps:
        command = command.replace("8080", workdir["port"])
        expected = expected.replace("8080", workdir["port"])
        if command.endswith("&"):
            process = subprocess.Popen(["bash", "-c", f"exec {command[:-1]}"], env=env,
                                       cwd=workdir["dir"], stdout=subprocess.PIPE,
                                       stderr=subprocess.DEVNULL, text=True)
            workdir["background"].append(process)
            assert process.stdout is not None
            got = process.stdout.readline()
        else:
            got = subprocess.run(["bash", "-c", command], cwd=workdir["dir"], env=env,
                                 capture_output=True, text=True, timeout=60,
                                 check=False).stdout + "\n"
        assert checker.check_output(expected, got, doctest.ELLIPSIS), (command, got)


# -- the error classes' small table ------------------------------------------------------------

def readme_error_rows() -> list[list[str]]:
    header = "| Error | raised for | retried |"
    assert header in README
    return table_rows(header + README.split(header, 1)[1].split("\n\n", 1)[0])


def test_the_error_table_names_every_class_once_with_its_retry() -> None:
    rows = readme_error_rows()
    names = [re.fullmatch(r"(?:↳ )?`(\w+)`", first).group(1)  # type: ignore[union-attr]
             for first, *_ in rows]
    every = {name for name in errors.__all__ if name.endswith("Error")} - {"OkxExtError"}
    assert sorted(names) == sorted(every)
    for name, (_, _, retried) in zip(names, rows, strict=True):
        error_class = getattr(errors, name)
        assert retried == ("yes" if getattr(error_class, "retryable", False) else "no"), name


def test_the_error_tables_codes_map_to_the_class_of_their_row() -> None:
    checked = 0
    for first, cause, _ in readme_error_rows():
        name = re.search(r"`(\w+)`", first).group(1)  # type: ignore[union-attr]
        for code in re.findall(r"\b5\d{4}\b", cause):
            assert type(errors.error_for_code(code, "")).__name__ == name, code
            checked += 1
    assert checked >= 15


def test_the_subclass_arrows_say_true() -> None:
    parent = None
    for first, *_ in readme_error_rows():
        name = re.search(r"`(\w+)`", first).group(1)  # type: ignore[union-attr]
        if first.startswith("↳"):
            assert parent is not None and issubclass(getattr(errors, name), parent), name
        else:
            parent = getattr(errors, name)


# -- links: into the site, to a heading ---------------------------------------------------------

def slug(heading: str) -> str:
    """The anchor MkDocs (Python-Markdown's toc) and GitHub give a heading, for our headings."""
    text = unicodedata.normalize("NFKD", heading).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


def anchors(page: Path) -> set[str]:
    text = re.sub(r"^```.*?^```$", "", page.read_text(encoding="utf-8"),
                  flags=re.DOTALL | re.MULTILINE)
    return {slug(heading) for heading in re.findall(r"^#{1,6} (.+)$", text, re.MULTILINE)}


def readme_links() -> list[str]:
    return re.findall(r"\]\(([^)\s]+)\)", README)


def test_the_readme_links_into_the_site() -> None:
    local = [link for link in readme_links() if not link.startswith("https://")]
    assert len(local) >= 20
    assert {"docs/index.md", "docs/getting-started.md", "docs/recipes/index.md"} <= set(local)


@pytest.mark.parametrize("link", readme_links())
def test_every_readme_link_resolves(link: str) -> None:
    if link.startswith("https://"):
        assert link.startswith("https://pypi.org/project/"), "external links: PyPI only"
        return
    path, _, anchor = link.partition("#")
    target = (REPO / path).resolve() if path else README_PATH
    assert target.is_file() and REPO in target.parents, link
    if target.suffix == ".md" and target.parent != REPO:
        # A page of the site: mkdocs.yml's nav lists it, so the published site has it too.
        nav = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
        assert str(target.relative_to(REPO / "docs")) in nav, link
    if anchor:
        assert anchor in anchors(target), f"{link}: no such heading"


def test_the_slugs_match_the_sites_anchors() -> None:
    assert slug("The `okx-ext` command") == "the-okx-ext-command"
    assert slug("What a test suite pays: the import, a shared client, property tests") == (
        "what-a-test-suite-pays-the-import-a-shared-client-property-tests")
