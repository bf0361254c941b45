# bosun developer entry points. Every target creates .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.bosun-installed

.PHONY: venv test lint typecheck unit demo bench clean lock test-latest

venv: $(STAMP)

# constraints.txt pins every package of the dev install, so a new release upstream cannot turn
# main red; `make lock` refreshes it and `make test-latest` shows what the newest releases break.
$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

# Re-resolve the dev install from scratch, unconstrained, and write what it chose.
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --upgrade pip
	.venv-lock/bin/python -m pip install --quiet -e '.[dev]'
	@{ echo "# pip constraints for the dev install; refresh with 'make lock' (docs/development.md)."; \
	  .venv-lock/bin/python -m pip freeze --exclude-editable; } > constraints.txt
	rm -rf .venv-lock
	@echo "constraints.txt refreshed: review 'git diff constraints.txt', then run make test"

# The suite against the newest releases pyproject.toml allows, in its own venv: drift shows up
# here as a report (and the packages that moved) before anyone refreshes the lock.
test-latest:
	@test -x .venv-latest/bin/python || $(PYTHON) -m venv .venv-latest
	.venv-latest/bin/python -m pip install --quiet --upgrade pip
	.venv-latest/bin/python -m pip install --quiet --upgrade --upgrade-strategy eager -e '.[dev]'
	@.venv-latest/bin/python -m pip freeze --exclude-editable | diff constraints.txt - \
	  | grep '^[<>]' | grep -v '^< #' || echo "newest releases match constraints.txt"
	.venv-latest/bin/python -m pytest -n 2 -q

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

# The GitOps tour on a temporary repository: dev trains and aliases, a promotion branch is
# merged into production, production moves its alias behind the gates, a stricter gate refuses.
demo: $(STAMP)
	$(BIN)/bosun validate . --env dev
	$(BIN)/bosun validate . --env production
	$(BIN)/bosun demo

# Every bench/*.py (helpers start with _): each prints its figures and its ratio to a floor.
bench: $(STAMP)
	@for script in bench/[!_]*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .venv-latest .venv-lock .bosun .mypy_cache .ruff_cache .pytest_cache
