# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install test lint typecheck pytest demo docs docs-serve bench bench-shared soak mutate test-oldest test-pythons clean

$(PY):
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the project's metadata changes; the install is editable. Where npm
# is installed, the okx-api Node SDK the interop tests run is installed too (exactly the
# lock file), so that no test reaches a registry.
NODE_DIR := tests/interop/node
$(STAMP): pyproject.toml $(NODE_DIR)/package-lock.json | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	if command -v npm >/dev/null; then npm ci --prefix $(NODE_DIR) --no-audit --no-fund --silent; fi
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(VENV)/bin/ruff check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy

pytest: $(STAMP)
	$(PY) -m pytest -q

test: lint typecheck pytest

# The built-in fake exchange, asked for by name: --fake never reads OKX credentials.
demo: $(STAMP)
	$(VENV)/bin/okx-ext max-withdrawal --fake BTC ETH USDT

# The documentation site (mkdocs.yml, docs/): --strict turns any warning (a broken link, a
# reference mkdocstrings cannot resolve, a page left out of the nav) into a failure.
# The docs extra is installed for these targets only; NO_MKDOCS_2_WARNING silences the
# Material theme's banner about its successor, which is not a warning about this site.
DOCS_STAMP := $(VENV)/.installed-docs
$(DOCS_STAMP): pyproject.toml $(STAMP)
	$(PY) -m pip install --quiet -e '.[docs]'
	touch $(DOCS_STAMP)

docs: $(DOCS_STAMP)
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict

docs-serve: $(DOCS_STAMP)
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs serve

# The oldest python-okx we support, in a venv of its own, so both ends of the
# supported range (pyproject: python-okx>=0.3.5) run the same suite.
OLDEST_VENV := .venv-oldest
test-oldest:
	test -x $(OLDEST_VENV)/bin/python || $(PYTHON) -m venv $(OLDEST_VENV)
	$(OLDEST_VENV)/bin/python -m pip install --quiet -e '.[test]' 'python-okx==0.3.5'
	$(OLDEST_VENV)/bin/python -m pytest -q

# The benchmarks' ratios side by side; prints a table, writes benchmarks/results/latest.json (git-ignored).
bench: $(STAMP)
	$(PY) benchmarks/run.py

# One budget across 4 processes through Redis, beside `limits`' moving window.
# Needs redis-server on PATH; `limits` comes from the bench extra, for this target only.
bench-shared: $(STAMP)
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) benchmarks/shared_limit.py

# The fake server under load and abuse (loopback only, about 55 s); figures vs goals.
soak: $(STAMP)
	$(PY) benchmarks/soak.py

# Mutation testing (mutmut, from the mutate extra, for this target only; not part of
# `make test`): kill rate per module, every survivor triaged in mutation/survivors.txt.
# `make mutate MODULES=okx_ext/_retry.py` runs one module.
MUTATE_STAMP := $(VENV)/.installed-mutate
$(MUTATE_STAMP): pyproject.toml $(STAMP)
	$(PY) -m pip install --quiet -e '.[test,mutate]'
	touch $(MUTATE_STAMP)

mutate: $(MUTATE_STAMP)
	$(PY) mutation/run.py $(MODULES)

# The suite on the other supported Pythons this machine has (3.10, 3.12, 3.13).
test-pythons:
	bash .ci/other-pythons

clean:
	rm -rf $(VENV) tests/interop/node/node_modules .venv-oldest .venv-py* .mypy_cache .pytest_cache .ruff_cache .hypothesis site .mutation
