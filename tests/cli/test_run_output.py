"""What ``bosun run`` does with its surroundings: a reader that goes away early (``| head``)
costs the output, never the run or its records; the caller's shell leaks nothing into steps."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest
from test_run_cli import BOSUN, _env, _toy_in

pytestmark = pytest.mark.slow


def _mlflow_statuses(state: pathlib.Path) -> list[str]:
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=f"sqlite:///{state / 'mlflow.db'}")
    experiment = client.get_experiment_by_name("toy/toy-run")
    assert experiment is not None
    return sorted(r.info.status for r in client.search_runs([experiment.experiment_id]))


def test_a_closed_stdout_costs_the_output_not_the_run(tmp_path: pathlib.Path) -> None:
    repo, _control, state = _toy_in(tmp_path, "ok")
    # head exits after the first line; every later write of bosun meets a closed pipe
    pipeline = (
        f"{BOSUN} run toy-run --env dev --state-dir {state} 2>{tmp_path / 'err.txt'} | head -1;"
        ' echo "bosun exit ${PIPESTATUS[0]}"'
    )
    done = subprocess.run(
        ["bash", "-c", pipeline],
        cwd=repo,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    errors = (tmp_path / "err.txt").read_text()
    lines = done.stdout.splitlines()
    assert lines[0].split(" ", 1)[1].startswith("run toy-run-"), done.stdout
    assert lines[-1] == "bosun exit 0", errors
    assert "stdout was closed" in errors and "Traceback" not in errors
    (status_path,) = state.glob("runs/*/status.json")
    status = json.loads(status_path.read_text())
    assert status["phase"] == "Succeeded"
    assert status["nodes"]["onExit"]["phase"] == "Succeeded"
    assert _mlflow_statuses(state) == ["FINISHED", "FINISHED"], "parent and trial run closed"


def test_steps_see_the_rendered_env_and_bosuns_interpreter_not_the_callers_shell(
    tmp_path: pathlib.Path,
) -> None:
    repo, control, state = _toy_in(tmp_path, "ok")
    leaky = {
        **_env(),
        "PATH": f"/leak/bin{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": "/leak/python",
        "VIRTUAL_ENV": "/leak/venv",
        "MLFLOW_TRACKING_URI": "sqlite:////leak/mlflow.db",
        "MLFLOW_EXPERIMENT_ID": "999",
        "BOSUN_LEAK": "1",
        "BOSUN_TRIAL": "999",
        "LC_LEAK_TEST": "kept",
    }
    done = subprocess.run(
        [BOSUN, "run", "toy-run", "--env", "dev", "--state-dir", str(state), "--format", "json"],
        cwd=repo,
        env=leaky,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    run_dir = pathlib.Path(json.loads(done.stdout)["runDir"])
    seen: dict[str, str] = json.loads((control / "env.json").read_text())

    path = seen["PATH"].split(os.pathsep)
    assert path[0] == str(pathlib.Path(sys.executable).parent), "bosun's interpreter first"
    assert "/leak/bin" in path, "the rest of PATH is the caller's"
    assert "PYTHONPATH" not in seen and "VIRTUAL_ENV" not in seen
    assert seen["LC_LEAK_TEST"] == "kept" and seen["PYTHONUNBUFFERED"] == "1"
    # MLFLOW_* and BOSUN_* are exactly what the rendered template sets, with its values
    objects = json.loads((run_dir / "objects.json").read_text())
    containers = [
        t["container"]
        for o in objects
        for t in o.get("spec", {}).get("templates", [])
        if "container" in t and "teams/toy/step.py" in t["container"]["command"]
    ]
    (container,) = containers
    rendered = {e["name"] for e in container.get("env", [])}
    ours = {k for k in seen if k.startswith(("MLFLOW_", "BOSUN_"))}
    assert ours == {k for k in rendered if k.startswith(("MLFLOW_", "BOSUN_"))}
    assert {"MLFLOW_TRACKING_URI", "MLFLOW_RUN_ID"} <= ours
    assert seen["MLFLOW_TRACKING_URI"] == f"sqlite:///{state / 'mlflow.db'}"
    status = json.loads((run_dir / "status.json").read_text())
    assert (
        seen["BOSUN_TRIAL"]
        == status["nodes"]["trials.pipeline.work"]["inputs"]["parameters"]["bosun-trial"]
    )
