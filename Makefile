# Two commands: `make run` serves a seeded, live city; `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
SEED_INCIDENTS ?= 300000
SEED_DAYS ?= 30

.PHONY: run test test-fast lint bench load soak seed clean

run: $(VENV)/.run-deps
	$(BIN)/python -m data.seed --if-empty --days $(SEED_DAYS) --incidents $(SEED_INCIDENTS)
	$(BIN)/cityops demo-users
	LIVE_SIMULATOR=1 $(BIN)/python app.py

test: $(VENV)/.test-deps lint
	$(BIN)/python -m pytest

test-fast: $(VENV)/.test-deps lint  # everything but the browser tests: the quick loop while coding
	$(BIN)/python -m pytest -m "not browser"

lint: $(VENV)/.test-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(VENV)/.run-deps
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.wall --reuse
	$(BIN)/python -m bench.tick
	$(BIN)/python -m bench.pages
	$(BIN)/python -m bench.incidents
	$(BIN)/python -m bench.access
	$(BIN)/python -m bench.simulator

load: $(VENV)/.test-deps  # 300 walls over all 251 scopes + 40 desk users, then 100 + 40 on the embedded server
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python -m bench.load --setup production --stages 50,100,200,300 --desk 40 --stage-seconds 120 --last-seconds 600 --incidents 300000 --fresh
	$(BIN)/python -m bench.load --setup embedded --stages 25,50,100 --desk 40 --stage-seconds 120 --last-seconds 600 --incidents 300000 --fresh

soak: $(VENV)/.test-deps  # 8 hours: gunicorn + cityops worker + Redis, three walls at a 2 s refresh
	$(BIN)/python -m bench.soak --setup production --minutes 480

$(VENV)/.run-deps: pyproject.toml scripts/system-deps.sh
	scripts/system-deps.sh run
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.test-deps: pyproject.toml scripts/system-deps.sh
	scripts/system-deps.sh test
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@ $(VENV)/.run-deps

clean:
	rm -rf $(VENV) instance/cityops.sqlite* tests/artifacts bench/results
