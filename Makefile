# Set-up and the main entry points. Every target is idempotent.
PY ?= python3
VENV := .venv
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: setup demo test lint bench clean

# what users need: the scanner and its default judge (nothing to compile)
$(STAMP): pyproject.toml scripts/setup
	PY=$(PY) bash scripts/setup
	touch $(STAMP)

# what the tests need besides: test tools, the local LLM runtime, Ray, chromium
$(DEV_STAMP): pyproject.toml scripts/setup
	PY=$(PY) EXTRAS=dev,llm,ray bash scripts/setup
	touch $(STAMP) $(DEV_STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/beleidsscan demo

test: $(DEV_STAMP)
	$(VENV)/bin/python -m pytest

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check scanner ui tests scripts benchmarks
	$(VENV)/bin/ruff format --check scanner ui tests scripts benchmarks
	$(VENV)/bin/mypy

bench: $(DEV_STAMP)
	$(VENV)/bin/python benchmarks/bench_ingest.py

clean:
	rm -rf $(VENV) .beleidsscan .pytest_cache
