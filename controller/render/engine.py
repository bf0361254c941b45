"""Validated manifests + one environment → every object to apply there, in a stable order.

Pure: no I/O; registry questions go to the resolver it is given. Objects are ordered by kind (in
the order they can be applied), then namespace, then name, so that output is byte-identical
however the files were discovered.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Mapping
from typing import Any

from bosun import diagnostics
from bosun.render import (
    argo_text,
    context,
    experiment,
    pipeline,
    quota,
    serving,
    step_template,
    values,
)
from bosun.spec import catalog, v1alpha1

KIND_ORDER = (
    "Namespace",
    "ResourceQuota",
    "LimitRange",
    "ConfigMap",
    "ClusterWorkflowTemplate",
    "WorkflowTemplate",
    "CronWorkflow",
    "InferenceService",
    "Workflow",
)
"""Namespaces and quotas → templates → cron and serving → runs (DESIGN §5)."""


@dataclasses.dataclass(frozen=True)
class Result:
    objects: list[dict[str, Any]]
    warnings: list[diagnostics.Diagnostic]


@dataclasses.dataclass(frozen=True)
class Run:
    """One experiment's Workflow, the WorkflowTemplates it calls and the ConfigMap of its
    team's semaphore, if the quota sets one (``bosun run``)."""

    workflow: dict[str, Any]
    templates: list[dict[str, Any]]
    config: list[dict[str, Any]] = dataclasses.field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.workflow["metadata"]["name"])

    def objects(self) -> list[dict[str, Any]]:
        return [*self.config, *self.templates, self.workflow]


def sort_key(obj: dict[str, Any]) -> tuple[int, str, str]:
    meta = obj["metadata"]
    return (KIND_ORDER.index(obj["kind"]), meta.get("namespace", ""), meta["name"])


def context_for(
    manifests: catalog.Catalog,
    environment: str,
    source: context.Source,
    options: context.RenderOptions,
) -> context.Context:
    env = manifests.environments().get(environment)
    if env is None:
        known = ", ".join(sorted(manifests.environments())) or "none"
        raise context.RenderError(
            [
                diagnostics.Diagnostic(
                    "BOS314",
                    f"unknown environment '{environment}' (known: {known})",
                    "",
                    hint="environments are the Environment manifests under environments/",
                )
            ]
        )
    problems = values.problems(source, options)
    if problems:
        raise context.RenderError(problems)
    return context.Context(manifests, env, source, options)


def render_result(
    manifests: catalog.Catalog,
    environment: str,
    source: context.Source,
    resolver: context.ModelResolver,
    options: context.RenderOptions,
) -> Result:
    """Every object, and warnings (InferenceServices left out until their version exists)."""
    ctx = context_for(manifests, environment, source, options)
    objects = _namespaces(ctx)
    for quota_manifest, where in manifests.of_kind(v1alpha1.Quota):
        if quota_manifest.spec.applies_to(ctx.env_name):
            objects += quota.objects(ctx, quota_manifest, where)
    for template, where in manifests.of_kind(v1alpha1.StepTemplate):
        objects.append(step_template.cluster_workflow_template(ctx, template, where))
    for pipe, _ in manifests.of_kind(v1alpha1.Pipeline):
        objects.append(pipeline.workflow_template_of(ctx, pipe))
    for exp, where in manifests.of_kind(v1alpha1.Experiment):
        inputs = experiment.gather(ctx, exp, where)
        if exp.spec.schedule is None:
            objects.append(experiment.workflow(ctx, inputs))
        else:
            objects.append(experiment.cron_workflow(ctx, inputs))
    warnings: list[diagnostics.Diagnostic] = []
    for target, where in manifests.of_kind(v1alpha1.ServingTarget):
        service, found = serving.inference_service(ctx, target, where, resolver)
        warnings += found
        if service is not None:
            objects.append(service)
    return Result(_finish(objects), warnings)


