"""Mutation testing of the modules where a wrong boundary costs most: ``make mutate``.

    python mutation/run.py [MODULE ...]      # default: every module in MODULES

Each module is mutated by mutmut 3 and checked against its own test files only (mutmut
then runs, per mutant, only the tests among them that reach the mutated function, with
``-x``). Prints the kill rate per module; fails when a survivor has no line in
``mutation/survivors.txt`` or a module is below ``TARGET``.

Each module runs in a staging copy of its own (``.mutation/<module>/``, git-ignored,
rebuilt at every run): ``okx_ext/`` and ``fakes/okx_fakes/`` side by side at its top
level, the tests, and a ``pyproject.toml`` written here. Why a copy: mutmut names a
mutant by its module path from the source root, so ``fakes/okx_fakes`` must stand at
the top as ``okx_fakes``; and mutmut's ``mutants/`` directory goes first on
``sys.path``, ahead of the editable install's import hook (hatch's ``dev-mode-exact``
appends its finder to ``sys.meta_path``, after the path finder), so the tests import
the mutated copy. The run checks that: a module with no killed mutant fails.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAGING = ROOT / ".mutation"
SURVIVORS = ROOT / "mutation" / "survivors.txt"
TARGET = 0.95
#: Read by tests (the README's examples run): staged beside the code.
DOCUMENTS = ("README.md", "docs")

#: Module (as in the repository) -> the tests that exercise it: test files, and pytest's
#: ``-k``/``-m`` options where a file also holds slow tests the module needs none of.
#: One line per module.
MODULES: dict[str, tuple[str, ...]] = {
    "okx_ext/_ratelimit.py": ("tests/test_ratelimit.py", "tests/test_ratelimit_edges.py"),
    "okx_ext/_retry.py": ("tests/test_retry.py", "tests/test_retry_edges.py"),
    "okx_ext/errors.py": ("tests/test_errors.py", "tests/test_errors_edges.py"),
    "okx_ext/_models.py": ("tests/test_models.py", "tests/test_models_edges.py"),
    "okx_ext/_currencies.py": ("tests/test_currencies.py", "tests/test_currencies_edges.py"),
    # Not the multiprocess, Cluster or Sentinel tests: slow, and they test no line the others
    # leave untested.
    "okx_ext/_redis.py": ("tests/test_redis_ratelimit.py", "tests/test_limiter_boundaries.py",
                          "tests/test_redis_topologies.py", "tests/test_redis_edges.py",
                          "tests/test_redis_providers.py", "-k",
                          "not TestRealTime and not TestCluster and not TestSentinel"),
    "fakes/okx_fakes/_auth.py": ("tests/fake/test_fake_errors.py", "tests/fake/test_fake_time.py",
                                 "tests/fake/test_fake_requests.py",
                                 "tests/fake/test_fake_auth_edges.py"),
    "fakes/okx_fakes/_authenticate.py": ("tests/fake/test_fake_errors.py",
                                         "tests/fake/test_fake_time.py",
                                         "tests/fake/test_fake_requests.py",
                                         "tests/fake/test_fake_auth_edges.py"),
    "fakes/okx_fakes/_ratewindows.py": ("tests/fake/test_fake_time.py",
                                        "tests/fake/test_fake_boundaries.py",
                                        "tests/fake/test_fake_rate_windows_edges.py"),
    # Not _routes/__init__.py: its route table is module-level data, which mutmut 3 does not
    # mutate, and its one function (a dict comprehension) yields no mutant.
    "fakes/okx_fakes/_routes/account.py": ("tests/fake/test_fake_model.py",
                                           "tests/fake/test_fake_errors.py",
                                           "tests/fake/test_fake_routes_edges.py"),
    "fakes/okx_fakes/_routes/funding.py": ("tests/fake/test_fake_funding.py",
                                           "tests/fake/test_fake_boundaries.py",
                                           "tests/fake/test_fake_transfer_edges.py"),
    "fakes/okx_fakes/_ledger.py": ("tests/fake/test_fake_funding.py",
                                   "tests/fake/test_fake_funding_model.py",
                                   "tests/fake/test_fake_transfer_faults.py",
                                   "tests/fake/test_fake_transfer_model_edges.py",
                                   "tests/fake/test_fake_withdrawals.py",
                                   "tests/fake/test_ledger_machine.py"),
    "fakes/okx_fakes/_faults.py": ("tests/fake/test_fake_errors.py",
                                   "tests/fake/test_fake_transfer_faults.py",
                                   "tests/fake/test_fake_requests.py",
                                   "tests/fake/test_fake_ways.py",
                                   "tests/fake/test_fake_hostile.py",
                                   "tests/fake/test_fake_model.py",
                                   "tests/fake/test_fake_fault_edges.py"),
}

#: Modules mutated in part: module -> globs of the mutant names tested (mutmut names a
#: mutant ``<module>.x_<function>__mutmut_<n>``, a method's ``<module>.xǁ<Class>ǁ<method>...``).
#: A module not here is mutated whole.
ONLY: dict[str, tuple[str, ...]] = {
    # The ledger's moves: transfers, withdrawals, settling, finding, the pin's shift.
    "fakes/okx_fakes/_ledger.py": ("*transfer*", "*withdraw*", "*settle*", "*_credit*",
                                   "*shifted*", "*find_*"),
}

# Mutmut's statuses that mean a test noticed the mutant.
_DETECTED = {"killed", "timeout", "segfault", "caught by type check"}
_RESULT_LINE = re.compile(r"^\s+(?P<name>\S+): (?P<status>.+)$")


def staged_path(module: str) -> str:
    """Return where ``module`` sits in the staging copy (``fakes/okx_fakes`` at the top)."""
    return module.removeprefix("fakes/")


def mutant_module(mutant: str) -> str:
    """Return the dotted module of a mutant name (``okx_ext._retry.x_f__mutmut_3``)."""
    return mutant.rsplit(".", 1)[0]


def in_part(module: str, mutant: str) -> bool:
    """Tell whether ``mutant`` is among those tested of ``module`` (see :data:`ONLY`)."""
    globs = ONLY.get(module)
    return globs is None or any(fnmatch.fnmatchcase(mutant, glob) for glob in globs)


def read_survivors(path: Path = SURVIVORS) -> dict[str, str]:
    """Return the triaged survivors: mutant name -> the one-line reason it is kept."""
    reasons: dict[str, str] = {}
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        name, colon, reason = line.partition(":")
        if not colon or not reason.strip():
            raise SystemExit(f"{path.name}:{number}: expected 'mutant name: reason', got {line!r}")
        reasons[name.strip()] = reason.strip()
    return reasons


def _pyproject(module: str, tests: tuple[str, ...]) -> str:
    """Return the staging copy's pyproject.toml: the project's (for pytest) plus mutmut's."""

    def toml_list(items: list[str] | tuple[str, ...]) -> str:
        return "[" + ", ".join(f'"{item}"' for item in items) + "]"

    return "\n".join([
        (ROOT / "pyproject.toml").read_text("utf-8"),
        "[tool.mutmut]",
        'source_paths = ["okx_ext", "okx_fakes"]',
        f"only_mutate = {toml_list([staged_path(module)])}",
        f"pytest_add_cli_args_test_selection = {toml_list(tests)}",
        'pytest_add_cli_args = ["-p", "no:cacheprovider"]',
        f"also_copy = {toml_list(DOCUMENTS)}",
        "use_git_change_detection = false",
        "",
    ])


