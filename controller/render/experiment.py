"""Experiment → Workflow ``<experiment>-<hash>``, or CronWorkflow ``<experiment>`` when it has a
``schedule``.

The Workflow's entrypoint DAG ``experiment`` runs ``start`` (the parent MLflow run), ``trials``
(template ``trial`` once, or fanned out with ``withItems`` over a sweep's trials, at most the
sweep's ``parallelism`` at a time), then ``select`` (the best trial) and ``register``. Each
``trial`` runs ``start`` (its nested run), ``pipeline`` (``templateRef`` to the pipeline's
``main``) and ``end`` (logs the objective, dataset and model). ``onExit`` closes the parent run.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from bosun import diagnostics
from bosun.render import argo_text, context, experiment_dag, names, pipeline, quota, wf_defaults
from bosun.spec import catalog
from bosun.spec.v1alpha1 import experiment, step_template
from bosun.spec.v1alpha1 import pipeline as pipeline_spec

ENTRYPOINT = "experiment"
TRIAL = "trial"
EXPERIMENT_LABEL = "bosun.dev/experiment"
SPEC_HASH = "bosun.dev/spec-hash"

CRON_DEFAULTS: dict[str, Any] = {
    "timezone": "UTC",
    "concurrencyPolicy": "Forbid",
    "successfulJobsHistoryLimit": 3,
    "failedJobsHistoryLimit": 3,
}
"""Schedules are UTC; a run still going when the next is due makes the next one skip."""


@dataclasses.dataclass(frozen=True)
class Inputs:
    """Everything one experiment's Workflow is made from."""

    manifest: experiment.Experiment
    source: catalog.Source
    pipeline: pipeline_spec.Pipeline
    templates: dict[str, step_template.StepTemplate]
    fixed: dict[str, str]
    """Value of every pipeline parameter that is not swept."""
    dimensions: dict[str, list[str]]
    """Candidate values of every swept parameter (empty without a sweep)."""
    overrides: dict[str, str]

    @property
    def team(self) -> str:
        return self.manifest.metadata.team

    @property
    def name(self) -> str:
        return self.manifest.metadata.name


def gather(
    ctx: context.Context,
    manifest: experiment.Experiment,
    source: catalog.Source,
    overrides: Mapping[str, str] | None = None,
) -> Inputs:
    """The experiment's pipeline, templates and effective parameters; ``RenderError`` when a
    reference does not resolve."""
    team, spec = manifest.metadata.team, manifest.spec
    pipe = ctx.pipelines.get((team, spec.pipeline))
    if pipe is None:
        raise ctx.error(
            manifest, "BOS303", f"unknown pipeline '{spec.pipeline}'", ("spec", "pipeline")
        )
    all_templates = ctx.templates
    used = sorted({s.template for s in pipe.spec.steps if s.template is not None})
    templates = {n: all_templates[n] for n in used if n in all_templates}
    given = dict(overrides or {})
    declared = {p.name: p for p in pipe.spec.parameters}
    unknown = sorted(set(given) - set(declared))
    if unknown:
        known = ", ".join(declared) or "none"
        raise context.RenderError(
            [
                diagnostics.Diagnostic(
                    "BOS304",
                    f"--param {unknown[0]}: pipeline '{spec.pipeline}' has no parameter "
                    f"'{unknown[0]}' (its parameters: {known})",
                    "",
                )
            ]
        )
    for key in [*spec.parameters, *(spec.sweep.parameters if spec.sweep else {})]:
        if key not in declared:
            where = ("spec", "parameters", key) if key in spec.parameters else ("spec", "sweep")
            raise ctx.error(
                manifest, "BOS304", f"pipeline '{spec.pipeline}' has no parameter '{key}'", where
            )
    dimensions = {
        k: [_value(ctx, manifest, v, ("spec", "sweep", "parameters", k)) for v in values]
        for k, values in (spec.sweep.parameters if spec.sweep else {}).items()
        if k not in given
    }
    fixed: dict[str, str] = {}
    for p in pipe.spec.parameters:
        if p.name in dimensions:
            continue
        value = given.get(p.name, spec.parameters.get(p.name, p.default))
        if value is None:
            raise ctx.error(
                manifest,
                "BOS310",
                f"pipeline parameter '{p.name}' has no value",
                ("spec", "parameters"),
            )
        fixed[p.name] = _value(ctx, manifest, value, ("spec", "parameters", p.name))
    return Inputs(manifest, source, pipe, templates, fixed, dimensions, given)


