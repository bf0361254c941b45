"""What a finished workflow left in MLflow, for people: its trials and their metrics, the best
trial, the registered version, where the records are, and the command that opens MLflow's UI.

``bosun run`` prints it at the end of a run (``describe`` + ``format_text``); ``make demo`` runs
``python -m bosun.tracking.summary``. Reads only: tags written by the system steps
(``bosun.tracking.tags``) say which run is which."""

from __future__ import annotations

import dataclasses
import os
import pathlib
import shlex
import sys
from collections.abc import Mapping

from bosun.tracking import port, store, tags


@dataclasses.dataclass(frozen=True)
class Trial:
    trial: str
    run_id: str
    status: str
    params: Mapping[str, str]
    metrics: Mapping[str, float]


@dataclasses.dataclass(frozen=True)
class Summary:
    workflow: str
    experiment_name: str
    run_id: str
    status: str
    """The workflow's phase as end-workflow recorded it (Running while it has not ended)."""
    trials: tuple[Trial, ...]
    objective: str | None
    best: Trial | None
    registered: port.ModelVersion | None
    tracking_uri: str


def latest_workflow(tracker: port.Tracker, experiment_name: str) -> str | None:
    """The workflow whose parent run started last in this experiment."""
    try:
        experiment_id = tracker.experiment_id(experiment_name, create=False, artifact_location=None)
    except port.TrackingError:
        return None
    runs = tracker.find_runs(experiment_id, tags={tags.ROLE: tags.ROLE_WORKFLOW})
    return runs[-1].tags.get(tags.WORKFLOW) if runs else None


def describe(tracker: port.Tracker, *, experiment_name: str, workflow: str) -> Summary | None:
    """The workflow's summary, or None when it has no parent run in that experiment."""
    try:
        experiment_id = tracker.experiment_id(experiment_name, create=False, artifact_location=None)
    except port.TrackingError:
        return None
    parents = tracker.find_runs(
        experiment_id, tags={tags.WORKFLOW: workflow, tags.ROLE: tags.ROLE_WORKFLOW}
    )
    if not parents:
        return None
    parent = parents[0]
    runs = tracker.find_runs(
        experiment_id, tags={tags.ROLE: tags.ROLE_TRIAL}, parent_run_id=parent.run_id
    )
    trials = tuple(sorted((_trial(run) for run in runs), key=_trial_order))
    best_id = parent.tags.get(tags.BEST_RUN)
    if best_id is None and len(trials) == 1 and trials[0].status == "Succeeded":
        best_id = trials[0].run_id
    registered = None
    model, version = (
        parent.tags.get(tags.REGISTERED_MODEL),
        parent.tags.get(tags.REGISTERED_VERSION),
    )
    if model and version:
        registered = tracker.get_version(model, version)
    return Summary(
        workflow=workflow,
        experiment_name=experiment_name,
        run_id=parent.run_id,
        status=parent.tags.get(tags.STATUS, parent.status),
        trials=trials,
        objective=parent.tags.get(tags.OBJECTIVE),
        best=next((trial for trial in trials if trial.run_id == best_id), None),
        registered=registered,
        tracking_uri=tracker.tracking_uri,
    )


def _trial(run: port.Run) -> Trial:
    return Trial(
        trial=run.tags.get(tags.TRIAL, "?"),
        run_id=run.run_id,
        status=run.tags.get(tags.STATUS, run.status),
        params=run.params,
        metrics=run.metrics,
    )


def _trial_order(trial: Trial) -> tuple[int, str]:
    return (int(trial.trial) if trial.trial.isdigit() else 1 << 31, trial.run_id)


def ui_command(tracking_uri: str, *, cwd: pathlib.Path, mlflow: str | None = None) -> str:
    """The shell command that serves MLflow's UI on this store (paths relative to ``cwd`` when
    they are under it); ``mlflow`` defaults to ``mlflow_executable``."""
    mlflow = mlflow or mlflow_executable(cwd)
    db = store.sqlite_path(tracking_uri)
    if db is None:
        return f"open {tracking_uri} in a browser (an MLflow server)"
    root = store.artifact_root(tracking_uri)
    assert root is not None
    words = [
        mlflow,
        "ui",
        "--backend-store-uri",
        "sqlite:///" + _shown(db, cwd),
        "--artifacts-destination",
        _shown(root, cwd),
        "--port",
        "5000",
        "--workers",
        "1",
    ]
    return shlex.join(words)


