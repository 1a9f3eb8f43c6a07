# Two commands from a fresh clone:  make run  (the main job)   make test  (the tests)
# Both create .venv with a Python >= 3.12 found on this machine and install the project.
SHELL := /bin/bash
VENV  := .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
ARGS  ?=

# First interpreter that really runs and reports >= 3.12 (a pyenv shim that fails is skipped).
define find_python
for c in python3.13 python3.12 python3 \
         $$(command -v pyenv >/dev/null 2>&1 && ls -d "$$(pyenv root)"/versions/3.1[2-9]*/bin/python 2>/dev/null | sort -rV); do \
  if "$$c" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then \
    command -v "$$c"; break; \
  fi; \
done
endef

.PHONY: run test test-slow test-install test-slurm bench lint clean setup figures docs docs-check
setup: $(STAMP)

$(STAMP): pyproject.toml
	@if [ -x $(PY) ] && ! $(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then \
	  echo "Removing $(VENV): it is not Python >= 3.12"; rm -rf $(VENV); fi
	@if [ ! -x $(PY) ]; then \
	  py=$$($(find_python)); \
	  if [ -z "$$py" ]; then \
	    echo "error: no Python >= 3.12 found (tried python3.13, python3.12, python3 and pyenv's versions)." >&2; \
	    echo "Install one (e.g. 'pyenv install 3.12') and run make again." >&2; exit 1; fi; \
	  echo "Creating $(VENV) with $$py ($$($$py --version))"; \
	  $$py -m venv $(VENV); \
	fi
	@echo "Installing the project and its dependencies into $(VENV) ..."
	@$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $@

## make run: all six scenarios x 10 seeds, in parallel; prints the table, saves the figure
run: $(STAMP)
	$(PY) -m sim.run -m experiment=policy_comparison $(ARGS)

## make test: the fast test suite, one pytest-xdist worker per core (a test file stays on one worker)
test: $(STAMP)
	$(PY) -m pytest -q -n auto --dist loadfile $(ARGS)

## make figures: the main job, then its figures copied to docs/img/ (the README's images)
FIGURES_SWEEP := results/sweeps/readme_figures
figures: $(STAMP)
	$(PY) -m sim.run -m experiment=policy_comparison hydra.sweep.dir=$(FIGURES_SWEEP) $(ARGS)
	cp $(FIGURES_SWEEP)/figures/policy_comparison.png $(FIGURES_SWEEP)/figures/county_map.png docs/img/
	$(if $(ARGS),,$(PY) -m sim.report.doc_blocks stamp readme.figures)

## make docs: recompute every figure quoted in README.md and docs/ (sim/report/doc_blocks.py lists
## them), in dependency order, and record the digest of each block's inputs beside it. DOC=decisions
## (or ODD, sensitivity, ...): one document's blocks; SLOW=1: also the slow ones (calibration,
## Morris, Sobol, benchmarks, tax share sweep: hours); without it a stale slow block or a reading
## (figures transcribed by hand) is marked in its document as an older reading; READINGS=1 also
## runs the readings' commands, output in results/doc_readings/ to update the text from (then
## `python -m sim.report.doc_blocks stamp NAME`). ARGS=--force: rerun blocks already up to date.
## Measured: 9.0 min with ARGS=--force on 2 cores at load ~14 (about 4 min idle; docs/reliability.md);
## seconds when nothing is stale.
docs: $(STAMP)
	$(PY) -m sim.report.doc_blocks run $(if $(DOC),--doc $(DOC)) $(if $(SLOW),--slow) $(if $(READINGS),--readings) $(ARGS)

## make docs-check: which quoted figures are older than the code or data they describe
docs-check: $(STAMP)
	$(PY) -m sim.report.doc_blocks check $(if $(DOC),--doc $(DOC))

## make search: the policy search on 2 local cores (docs/policy_search.md); SMOKE=1 for a tiny one
.PHONY: search
SEARCH_SMOKE := search.trials=6 search.batch=3 search.draws=2 search.seeds=1 run.years=1 geography.n_firms=300 hydra.sweep.dir=results/sweeps/policy_search_smoke
search: $(STAMP)
	$(PY) -m sim.run -m experiment=policy_search $(if $(SMOKE),$(SEARCH_SMOKE)) $(ARGS)

## make test-slow: long sweeps and scale runs
test-slow: $(STAMP)
	$(PY) -m pytest -q -m slow $(ARGS)

## make test-install: build the wheel, install it into a fresh venv, run it from a temp folder
test-install: $(STAMP)
	$(PY) -m pytest -q -m install tests/system/test_install.py $(ARGS)

## make test-slurm: a real single-node Slurm (root; apt-get install slurm-wlm munge), started and stopped by the tests
test-slurm: $(STAMP)
	$(PY) -m pytest -q -m slurm tests/system/test_slurm.py $(ARGS)

## make bench: benchmarks; rewrites docs/benchmarks.md
bench: $(STAMP)
	$(PY) benchmarks/run.py $(ARGS)
	$(if $(ARGS),,$(PY) -m sim.report.doc_blocks stamp benchmarks)

## make lint: ruff (rules and formatting) over the code, mypy over the model and its parameters
LINT_PATHS := sim tests benchmarks hydra_plugins experiments
lint: $(STAMP)
	$(PY) -m ruff check $(LINT_PATHS)
	$(PY) -m ruff format --check $(LINT_PATHS)
	$(PY) -m mypy

clean:
	rm -rf $(VENV) .pytest_cache

# --- dashboard -------------------------------------------------
.PHONY: dashboard test-browser
PORT ?= 8765
## make dashboard: the interactive dashboard on http://127.0.0.1:$(PORT)/ (PORT=... to change)
dashboard: $(STAMP)
	$(PY) -m sim.dashboard --port $(PORT)

## make test-browser: the dashboard driven in headless chromium (Debian's: apt-get install chromium)
test-browser: $(STAMP)
	$(PY) -m pytest -q -m browser $(ARGS)

# --- sensitivity ------------------------------------------------------------
.PHONY: sensitivity sensitivity-sobol screen
## make screen: Morris screening on the calibrated defaults, then sim/world/<calibration>/influential.yaml (the parameters the main job's draws carry; ~15-30 min on 2 cores)
screen: $(STAMP)
	$(PY) -m sim.studies.screen $(ARGS)

## make sensitivity: Morris screening of every uncertain parameter (~15-25 min on 2 cores); docs/sensitivity.md
sensitivity: $(STAMP)
	$(PY) -m sim.run -m experiment=sensitivity_morris $(ARGS)

## make sensitivity-sobol: Sobol indices with CIs for the parameters the screening ranks highest
sensitivity-sobol: $(STAMP)
	$(PY) -m sim.run -m experiment=sensitivity_sobol $(ARGS)

# --- calibration -----------------------------------------------------------
.PHONY: calibrate
## make calibrate: fit the Shanghai–Yunnan calibration (ABC-SMC, resumable); a full fit replaces
## sim/world/shanghai_yunnan/{point,draws}.yaml and lists them; ARGS="--budget smoke": a quick check, results/ only
calibrate: $(STAMP)
	$(PY) -m sim.analysis.calibration $(ARGS)
