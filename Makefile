# einsum-puzzles: `make run` and `make test` are all a new user needs.
#   make run          the web app; installs the package with its runtime dependencies only (numpy, FastAPI,
#                     uvicorn, Jinja2, prompt_toolkit...), enough for every command
#   make install-all  adds the test tools and the four optional libraries (torch, jax, mlx, tinygrad), and the
#                     system packages the tests use (below); `make test` does this first
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
RUNTIME := $(VENV)/.runtime-installed
ALL     := $(VENV)/.all-installed

.PHONY: install install-all run test lint typecheck unit system browser sandbox postgres wheel bench clean

$(RUNTIME): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e .
	touch $@

install: sandbox $(RUNTIME)

$(ALL): $(RUNTIME) pyproject.toml
	$(BIN)/pip install --quiet -e '.[test,backends]'
	$(BIN)/python -m compileall -q src
	touch $@

install-all: system $(ALL)

# The main job: the web app on http://127.0.0.1:8000 (Ctrl-C stops it).
run: install
	$(BIN)/einsum-puzzles serve --host 127.0.0.1 --port 8000

# Debian packages the tests use: Chromium (browser tests), clang (tinygrad's CPU device compiles with
# it), bubblewrap (the code-puzzle sandbox), PostgreSQL (the class server's store). Installed when
# missing and we may (root).
system:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	[ -x /usr/bin/clang ] || missing="$$missing clang"; \
	[ -x /usr/bin/bwrap ] || missing="$$missing bubblewrap"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "installing$$missing (apt-get)"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else \
			echo "missing system packages:$$missing; install them with: sudo apt-get install$$missing"; \
		fi; \
	fi

browser: system

# The store tests and the class load test start their own throwaway PostgreSQL cluster with the server's
# tools (initdb, pg_ctl): the package's own cluster service is not needed and not started.
postgres: system

# Code puzzles run under bubblewrap (docs/security.md), also for `make run`'s command line: install it when
# it is missing and we may (root).
sandbox:
	@if [ ! -x /usr/bin/bwrap ] && [ "$$(uname)" = Linux ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null; \
		else \
			echo "bubblewrap is missing and this is not root: code puzzles will run without isolation (docs/security.md)"; \
		fi; \
	fi

# The wheel (dist/einsum_puzzles-VERSION-py3-none-any.whl): what a notebook's setup cell installs in Colab.
wheel:
	$(PYTHON) -m pip wheel --quiet --no-deps --wheel-dir dist .

lint: install-all
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

typecheck: install-all
	$(BIN)/mypy

unit: install-all
	$(BIN)/pytest -q

test: lint typecheck unit

bench: install-all
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/check.py
	$(BIN)/python bench/cli.py
	$(BIN)/python bench/web.py
	$(BIN)/python bench/web_load.py
	$(BIN)/python bench/backends.py
	$(BIN)/python bench/find.py
	$(BIN)/python bench/einsum_cost.py

clean:
	rm -rf $(VENV) dist build .pytest_cache .mypy_cache .ruff_cache .hypothesis
