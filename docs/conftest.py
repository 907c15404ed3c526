"""The site's examples are tests: Sybil collects every ```python block of docs/**/*.md.

- A plain ```python block runs in its page's namespace, top to bottom, as a reader
  would paste it (a block starting ``>>>`` is a doctest: its shown output is checked).
- A block titled as a test file (```python title="test_sweep.py"```) is test-suite code:
  it runs as that file under pytest, in a subprocess, with this project installed (its
  pytest plugin and fixtures included); the block passes when every test in it passes.
  The file is also left in the page's working directory (below).
- Any other ```python fence fails: an example is never silently left out.
- A block titled with a file name in another language (```js title="control.mjs"```,
  ```json title="accounts.json"```) is written to the page's working directory.
- A ```console block is a shell session run there, line by line: each ``$ command`` runs
  in bash and its output must be the lines shown under it (``...`` matches anything, as
  in a doctest). ``$ command &`` starts a server in the background; its first line of
  output is checked, and it is stopped when the page ends. The port ``8080`` in a page's
  commands, outputs and files stands for a free port, so pages run in parallel.
- ```sh blocks are not run: they show installs and make targets.

Examples that talk to "OKX" (``AccountAPI(key, secret, passphrase, flag="0")``) never reach
the network: in every page, a request to ``https://www.okx.com`` is answered by a fake
exchange holding the credentials the page's namespace defines as ``key``, ``secret`` and
``passphrase``; loopback requests (a fake server the example started) go out as usual, and
any other host fails the example.
"""

from __future__ import annotations

import doctest
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from okx_fakes import FakeExchange, FakeTransport
from sybil import Document, Example, Region, Sybil
from sybil.evaluators.doctest import DocTestEvaluator
from sybil.evaluators.python import PythonEvaluator
from sybil.parsers.abstract.doctest import DocTestStringParser
from sybil.parsers.markdown import ClearNamespaceParser, SkipParser
from sybil.parsers.markdown.lexers import DirectiveInHTMLCommentLexer, FencedCodeBlockLexer

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent / "tests"))

from _doc_blocks import console_steps  # noqa: E402
from _redis_server import mark_key_known, redis_url_fixture  # noqa: E402

# The credentials a page's production examples use, and the answers "OKX" gives them.
DOCS_KEY, DOCS_SECRET, DOCS_PASSPHRASE, DOCS_UID = "docs-key", "docs-secret", "docs-pass", "42"
OKX_HOST = "www.okx.com"
TEST_FILE = re.compile(r'python title="(test_\w+\.py)"')
NAMED_FILE = re.compile(r'\w+ title="([\w.-]+)"')
PAGE_PORT = "8080"


def docs_exchange() -> FakeExchange:
    """Build the "OKX" the production examples reach: a live and a demo key of uid 42."""
    exchange = FakeExchange()
    for demo, suffix in ((False, ""), (True, "-demo")):
        account = exchange.add_account(DOCS_KEY + suffix, DOCS_SECRET, DOCS_PASSPHRASE,
                                       demo=demo, uid=DOCS_UID, mode="multi_currency")
    account.set_max_withdrawal("BTC", "124", None)
    account.set_balance("ETH", available="10", borrowable="2.5")
    account.set_balance("USDT", available="2500.75")
    return exchange


