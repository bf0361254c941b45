"""bosun's system steps: container templates running ``python -m bosun.tracking.steps <verb>`` in
the bosun image. They do the MLflow bookkeeping inside the workflow (on a cluster there is no bosun
process beside the pods). Each is idempotent, so each retries."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from bosun.render import argo_text, containers, context
from bosun.spec.v1alpha1 import common, experiment

ENTRY = ["python", "-m", "bosun.tracking.steps"]
RESOURCES = common.Resources(cpu="250m", memory="512Mi")
RETRIES = common.Retries(limit=3, backoff="5s", factor=2, maxBackoff="1m")

PARENT_RUN_ID = "bosun-parent-run-id"
RUN_ID = "bosun-run-id"
TRIAL = "bosun-trial"
METRIC = "bosun-metric"
MODEL = "bosun-model"
DATASET = "bosun-dataset"


def _template(
    ctx: context.Context,
    name: str,
    verb: str,
    args: list[str],
    *,
    parameters: Sequence[str] = (),
    artifacts: Sequence[str] = (),
    outputs: Sequence[str] = (),
) -> dict[str, Any]:
    spec = containers.Container(
        name=name,
        image=ctx.options.system_image,
        command=[*ENTRY, verb],
        args=args,
        env=containers.bosun_env(trial=False),
        parameters=[{"name": p} for p in parameters],
        artifacts=[{"name": a} for a in artifacts],
        outputs=_outputs(tuple(outputs)),
        resources=RESOURCES,
        retries=RETRIES,
        working_dir=None,
        cache=False,
    )
    return containers.template(spec)


@functools.cache
def _outputs(names: tuple[str, ...]) -> common.Outputs:
    """Built once per shape: the models are immutable, and building them is not free."""
    return common.Outputs(parameters=[common.OutputParameter(name=n) for n in names])


def _in(name: str) -> str:
    return argo_text.input_parameter(name)


def start_workflow(ctx: context.Context) -> dict[str, Any]:
    """Creates (or finds) the workflow's parent run; outputs ``run_id``."""
    return _template(ctx, "start-workflow", "start-workflow", [], outputs=["run_id"])


def start_trial(ctx: context.Context, params: list[str]) -> dict[str, Any]:
    """Creates (or finds) the trial's nested run and logs its parameters; outputs ``run_id``."""
    args = ["--parent-run-id", _in(PARENT_RUN_ID), "--trial", _in(TRIAL)]
    for name in params:
        args += ["--param", f"{name}={_in(name)}"]
    return _template(
        ctx,
        "start-trial",
        "start-trial",
        args,
        parameters=[PARENT_RUN_ID, TRIAL, *params],
        outputs=["run_id"],
    )


def end_trial(
    ctx: context.Context,
    *,
    metric: str | None,
    model_artifact: str | None,
    dataset_name: str | None,
) -> dict[str, Any]:
    """Logs the objective metric, the dataset digest and the model to the trial's run."""
    args = ["--run-id", _in(RUN_ID)]
    parameters: list[str] = [RUN_ID]
    artifacts: list[str] = []
    if metric is not None:
        args += ["--metric", f"{metric}={_in(METRIC)}"]
        parameters.append(METRIC)
    if model_artifact is not None:
        args += ["--model-path", argo_text.input_path(MODEL), "--model-artifact", model_artifact]
        artifacts.append(MODEL)
    if dataset_name is not None:
        args += ["--dataset-path", argo_text.input_path(DATASET), "--dataset-name", dataset_name]
        artifacts.append(DATASET)
    return _template(
        ctx, "end-trial", "end-trial", args, parameters=parameters, artifacts=artifacts
    )


def select_best(ctx: context.Context, objective: experiment.Objective) -> dict[str, Any]:
    """The best trial of the parent run by the objective; outputs ``run_id``."""
    args = [
        "--parent-run-id",
        _in(PARENT_RUN_ID),
        "--metric",
        objective.metric,
        "--goal",
        objective.goal,
    ]
    return _template(
        ctx, "select-best", "select-best", args, parameters=[PARENT_RUN_ID], outputs=["run_id"]
    )


def register(ctx: context.Context, *, model: str, artifact: str) -> dict[str, Any]:
    """Registers ``runs:/<run>/<artifact>`` as a new version of ``model``; outputs ``version``."""
    args = ["--run-id", _in(RUN_ID), "--model", model, "--artifact", artifact]
    return _template(ctx, "register", "register", args, parameters=[RUN_ID], outputs=["version"])


def finish(ctx: context.Context) -> dict[str, Any]:
    """The exit handler: closes the parent run with the workflow's status."""
    args = ["--status", argo_text.argo("workflow.status")]
    return _template(ctx, "finish", "end-workflow", args)
