"""``import okx_ext`` stays light: optional modules load only when their feature is used.

Each check runs a fresh interpreter (this process has long imported everything) and
reads which modules the import added to ``sys.modules``. The time itself is measured
in ``make bench`` (benchmarks/run.py), never asserted here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import version

import pytest

import okx_ext

# Modules that `import okx_ext` must not load: the installed metadata (only
# `__version__` reads it), h2 (only a failed round trip needs its exception type),
# redis and the shared limiter's module (only RedisRateLimiter needs them), and the
# fake, the CLI's parser and the test tools.
DEFERRED = [
    "importlib.metadata",
    "h2",
    "h2.exceptions",
    "redis",
    "okx_ext._redis",
    "okx_ext.cli",
    "argparse",
    "okx_fakes",
    "hypothesis",
    "waitress",
]


def modules_added(prelude: str, statement: str) -> list[str]:
    """The modules ``statement`` adds to a fresh interpreter that first ran ``prelude``."""
    script = (
        f"import sys, json\n{prelude}\nbefore = set(sys.modules)\n{statement}\n"
        "print(json.dumps(sorted(set(sys.modules) - before)))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    added: list[str] = json.loads(completed.stdout)
    return added


@pytest.mark.parametrize("prelude", ["", "import okx.Account"], ids=["alone", "after-sdk"])
def test_import_okx_ext_loads_no_optional_module(prelude: str) -> None:
    added = modules_added(prelude, "import okx_ext")
    assert "okx_ext._client" in added  # the probe sees what the import loads
    assert [name for name in DEFERRED if name in added] == []


def test_the_probe_sees_a_deferred_module_when_it_is_loaded() -> None:
    added = modules_added("import okx_ext", "okx_ext.__version__")
    assert "importlib.metadata" in added


def test_version_is_the_installed_distributions() -> None:
    assert okx_ext.__version__ == version("okx-ext")


def test_version_and_redis_names_resolve_in_a_fresh_interpreter() -> None:
    script = (
        "import okx_ext\n"
        "from okx_ext import RedisRateLimiter, DEFAULT_REQUEST_TIMEOUT_S\n"
        "from okx_ext._redis import RedisRateLimiter as direct\n"
        "assert RedisRateLimiter is direct\n"
        "print(okx_ext.__version__, DEFAULT_REQUEST_TIMEOUT_S)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert completed.stdout.split() == [version("okx-ext"), "10.0"]


def test_star_import_gives_every_public_name() -> None:
    namespace: dict[str, object] = {}
    exec("from okx_ext import *", namespace)
    assert set(okx_ext.__all__) <= set(namespace)
    assert namespace["__version__"] == version("okx-ext")


def test_dir_lists_the_names_resolved_on_first_use() -> None:
    listed = dir(okx_ext)
    assert {"RedisRateLimiter", "DEFAULT_REQUEST_TIMEOUT_S", "__version__"} <= set(listed)
    assert set(okx_ext.__all__) <= set(listed)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        okx_ext.no_such_name  # noqa: B018
