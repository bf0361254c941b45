"""Concurrent steps of one local run logging to one sqlite MLflow store: no "database is
locked", every value lands, read back through MlflowClient."""

from __future__ import annotations

import pathlib

import pytest
from argo_builders import container, dag, log_of, params, run, task, workflow

pytestmark = pytest.mark.slow

INIT = "import mlflow, os; mlflow.set_experiment(os.environ['MLFLOW_EXPERIMENT_NAME'])"
LOG = """
import mlflow, sys
trial = sys.argv[1]
with mlflow.start_run(run_name='trial-' + trial):
    mlflow.set_tag('trial', trial)
    for i in range(20):
        mlflow.log_metric('loss', 1.0 / (i + 1), step=i)
    mlflow.log_param('trial', trial)
"""
ENV = {
    "MLFLOW_TRACKING_URI": "{{workflow.parameters.tracking-uri}}",
    "MLFLOW_EXPERIMENT_NAME": "quality/concurrent",
}
TRIALS = 3


def test_concurrent_steps_log_to_one_sqlite_store(tmp_path: pathlib.Path) -> None:
    from mlflow.tracking import MlflowClient

    uri = f"sqlite:///{tmp_path / 'state' / 'mlflow.db'}"
    init = container("init", INIT, env=ENV)
    log = container("log", LOG, "{{inputs.parameters.trial}}", inputs=params("trial"), env=ENV)
    main = dag(
        "main",
        [
            task("init", "init"),
            task(
                "trial",
                "log",
                "init",
                parameters={"trial": "{{item}}"},
                withItems=list(range(TRIALS)),
            ),
        ],
    )
    wf = workflow([main, init, log], arguments={"tracking-uri": uri}, parallelism=TRIALS)
    result = run(tmp_path / "state", [wf])

    logs = "".join(log_of(result, f"trial.{i}") for i in range(TRIALS))
    assert result.phase == "Succeeded", logs
    assert "database is locked" not in logs
    client = MlflowClient(tracking_uri=uri)
    experiment = client.get_experiment_by_name("quality/concurrent")
    assert experiment is not None
    runs = client.search_runs([experiment.experiment_id])
    assert sorted(r.data.tags["trial"] for r in runs) == [str(i) for i in range(TRIALS)]
    for r in runs:
        assert len(client.get_metric_history(r.info.run_id, "loss")) == 20
