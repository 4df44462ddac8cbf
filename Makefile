# The verbs a newcomer looks for. Everything installs into .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA_DIR ?= data
TORCH ?= 2.13.0

.PHONY: install install-dev ocr-tools browser-tools run index test test-fast lint format bench clean

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

# Tesseract and its Vietnamese data read scanned PDF pages (Debian packages; root or sudo).
ocr-tools:
	@if tesseract --list-langs 2>/dev/null | grep -qx vie; then :; else \
		echo "installing tesseract-ocr and tesseract-ocr-vie (scanned PDFs)"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq tesseract-ocr tesseract-ocr-vie >/dev/null; \
	fi

# Chromium and its driver for the console's browser tests (Debian packages; root or sudo).
browser-tools:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then :; else \
		echo "installing chromium and chromium-driver (the console's browser tests)"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver \
			fonts-noto-color-emoji >/dev/null; \
	fi

index: install
	@if $(BIN)/hoidap index status --data-dir $(DATA_DIR) >/dev/null 2>&1; then \
		echo "index in $(DATA_DIR) is ready"; \
	else \
		$(BIN)/hoidap index build --data-dir $(DATA_DIR) corpus; \
	fi

run: index
	$(BIN)/hoidap run --data-dir $(DATA_DIR)

test: install-dev ocr-tools browser-tools
	$(BIN)/pytest

test-fast: install-dev ocr-tools browser-tools
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
