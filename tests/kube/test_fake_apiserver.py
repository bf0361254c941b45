"""The fake API server behaves like the real one where bosun's Kubernetes target will lean on it,
driven over real HTTP by the official client: discovery, CRUD and selectors, server-side apply
with field ownership and conflicts, dryRun, validation, status subresources and the write log."""

from __future__ import annotations

import concurrent.futures
import json
import pathlib
from typing import Any

import kubernetes
import pytest
from kubernetes.client.exceptions import ApiException
from kubernetes.dynamic import DynamicClient
from kubernetes.dynamic.exceptions import ResourceNotFoundError

from kube.fake_apiserver import ARGO, KSERVE, FakeApiServer

Json = dict[str, Any]
APPLY = "application/apply-patch+yaml"
MERGE = "application/merge-patch+json"


def call(
    client: kubernetes.client.ApiClient,
    method: str,
    path: str,
    body: Any = None,
    *,
    content_type: str = "application/json",
    **query: str,
) -> Json:
    """One request through the official client's transport; the decoded JSON reply."""
    response = client.call_api(
        *client.param_serialize(
            method,
            path,
            query_params=list(query.items()),
            header_params={"Content-Type": content_type, "Accept": "application/json"},
            body=body,
        )
    )
    response.read()
    if not 200 <= response.status <= 299:
        raise ApiException(status=response.status, reason=response.reason, http_resp=response)
    result: Json = json.loads(response.data)
    return result


def refused(error: pytest.ExceptionInfo[ApiException]) -> Json:
    status: Json = json.loads(error.value.body)
    assert status["kind"] == "Status"
    assert status["code"] == error.value.status
    return status


def namespace(client: kubernetes.client.ApiClient, name: str = "ml") -> Json:
    body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
    return call(client, "POST", "/api/v1/namespaces", body)


def quota(cpu: str, **extra: str) -> Json:
    return {
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": {"name": "team", "namespace": "ml"},
        "spec": {"hard": {"cpu": cpu, **extra}},
    }


QUOTA = "/api/v1/namespaces/ml/resourcequotas/team"


def workflow(name: str = "train", **spec: Any) -> Json:
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": {"name": name, "namespace": "ml", "labels": {"app": "bosun"}},
        "spec": {
            "entrypoint": "main",
            "templates": [{"name": "main", "container": {"image": "python:3.11"}}],
            **spec,
        },
    }


WORKFLOWS = "/apis/argoproj.io/v1alpha1/namespaces/ml/workflows"


def test_discovery_serves_every_resource_to_the_dynamic_client(
    dynamic_client: DynamicClient, kube_client: kubernetes.client.ApiClient
) -> None:
    expected = {
        ("v1", "Namespace"): False,
        ("v1", "ResourceQuota"): True,
        ("v1", "LimitRange"): True,
        ("v1", "ConfigMap"): True,
        ("v1", "ServiceAccount"): True,
        ("v1", "Service"): True,
        ("apps/v1", "Deployment"): True,
        ("rbac.authorization.k8s.io/v1", "Role"): True,
        ("rbac.authorization.k8s.io/v1", "RoleBinding"): True,
        ("rbac.authorization.k8s.io/v1", "ClusterRole"): False,
        ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"): False,
        ("coordination.k8s.io/v1", "Lease"): True,
        ("apiextensions.k8s.io/v1", "CustomResourceDefinition"): False,
        ("argoproj.io/v1alpha1", "Workflow"): True,
        ("argoproj.io/v1alpha1", "WorkflowTemplate"): True,
        ("argoproj.io/v1alpha1", "ClusterWorkflowTemplate"): False,
        ("argoproj.io/v1alpha1", "CronWorkflow"): True,
        ("serving.kserve.io/v1beta1", "InferenceService"): True,
    }
    for (api_version, kind), namespaced in expected.items():
        resource = dynamic_client.resources.get(api_version=api_version, kind=kind)
        assert resource.namespaced is namespaced, kind
    workflows = dynamic_client.resources.get(api_version="argoproj.io/v1alpha1", kind="Workflow")
    assert "status" in workflows.subresources
    version = kubernetes.client.VersionApi(kube_client).get_code()
    assert (version.major, version.minor) == ("1", "34")


