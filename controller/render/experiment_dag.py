"""The templates of an experiment's Workflow: the ``experiment`` DAG (start → trials → select →
register), the ``trial`` DAG (start → pipeline → end) and the system steps they call."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bosun.render import argo_text, context, pipeline, sweep, system

if TYPE_CHECKING:
    from bosun.render import experiment

_RUN_ID_OF_START = argo_text.argo("tasks.start.outputs.parameters.run_id")


def templates(
    ctx: context.Context, inputs: experiment.Inputs, max_steps: int | None
) -> list[dict[str, Any]]:
    spec = inputs.manifest.spec
    params = [p.name for p in inputs.pipeline.spec.parameters]
    metric, model, dataset = _trial_outputs(ctx, inputs)
    out = [
        _experiment(ctx, inputs, max_steps),
        _trial(inputs, params, metric=metric, model=model, dataset=dataset),
        system.start_workflow(ctx),
        system.start_trial(ctx, params),
        system.end_trial(
            ctx,
            metric=spec.objective.metric if metric is not None and spec.objective else None,
            model_artifact=spec.register_.artifact
            if model is not None and spec.register_
            else None,
            dataset_name=spec.dataset.artifact if dataset is not None and spec.dataset else None,
        ),
    ]
    if inputs.dimensions:
        assert spec.objective is not None  # the spec requires an objective with a sweep
        out.append(system.select_best(ctx, spec.objective))
    if spec.register_ is not None:
        out.append(
            system.register(ctx, model=spec.register_.model, artifact=spec.register_.artifact)
        )
    out.append(system.finish(ctx))
    return out


def _trial_outputs(
    ctx: context.Context, inputs: experiment.Inputs
) -> tuple[str | None, str | None, str | None]:
    """The ``main`` outputs that ``end-trial`` reads: the objective-named output parameter, the
    registered artifact and the dataset artifact (``<step>-<output>``; None when absent)."""
    spec = inputs.manifest.spec
    outputs = pipeline.outputs_of(inputs.pipeline, inputs.templates)
    metric = None
    if spec.objective is not None:
        for step in inputs.pipeline.spec.steps:
            if spec.objective.metric in outputs.parameters[step.name]:
                metric = f"{step.name}-{spec.objective.metric}"
    model = dataset = None
    for field, ref in (("register", spec.register_), ("dataset", spec.dataset)):
        if ref is None:
            continue
        if ref.step not in outputs.artifacts:
            raise ctx.error(
                inputs.manifest,
                "BOS305",
                f"pipeline '{inputs.pipeline.metadata.name}' has no step '{ref.step}'",
                ("spec", field, "step"),
            )
        if ref.artifact not in outputs.artifacts[ref.step]:
            raise ctx.error(
                inputs.manifest,
                "BOS315",
                f"step '{ref.step}' has no output artifact '{ref.artifact}'",
                ("spec", field, "artifact"),
            )
        if field == "register":
            model = f"{ref.step}-{ref.artifact}"
        else:
            dataset = f"{ref.step}-{ref.artifact}"
    return metric, model, dataset


def _parameters(values: dict[str, str]) -> list[dict[str, str]]:
    return [{"name": k, "value": v} for k, v in values.items()]


def _task(name: str, template: str, depends: str | None, values: dict[str, str]) -> dict[str, Any]:
    task: dict[str, Any] = {"name": name, "template": template}
    if depends is not None:
        task["depends"] = depends
    task["arguments"] = {"parameters": _parameters(values)}
    return task


def _experiment(
    ctx: context.Context, inputs: experiment.Inputs, max_steps: int | None
) -> dict[str, Any]:
    spec = inputs.manifest.spec
    template: dict[str, Any] = {"name": "experiment"}
    if spec.sweep is not None and inputs.dimensions:
        bound = spec.sweep.parallelism
        template["parallelism"] = bound if max_steps is None else min(bound, max_steps)
    tasks: list[dict[str, Any]] = [{"name": "start", "template": "start-workflow"}, _trials(inputs)]
    best = argo_text.argo("tasks.trials.outputs.parameters.run_id")
    if inputs.dimensions:
        parent = {system.PARENT_RUN_ID: _RUN_ID_OF_START}
        tasks.append(_task("select", "select-best", "trials", parent))
        best = argo_text.argo("tasks.select.outputs.parameters.run_id")
    if spec.register_ is not None:
        depends = "select" if inputs.dimensions else "trials"
        tasks.append(_task("register", "register", depends, {system.RUN_ID: best}))
    template["dag"] = {"tasks": tasks}
    return template


def _trials(inputs: experiment.Inputs) -> dict[str, Any]:
    """The ``trials`` task: one trial, or (with a sweep) ``withItems`` over the trials. Without a
    sweep there is no ``withItems``: a fanned-out task's outputs are a JSON list."""
    values = {system.PARENT_RUN_ID: _RUN_ID_OF_START}
    sweep_spec = inputs.manifest.spec.sweep
    if sweep_spec is None or not inputs.dimensions:
        task = _task("trials", "trial", "start", {**values, system.TRIAL: "0", **inputs.fixed})
        return task
    values[system.TRIAL] = argo_text.argo(f"item.{sweep.TRIAL_KEY}")
    for p in inputs.pipeline.spec.parameters:
        values[p.name] = inputs.fixed.get(p.name, argo_text.argo(f"item.{p.name}"))
    task = _task("trials", "trial", "start", values)
    task["withItems"] = sweep.trials(
        inputs.dimensions,
        strategy=sweep_spec.strategy,
        max_trials=sweep_spec.maxTrials,
        seed=sweep_spec.seed,
    )
    return task


def _trial(
    inputs: experiment.Inputs,
    params: list[str],
    *,
    metric: str | None,
    model: str | None,
    dataset: str | None,
) -> dict[str, Any]:
    own = {p: argo_text.input_parameter(p) for p in params}
    index = argo_text.input_parameter(system.TRIAL)
    parent = argo_text.input_parameter(system.PARENT_RUN_ID)
    start = _task(
        "start", "start-trial", None, {system.PARENT_RUN_ID: parent, system.TRIAL: index, **own}
    )
    values = {**own, system.RUN_ID: _RUN_ID_OF_START, system.TRIAL: index}
    run = {
        "name": "pipeline",
        "templateRef": {"name": inputs.pipeline.metadata.name, "template": pipeline.MAIN},
        "depends": "start",
        "arguments": {"parameters": _parameters(values)},
    }
    return {
        "name": "trial",
        "inputs": {
            "parameters": [{"name": system.PARENT_RUN_ID}, {"name": system.TRIAL}]
            + [{"name": p} for p in params]
        },
        "outputs": {
            "parameters": [{"name": "run_id", "valueFrom": {"parameter": _RUN_ID_OF_START}}]
        },
        "dag": {"tasks": [start, run, _end(metric=metric, model=model, dataset=dataset)]},
    }


def _end(*, metric: str | None, model: str | None, dataset: str | None) -> dict[str, Any]:
    """``end-trial`` after the pipeline, given the ``main`` outputs it logs."""
    values = {system.RUN_ID: _RUN_ID_OF_START}
    if metric is not None:
        values[system.METRIC] = argo_text.argo(f"tasks.pipeline.outputs.parameters.{metric}")
    end = _task("end", "end-trial", "pipeline", values)
    artifacts = [
        {"name": name, "from": argo_text.argo(f"tasks.pipeline.outputs.artifacts.{output}")}
        for name, output in ((system.MODEL, model), (system.DATASET, dataset))
        if output is not None
    ]
    if artifacts:
        end["arguments"]["artifacts"] = artifacts
    return end
