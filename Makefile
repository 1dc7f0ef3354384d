# The scripts CI runs are the scripts developers run.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR ?= demo
PYTEST_ARGS ?=

.PHONY: install constraints demo test lint typecheck services browser clean bench

# Installs the versions in constraints.txt (the ones the project was tested with).
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]' -c constraints.txt
	touch $(STAMP)

install: $(STAMP)

# Refresh constraints.txt from the working virtualenv after changing pyproject.toml (or to
# take newer versions on purpose: upgrade them in the venv first, run the tests, then this).
constraints:
	$(BIN)/python -m pip install -q -e '.[dev]'
	$(BIN)/python scripts/constraints.py

# Debian's Chromium for the browser tests (never a downloaded browser build).
browser:
	@test -x /usr/bin/chromium || { \
	  echo "installing Debian's chromium for browser tests"; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; }

services:
	@scripts/postgres.sh start

demo: install
	$(BIN)/cxpulse demo --dir $(DEMO_DIR) --serve

test: install browser
	@command -v java >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null; }
	@test -x /usr/sbin/nginx || { DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null; }
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/mypy
	CXPULSE_TEST_PG_URL="$$(scripts/postgres.sh start)" $(BIN)/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: install
	$(BIN)/mypy

bench: install
	$(BIN)/python benchmarks/metrics_bench.py

clean:
	scripts/postgres.sh stop || true
	rm -rf $(VENV) .pgdata .pgdata.log .pytest_cache .mypy_cache .ruff_cache
