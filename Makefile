# Everyday commands. `make synth` and `make test` set up a fresh machine on first use.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAGE ?= dev
CDK := npx --no-install cdk

.PHONY: setup synth test lint deploy diff bootstrap bench simulate schema clean

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python >= 3.11 is required (found $$($(PYTHON) --version))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

synth: setup
	$(CDK) synth --quiet -c stage=$(STAGE)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: setup lint
	$(BIN)/pytest

# The JSON Schema of cdk.json's stages, from the configuration models (checked in; a test keeps it current).
schema: setup
	$(BIN)/python -m stacks.schema

bench: setup
	$(BIN)/python -m bench

simulate: setup
	$(BIN)/connect-survey simulate $(FLOW) $(ARGS)

diff: setup
	$(CDK) diff -c stage=$(STAGE)

bootstrap: setup
	$(CDK) bootstrap -c stage=$(STAGE)

deploy: setup
	$(CDK) deploy -c stage=$(STAGE) --require-approval broadening

clean:
	rm -rf cdk.out .pytest_cache .mypy_cache .ruff_cache
