# Two commands on a fresh machine: `make build` and `make test`. Both bootstrap .venv first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: build test bench bench-draft clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

build: $(STAMP)
	$(BIN)/cardf build

# The browser tests need Chromium: installed here when missing; if it cannot be, the tests still run and the
# browser tests fail saying why (the leading - goes on to pytest).
test: $(STAMP)
	-sh tests/install_chromium.sh
	$(BIN)/python -m pytest

# About 40 minutes: 100, 1,000 and 10,000 generated articles beside pySHACL, rdflib and pyoxigraph
# (pySHACL is stopped after BOUND seconds); writes bench/results/<date>-<machine>.{json,md}.
# `make bench SIZES=100 RUNS=1` for a quick look.
SIZES ?= 100,1000,10000
RUNS  ?= 3
BOUND ?= 1200
bench: $(STAMP)
	$(BIN)/python bench/run.py --sizes $(SIZES) --runs $(RUNS) --bound $(BOUND)

# A minute: drafts the seed article from its text with `cardf draft` and scores the draft against its
# curated facts.yaml; prints the table and writes bench/results/draft/seed.json (the README's table).
bench-draft: $(STAMP)
	$(BIN)/python bench/draft_eval.py

clean:
	rm -rf out dist site $(VENV) .pytest_cache
