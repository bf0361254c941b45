"""The system steps' command line and environment, and the store layout: everything decided
before MLflow is imported, so these run in-process without a store."""

from __future__ import annotations

import pathlib

import pytest
from bosun.tracking import steps, store, summary, tags


def step_env(tmp_path: pathlib.Path, **changes: str) -> dict[str, str]:
    env = {
        "MLFLOW_TRACKING_URI": f"sqlite:///{tmp_path}/mlflow.db",
        "MLFLOW_EXPERIMENT_NAME": "quality/wine-rf",
        "BOSUN_WORKFLOW": "wine-rf-abcde",
        "BOSUN_OUTPUTS": str(tmp_path / "out"),
        "BOSUN_ENVIRONMENT": "dev",
        "BOSUN_TEAM": "quality",
        "BOSUN_EXPERIMENT": "wine-rf",
        "BOSUN_GIT_COMMIT": "abc123",
        "BOSUN_GIT_BRANCH": "main",
    }
    env.update(changes)
    return {key: value for key, value in env.items() if value}


def test_context_carries_the_design_tags(tmp_path: pathlib.Path) -> None:
    ctx = tags.StepContext.from_env(step_env(tmp_path))
    assert ctx.run_tags == {
        "mlflow.source.git.commit": "abc123",
        "mlflow.source.git.branch": "main",
        "bosun.environment": "dev",
        "bosun.team": "quality",
        "bosun.experiment": "wine-rf",
        "bosun.workflow": "wine-rf-abcde",
        "mlflow.source.type": "JOB",
        "mlflow.source.name": "bosun:wine-rf-abcde",
    }
    outside_git = tags.StepContext.from_env(step_env(tmp_path, BOSUN_GIT_BRANCH=""))
    assert "mlflow.source.git.branch" not in outside_git.run_tags


def test_missing_environment_is_a_usage_error_naming_every_variable(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = step_env(tmp_path, MLFLOW_TRACKING_URI="", BOSUN_TEAM="")
    assert steps.main(["start-workflow"], env=env) == steps.EXIT_USAGE
    err = capsys.readouterr().err
    assert "MLFLOW_TRACKING_URI, BOSUN_TEAM" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["end-trial", "--run-id", "r", "--metric", "accuracy=high"], "not a number: 'high'"),
        (["end-trial", "--run-id", "r", "--metric", "accuracy=nan"], "not finite"),
        (["end-trial", "--run-id", "r", "--metric", "accuracy"], "expected NAME=VALUE"),
        (["start-trial", "--parent-run-id", "p", "--trial", "-1"], "non-negative integer"),
        (["select-best", "--parent-run-id", "p", "--metric", "m", "--goal", "up"], "invalid"),
        (["end-workflow", "--status", "Done"], "invalid choice"),
    ],
)
def test_bad_flags_exit_2_with_the_reason(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        steps.main(argv, env={})
    assert exit_info.value.code == steps.EXIT_USAGE
    assert message in capsys.readouterr().err


def test_model_and_dataset_inputs_are_checked_before_connecting(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = step_env(tmp_path)
    half = ["end-trial", "--run-id", "r", "--model-path", str(tmp_path)]
    assert steps.main(half, env=env) == steps.EXIT_USAGE
    assert "--model-path and --model-artifact go together" in capsys.readouterr().err
    not_a_model = [*half, "--model-artifact", "model"]
    assert steps.main(not_a_model, env=env) == steps.EXIT_FAILED
    assert "no MLmodel file" in capsys.readouterr().err
    missing = ["end-trial", "--run-id", "r", "--dataset-path", str(tmp_path / "nope")]
    assert steps.main([*missing, "--dataset-name", "d"], env=env) == steps.EXIT_FAILED
    assert "does not exist" in capsys.readouterr().err


def test_store_layout_beside_the_sqlite_file(tmp_path: pathlib.Path) -> None:
    uri = store.tracking_uri(tmp_path / ".bosun")
    assert uri == f"sqlite:///{tmp_path}/.bosun/mlflow.db"
    assert store.artifact_root(uri) == tmp_path / ".bosun" / "mlartifacts"
    assert store.artifact_location(uri, "quality/wine-rf") == (
        (tmp_path / ".bosun" / "mlartifacts" / "quality" / "wine-rf").as_uri()
    )
    assert store.artifact_location(uri, "../../etc") == (  # never outside the root
        (tmp_path / ".bosun" / "mlartifacts" / "etc").as_uri()
    )
    for remote in ("http://mlflow:5000", "postgresql://db/mlflow", "sqlite://", "databricks"):
        assert store.artifact_location(remote, "quality/wine-rf") is None


def test_ui_command_points_at_the_store_relative_to_the_cwd(tmp_path: pathlib.Path) -> None:
    uri = store.tracking_uri(tmp_path / ".bosun")
    assert summary.ui_command(uri, cwd=tmp_path, mlflow=".venv/bin/mlflow") == (
        ".venv/bin/mlflow ui --backend-store-uri sqlite:///.bosun/mlflow.db "
        "--artifacts-destination .bosun/mlartifacts --port 5000 --workers 1"
    )
    assert "sqlite:////" in summary.ui_command(uri, cwd=pathlib.Path("/elsewhere"))
