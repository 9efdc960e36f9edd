# einsum-puzzles: `make run` and `make test` are all a new user needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run test lint typecheck unit browser sandbox postgres bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,backends]'
	$(BIN)/python -m compileall -q src
	touch $(STAMP)

install: sandbox $(STAMP)

# The main job: the web app on http://127.0.0.1:8000 (Ctrl-C stops it).
run: install
	$(BIN)/einsum-puzzles serve --host 127.0.0.1 --port 8000

# Browser tests drive Debian's Chromium, and tinygrad's CPU device compiles with clang: install
# them when they are missing and we may (root).
browser:
	@if [ ! -x /usr/bin/clang ] && [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang >/dev/null; \
	fi
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else \
			echo "chromium is missing and this is not root: the browser tests will be skipped"; \
		fi; \
	fi

# The store tests and the class load test start their own throwaway PostgreSQL cluster with the server's
# tools (initdb, pg_ctl): install Debian's postgresql when it is missing and we may (root). The package's
# own cluster service is not needed and not started.
postgres:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
		else \
			echo "PostgreSQL is missing and this is not root: the PostgreSQL tests will be skipped"; \
		fi; \
	fi

# Code puzzles run under bubblewrap (docs/security.md): install it when it is missing and we may (root).
sandbox:
	@if [ ! -x /usr/bin/bwrap ] && [ "$$(uname)" = Linux ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null; \
		else \
			echo "bubblewrap is missing and this is not root: code puzzles will run without isolation (docs/security.md)"; \
		fi; \
	fi

lint: install
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

typecheck: install
	$(BIN)/mypy

unit: install
	$(BIN)/pytest -q

test: browser sandbox postgres lint typecheck unit

bench: install
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/check.py
	$(BIN)/python bench/cli.py
	$(BIN)/python bench/web.py
	$(BIN)/python bench/web_load.py
	$(BIN)/python bench/backends.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
