"""What a downstream test suite pays: the import, a shared client per test, property tests.

Sections 5 to 8 of ``make bench`` (benchmarks/run.py calls them; each figure is measured
side by side with its baseline in the same run):

5. Import: how much ``import okx_ext`` adds to ``import okx.Account``, read from
   ``python -X importtime`` in fresh interpreters (bytecode cached, as an installed
   package has it), and the CLI's module on top of it. The goal is judged on the least
   of the runs: other processes on a shared machine only ever add time (timeit's rule).
   Then what the pytest plugin (registered by installing okx-ext) costs a suite that
   never uses the fake: its import after pytest's (importtime, least), and the wall time
   of a one-test pytest run with it beside ``-p no:okx_ext_fakes``, interleaved.
6. Shared client: the per-test cost (setup, call and teardown, as ``--durations``
   counts it) of three ``get_max_withdrawal`` calls through one python-okx
   ``AccountAPI`` built once, in real pytest runs (subprocesses), the tests
   interleaved: the plugin's ``okx_account_api_session`` against respx's ``respx_mock``
   and pytest-httpx's ``httpx_mock`` on the same kind of shared client, and against an
   ``AccountAPI`` built per test and ``install()``ed (the way without session fixtures);
   an empty test and the session fixture without calls show pytest's and the reset's
   share. The goal is judged on the least of the runs' medians.
7. Strategies: the cost per example of drawing ``amounts()``, ``accounts()`` and
   ``okx_payloads()`` through ``@given``, against ``st.integers()``, and ``accounts()``
   against its peers written by hand with ``st.fixed_dictionaries`` (``HAND_BUILT``,
   the same shape; ``HAND_BUILT_LEAN``, the ``(available, borrowable)`` pairs only).
8. A 500-example property test (draw ``accounts()``, ask for every currency, check each
   ``maxWd`` against the drawn row) through ``FakeAccountAPI``, ``install()`` and
   respx, in examples per second: 500 examples (5 seeded runs of 100), each drawn once
   and run through the three ways in turn, so that the ways are compared on the same
   examples and the draw's share shows; beside them, in the same rounds, the respx test
   a user writes with ``HAND_BUILT`` (no exchange), and a 500-example ``st.integers()``
   test, the yardstick that carries across machines.

The strategies are imported by their public names only: this file measures them, it
does not depend on how they are built.
"""

from __future__ import annotations

import decimal
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import respx
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from okx.Account import AccountAPI
from okx_fakes import MAX_WITHDRAWAL_PATH, FakeAccountAPI, FakeExchange, strategies
from okx_fakes import pytest_plugin as plugin

OKX_URL = "https://www.okx.com"

# Section 8's figure before the strategies build their inner strategies once, recorded
# on the machine the benchmarks page names (median of five runs: 28 to 49, most near 40): the
# 500-example test through FakeAccountAPI took this many times as long per example as
# the 500-example st.integers() test of the same run, at about this many examples per
# second. The goal is a speed-up of 2.5x over it; the ratio to st.integers(), not the
# absolute rate, is what carries across machines.
BASELINE_FAKE_500_VS_INTEGERS = 40.0
BASELINE_FAKE_500_EPS = 30.0


def _median_ratio(numerator: list[float], denominator: list[float]) -> float:
    return statistics.median(a / b for a, b in zip(numerator, denominator, strict=True))


# --- 5. import ---------------------------------------------------------------------------


def _top_level_cumulative_us(stderr: str) -> dict[str, int]:
    """Cumulative microseconds of each top-level import ``-X importtime`` reported."""
    cumulative: dict[str, int] = {}
    for line in stderr.splitlines():
        if not line.startswith("import time:"):
            continue
        _, total, name = line.split("|")
        if name.startswith("  ") or not total.strip().isdigit():
            continue  # nested under another import, or the header line
        cumulative[name.strip()] = int(total)
    return cumulative


def _importtime(statement: str, env: dict[str, str]) -> dict[str, int]:
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", statement],
        env=env, capture_output=True, text=True, check=True, timeout=60,
    )
    return _top_level_cumulative_us(completed.stderr)


