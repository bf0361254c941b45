"""Metric gates and version resolution for a ServingTarget in one environment: which version it
asks for, and whether that version's source run scored well enough to serve there."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from bosun.spec.v1alpha1 import common, environment, serving_target

LATEST = "latest"


@dataclasses.dataclass(frozen=True)
class GateResult:
    metric: str
    op: str
    threshold: float
    actual: float | None
    """The source run's latest value; None when the run never logged the metric."""
    passed: bool

    def describe(self) -> str:
        """One line, e.g. ``accuracy 0.81 < 0.85 (gate >= 0.85)``."""
        gate = f"(gate {self.op} {self.threshold:g})"
        if self.actual is None:
            return f"{self.metric} missing on the source run {gate}"
        relation = _relation(self.actual, self.threshold)
        return f"{self.metric} {self.actual:g} {relation} {self.threshold:g} {gate}"


def _relation(actual: float, threshold: float) -> str:
    if actual < threshold:
        return "<"
    return ">" if actual > threshold else "=="


def evaluate(
    gates: Sequence[common.Gate],
    min_gates: Sequence[common.Gate],
    metrics: Mapping[str, float],
) -> list[GateResult]:
    """Every gate of the target, then every minimum gate of the environment, in that order."""
    results = []
    for gate in [*gates, *min_gates]:
        actual = metrics.get(gate.metric)
        passed = actual is not None and gate.passes(actual)
        results.append(GateResult(gate.metric, gate.op, gate.value, actual, passed))
    return results


def failures(results: Sequence[GateResult]) -> list[GateResult]:
    return [result for result in results if not result.passed]


def wanted_version(target_spec: serving_target.ServingTargetSpec, env_name: str) -> str:
    """The version the target asks for in the environment: its override's, else its own."""
    override = target_spec.overrides.get(env_name)
    if override is not None and override.version is not None:
        return override.version
    return target_spec.version


def resolve_version(
    target_spec: serving_target.ServingTargetSpec,
    env_name: str,
    env_policy: environment.Policy,
    latest: str | None,
) -> str | None:
    """The concrete version to serve: the pinned one, or ``latest`` (the registry's highest
    version) unless the environment requires pinned versions. None when nothing can be served."""
    wanted = wanted_version(target_spec, env_name)
    if wanted != LATEST:
        return wanted
    if env_policy.requirePinnedModelVersions:
        return None
    return latest
