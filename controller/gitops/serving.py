"""ServingTargets → what the registry should say: for each, the version the environment serves
(pinned, or ``latest`` where policy allows), its gates (the target's plus the environment's
``minGates``) checked on the version's source run, and then either an alias move or a refusal
that keeps the last good version serving. Registry reads only; the plan does the writes."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from bosun import render
from bosun.plan import actions, gates, ports
from bosun.spec import catalog
from bosun.spec.v1alpha1 import environment, serving_target


@dataclasses.dataclass(frozen=True)
class Decisions:
    resolver: render.ModelResolver
    aliases: list[actions.AliasSpec]
    refused: list[actions.Action]


class _Chosen:
    """``render.ModelResolver`` answering with the versions the gates let through."""

    def __init__(self, chosen: Mapping[tuple[str, str], render.ResolvedModel | None]) -> None:
        self._chosen = chosen

    def resolve(self, model: str, version: str) -> render.ResolvedModel | None:
        return self._chosen.get((model, version))


def decide(
    manifests: catalog.Catalog,
    env: str,
    spec: environment.EnvironmentSpec,
    registry: ports.Registry,
    *,
    commit: str,
) -> Decisions:
    chosen: dict[tuple[str, str], render.ResolvedModel | None] = {}
    aliases: list[actions.AliasSpec] = []
    refused: list[actions.Action] = []
    local = spec.target.type == "local"
    for manifest, _ in manifests.of_kind(serving_target.ServingTarget):
        target = manifest.spec.for_environment(env)
        name = f"{manifest.metadata.team}/{manifest.metadata.name}"
        current = registry.alias(target.model, spec.registryAlias)
        latest = registry.version(target.model, "latest")
        wanted = gates.resolve_version(
            manifest.spec, env, spec.policy, latest.version if latest else None
        )
        info = registry.version(target.model, wanted) if wanted else None
        base = {"env": env, "commit": commit}
        if info is None:
            why = f"model {target.model} has no version {wanted or target.version} in the registry"
            refused.append(
                _refusal(
                    name,
                    manifest=manifest,
                    spec=spec,
                    version=wanted or target.version,
                    current=current,
                    reason="version missing",
                    why=why,
                )
            )
            serve = current
        else:
            results = gates.evaluate(target.gates, spec.policy.minGates, info.metrics)
            failing = gates.failures(results)
            current_info = registry.version(target.model, current) if current else None
            detail: dict[str, Any] = {
                **base,
                "run": info.run_id,
                "gates": [r.describe() for r in results],
                "metrics": _deltas(results, info, current_info),
            }
            if failing:
                why = "gate failed: " + "; ".join(r.describe() for r in failing)
                refused.append(
                    _refusal(
                        name,
                        manifest=manifest,
                        spec=spec,
                        version=info.version,
                        current=current,
                        reason="gate failed",
                        why=why,
                        detail=detail,
                    )
                )
                serve = current
            else:
                aliases.append(
                    actions.AliasSpec(
                        target.model,
                        spec.registryAlias,
                        info.version,
                        name,
                        manifest.metadata.team,
                        detail,
                    )
                )
                serve = info.version
        chosen[(target.model, target.version)] = _resolved(registry, target.model, serve, local)
        if target.canary is not None:
            chosen[(target.model, target.canary.version)] = _resolved(
                registry, target.model, target.canary.version, local
            )
    return Decisions(_Chosen(chosen), aliases, refused)


def _resolved(
    registry: ports.Registry, model: str, version: str | None, local: bool
) -> render.ResolvedModel | None:
    if version is None:
        return None
    info = registry.version(model, version)
    if info is None:
        return None
    return render.ResolvedModel(
        info.version, f"models:/{model}/{info.version}" if local else info.storage_uri
    )


def _deltas(
    results: list[gates.GateResult], candidate: ports.VersionInfo, current: ports.VersionInfo | None
) -> dict[str, dict[str, float | None]]:
    """Gate metrics, candidate against the version the alias points at now (the PR comment)."""
    names = sorted({r.metric for r in results} | set(candidate.metrics))
    return {
        n: {
            "candidate": candidate.metrics.get(n),
            "current": current.metrics.get(n) if current else None,
        }
        for n in names
    }


def _refusal(
    name: str,
    *,
    manifest: serving_target.ServingTarget,
    spec: environment.EnvironmentSpec,
    version: str,
    current: str | None,
    reason: actions.Reason,
    why: str,
    detail: Mapping[str, Any] | None = None,
) -> actions.Action:
    alias = actions.AliasSpec(
        manifest.spec.model,
        spec.registryAlias,
        version,
        name,
        manifest.metadata.team,
        {**(detail or {}), "reason": why},
    )
    return actions.Action(
        verb="noop",
        object=f"ServingTarget/{name}",
        team=manifest.metadata.team,
        phase=actions.ALIAS_PHASE,
        reason=reason,
        alias=alias,
        previous=current,
    )
