# chainlead — two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
DEMO_DB ?= var/demo.db
DEMO_N ?= 20000
# Share of demo firms written without a membership: `chainlead map` maps them (挂链审核 shows the unsure ones).
DEMO_UNMAPPED ?= 0.05
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup system-deps demo demo-data test bench lint format clean

setup: $(STAMP) system-deps

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is required")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $(STAMP)

system-deps:
	@bash scripts/install-system-deps.sh

demo-data: setup
	@mkdir -p $(dir $(DEMO_DB))
	$(VENV)/bin/chainlead demo-data --enterprises $(DEMO_N) --seed 1 --db $(DEMO_DB) --replace --unmapped-share $(DEMO_UNMAPPED)
	$(VENV)/bin/chainlead map --db $(DEMO_DB)

demo: demo-data
	$(VENV)/bin/chainlead serve --db $(DEMO_DB) --host $(HOST) --port $(PORT) --demo-login

test: setup
	bash scripts/run-tests.sh

bench: setup
	$(PY) bench/run_all.py $(ARGS)

lint: setup
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/mypy

format: setup
	$(VENV)/bin/ruff format src tests bench
	$(VENV)/bin/ruff check --fix src tests bench

clean:
	rm -rf $(VENV) var build *.egg-info
