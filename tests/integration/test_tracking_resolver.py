"""ServingTargets resolved against a real MLflow registry (sqlite): ``latest`` becomes the highest
version, and storageUri the location KServe downloads the version's files from."""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import sys

import pytest
import yaml
from bosun import render
from bosun.tracking import mlflow_tracker, resolver

MODEL = "wine-classifier"
BOSUN = str(pathlib.Path(sys.executable).parent / "bosun")
REPO = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> tuple[pathlib.Path, dict[str, str]]:
    """A store with two versions of the model; returns the state dir and version → files."""
    import mlflow

    state = tmp_path_factory.mktemp("state")
    uri = f"sqlite:///{state / 'mlflow.db'}"
    client = mlflow.MlflowClient(tracking_uri=uri, registry_uri=uri)
    experiment = client.create_experiment("quality/wine-rf", artifact_location=str(state / "art"))
    client.create_registered_model(MODEL)
    files = {}
    for _ in range(2):
        run = client.create_run(experiment)
        model_dir = state / "model"
        model_dir.mkdir(exist_ok=True)
        (model_dir / "MLmodel").write_text("flavors: {}\n")
        client.log_artifacts(run.info.run_id, str(model_dir), "model")
        source = f"{run.info.artifact_uri}/model"
        version = client.create_model_version(MODEL, source, run_id=run.info.run_id)
        number = str(version.version)
        files[number] = client.get_model_version_download_uri(MODEL, number)
    return state, files


def test_latest_and_pinned_versions_resolve_to_their_files(
    registry: tuple[pathlib.Path, dict[str, str]],
) -> None:
    state, files = registry
    resolve = resolver.RegistryResolver(
        mlflow_tracker.MlflowTracker(f"sqlite:///{state}/mlflow.db")
    )
    assert resolve.resolve(MODEL, "latest") == render.ResolvedModel("2", files["2"])
    assert resolve.resolve(MODEL, "1") == render.ResolvedModel("1", files["1"])
    assert resolve.resolve(MODEL, "9") is None
    assert resolve.resolve("no-such-model", "latest") is None
    assert resolve.resolve("no-such-model", "1") is None


def _demo(tmp_path: pathlib.Path) -> pathlib.Path:
    for folder in ("teams", "templates", "environments"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    return tmp_path


def test_bosun_render_points_kserve_at_the_registry(
    registry: tuple[pathlib.Path, dict[str, str]], tmp_path: pathlib.Path
) -> None:
    state, files = registry
    repo = _demo(tmp_path)
    args = [BOSUN, "render", "--env", "dev", "--resolve-models", "--state-dir", str(state)]
    done = subprocess.run(args, cwd=repo, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    (service,) = [o for o in yaml.safe_load_all(done.stdout) if o["kind"] == "InferenceService"]
    assert service["spec"]["predictor"]["model"]["storageUri"] == files["2"]
    assert service["metadata"]["annotations"]["bosun.dev/model-version"] == "2"


def test_resolving_without_a_store_says_so_and_creates_nothing(tmp_path: pathlib.Path) -> None:
    repo = _demo(tmp_path / "repo")
    state = tmp_path / "state"
    args = [BOSUN, "render", "--env", "dev", "--resolve-models", "--state-dir", str(state)]
    done = subprocess.run(args, cwd=repo, capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert f"no MLflow store at {state / 'mlflow.db'}" in done.stderr
    assert "Traceback" not in done.stderr
    assert not state.exists()
