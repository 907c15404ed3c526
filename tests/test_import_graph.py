"""Imports point one way: no circle in okx_ext or okx_fakes, lazy imports included.

Every ``.py`` file of both packages is parsed with ``ast``; an import anywhere in a file
(module level, or inside a function: a lazy import) is an edge. Imports under
``if TYPE_CHECKING:`` never run, so they are kept apart: the fake's core may not use them
to name an adapter either. Importing ``a.b`` also runs ``a/__init__.py``; that implicit
edge is not drawn (every submodule would otherwise circle through its package).
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIRS = {"okx_ext": ROOT / "okx_ext", "okx_fakes": ROOT / "fakes" / "okx_fakes"}

# The fake's core: types, facts, auth, accounts, faults, rate windows, routes, the model.
FAKE_CORE = frozenset({
    "okx_fakes._types", "okx_fakes._facts", "okx_fakes._errors", "okx_fakes._text",
    "okx_fakes._wire", "okx_fakes._checks", "okx_fakes._auth", "okx_fakes._authenticate",
    "okx_fakes._accounts", "okx_fakes._faults", "okx_fakes._ratewindows", "okx_fakes._params",
    "okx_fakes._routes", "okx_fakes._routes.account", "okx_fakes._routes.funding",
    "okx_fakes._model", "okx_fakes._accounts_file", "okx_fakes._unmodelled",
    "okx_fakes._amounts", "okx_fakes._ledger", "okx_fakes._book", "okx_fakes._path",
    "okx_fakes._chains", "okx_fakes._routes.withdrawals",
    "okx_fakes._stubs",
})
# Its ways in, and what sits above them.
FAKE_ADAPTERS = frozenset({
    "okx_fakes._wsgi", "okx_fakes._control", "okx_fakes._control_guard",
    "okx_fakes._transport", "okx_fakes._server",
    "okx_fakes._api", "okx_fakes._exchange", "okx_fakes.cli", "okx_fakes.strategies",
    "okx_fakes.strategies.payloads", "okx_fakes.strategies.errors",
    "okx_fakes.strategies.exchanges", "okx_fakes.strategies.transfers",
    "okx_fakes.strategies.machine",
    "okx_fakes.pytest_plugin", "okx_fakes",
})


def _module_files() -> dict[str, Path]:
    modules = {}
    for package, directory in PACKAGE_DIRS.items():
        for path in directory.rglob("*.py"):
            parts = [package, *path.relative_to(directory).with_suffix("").parts]
            if parts[-1] == "__init__":
                parts.pop()
            if parts[-1] != "__main__":
                modules[".".join(parts)] = path
    return modules


MODULES = _module_files()


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(node: ast.AST, type_checking: bool = False) -> Iterator[tuple[ast.AST, bool]]:
    """Yield every import statement under ``node``, and whether it is under TYPE_CHECKING."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            yield child, type_checking
        elif isinstance(child, ast.If) and _is_type_checking(child.test):
            for statement in child.body:
                yield from _imports(ast.Module(body=[statement], type_ignores=[]), True)
            for statement in child.orelse:
                yield from _imports(ast.Module(body=[statement], type_ignores=[]), type_checking)
        else:
            yield from _imports(child, type_checking)


def _targets(module: str, path: Path, statement: ast.AST) -> Iterator[str]:
    """Yield the modules of both packages that ``statement`` imports."""
    if isinstance(statement, ast.Import):
        for alias in statement.names:
            yield alias.name
        return
    assert isinstance(statement, ast.ImportFrom)
    base = statement.module or ""
    if statement.level:
        package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        package = package[: len(package) - statement.level + 1]
        base = ".".join([*package, base] if base else package)
    for alias in statement.names:
        candidate = f"{base}.{alias.name}"
        yield candidate if candidate in MODULES else base


@functools.cache
def import_graph(include_type_checking: bool) -> Mapping[str, frozenset[str]]:
    """Return module -> the modules of both packages it imports (lazy imports included)."""
    graph: dict[str, set[str]] = {module: set() for module in MODULES}
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for statement, type_checking in _imports(tree):
            if type_checking and not include_type_checking:
                continue
            graph[module] |= {t for t in _targets(module, path, statement) if t in MODULES}
    return {module: frozenset(targets) for module, targets in graph.items()}


def find_cycle(graph: Mapping[str, set[str] | frozenset[str]]) -> list[str] | None:
    """Return one import circle of ``graph`` (first module repeated last), or None."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                return [*stack[stack.index(target):], target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_cycle_finder_finds_a_circle_and_clears_a_line() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_the_graph_sees_lazy_and_relative_imports() -> None:
    graph = import_graph(include_type_checking=False)
    # okx_ext.cli imports okx_fakes only inside functions.
    assert {"okx_fakes", "okx_fakes.cli"} <= graph["okx_ext.cli"]
    assert "okx_fakes._routes.account" in graph["okx_fakes._routes"]
    assert "okx_fakes._model" in graph["okx_fakes._exchange"]


def test_no_import_circle_in_either_package() -> None:
    assert find_cycle(import_graph(include_type_checking=False)) is None


def test_no_import_circle_in_the_fake_even_counting_type_checking_imports() -> None:
    graph = import_graph(include_type_checking=True)
    fake = {module: {t for t in targets if t.startswith("okx_fakes")}
            for module, targets in graph.items() if module.startswith("okx_fakes")}
    assert find_cycle(fake) is None


def test_every_fake_module_is_placed_in_a_layer() -> None:
    fake_modules = {module for module in MODULES if module.startswith("okx_fakes")}
    assert fake_modules == FAKE_CORE | FAKE_ADAPTERS


@pytest.mark.parametrize("module", sorted(FAKE_CORE))
def test_the_fake_core_imports_no_adapter_not_even_lazily(module: str) -> None:
    imported = import_graph(include_type_checking=True)[module]
    assert not imported & FAKE_ADAPTERS, f"{module} imports {sorted(imported & FAKE_ADAPTERS)}"


def test_the_double_imports_only_public_modules_of_the_product() -> None:
    # The two packages import one way each: a rule both use lives in a small public module.
    graph = import_graph(include_type_checking=True)
    private = sorted(
        (module, target)
        for module, targets in graph.items() if module.startswith("okx_fakes")
        for target in targets
        if target.startswith("okx_ext") and any(p.startswith("_") for p in target.split("."))
    )
    assert private == []


def test_the_product_imports_only_public_modules_of_the_double() -> None:
    graph = import_graph(include_type_checking=True)
    private = sorted(
        (module, target)
        for module, targets in graph.items() if module.startswith("okx_ext")
        for target in targets
        if target.startswith("okx_fakes") and any(p.startswith("_") for p in target.split("."))
    )
    assert private == []
