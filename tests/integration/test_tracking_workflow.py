"""One workflow's MLflow bookkeeping end to end: the demo's real step scripts and every system
verb run as subprocesses with the rendered environment, against a real sqlite store; every
effect is read back through MlflowClient. Retries of each verb must find what the first attempt
made. One long test on purpose: each process pays ~3 s of MLflow import, so the phases share
their runs instead of rebuilding them per assertion."""

from __future__ import annotations

import pathlib

import pytest
from bosun.tracking import digest
from tracking_support import Store, finish, output, run, script, start, system

pytestmark = pytest.mark.slow

WORKFLOW = "wine-rf-t3st1"
PREPARE = "teams/quality/steps/prepare.py"
TRAIN = "templates/steps/sklearn_train.py"
EVALUATE = "templates/steps/sklearn_evaluate.py"
TRIAL_PARAMS = {0: ("10", "2"), 1: ("40", "none")}
DESIGN_TAGS = {
    "mlflow.source.git.commit": "0123456789abcdef0123456789abcdef01234567",
    "mlflow.source.git.branch": "main",
    "bosun.environment": "dev",
    "bosun.team": "quality",
    "bosun.experiment": "wine-rf",
    "bosun.workflow": WORKFLOW,
}


def test_workflow_records_trials_selects_registers_and_ends(tmp_path: pathlib.Path) -> None:
    store = Store(tmp_path / "state")
    nodes = tmp_path / "nodes"
    data = nodes / "prepare" / "dataset"

    def env(node: str, **extra: str) -> dict[str, str]:
        return store.env(WORKFLOW, nodes / node, **extra)

    def start_trial(trial: int) -> list[str]:
        n_estimators, max_depth = TRIAL_PARAMS.get(trial, ("5", "2"))
        params = ["--param", f"n_estimators={n_estimators}", "--param", f"max_depth={max_depth}"]
        return system("start-trial", "--parent-run-id", parent, "--trial", str(trial), *params)

    def train(trial: int) -> list[str]:
        n_estimators, max_depth = TRIAL_PARAMS[trial]
        flags = ["--n-estimators", n_estimators, "--max-depth", max_depth]
        model = nodes / f"train{trial}" / "model"
        return script(TRAIN, "--data", str(data), *flags, "--model-out", str(model))

    def end_trial(trial: int) -> list[str]:
        saved = nodes / f"train{trial}" / "model"
        model = ["--model-path", str(saved), "--model-artifact", "model"]
        dataset = ["--dataset-path", str(data), "--dataset-name", "dataset"]
        metric = ["--metric", f"accuracy={accuracy[trial]}"]
        return system("end-trial", "--run-id", trial_runs[trial], *metric, *model, *dataset)

    # Waves of processes that a workflow could run at once; each retry repeats an earlier
    # attempt and must find what that attempt made.
    finish(
        start(script(PREPARE, "--test-size", "0.25", "--out", str(data)), env("prepare")),
        start(system("start-workflow"), env("start")),
    )
    parent = output(nodes / "start", "run_id")
    finish(
        start(system("start-workflow"), env("start-retry")),
        *(start(start_trial(t), env(f"t{t}")) for t in range(3)),  # trial 2 never ends
    )
    assert output(nodes / "start-retry", "run_id") == parent
    trial_runs = {t: output(nodes / f"t{t}", "run_id") for t in range(3)}
    finish(
        start(start_trial(0), env("t0-retry")),
        *(start(train(t), env(f"train{t}", MLFLOW_RUN_ID=trial_runs[t])) for t in (0, 1)),
    )
    assert output(nodes / "t0-retry", "run_id") == trial_runs[0]
    accuracy = {t: output(nodes / f"train{t}" / "metrics", "accuracy") for t in (0, 1)}
    metrics = nodes / "evaluate0" / "metrics"
    evaluate = ["--data", str(data), "--model", str(nodes / "train0" / "model")]
    evaluate = script(EVALUATE, *evaluate, "--metrics-out", str(metrics))
    finish(
        start(evaluate, env("evaluate0", MLFLOW_RUN_ID=trial_runs[0])),
        start(end_trial(1), env("end1")),
    )
    assert 0.0 < float(output(metrics, "f1")) <= 1.0
    run(end_trial(0), env("end0"))
    never = store.env("never-started", nodes / "other")
    _, other = finish(
        start(end_trial(0), env("end0-retry")),
        start(system("end-workflow", "--status", "Succeeded"), never),
    )
    assert "nothing to end" in other.stdout

    select = ["--parent-run-id", parent, "--metric", "accuracy", "--goal", "maximize"]
    run(system("select-best", *select), env("select"))
    best_trial = 0 if float(accuracy[0]) >= float(accuracy[1]) else 1  # a tie goes to trial 0
    assert output(nodes / "select", "run_id") == trial_runs[best_trial]

    register = ["--run-id", trial_runs[best_trial], "--model", "wine-classifier"]
    run(system("register", *register, "--artifact", "model"), env("register"))
    run(system("register", *register, "--artifact", "model"), env("register-retry"))
    version = output(nodes / "register", "version")
    assert output(nodes / "register-retry", "version") == version

    run(system("end-workflow", "--status", "Failed"), env("finish"))
    _check_store(
        store,
        parent=parent,
        trial_runs=trial_runs,
        best_trial=best_trial,
        version=version,
        data=data,
        accuracy=accuracy,
    )
    _check_adapter(store, trial_runs=trial_runs, version=version, model=nodes / "train1" / "model")