def test_create_get_and_list_by_label_selector(kube_client: kubernetes.client.ApiClient) -> None:
    core = kubernetes.client.CoreV1Api(kube_client)
    core.create_namespace({"metadata": {"name": "ml"}})
    labels = {"a": {"tier": "web", "env": "dev"}, "b": {"tier": "db"}, "c": {"env": "prod"}}
    for name, these in labels.items():
        core.create_namespaced_config_map(
            "ml", {"metadata": {"name": name, "labels": these}, "data": {"k": name}}
        )
    fetched = core.read_namespaced_config_map("b", "ml")
    assert fetched.data == {"k": "b"}
    assert fetched.metadata.uid and fetched.metadata.creation_timestamp
    assert fetched.metadata.generation == 1

    def names(selector: str) -> list[str]:
        listed = core.list_namespaced_config_map("ml", label_selector=selector)
        return [item.metadata.name for item in listed.items]

    assert names("") == ["a", "b", "c"]
    assert names("tier=web") == ["a"]
    assert names("tier==db") == ["b"]
    assert names("tier!=web") == ["b", "c"]
    assert names("tier in (web,db)") == ["a", "b"]
    assert names("env notin (prod)") == ["a", "b"]
    assert names("env") == ["a", "c"]
    assert names("!env") == ["b"]
    assert names("tier,env=dev") == ["a"]
    raw = call(kube_client, "GET", "/api/v1/namespaces/ml/configmaps")
    assert raw["kind"] == "ConfigMapList"
    assert int(raw["metadata"]["resourceVersion"]) >= max(
        int(item["metadata"]["resourceVersion"]) for item in raw["items"]
    )
    with pytest.raises(ApiException) as error:
        names("tier in web")
    assert refused(error)["reason"] == "BadRequest"


def test_missing_objects_are_404_not_found(kube_client: kubernetes.client.ApiClient) -> None:
    namespace(kube_client)
    with pytest.raises(ApiException) as error:
        call(kube_client, "GET", "/apis/apps/v1/namespaces/ml/deployments/web")
    status = refused(error)
    assert status["reason"] == "NotFound"
    assert status["message"] == 'deployments.apps "web" not found'
    assert status["details"] == {"name": "web", "group": "apps", "kind": "deployments"}
    with pytest.raises(ApiException) as error:
        call(kube_client, "DELETE", "/api/v1/namespaces/ml/configmaps/nothing")
    assert refused(error)["message"] == 'configmaps "nothing" not found'


def test_create_twice_is_409_already_exists(kube_client: kubernetes.client.ApiClient) -> None:
    namespace(kube_client)
    call(kube_client, "POST", "/api/v1/namespaces/ml/resourcequotas", quota("1"))
    with pytest.raises(ApiException) as error:
        call(kube_client, "POST", "/api/v1/namespaces/ml/resourcequotas", quota("2"))
    status = refused(error)
    assert (status["code"], status["reason"]) == (409, "AlreadyExists")
    assert status["message"] == 'resourcequotas "team" already exists'


def test_replace_with_a_stale_resource_version_is_409_conflict(
    kube_client: kubernetes.client.ApiClient,
) -> None:
    namespace(kube_client)
    created = call(kube_client, "POST", "/api/v1/namespaces/ml/resourcequotas", quota("1"))
    fresh = dict(created, spec={"hard": {"cpu": "2"}})
    replaced = call(kube_client, "PUT", QUOTA, fresh)
    assert replaced["metadata"]["generation"] == 2
    assert int(replaced["metadata"]["resourceVersion"]) > int(
        created["metadata"]["resourceVersion"]
    )
    with pytest.raises(ApiException) as error:
        call(kube_client, "PUT", QUOTA, dict(created, spec={"hard": {"cpu": "3"}}))
    status = refused(error)
    assert (status["code"], status["reason"]) == (409, "Conflict")
    assert "the object has been modified" in status["message"]


