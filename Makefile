# The two commands of the README. Each sets up .venv/ (idempotent) first.
.PHONY: setup demo test test-slow lint format

setup:
	@bash scripts/setup.sh

demo: setup
	@bash scripts/demo.sh

test: setup
	OMP_NUM_THREADS=1 .venv/bin/pytest

test-slow: setup
	OMP_NUM_THREADS=1 .venv/bin/pytest -m slow

lint: setup
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

format: setup
	.venv/bin/ruff check --fix . && .venv/bin/ruff format .
