"""The MLflow bookkeeping of a workflow, one function per system-step verb
(docs/internals/execution-contract.md), written against the ``Tracker`` port.

Every verb is idempotent: a retry, or a resumed workflow, finds the run, logged model or version
an earlier attempt created (by the tags in ``bosun.tracking.tags``) instead of making another."""

from __future__ import annotations

import dataclasses
import math
import pathlib
from collections.abc import Mapping
from typing import Literal

from bosun.tracking import digest, port, store, tags

Goal = Literal["maximize", "minimize"]
WorkflowStatus = Literal["Succeeded", "Failed", "Error"]
REGISTER_TIMEOUT_S = 300.0


@dataclasses.dataclass(frozen=True)
class Artifact:
    path: pathlib.Path
    name: str


def start_workflow(tracker: port.Tracker, ctx: tags.StepContext) -> port.Run:
    """The parent run of the workflow, created on first call; reopened when a resumed workflow
    starts again after it ended."""
    experiment_id = tracker.experiment_id(
        ctx.experiment_name,
        create=True,
        artifact_location=store.artifact_location(ctx.tracking_uri, ctx.experiment_name),
    )
    wanted = {tags.WORKFLOW: ctx.workflow, tags.ROLE: tags.ROLE_WORKFLOW}
    found = tracker.find_runs(experiment_id, tags=wanted)
    if not found:
        return tracker.create_run(
            experiment_id,
            name=ctx.workflow,
            tags={**ctx.run_tags, **wanted, tags.STATUS: "Running"},
        )
    _reopen(tracker, found[0])
    return found[0]


def start_trial(
    tracker: port.Tracker,
    ctx: tags.StepContext,
    *,
    parent_run_id: str,
    trial: int,
    params: Mapping[str, str],
) -> port.Run:
    """The nested run of trial ``trial``, with its parameters logged."""
    parent = _parent(tracker, ctx, parent_run_id)
    wanted = {tags.WORKFLOW: ctx.workflow, tags.ROLE: tags.ROLE_TRIAL, tags.TRIAL: str(trial)}
    found = tracker.find_runs(parent.experiment_id, tags=wanted, parent_run_id=parent_run_id)
    if found:
        run = found[0]
        _reopen(tracker, run)
    else:
        run = tracker.create_run(
            parent.experiment_id,
            name=f"trial-{trial}",
            tags={
                **ctx.run_tags,
                **wanted,
                tags.PARENT_RUN: parent_run_id,
                tags.STATUS: "Running",
            },
        )
    tracker.log_params(run.run_id, params)
    return run


def end_trial(
    tracker: port.Tracker,
    ctx: tags.StepContext,
    *,
    run_id: str,
    metrics: Mapping[str, float],
    model: Artifact | None,
    dataset: Artifact | None,
) -> port.LoggedModel | None:
    """Log the trial's objective metrics, dataset input and model, then mark it Succeeded (the
    only state in which ``select_best`` considers it) and FINISHED."""
    run = tracker.get_run(run_id)
    if dataset is not None:
        found = digest.of_path(dataset.path)
        tracker.log_dataset(
            run_id,
            port.DatasetInput(
                name=dataset.name,
                digest=found.digest,
                source=str(dataset.path.resolve()),
                profile={"files": found.files, "bytes": found.bytes},
            ),
        )
    fresh = {key: value for key, value in metrics.items() if run.metrics.get(key) != value}
    tracker.log_metrics(run_id, fresh)
    logged = None
    if model is not None:
        model_tags = {**ctx.run_tags, tags.TRIAL: run.tags.get(tags.TRIAL, "")}
        logged = tracker.log_model(run_id, name=model.name, path=str(model.path), tags=model_tags)
    tracker.set_tags(run_id, {tags.STATUS: "Succeeded"})
    tracker.set_status(run_id, "FINISHED")
    return logged


