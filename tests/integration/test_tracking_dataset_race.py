"""Two trials logging the same dataset at once (every sweep does): MLflow's store looks the
dataset up and then inserts it, so the slower trial's insert can break the unique key. The rival
trial is played here by a second sqlite connection that commits the same dataset just before
bosun's insert runs, which is exactly the interleaving CI once met between two processes."""

from __future__ import annotations

import pathlib
import sqlite3
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy
from bosun.tracking import port
from bosun.tracking.mlflow_tracker import MlflowTracker
from sqlalchemy import event

pytestmark = pytest.mark.slow


@pytest.fixture
def rival_inserts(tmp_path: pathlib.Path) -> Iterator[list[str]]:
    """Before each INSERT INTO datasets, another connection commits that dataset first."""
    database = tmp_path / "mlflow.db"
    raced: list[str] = []

    def before_execute(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if not statement.lstrip().upper().startswith("INSERT INTO DATASETS"):
            return
        experiment_id, name, digest = params[1], params[2], params[3]
        with sqlite3.connect(database) as rival:
            rival.execute(
                "INSERT INTO datasets (dataset_uuid, experiment_id, name, digest,"
                " dataset_source_type, dataset_source) VALUES (?, ?, ?, ?, 'local', '{}')",
                (uuid.uuid4().hex, experiment_id, name, digest),
            )
        raced.append(name)

    event.listen(sqlalchemy.engine.Engine, "before_cursor_execute", before_execute)
    try:
        yield raced
    finally:
        event.remove(sqlalchemy.engine.Engine, "before_cursor_execute", before_execute)


def test_losing_the_dataset_insert_race_still_links_the_run(
    tmp_path: pathlib.Path, rival_inserts: list[str]
) -> None:
    tracker = MlflowTracker(f"sqlite:///{tmp_path / 'mlflow.db'}")
    experiment = tracker.experiment_id("quality/race", create=True, artifact_location=None)
    run_id = tracker.create_run(experiment, name="trial-0", tags={}).run_id
    dataset = port.DatasetInput("rows", "9ad39ec917c14c70", str(tmp_path), {"bytes": 8})

    tracker.log_dataset(run_id, dataset)

    assert rival_inserts == ["rows"], "the rival writer never ran: the race was not reproduced"
    import mlflow

    inputs = mlflow.MlflowClient(tracker.tracking_uri).get_run(run_id).inputs.dataset_inputs
    assert [(i.dataset.name, i.dataset.digest) for i in inputs] == [("rows", "9ad39ec917c14c70")]