def render(
    manifests: catalog.Catalog,
    environment: str,
    source: context.Source,
    resolver: context.ModelResolver,
    options: context.RenderOptions,
) -> list[dict[str, Any]]:
    """Every object to apply in ``environment``; ``RenderError`` when that is impossible."""
    return render_result(manifests, environment, source, resolver, options).objects


def render_experiment(
    manifests: catalog.Catalog,
    environment: str,
    name: str,
    *,
    source: context.Source,
    options: context.RenderOptions,
    team: str | None = None,
    parameters: Mapping[str, str] | None = None,
) -> Run:
    """The Workflow that runs experiment ``name`` now (also when it has a schedule), with
    ``parameters`` overriding its values (a swept parameter given here is no longer swept)."""
    ctx = context_for(manifests, environment, source, options)
    matches = [
        (m, where)
        for m, where in manifests.of_kind(v1alpha1.Experiment)
        if m.metadata.name == name and team in (None, m.metadata.team)
    ]
    if len(matches) != 1:
        teams = sorted(m.metadata.team for m, _ in matches)
        message = (
            f"experiment '{name}' exists in teams {', '.join(teams)}; name the team"
            if matches
            else f"unknown experiment '{name}' (experiments: {_names(manifests)})"
        )
        raise context.RenderError([diagnostics.Diagnostic("BOS320", message, "")])
    inputs = experiment.gather(ctx, *matches[0], parameters)
    template = pipeline.workflow_template_of(ctx, inputs.pipeline)
    workflow = experiment.workflow(ctx, inputs)
    _check_safe([template, workflow])
    return Run(workflow, [template], _semaphore(ctx, inputs.manifest.metadata.team))


def _semaphore(ctx: context.Context, team: str) -> list[dict[str, Any]]:
    for manifest, where in ctx.manifests.of_kind(v1alpha1.Quota):
        if manifest.metadata.team == team and manifest.spec.applies_to(
            ctx.environment.metadata.name
        ):
            found = quota.semaphore_configmap(ctx, manifest, where)
            return [] if found is None else [found]
    return []


def _names(manifests: catalog.Catalog) -> str:
    found = sorted({m.metadata.name for m, _ in manifests.of_kind(v1alpha1.Experiment)})
    return ", ".join(found) or "none"


def _namespaces(ctx: context.Context) -> list[dict[str, Any]]:
    """One Namespace per team: declared teams, and teams that team-scoped manifests name."""
    owners: dict[str, catalog.Source] = {}
    for entry in ctx.manifests:
        if entry.kind == "Team":
            owners[entry.name] = entry.source
    for entry in ctx.manifests:
        if entry.team is not None:
            owners.setdefault(entry.team, entry.source)
    return [quota.namespace(ctx, team, owners[team]) for team in sorted(owners)]


def _finish(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    _check_safe(objects)
    ordered = sorted(objects, key=sort_key)
    for before, after in itertools.pairwise(ordered):
        if sort_key(before) == sort_key(after):
            kind, namespace, name = (
                after["kind"],
                after["metadata"].get("namespace"),
                after["metadata"]["name"],
            )
            where = f"{namespace}/{name}" if namespace else name
            raise context.RenderError(
                [
                    diagnostics.Diagnostic(
                        "BOS301",
                        f"two manifests render to the same {kind} {where}",
                        after["metadata"]["annotations"][context.SOURCE_FILE],
                    )
                ]
            )
    return ordered


def _check_safe(objects: list[dict[str, Any]]) -> None:
    """The injection rule, checked on the finished output: bosun wrote every ``{{``."""
    for obj in objects:
        if argo_text.is_safe(obj):
            continue
        for path, text in argo_text.unsafe_strings(obj):
            raise context.RenderError(
                [
                    diagnostics.Diagnostic(
                        "BOS401",
                        f"{obj['kind']} {obj['metadata']['name']}{path} would hand Argo an "
                        f"expression bosun did not write: {text!r}",
                        obj["metadata"]["annotations"][context.SOURCE_FILE],
                    )
                ]
            )