def test_server_side_apply_creates_and_an_identical_apply_changes_nothing(
    dynamic_client: DynamicClient, apiserver: FakeApiServer
) -> None:
    namespace(dynamic_client.client)
    quotas = dynamic_client.resources.get(api_version="v1", kind="ResourceQuota")
    first = quotas.server_side_apply(body=quota("1"), field_manager="bosun").to_dict()
    assert first["spec"] == {"hard": {"cpu": "1"}}
    (entry,) = first["metadata"]["managedFields"]
    assert entry["manager"] == "bosun"
    assert entry["operation"] == "Apply"
    assert entry["fieldsType"] == "FieldsV1"
    assert entry["fieldsV1"] == {"f:spec": {"f:hard": {"f:cpu": {}}}}
    again = quotas.server_side_apply(body=quota("1"), field_manager="bosun").to_dict()
    assert again["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]
    assert again["metadata"]["managedFields"] == first["metadata"]["managedFields"]
    changed = quotas.server_side_apply(body=quota("2"), field_manager="bosun").to_dict()
    assert changed["metadata"]["generation"] == 2
    assert changed["metadata"]["resourceVersion"] != first["metadata"]["resourceVersion"]
    with pytest.raises(ApiException) as error:
        call(dynamic_client.client, "PATCH", QUOTA, quota("1"), content_type=APPLY)
    assert "fieldManager" in refused(error)["message"]


def test_apply_conflicts_with_another_managers_field_until_forced(
    kube_client: kubernetes.client.ApiClient,
) -> None:
    namespace(kube_client)
    call(kube_client, "PATCH", QUOTA, quota("1"), content_type=APPLY, fieldManager="bosun")
    edit = {"spec": {"hard": {"cpu": "4"}}}
    call(kube_client, "PATCH", QUOTA, edit, content_type=MERGE, fieldManager="kubectl-edit")
    with pytest.raises(ApiException) as error:
        call(kube_client, "PATCH", QUOTA, quota("1"), content_type=APPLY, fieldManager="bosun")
    status = refused(error)
    assert (status["code"], status["reason"]) == (409, "Conflict")
    assert status["message"] == (
        'Apply failed with 1 conflict: conflict with "kubectl-edit" using v1: .spec.hard.cpu'
    )
    assert status["details"]["causes"] == [
        {
            "type": "FieldManagerConflict",
            "message": 'conflict with "kubectl-edit" using v1',
            "field": ".spec.hard.cpu",
        }
    ]
    # Agreeing with the other manager's value is shared ownership, not a conflict.
    call(kube_client, "PATCH", QUOTA, quota("4"), content_type=APPLY, fieldManager="bosun")
    forced = call(
        kube_client,
        "PATCH",
        QUOTA,
        quota("1"),
        content_type=APPLY,
        fieldManager="bosun",
        force="true",
    )
    assert forced["spec"]["hard"]["cpu"] == "1"
    owners = {e["manager"]: e["fieldsV1"] for e in forced["metadata"]["managedFields"]}
    assert owners == {"bosun": {"f:spec": {"f:hard": {"f:cpu": {}}}}}


def test_fields_an_applier_stops_sending_are_removed_unless_someone_else_owns_them(
    kube_client: kubernetes.client.ApiClient,
) -> None:
    namespace(kube_client)
    full = quota("1", memory="1Gi", pods="10")
    full["metadata"]["labels"] = {"team": "ml", "old": "yes"}
    call(kube_client, "PATCH", QUOTA, full, content_type=APPLY, fieldManager="bosun")
    other = quota("1")  # same values: cpu and pods become shared
    other["spec"]["hard"] = {"pods": "10"}
    call(kube_client, "PATCH", QUOTA, other, content_type=APPLY, fieldManager="ops")
    smaller = quota("1")
    smaller["metadata"]["labels"] = {"team": "ml"}
    result = call(kube_client, "PATCH", QUOTA, smaller, content_type=APPLY, fieldManager="bosun")
    assert result["spec"]["hard"] == {"cpu": "1", "pods": "10"}
    assert result["metadata"]["labels"] == {"team": "ml"}
    owners = {e["manager"]: e["fieldsV1"] for e in result["metadata"]["managedFields"]}
    assert owners["bosun"] == {
        "f:metadata": {"f:labels": {"f:team": {}}},
        "f:spec": {"f:hard": {"f:cpu": {}}},
    }
    assert owners["ops"] == {"f:spec": {"f:hard": {"f:pods": {}}}}


def test_dry_run_validates_and_answers_but_changes_nothing(
    kube_client: kubernetes.client.ApiClient, apiserver: FakeApiServer
) -> None:
    namespace(kube_client)
    created = call(kube_client, "POST", "/api/v1/namespaces/ml/resourcequotas", quota("1"))
    version = created["metadata"]["resourceVersion"]
    apiserver.reset_log()
    applied = call(
        kube_client,
        "PATCH",
        QUOTA,
        quota("8"),
        content_type=APPLY,
        fieldManager="b",
        dryRun="All",
        force="true",
    )
    assert applied["spec"]["hard"]["cpu"] == "8"
    with pytest.raises(ApiException) as error:  # the conflict check still runs
        call(
            kube_client,
            "PATCH",
            QUOTA,
            quota("9"),
            content_type=APPLY,
            fieldManager="b",
            dryRun="All",
        )
    assert refused(error)["reason"] == "Conflict"
    fresh = call(kube_client, "POST", WORKFLOWS, workflow(), dryRun="All")
    assert fresh["metadata"]["uid"]
    call(kube_client, "DELETE", QUOTA, dryRun="All")
    stored = apiserver.get("", "resourcequotas", "ml", "team")
    assert stored is not None
    assert stored["spec"]["hard"]["cpu"] == "1"
    assert stored["metadata"]["resourceVersion"] == version
    assert apiserver.objects(ARGO, "workflows") == []
    assert apiserver.writes == 0
    assert len(apiserver.requests) == 4


def test_an_unknown_workflow_field_is_422_invalid_naming_it(
    kube_client: kubernetes.client.ApiClient, apiserver: FakeApiServer
) -> None:
    namespace(kube_client)
    with pytest.raises(ApiException) as error:
        call(kube_client, "POST", WORKFLOWS, workflow(retries=3))
    status = refused(error)
    assert (status["code"], status["reason"]) == (422, "Invalid")
    assert status["message"].startswith('Workflow.argoproj.io "train" is invalid: ')
    assert [c["field"] for c in status["details"]["causes"]] == ["spec.retries"]
    assert apiserver.objects(ARGO, "workflows") == []
    created = call(kube_client, "POST", WORKFLOWS, workflow())
    assert created["spec"]["entrypoint"] == "main"


def test_core_kinds_are_validated_with_kubernetes_schemas(
    kube_client: kubernetes.client.ApiClient,
) -> None:
    namespace(kube_client)
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "web", "image": "nginx", "ports": "80"}]},
            },
        },
    }
    with pytest.raises(ApiException) as error:
        call(kube_client, "POST", "/apis/apps/v1/namespaces/ml/deployments", deployment)
    causes = refused(error)["details"]["causes"]
    assert [c["field"] for c in causes] == ["spec.template.spec.containers.0.ports"]
    del deployment["spec"]["template"]["spec"]["containers"][0]["ports"]
    call(kube_client, "POST", "/apis/apps/v1/namespaces/ml/deployments", deployment)
    with pytest.raises(ApiException) as error:
        call(kube_client, "POST", "/api/v1/namespaces", {"metadata": {"name": "Bad_Name"}})
    assert refused(error)["details"]["causes"][0]["field"] == "metadata.name"


