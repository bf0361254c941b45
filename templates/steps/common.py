"""What the platform's scikit-learn steps share: reading a prepared split, the MLflow run of the
trial, and output parameters.

A dataset directory holds ``train.csv`` and ``test.csv`` with a header row and the class label in
the ``target`` column (teams/quality/steps/prepare.py writes that layout).

Under bosun a step runs with ``MLFLOW_RUN_ID`` (its trial's run) and ``BOSUN_OUTPUTS`` set; run by
hand without them, it logs nothing to MLflow and writes no output parameters."""

from __future__ import annotations

import contextlib
import os
import pathlib
from collections.abc import Iterator
from typing import Any

LABEL = "target"
TRUSTED_TYPES = ["sklearn.tree._tree.Tree"]
"""Types skops must trust to load a fitted forest (MLflow 3 saves scikit-learn with skops)."""


def read_split(directory: pathlib.Path, split: str) -> tuple[Any, Any]:
    """``(features, labels)`` of ``<directory>/<split>.csv`` as a DataFrame and a Series."""
    import pandas  # type: ignore[import-untyped]  # noqa: PLC0415  (MLflow loaded it already)

    path = directory / f"{split}.csv"
    if not path.is_file():
        raise SystemExit(f"{path}: no such file (expected the output of a prepare step)")
    frame = pandas.read_csv(path)
    if LABEL not in frame.columns:
        raise SystemExit(f"{path}: no {LABEL!r} column")
    return frame.drop(columns=[LABEL]), frame[LABEL]


@contextlib.contextmanager
def trial_run() -> Iterator[bool]:
    """Make the trial's MLflow run active for ``mlflow.log_*``; yields whether there is one."""
    run_id = os.environ.get("MLFLOW_RUN_ID")
    if not run_id:
        yield False
        return
    import mlflow  # noqa: PLC0415

    with mlflow.start_run(run_id=run_id):
        yield True


def write_output(name: str, value: float) -> None:
    """Write an output parameter file ``$BOSUN_OUTPUTS/<name>`` (skipped outside bosun)."""
    outputs = os.environ.get("BOSUN_OUTPUTS")
    if outputs:
        write_value(pathlib.Path(outputs) / name, value)


def write_value(path: pathlib.Path, value: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{value!r}\n", encoding="utf-8")  # full precision: equal to the logged metric
