"""Pipeline → WorkflowTemplate ``<pipeline>`` in the team's namespace: a ``main`` DAG (one task per
step, ``depends`` from ``dependsOn``, every step output re-exported as ``<step>-<output>``) and one
container template per step. It is also submittable on its own (``argo submit --from
workflowtemplate/<pipeline>``): its arguments default every parameter bosun's env reads."""

from __future__ import annotations

from typing import Any

from bosun.render import argo_text, containers, context, names, steps, wf_defaults
from bosun.spec import catalog
from bosun.spec.v1alpha1 import pipeline, reserved, step_template

MAIN = "main"


def outputs_of(
    manifest: pipeline.Pipeline, templates: dict[str, step_template.StepTemplate]
) -> steps.Outputs:
    parameters: dict[str, frozenset[str]] = {}
    artifacts: dict[str, frozenset[str]] = {}
    for step in manifest.spec.steps:
        template = templates.get(step.template or "")
        outputs = template.spec.outputs if template is not None else step.outputs
        parameters[step.name] = frozenset(p.name for p in outputs.parameters)
        artifacts[step.name] = frozenset(a.name for a in outputs.artifacts)
    return steps.Outputs(parameters, artifacts)


def workflow_template(
    ctx: context.Context,
    manifest: pipeline.Pipeline,
    source: catalog.Source,
    templates: dict[str, step_template.StepTemplate],
) -> dict[str, Any]:
    team = manifest.metadata.team
    quota = ctx.quota(team)
    defaults = quota.spec.defaultStepResources if quota is not None else None
    _check_names(ctx, manifest)
    outputs = outputs_of(manifest, templates)
    renderer = steps.StepRenderer(ctx, manifest, templates, outputs, defaults)
    rendered = [renderer.render(i, step) for i, step in enumerate(manifest.spec.steps)]
    main = {
        "name": MAIN,
        "inputs": {"parameters": main_inputs(ctx, manifest)},
        "outputs": main_outputs(manifest, outputs),
        "dag": {"tasks": [task for _, task in rendered]},
    }
    if not main["outputs"]:
        del main["outputs"]
    spec: dict[str, Any] = {
        "entrypoint": MAIN,
        "arguments": {"parameters": standalone_arguments(ctx, manifest)},
        **wf_defaults.spec(ctx),
        "templates": [main, *(container for container, _ in rendered)],
    }
    if quota is not None and quota.spec.maxParallelSteps is not None:
        spec["parallelism"] = quota.spec.maxParallelSteps
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "WorkflowTemplate",
        "metadata": ctx.metadata(
            manifest.metadata.name,
            team=team,
            source=source,
            namespace=ctx.namespace(team),
            labels={"bosun.dev/pipeline": manifest.metadata.name},
        ),
        "spec": spec,
    }


def workflow_template_of(ctx: context.Context, manifest: pipeline.Pipeline) -> dict[str, Any]:
    """The pipeline's WorkflowTemplate, built once per render: the environment lists it, and
    each experiment that runs it hashes it (``spec_digest``)."""
    key = ("workflow-template", id(manifest))
    if key not in ctx.memo:
        ctx.memo[key] = workflow_template(ctx, manifest, ctx.source_of(manifest), ctx.templates)
    found: dict[str, Any] = ctx.memo[key]
    return found


def spec_digest(ctx: context.Context, manifest: pipeline.Pipeline) -> str:
    """sha256 of the WorkflowTemplate's spec: what an experiment's ``templateRef`` runs."""
    key = ("spec-digest", id(manifest))
    if key not in ctx.memo:
        ctx.memo[key] = names.digest(workflow_template_of(ctx, manifest)["spec"], 64)
    found: str = ctx.memo[key]
    return found


def _check_names(ctx: context.Context, manifest: pipeline.Pipeline) -> None:
    for i, step in enumerate(manifest.spec.steps):
        problem = reserved.step_name_problem(step.name)
        if problem is not None:
            raise ctx.error(manifest, "BOS318", problem, ("spec", "steps", i, "name"))


def _default(ctx: context.Context, manifest: pipeline.Pipeline, index: int, value: str) -> str:
    try:
        return argo_text.literal(value)
    except argo_text.TextError as error:
        loc = ("spec", "parameters", index, "default")
        raise ctx.error(manifest, error.code, str(error), loc) from None


def main_inputs(ctx: context.Context, manifest: pipeline.Pipeline) -> list[dict[str, Any]]:
    """Every pipeline parameter (with its default), then the trial's run id and index."""
    params: list[dict[str, Any]] = []
    for i, p in enumerate(manifest.spec.parameters):
        entry: dict[str, Any] = {"name": p.name}
        if p.default is not None:
            entry["default"] = _default(ctx, manifest, i, p.default)
        params.append(entry)
    params.append({"name": containers.RUN_ID_INPUT, "default": ""})
    params.append({"name": containers.TRIAL_INPUT, "default": "0"})
    return params


def main_outputs(manifest: pipeline.Pipeline, outputs: steps.Outputs) -> dict[str, Any]:
    """Every step output as ``<step>-<output>``, so the experiment can read any of them."""
    parameters: list[dict[str, Any]] = []
    artifacts: list[dict[str, Any]] = []
    for step in manifest.spec.steps:
        for name in sorted(outputs.parameters[step.name]):
            ref = argo_text.argo(f"tasks.{step.name}.outputs.parameters.{name}")
            parameters.append({"name": f"{step.name}-{name}", "valueFrom": {"parameter": ref}})
        for name in sorted(outputs.artifacts[step.name]):
            ref = argo_text.argo(f"tasks.{step.name}.outputs.artifacts.{name}")
            artifacts.append({"name": f"{step.name}-{name}", "from": ref})
    out: dict[str, Any] = {}
    if parameters:
        out["parameters"] = parameters
    if artifacts:
        out["artifacts"] = artifacts
    return out


def standalone_arguments(ctx: context.Context, manifest: pipeline.Pipeline) -> list[dict[str, Any]]:
    """Arguments of a standalone submission: the parameters' defaults and bosun's wiring."""
    params: list[dict[str, Any]] = []
    for i, p in enumerate(manifest.spec.parameters):
        entry: dict[str, Any] = {"name": p.name}
        if p.default is not None:
            entry["value"] = _default(ctx, manifest, i, p.default)
        params.append(entry)
    team = manifest.metadata.team
    return params + wiring(
        ctx, team=team, experiment_name=f"{team}/{manifest.metadata.name}", experiment=""
    )


def wiring(
    ctx: context.Context, *, team: str, experiment_name: str, experiment: str
) -> list[dict[str, Any]]:
    """The workflow parameters that bosun's env reads (``containers.WORKFLOW_PARAMETERS``)."""
    values = {
        "bosun-tracking-uri": ctx.tracking_uri,
        "bosun-experiment-name": experiment_name,
        "bosun-git-commit": ctx.source.commit,
        "bosun-git-branch": ctx.source.branch or ctx.environment.spec.branch,
        "bosun-environment": ctx.env_name,
        "bosun-team": team,
        "bosun-experiment": experiment,
    }
    try:
        return [
            {"name": name, "value": argo_text.literal(values[name])}
            for name in containers.WORKFLOW_PARAMETERS
        ]
    except argo_text.TextError as error:
        loc = ("spec", "tracking", "uri")
        raise ctx.error(ctx.environment, error.code, f"tracking URI: {error}", loc) from None
