# The few commands a newcomer needs. `make demo` and `make test` are the README's quick start.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint fmt eval bench clean e2e-teams

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required (found " + sys.version.split()[0] + "); set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $@ $(VENV)/.installed

demo: $(VENV)/.installed  ## set up, index the bundled corpus and sample clients, answer sample questions
	$(BIN)/advisor demo

test: $(VENV)/.installed-dev  ## set up with dev extras and run the whole test suite
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

eval: $(VENV)/.installed-dev
	$(BIN)/advisor eval

e2e-teams: $(VENV)/.installed  ## opt-in: the Teams face in Microsoft's Agents Playground, headless Chromium
	@command -v chromium >/dev/null || { echo "needs Debian's chromium: apt-get install -y chromium" >&2; exit 1; }
	cd e2e && npm ci --no-audit --no-fund
	node e2e/teams_playground.mjs

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/ingest_and_ask.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
