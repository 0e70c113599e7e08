# Set-up and the main entry points. Every target is idempotent.
PY ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint bench clean

$(STAMP): pyproject.toml scripts/setup
	PY=$(PY) bash scripts/setup
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/beleidsscan demo

test: $(STAMP)
	$(VENV)/bin/python -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check scanner ui tests scripts benchmarks
	$(VENV)/bin/mypy

bench: $(STAMP)
	$(VENV)/bin/python benchmarks/bench_ingest.py

clean:
	rm -rf $(VENV) .beleidsscan .pytest_cache
