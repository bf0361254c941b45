"""Health of live objects: status blocks shaped like Argo CD's health-check test data
(resource_customizations/*/testdata) and what Argo Workflows, KServe and the quota controller
write, with Kubernetes quantity parsing at its edges."""

from __future__ import annotations

import dataclasses
import decimal
import typing
from typing import Any

import pytest
import yaml
from bosun.plan import health
from bosun.plan.health import Health


def _load(text: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


# --- Workflow ---------------------------------------------------------------------------------

FAILED_WORKFLOW = _load("""
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: train-7f9c2, namespace: team-vision}
spec: {entrypoint: main}
status:
  phase: Failed
  message: child 'train-7f9c2-2251' failed
  startedAt: "2025-03-01T10:00:00Z"
  finishedAt: "2025-03-01T10:04:12Z"
  nodes:
    train-7f9c2:
      id: train-7f9c2
      name: train-7f9c2
      displayName: train-7f9c2
      type: DAG
      templateName: main
      phase: Failed
      message: child 'train-7f9c2-2251' failed
      children: [train-7f9c2-1120, train-7f9c2-3390]
    train-7f9c2-1120:
      id: train-7f9c2-1120
      name: train-7f9c2.prepare
      displayName: prepare
      type: Pod
      templateName: prepare
      phase: Succeeded
      boundaryID: train-7f9c2
    train-7f9c2-3390:
      id: train-7f9c2-3390
      name: train-7f9c2.fit
      displayName: fit
      type: Retry
      phase: Failed
      boundaryID: train-7f9c2
      children: [train-7f9c2-2251]
    train-7f9c2-2251:
      id: train-7f9c2-2251
      name: train-7f9c2.fit(0)
      displayName: fit(0)
      type: Pod
      templateName: fit
      phase: Failed
      message: OOMKilled (exit code 137)
      boundaryID: train-7f9c2
    train-7f9c2-4410:
      id: train-7f9c2-4410
      name: train-7f9c2.evaluate
      displayName: evaluate
      type: Pod
      phase: Error
      message: pod deleted
      boundaryID: train-7f9c2
""")


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ({"phase": "Running", "message": "running"}, Health("Progressing", "running")),
        ({"phase": "Pending"}, Health("Progressing", "")),
        ({}, Health("Progressing", "")),
        ({"phase": "Succeeded", "message": "done"}, Health("Healthy", "done")),
        ({"phase": "Paused"}, Health("Unknown", "phase Paused")),
    ],
)
def test_workflow_phases_follow_argo_cd(status: dict[str, Any], expected: Health) -> None:
    obj = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "status": status}
    assert health.health_of(obj) == expected


def test_a_failed_workflow_names_its_failed_pods_not_the_dag_above_them() -> None:
    assert health.health_of(FAILED_WORKFLOW) == Health(
        "Degraded", "child 'train-7f9c2-2251' failed; failed: evaluate, fit(0)"
    )


def test_an_error_before_any_pod_ran_names_the_nodes_that_failed() -> None:
    nodes = {
        "wf": {"displayName": "wf", "type": "DAG", "phase": "Error"},
        "wf-1": {"displayName": "resolve", "type": "Skipped", "phase": "Error"},
    }
    obj = {"kind": "Workflow", "status": {"phase": "Error", "nodes": nodes}}
    assert health.health_of(obj) == Health("Degraded", "failed: resolve")


def test_a_failed_workflow_without_message_or_nodes_says_its_phase() -> None:
    assert health.workflow({"status": {"phase": "Error"}}) == Health("Degraded", "Error")


def test_many_failed_nodes_are_summarised() -> None:
    nodes = {
        f"n{i}": {"displayName": f"shard-{i}", "type": "Pod", "phase": "Failed"} for i in range(8)
    }
    message = health.workflow({"status": {"phase": "Failed", "nodes": nodes}}).message
    assert message == "failed: shard-0, shard-1, shard-2, shard-3, shard-4 (+3 more)"


