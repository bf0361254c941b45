# bosun developer entry points. Every target creates .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.bosun-installed

.PHONY: venv test lint typecheck unit demo bench clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# Python of the platform's and the demo team's steps, linted and typed like bosun itself.
STEP_CODE := templates/steps teams/quality/steps

lint: $(STAMP)
	$(BIN)/ruff check controller tests bench $(STEP_CODE)
	$(BIN)/ruff format --check controller tests bench $(STEP_CODE)
	$(BIN)/lint-imports

typecheck: $(STAMP)
	@mkdir -p build/typecheck && ln -sfn ../../controller build/typecheck/bosun
	$(BIN)/mypy -p bosun
	$(BIN)/mypy $(STEP_CODE)

test: lint typecheck
	$(BIN)/bosun schema check --docs docs/reference
	$(BIN)/bosun validate .
	$(BIN)/bosun validate . --env dev
	$(BIN)/bosun validate . --env production
	$(BIN)/python -m pytest -n 2 -q

unit: $(STAMP)
	$(BIN)/python -m pytest -q tests/unit

# validate -> render -> train, sweep and register on this machine -> what MLflow recorded.
demo: $(STAMP)
	$(BIN)/bosun validate . --env dev
	$(BIN)/bosun validate . --env production
	$(BIN)/bosun render --env dev --out .bosun/rendered/dev
	$(BIN)/bosun run wine-rf --env dev

# Every bench/*.py (helpers start with _): each prints its figures and its ratio to a floor.
bench: $(STAMP)
	@for script in bench/[!_]*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .bosun .mypy_cache .ruff_cache .pytest_cache
