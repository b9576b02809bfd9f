# MLNote — the two commands a newcomer needs are `make lab` and `make test`.
# Every target creates or updates .venv when pyproject.toml changed (idempotent and quick otherwise).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.mlnote-installed
NB     ?= [0-9][0-9]
NOTEBOOK_PY = $(sort $(wildcard notebooks/$(NB)_*.py))
NOTEBOOK_IPYNB = $(NOTEBOOK_PY:.py=.ipynb)
# No display (a server, a container, CI): do not try to open a browser; the URL is printed instead.
HAS_DISPLAY := $(or $(DISPLAY),$(WAYLAND_DISPLAY),$(filter Darwin,$(shell uname -s)))
JUPYTER_FLAGS := --notebook-dir=notebooks $(if $(HAS_DISPLAY),,--no-browser) \
                 $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: help setup lab test lint pairing unit notebooks browser student slides book report execute sync kernel clean-cache gpu-check gpu-wheels mutate

help:
	@echo "make lab        set up .venv and start JupyterLab on notebooks/"
	@echo "make test       set up .venv and run every check (what CI runs)"
	@echo "make execute    re-run notebooks from their .py source, refresh the .ipynb outputs (NB=01 for one)"
	@echo "make notebooks  validate notebooks with nbval and report per-notebook time (NB=01 for one)"
	@echo "make sync       copy markdown-only edits of the .py sources into the .ipynb without re-running (NB=01 for one)"
	@echo "make browser   run every chapter in JupyterLab in headless Chromium and check what a learner sees (NB=01 for one)"
	@echo "make slides    every chapter as offline reveal.js slides in build/slides/ (NB=01 for one)"
	@echo "make book      a static offline site of all chapters in build/book/ (index.html)"
	@echo "make report    run every chapter once: time, peak memory, key numbers -> docs/report.md + README table"
	@echo "make student   copies of the notebooks without reference solutions and outputs, in build/student/"
	@echo "make lint       ruff on mlnote_utils/, tests/, notebooks/*.py"
	@echo "make kernel     also register the 'mlnote' kernel for your user (other Jupyter front-ends)"
	@echo "make gpu-check  run every chapter as a script on MLNOTE_DEVICE (default cuda) and time it (see README)"
	@echo "make mutate     mutation testing of one module with mutmut: make mutate MODULE=hessian (docs/mutation.md)"
	@echo "make gpu-wheels download the pure-Python wheels the lent GPU machine lacks into .whl/"

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/python -m ipykernel install --sys-prefix --name mlnote --display-name "MLNote (Python 3)" >/dev/null
	@touch $(STAMP)

kernel: $(STAMP)
	$(BIN)/python -m ipykernel install --user --name mlnote --display-name "MLNote (Python 3)"

lab: $(STAMP)
	@echo "Starting JupyterLab on notebooks/ — open the http://127.0.0.1:... URL printed below."
	$(BIN)/jupyter lab $(JUPYTER_FLAGS)

lint: $(STAMP)
	$(BIN)/ruff check mlnote_utils tests notebooks/*.py
	$(BIN)/ruff format --check mlnote_utils tests

# Pairing: regenerate each .ipynb's inputs from its .py source and fail on any difference.
pairing: $(STAMP)
	$(BIN)/python -m tests.tools.pairing $(NOTEBOOK_PY)

unit: $(STAMP)
	$(BIN)/python -m pytest -q -m "not browser" tests

# Validation and execution use a fresh, empty cache folder, so every run trains from scratch
# (a learner's own runs use data/cache/ and resume from checkpoints).
# nbval over the committed notebooks; prints the wall time of each and fails above the budget.
notebooks: $(STAMP)
	TQDM_DISABLE=1 MLNOTE_CACHE_DIR=$$(mktemp -d) $(BIN)/python -m pytest -q -p tests.tools.nbtiming --nbval-lax --nbval-current-env \
	    --nbval-sanitize-with tests/nbval_sanitize.cfg $(NOTEBOOK_IPYNB)

# Every chapter in a real JupyterLab driven by Chromium (tests/test_browser.py); screenshots in build/browser/.
browser: $(STAMP)
	$(BIN)/python -m pytest -q -s -m browser tests/test_browser.py $(if $(filter-out [0-9][0-9],$(NB)),-k "$(NB)_",)

test: lint pairing unit notebooks browser
	@echo "make test: all checks passed."

# Copies for a class: reference solutions and outputs removed (build/student/); they still run top to bottom.
student: $(STAMP)
	$(BIN)/python -m tests.tools.student --out build/student $(NOTEBOOK_IPYNB)

# Offline reveal.js slides and a static site from the stored outputs (tests/tools/site.py); the first build
# fetches reveal.js/MathJax from the npm registry into build/vendor/, later builds need no network.
slides: $(STAMP)
	$(BIN)/python -m tests.tools.site slides --out build/slides $(NOTEBOOK_IPYNB)

book: $(STAMP)
	$(BIN)/python -m tests.tools.site book --out build/book $(NOTEBOOK_IPYNB)

# The chapter report (tests/tools/report.py): each notebook in a fresh kernel and an empty cache; wall time,
# peak kernel memory (< 2 GB) and its key numbers into docs/report.{json,md} and the README's time column.
# REPORT_ARGS=--write-notebooks also stores the executed notebooks, as `make execute` does.
report: $(STAMP)
	TQDM_DISABLE=1 MLNOTE_CACHE_DIR=$$(mktemp -d) $(BIN)/python -m tests.tools.report $(REPORT_ARGS) $(NOTEBOOK_PY)

execute: $(STAMP)
	TQDM_DISABLE=1 MLNOTE_CACHE_DIR=$$(mktemp -d) $(BIN)/python -m tests.tools.execute $(NOTEBOOK_PY)

# For prose-only edits: rewrite each .ipynb from its .py, keeping the stored outputs of unchanged code cells.
# A code cell whose source changed loses its outputs, and tests/test_repo.py fails until `make execute`.
sync: $(STAMP)
	$(BIN)/python -m tests.tools.pairing --write $(NOTEBOOK_PY)

clean-cache:
	rm -rf data/cache

# GPU check, for a machine with CUDA PyTorch but no Jupyter and no network (README: "GPU check").
# It needs no .venv there: it uses .venv/bin/python when present, else python3, and installs what is
# missing from .whl/ (made here by `make gpu-wheels`). Here: `MLNOTE_DEVICE=cpu make gpu-check`.
GPU_PYTHON ?= $(if $(wildcard $(BIN)/python),$(BIN)/python,python3)
GPU_WHEEL_PLATFORMS := --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64
gpu-check:
	$(GPU_PYTHON) -m tests.tools.gpu_check --unit $(if $(MLNOTE_DEVICE),--device $(MLNOTE_DEVICE),)

gpu-wheels: $(STAMP)
	$(BIN)/python -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
	    $(GPU_WHEEL_PLATFORMS) -d .whl -r tests/tools/gpu_wheels.txt
	@ls .whl | wc -l | xargs echo "wheels in .whl/:"

# Mutation testing of ONE concept module (not part of `make test`: minutes per module). One mutmut worker
# unless MUTATE_JOBS says otherwise; scratch files in build/mutate/<module>/. See docs/mutation.md.
MODULE      ?=
MUTATE_JOBS ?= 1
mutate: $(STAMP)
	@test -n "$(MODULE)" || { echo "usage: make mutate MODULE=hessian [MUTATE_ARGS='--tests tests/test_x.py']"; exit 2; }
	$(BIN)/python -m tests.tools.mutate $(MODULE) --max-children $(MUTATE_JOBS) $(MUTATE_ARGS)
