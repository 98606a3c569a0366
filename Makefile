# One command builds the report, one runs the tests. Both create .venv when it is missing.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(CURDIR)/$(VENV)/bin
export PATH := $(BIN):$(PATH)
# Matplotlib and Jupyter write caches under HOME; keep them out of the user's way and stable.
export MPLBACKEND := Agg
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: help report preview test test-fast lint format verify validate benchmark lock clean-venv

## help: list the targets
help:
	@grep -E '^## ' $(MAKEFILE_LIST) | sed 's/^## /  /'

$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test]"
	touch $@

## report: validate the raw data and rebuild whatever changed, ending in the PDF
report: $(VENV)/.installed
	$(BIN)/dvc repro
	@echo "Report: report/_output/poc1540-report.pdf"

## preview: re-render the PDF on every save of a .qmd (like quarto preview; Ctrl-C stops)
preview: $(VENV)/.installed
	$(BIN)/poc1540 preview

## test: lint, then the whole test suite (unit tests and real end-to-end pipeline runs)
test: $(VENV)/.installed lint
	$(BIN)/python -m pytest

## test-fast: the unit tier only (no full pipeline builds; about a minute)
test-fast: $(VENV)/.installed
	$(BIN)/python -m pytest -m "not slow"

## lint: ruff (rules in pyproject.toml), the formatter's check, the import layers and mypy; changes nothing
lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

## format: let ruff fix what it can and format the code
format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## verify: rebuild from raw data in a temporary copy and compare with every committed output
verify: $(VENV)/.installed
	$(BIN)/poc1540 verify

## validate: check data/raw against its schemas and the codebook, nothing else
validate: $(VENV)/.installed
	$(BIN)/poc1540 validate

## benchmark: time the cold build, the no-op and the author's edit loops (prints figures)
benchmark: $(VENV)/.installed
	$(BIN)/python benchmarks/build_times.py

## lock: re-pin constraints.txt from a fresh resolve of pyproject.toml
lock:
	rm -rf /tmp/poc1540-lock && $(PYTHON) -m venv /tmp/poc1540-lock
	/tmp/poc1540-lock/bin/python -m pip install --quiet -e ".[test]"
	{ echo "# Exact versions of every Python package the project installs (pip constraints file)."; \
	  echo "# Regenerate with: make lock   (after changing dependencies in pyproject.toml)"; \
	  /tmp/poc1540-lock/bin/python -m pip freeze --exclude-editable | grep -v -i '^poc1540'; } > constraints.txt

clean-venv:
	rm -rf $(VENV)
