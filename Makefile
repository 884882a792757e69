# Two environments (see README): .venv (Python 3.11: action server, bot/, tests) and
# .venv-rasa (Python 3.10: Rasa Open Source 3.6 and our connectors/).
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

BOT := .venv/bin
RASA := .venv-rasa/bin
MODEL := models/sahayak.tar.gz
TRAINING_DATA := config.yml $(shell find domain data -name '*.yml')
KNOWLEDGE := $(shell find knowledge -type f)
KB_INDEX := var/kb-index/manifest.json
PIP := pip install --disable-pip-version-check -q
export HF_HUB_OFFLINE := 1
export PYTHONDONTWRITEBYTECODE := 1
export PYTHONWARNINGS := ignore
export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

.PHONY: help run test bench chat db lint unit validate stories e2e clean

help:
	@echo "make run    start everything (creates environments, trains, prepares the database)"
	@echo "make test   lint, type-check, unit tests, Rasa data validation and story tests, end-to-end test"
	@echo "make chat   chat with the running assistant in this terminal"
	@echo "make bench  the blind yardstick (test half), NLU cross-validation, latencies, knowledge search"

.venv/.installed: requirements/bot.lock pyproject.toml
	@test -x .venv/bin/python || "$$(scripts/find-python 3.11)" -m venv .venv
	# torch first, alone: this takes the machine's CPU wheel instead of a registry build with CUDA.
	$(BOT)/$(PIP) torch==2.13.0
	$(BOT)/$(PIP) -r requirements/bot.lock
	$(BOT)/$(PIP) --no-deps --no-build-isolation -e .
	@touch $@

.venv-rasa/.installed: requirements/rasa.lock
	@test -x .venv-rasa/bin/python || "$$(scripts/find-python 3.10)" -m venv .venv-rasa
	$(RASA)/$(PIP) -r requirements/rasa.lock
	@# credentials.yml names classes in connectors/; the rasa script does not put the project on sys.path.
	@echo "$(CURDIR)" > "$$($(RASA)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/sahayak.pth"
	@touch $@

# Retrains only when the training data or config changed; Rasa's cache (.rasa/) reuses unchanged parts.
# `make validate` (in `make test`) checks the data strictly; Rasa's own check before training would
# read all of it a second time, about 18 s of every training.
$(MODEL): $(TRAINING_DATA) .venv-rasa/.installed
	$(RASA)/rasa train --domain domain --skip-validation --fixed-model-name sahayak --out models --quiet

# A new .env gets random secrets and development mode; an existing one keeps its values, gains new
# settings, and has any secret that is empty or still the published example replaced (README "Security").
.env: .env.example scripts/make-env
	python3 scripts/make-env --development

db: .venv/.installed .env
	$(BOT)/sahayak db upgrade
	@# Demo learner records, dated as of the first load (see README "Your own records").
	$(BOT)/sahayak demo load --if-empty --now

# Re-ingests when a knowledge document changed; unchanged documents keep their stored vectors.
$(KB_INDEX): $(KNOWLEDGE) bot/knowledge/index.py bot/knowledge/chunking.py .venv/.installed
	$(BOT)/sahayak kb ingest knowledge/docs

run: .venv/.installed .venv-rasa/.installed $(MODEL) db $(KB_INDEX)
	@mkdir -p var
	$(BOT)/honcho start -f Procfile

chat: .venv/.installed
	$(BOT)/sahayak chat

lint: .venv/.installed .venv-rasa/.installed
	$(BOT)/ruff check .
	$(BOT)/ruff format --check .
	$(BOT)/mypy
	@# The connectors run inside the Rasa server, so they (and their tests) are checked against its environment.
	$(BOT)/mypy --python-executable $(RASA)/python --python-version 3.10 connectors/ $(wildcard tests/connectors/*.py)

# tests/connectors run with the real Rasa classes in .venv-rasa; they use none of tests/conftest.py.
unit: .venv/.installed .venv-rasa/.installed
	$(BOT)/pytest -m "not e2e"
	$(RASA)/pytest --noconftest -p no:cacheprovider -W ignore -q tests/connectors

validate: .venv-rasa/.installed
	$(RASA)/rasa data validate --domain domain --fail-on-warnings --quiet

stories: $(MODEL)
	$(RASA)/rasa test core --model $(MODEL) --stories tests/stories --fail-on-prediction-errors --out results/stories --quiet

e2e: .venv/.installed $(MODEL) /usr/bin/chromium
	$(BOT)/pytest -m e2e

# Browser tests drive Debian's Chromium through Playwright (never `playwright install`).
/usr/bin/chromium:
	apt-get install -y chromium || (apt-get update && apt-get install -y chromium)

test: lint unit validate stories e2e

bench: .venv/.installed $(MODEL)
	$(BOT)/python -m bench.blind_eval --half test
	$(RASA)/python bench/nlu_crossval.py
	$(BOT)/python -m bench.rest_latency
	$(BOT)/python -m bench.kb_eval
	$(BOT)/python -m bench.kb_latency
	$(BOT)/python -m bench.records_latency
	$(BOT)/python -m bench.channel_latency

clean:
	rm -rf models results .rasa var
