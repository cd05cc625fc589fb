# Everything the project needs is installed from here: `make run` and `make test`
# work on a fresh machine with nothing installed but Python 3.12 (pyenv resolves
# `python` to 3.12 through .python-version).
PYTHON ?= python
VENV := .venv
BIN := $(VENV)/bin
# One stamp per set of extras, so `make run` installs only what the main job needs and `make test`,
# `make app`, `make lab` add theirs; a stamp is renewed when pyproject.toml changes.
# editable_mode=compat puts the clone on sys.path through a .pth file, so `import orgmodel` finds the
# package even when Python starts in the folder that holds the clone (a folder also named orgmodel).
HASH := $(shell cksum pyproject.toml | cut -d' ' -f1)
STAMP := $(VENV)/.installed-core-$(HASH)
STAMP_DEV := $(VENV)/.installed-dev-$(HASH)
STAMP_APP := $(VENV)/.installed-app-$(HASH)
STAMP_NOTEBOOKS := $(VENV)/.installed-notebooks-$(HASH)
PIP_INSTALL := $(BIN)/python -m pip install --quiet --config-settings editable_mode=compat -e
# the dashboard's front-end files, fetched from the npm registry into Solara's cache (works offline after)
ASSETS := $(VENV)/.assets-$(shell cksum orgmodel/dashboard/assets.py | cut -d' ' -f1)
# the browser of the dashboard's end-to-end test (Debian's; CI runs as root on a fresh machine)
CHROMIUM := /usr/bin/chromium

.PHONY: install run app test lint bench bench-experiments clean lab notebooks screenshot

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "orgmodel needs Python 3.12 or newer (found " + sys.version.split()[0] + "); install it or set PYTHON=python3.12")'
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || { echo "Python cannot create virtual environments here: install the venv module (Debian/Ubuntu: apt-get install python3-venv)"; exit 2; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(PIP_INSTALL) .
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

$(STAMP_DEV): $(STAMP)
	$(PIP_INSTALL) '.[dev,discovery]'
	touch $@

$(STAMP_APP): $(STAMP)
	$(PIP_INSTALL) '.[app]'
	touch $@

$(STAMP_NOTEBOOKS): $(STAMP)
	$(PIP_INSTALL) '.[notebooks,discovery]'
	touch $@

$(ASSETS): $(STAMP_APP) orgmodel/dashboard/assets.py
	@command -v npm >/dev/null || { echo "the dashboard's front-end files are fetched with npm: install Node.js and npm (Debian/Ubuntu: apt-get install npm), then run make again"; exit 2; }
	$(BIN)/python -m orgmodel.dashboard.assets
	rm -f $(VENV)/.assets-*
	touch $(ASSETS)

$(CHROMIUM):
	@test "$$(id -u)" = 0 || { echo "the dashboard's end-to-end test needs Chromium at $(CHROMIUM): install it as root (apt-get install chromium chromium-driver), or run make test as root"; exit 2; }
	@command -v apt-get >/dev/null || { echo "installing Chromium needs apt-get (Debian/Ubuntu); install a chromium at $(CHROMIUM) by hand"; exit 2; }
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver

install: $(STAMP) $(STAMP_DEV) $(STAMP_APP) $(STAMP_NOTEBOOKS) $(ASSETS)

# the main job: the essay's experiment (every structure against the status quo, reference size,
# 10 years) at 6 replications instead of 20, so it takes about a minute on 2 cores (55 s here, report included), and its report.
# Each call writes a new folder out/essay-<date>-<time> (earlier results are never touched) and points
# the link out/essay-latest at it.
RUN_OUT := out/essay-$(shell date +%Y%m%d-%H%M%S)
run: $(STAMP)
	@mkdir -p out
	@test ! -e $(RUN_OUT) || { echo "$(RUN_OUT) exists already: wait a second and run make run again"; exit 2; }
	$(BIN)/orgmodel experiment run experiments/essay.toml --replications 6 --out $(RUN_OUT)
	$(BIN)/orgmodel report $(RUN_OUT)
	@ln -sfn $(notdir $(RUN_OUT)) out/essay-latest
	@echo "Report: $(RUN_OUT)/report.html (out/essay-latest links to it)"

app: $(STAMP_APP) $(ASSETS)
	$(BIN)/orgmodel app

test: $(STAMP_DEV) $(STAMP_APP) $(STAMP_NOTEBOOKS) $(ASSETS) $(CHROMIUM)
	$(BIN)/python -m pytest -q -n auto --dist loadfile

# After changing the dashboard: retake the README's picture (docs/images/dashboard.png) in headless Chromium
screenshot: $(STAMP_DEV) $(STAMP_APP) $(ASSETS) $(CHROMIUM)
	ORGMODEL_UPDATE_SCREENSHOT=1 $(BIN)/python -m pytest -q tests/test_dashboard_e2e.py

lint: $(STAMP_DEV)
	$(BIN)/ruff check orgmodel tests benchmarks notebooks
	$(BIN)/ruff format --check orgmodel tests benchmarks notebooks

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_core.py

bench-experiments: $(STAMP_DEV)
	$(BIN)/python benchmarks/bench_experiments.py

# JupyterLab on the notebooks/ folder (the walk-throughs in notebooks/README.md)
lab: $(STAMP_NOTEBOOKS)
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

# After editing notebooks: bring each .ipynb and its paired .py in line, strip outputs
notebooks: $(STAMP_NOTEBOOKS)
	$(BIN)/jupytext --sync notebooks/[0-9]*.py
	$(BIN)/jupyter nbconvert --clear-output --inplace --log-level=WARN notebooks/[0-9]*.ipynb

clean:
	rm -rf $(VENV) out .pytest_cache
