"""With --env: BOS601 pinned images, BOS602 allowed registries, BOS603 pinned model versions,
BOS604 minimum gates."""

from __future__ import annotations

import pytest
import validate_support as vs
from bosun.spec.v1alpha1 import common, types
from bosun.validate import policy


def gate(op: str, value: float, metric: str = "accuracy") -> common.Gate:
    return common.Gate.model_validate({"metric": metric, "op": op, "value": value})


@pytest.mark.parametrize(
    ("given", "required", "strict"),
    [
        ((">=", 0.9), (">=", 0.8), True),
        ((">=", 0.8), (">=", 0.8), True),
        ((">", 0.8), (">=", 0.8), True),
        ((">=", 0.8), (">", 0.8), False),
        ((">=", 0.7), (">=", 0.8), False),
        (("==", 0.9), (">=", 0.8), True),
        (("==", 0.7), (">=", 0.8), False),
        (("<=", 0.9), (">=", 0.8), False),
        (("<", 40), ("<=", 50), True),
        (("<=", 50), ("<", 50), False),
        (("<", 50), ("<", 50), True),
        (("<=", 60), ("<=", 50), False),
        ((">=", 0.9), ("==", 0.9), False),
        (("==", 0.9), ("==", 0.9), True),
    ],
)
def test_gate_strictness(
    given: tuple[str, float], required: tuple[str, float], strict: bool
) -> None:
    assert policy.at_least_as_strict(gate(*given), gate(*required)) is strict


@pytest.mark.parametrize(
    ("image", "allowed", "ok"),
    [
        ("ghcr.io/acme/ml:1.0", ["ghcr.io/acme"], True),
        ("ghcr.io/acme/team/ml:1.0", ["ghcr.io/acme/"], True),
        ("ghcr.io/acme-evil/ml:1.0", ["ghcr.io/acme"], False),
        ("ghcr.io/acmex:1.0", ["ghcr.io/acme"], False),
        ("ghcr.io/acme/ml@sha256:" + "a" * 64, ["ghcr.io"], True),
        ("python:3.11", ["docker.io/library"], True),
        ("python:3.11", ["index.docker.io/library/python"], True),
        ("acme/ml:1", ["docker.io/acme"], True),
        ("python:3.11", ["ghcr.io/acme"], False),
        ("localhost:5000/ml:1", ["localhost:5000"], True),
        ("registry.acme.example:5000/ml/x:1", ["registry.acme.example:5000/ml"], True),
    ],
)
def test_registry_prefixes_match_by_path_component(
    image: str, allowed: list[str], ok: bool
) -> None:
    assert policy.registry_allowed(types.parse_image(image), allowed) is ok


def test_no_policy_without_env() -> None:
    docs = [vs.environment(requirePinnedImages=True), vs.template(), vs.serving(version="latest")]
    assert vs.run(policy.check, docs) == []


def test_unpinned_and_foreign_images() -> None:
    env = vs.environment(requirePinnedImages=True, allowedRegistries=["ghcr.io/acme"])
    pinned = vs.template("pinned", image="ghcr.io/acme/steps:1.0" + vs.DIGEST, args=[])
    foreign = vs.template("foreign", image="docker.io/someone/steps@sha256:" + "cd" * 32, args=[])
    pipeline = vs.pipeline(steps=[vs.prepare_step(), vs.fit_step(template="pinned")])
    found = vs.run(policy.check, [env, pinned, foreign, pipeline], env="production")
    assert sorted((d.code, d.file, d.path) for d in found) == [
        ("BOS601", "teams/ml/pipeline-train.yaml", "spec.steps[0].image"),
        ("BOS602", "templates/foreign.yaml", "spec.image"),
    ]


def test_latest_versions_where_pinning_is_required() -> None:
    env = vs.environment(requirePinnedModelVersions=True)
    defaulted = vs.serving("a")
    defaulted["spec"].pop("version")
    overridden = vs.serving("b", version="3", overrides={"production": {"version": "latest"}})
    fixed = vs.serving(
        "c",
        version="latest",
        overrides={"production": {"version": 4}, "dev": {"version": "latest"}},
    )
    canary = vs.serving("d", canary={"version": "latest", "trafficPercent": 5})
    found = vs.run(policy.check, [env, defaulted, overridden, fixed, canary], env="production")
    assert sorted((d.name, d.code, d.path) for d in found) == [
        ("a", "BOS603", "spec.version"),
        ("b", "BOS603", "spec.overrides.production.version"),
        ("d", "BOS603", "spec.canary.version"),
    ]
    assert "(the default)" in next(d.message for d in found if d.name == "a")


def test_gates_in_effect_after_overrides() -> None:
    env = vs.environment(minGates=[{"metric": "accuracy", "op": ">=", "value": 0.8}])
    strong = vs.serving("strong")
    weak = vs.serving(
        "weak",
        gates=[
            {"metric": "f1", "op": ">=", "value": 0.9},
            {"metric": "accuracy", "op": ">=", "value": 0.75},
        ],
    )
    none = vs.serving("none", gates=[])
    relaxed = vs.serving(
        "relaxed", overrides={"production": {"gates": [{"metric": "f1", "op": ">", "value": 0.5}]}}
    )
    tightened = vs.serving(
        "tightened",
        gates=[],
        overrides={"production": {"gates": [{"metric": "accuracy", "op": "==", "value": 1}]}},
    )
    found = vs.run(policy.check, [env, strong, weak, none, relaxed, tightened], env="production")
    assert sorted((d.name, d.path) for d in found) == [
        ("none", "spec.gates"),
        ("relaxed", "spec.overrides.production.gates"),
        ("weak", "spec.gates[1].value"),
    ]
    weak_message = next(d.message for d in found if d.name == "weak")
    assert (
        weak_message
        == "gate 'accuracy >= 0.75' is weaker than production's minimum 'accuracy >= 0.8'"
    )


def test_an_unknown_environment_enforces_nothing_here() -> None:
    docs = [vs.environment(requirePinnedImages=True), vs.template()]
    assert vs.run(policy.check, docs, env="staging") == []
