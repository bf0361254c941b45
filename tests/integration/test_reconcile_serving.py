"""ServingTargets through reconcile with a real MLflow registry (sqlite): the alias moves only
when the gates pass on the version's source run, a failed gate or a missing version changes
nothing and shows Degraded, an alias moved by hand is put back, and the audit log answers
which version served when."""

from __future__ import annotations

import json
import os
import pathlib
import signal
import subprocess
import sys
import time
import urllib.request

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


def _predict(url: str) -> str:
    """The model version that answered a real prediction at ``url``."""
    rows = {"dataframe_split": {"columns": ["x"], "data": [[0.0], [3.0]]}}
    request = urllib.request.Request(
        f"{url}/invocations", json.dumps(rows).encode(), {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert json.loads(answer.read())["predictions"] == [0, 1]
        return str(answer.headers["X-Bosun-Model-Version"])


def _serving(state_dir: pathlib.Path, env: str = "dev") -> dict:
    store = state.Store(state_dir)
    try:
        status = store.status(env)
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
    url = _serving(state_dir)["url"]
    assert url.startswith("http://127.0.0.1:") and _predict(url) == "2"

    g.write(repo, {"teams/toy/serving.yaml": SERVING.format(version="1")})
    g.commit_all(repo, "serve version 1 (accuracy 0.80)")
    outcome = g.run(repo, state_dir, "dev")
    assert outcome.phase == "Synced" and _alias(uri) == "2"  # the gate held it back
    serving = _serving(state_dir)
    assert serving["phase"] == "Degraded" and serving["version"] == "2"
    assert "accuracy 0.8 < 0.85" in serving["reason"]
    assert '"models:/iris-classifier/2"' in service.read_text()  # last good version serves
    assert _predict(url) == "2"

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


def test_a_git_revert_of_a_promotion_moves_the_alias_back_and_serves_the_earlier_version(
    tmp_path: pathlib.Path,
) -> None:
    repo, state_dir = g.platform(tmp_path / "repo"), tmp_path / "state"
    state_dir.mkdir()
    uri = r.make_registry(state_dir)
    lenient = SERVING.replace("value: 0.85", "value: 0.75")
    g.write(repo, {**TRAINING, "teams/toy/serving.yaml": lenient.format(version="1")})
    g.commit_all(repo, "serve version 1")
    assert g.run(repo, state_dir, "dev").phase == "Synced"
    g.write(repo, {"teams/toy/serving.yaml": lenient.format(version="2")})
    g.commit_all(repo, "promote version 2")
    assert g.run(repo, state_dir, "dev").phase == "Synced"
    url = _serving(state_dir)["url"]
    assert _alias(uri) == "2" and _predict(url) == "2"

    g.git(repo, "revert", "--no-edit", "HEAD")
    reverted = g.git(repo, "rev-parse", "HEAD").strip()
    outcome = g.run(repo, state_dir, "dev")
    assert outcome.phase == "Synced", outcome.error
    assert _alias(uri) == "1"
    assert _serving(state_dir)["url"] == url and _predict(url) == "1"
    store = state.Store(state_dir)
    moves = [row for row in store.history(env="dev", model=r.MODEL) if row.action == "alias"]
    store.close()
    assert [(m.detail["alias"]["previous"], m.detail["alias"]["version"]) for m in moves] == [
        (None, "1"),
        ("1", "2"),
        ("2", "1"),
    ]
    assert moves[-1].commit == reverted


def test_the_controller_serves_and_stops_its_servers_when_it_stops(tmp_path: pathlib.Path) -> None:
    repo, state_dir = g.platform(tmp_path / "repo"), tmp_path / "state"
    state_dir.mkdir()
    r.make_registry(state_dir)
    g.write(repo, {**TRAINING, "teams/toy/serving.yaml": SERVING.format(version="2")})
    g.commit_all(repo, "serve version 2")
    argv = [str(pathlib.Path(sys.executable).parent / "bosun"), "controller", "--repo", str(repo)]
    argv += ["--interval", "3600", "--state-dir", str(state_dir)]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 180
        while not (state.path_of(state_dir).exists() and _url_of(state_dir)):
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            assert time.monotonic() < deadline, "the controller never served"
            time.sleep(0.3)
        url = _url_of(state_dir)
        assert _predict(url) == "2"
        records = list(state_dir.glob("local/dev/serving/*.json"))
        pids = [p for f in records for p in _pids(f)]
        assert pids
    finally:
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=60)
    assert process.returncode == 0, out
    assert "stopped 2 serving process(es)" in out
    assert not any(_alive(pid) for pid in pids)


def _url_of(state_dir: pathlib.Path) -> str:
    try:
        return str(_serving(state_dir).get("url") or "")
    except (AssertionError, KeyError):
        return ""


def _pids(record: pathlib.Path) -> list[int]:
    found = json.loads(record.read_text())
    return [found["routerPid"], *(b["pid"] for b in found["backends"])]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return (
        pathlib.Path(f"/proc/{pid}").exists()
        and "zombie" not in pathlib.Path(f"/proc/{pid}/status").read_text().lower()
    )


REMOTE_PRODUCTION = """\
apiVersion: bosun.dev/v1alpha1
kind: Environment
metadata: {{name: production}}
spec:
  branch: production
  target: {{type: local}}
  tracking: {{uri: "{uri}"}}
  registryAlias: production
  policy: {{selfHeal: true, prune: true}}
"""


def test_an_environment_with_its_own_mlflow_server_gets_the_promoted_version_copied_there(
    tmp_path: pathlib.Path,
) -> None:
    from bosun.tracking import registry

    repo, state_dir = g.platform(tmp_path / "repo"), tmp_path / "state"
    state_dir.mkdir()
    r.make_registry(state_dir)  # trained and registered in the embedded store
    (tmp_path / "remote").mkdir()
    with r.mlflow_server(tmp_path / "remote") as remote:
        g.git(repo, "checkout", "-q", "production")
        g.write(
            repo,
            {
                **TRAINING,
                "environments/production.yaml": REMOTE_PRODUCTION.format(uri=remote),
                "teams/toy/serving.yaml": SERVING.format(version="2"),
            },
        )
        g.commit_all(repo, "production tracks on its own server; serve version 2")
        first = g.run(repo, state_dir, "production")
        assert first.phase == "Synced", first.error
        there = registry.MlflowRegistry(remote)
        copies = there.versions(r.MODEL)
        assert [c.tags[registry.SOURCE_VERSION_TAG] for c in copies] == ["2"]
        assert there.alias(r.MODEL, "production") == str(copies[0].version)
        found = there.version(r.MODEL, str(copies[0].version))
        assert found is not None and found.metrics == {"accuracy": 0.92}
        assert found.tags["bosun.environment"] == "production"
        assert (
            registry.MlflowRegistry(f"sqlite:///{state_dir / 'mlflow.db'}").alias(
                r.MODEL, "production"
            )
            is None
        )  # the embedded store's aliases are other environments'

        again = g.run(repo, state_dir, "production")
        assert again.plan is not None and list(again.plan.writes) == [] and again.applied == 0
        assert len(there.versions(r.MODEL)) == 1  # copied once

        url = _serving(state_dir, "production")["url"]
        assert _predict(url) == "2"
