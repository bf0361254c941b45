"""The system steps answer --help and reject bad input without importing MLflow (about two
seconds a process; a workflow runs a dozen of them)."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ["mlflow", "sklearn", "pandas", "sqlalchemy"]


def test_steps_module_imports_no_mlflow_until_a_verb_runs() -> None:
    probe = (
        "import sys, bosun.tracking.steps as s\n"
        "s.parser().parse_args(['select-best', '--parent-run-id', 'p', '--metric', 'm',"
        " '--goal', 'maximize'])\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert found.stdout.strip() == "[]"


def test_help_lists_every_verb() -> None:
    shown = subprocess.run(
        [sys.executable, "-m", "bosun.tracking.steps", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for verb in ("start-workflow", "start-trial", "end-trial", "select-best", "register"):
        assert verb in shown
    assert "end-workflow" in shown