def stage(module: str, tests: tuple[str, ...]) -> Path:
    """Build a fresh staging copy for ``module`` and return its directory."""
    directory = STAGING / module.replace("/", "_").removesuffix(".py")
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "okx_ext", directory / "okx_ext", ignore=ignore)
    shutil.copytree(ROOT / "fakes" / "okx_fakes", directory / "okx_fakes", ignore=ignore)
    shutil.copytree(ROOT / "tests", directory / "tests", ignore=ignore)
    for document in DOCUMENTS:  # the tests that run the README's examples read them
        if (ROOT / document).is_dir():
            shutil.copytree(ROOT / document, directory / document, ignore=ignore)
        elif (ROOT / document).exists():
            shutil.copy2(ROOT / document, directory / document)
    (directory / "pyproject.toml").write_text(_pyproject(module, tests), "utf-8")
    return directory


def run_module(module: str, tests: tuple[str, ...], jobs: int) -> dict[str, str]:
    """Mutate ``module`` (its :data:`ONLY` part) against ``tests``; return each status by name."""
    directory = stage(module, tests)
    environment = {**os.environ, "OKX_EXT_HYPOTHESIS_PROFILE": "mutate",
                   "OKX_EXT_REQUIRE_REDIS": "1"}
    mutmut = [sys.executable, "-m", "mutmut"]
    log = directory / "mutmut.log"
    with log.open("w") as output:
        ran = subprocess.run([*mutmut, "run", "--max-children", str(jobs), *ONLY.get(module, ())],
                             cwd=directory,
                             env=environment, stdout=output, stderr=subprocess.STDOUT)
    if ran.returncode != 0:
        # mutmut's own output is a progress spinner: its last lines say what went wrong.
        print(log.read_text("utf-8", errors="replace")[-3000:])
        raise SystemExit(f"mutmut failed on {module} (exit {ran.returncode}); see {log}")
    listing = subprocess.run([*mutmut, "results", "--all", "true"], cwd=directory,
                             env=environment, check=True, capture_output=True, text=True)
    statuses = {}
    for line in listing.stdout.splitlines():
        match = _RESULT_LINE.match(line)
        if match and in_part(module, match["name"]):
            statuses[match["name"]] = match["status"]
    return statuses


