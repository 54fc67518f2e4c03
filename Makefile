# Two entry points, both self-contained on a fresh machine:
#   make dev   - install into .venv and run the platform locally with the onboarding example
#   make test  - install into .venv (with test tools), lint, type-check and run every test
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $@

.PHONY: dev test lint bench
dev: $(VENV)/.installed
	$(VENV)/bin/aloma dev examples/onboarding --port $(PORT)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check src tests functions bench
	$(VENV)/bin/ruff format --check src tests functions bench
	$(VENV)/bin/mypy
	for handler in functions/*/app.py; do $(VENV)/bin/mypy --strict "$$handler" || exit 1; done

test: lint
	$(VENV)/bin/pytest

bench: $(VENV)/.installed
	$(VENV)/bin/python -m bench