# --- CronWorkflow -----------------------------------------------------------------------------


def _cron(status: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "CronWorkflow",
        "metadata": {"name": "nightly", "namespace": "team-vision"},
        "spec": {"schedule": "0 2 * * *", "workflowSpec": {"entrypoint": "main"}},
        "status": status,
    }


def test_cron_workflow_submission_error_is_degraded() -> None:
    condition = {
        "lastTransitionTime": "2021-11-12T14:28:01Z",
        "message": "there is a submission error",
        "status": "True",
        "type": "SubmissionError",
    }
    assert health.health_of(_cron({"conditions": [condition]})) == Health(
        "Degraded", "SubmissionError: there is a submission error"
    )


def test_cron_workflow_spec_error_is_degraded_only_while_true() -> None:
    true = {"type": "SpecError", "status": "True", "message": "something is wrong with the spec"}
    false = {**true, "status": "False", "message": "this status may be outdated"}
    assert health.health_of(_cron({"conditions": [true]})).status == "Degraded"
    assert health.health_of(_cron({"conditions": [false]})) == Health(
        "Healthy", "not scheduled yet"
    )


def test_cron_workflow_notes_its_last_schedule_and_active_runs() -> None:
    status = {
        "active": [{"kind": "Workflow", "name": "nightly-1740794400", "namespace": "team-vision"}],
        "lastScheduledTime": "2025-03-01T02:00:00Z",
        "conditions": [],
        "succeeded": 12,
        "failed": 1,
    }
    assert health.health_of(_cron(status)) == Health(
        "Healthy", "last scheduled 2025-03-01T02:00:00Z, 1 active"
    )


def test_a_completed_cron_workflow_is_healthy_with_its_message() -> None:
    condition = {"type": "Completed", "status": "True", "message": "we are done"}
    assert health.health_of(_cron({"conditions": [condition]})) == Health("Healthy", "we are done")


# --- InferenceService -------------------------------------------------------------------------

DEGRADED_ISVC = _load("""
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata: {name: helloworld, namespace: default}
spec: {}
status:
  conditions:
  - lastTransitionTime: "2022-06-14T03:45:38Z"
    reason: Predictor ingress not created
    status: "False"
    type: IngressReady
  - lastTransitionTime: "2022-06-14T03:45:38Z"
    message: 'Revision "helloworld-00002" failed with message: Container failed.'
    reason: RevisionFailed
    status: "False"
    type: PredictorReady
  - lastTransitionTime: "2022-06-14T03:45:38Z"
    severity: Info
    status: "True"
    type: PredictorRouteReady
  - lastTransitionTime: "2022-06-14T03:45:38Z"
    reason: Predictor ingress not created
    status: "False"
    type: Ready
""")

CANARY_ISVC = _load("""
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata: {name: my-model, namespace: serving}
spec:
  predictor:
    canaryTrafficPercent: 10
    model: {modelFormat: {name: sklearn}, storageUri: "gs://models/iris/2"}
status:
  url: http://my-model.serving.example.com
  components:
    predictor:
      latestCreatedRevision: my-model-predictor-00002
      latestReadyRevision: my-model-predictor-00002
      latestRolledoutRevision: my-model-predictor-00001
      previousRolledoutRevision: my-model-predictor-00001
      traffic:
      - latestRevision: true
        percent: 10
        revisionName: my-model-predictor-00002
        tag: latest
        url: http://latest-my-model-predictor.serving.example.com
      - latestRevision: false
        percent: 90
        revisionName: my-model-predictor-00001
        tag: prev
        url: http://prev-my-model-predictor.serving.example.com
      url: http://my-model-predictor.serving.example.com
  conditions:
  - {type: IngressReady, status: "True", lastTransitionTime: "2025-03-01T10:00:00Z"}
  - {type: PredictorReady, status: "True", lastTransitionTime: "2025-03-01T10:00:00Z"}
  - {type: Ready, status: "True", lastTransitionTime: "2025-03-01T10:00:00Z"}
""")


