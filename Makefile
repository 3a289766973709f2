# Two commands do everything: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
REPLICAS ?= 2
CHROMIUM ?= /usr/bin/chromium

.PHONY: run serve test test-fast lint setup setup-test chromium postgresql haproxy bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The app's pinned packages (requirements.txt); the tests add theirs (requirements-test.txt).
$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements-test.txt $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -r requirements-test.txt
	touch $@

setup: $(VENV)/.installed

setup-test: $(VENV)/.installed-test

run: setup
	@echo "Neural Network Playground: open http://localhost:$(PORT)"
	$(BIN)/python -m playground app --port $(PORT)

# Several app processes behind HAProxy (deploy/haproxy.cfg), sharing the runs: one per core, or more
# machines' worth with compose.yaml.
serve: setup haproxy
	$(BIN)/python -m playground.web.replicas --replicas $(REPLICAS) --port $(PORT)

# $(call debian_package,CHECK,PACKAGE,WHY): when the shell test CHECK fails, installs Debian's PACKAGE
# (as root, with apt-get), or else stops and says what to run.
define debian_package
	@if ! { $(1); }; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's $(2): $(3)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null; \
	  else \
	    echo "$(3) Install it with: sudo apt-get install $(2)"; exit 1; \
	  fi; \
	fi
endef

haproxy:
	$(call debian_package,command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ],haproxy,Replicas need HAProxy.)

chromium:
	$(call debian_package,[ -x $(CHROMIUM) ],chromium,The browser tests need Chromium at $(CHROMIUM).)

# The run store's tests start a throwaway PostgreSQL server from Debian's package (tests/postgres_server.py).
postgresql:
	$(call debian_package,ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null,postgresql,The run store's tests need PostgreSQL's server.)

# The linter, the formatter's check and the type checker (settings in pyproject.toml): a violation fails.
lint: setup-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint chromium postgresql haproxy
	$(BIN)/python -m pytest

# While developing: everything but the browser tests and the long trainings (about a minute).
test-fast: setup-test
	$(BIN)/python -m pytest -m "not browser and not slow"

bench: setup-test chromium postgresql
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/ui.py
	$(BIN)/python bench/lessons.py
	$(BIN)/python bench/sweep.py
	$(BIN)/python bench/run_store.py

clean:
	rm -rf $(VENV) .pytest_cache screenshots static build *.egg-info
