"""ServingTargets through reconcile with a real MLflow registry (sqlite): the alias moves only
when the gates pass on the version's source run, a failed gate or a missing version changes
nothing and shows Degraded, an alias moved by hand is put back, and the audit log answers
which version served when."""

from __future__ import annotations

import pathlib

import pytest
from bosun.gitops import state

from tests.integration import gitops_support as g
from tests.integration import registry_support as r

pytestmark = pytest.mark.slow

SERVING = """\
apiVersion: bosun.dev/v1alpha1
kind: ServingTarget
metadata: {{name: iris-api, team: toy}}
spec:
  model: iris-classifier
  version: "{version}"
  gates: [{{metric: accuracy, op: ">=", value: 0.85}}]
"""


TRAINING = {
    # on a schedule: a CronWorkflow, so reconcile starts no run (the registry is seeded)
    "teams/toy/experiment.yaml": """\
        apiVersion: bosun.dev/v1alpha1
        kind: Experiment
        metadata: {name: toy-run, team: toy}
        spec:
          pipeline: p
          schedule: "0 3 * * *"
          register: {model: iris-classifier, artifact: model, step: work}
        """,
    "teams/toy/pipeline.yaml": """\
        apiVersion: bosun.dev/v1alpha1
        kind: Pipeline
        metadata: {name: p, team: toy}
        spec:
          steps:
            - name: work
              image: python:3.11
              command: [python, teams/toy/step.py, "${{ outputs.model }}"]
              outputs: {artifacts: [{name: model}]}
        """,
}


def _alias(uri: str) -> str | None:
    from bosun.tracking import registry

    return registry.MlflowRegistry(uri).alias(r.MODEL, "staging")


def _serving(state_dir: pathlib.Path) -> dict:
    store = state.Store(state_dir)
    try:
        status = store.status("dev")
        assert status is not None
        return status["serving"]["toy/iris-api"]
    finally:
        store.close()


def test_gates_decide_the_alias_and_a_hand_moved_alias_is_put_back(tmp_path: pathlib.Path) -> None:
    repo, state_dir = g.platform(tmp_path / "repo"), tmp_path / "state"
    state_dir.mkdir()
    uri = r.make_registry(state_dir)
    g.write(repo, {**TRAINING, "teams/toy/serving.yaml": SERVING.format(version="2")})
    g.commit_all(repo, "serve version 2 (accuracy 0.92)")
    first = g.run(repo, state_dir, "dev")
    assert first.phase == "Synced", first.error
    assert _alias(uri) == "2"
    assert _serving(state_dir)["phase"] == "Ready"
    service = state_dir / "local/dev/objects/InferenceService/toy/iris-api.json"
    assert '"models:/iris-classifier/2"' in service.read_text()

    g.write(repo, {"teams/toy/serving.yaml": SERVING.format(version="1")})
    g.commit_all(repo, "serve version 1 (accuracy 0.80)")
    outcome = g.run(repo, state_dir, "dev")
    assert outcome.phase == "Synced" and _alias(uri) == "2"  # the gate held it back
    serving = _serving(state_dir)
    assert serving["phase"] == "Degraded" and serving["version"] == "2"
    assert "accuracy 0.8 < 0.85" in serving["reason"]
    assert '"models:/iris-classifier/2"' in service.read_text()  # last good version serves

    g.write(repo, {"teams/toy/serving.yaml": SERVING.format(version="7")})
    g.commit_all(repo, "a version that does not exist")
    g.run(repo, state_dir, "dev")
    assert _alias(uri) == "2" and "no version 7" in _serving(state_dir)["reason"]

    g.write(repo, {"teams/toy/serving.yaml": SERVING.format(version="2")})
    g.commit_all(repo, "back to version 2")
    from bosun.tracking import registry

    registry.MlflowRegistry(uri).set_alias(r.MODEL, "staging", "1")  # moved by hand
    outcome = g.run(repo, state_dir, "dev")
    assert outcome.plan is not None
    aliases = [(a.verb, a.reason) for a in outcome.plan.writes if a.alias is not None]
    assert aliases == [("alias", "alias drifted")]
    assert _alias(uri) == "2"

    store = state.Store(state_dir)
    moves = [row for row in store.history(env="dev", model=r.MODEL) if row.action == "alias"]
    store.close()
    assert [m.detail["alias"]["version"] for m in moves] == ["2", "2"]
    assert [m.detail["alias"]["previous"] for m in moves] == [None, "1"]
