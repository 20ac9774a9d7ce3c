# The front door. `make all` and `make test` set everything up on a fresh machine (Python 3.11 + pip).
# Every target calls the library's CLI; paths come from this file's folder, not the caller's.

ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
PYTHON ?= python3
VENV := $(ROOT)/.venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RAW := $(ROOT)/data/raw
PROCESSED := $(ROOT)/data/processed

.DEFAULT_GOAL := help
.PHONY: help all setup parse test dictionary clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 14

$(STAMP): $(ROOT)/requirements.txt $(ROOT)/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r $(ROOT)/requirements.txt -e $(ROOT)
	touch $(STAMP)

setup: $(STAMP) ## create .venv and install everything (uv, ~10 s; done once)

all: parse ## the main job: parse data/raw into data/processed and print a summary

parse: $(STAMP) ## parse the sample reports in data/raw into data/processed (CSV + Parquet)
	$(BIN)/xxgk parse $(RAW) --out $(PROCESSED)

test: $(STAMP) ## run the tests (pytest: unit, golden, doctests)
	cd $(ROOT) && $(BIN)/python -m pytest -q

dictionary: $(STAMP) ## refresh the data dictionary in README.md from the code declarations
	$(BIN)/xxgk dictionary --write $(ROOT)/README.md

clean: ## remove generated tables and outputs (keeps .venv)
	find $(PROCESSED) -type f ! -name .gitkeep -delete
	rm -rf $(ROOT)/output
