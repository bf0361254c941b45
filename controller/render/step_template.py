"""StepTemplate → ClusterWorkflowTemplate ``<namespacePrefix><template>``, entrypoint ``main``.

StepTemplates are platform-wide, so they render once per environment as cluster-scoped objects
that any team's Argo workflows can call (``templateRef: {name, template: main, clusterScope:
true}``). bosun's own pipelines inline the container instead, so a step's resources, env, retries
and timeout can apply to it; the rendered Workflows therefore do not depend on these objects (and
run on an Argo installed in namespaced mode, which has no ClusterWorkflowTemplates)."""

from __future__ import annotations

from typing import Any

from bosun.render import containers, context, names, pipeline, scope, wf_defaults
from bosun.spec import catalog
from bosun.spec.v1alpha1 import step_template


def cluster_workflow_template(
    ctx: context.Context, manifest: step_template.StepTemplate, source: catalog.Source
) -> dict[str, Any]:
    name = manifest.metadata.name
    text = scope.Scope(ctx, manifest)
    container, _ = text.template_container(pipeline.MAIN, manifest, ("spec",))
    arguments = [
        {"name": p.name, **({} if p.default is None else {"value": p.default})}
        for p in manifest.spec.inputs.parameters
    ]
    wiring = pipeline.wiring(
        ctx,
        team=context.PLATFORM_TEAM,
        experiment_name=f"{context.PLATFORM_TEAM}/{name}",
        experiment="",
    )
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "ClusterWorkflowTemplate",
        "metadata": ctx.metadata(
            names.bounded(f"{ctx.namespace_prefix}{name}"),
            team=context.PLATFORM_TEAM,
            source=source,
            labels={"bosun.dev/step-template": name},
        ),
        "spec": {
            "entrypoint": pipeline.MAIN,
            "arguments": {"parameters": arguments + wiring},
            **wf_defaults.spec(ctx),
            "templates": [containers.template(container)],
        },
    }
