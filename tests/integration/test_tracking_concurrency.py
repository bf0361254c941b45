"""Several trials writing to one sqlite MLflow store at the same moment (DESIGN §4's default
store; a sweep runs its trials in parallel): no process may see "database is locked", and no
write may be lost. Then best-trial selection in both directions, with a tie."""

from __future__ import annotations

import pathlib
import sys
import time

import pytest
from tracking_support import Store, finish, output, start, system

pytestmark = pytest.mark.slow

WORKFLOW = "wine-rf-c0ncu"
ACCURACY = {0: "0.8", 1: "0.9", 2: "0.9", 3: "0.7"}  # trials 1 and 2 tie
POINTS = 40

LOGGER = """
import os, pathlib, sys, time
import mlflow
pathlib.Path(sys.argv[1]).touch()
while not pathlib.Path(sys.argv[2]).exists():
    time.sleep(0.005)
with mlflow.start_run(run_id=os.environ["MLFLOW_RUN_ID"]):
    for step in range(int(sys.argv[3])):
        mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
    mlflow.log_param("logger_pid", str(os.getpid()))
"""
"""A user step: imports MLflow, waits at a barrier so that every logger writes at once."""


def test_parallel_trials_share_one_sqlite_store(tmp_path: pathlib.Path) -> None:
    store = Store(tmp_path / "state")
    nodes = tmp_path / "nodes"
    dataset = tmp_path / "dataset"
    dataset.mkdir()
    (dataset / "rows.csv").write_text("a,b\n1,2\n", encoding="utf-8")

    def env(node: str, **extra: str) -> dict[str, str]:
        return store.env(WORKFLOW, nodes / node, **extra)

    finish(start(system("start-workflow"), env("start")))
    parent = output(nodes / "start", "run_id")
    flags = ["--parent-run-id", parent]
    trials = [system("start-trial", *flags, "--trial", str(t)) for t in ACCURACY]
    finish(*(start(argv, env(f"t{t}")) for t, argv in zip(ACCURACY, trials, strict=True)))
    runs = {t: output(nodes / f"t{t}", "run_id") for t in ACCURACY}

    go = tmp_path / "go"
    loggers = [
        start(
            [sys.executable, "-c", LOGGER, str(tmp_path / f"ready{t}"), str(go), str(POINTS)],
            env(f"log{t}", MLFLOW_RUN_ID=runs[t]),
        )
        for t in ACCURACY
    ]
    deadline = time.monotonic() + 120
    while not all((tmp_path / f"ready{t}").exists() for t in ACCURACY):
        assert time.monotonic() < deadline, "loggers never reached the barrier"
        assert all(proc.poll() is None for proc in loggers), "a logger died before the barrier"
        time.sleep(0.05)
    go.touch()
    finish(*loggers)

    def end_trial(trial: int) -> list[str]:
        metric = ["--metric", f"accuracy={ACCURACY[trial]}"]
        data = ["--dataset-path", str(dataset), "--dataset-name", "rows"]
        return system("end-trial", "--run-id", runs[trial], *metric, *data)

    def select(goal: str) -> list[str]:
        return system("select-best", *flags, "--metric", "accuracy", "--goal", goal)

    finish(*(start(end_trial(t), env(f"end{t}")) for t in ACCURACY))
    finish(start(select("maximize"), env("max")), start(select("minimize"), env("min")))
    no_metric = system("select-best", *flags, "--metric", "auc", "--goal", "maximize")
    no_model = system("register", "--run-id", runs[0], "--model", "wine", "--artifact", "model")
    auc, reg = finish(start(no_metric, env("auc")), start(no_model, env("reg")), expect=1)
    assert "none of the 4 succeeded trial(s)" in auc.stderr and "metric 'auc'" in auc.stderr
    assert "has no READY logged model named 'model'" in reg.stderr
    assert "Traceback" not in auc.stderr + reg.stderr
    assert output(nodes / "max", "run_id") == runs[1], "the tie goes to the lower trial index"
    assert output(nodes / "min", "run_id") == runs[3]

    import mlflow

    client = mlflow.MlflowClient(store.uri)
    for trial, run_id in runs.items():
        found = client.get_run(run_id)
        history = client.get_metric_history(run_id, "loss")
        assert sorted(m.step for m in history) == list(range(POINTS)), f"trial {trial} lost points"
        assert found.data.metrics["accuracy"] == float(ACCURACY[trial])
        assert found.data.tags["bosun.status"] == "Succeeded"
        assert "logger_pid" in found.data.params
        assert len(found.inputs.dataset_inputs) == 1
