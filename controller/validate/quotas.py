"""Quota fit: work that can never be scheduled is an error before it is merged.

- BOS501: a step's effective requests (step ``resources`` over its template's over the quota's
  ``defaultStepResources``), a serving replica's requests, or the quota's own defaults exceed the
  team's ``hard`` caps in an environment the quota applies to;
- BOS502: a sweep's ``parallelism`` exceeds the quota's ``maxParallelSteps``;
- BOS503: two Quotas of one team apply to the same environment.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from decimal import Decimal

from bosun import diagnostics
from bosun.spec import catalog, v1alpha1
from bosun.spec.v1alpha1 import common
from bosun.validate import base, index

Quota = index.Found[v1alpha1.Quota]


def check(manifests: catalog.Catalog, options: base.Options) -> Iterator[diagnostics.Diagnostic]:
    found = index.of(manifests)
    for team, quotas in found.quotas.items():
        yield from _overlaps(team, quotas)
        for quota in quotas:
            yield from _defaults_fit(quota)
    amounts = _Amounts()
    for pipeline in found.all_pipelines:
        for quota in found.quotas_of(pipeline.manifest.metadata.team):
            yield from _steps_fit(pipeline, quota, found, amounts)
    for experiment in found.experiments:
        for quota in found.quotas_of(experiment.manifest.metadata.team):
            yield from _parallelism_fits(experiment, quota)
    for target in found.serving:
        for quota in found.quotas_of(target.manifest.metadata.team):
            yield from _replicas_fit(target, quota)


def _scope(quota: v1alpha1.Quota) -> str:
    environments = quota.spec.environments
    if environments is None:
        return "every environment"
    return "environment" + ("s " if len(environments) > 1 else " ") + ", ".join(environments)


def excess(requested: common.Resources, hard: common.Resources) -> Iterator[tuple[str, str, str]]:
    """(resource, requested, cap) for each resource of ``requested`` above its cap in ``hard``."""
    caps = hard.amounts()
    for resource, amount in requested.amounts().items():
        cap = caps.get(resource)
        if cap is not None and amount > cap:
            yield resource, _shown(requested, resource), _shown(hard, resource)


def _shown(resources: common.Resources, resource: str) -> str:
    return str(getattr(resources, resource))


class _Amounts:
    """Resources as comparable numbers, each resources object converted once per check."""

    def __init__(self) -> None:
        self._known: dict[int, dict[str, Decimal]] = {}

    def of(self, resources: common.Resources) -> dict[str, Decimal]:
        amounts = self._known.get(id(resources))
        if amounts is None:
            amounts = self._known[id(resources)] = resources.amounts()
        return amounts


Layer = tuple[common.Resources, diagnostics.Loc, str]
"""Resources a step may take a request from, where to point, and how to say where it came from."""


def _steps_fit(
    pipeline: index.Found[v1alpha1.Pipeline], quota: Quota, found: index.Index, amounts: _Amounts
) -> Iterator[diagnostics.Diagnostic]:
    """A request comes from the step, else its template, else the quota's defaults (which are
    checked once, on the quota)."""
    spec = quota.manifest.spec
    caps = amounts.of(spec.hard)
    if not caps:
        return
    for i, step in enumerate(pipeline.manifest.spec.steps):
        layers: list[Layer] = []
        if step.resources is not None:
            layers.append((step.resources, ("spec", "steps", i, "resources"), ""))
        template = found.template_of(step)
        if template is not None and template.spec.resources is not None:
            origin = f" (from template '{step.template}')"
            layers.append((template.spec.resources, ("spec", "steps", i, "template"), origin))
        for resource, cap in caps.items():
            layer = next((ly for ly in layers if resource in amounts.of(ly[0])), None)
            if layer is None or amounts.of(layer[0])[resource] <= cap:
                continue
            resources, where, origin = layer
            yield base.at(
                pipeline.entry,
                "BOS501",
                f"step '{step.name}' requests {resource} {_shown(resources, resource)}{origin}, "
                f"over the {_shown(spec.hard, resource)} that quota "
                f"'{quota.manifest.metadata.name}' allows in {_scope(quota.manifest)}",
                where if origin else (*where, resource),
                hint=f"lower the step's resources.{resource} to at most "
                f"{_shown(spec.hard, resource)}, or raise the quota's hard limit",
            )


def _defaults_fit(quota: Quota) -> Iterator[diagnostics.Diagnostic]:
    defaults = quota.manifest.spec.defaultStepResources
    if defaults is None:
        return
    for resource, requested, cap in excess(defaults, quota.manifest.spec.hard):
        yield base.at(
            quota.entry,
            "BOS501",
            f"defaultStepResources.{resource} {requested} is over the hard limit {cap}",
            ("spec", "defaultStepResources", resource),
            hint="no step using the default could ever be scheduled",
        )


def _parallelism_fits(
    experiment: index.Found[v1alpha1.Experiment], quota: Quota
) -> Iterator[diagnostics.Diagnostic]:
    sweep = experiment.manifest.spec.sweep
    cap = quota.manifest.spec.maxParallelSteps
    if sweep is None or cap is None or sweep.parallelism <= cap:
        return
    yield base.at(
        experiment.entry,
        "BOS502",
        f"sweep parallelism {sweep.parallelism} is over the maxParallelSteps {cap} of quota "
        f"'{quota.manifest.metadata.name}' ({_scope(quota.manifest)})",
        ("spec", "sweep", "parallelism"),
        hint=f"set parallelism to at most {cap}",
    )


def _replicas_fit(
    target: index.Found[v1alpha1.ServingTarget], quota: Quota
) -> Iterator[diagnostics.Diagnostic]:
    """One replica's requests fit the caps, in each environment the quota covers."""
    spec, hard = target.manifest.spec, quota.manifest.spec.hard
    seen: set[tuple[str, Decimal]] = set()
    places: list[tuple[str | None, common.Resources | None, tuple[str, ...]]] = [
        (None, spec.resources, ("spec", "resources"))
    ]
    for name, override in spec.overrides.items():
        if override.resources is not None and quota.manifest.spec.applies_to(name):
            places.append((name, override.resources, ("spec", "overrides", name, "resources")))
    for environment, resources, where in places:
        if resources is None:
            continue
        for resource, requested, cap in excess(resources, hard):
            key = (resource, resources.amounts()[resource])
            if key in seen:
                continue
            seen.add(key)
            scope = f"environment {environment}" if environment else _scope(quota.manifest)
            yield base.at(
                target.entry,
                "BOS501",
                f"one replica requests {resource} {requested}, over the {cap} that quota "
                f"'{quota.manifest.metadata.name}' allows in {scope}",
                (*where, resource),
                hint=f"lower resources.{resource} to at most {cap}, or raise the quota",
            )


def _overlaps(team: str, quotas: list[Quota]) -> Iterator[diagnostics.Diagnostic]:
    for first, second in itertools.combinations(quotas, 2):
        a, b = first.manifest.spec.environments, second.manifest.spec.environments
        if a is None and b is None:
            shared: list[str] | None = None
        else:
            shared = sorted(
                set(a if a is not None else b or ()) & set(b if b is not None else a or ())
            )
            if not shared:
                continue
        where = "every environment" if shared is None else ", ".join(shared)
        yield base.at(
            second.entry,
            "BOS503",
            f"quotas '{first.manifest.metadata.name}' and '{second.manifest.metadata.name}' of "
            f"team '{team}' both apply to {where}",
            ("spec", "environments") if b is not None else ("metadata", "name"),
            hint="a team has one Quota per environment: list disjoint spec.environments",
        )
