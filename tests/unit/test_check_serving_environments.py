"""BOS306 (a served model is registered by an Experiment or external) and BOS314 (environment
names in quotas, overrides and --env)."""

from __future__ import annotations

import validate_support as vs
from bosun.validate import environments, serving


def test_a_model_registered_by_any_experiment_can_be_served() -> None:
    assert vs.run(serving.check, vs.repository()) == []
    other_team = [vs.experiment(team_name="search"), vs.serving()]
    assert vs.run(serving.check, other_team) == []


def test_an_unregistered_model() -> None:
    (diagnostic,) = vs.run(serving.check, [vs.experiment(), vs.serving(model="recommender2")])
    assert (diagnostic.code, diagnostic.path) == ("BOS306", "spec.model")
    assert diagnostic.hint is not None
    assert diagnostic.hint.startswith("did you mean 'recommender'?")
    assert "external: true" in diagnostic.hint


def test_an_external_model_needs_no_experiment() -> None:
    assert vs.run(serving.check, [vs.serving(model="vendor-model", external=True)]) == []


def test_no_unknown_model_when_an_experiment_failed_its_schema() -> None:
    assert vs.run(serving.check, [vs.serving()], rejected=[("Experiment", "ml", "x")]) == []


def test_environment_names_are_checked_only_when_environments_exist() -> None:
    docs = [vs.quota(environments=["prod"]), vs.serving(overrides={"staging": {"version": "2"}})]
    assert vs.run(environments.check, docs) == []
    found = vs.run(environments.check, [vs.environment("production"), *docs])
    assert vs.found(found) == [
        ("BOS314", "spec.environments[0]"),
        ("BOS314", "spec.overrides.staging"),
    ]
    assert {d.hint for d in found} == {"did you mean 'production'?", "known: 'production'"}


def test_known_and_rejected_environments_pass() -> None:
    docs = [vs.environment("production"), vs.quota(environments=["production", "dev"])]
    assert vs.run(environments.check, docs, rejected=[("Environment", None, "dev")]) == []


def test_the_selected_environment_must_exist() -> None:
    docs = [vs.environment("production"), vs.environment("dev")]
    assert vs.run(environments.check, docs, env="dev") == []
    (diagnostic,) = vs.run(environments.check, docs, env="prod")
    assert diagnostic.code == "BOS314"
    assert diagnostic.file == "environments/dev.yaml"
    assert diagnostic.message == "--env prod: no Environment named 'prod'"


def test_the_selected_environment_without_any_environment_manifest() -> None:
    (diagnostic,) = vs.run(environments.check, [vs.team()], env="production")
    assert (diagnostic.file, diagnostic.line, diagnostic.column) == (".", 1, 1)
    assert "no Environment manifests" in diagnostic.message