def bench_import(runs: int) -> dict[str, Any]:
    env = {name: value for name, value in os.environ.items()
           if name != "PYTHONDONTWRITEBYTECODE"}
    sdk_ms: list[float] = []
    ext_ms: list[float] = []
    cli_ms: list[float] = []
    with tempfile.TemporaryDirectory() as cache:
        # Bytecode in a throwaway place: measured as an installed package loads, without
        # leaving __pycache__ folders in the tree.
        env["PYTHONPYCACHEPREFIX"] = cache
        for _ in range(2):  # write the bytecode, then warm the file cache
            _importtime("import okx.Account, okx_ext.cli", env)
        for _ in range(runs):
            package = _importtime("import okx.Account; import okx_ext", env)
            cli = _importtime("import okx.Account; import okx_ext.cli", env)
            sdk_ms.append(package["okx.Account"] / 1000)
            ext_ms.append(package["okx_ext"] / 1000)
            cli_ms.append(cli["okx_ext.cli"] / 1000)  # okx_ext is imported under it
    return {
        "runs": runs,
        "sdk_ms": statistics.median(sdk_ms),
        "okx_ext_ms": statistics.median(ext_ms),
        # Load from other processes only ever adds time: the least is the steadiest figure.
        "okx_ext_ms_min": min(ext_ms),
        "cli_ms": statistics.median(cli_ms),
        "cli_vs_sdk": statistics.median(
            (sdk + cli) / sdk for sdk, cli in zip(sdk_ms, cli_ms, strict=True)
        ),
    }


def bench_plugin_startup(runs: int) -> dict[str, Any]:
    env = {name: value for name, value in os.environ.items()
           if name != "PYTHONDONTWRITEBYTECODE"}
    import_ms: list[float] = []
    with_ms: list[float] = []
    without_ms: list[float] = []
    with tempfile.TemporaryDirectory() as scratch:
        env["PYTHONPYCACHEPREFIX"] = str(Path(scratch) / "cache")
        project = Path(scratch) / "project"  # no conftest: only installed plugins load
        project.mkdir()
        (project / "test_one.py").write_text("def test_one():\n    pass\n")
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        for _ in range(2):  # write the bytecode, then warm the file cache
            _importtime("import pytest; import okx_fakes.pytest_plugin", env)
            subprocess.run(command, cwd=project, env=env, capture_output=True, check=True,
                           timeout=120)
        for _ in range(runs):
            timing = _importtime("import pytest; import okx_fakes.pytest_plugin", env)
            import_ms.append(timing["okx_fakes.pytest_plugin"] / 1000)
            for extra, times in (([], with_ms), (["-p", "no:okx_ext_fakes"], without_ms)):
                started = time.perf_counter()
                subprocess.run([*command, *extra], cwd=project, env=env,
                               capture_output=True, check=True, timeout=120)
                times.append((time.perf_counter() - started) * 1000)
    return {
        "runs": runs,
        "plugin_import_ms_min": min(import_ms),
        "plugin_import_ms": statistics.median(import_ms),
        "pytest_with_ms": statistics.median(with_ms),
        "pytest_without_ms": statistics.median(without_ms),
        "pytest_with_ms_min": min(with_ms),
        "pytest_without_ms_min": min(without_ms),
    }


# --- 6. a shared client per test ---------------------------------------------------------

CONFTEST = '''
import json
import os

import pytest
from okx.Account import AccountAPI
from okx_fakes.pytest_plugin import API_KEY, PASSPHRASE, SECRET_KEY

DURATIONS = {}


def pytest_runtest_logreport(report):
    # setup + call + teardown, as pytest's --durations counts them: the test's own cost,
    # without pytest's reporting around it.
    variant = report.nodeid.rpartition("::test_")[2].split("_")[0]
    per_test = DURATIONS.setdefault(variant, {})
    per_test[report.nodeid] = per_test.get(report.nodeid, 0.0) + report.duration


def pytest_sessionfinish(session):
    with open(os.environ["OKX_BENCH_DURATIONS"], "w") as out:
        json.dump(DURATIONS, out)


@pytest.fixture(scope="session")
def shared_api():
    """One real AccountAPI for the respx and pytest-httpx tests, built once."""
    with AccountAPI(API_KEY, SECRET_KEY, PASSPHRASE, flag="1", debug=False) as api:
        yield api
'''

