# Two entry points, both self-contained on a fresh machine:
#   make dev   - install into .venv and run the platform locally with the onboarding example
#   make test  - install into .venv (with test tools), lint, type-check and run every test
#                (the dashboard's browser tests use Debian's chromium: scripts/ensure-chromium)
# and for AWS: `make template-check` lints template.yaml and runs `sam build` (scripts/check-template).
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $@

# A third-party connector package, installed only where the tests run (entry-point discovery).
$(VENV)/.test-installed: $(VENV)/.installed tests/packages/aloma-echo-connector/pyproject.toml
	$(VENV)/bin/pip install --quiet --no-deps ./tests/packages/aloma-echo-connector
	touch $@

.PHONY: dev test lint bench profile screenshots
dev: $(VENV)/.installed
	$(VENV)/bin/aloma dev examples/onboarding --port $(PORT)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check src tests functions bench scripts
	$(VENV)/bin/ruff format --check src tests functions bench scripts
	$(VENV)/bin/mypy
	for handler in functions/*/app.py; do $(VENV)/bin/mypy --strict "$$handler" || exit 1; done
	MYPYPATH=tests/e2e $(VENV)/bin/mypy --strict scripts/dashboard-screenshots.py

test: lint $(VENV)/.test-installed
	scripts/ensure-chromium
	$(VENV)/bin/pytest

# docs/screenshots/*.png: the dashboard's pages over a home filled with example tasks.
screenshots: $(VENV)/.installed
	scripts/ensure-chromium
	$(VENV)/bin/python scripts/dashboard-screenshots.py

# Writes BENCHMARKS.md; `make profile` shows where the local home's time goes (py-spy).
bench: $(VENV)/.installed
	$(VENV)/bin/python -m bench

profile: $(VENV)/.installed
	$(VENV)/bin/python -m bench.profile

template-check:
	scripts/check-template

# `sam build` runs build-<LogicalId> for each function of template.yaml. All four get the same
# artifact: the project's wheel and the dependencies its handlers and connectors import, for
# Lambda's python3.12 on arm64, and functions/. quickjs-ng comes from the QuickJS layer; the dev
# server's and the CLI's dependencies stay out. SAM zips files dated 1980, so bytecode is compiled
# hash-based, or Lambda would ignore it and compile every module on each cold start.
LAMBDA_PYTHON ?= python3.12
LAMBDA_PLATFORM ?= manylinux2014_aarch64
LAMBDA_EXCLUDED := quickjs-ng uvicorn watchfiles typer rich
LAMBDA_TARGETS := build-ApiFunction build-MatchFunction build-RunStepFunction build-TickFunction

define LAMBDA_REQUIREMENTS
import re, sys, tomllib
excluded = set(sys.argv[1:])
for spec in tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]:
    if re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9._-]+", spec)[0]).lower() not in excluded:
        print(spec)
endef
export LAMBDA_REQUIREMENTS

.PHONY: template-check $(LAMBDA_TARGETS)
$(LAMBDA_TARGETS):
	@test -n "$(ARTIFACTS_DIR)" || { echo "ARTIFACTS_DIR is not set: run sam build" >&2; exit 1; }
	work=$$(mktemp -d) && trap 'rm -rf "$$work"' EXIT && \
	$(LAMBDA_PYTHON) -m pip wheel --quiet --no-deps --wheel-dir "$$work" . && \
	$(LAMBDA_PYTHON) -c "$$LAMBDA_REQUIREMENTS" $(LAMBDA_EXCLUDED) > "$$work/requirements.txt" && \
	$(LAMBDA_PYTHON) -m pip install --quiet --no-compile --target "$(ARTIFACTS_DIR)" \
		--platform $(LAMBDA_PLATFORM) --implementation cp --python-version 3.12 --only-binary=:all: \
		-r "$$work/requirements.txt" && \
	rm -rf "$(ARTIFACTS_DIR)/bin" && \
	$(LAMBDA_PYTHON) -m pip install --quiet --no-compile --no-deps --target "$(ARTIFACTS_DIR)" "$$work"/aloma-*.whl && \
	rm -rf "$(ARTIFACTS_DIR)/bin" && \
	cp -R functions "$(ARTIFACTS_DIR)/" && \
	find "$(ARTIFACTS_DIR)/functions" -name __pycache__ -prune -exec rm -rf {} + && \
	$(LAMBDA_PYTHON) -m compileall -q -j 0 --invalidation-mode unchecked-hash "$(ARTIFACTS_DIR)" > /dev/null
