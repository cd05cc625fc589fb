# Everything the project needs is installed from here: `make run` and `make test`
# work on a fresh machine with nothing installed but Python 3.12 (pyenv resolves
# `python` to 3.12 through .python-version).
PYTHON ?= python
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
# the dashboard's front-end files, fetched from the npm registry into Solara's cache (works offline after)
ASSETS := $(VENV)/.assets-$(shell cksum orgmodel/dashboard/assets.py | cut -d' ' -f1)
# the browser of the dashboard's end-to-end test (Debian's; CI runs as root on a fresh machine)
CHROMIUM := /usr/bin/chromium

.PHONY: install run app test lint bench bench-experiments clean lab notebooks

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "orgmodel needs Python 3.12 or newer (found " + sys.version.split()[0] + "); install it or set PYTHON=python3.12")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,app,notebooks,discovery]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

$(ASSETS): $(STAMP) orgmodel/dashboard/assets.py
	$(BIN)/python -m orgmodel.dashboard.assets
	rm -f $(VENV)/.assets-*
	touch $(ASSETS)

$(CHROMIUM):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver

install: $(STAMP) $(ASSETS)

# the main job: the essay's experiment (every structure against the status quo, reference size,
# 10 years) at 6 replications instead of 20, so it takes about a minute on 2 cores (55 s here, report included), and its report
run: $(STAMP)
	rm -rf out/essay
	$(BIN)/orgmodel experiment run experiments/essay.toml --replications 6 --out out/essay
	$(BIN)/orgmodel report out/essay

app: $(STAMP) $(ASSETS)
	$(BIN)/orgmodel app

test: $(STAMP) $(ASSETS) $(CHROMIUM)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check orgmodel tests benchmarks notebooks
	$(BIN)/ruff format --check orgmodel tests benchmarks notebooks

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_core.py

bench-experiments: $(STAMP)
	$(BIN)/python benchmarks/bench_experiments.py

# JupyterLab on the notebooks/ folder (the walk-throughs in notebooks/README.md)
lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

# After editing notebooks: bring each .ipynb and its paired .py in line, strip outputs
notebooks: $(STAMP)
	$(BIN)/jupytext --sync notebooks/[0-9]*.py
	$(BIN)/jupyter nbconvert --clear-output --inplace --log-level=WARN notebooks/[0-9]*.ipynb

clean:
	rm -rf $(VENV) out .pytest_cache
