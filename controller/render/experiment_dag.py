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


def _experiment(
    ctx: context.Context, inputs: experiment.Inputs, max_steps: int | None
) -> dict[str, Any]:
    spec = inputs.manifest.spec
    trials_args = {system.PARENT_RUN_ID: _RUN_ID_OF_START}
    trials: dict[str, Any] = {"name": "trials", "template": "trial", "depends": "start"}
    template: dict[str, Any] = {"name": "experiment"}
    if inputs.dimensions:
        assert spec.sweep is not None
        items = sweep.trials(
            inputs.dimensions,
            strategy=spec.sweep.strategy,
            max_trials=spec.sweep.maxTrials,
            seed=spec.sweep.seed,
        )
        trials_args[system.TRIAL] = argo_text.argo(f"item.{sweep.TRIAL_KEY}")
        for p in inputs.pipeline.spec.parameters:
            swept = argo_text.argo(f"item.{p.name}")
            trials_args[p.name] = inputs.fixed.get(p.name, swept)
        trials["withItems"] = items
        bound = (
            spec.sweep.parallelism if max_steps is None else min(spec.sweep.parallelism, max_steps)
        )
        template["parallelism"] = bound
    else:
        trials_args[system.TRIAL] = "0"
        trials_args.update(inputs.fixed)
    trials["arguments"] = {"parameters": _parameters(trials_args)}
    tasks: list[dict[str, Any]] = [{"name": "start", "template": "start-workflow"}, trials]
    best = argo_text.argo("tasks.trials.outputs.parameters.run_id")
    if inputs.dimensions:
        tasks.append(
            {
                "name": "select",
                "template": "select-best",
                "depends": "trials",
                "arguments": {"parameters": _parameters({system.PARENT_RUN_ID: _RUN_ID_OF_START})},
            }
        )
        best = argo_text.argo("tasks.select.outputs.parameters.run_id")
    if spec.register_ is not None:
        tasks.append(
            {
                "name": "register",
                "template": "register",
                "depends": "select" if inputs.dimensions else "trials",
                "arguments": {"parameters": _parameters({system.RUN_ID: best})},
            }
        )
    template["dag"] = {"tasks": tasks}
    return template


def _trial(
    inputs: experiment.Inputs,
    params: list[str],
    *,
    metric: str | None,
    model: str | None,
    dataset: str | None,
) -> dict[str, Any]:
    own = {p: argo_text.input_parameter(p) for p in params}
    trial_index = argo_text.input_parameter(system.TRIAL)
    start = {
        "name": "start",
        "template": "start-trial",
        "arguments": {
            "parameters": _parameters(
                {
                    system.PARENT_RUN_ID: argo_text.input_parameter(system.PARENT_RUN_ID),
                    system.TRIAL: trial_index,
                    **own,
                }
            )
        },
    }
    run = {
        "name": "pipeline",
        "templateRef": {"name": inputs.pipeline.metadata.name, "template": pipeline.MAIN},
        "depends": "start",
        "arguments": {
            "parameters": _parameters(
                {**own, system.RUN_ID: _RUN_ID_OF_START, system.TRIAL: trial_index}
            )
        },
    }
    end_params = {system.RUN_ID: _RUN_ID_OF_START}
    if metric is not None:
        end_params[system.METRIC] = argo_text.argo(f"tasks.pipeline.outputs.parameters.{metric}")
    end: dict[str, Any] = {
        "name": "end",
        "template": "end-trial",
        "depends": "pipeline",
        "arguments": {"parameters": _parameters(end_params)},
    }
    artifacts = [
        {"name": name, "from": argo_text.argo(f"tasks.pipeline.outputs.artifacts.{output}")}
        for name, output in ((system.MODEL, model), (system.DATASET, dataset))
        if output is not None
    ]
    if artifacts:
        end["arguments"]["artifacts"] = artifacts
    return {
        "name": "trial",
        "inputs": {
            "parameters": [{"name": system.PARENT_RUN_ID}, {"name": system.TRIAL}]
            + [{"name": p} for p in params]
        },
        "outputs": {
            "parameters": [{"name": "run_id", "valueFrom": {"parameter": _RUN_ID_OF_START}}]
        },
        "dag": {"tasks": [start, run, end]},
    }
