from __future__ import annotations

from bosun.plan import gates
from bosun.spec.v1alpha1 import common, environment, serving_target


def _gate(metric: str, op: str, value: float) -> common.Gate:
    return common.Gate.model_validate({"metric": metric, "op": op, "value": value})


def _spec(**fields: object) -> serving_target.ServingTargetSpec:
    return serving_target.ServingTargetSpec.model_validate({"model": "iris", **fields})


def test_passing_and_failing_gates_in_order() -> None:
    results = gates.evaluate(
        [_gate("accuracy", ">=", 0.85)], [_gate("f1", ">", 0.5)], {"accuracy": 0.81, "f1": 0.7}
    )
    assert [(r.metric, r.passed) for r in results] == [("accuracy", False), ("f1", True)]
    assert results[0].describe() == "accuracy 0.81 < 0.85 (gate >= 0.85)"
    assert gates.failures(results) == [results[0]]


def test_missing_metric_fails_with_no_actual() -> None:
    (result,) = gates.evaluate([], [_gate("auc", ">=", 0.9)], {"accuracy": 1.0})
    assert result.actual is None and not result.passed
    assert result.describe() == "auc missing on the source run (gate >= 0.9)"


def test_every_operator() -> None:
    ops = {">=": True, ">": False, "<=": True, "<": False, "==": True}
    for op, expected in ops.items():
        (result,) = gates.evaluate([_gate("m", op, 0.5)], [], {"m": 0.5})
        assert result.passed is expected, op


def test_pinned_version_and_production_override() -> None:
    spec = _spec(version="3", overrides={"production": {"version": "2"}})
    policy = environment.Policy(requirePinnedModelVersions=True)
    assert gates.resolve_version(spec, "production", policy, latest="9") == "2"
    assert gates.resolve_version(spec, "dev", policy, latest="9") == "3"


def test_latest_allowed_only_where_policy_allows() -> None:
    spec = _spec(overrides={"production": {"replicas": {"min": 2, "max": 3}}})
    assert gates.resolve_version(spec, "dev", environment.Policy(), latest="7") == "7"
    assert gates.resolve_version(spec, "dev", environment.Policy(), latest=None) is None
    pinned = environment.Policy(requirePinnedModelVersions=True)
    assert gates.resolve_version(spec, "production", pinned, latest="7") is None
