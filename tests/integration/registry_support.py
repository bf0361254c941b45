"""A real sqlite MLflow registry holding a tiny sklearn model in two versions that score
differently (version 1: accuracy 0.80, version 2: accuracy 0.92)."""

from __future__ import annotations

import contextlib
import pathlib
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

MODEL = "iris-classifier"
ACCURACY = {"1": 0.80, "2": 0.92}


def make_registry(state: pathlib.Path) -> str:
    """Create the store under ``state`` and return its tracking URI."""
    import mlflow
    import mlflow.sklearn
    from sklearn.linear_model import LogisticRegression

    uri = f"sqlite:///{state / 'mlflow.db'}"
    client = mlflow.MlflowClient(tracking_uri=uri, registry_uri=uri)
    experiment = client.create_experiment("vision/iris", artifact_location=str(state / "art"))
    client.create_registered_model(MODEL)
    model = LogisticRegression().fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
    for number in ("1", "2"):
        run = client.create_run(experiment)
        client.log_metric(run.info.run_id, "accuracy", ACCURACY[number])
        local = state / f"model-{number}"
        mlflow.sklearn.save_model(model, str(local))
        client.log_artifacts(run.info.run_id, str(local), "model")
        client.set_terminated(run.info.run_id)
        client.create_model_version(MODEL, f"{run.info.artifact_uri}/model", run_id=run.info.run_id)
    return uri


@contextlib.contextmanager
def mlflow_server(where: pathlib.Path) -> Iterator[str]:
    """A real ``mlflow server`` on 127.0.0.1 with its own sqlite store and artifacts under
    ``where``; yields its URL and stops it after."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    argv = [str(pathlib.Path(sys.executable).parent / "mlflow"), "server", "--host", "127.0.0.1"]
    argv += ["--port", str(port), "--backend-store-uri", f"sqlite:///{where / 'remote.db'}"]
    argv += ["--artifacts-destination", str(where / "remote-art"), "--workers", "1"]
    server = subprocess.Popen(argv, cwd=where, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, "mlflow server exited"
            assert time.monotonic() < deadline, "mlflow server did not become healthy"
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
