# newsdesk — `make demo` and `make test` do all their own set-up on a fresh clone.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DB := data/articles.db
# The dev sets (see their README); not part of the repository.
DATASETS ?= ../shared/datasets
NO_DATASETS = echo "make $@: no dev sets at $(DATASETS) (they are not part of the repository; set DATASETS=path); skipped"

.PHONY: install redis-server demo test test-fast lint docs check-wheel eval eval-leave-one-out train-body bench-stories clean

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

# Every dev set, newsdesk beside trafilatura, with the shipped body model.
eval: install
	@if [ -d "$(DATASETS)" ]; then $(BIN)/newsdesk eval "$(DATASETS)"; else $(NO_DATASETS); fi

# Every dev set scored with a body voter trained on the other sets only (needs the 'train' extra: scikit-learn).
eval-leave-one-out: install
	@if [ -d "$(DATASETS)" ]; then $(BIN)/python -m pip install --quiet -e '.[train]' \
		&& $(BIN)/newsdesk eval --leave-one-out "$(DATASETS)"; else $(NO_DATASETS); fi

# Retrain the shipped body voter on every page of every dev set with body gold (needs scikit-learn).
train-body: install
	@if [ -d "$(DATASETS)" ]; then $(BIN)/python -m pip install --quiet -e '.[train]' \
		&& $(BIN)/newsdesk train-body --part all "$(DATASETS)"; else $(NO_DATASETS); fi

# The stories benchmark: quality on synthetic syndication and same-topic distractors, cost at 50,000 articles.
bench-stories: install
	nice $(BIN)/newsdesk bench-stories --datasets ../shared/datasets

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