def main(argv: list[str] | None = None) -> int:
    """Run the modules asked (default: all); print the kill rates; 1 if not done."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", choices=[[], *MODULES], metavar="MODULE",
                        help=f"among: {', '.join(MODULES)}")
    parser.add_argument("--jobs", type=int, default=int(os.environ.get("MUTATE_JOBS", "2")),
                        help="mutants tested at once (default 2, or MUTATE_JOBS)")
    arguments = parser.parse_args(argv)
    survivors_ok = read_survivors()
    failed = False
    rows = []
    for module in arguments.modules or list(MODULES):
        statuses = run_module(module, MODULES[module], arguments.jobs)
        counts = Counter(statuses.values())
        detected = sum(counts[status] for status in _DETECTED)
        total = len(statuses)
        left = sorted(name for name, status in statuses.items() if status not in _DETECTED)
        untriaged = [name for name in left if name not in survivors_ok]
        rate = detected / total if total else 0.0
        rows.append((module, total, detected, len(left), rate))
        for name in untriaged:
            print(f"UNTRIAGED {name}: {statuses[name]}")
            failed = True
        dotted = staged_path(module).removesuffix(".py").removesuffix("/__init__")
        dotted = dotted.replace("/", ".")
        for name in sorted(survivors_ok):
            if mutant_module(name) == dotted and statuses.get(name) in _DETECTED | {None}:
                print(f"stale line in survivors.txt (now {statuses.get(name, 'gone')}): {name}")
        if detected == 0 or rate < TARGET:
            failed = True
    width = max([len("module"), *(len(row[0]) for row in rows)])
    print(f"\n{'module':{width}} {'mutants':>8} {'killed':>7} {'kept':>5} {'rate':>7}")
    for module, total, detected, kept, rate in rows:
        print(f"{module:{width}} {total:8} {detected:7} {kept:5} {rate:7.1%}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
