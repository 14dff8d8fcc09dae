# newsdesk — `make demo` and `make test` do all their own set-up on a fresh clone.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DB := data/articles.db

.PHONY: install redis-server demo test test-fast lint docs check-wheel eval train-body clean

install: $(VENV)/.installed redis-server

# The shared-frontier tests and `bench-crawl --frontier` start their own redis-server (the OS package).
redis-server:
	@command -v redis-server >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get install -y -q redis-server >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q redis-server >/dev/null; }; \
	  else echo "redis-server is missing; install it with: sudo apt-get install -y redis-server"; fi; }

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	# The pip bundled with Python 3.11.7 crashes resolving lxml[html-clean]; upgrade it first.
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: install
	@bash scripts/demo.sh

test: install
	$(BIN)/python -m pytest -q

# The tests that start no other process (no commands, crawls, scheduler, demo, workers): under a minute.
test-fast: install
	$(BIN)/python -m pytest -q -m "not slow"

lint: install
	$(BIN)/ruff check .

# The built wheel in a fresh virtual environment outside the checkout: replay, demo site, crawl (also in make test).
check-wheel: install
	$(BIN)/python -m pytest -q tests/test_wheel.py

# Regenerate the README's CLI reference from the commands' --help (tests/test_readme.py fails when they differ).
docs: install
	$(BIN)/cog -r README.md

eval: install
	$(BIN)/newsdesk eval ../shared/datasets/fundus-de
	$(BIN)/newsdesk eval ../shared/datasets/text-captures-de
	$(BIN)/newsdesk eval ../shared/datasets/trafilatura-eval

# Retrain the body voter on the dev sets' tuning sites (needs the 'train' extra: scikit-learn).
train-body: install
	$(BIN)/python -m pip install --quiet -e '.[train]'
	$(BIN)/newsdesk train-body ../shared/datasets/trafilatura-eval ../shared/datasets/fundus-de

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