def mlflow_executable(cwd: pathlib.Path) -> str:
    """The ``mlflow`` beside bosun's interpreter (the one that has this MLflow version), else
    whatever ``mlflow`` is on PATH."""
    beside = pathlib.Path(sys.executable).with_name("mlflow")
    return _shown(beside, cwd) if beside.exists() else "mlflow"


def _shown(path: pathlib.Path, cwd: pathlib.Path) -> str:
    try:
        return str(path.relative_to(cwd.resolve()))
    except ValueError:
        return str(path)


def format_text(summary: Summary, *, cwd: pathlib.Path, run_dir: pathlib.Path | None = None) -> str:
    """A few aligned lines for the end of ``bosun run``."""
    lines = [f"MLflow records of workflow {summary.workflow} ({summary.status})"]
    lines.append(f"  experiment   {summary.experiment_name}, parent run {summary.run_id}")
    lines.extend(_trial_table(summary))
    if summary.best is not None:
        shown = _metric_text(summary.best, summary.objective)
        lines.append(
            f"  best         trial {summary.best.trial} (run {summary.best.run_id}){shown}"
        )
    if summary.registered is not None:
        version = summary.registered
        lines.append(
            f"  registered   {version.name} version {version.version} ({version.status}), "
            f"source {version.source}"
        )
    if run_dir is not None:
        lines.append(f"  run records  {_shown(run_dir, cwd)}")
    db = store.sqlite_path(summary.tracking_uri)
    if db is not None:
        root = store.artifact_root(summary.tracking_uri)
        assert root is not None
        lines.append(f"  MLflow store {_shown(db, cwd)} (artifacts in {_shown(root, cwd)})")
    lines.append(f"  MLflow UI    {ui_command(summary.tracking_uri, cwd=cwd)}")
    return "\n".join(lines)


def _metric_text(trial: Trial, objective: str | None) -> str:
    if objective and objective in trial.metrics:
        return f", {objective} {trial.metrics[objective]:.4f}"
    shown = ", ".join(f"{key} {value:.4f}" for key, value in sorted(trial.metrics.items()))
    return f", {shown}" if shown else ""


def _trial_table(summary: Summary) -> list[str]:
    if not summary.trials:
        return ["  trials       none"]
    params = sorted({key for trial in summary.trials for key in trial.params})
    metrics = sorted({key for trial in summary.trials for key in trial.metrics})
    header = ["trial", "status", *params, *metrics]
    rows = [header] + [
        [
            trial.trial,
            trial.status,
            *(trial.params.get(key, "") for key in params),
            *(f"{trial.metrics[key]:.4f}" if key in trial.metrics else "" for key in metrics),
        ]
        for trial in summary.trials
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    table = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    return [f"  trials       {len(summary.trials)}"] + [f"    {line.rstrip()}" for line in table]


def main(argv: list[str] | None = None) -> int:
    """``python -m bosun.tracking.summary``: print the summary of a workflow (the latest one of the
    experiment unless --workflow names it)."""
    import argparse  # noqa: PLC0415

    parser = argparse.ArgumentParser(
        prog="python -m bosun.tracking.summary", description=main.__doc__
    )
    parser.add_argument("--experiment", required=True, metavar="TEAM/NAME")
    parser.add_argument("--workflow", metavar="NAME")
    parser.add_argument(
        "--state-dir",
        type=pathlib.Path,
        default=pathlib.Path(os.environ.get("BOSUN_STATE_DIR", ".bosun")),
    )
    parser.add_argument(
        "--tracking-uri", metavar="URI", help="default: the state dir's sqlite store"
    )
    args = parser.parse_args(argv)
    uri = args.tracking_uri or store.tracking_uri(args.state_dir)
    db = store.sqlite_path(uri)
    if db is not None and not db.exists():
        print(f"no MLflow store at {db}: nothing has run yet", file=sys.stderr)
        return 1
    from bosun.tracking import mlflow_tracker  # noqa: PLC0415

    tracker = mlflow_tracker.MlflowTracker(uri)
    workflow = args.workflow or latest_workflow(tracker, args.experiment)
    found = (
        describe(tracker, experiment_name=args.experiment, workflow=workflow) if workflow else None
    )
    if found is None:
        print(f"no workflow of experiment {args.experiment} in {uri}", file=sys.stderr)
        return 1
    run_dir = args.state_dir / "runs" / found.workflow
    print(format_text(found, cwd=pathlib.Path.cwd(), run_dir=run_dir if run_dir.exists() else None))
    return 0


if __name__ == "__main__":
    sys.exit(main())
