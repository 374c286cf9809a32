# semcom: two commands from a clean clone.
#   make test   set up .venv (torch first), fetch the offline assets, run the fast tests
#   make demo   same set-up, then the demo sweep (experiments/demo.toml) and its plots
# Users on other platforms choose their torch build, e.g.
#   make test TORCH_SPEC="torch==2.9.1" TORCH_PIP_ARGS="--index-url https://download.pytorch.org/whl/cu128"

PYTHON        ?= python3
VENV          ?= .venv
TORCH_SPEC    ?= torch==2.13.0
TORCH_PIP_ARGS ?=
PYTEST_ARGS   ?=
BIN           := $(VENV)/bin
INSTALLED     := $(VENV)/.semcom-installed

.PHONY: install assets test test-all demo lint bench clean-venv

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet "$(TORCH_SPEC)" $(TORCH_PIP_ARGS)
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@

install: $(INSTALLED)

assets: $(INSTALLED)
	$(BIN)/semcom assets fetch

test: assets
	$(BIN)/python -m pytest -m "not slow" -n 2 $(PYTEST_ARGS)

test-all: assets
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

demo: assets
	$(BIN)/semcom sweep experiments/demo.toml --overwrite
	$(BIN)/semcom plot results/demo

lint: $(INSTALLED)
	$(BIN)/ruff check semcom channels tests benchmarks

bench: assets
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b || exit 1; done

clean-venv:
	rm -rf $(VENV)
