"""Installing okx-ext never breaks a downstream suite that has its own ``fakes`` package.

A throwaway project with its own ``fakes`` package and a test that uses both it and our
``okx_account_api`` fixture is run with ``python -m pytest`` and with ``pytest``, in this
venv, where okx-ext is installed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

OWN_FAKES = 'MARKER = "the project\'s own fakes"\n'

PYPROJECT = '[tool.pytest.ini_options]\npythonpath = ["."]\n'

DOWNSTREAM_TEST = '''
import fakes
import okx_fakes


def test_both_fakes(okx_account_api):
    assert fakes.MARKER == "the project's own fakes"
    assert okx_fakes.FakeAccountAPI is type(okx_account_api)
    assert okx_account_api.get_max_withdrawal(ccy="")["code"] == "0"
'''


@pytest.fixture
def downstream(tmp_path: Path) -> Path:
    (tmp_path / "fakes").mkdir()
    (tmp_path / "fakes" / "__init__.py").write_text(OWN_FAKES, encoding="utf-8")
    # As most projects do, so that plain `pytest` finds the project's packages too.
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_downstream.py").write_text(DOWNSTREAM_TEST, encoding="utf-8")
    return tmp_path


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "PYTHON"))}
    return subprocess.run(
        [*command, "-p", "no:cacheprovider", "-q", "tests"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    "runner",
    [
        pytest.param([sys.executable, "-m", "pytest"], id="python -m pytest"),
        pytest.param([str(Path(sys.executable).parent / "pytest")], id="pytest"),
    ],
)
def test_a_downstream_fakes_package_and_ours_coexist(runner: list[str], downstream: Path) -> None:
    result = _run(runner, downstream)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def _isolated_python(arguments: list[str], empty_dir: Path) -> subprocess.CompletedProcess[str]:
    # -I and an empty directory: neither this repository nor a project is on sys.path, so
    # only what is installed can answer.
    return subprocess.run(
        [sys.executable, "-I", *arguments],
        cwd=empty_dir,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


def test_no_module_named_fakes_is_installed(tmp_path: Path) -> None:
    probe = (
        "import importlib.util as u; "
        "print(u.find_spec('fakes'), u.find_spec('okx_fakes') is not None)"
    )
    result = _isolated_python(["-c", probe], tmp_path)
    assert result.stdout.split() == ["None", "True"]


def test_the_product_never_imports_the_double_until_asked(tmp_path: Path) -> None:
    probe = (
        "import sys, okx_ext, okx_ext.cli; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'okx_fakes'))"
    )
    result = _isolated_python(["-c", probe], tmp_path)
    assert result.stdout.strip() == "[]"


def test_python_dash_m_okx_fakes_is_the_fake_server_command(tmp_path: Path) -> None:
    result = _isolated_python(["-m", "okx_fakes", "--help"], tmp_path)
    assert result.stdout.startswith("usage: python -m okx_fakes [-h] [--host HOST]")
    assert "--accounts FILE.json" in result.stdout


def test_max_withdrawal_without_fake_never_imports_the_double(tmp_path: Path) -> None:
    probe = (
        "import os, sys; from okx_ext.cli import main; "
        "[os.environ.pop(name, None) for name in list(os.environ) if name.startswith('OKX_')]; "
        "code = main(['max-withdrawal', 'BTC']); "
        "print(code, sorted(m for m in sys.modules if m.split('.')[0] == 'okx_fakes'))"
    )
    result = _isolated_python(["-c", probe], tmp_path)
    assert result.stdout.strip() == "2 []"
