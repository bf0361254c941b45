"""Quota fit: BOS501 (requests over hard caps), BOS502 (sweep parallelism), BOS503 (overlaps)."""

from __future__ import annotations

from typing import Any

import validate_support as vs
from bosun.spec.v1alpha1 import common
from bosun.validate import quotas


def run(*docs: vs.Doc) -> list[tuple[str, str]]:
    return vs.found(vs.run(quotas.check, docs))


def test_the_repository_fits() -> None:
    assert vs.run(quotas.check, vs.repository()) == []


def test_excess_compares_quantities_by_value() -> None:
    hard = common.Resources(cpu="2", memory="4Gi", gpu=1)
    assert list(quotas.excess(common.Resources(cpu="2000m", memory="4096Mi", gpu=1), hard)) == []
    assert list(quotas.excess(common.Resources(cpu="2001m", memory="5G"), hard)) == [
        ("cpu", "2001m", "2"),
        ("memory", "5G", "4Gi"),
    ]
    assert list(quotas.excess(common.Resources(gpu=3), common.Resources(cpu="1"))) == []


def test_step_resources_win_over_template_and_quota_defaults() -> None:
    small = vs.quota(hard={"cpu": "1", "memory": "32Gi"}, defaultStepResources={"cpu": "500m"})
    step = vs.fit_step(resources={"cpu": "750m"})
    assert run(vs.template(), vs.pipeline(steps=[vs.prepare_step(), step]), small) == []


def test_a_step_over_the_cap_points_at_its_own_value() -> None:
    step = vs.fit_step(resources={"memory": "48Gi"})
    diagnostics = vs.run(
        quotas.check, [vs.template(), vs.pipeline(steps=[vs.prepare_step(), step]), vs.quota()]
    )
    (diagnostic,) = diagnostics
    assert (diagnostic.code, diagnostic.path) == ("BOS501", "spec.steps[1].resources.memory")
    assert "memory 48Gi" in diagnostic.message and "32Gi" in diagnostic.message
    assert "every environment" in diagnostic.message


def test_a_template_over_the_cap_points_at_the_step_template() -> None:
    template = vs.template(resources={"cpu": "1", "gpu": 2})
    (diagnostic,) = vs.run(quotas.check, [template, vs.pipeline(), vs.quota()])
    assert (diagnostic.path, diagnostic.code) == ("spec.steps[1].template", "BOS501")
    assert "from template 'fit'" in diagnostic.message


def test_defaults_over_the_cap_are_reported_once_on_the_quota() -> None:
    quota = vs.quota(defaultStepResources={"cpu": "12"})
    assert run(vs.template(), vs.pipeline(), quota) == [("BOS501", "spec.defaultStepResources.cpu")]


def test_a_step_inheriting_the_default_in_an_environment_list() -> None:
    quota = vs.quota(
        environments=["dev", "production"], hard={"memory": "512Mi"}, defaultStepResources=None
    )
    template = vs.template(resources={"memory": "1Gi"})
    (diagnostic,) = vs.run(quotas.check, [template, vs.pipeline(), quota])
    assert "environments dev, production" in diagnostic.message


def test_quotas_of_other_teams_do_not_apply() -> None:
    assert (
        run(
            vs.template(),
            vs.pipeline(),
            vs.quota(team_name="search", hard={"cpu": "1m"}, defaultStepResources=None),
        )
        == []
    )


def test_sweep_parallelism() -> None:
    sweep: dict[str, Any] = {"parallelism": 5, "parameters": {"epochs": ["1", "2"]}}
    experiment = vs.experiment(parameters={}, sweep=sweep)
    assert run(experiment, vs.quota()) == [("BOS502", "spec.sweep.parallelism")]
    assert run(experiment, vs.quota(maxParallelSteps=5)) == []
    assert run(experiment, vs.quota(maxParallelSteps=None)) == []


def test_a_serving_replica_over_the_cap_in_an_environment() -> None:
    target = vs.serving(
        resources={"cpu": "1"}, overrides={"production": {"resources": {"cpu": "16"}}}
    )
    assert run(target, vs.quota()) == [("BOS501", "spec.overrides.production.resources.cpu")]
    assert run(target, vs.quota(environments=["dev"])) == []


def test_overlapping_quotas() -> None:
    a = vs.quota("a", environments=["dev", "production"])
    b = vs.quota("b", environments=["production", "staging"])
    c = vs.quota("c", environments=["staging"])
    diagnostics = vs.run(quotas.check, [a, b, c])
    assert [d.message for d in diagnostics] == [
        "quotas 'a' and 'b' of team 'ml' both apply to production",
        "quotas 'b' and 'c' of team 'ml' both apply to staging",
    ]
    everywhere = vs.quota("all")
    assert [d.message for d in vs.run(quotas.check, [everywhere, vs.quota("more")])] == [
        "quotas 'all' and 'more' of team 'ml' both apply to every environment"
    ]
    assert [d.path for d in vs.run(quotas.check, [everywhere, c])] == ["spec.environments"]
    assert run(vs.quota("x", environments=[]), everywhere) == []
