"""Team → Namespace ``<namespacePrefix><team>``; Quota → ResourceQuota + LimitRange + the
semaphore ConfigMap that makes extra workflows queue.

A ResourceQuota alone makes Argo's pod creation fail once the team is at its cap; the semaphore
(``maxConcurrentWorkflows``) queues whole workflows before they start instead (argo-workflows#3645).
A quota on cpu or memory also makes Kubernetes refuse containers that declare none, Argo's own
``init``/``wait`` containers included: the LimitRange gives them ``defaultStepResources``, or
bosun's small fallback."""

from __future__ import annotations

from typing import Any

from bosun.render import containers, context, names
from bosun.spec import catalog
from bosun.spec.v1alpha1 import common, quota

SEMAPHORE_CONFIGMAP = "bosun-semaphores"
SEMAPHORE_KEY = "workflows"
FALLBACK_DEFAULTS = common.Resources(cpu="100m", memory="256Mi")


def namespace(ctx: context.Context, team: str, source: catalog.Source) -> dict[str, Any]:
    name = ctx.namespace(team)
    if len(name) > names.MAX_NAME:
        raise ctx.error(
            ctx.environment,
            "BOS204",
            f"namespace '{name}' is longer than 63 characters",
            ("spec", "target", "namespacePrefix"),
            hint="shorten the namespace prefix",
        )
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": ctx.metadata(name, team=team, source=source),
    }


def objects(
    ctx: context.Context, manifest: quota.Quota, source: catalog.Source
) -> list[dict[str, Any]]:
    team = manifest.metadata.team
    namespace = ctx.namespace(team)
    name = manifest.metadata.name

    def meta(object_name: str) -> dict[str, Any]:
        return ctx.metadata(object_name, team=team, source=source, namespace=namespace)

    out: list[dict[str, Any]] = []
    hard = _hard(manifest.spec.hard)
    if hard:
        out.append(
            {
                "apiVersion": "v1",
                "kind": "ResourceQuota",
                "metadata": meta(name),
                "spec": {"hard": hard},
            }
        )
    defaults = _container_defaults(manifest.spec.defaultStepResources)
    out.append(
        {
            "apiVersion": "v1",
            "kind": "LimitRange",
            "metadata": meta(name),
            "spec": {
                "limits": [
                    {"type": "Container", "default": defaults, "defaultRequest": dict(defaults)}
                ]
            },
        }
    )
    semaphore = semaphore_configmap(ctx, manifest, source)
    if semaphore is not None:
        out.append(semaphore)
    return out


def semaphore_configmap(
    ctx: context.Context, manifest: quota.Quota, source: catalog.Source
) -> dict[str, Any] | None:
    """The ConfigMap whose key limits the team's concurrent workflows (argo-workflows#3645:
    further runs queue on the semaphore instead of failing)."""
    if manifest.spec.maxConcurrentWorkflows is None:
        return None
    team = manifest.metadata.team
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": ctx.metadata(
            SEMAPHORE_CONFIGMAP, team=team, source=source, namespace=ctx.namespace(team)
        ),
        "data": {SEMAPHORE_KEY: str(manifest.spec.maxConcurrentWorkflows)},
    }


def _hard(amounts: common.Resources) -> dict[str, str]:
    """Caps on requests and limits alike (bosun's steps set limits equal to requests)."""
    hard: dict[str, str] = {}
    if amounts.cpu is not None:
        hard["requests.cpu"] = hard["limits.cpu"] = amounts.cpu
    if amounts.memory is not None:
        hard["requests.memory"] = hard["limits.memory"] = amounts.memory
    if amounts.gpu is not None:
        hard[f"requests.{containers.GPU}"] = str(amounts.gpu)
    return hard


def _container_defaults(defaults: common.Resources | None) -> dict[str, str]:
    merged = (defaults or common.Resources()).merged_over(FALLBACK_DEFAULTS)
    return {"cpu": merged.cpu or "", "memory": merged.memory or ""}