def _check_store(
    store: Store,
    *,
    parent: str,
    trial_runs: dict[int, str],
    best_trial: int,
    version: str,
    data: pathlib.Path,
    accuracy: dict[int, str],
) -> None:
    import mlflow
    import mlflow.pyfunc
    import pandas

    client = mlflow.MlflowClient(store.uri, registry_uri=store.uri)
    experiment = client.get_experiment_by_name("quality/wine-rf")
    assert experiment.artifact_location == (store.root / "mlartifacts/quality/wine-rf").as_uri()
    runs = {r.info.run_id: r for r in client.search_runs([experiment.experiment_id])}
    assert set(runs) == {parent, *trial_runs.values()}, "a retry created a duplicate run"

    top = runs[parent]
    assert DESIGN_TAGS.items() <= top.data.tags.items()
    assert top.info.status == "FAILED" and top.data.tags["bosun.status"] == "Failed"
    assert top.data.tags["bosun.best_run_id"] == trial_runs[best_trial]
    assert top.data.tags["bosun.registered_version"] == version
    assert top.data.metrics["accuracy"] == float(accuracy[best_trial])

    expected_digest = digest.of_path(data).digest
    for trial, run_id in trial_runs.items():
        found = runs[run_id]
        assert DESIGN_TAGS.items() <= found.data.tags.items()
        assert found.data.tags["mlflow.parentRunId"] == parent
        assert found.data.tags["bosun.trial"] == str(trial)
        if trial == 2:  # started, never ended: end-workflow closes it
            assert found.info.status == "FAILED" and found.data.tags["bosun.status"] == "Failed"
            continue
        assert found.info.status == "FINISHED" and found.data.tags["bosun.status"] == "Succeeded"
        n_estimators, max_depth = TRIAL_PARAMS[trial]
        assert found.data.params == {
            "n_estimators": n_estimators,
            "max_depth": max_depth,
            "random_state": "0",
        }
        assert found.data.metrics["accuracy"] == float(accuracy[trial])
        assert 0.5 < found.data.metrics["f1"] <= 1.0
        # train's point and its copy linked to the logged model; end-trial (and its retry) saw
        # the same value already logged and added none
        assert len(client.get_metric_history(run_id, "accuracy")) == 2
        inputs = found.inputs.dataset_inputs
        assert [(i.dataset.name, i.dataset.digest) for i in inputs] == [
            ("dataset", expected_digest)
        ]
        assert {(t.key, t.value) for t in inputs[0].tags} == {("mlflow.data.context", "training")}
        models = client.search_logged_models(
            [experiment.experiment_id], filter_string=f"source_run_id = '{run_id}'"
        )
        assert [(m.name, str(m.status)) for m in models] == [("model", "READY")]
        assert {m.model_id for m in models} == {o.model_id for o in found.outputs.model_outputs}
    assert {"test_accuracy", "test_f1"} <= runs[trial_runs[0]].data.metrics.keys()

    registered = client.get_model_version("wine-classifier", version)
    assert registered.status == "READY"
    assert registered.run_id == trial_runs[best_trial]
    assert registered.source.startswith("models:/m-")
    assert {
        **DESIGN_TAGS,
        "bosun.run_id": trial_runs[best_trial],
        "bosun.trial": str(best_trial),
    }.items() <= registered.tags.items()
    assert len(client.search_model_versions("name = 'wine-classifier'")) == 1

    mlflow.set_tracking_uri(store.uri)
    model = mlflow.pyfunc.load_model(f"models:/wine-classifier/{version}")
    test = pandas.read_csv(data / "test.csv")
    predicted = model.predict(test.drop(columns=["target"]).head(8))
    assert set(predicted) <= {0, 1, 2}
    assert (predicted == test["target"].head(8).to_numpy()).mean() >= 0.75


def _check_adapter(
    store: Store, *, trial_runs: dict[int, str], version: str, model: pathlib.Path
) -> None:
    """The port's other uses, in-process on the same store: registry aliases (the reconcile loop
    moves them), finishing a logged model an attempt left PENDING, and the run summary."""
    from bosun.tracking import mlflow_tracker, summary

    tracker = mlflow_tracker.MlflowTracker(store.uri)
    assert tracker.version_by_alias("wine-classifier", "staging") is None
    tracker.set_alias("wine-classifier", "staging", version)
    found = tracker.version_by_alias("wine-classifier", "staging")
    assert found is not None and found.version == version and "staging" in found.aliases

    # an end-trial that died after creating trial 2's logged model, before uploading it
    import mlflow

    client = mlflow.MlflowClient(store.uri)
    experiment_id = client.get_run(trial_runs[2]).info.experiment_id
    pending = client.create_logged_model(experiment_id, name="model", source_run_id=trial_runs[2])
    logged = tracker.log_model(trial_runs[2], name="model", path=str(model), tags={})
    assert (logged.model_id, logged.status) == (pending.model_id, "READY")

    described = summary.describe(tracker, experiment_name="quality/wine-rf", workflow=WORKFLOW)
    assert described is not None and described.status == "Failed"
    assert [t.status for t in described.trials] == ["Succeeded", "Succeeded", "Failed"]
    assert described.best is not None and described.best.run_id in trial_runs.values()
    assert described.registered is not None and described.registered.version == version
    assert summary.latest_workflow(tracker, "quality/wine-rf") == WORKFLOW
    text = summary.format_text(described, cwd=store.root.parent)
    assert f"registered   wine-classifier version {version} (READY)" in text
    assert "--backend-store-uri sqlite:///state/mlflow.db" in text