TEST_HEADER = '''
from okx.Account import AccountAPI
from okx_fakes.pytest_plugin import API_KEY, PASSPHRASE, SECRET_KEY

URL = {url!r}
BODIES = {bodies!r}


def three_calls(api):
    for ccy, body in BODIES.items():
        assert api.get_max_withdrawal(ccy=ccy) == body
'''

# One test of each variant per round, in this order: the variants are interleaved.
VARIANT_TESTS = {
    "session": '''
def test_session_{i}(okx_account_api_session):
    three_calls(okx_account_api_session)
''',
    "respx": '''
def test_respx_{i}(shared_api, respx_mock):
    for ccy, body in BODIES.items():
        respx_mock.get(URL, params={{"ccy": ccy}}).respond(json=body)
    three_calls(shared_api)
''',
    "pytesthttpx": '''
def test_pytesthttpx_{i}(shared_api, httpx_mock):
    for ccy, body in BODIES.items():
        httpx_mock.add_response(url=URL + "?ccy=" + ccy, json=body)
    three_calls(shared_api)
''',
    "empty": '''
def test_empty_{i}():
    pass
''',
    "resetOnly": '''
def test_resetOnly_{i}(okx_account_api_session):
    pass
''',
    "perTest": '''
def test_perTest_{i}(okx_exchange, okx_account):
    with AccountAPI(API_KEY, SECRET_KEY, PASSPHRASE, flag="1", debug=False) as api:
        okx_exchange.install(api)
        three_calls(api)
''',
}


def _fixture_bodies() -> dict[str, Any]:
    """The plugin's funded account's answers, as the fake writes them."""
    exchange = FakeExchange()
    plugin._seed(exchange, plugin._default_accounts())
    api = FakeAccountAPI(plugin.API_KEY, plugin.SECRET_KEY, plugin.PASSPHRASE, flag="1",
                         exchange=exchange)
    return {ccy: api.get_max_withdrawal(ccy) for ccy in plugin.BALANCES}


def _fixture_run(root: Path) -> dict[str, float]:
    """One pytest run of the generated suite: median ms per test of each variant."""
    durations_file = root / "durations.json"
    env = {**os.environ, "OKX_BENCH_DURATIONS": str(durations_file)}
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=",
         str(root)],
        cwd=root, env=env, capture_output=True, text=True, timeout=600,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"the shared-client tests failed:\n{completed.stdout[-3000:]}")
    durations: dict[str, dict[str, float]] = json.loads(durations_file.read_text())
    # The first test of each variant builds the session's clients: not a per-test cost.
    return {name: statistics.median(list(times.values())[1:]) * 1000
            for name, times in durations.items()}


def bench_fixtures(tests_per_variant: int, runs: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "conftest.py").write_text(CONFTEST)
        source = [TEST_HEADER.format(url=OKX_URL + MAX_WITHDRAWAL_PATH, bodies=_fixture_bodies())]
        for index in range(tests_per_variant):
            source += [template.format(i=index) for template in VARIANT_TESTS.values()]
        (root / "test_shared_client.py").write_text("".join(source))
        per_run = [_fixture_run(root) for _ in range(runs)]
    per_test_ms = {name: statistics.median(run[name] for run in per_run) for name in per_run[0]}
    session = [run["session"] for run in per_run]
    return {
        "tests_per_variant": tests_per_variant,
        "runs": runs,
        "per_test_ms": per_test_ms,
        # Load from other processes only ever adds time: the least run is the steadiest.
        "session_ms_least": min(session),
        "respx_vs_session": _median_ratio([run["respx"] for run in per_run], session),
        "pytesthttpx_vs_session": _median_ratio([run["pytesthttpx"] for run in per_run],
                                                session),
        "per_test_client_vs_session": _median_ratio([run["perTest"] for run in per_run],
                                                    session),
    }


# --- 7. and 8. property tests ----------------------------------------------------------