def select_best(
    tracker: port.Tracker, ctx: tags.StepContext, *, parent_run_id: str, metric: str, goal: Goal
) -> port.Run:
    """The succeeded trial with the best value of ``metric``; ties go to the lowest trial index,
    then the lowest run id. Recorded on the parent run (tags and the metric itself)."""
    parent = _parent(tracker, ctx, parent_run_id)
    trials = tracker.find_runs(
        parent.experiment_id,
        tags={tags.ROLE: tags.ROLE_TRIAL, tags.STATUS: "Succeeded"},
        parent_run_id=parent_run_id,
    )
    scored = [run for run in trials if math.isfinite(run.metrics.get(metric, math.nan))]
    if not scored:
        raise port.TrackingError(
            f"none of the {len(trials)} succeeded trial(s) of run {parent_run_id} logged a "
            f"finite value of metric {metric!r}"
        )
    sign = -1.0 if goal == "maximize" else 1.0
    best = min(scored, key=lambda run: (sign * run.metrics[metric], _trial(run), run.run_id))
    tracker.set_tags(
        parent_run_id,
        {
            tags.OBJECTIVE: metric,
            tags.GOAL: goal,
            tags.BEST_RUN: best.run_id,
            tags.BEST_TRIAL: best.tags.get(tags.TRIAL, ""),
        },
    )
    tracker.log_metrics(parent_run_id, {metric: best.metrics[metric]})
    return best


def register(
    tracker: port.Tracker, ctx: tags.StepContext, *, run_id: str, model: str, artifact: str
) -> port.ModelVersion:
    """A new READY version of ``model`` from the run's logged model ``artifact``, tagged with the
    run, commit, environment and workflow. A retry returns the version this workflow made."""
    run = tracker.get_run(run_id)
    logged = tracker.find_logged_model(run_id, artifact)
    if logged is None or logged.status != "READY":
        raise port.TrackingError(
            f"run {run_id} has no READY logged model named {artifact!r}; end-trial logs it "
            f"from --model-path/--model-artifact"
        )
    mine = [v for v in tracker.find_versions(model, run_id=run_id) if _made_by(v, ctx)]
    if mine:
        version = tracker.wait_ready(model, mine[0].version, timeout_s=REGISTER_TIMEOUT_S)
    else:
        version_tags = {
            **ctx.run_tags,
            tags.RUN_ID: run_id,
            tags.TRIAL: run.tags.get(tags.TRIAL, ""),
        }
        version = tracker.register(
            model, logged=logged, tags=version_tags, timeout_s=REGISTER_TIMEOUT_S
        )
    record = {tags.REGISTERED_MODEL: model, tags.REGISTERED_VERSION: version.version}
    tracker.set_tags(run_id, record)
    parent = run.tags.get(tags.PARENT_RUN)
    if parent:
        tracker.set_tags(parent, record)
    return version


def end_workflow(
    tracker: port.Tracker, ctx: tags.StepContext, *, status: WorkflowStatus
) -> port.Run | None:
    """End the parent run with the workflow's status, and mark every trial that did not reach
    end-trial FAILED. None when the workflow never started its run (nothing to end)."""
    try:
        experiment_id = tracker.experiment_id(
            ctx.experiment_name, create=False, artifact_location=None
        )
    except port.TrackingError:
        return None
    found = tracker.find_runs(
        experiment_id, tags={tags.WORKFLOW: ctx.workflow, tags.ROLE: tags.ROLE_WORKFLOW}
    )
    if not found:
        return None
    parent = found[0]
    trials = tracker.find_runs(
        experiment_id, tags={tags.ROLE: tags.ROLE_TRIAL}, parent_run_id=parent.run_id
    )
    for trial in trials:
        if trial.tags.get(tags.STATUS) != "Succeeded":
            tracker.set_tags(trial.run_id, {tags.STATUS: "Failed"})
            tracker.set_status(trial.run_id, "FAILED")
    tracker.set_tags(parent.run_id, {tags.STATUS: status})
    tracker.set_status(parent.run_id, "FINISHED" if status == "Succeeded" else "FAILED")
    return parent


def _parent(tracker: port.Tracker, ctx: tags.StepContext, run_id: str) -> port.Run:
    parent = tracker.get_run(run_id)
    if parent.tags.get(tags.WORKFLOW) != ctx.workflow:
        raise port.TrackingError(
            f"run {run_id} belongs to workflow {parent.tags.get(tags.WORKFLOW)!r}, "
            f"not {ctx.workflow!r}"
        )
    return parent


def _reopen(tracker: port.Tracker, run: port.Run) -> None:
    if run.status != "RUNNING" or run.tags.get(tags.STATUS) != "Running":
        tracker.set_status(run.run_id, "RUNNING")
        tracker.set_tags(run.run_id, {tags.STATUS: "Running"})


def _trial(run: port.Run) -> int:
    value = run.tags.get(tags.TRIAL, "")
    return int(value) if value.isdigit() else 1 << 31


def _made_by(version: port.ModelVersion, ctx: tags.StepContext) -> bool:
    return version.tags.get(tags.WORKFLOW) == ctx.workflow and version.status != (
        "FAILED_REGISTRATION"
    )
