"""The closing lines of ``bosun run`` read from a real run directory and a real (or absent)
sqlite store: the same ``mlflow ui`` command whether or not MLflow has records yet, and the
``--resume`` hint after any run that did not succeed, stopped by a signal included."""

from __future__ import annotations

import pathlib
import sys

import pytest
from bosun.commands import run_report
from bosun.targets.local import records, runtime
from bosun.tracking import store
from bosun.tracking import summary as tracking_summary

INFO = {"experiment": "wine-rf", "environment": "dev", "team": "quality"}


def _report(tmp_path: pathlib.Path, phase: str, signal: int | None) -> dict[str, object]:
    run_dir = tmp_path / "state/runs/wine-rf-abc-xyz12"
    run_dir.mkdir(parents=True)
    status = {"run": run_dir.name, "phase": phase, "message": "", "nodes": {}}
    records.write_json(run_dir / records.STATUS, status)
    result = runtime.Result(run_dir.name, phase, run_dir, status, signal)
    uri = store.tracking_uri(tmp_path / "state")
    return run_report.document(result, INFO, uri, 1.0)


def test_the_mlflow_ui_command_is_the_same_with_or_without_a_store(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    report = _report(tmp_path, "Failed", None)
    assert not (tmp_path / "state/mlflow.db").exists()
    line = run_report.mlflow_text(report, INFO).splitlines()[-1]
    mlflow = pathlib.Path(sys.executable).with_name("mlflow")
    assert mlflow.exists()
    expected = f"  MLflow UI    {mlflow} ui --backend-store-uri sqlite:///state/mlflow.db"
    assert line.startswith(expected), line
    assert report["mlflowUi"] == line.removeprefix("  MLflow UI    ")
    summary = tracking_summary.Summary(
        workflow="w",
        experiment_name="quality/wine-rf",
        run_id="r",
        status="Failed",
        trials=(),
        objective=None,
        best=None,
        registered=None,
        tracking_uri=str(report["trackingUri"]),
    )
    with_records = tracking_summary.format_text(summary, cwd=pathlib.Path.cwd())
    assert with_records.splitlines()[-1] == line


def test_a_run_stopped_by_a_signal_says_how_to_resume_it(tmp_path: pathlib.Path) -> None:
    text = run_report.text(_report(tmp_path, "Failed", 2), INFO)
    assert "  resume with  bosun run wine-rf --env dev --resume wine-rf-abc-xyz12" in text


def test_a_succeeded_run_has_no_resume_hint(tmp_path: pathlib.Path) -> None:
    assert "resume with" not in run_report.text(_report(tmp_path, "Succeeded", 2), INFO)
