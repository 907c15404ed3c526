"""The package promises: typed (py.typed shipped) and documented public names."""

from __future__ import annotations

import importlib
import importlib.resources
import inspect
from pathlib import Path

import pytest

PACKAGES = ["okx_ext", "okx_fakes"]


@pytest.mark.parametrize("package", PACKAGES)
def test_package_ships_py_typed(package: str) -> None:
    assert importlib.resources.files(package).joinpath("py.typed").is_file()


@pytest.mark.parametrize("package", PACKAGES)
def test_every_public_name_is_exported_and_documented(package: str) -> None:
    module = importlib.import_module(package)
    assert module.__doc__, f"{package} has no module docstring"
    for name in getattr(module, "__all__", ()):
        obj = getattr(module, name)  # AttributeError here means __all__ lies
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert inspect.getdoc(obj), f"{package}.{name} has no docstring"


@pytest.mark.parametrize(
    "module_name",
    ["okx_ext", "okx_ext.errors", "okx_fakes", "okx_fakes.strategies", "okx_fakes.pytest_plugin"],
)
def test_every_public_name_is_in_the_readme_or_the_docs(module_name: str) -> None:
    root = Path(__file__).resolve().parent.parent
    pages = [root / "README.md", *sorted((root / "docs").rglob("*.md"))]
    text = "\n".join(page.read_text(encoding="utf-8") for page in pages)
    module = importlib.import_module(module_name)
    undocumented = [name for name in module.__all__ if name not in text]
    assert not undocumented, f"{module_name} exports names no page mentions: {undocumented}"