def test_inference_service_ready_false_is_degraded_with_each_failing_condition() -> None:
    assert health.health_of(DEGRADED_ISVC) == Health(
        "Degraded",
        "IngressReady is False (Predictor ingress not created); "
        'PredictorReady is False (RevisionFailed): Revision "helloworld-00002" failed with '
        "message: Container failed.; Ready is False (Predictor ingress not created)",
    )


def test_inference_service_without_ready_condition_is_progressing() -> None:
    obj = {"kind": "InferenceService", "status": {}}
    assert health.health_of(obj) == Health("Progressing", "waiting for the Ready condition")


def test_inference_service_ready_unknown_is_progressing_with_the_reason() -> None:
    ready = {"type": "Ready", "status": "Unknown", "reason": "RevisionMissing"}
    got = health.health_of({"kind": "InferenceService", "status": {"conditions": [ready]}})
    assert got == Health("Progressing", "Ready is Unknown (RevisionMissing)")


def test_inference_service_canary_is_described() -> None:
    assert health.health_of(CANARY_ISVC) == Health(
        "Healthy",
        "ready; canary 10% on revision my-model-predictor-00002 (90% on my-model-predictor-00001)",
    )


def test_inference_service_fully_rolled_out_has_no_canary() -> None:
    status = CANARY_ISVC["status"]
    predictor = {
        **status["components"]["predictor"],
        "latestRolledoutRevision": "my-model-predictor-00002",
        "traffic": [
            {"latestRevision": True, "percent": 100, "revisionName": "my-model-predictor-00002"}
        ],
    }
    obj = {**CANARY_ISVC, "status": {**status, "components": {"predictor": predictor}}}
    assert health.health_of(obj) == Health("Healthy", "ready")


def test_inference_service_revision_not_rolled_out_is_noted() -> None:
    predictor = {
        "latestCreatedRevision": "m-predictor-00003",
        "latestRolledoutRevision": "m-predictor-00002",
        "traffic": [{"latestRevision": False, "percent": 100, "revisionName": "m-predictor-00002"}],
    }
    status = {
        "components": {"predictor": predictor},
        "conditions": [{"type": "Ready", "status": "True"}],
    }
    assert health.inference_service({"status": status}).message == (
        "ready; revision m-predictor-00003 not rolled out yet (serving m-predictor-00002)"
    )


# --- ResourceQuota ----------------------------------------------------------------------------


def _quota(hard: dict[str, Any], used: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": {"name": "team-vision", "namespace": "team-vision"},
        "spec": {"hard": hard},
        "status": {"hard": hard, "used": used},
    }


def test_quota_under_its_limits_is_healthy() -> None:
    hard = {"requests.cpu": "4", "requests.memory": "8Gi", "limits.memory": "16Gi", "pods": "10"}
    used = {
        "requests.cpu": "3500m",
        "requests.memory": "7680Mi",
        "limits.memory": "8G",
        "pods": "3",
    }
    assert health.health_of(_quota(hard, used)) == Health(
        "Healthy", "4 resources under their limits"
    )


def test_quota_at_its_limit_is_degraded_naming_what_is_full() -> None:
    hard = {
        "requests.cpu": "4",
        "requests.memory": "2Gi",
        "pods": "10",
        "requests.nvidia.com/gpu": "1",
    }
    used = {
        "requests.cpu": "4000m",
        "requests.memory": "2048Mi",
        "pods": "4",
        "requests.nvidia.com/gpu": "1",
    }
    assert health.health_of(_quota(hard, used)) == Health(
        "Degraded",
        "exhausted: requests.cpu 4000m/4, requests.memory 2048Mi/2Gi, requests.nvidia.com/gpu 1/1",
    )