def test_a_missing_crd_is_404_and_absent_from_discovery(tmp_path: pathlib.Path) -> None:
    server = FakeApiServer(crds={ARGO}).start()
    try:
        configuration = kubernetes.client.Configuration()
        configuration.host = server.url
        with kubernetes.client.ApiClient(configuration) as client:
            dynamic = DynamicClient(client, cache_file=str(tmp_path / "discovery.json"))
            with pytest.raises(ResourceNotFoundError):
                dynamic.resources.get(
                    api_version="serving.kserve.io/v1beta1", kind="InferenceService"
                )
            assert dynamic.resources.get(api_version="argoproj.io/v1alpha1", kind="Workflow")
            groups = [g["name"] for g in call(client, "GET", "/apis")["groups"]]
            assert KSERVE not in groups
            assert ARGO in groups
            crds = call(client, "GET", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions")
            names = {crd["metadata"]["name"] for crd in crds["items"]}
            assert "workflows.argoproj.io" in names
            assert "inferenceservices.serving.kserve.io" not in names
            base = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/"
            assert call(client, "GET", base + "cronworkflows.argoproj.io")["spec"]["group"] == ARGO
            with pytest.raises(ApiException) as error:
                call(client, "GET", base + "inferenceservices.serving.kserve.io")
            assert refused(error)["reason"] == "NotFound"
            with pytest.raises(ApiException) as error:
                call(
                    client, "GET", "/apis/serving.kserve.io/v1beta1/namespaces/ml/inferenceservices"
                )
            assert refused(error)["code"] == 404
    finally:
        server.stop()


def test_a_namespaced_create_in_a_missing_namespace_is_404(
    kube_client: kubernetes.client.ApiClient,
) -> None:
    with pytest.raises(ApiException) as error:
        call(kube_client, "POST", WORKFLOWS, workflow())
    status = refused(error)
    assert status["message"] == 'namespaces "ml" not found'
    with pytest.raises(ApiException) as error:
        call(kube_client, "PATCH", QUOTA, quota("1"), content_type=APPLY, fieldManager="bosun")
    assert refused(error)["message"] == 'namespaces "ml" not found'


def test_status_belongs_to_the_status_subresource(
    kube_client: kubernetes.client.ApiClient, apiserver: FakeApiServer
) -> None:
    namespace(kube_client)
    created = call(kube_client, "POST", WORKFLOWS, dict(workflow(), status={"phase": "Fake"}))
    assert "status" not in created
    before = created["metadata"]["resourceVersion"]
    apiserver.set_status(ARGO, "workflows", "ml", "train", {"phase": "Running"})
    read = call(kube_client, "GET", f"{WORKFLOWS}/train")
    assert read["status"] == {"phase": "Running"}
    assert read["metadata"]["resourceVersion"] != before
    assert call(kube_client, "GET", f"{WORKFLOWS}/train/status")["status"]["phase"] == "Running"
    # A main-resource write cannot touch status; one to /status touches nothing else.
    patch = {"status": {"phase": "Succeeded"}, "metadata": {"labels": {"x": "y"}}}
    patched = call(kube_client, "PATCH", f"{WORKFLOWS}/train", patch, content_type=MERGE)
    assert patched["status"] == {"phase": "Running"}
    assert patched["metadata"]["labels"] == {"app": "bosun", "x": "y"}
    assert patched["metadata"]["generation"] == 1
    done = call(kube_client, "PATCH", f"{WORKFLOWS}/train/status", patch, content_type=MERGE)
    assert done["status"] == {"phase": "Succeeded"}
    assert done["metadata"]["labels"] == {"app": "bosun", "x": "y"}
    replaced = call(kube_client, "PUT", f"{WORKFLOWS}/train/status", dict(done, status={}))
    assert replaced["status"] == {}
    stored = apiserver.get(ARGO, "workflows", "ml", "train")
    assert stored is not None
    assert stored["status"] == {}


def test_the_request_log_counts_writes(
    kube_client: kubernetes.client.ApiClient, apiserver: FakeApiServer
) -> None:
    namespace(kube_client)
    call(kube_client, "PATCH", QUOTA, quota("1"), content_type=APPLY, fieldManager="bosun")
    assert apiserver.writes == 2
    apiserver.reset_log()
    call(kube_client, "GET", QUOTA)
    call(kube_client, "GET", "/api/v1/namespaces/ml/resourcequotas", labelSelector="a")
    assert apiserver.writes == 0
    assert apiserver.requests == [
        ("GET", QUOTA, {}, "application/json"),
        ("GET", "/api/v1/namespaces/ml/resourcequotas", {"labelSelector": "a"}, "application/json"),
    ]
    call(kube_client, "PATCH", QUOTA, quota("1"), content_type=APPLY, fieldManager="bosun")
    assert apiserver.writes == 1  # a no-op apply is still a write request
    assert apiserver.requests[-1] == ("PATCH", QUOTA, {"fieldManager": "bosun"}, APPLY)


def test_updates_record_their_field_manager_and_json_patch(
    kube_client: kubernetes.client.ApiClient,
) -> None:
    namespace(kube_client)
    call(kube_client, "POST", "/api/v1/namespaces/ml/resourcequotas", quota("1"), fieldManager="a")
    ops = [{"op": "add", "path": "/spec/hard/memory", "value": "1Gi"}]
    patched = call(
        kube_client,
        "PATCH",
        QUOTA,
        ops,
        content_type="application/json-patch+json",
        fieldManager="b",
    )
    owners = {
        (e["manager"], e["operation"]): e["fieldsV1"] for e in patched["metadata"]["managedFields"]
    }
    assert owners == {
        ("a", "Update"): {"f:spec": {"f:hard": {"f:cpu": {}}}},
        ("b", "Update"): {"f:spec": {"f:hard": {"f:memory": {}}}},
    }
    call(kube_client, "DELETE", QUOTA)
    with pytest.raises(ApiException):
        call(kube_client, "GET", QUOTA)


def test_cluster_scoped_kinds_and_server_owned_fields(
    dynamic_client: DynamicClient, apiserver: FakeApiServer
) -> None:
    body: Json = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ml"}}
    body["metadata"]["labels"] = {"team": "ml"}
    created = call(dynamic_client.client, "POST", "/api/v1/namespaces", body)
    assert created["status"] == {"phase": "Active"}
    (entry,) = created["metadata"]["managedFields"]
    assert entry["manager"] == "OpenAPI-Generator"  # the User-Agent, as the real server does
    assert entry["fieldsV1"] == {"f:metadata": {"f:labels": {"f:team": {}}}}
    templates = dynamic_client.resources.get(
        api_version="argoproj.io/v1alpha1", kind="ClusterWorkflowTemplate"
    )
    template = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "ClusterWorkflowTemplate",
        "metadata": {"name": "train"},
        "spec": {"templates": [{"name": "main", "container": {"image": "python:3.11"}}]},
    }
    templates.server_side_apply(body=template, field_manager="bosun")
    assert [o["metadata"]["name"] for o in apiserver.objects(ARGO, "clusterworkflowtemplates")] == [
        "train"
    ]
    with pytest.raises(ApiException) as error:
        templates.server_side_apply(
            body=dict(template, kind="WorkflowTemplate"), field_manager="bosun"
        )
    assert refused(error)["reason"] == "BadRequest"


def test_concurrent_writes_are_serialised(
    kube_client: kubernetes.client.ApiClient, apiserver: FakeApiServer
) -> None:
    namespace(kube_client)

    def create(index: int) -> str:
        body = {"metadata": {"name": f"cm-{index}"}, "data": {"i": str(index)}}
        created = call(kube_client, "POST", "/api/v1/namespaces/ml/configmaps", body)
        return str(created["metadata"]["resourceVersion"])

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        versions = list(pool.map(create, range(40)))
    assert len(set(versions)) == 40
    assert len(apiserver.objects("", "configmaps", "ml")) == 40