def _value(ctx: context.Context, manifest: experiment.Experiment, value: str, loc: Any) -> str:
    try:
        return argo_text.literal(value)
    except argo_text.TextError as error:
        raise ctx.error(manifest, error.code, str(error), loc) from None


def spec_hash(ctx: context.Context, inputs: Inputs, spec: dict[str, Any]) -> str:
    """A hash of what the run does: the rendered Workflow ``spec`` (the commit, tracking URI,
    system image, repository URL and parameter values are all in it), the spec of the pipeline's
    WorkflowTemplate it runs, and its namespace. Equal runs share a name; different ones never."""
    return names.digest(
        {
            "namespace": ctx.namespace(inputs.team),
            "pipeline": pipeline.spec_digest(ctx, inputs.pipeline),
            "spec": spec,
        }
    )


def workflow(ctx: context.Context, inputs: Inputs) -> dict[str, Any]:
    spec = workflow_spec(ctx, inputs)
    content_hash = spec_hash(ctx, inputs, spec)
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": _metadata(
            ctx, inputs, names.with_hash(inputs.name, content_hash), content_hash
        ),
        "spec": spec,
    }


def cron_workflow(ctx: context.Context, inputs: Inputs) -> dict[str, Any]:
    schedule = inputs.manifest.spec.schedule or ""
    labels = {
        context.ENVIRONMENT_LABEL: ctx.env_name,
        context.TEAM_LABEL: inputs.team,
        EXPERIMENT_LABEL: inputs.name,
    }
    spec = workflow_spec(ctx, inputs)
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "CronWorkflow",
        "metadata": _metadata(
            ctx,
            inputs,
            names.bounded(inputs.name, names.MAX_CRON_NAME),
            spec_hash(ctx, inputs, spec),
        ),
        "spec": {
            "schedules": [schedule],
            **CRON_DEFAULTS,
            # Runs carry bosun's labels but not managed-by: they are not in the inventory.
            "workflowMetadata": {"labels": labels},
            "workflowSpec": spec,
        },
    }


def _metadata(ctx: context.Context, inputs: Inputs, name: str, content_hash: str) -> dict[str, Any]:
    return ctx.metadata(
        name,
        team=inputs.team,
        source=inputs.source,
        namespace=ctx.namespace(inputs.team),
        labels={EXPERIMENT_LABEL: inputs.name},
        annotations={SPEC_HASH: content_hash},
    )


def workflow_spec(ctx: context.Context, inputs: Inputs) -> dict[str, Any]:
    limits = ctx.quota(inputs.team)
    max_steps = limits.spec.maxParallelSteps if limits is not None else None
    spec: dict[str, Any] = {
        "entrypoint": ENTRYPOINT,
        "onExit": "finish",
        "arguments": {
            "parameters": pipeline.wiring(
                ctx,
                team=inputs.team,
                experiment_name=f"{inputs.team}/{inputs.name}",
                experiment=inputs.name,
            )
        },
        **wf_defaults.spec(ctx),
        "podMetadata": {
            "labels": {
                context.ENVIRONMENT_LABEL: ctx.env_name,
                context.TEAM_LABEL: inputs.team,
                EXPERIMENT_LABEL: inputs.name,
            }
        },
    }
    if max_steps is not None:
        spec["parallelism"] = max_steps
    if limits is not None and limits.spec.maxConcurrentWorkflows is not None:
        spec["synchronization"] = {"semaphores": [semaphore_ref()]}
    spec["templates"] = experiment_dag.templates(ctx, inputs, max_steps)
    return spec


def semaphore_ref() -> dict[str, Any]:
    return {"configMapKeyRef": {"name": quota.SEMAPHORE_CONFIGMAP, "key": quota.SEMAPHORE_KEY}}
