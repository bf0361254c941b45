"""The Kubernetes target reconciled through the real loop against the fake API server, over real
HTTP with the official client: first sync, a no-op that writes nothing, prune and its guard,
drift repaired, a field-ownership conflict, a missing CRD, and a Workflow read back as Failed."""

from __future__ import annotations

import json
import pathlib
import urllib.request

import pytest
from bosun.commands import controller as controller_command
from bosun.gitops import source, state
from bosun.plan import objects
from bosun.targets.kubernetes import api, target
from bosun.targets.kubernetes import config as kubeconfig
from integration import gitops_support

from kube import kube_support
from kube.fake_apiserver import ARGO, KSERVE, FakeApiServer

CORE = ""


@pytest.fixture
def repo(tmp_path: pathlib.Path) -> pathlib.Path:
    return kube_support.platform(tmp_path / "repo")


@pytest.fixture
def config(tmp_path: pathlib.Path, apiserver: FakeApiServer) -> pathlib.Path:
    return kube_support.kubeconfig(tmp_path / "kubeconfig", apiserver)


def _edit(server: FakeApiServer, path: str, patch: dict[str, object]) -> None:
    """What ``kubectl edit`` does: a merge patch as field manager kubectl-edit."""
    request = urllib.request.Request(
        f"{server.url}{path}?fieldManager=kubectl-edit",
        data=json.dumps(patch).encode(),
        method="PATCH",
        headers={"Content-Type": "application/merge-patch+json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200


def _audit(state_dir: pathlib.Path) -> list[tuple[str, str, str]]:
    store = state.Store(state_dir)
    try:
        return [(r.action, r.object, r.outcome) for r in store.history(env="dev")]
    finally:
        store.close()


QUOTA_PATH = "/api/v1/namespaces/ml-toy/resourcequotas/default"


def test_first_sync_applies_in_order_and_a_second_reconcile_sends_no_write(
    repo: pathlib.Path, tmp_path: pathlib.Path, apiserver: FakeApiServer, config: pathlib.Path
) -> None:
    outcome, writes = kube_support.run(repo, tmp_path / "state", config)
    assert outcome.error is None and outcome.phase == "Progressing"  # the run is submitted
    namespace = apiserver.get(CORE, "namespaces", None, "ml-toy")
    quota = apiserver.get(CORE, "resourcequotas", "ml-toy", "default")
    assert namespace is not None and quota is not None
    assert quota["spec"]["hard"]["requests.cpu"] == "4"
    managers = {e["manager"] for e in quota["metadata"]["managedFields"]}
    assert managers == {"bosun"}
    applies = [r for r in apiserver.requests if r[0] == "PATCH"]
    assert applies and all(r[3] == "application/apply-patch+yaml" for r in applies)
    assert all(r[2]["fieldManager"] == "bosun" for r in applies)
    assert applies[0][1] == "/api/v1/namespaces/ml-toy"  # the namespace before what it holds
    workflows = apiserver.objects(ARGO, "workflows")
    assert [w["metadata"]["labels"]["bosun.dev/experiment"] for w in workflows] == ["toy-run"]
    assert writes == apiserver.writes and writes == len(applies) + 1  # + the Workflow's create
    env_vars = json.dumps(workflows[0])
    assert kube_support.TRACKING in env_vars  # steps log to the environment's MLflow server

    apiserver.reset_log()
    again, writes = kube_support.run(repo, tmp_path / "state", config)
    assert again.applied == 0 and writes == 0 and apiserver.writes == 0
    assert all(method == "GET" for method, *_ in apiserver.requests)
    assert len(apiserver.objects(ARGO, "workflows")) == 1  # not submitted twice


def test_a_workflow_the_cluster_fails_is_read_back_into_status_and_the_audit_log(
    repo: pathlib.Path, tmp_path: pathlib.Path, apiserver: FakeApiServer, config: pathlib.Path
) -> None:
    kube_support.run(repo, tmp_path / "state", config)
    (workflow,) = apiserver.objects(ARGO, "workflows")
    name = workflow["metadata"]["name"]
    nodes = {
        f"{name}-1": {
            "id": f"{name}-1",
            "name": f"{name}.work",
            "displayName": "work",
            "type": "Pod",
            "phase": "Failed",
            "message": "Error (exit code 1)",
        }
    }
    failed = {"phase": "Failed", "message": "child failed", "nodes": nodes}
    apiserver.set_status(ARGO, "workflows", "ml-toy", name, failed)
    outcome, writes = kube_support.run(repo, tmp_path / "state", config)
    assert outcome.phase == "Failed" and writes == 0
    assert outcome.error is not None and "work" in outcome.error and "child failed" in outcome.error
    store = state.Store(tmp_path / "state")
    try:
        status = store.status("dev") or {}
    finally:
        store.close()
    assert status["runs"] == [{"workflow": name, "experiment": "toy-run", "phase": "Failed"}]
    assert ("run", f"Workflow/{name}", "Failed") in _audit(tmp_path / "state")


def test_drift_is_found_by_a_dry_run_and_repaired_with_self_heal(
    repo: pathlib.Path, tmp_path: pathlib.Path, apiserver: FakeApiServer, config: pathlib.Path
) -> None:
    kube_support.run(repo, tmp_path / "state", config)
    _edit(apiserver, QUOTA_PATH, {"spec": {"hard": {"requests.cpu": "64"}}})
    apiserver.reset_log()
    outcome, writes = kube_support.run(repo, tmp_path / "state", config)
    assert outcome.error is None and writes == 1
    quota = apiserver.get(CORE, "resourcequotas", "ml-toy", "default")
    assert quota is not None and quota["spec"]["hard"]["requests.cpu"] == "4"
    dry_runs = [r for r in apiserver.requests if r[2].get("dryRun") == "All"]
    assert [r[1] for r in dry_runs] == [QUOTA_PATH]
    (drift,) = [a for a in outcome.plan.actions if a.drift] if outcome.plan else []
    assert drift.verb == "update" and "kubectl-edit" in (drift.drift or "")
    assert "spec.hard.\"requests.cpu\" is '64', bosun applied '4'" in (drift.drift or "")
    assert ("update", "ResourceQuota/ml-toy/default", "applied") in _audit(tmp_path / "state")


def test_without_self_heal_drift_is_reported_and_left(
    tmp_path: pathlib.Path, apiserver: FakeApiServer, config: pathlib.Path
) -> None:
    repo = kube_support.platform(tmp_path / "repo", heal=False)
    kube_support.run(repo, tmp_path / "state", config)
    _edit(apiserver, QUOTA_PATH, {"spec": {"hard": {"requests.cpu": "64"}}})
    outcome, writes = kube_support.run(repo, tmp_path / "state", config)
    assert writes == 0 and outcome.plan is not None
    assert [a.object for a in outcome.plan.drift] == ["ResourceQuota/ml-toy/default"]
    quota = apiserver.get(CORE, "resourcequotas", "ml-toy", "default")
    assert quota is not None and quota["spec"]["hard"]["requests.cpu"] == "64"


def test_a_conflict_names_the_other_manager_and_is_forced_only_where_the_environment_says(
    tmp_path: pathlib.Path, apiserver: FakeApiServer, config: pathlib.Path
) -> None:
    repo = kube_support.platform(tmp_path / "repo", heal=False)
    kube_support.run(repo, tmp_path / "state", config)
    _edit(apiserver, QUOTA_PATH, {"spec": {"hard": {"requests.cpu": "64"}}})
    quota = gitops_support.QUOTA.replace('cpu: "4"', 'cpu: "6"')
    gitops_support.write(repo, {"teams/toy/quota.yaml": quota})
    gitops_support.commit_all(repo, "more cpu")
    outcome, _ = kube_support.run(repo, tmp_path / "state", config)
    assert outcome.phase == "Failed" and outcome.error is not None
    assert "spec.hard.requests.cpu owned by field manager kubectl-edit" in outcome.error
    assert "forceConflicts" in outcome.error
    live = apiserver.get(CORE, "resourcequotas", "ml-toy", "default")
    assert live is not None and live["spec"]["hard"]["requests.cpu"] == "64"
    failed = [a for a in _audit(tmp_path / "state") if a[2].startswith("failed: ")]
    assert [a[1] for a in failed] == ["ResourceQuota/ml-toy/default"]

    env = kube_support.environment(heal=False, force=True)
    gitops_support.write(repo, {"environments/dev.yaml": env})
    gitops_support.commit_all(repo, "dev takes its fields back")
    outcome, _ = kube_support.run(repo, tmp_path / "state", config)
    assert outcome.error is None
    live = apiserver.get(CORE, "resourcequotas", "ml-toy", "default")
    assert live is not None and live["spec"]["hard"]["requests.cpu"] == "6"


def test_prune_deletes_what_left_git_and_the_guard_refuses_to_empty_the_environment(
    repo: pathlib.Path, tmp_path: pathlib.Path, apiserver: FakeApiServer, config: pathlib.Path
) -> None:
    kube_support.run(repo, tmp_path / "state", config)
    (repo / "teams/toy/quota.yaml").unlink()
    gitops_support.commit_all(repo, "no quota")
    outcome, _ = kube_support.run(repo, tmp_path / "state", config)
    assert outcome.error is None
    assert apiserver.get(CORE, "resourcequotas", "ml-toy", "default") is None
    assert apiserver.get(ARGO, "workflowtemplates", "ml-toy", "p") is not None

    gitops_support.git(repo, "rm", "-q", "-r", "teams")
    gitops_support.commit_all(repo, "everything gone")
    apiserver.reset_log()
    outcome, writes = kube_support.run(repo, tmp_path / "state", config)
    assert outcome.phase == "Failed" and "refusing to prune all" in (outcome.error or "")
    assert writes == 0 and apiserver.writes == 0
    assert apiserver.get(ARGO, "workflowtemplates", "ml-toy", "p") is not None


def test_a_missing_crd_is_named_before_anything_is_applied(
    repo: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    server = FakeApiServer(crds={KSERVE}).start()
    try:
        config = kube_support.kubeconfig(tmp_path / "kubeconfig", server)
        outcome, writes = kube_support.run(repo, tmp_path / "state", config)
        assert outcome.phase == "Failed" and writes == 0 and server.writes == 0
        assert "workflowtemplates.argoproj.io" in (outcome.error or "")
        assert "install Argo Workflows in the cluster first" in (outcome.error or "")
        assert server.get(CORE, "namespaces", None, "ml-toy") is None
    finally:
        server.stop()


def test_an_unreachable_cluster_fails_the_environment_without_a_traceback(
    repo: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    server = FakeApiServer().start()
    config = kube_support.kubeconfig(tmp_path / "kubeconfig", server)
    server.stop()
    outcome, _ = kube_support.run(repo, tmp_path / "state", config)
    assert outcome.phase == "Failed" and "cannot reach" in (outcome.error or "")


INFERENCE_SERVICE = {
    "apiVersion": "serving.kserve.io/v1beta1",
    "kind": "InferenceService",
    "metadata": {
        "name": "wine-api",
        "namespace": "ml-toy",
        "labels": {
            "app.kubernetes.io/managed-by": "bosun",
            "bosun.dev/environment": "dev",
            "bosun.dev/team": "toy",
        },
    },
    "spec": {
        "predictor": {
            "model": {
                "modelFormat": {"name": "mlflow"},
                "protocolVersion": "v2",
                "storageUri": "s3://models/wine/3",
            },
            "canaryTrafficPercent": 10,
        }
    },
}


def test_an_inference_service_reports_its_url_and_the_ready_condition_as_health(
    repo: pathlib.Path, tmp_path: pathlib.Path, apiserver: FakeApiServer, config: pathlib.Path
) -> None:
    kube_support.run(repo, tmp_path / "state", config)
    cluster = target.KubernetesTarget(
        api=api.Api(kubeconfig.connect(str(config), "fake")),
        env="dev",
        applied=lambda: {objects.key_of(INFERENCE_SERVICE): INFERENCE_SERVICE},
    )
    cluster.apply(INFERENCE_SERVICE)
    (served,) = [o for o in cluster.live() if o.key.kind == "InferenceService"]
    assert served.body == INFERENCE_SERVICE  # bosun's fields, read back from managedFields
    assert served.status["health"] == "Progressing" and "drift" not in served.status
    url = "http://wine-api.ml-toy.example.com"
    failing = {
        "url": url,
        "conditions": [
            {"type": "PredictorReady", "status": "False", "reason": "ImagePullBackOff"},
            {"type": "Ready", "status": "False", "reason": "ImagePullBackOff"},
        ],
    }
    apiserver.set_status(KSERVE, "inferenceservices", "ml-toy", "wine-api", failing)
    (served,) = [o for o in cluster.live() if o.key.kind == "InferenceService"]
    assert served.status["url"] == url and served.status["health"] == "Degraded"
    assert "ImagePullBackOff" in served.status["message"]
    ready = {"url": url, "conditions": [{"type": "Ready", "status": "True"}]}
    apiserver.set_status(KSERVE, "inferenceservices", "ml-toy", "wine-api", ready)
    (served,) = [o for o in cluster.live() if o.key.kind == "InferenceService"]
    assert served.status["health"] == "Healthy"


def test_the_controller_leaves_a_clusters_schedules_to_argo(
    repo: pathlib.Path, tmp_path: pathlib.Path, apiserver: FakeApiServer, config: pathlib.Path
) -> None:
    scheduled = gitops_support.FILES["teams/toy/experiment.yaml"].replace(
        "spec: {pipeline: p}", 'spec: {pipeline: p, schedule: "0 3 * * *"}'
    )
    gitops_support.write(repo, {"teams/toy/experiment.yaml": scheduled})
    gitops_support.commit_all(repo, "nightly")
    outcome, _ = kube_support.run(repo, tmp_path / "state", config)
    assert outcome.error is None
    (cron,) = apiserver.objects(ARGO, "cronworkflows")
    assert cron["spec"]["schedules"] == ["0 3 * * *"]
    mirror = source.Mirror(url=str(repo), state_dir=tmp_path / "state")
    assert controller_command._schedules(mirror) == []
