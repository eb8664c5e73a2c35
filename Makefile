# Quick start: `make run` (set up + start the app on the bundled corpus), `make test` (set up + all checks).
# Both are idempotent: the venv is rebuilt only when pyproject.toml changes, models only when missing.

PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
# torch: the CPU wheel (this machine's pip finds it on local disk); a plain `torch` would pull CUDA (GBs).
TORCH  ?= torch==2.13.0
PORT   ?= 8501
STAMP  := $(VENV)/.installed

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export STREAMLIT_BROWSER_GATHER_USAGE_STATS := false

.PHONY: setup venv models browser ingest run test lint typecheck unit slow eval bench clean

setup: venv models

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip setuptools wheel
	$(BIN)/python -m pip install -q "$(TORCH)"
	$(BIN)/python -m pip install -q -e ".[dev,fast,baseline,onnx]"
	@touch $(STAMP)

models: venv
	$(BIN)/assistant models install embeddinggemma-300m

# Headless Chromium for the real-browser test (Debian package; Playwright drives it, never downloads one).
# Without root or a package registry the browser test skips with a reason instead.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null) \
		|| echo "chromium not installed: the browser test will be skipped"; }

ingest: setup
	$(BIN)/assistant ingest

run: setup ingest
	$(BIN)/streamlit run app.py --server.port $(PORT) --server.address 127.0.0.1 --server.headless true

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: venv
	$(BIN)/mypy

# One pytest worker per core, a test file per worker: the suite waits on subprocesses, servers and a browser
# much of the time (pytest -q alone: 606 s in CI; with two workers 487 s on a busier machine where alone took 808 s).
test: setup browser lint typecheck
	$(BIN)/pytest -q -n auto --dist loadfile

slow: setup
	$(BIN)/pytest -q -m slow

eval: setup
	$(BIN)/assistant eval --questions ../shared/eval/questions-dev.jsonl --out runs/dev

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
