# The verbs a newcomer looks for. Everything installs into .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA_DIR ?= data
TORCH ?= 2.13.0

.PHONY: install install-dev run index test test-fast lint format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# torch first, pinned to the CPU build this machine has: a plain `torch` pulls a CUDA build.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet torch==$(TORCH)
	$(BIN)/pip install --quiet -e '.[torch]'
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[torch,st,dev]'
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

index: install
	@if $(BIN)/hoidap index status --data-dir $(DATA_DIR) >/dev/null 2>&1; then \
		echo "index in $(DATA_DIR) is ready"; \
	else \
		$(BIN)/hoidap index build --data-dir $(DATA_DIR) corpus; \
	fi

run: index
	$(BIN)/hoidap run --data-dir $(DATA_DIR)

test: install-dev
	$(BIN)/pytest

test-fast: install-dev
	$(BIN)/pytest -m "not slow"

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install-dev
	$(BIN)/python bench/bench_index.py
	$(BIN)/python bench/bench_startup.py
	$(BIN)/python bench/bench_telegram.py
	$(BIN)/python bench/bench_zalo.py

clean:
	rm -rf $(VENV) $(DATA_DIR) .pytest_cache .ruff_cache
