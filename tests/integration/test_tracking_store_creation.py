"""A new sqlite store killed while MLflow migrates its schema (a Ctrl-C at the start of the very
first run) must not leave a half-migrated mlflow.db that every later run refuses."""

from __future__ import annotations

import pathlib
import signal
import subprocess
import sys
import time

import pytest
from bosun.tracking.mlflow_tracker import MlflowTracker

pytestmark = pytest.mark.slow

CREATE = (
    "import sys; from bosun.tracking.mlflow_tracker import MlflowTracker; "
    "MlflowTracker(sys.argv[1])"
)


def test_a_store_killed_while_being_created_leaves_no_database(tmp_path: pathlib.Path) -> None:
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    proc = subprocess.Popen([sys.executable, "-c", CREATE, uri])
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob(".mlflow.db.*.partial")):
        assert proc.poll() is None and time.monotonic() < deadline, "never began creating"
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert not (tmp_path / "mlflow.db").exists()

    tracker = MlflowTracker(uri)  # a later run builds a whole store and uses it
    assert tracker.experiment_id("toy/run", create=True, artifact_location=None)
    assert (tmp_path / "mlflow.db").is_file()