def test_quota_before_the_controller_counted_is_progressing() -> None:
    obj = {"kind": "ResourceQuota", "spec": {"hard": {"pods": "10"}}}
    assert health.health_of(obj) == Health("Progressing", "quota not yet computed")


def test_a_missing_used_entry_counts_as_zero_and_an_unused_zero_limit_is_a_ban() -> None:
    got = health.health_of(_quota({"pods": "10", "services.loadbalancers": "0"}, {}))
    assert got == Health("Healthy", "2 resources under their limits")
    over = health.health_of(
        _quota({"services.loadbalancers": "0"}, {"services.loadbalancers": "1"})
    )
    assert over == Health("Degraded", "exhausted: services.loadbalancers 1/0")


def test_unreadable_quantities_are_unknown_not_guessed() -> None:
    got = health.health_of(_quota({"requests.memory": "4GB"}, {"requests.memory": "1Gi"}))
    assert got == Health("Unknown", "unreadable quantity: requests.memory")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("500m", "0.5"),
        ("4", "4"),
        ("4000m", "4"),
        ("2Gi", str(2 * 2**30)),
        ("512Mi", str(512 * 2**20)),
        ("1G", "1000000000"),
        ("1k", "1000"),
        ("1Ki", "1024"),
        ("100n", "1E-7"),
        ("1.5Gi", str(3 * 2**29)),
        (".5", "0.5"),
        ("1e3", "1000"),
        ("1E", "1E+18"),
        ("1Ei", str(2**60)),
        ("-1", "-1"),
        ("+2", "2"),
        (" 3 ", "3"),
        (0, "0"),
        (2, "2"),
        (0.25, "0.25"),
    ],
)
def test_quantities_parse_exactly(text: object, value: str) -> None:
    assert health.parse_quantity(text) == decimal.Decimal(value)


@pytest.mark.parametrize("text", ["", "4GB", "1.2.3", "Gi", "m", "1 Gi", "ten", None, True, [1]])
def test_non_quantities_are_none(text: object) -> None:
    assert health.parse_quantity(text) is None


def test_binary_and_decimal_suffixes_compare_by_value() -> None:
    one_gi, one_g = health.parse_quantity("1Gi"), health.parse_quantity("1G")
    assert one_gi is not None and one_g is not None and one_gi > one_g
    assert health.parse_quantity("1024Mi") == one_gi


# --- Namespace, others, dispatch --------------------------------------------------------------


def test_terminating_namespace_is_progressing() -> None:
    obj = {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": "team-old", "deletionTimestamp": "2025-03-01T10:00:00Z"},
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Terminating"},
    }
    assert health.health_of(obj) == Health("Progressing", "terminating")
    assert health.health_of({"kind": "Namespace", "status": {"phase": "Active"}}) == Health(
        "Healthy", "Active"
    )


def test_other_kinds_are_healthy_when_present_and_nothing_is_missing() -> None:
    assert health.health_of({"kind": "LimitRange", "metadata": {"name": "x"}}) == Health("Healthy")
    assert health.health_of({"kind": "WorkflowTemplate", "spec": {}}).status == "Healthy"
    assert health.health_of(None) == Health("Missing", "not found")
    assert health.health_of({}) == Health("Missing", "not found")


def test_an_object_being_deleted_is_progressing() -> None:
    obj = {
        "kind": "ConfigMap",
        "metadata": {"name": "x", "deletionTimestamp": "2025-03-01T10:00:00Z"},
    }
    assert health.health_of(obj) == Health("Progressing", "being deleted")


def test_malformed_status_never_raises() -> None:
    for kind in ("Workflow", "CronWorkflow", "InferenceService", "ResourceQuota", "Namespace"):
        for status in (None, "text", [], {"conditions": "x", "nodes": [], "components": 3}):
            got = health.health_of({"kind": kind, "status": status})
            assert got.status in typing.get_args(health.Status)


def test_health_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        Health("Healthy").status = "Degraded"  # type: ignore[misc]