def _given_run(
    strategy: st.SearchStrategy[Any], body: Callable[[Any], object], examples: int,
    seed_value: int,
) -> tuple[float, int]:
    """Run ``body`` over ``examples`` generated examples; return (seconds, examples run)."""
    count = 0

    @seed(seed_value)
    @settings(max_examples=examples, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def property_test(value: Any) -> None:
        nonlocal count
        count += 1
        body(value)

    started = time.perf_counter()
    property_test()
    return time.perf_counter() - started, count


def _nothing(value: object) -> None:
    return None


def _interleaved(
    variants: dict[str, tuple[st.SearchStrategy[Any], Callable[[Any], object]]],
    examples: int, rounds: int,
) -> dict[str, list[float]]:
    """Seconds per example of each variant, per round, the order alternating by round."""
    names = list(variants)
    for name in names:  # first-use costs: Hypothesis' own caches, lazy imports
        strategy, body = variants[name]
        _given_run(strategy, body, 5, seed_value=-1)
    per_example: dict[str, list[float]] = {name: [] for name in names}
    for round_number in range(rounds):
        for name in names if round_number % 2 == 0 else names[::-1]:
            strategy, body = variants[name]
            seconds, count = _given_run(strategy, body, examples, seed_value=round_number)
            per_example[name].append(seconds / count)
    return per_example


# The peer of accounts(): what a respx user writes by hand with st.fixed_dictionaries to
# draw the same shape (1 to 4 keys, a new account or the previous one's, a mode, up to 5
# currencies each with a whole trading row and an optional funding row), from the public
# amounts() and currency_codes(), every amount drawn. It builds no exchange: respx needs none.
_HAND_ROW = st.fixed_dictionaries({
    "available": strategies.amounts(), "borrowable": strategies.amounts(),
    "frozen": strategies.amounts(), "margin": strategies.amounts(),
    "borrowed": strategies.amounts(),
    "funding": st.none() | st.fixed_dictionaries({"available": strategies.amounts(),
                                                  "frozen": strategies.amounts()}),
})
_HAND_USER = st.fixed_dictionaries({
    "mode": st.sampled_from(strategies.ACCOUNT_MODES),
    "balances": st.dictionaries(strategies.currency_codes(), _HAND_ROW, max_size=5),
})
HAND_BUILT = st.fixed_dictionaries({
    "first": st.fixed_dictionaries({"demo": st.booleans(), "user": _HAND_USER}),
    # None: a sub-key of the account before it.
    "more": st.lists(st.fixed_dictionaries({"demo": st.booleans(),
                                            "user": st.none() | _HAND_USER}), max_size=3),
})

# The least a hand-built strategy could draw for the test: the shape accounts() drew
# before it drew ledgers, (available, borrowable) per currency and nothing else.
_LEAN_USER = st.fixed_dictionaries({
    "mode": st.sampled_from(strategies.ACCOUNT_MODES),
    "balances": st.dictionaries(strategies.currency_codes(),
                                st.tuples(strategies.amounts(), strategies.amounts()),
                                max_size=5),
})
HAND_BUILT_LEAN = st.fixed_dictionaries({
    "first": st.fixed_dictionaries({"demo": st.booleans(), "user": _LEAN_USER}),
    "more": st.lists(st.fixed_dictionaries({"demo": st.booleans(),
                                            "user": st.none() | _LEAN_USER}), max_size=3),
})


def bench_draws(examples: int, rounds: int) -> dict[str, Any]:
    per_example = _interleaved(
        {
            "integers": (st.integers(), _nothing),
            "amounts": (strategies.amounts(), _nothing),
            "accounts": (strategies.accounts(), _nothing),
            "hand_built": (HAND_BUILT, _nothing),
            "hand_built_lean": (HAND_BUILT_LEAN, _nothing),
            "okx_payloads": (strategies.okx_payloads(), _nothing),
        },
        examples, rounds,
    )
    return {
        "examples": examples,
        "rounds": rounds,
        "ms_per_example": {name: statistics.median(t) * 1000 for name, t in per_example.items()},
        "vs_integers": {
            name: _median_ratio(per_example[name], per_example["integers"])
            for name in per_example if name != "integers"
        },
        "accounts_vs_hand_built": _median_ratio(per_example["accounts"],
                                                per_example["hand_built"]),
        "accounts_vs_lean": _median_ratio(per_example["accounts"],
                                          per_example["hand_built_lean"]),
    }


_MARGIN_MODES = ("futures", "multi_currency", "portfolio")


def _max_wd(mode: str, available: str, margin: str) -> Decimal:
    """``maxWd`` as OKX's docs derive it: availBal, less margin in the margin modes."""
    if mode not in _MARGIN_MODES:
        return Decimal(available)
    return max(Decimal(0), _EXACT.subtract(Decimal(available), Decimal(margin)))


_EXACT = decimal.Context(prec=200)


def _expected(first: strategies.SeededAccount) -> dict[str, Decimal]:
    assert first.mode is not None
    return {ccy: _max_wd(first.mode, available, first.margin[ccy])
            for ccy, (available, _) in first.balances.items()}


def _check_answer(body: Any, expected: dict[str, Decimal]) -> None:
    """The property: every held currency, each ``maxWd`` what its row leaves free."""
    assert body["code"] == "0", body
    answered = {entry["ccy"]: Decimal(entry["maxWd"]) for entry in body["data"]}
    assert answered == expected


def _through_fake(seeded: strategies.SeededExchange) -> None:
    first = seeded.accounts[0]
    api = FakeAccountAPI(first.api_key, first.secret_key, first.passphrase, flag=first.flag,
                         exchange=seeded.exchange)
    _check_answer(api.get_max_withdrawal(""), _expected(first))


def _through_install(api: AccountAPI) -> Callable[[strategies.SeededExchange], None]:
    def call(seeded: strategies.SeededExchange) -> None:
        first = seeded.accounts[0]
        api.API_KEY, api.API_SECRET_KEY = first.api_key, first.secret_key
        api.PASSPHRASE, api.flag = first.passphrase, first.flag
        with seeded.exchange.install(api):
            _check_answer(api.get_max_withdrawal(ccy=""), _expected(first))

    return call


def _through_respx(api: AccountAPI) -> Callable[[strategies.SeededExchange], None]:
    """The respx version: the answer a respx user writes from the drawn balances."""

    def call(seeded: strategies.SeededExchange) -> None:
        expected = _expected(seeded.accounts[0])
        _respond_and_check(api, expected)

    return call


def _respond_and_check(api: AccountAPI, expected: dict[str, Decimal]) -> None:
    body = {"code": "0", "msg": "", "data": [
        {"ccy": ccy, "maxWd": format(max_wd, "f"), "maxWdEx": "", "spotOffsetMaxWd": "",
         "spotOffsetMaxWdEx": ""}
        for ccy, max_wd in expected.items()
    ]}
    with respx.mock(base_url=OKX_URL) as router:
        router.get(MAX_WITHDRAWAL_PATH).respond(json=body)
        _check_answer(api.get_max_withdrawal(ccy=""), expected)


def _through_respx_hand_built(api: AccountAPI) -> Callable[[dict[str, Any]], None]:
    """The respx test a user writes with the hand-built strategy: no exchange at all."""

    def call(drawn: dict[str, Any]) -> None:
        user = drawn["first"]["user"]
        _respond_and_check(api, {
            ccy: _max_wd(user["mode"], row["available"], row["margin"])
            for ccy, row in user["balances"].items()
        })

    return call


def bench_property_tests(examples: int, runs: int) -> dict[str, Any]:
    """``examples`` x ``runs`` examples of the property test, each through all three ways.

    One ``@given(accounts())`` run per round draws each example once and runs the three
    bodies on it, timed one by one, their order rotating: so the ways are compared on
    the same examples, interleaved example by example, and the rest of the run's time is
    what drawing (and Hypothesis' engine) costs. A test through one way costs that plus
    its own body. A plain ``st.integers()`` run of the same size is the yardstick.
    """
    with AccountAPI(flag="1", debug=False) as installed, \
            AccountAPI(flag="1", debug=False) as mocked:
        bodies: dict[str, Callable[[strategies.SeededExchange], None]] = {
            "fake": _through_fake,
            "install": _through_install(installed),
            "respx": _through_respx(mocked),
        }
        names = list(bodies)
        spent = dict.fromkeys(names, 0.0)
        calls = 0

        def all_three(seeded: strategies.SeededExchange) -> None:
            nonlocal calls
            calls += 1
            for name in names[calls % 3:] + names[:calls % 3]:
                started = time.perf_counter()
                bodies[name](seeded)
                spent[name] += time.perf_counter() - started

        hand_built = _through_respx_hand_built(mocked)
        _given_run(strategies.accounts(), all_three, 5, seed_value=-1)  # first-use costs
        _given_run(st.integers(), _nothing, 5, seed_value=-1)
        _given_run(HAND_BUILT, hand_built, 5, seed_value=-1)
        spent = dict.fromkeys(names, 0.0)
        run_s = integers_s = hand_s = 0.0
        count = integers_count = hand_count = 0
        # Per round: the fake-way test's time per example over st.integers()'s, and the
        # hand-built respx test's over the fake-way test's (its speed over the hand-built's).
        round_ratios: list[float] = []
        hand_ratios: list[float] = []
        for run in range(runs):
            before = dict(spent)
            seconds, done = _given_run(strategies.accounts(), all_three, examples, run)
            run_s, count = run_s + seconds, count + done
            others = sum(spent[name] - before[name] for name in names if name != "fake")
            fake_per_example = (seconds - others) / done
            seconds, done = _given_run(HAND_BUILT, hand_built, examples, run)
            hand_s, hand_count = hand_s + seconds, hand_count + done
            hand_ratios.append(seconds / done / fake_per_example)
            seconds, done = _given_run(st.integers(), _nothing, examples, run)
            integers_s, integers_count = integers_s + seconds, integers_count + done
            round_ratios.append(fake_per_example / (seconds / done))
    drawing = (run_s - sum(spent.values())) / count
    per_example = {name: drawing + spent[name] / count for name in names}
    per_example["draw_only"] = drawing
    per_example["integers"] = integers_s / integers_count
    per_example["respx_hand_built"] = hand_s / hand_count
    # A median of rounds: a burst of load elsewhere during one short st.integers() run
    # would otherwise move the whole figure.
    fake_vs_integers = statistics.median(round_ratios)
    return {
        "examples": count,
        "runs": runs,
        "examples_per_s": {name: 1 / seconds for name, seconds in per_example.items()},
        "body_ms": {name: spent[name] / count * 1000 for name in names},
        "fake_vs_integers": fake_vs_integers,
        "fake_speedup_vs_baseline": (BASELINE_FAKE_500_VS_INTEGERS / fake_vs_integers
                                     if BASELINE_FAKE_500_VS_INTEGERS else None),
        "fake_vs_respx_speed": per_example["respx"] / per_example["fake"],
        "install_vs_respx_speed": per_example["respx"] / per_example["install"],
        "fake_vs_respx_hand_built_speed": statistics.median(hand_ratios),
    }


# --- table -------------------------------------------------------------------------------


def rows(results: dict[str, Any]) -> list[tuple[str, str, str, bool]]:
    """The table rows of sections 5 to 8: (measurement, result, goal, met)."""
    imports = results["import"]
    plugin = results["plugin_startup"]
    fixtures = results["fixtures"]
    draws = results["draws"]["vs_integers"]
    prop = results["property"]
    eps = prop["examples_per_s"]
    speedup = prop["fake_speedup_vs_baseline"]
    hand = results["draws"]["accounts_vs_hand_built"]
    over_hand = prop["fake_vs_respx_hand_built_speed"]
    return [
        ("5. import okx_ext on top of okx.Account (importtime, least)",
         f"{imports['okx_ext_ms_min']:.1f} ms", "<= 8 ms", imports["okx_ext_ms_min"] <= 8),
        ("5. import okx.Account, then okx_ext.cli / okx.Account",
         f"{imports['cli_vs_sdk']:.2f}x", "(reported)", True),
        ("5. the pytest plugin's import at pytest start-up (least)",
         f"{plugin['plugin_import_ms_min']:.1f} ms", "<= 10 ms",
         plugin["plugin_import_ms_min"] <= 10),
        ("5. a one-test pytest run with the plugin, vs without (least)",
         f"{plugin['pytest_with_ms_min']:.0f} ms vs {plugin['pytest_without_ms_min']:.0f} ms",
         "(reported)", True),
        ("6. okx_account_api_session, 3 calls, per test (least)",
         f"{fixtures['session_ms_least']:.2f} ms", "<= 2 ms", fixtures["session_ms_least"] <= 2),
        ("6. respx_mock, shared AccountAPI, 3 calls / session",
         f"{fixtures['respx_vs_session']:.2f}x", "(reported)", True),
        ("6. pytest-httpx, shared AccountAPI, 3 calls / session",
         f"{fixtures['pytesthttpx_vs_session']:.2f}x", "(reported)", True),
        ("6. AccountAPI built per test + install() / session",
         f"{fixtures['per_test_client_vs_session']:.1f}x", "(reported)", True),
        ("7. draw amounts() / st.integers(), per example", f"{draws['amounts']:.1f}x",
         "(reported)", True),
        ("7. draw accounts() / st.integers(), per example", f"{draws['accounts']:.1f}x",
         "<= 10x", draws["accounts"] <= 10),
        ("7. draw accounts() / hand-built st.fixed_dictionaries, same shape",
         f"{hand:.2f}x", "<= 1.5x", hand <= 1.5),
        ("7. draw accounts() / hand-built (available, borrowable) only",
         f"{results['draws']['accounts_vs_lean']:.2f}x", "(reported)", True),
        ("7. draw okx_payloads() / st.integers(), per example",
         f"{draws['okx_payloads']:.1f}x", "(reported)", True),
        ("8. 500-example test via FakeAccountAPI, examples/s", f"{eps['fake']:.0f}",
         "(reported)", True),
        ("8. the same, speed-up vs the recorded baseline",
         "n/a" if speedup is None else f"{speedup:.2f}x", ">= 2.5x",
         speedup is not None and speedup >= 2.5),
        ("8. the same, FakeAccountAPI speed / respx speed",
         f"{prop['fake_vs_respx_speed']:.2f}x", "> 1x", prop["fake_vs_respx_speed"] > 1),
        ("8. FakeAccountAPI + accounts() speed / respx + hand-built strategy",
         f"{over_hand:.2f}x", ">= 2x", over_hand >= 2),
        ("8. install() speed / respx speed", f"{prop['install_vs_respx_speed']:.2f}x",
         "(reported)", True),
    ]


def run(quick: bool) -> dict[str, Any]:
    """Run sections 5 to 8 (fewer runs with ``quick``)."""
    return {
        "import": bench_import(runs=5 if quick else 15),
        "plugin_startup": bench_plugin_startup(runs=3 if quick else 7),
        "fixtures": bench_fixtures(tests_per_variant=20 if quick else 50, runs=1 if quick else 3),
        "draws": bench_draws(examples=50 if quick else 100, rounds=2 if quick else 3),
        # 500 examples, each through the three ways: about 20 s.
        "property": bench_property_tests(examples=100, runs=1 if quick else 5),
    }


def summary(results: dict[str, Any]) -> list[str]:
    """Lines printed under the table: the absolute figures behind the ratios."""
    imports = results["import"]
    plugin = results["plugin_startup"]
    per_test = results["fixtures"]["per_test_ms"]
    draws = results["draws"]["ms_per_example"]
    eps = results["property"]["examples_per_s"]
    return [
        f"import ms (median of {imports['runs']}): okx.Account {imports['sdk_ms']:.1f}, "
        f"okx_ext on top {imports['okx_ext_ms']:.1f} (least {imports['okx_ext_ms_min']:.1f}), "
        f"okx_ext + cli on top {imports['cli_ms']:.1f}",
        f"pytest start-up ms (median of {plugin['runs']}): plugin import "
        f"{plugin['plugin_import_ms']:.1f} (least {plugin['plugin_import_ms_min']:.1f}); "
        f"one-test run with the plugin {plugin['pytest_with_ms']:.0f}, "
        f"-p no:okx_ext_fakes {plugin['pytest_without_ms']:.0f}",
        f"ms/test, 3 calls (median of {results['fixtures']['runs']} runs' medians): "
        + ", ".join(f"{name} {ms:.2f}" for name, ms in per_test.items()),
        "ms/example drawn: " + ", ".join(f"{name} {ms:.2f}" for name, ms in draws.items()),
        "examples/s (500-example test): "
        + ", ".join(f"{name} {rate:.0f}" for name, rate in eps.items())
        + "; body ms/example: "
        + ", ".join(f"{name} {ms:.2f}" for name, ms in results["property"]["body_ms"].items())
        + f"; FakeAccountAPI / st.integers() time {results['property']['fake_vs_integers']:.1f}x"
        + f" (baseline {BASELINE_FAKE_500_VS_INTEGERS:.1f}x, {BASELINE_FAKE_500_EPS:.0f}/s)",
    ]