def setup(namespace: dict[str, Any]) -> None:
    """Give a page its credentials, and route its requests to OKX to the fake."""
    exchange = docs_exchange()
    fake = FakeTransport(exchange)
    original = httpx.HTTPTransport.handle_request

    def handle_request(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
        if request.url.host == OKX_HOST:
            return fake.handle_request(request)
        if request.url.host in ("127.0.0.1", "localhost", "::1"):
            return original(self, request)
        raise AssertionError(f"a documentation example tried to reach {request.url.host}")

    httpx.HTTPTransport.handle_request = handle_request  # type: ignore[method-assign]
    namespace.update(key=DOCS_KEY, secret=DOCS_SECRET, passphrase=DOCS_PASSPHRASE,
                     uid=DOCS_UID, _restore_transport=original, _docs_exchange=exchange,
                     _workdir=tempfile.mkdtemp(prefix="okx-ext-docs-"), _port=str(free_port()),
                     _background=[])


def teardown(namespace: dict[str, Any]) -> None:
    """Put httpx's transport back; stop the page's servers; remove its working directory."""
    httpx.HTTPTransport.handle_request = namespace["_restore_transport"]  # type: ignore[method-assign]
    for process in namespace["_background"]:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()
    shutil.rmtree(namespace["_workdir"], ignore_errors=True)


def free_port() -> int:
    """Return a port nothing listens on now, for a page's ``8080``."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def write_named_file(example: Example) -> None:
    """Write a block titled with a file name into the page's working directory."""
    match = NAMED_FILE.fullmatch(example.region.lexemes["arguments"])
    assert match, example.region.lexemes["arguments"]
    text = str(example.parsed).replace(PAGE_PORT, example.namespace["_port"])
    Path(example.namespace["_workdir"], match.group(1)).write_text(text, encoding="utf-8")


def run_console(example: Example) -> None:
    """Run a ```console session: every ``$`` line in bash, its output checked."""
    __tracebackhide__ = True
    namespace = example.namespace
    port = namespace["_port"]
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    checker = doctest.OutputChecker()
    for command, expected in console_steps(str(example.parsed)):
        command, expected = command.replace(PAGE_PORT, port), expected.replace(PAGE_PORT, port)
        if command.endswith("&"):
            process = subprocess.Popen(
                ["bash", "-c", f"exec {command[:-1]}"], cwd=namespace["_workdir"], env=env,
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            namespace["_background"].append(process)
            assert process.stdout is not None
            got = process.stdout.readline()  # a server prints its URL once it listens
        else:
            got = subprocess.run(["bash", "-c", command], cwd=namespace["_workdir"], env=env,
                                 capture_output=True, text=True, timeout=60,
                                 check=False).stdout
            got = got if got.endswith("\n") or not got else got + "\n"
        if not checker.check_output(expected, got, doctest.ELLIPSIS):
            raise AssertionError(f"{example.path}:{example.line}: $ {command}\n"
                                 f"expected:\n{expected}got:\n{got}")


def run_test_file(example: Example) -> None:
    """Run a block titled ``test_*.py`` as that file under pytest, in a subprocess."""
    __tracebackhide__ = True
    name = example.region.lexemes["arguments"]
    match = TEST_FILE.fullmatch(name)
    assert match, name
    # Also left in the page's working directory, for a console session to run.
    Path(example.namespace["_workdir"], match.group(1)).write_text(str(example.parsed),
                                                                    encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="okx-ext-docs-") as directory:
        Path(directory, match.group(1)).write_text(str(example.parsed), encoding="utf-8")
        # Hypothesis' per-example deadline only makes a loaded machine flaky (as in tests/).
        Path(directory, "conftest.py").write_text(
            "from hypothesis import settings\n"
            "settings.register_profile('docs', deadline=None)\n"
            "settings.load_profile('docs')\n", encoding="utf-8")
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", match.group(1)],
            cwd=directory, capture_output=True, text=True, timeout=120, check=False,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )
    if result.returncode != 0:
        raise AssertionError(f"{example.path}:{example.line}: {match.group(1)} failed:\n"
                             f"{result.stdout}\n{result.stderr}")


class CodeBlocks:
    """The fences of a page that run: python, console, and files named by a title."""

    def __init__(self) -> None:
        self.lexers = [
            FencedCodeBlockLexer(language=r"[^\n]*",
                                 mapping={"language": "arguments", "source": "source"}),
            DirectiveInHTMLCommentLexer(directive=r"invisible-code-block", arguments="python"),
        ]
        self.python = PythonEvaluator()
        self.doctest = DocTestStringParser(DocTestEvaluator())

    def __call__(self, document: Document) -> Iterable[Region]:
        """Yield a region, with its evaluator, for each fence of ``document`` that runs."""
        regions = [region for lexer in self.lexers for region in lexer(document)]
        for region in sorted(regions, key=lambda region: region.start):
            arguments = region.lexemes["arguments"]
            source = region.lexemes["source"]
            region.parsed = source
            if arguments == "python" and str(source).startswith(">>>"):
                for doctest_region in self.doctest(source, document.path):
                    doctest_region.adjust(region, source)
                    yield doctest_region
                continue
            if arguments == "python":
                region.evaluator = self.python
            elif TEST_FILE.fullmatch(arguments):
                region.evaluator = run_test_file
            elif arguments.startswith("py"):  # py, pycon, python3: never silently skipped
                region.evaluator = refuse
            elif arguments == "console":
                region.evaluator = run_console
            elif NAMED_FILE.fullmatch(arguments):
                region.evaluator = write_named_file
            else:
                continue
            yield region


def refuse(example: Example) -> None:
    """Fail a ```python fence this runner does not know how to run, naming its info line."""
    raise AssertionError(f"{example.path}:{example.line}: unknown fence "
                         f"{example.region.lexemes['arguments']!r}: use python, or "
                         f'python title="test_name.py" for a test file')


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """Run a real redis-server for the pages that share a budget through Redis.

    The pages' limiter key is marked as one Redis has seen, as a running deployment's is:
    a new key pauses its first acquire for one lease (12 s), which the page explains.
    """
    for url in redis_url_fixture():
        mark_key_known(url, f"okx-max-withdrawal:{DOCS_UID}")
        yield url


_parsers = [CodeBlocks(), SkipParser(), ClearNamespaceParser()]
# The shared-budget page needs a real Redis (its example's `redis_url`): a Sybil of its own,
# so that no other page waits for, or is skipped without, redis-server.
REDIS_PAGES = ["wrapper/shared-budgets.md"]
pytest_collect_file = (
    Sybil(parsers=_parsers, patterns=["*.md"], excludes=REDIS_PAGES, path=str(DOCS),
          setup=setup, teardown=teardown)
    + Sybil(parsers=_parsers, patterns=REDIS_PAGES, path=str(DOCS), setup=setup,
            teardown=teardown, fixtures=["redis_url"], name="redis")
).pytest()

