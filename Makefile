# The front door. `make all` and `make test` set everything up on a fresh machine (Python 3.11 + pip).
# Every target calls the library's CLI; paths come from this file's folder, not the caller's.

ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
PYTHON ?= python3
VENV := $(ROOT)/.venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The extras of pyproject.toml (the one list of dependencies) that the project's own environment needs;
# environment.yml installs the same (tests/test_setup.py).
EXTRAS := notebooks,test
RAW := $(ROOT)/data/raw
PROCESSED := $(ROOT)/data/processed

.DEFAULT_GOAL := help
.PHONY: help all setup parse batch lab lint test bench fuzz dictionary clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 14

# The editable install compiles the PDF core (setup.py, lib/xxgk/read/_pdfcore.pyx) in place: a changed .pyx
# installs again (--reinstall-package: uv would otherwise keep the old build), so the .so is never stale.
$(STAMP): $(ROOT)/pyproject.toml $(ROOT)/setup.py $(ROOT)/lib/xxgk/read/_pdfcore.pyx
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip uv
	$(BIN)/uv pip install --quiet --compile-bytecode --reinstall-package xxgk --python $(BIN)/python -e '$(ROOT)[$(EXTRAS)]'
	touch $(STAMP)

setup: $(STAMP) ## create .venv and install the project with its notebooks and test extras (uv; done once)

all: batch ## the main job: parse data/raw, export the panel, run every notebook, render HTML into output/

parse: $(STAMP) ## parse the sample reports in data/raw into data/processed (CSV + Parquet)
	$(BIN)/xxgk parse $(RAW) --out $(PROCESSED)

batch: parse ## the panel exports, then every notebook × parameter set of notebooks/params/sample.yml into output/
	mkdir -p $(ROOT)/output
	$(BIN)/xxgk panel $(PROCESSED) --out $(ROOT)/output/panel.xlsx
	$(BIN)/xxgk panel $(PROCESSED) --out $(ROOT)/output/panel.csv
	$(BIN)/xxgk batch $(ROOT)/notebooks/params/sample.yml --out $(ROOT)/output --workers 2

lab: $(STAMP) ## open JupyterLab on the notebooks
	$(BIN)/jupyter lab --allow-root --notebook-dir $(ROOT)/notebooks

lint: $(STAMP) ## ruff: lint and formatting of lib, tests and bench (part of make test)
	cd $(ROOT) && $(BIN)/ruff check lib tests bench && $(BIN)/ruff format --check lib tests bench

test: lint parse ## run the tests: lint, unit, golden, doctests, packaging, and every notebook through nbval
	cd $(ROOT) && $(BIN)/python -m pytest -q --nbval-lax --nbval-current-env

bench: $(STAMP) ## benchmarks: parse throughput, PDF, 100,000 reports end to end, batch overhead (prints a table)
	cd $(ROOT) && $(BIN)/python bench/run.py

fuzz: $(STAMP) ## parse 10,000 damaged reports; prints crashes and invented numbers (both must be 0)
	cd $(ROOT) && $(BIN)/python -m xxgk.testing.fuzz --n 10000 --seed 1

dictionary: $(STAMP) ## refresh the data dictionary in README.md from the code declarations
	$(BIN)/xxgk dictionary --write $(ROOT)/README.md

clean: ## remove generated tables and outputs (keeps .venv)
	find $(PROCESSED) -type f ! -name .gitkeep -delete
	rm -rf $(ROOT)/output

docs: dictionary ## refresh docs/ (the data contract) and its index in README.md from lib/xxgk/contract
	$(BIN)/xxgk docs --write $(ROOT)/docs
