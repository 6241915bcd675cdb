# Everyday commands. `make synth` and `make test` set up a fresh machine on first use.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAGE ?= dev
CDK := npx --no-install cdk
# Node 20 is end-of-life: the project's commands run the Node pinned in package.json (`node`
# package), for the CDK CLI and for the node jsii starts under Python (it reads JSII_NODE).
NODE_BIN := $(CURDIR)/node_modules/.bin
export PATH := $(NODE_BIN):$(PATH)
export JSII_NODE := $(NODE_BIN)/node

.PHONY: setup synth synth-pipeline deploy-pipeline test lint deploy diff bootstrap bootstrap-policy bench simulate schema clean

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

# cdk.out keeps only this stage's template (the CDK CLI leaves earlier stages' there).
CDK_OUT ?= cdk.out
synth: setup
	rm -f $(CDK_OUT)/*.template.json $(CDK_OUT)/*.assets.json
	$(CDK) synth --quiet -c stage=$(STAGE) --output $(CDK_OUT)
	@echo "make synth: wrote $$(ls $(CDK_OUT)/*.template.json)"

# The promotion pipeline (cdk.json "pipeline"): synth offline; deploy once, then pushes promote.
synth-pipeline: setup
	$(CDK) synth --quiet -c pipelineStack=true

deploy-pipeline: setup
	$(CDK) deploy -c pipelineStack=true --require-approval broadening

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/actionlint

# Tests run in parallel, one worker per core (pytest-xdist), a module's tests on one worker
# (--dist loadfile), so that a module's expensive synth fixture runs once. (Not xdist_group:
# xdist 3.8.0 groups by rewriting `item._nodeid`, which pytest 9.2 no longer reads.) The report
# test opens the HTML report in a headless Chromium when one is installed, and says it skipped
# otherwise; `make test` never installs system packages (.ci/run installs Chromium for CI).
test: setup lint
	$(BIN)/pytest -n auto --dist loadfile

# The JSON Schema of cdk.json's stages, from the configuration models (checked in; a test keeps it current).
schema: setup
	$(BIN)/python -m connect_survey.config.schema

bench: setup
	$(BIN)/python -m connect_survey.bench

simulate: setup
	$(BIN)/connect-survey simulate $(FLOW) $(ARGS)

diff: setup
	$(CDK) diff -c stage=$(STAGE)

# CloudFormation in a stage account runs with bootstrap/execution-policy.json, not
# AdministratorAccess. Once per stage account, create it under its fixed name
# (connect-survey-cfn-exec; `make -s bootstrap-policy` prints it), then bootstrap; for the
# pipeline, TRUST=PIPELINE_ACCOUNT lets the tooling account deploy (docs/security.md).
bootstrap: setup
	@POLICY=$$($(BIN)/python -m connect_survey.infra.bootstrap --stage $(STAGE)) && \
	$(CDK) bootstrap -c stage=$(STAGE) --cloudformation-execution-policies "$$POLICY" \
		$(if $(TRUST),--trust $(TRUST))

bootstrap-policy:
	@cat bootstrap/execution-policy.json

deploy: setup
	$(CDK) deploy -c stage=$(STAGE) --require-approval broadening

clean:
	rm -rf cdk.out .pytest_cache .mypy_cache .ruff_cache
