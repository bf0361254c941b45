"""Strict validation of rendered objects against the upstream schemas in ../shared/schemas/.

The CRDs' structural OpenAPI v3 schemas are turned into JSON Schema the way the API server reads
them: an object schema with ``properties``, no ``additionalProperties`` and no
``x-kubernetes-preserve-unknown-fields`` is closed (unknown fields are errors, where the server
would prune them and ``kubectl apply --validate=strict`` would refuse them). ``metadata`` is checked
against ObjectMeta (kubernetes-validate's strict schema) and the server's name and label rules.
Kubernetes core kinds use both ../shared's strict schemas and kubernetes-validate's.
"""

from __future__ import annotations

import functools
import json
import pathlib
import re
from typing import Any

import jsonschema
import kubernetes_validate
import referencing
import yaml

SHARED = pathlib.Path(__file__).resolve().parents[3] / "shared" / "schemas"
KUBERNETES_VERSION = "1.34"
SKIP_REASON = f"upstream schemas not found at {SHARED} (../shared is only present in CI)"

CRDS = {
    "Workflow": "argo/crds/argoproj.io_workflows.yaml",
    "WorkflowTemplate": "argo/crds/argoproj.io_workflowtemplates.yaml",
    # A ClusterWorkflowTemplate has the WorkflowTemplate schema (schemas/README.md).
    "ClusterWorkflowTemplate": "argo/crds/argoproj.io_workflowtemplates.yaml",
    "CronWorkflow": "argo/crds/argoproj.io_cronworkflows.yaml",
    "InferenceService": "kserve/serving.kserve.io_inferenceservices.yaml",
}
API_VERSIONS = {
    "Workflow": "argoproj.io/v1alpha1",
    "WorkflowTemplate": "argoproj.io/v1alpha1",
    "ClusterWorkflowTemplate": "argoproj.io/v1alpha1",
    "CronWorkflow": "argoproj.io/v1alpha1",
    "InferenceService": "serving.kserve.io/v1beta1",
}
CORE = {
    "Namespace": "kubernetes/namespace-v1.json",
    "ResourceQuota": "kubernetes/resourcequota-v1.json",
    "LimitRange": "kubernetes/limitrange-v1.json",
    "ConfigMap": None,  # not in ../shared: kubernetes-validate's strict schema only
}
# Kinds ../shared has no schema for: kubernetes-validate's strict schema alone, every error.
KUBERNETES_ONLY = {
    "Deployment": "apps/v1",
    "Service": "v1",
    "ServiceAccount": "v1",
    "Role": "rbac.authorization.k8s.io/v1",
    "RoleBinding": "rbac.authorization.k8s.io/v1",
    "ClusterRole": "rbac.authorization.k8s.io/v1",
    "ClusterRoleBinding": "rbac.authorization.k8s.io/v1",
    "Lease": "coordination.k8s.io/v1",
}
CLUSTER_SCOPED = frozenset(
    {"Namespace", "ClusterWorkflowTemplate", "ClusterRole", "ClusterRoleBinding"}
)

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_QUALIFIED = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")


def available() -> bool:
    return SHARED.is_dir()


def strict(schema: Any) -> Any:
    """An OpenAPI v3 structural schema → a closed JSON Schema (draft 2020-12)."""
    if isinstance(schema, list):
        return [strict(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: strict(value) for key, value in schema.items()}
    if out.pop("nullable", False) and "type" in out:
        out["type"] = [out["type"], "null"]
    preserve = out.get("x-kubernetes-preserve-unknown-fields") is True
    if "properties" in out and "additionalProperties" not in out and not preserve:
        out["additionalProperties"] = False
    return out


@functools.cache
def _crd_validator(path: str) -> jsonschema.Draft202012Validator:
    with (SHARED / path).open() as handle:
        crd = yaml.load(handle, Loader=yaml.CSafeLoader)
    schema = strict(crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"])
    return jsonschema.Draft202012Validator(schema)


@functools.cache
def _core_validator(path: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((SHARED / path).read_text())
    return jsonschema.Draft202012Validator(schema)


@functools.cache
def _object_meta_validator() -> jsonschema.Draft202012Validator:
    folder = (
        pathlib.Path(kubernetes_validate.__file__).parent
        / "kubernetes-json-schema"
        / f"v{KUBERNETES_VERSION}.0-local-strict"
    )
    definitions = json.loads((folder / "_definitions.json").read_text())
    meta = json.loads((folder / "objectmeta-meta-v1.json").read_text())
    registry: referencing.Registry[Any] = referencing.Registry().with_resource(
        "_definitions.json", referencing.Resource.from_contents(definitions)
    )
    return jsonschema.Draft202012Validator(meta, registry=registry)


@functools.cache
def _kubernetes_validate(api_version: str, kind: str) -> jsonschema.Draft202012Validator:
    """What ``kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)`` checks: the
    same strict schema and definitions, the same validator, read once instead of per object
    (it re-reads its 1.5 MB of definitions on every call)."""
    version = [
        v
        for v in kubernetes_validate.utils.all_versions()
        if kubernetes_validate.utils.major_minor(v) <= KUBERNETES_VERSION
    ][-1]
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    folder = f"kubernetes-json-schema/v{version}-local-strict"
    schema = kubernetes_validate.utils.schema_contents(
        f"{folder}/{kind.lower()}-{group_version}.json", KUBERNETES_VERSION
    )
    definitions = kubernetes_validate.utils.schema_contents(
        f"{folder}/_definitions.json", KUBERNETES_VERSION
    )
    resource = referencing.Resource.from_contents(schema)
    registry = referencing.Resource.from_contents(definitions) @ (resource @ referencing.Registry())
    return jsonschema.Draft202012Validator(schema, registry=registry)


def _errors(validator: jsonschema.Draft202012Validator, value: Any, prefix: str) -> list[str]:
    found = []
    for error in sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path)):
        where = ".".join(str(p) for p in error.absolute_path)
        found.append(f"{prefix}{'.' + where if where else ''}: {error.message}")
    return found


def metadata_errors(obj: dict[str, Any]) -> list[str]:
    """ObjectMeta's schema and the API server's name, namespace, label and annotation rules."""
    kind, meta = obj["kind"], obj.get("metadata", {})
    found = _errors(_object_meta_validator(), meta, "metadata")
    name = meta.get("name", "")
    name_rule = _DNS_LABEL if kind == "Namespace" else _DNS_SUBDOMAIN
    limit = 63 if kind == "Namespace" else 253
    if not name_rule.match(name) or len(name) > limit:
        found.append(f"metadata.name: {name!r} is not a valid {kind} name")
    if kind in CLUSTER_SCOPED and "namespace" in meta:
        found.append("metadata.namespace: cluster-scoped objects have no namespace")
    if kind not in CLUSTER_SCOPED:
        namespace = meta.get("namespace", "")
        if not _DNS_LABEL.match(namespace) or len(namespace) > 63:
            found.append(f"metadata.namespace: {namespace!r} is not a valid namespace")
    for key, value in meta.get("labels", {}).items():
        if not _qualified_key(key):
            found.append(f"metadata.labels: key {key!r} is not a qualified name")
        if not isinstance(value, str) or len(value) > 63 or not _LABEL_VALUE.match(value):
            found.append(f"metadata.labels.{key}: {value!r} is not a valid label value")
    for key, value in meta.get("annotations", {}).items():
        if not _qualified_key(key) or not isinstance(value, str):
            found.append(f"metadata.annotations: {key!r}: {value!r} is not valid")
    return found


def _qualified_key(key: str) -> bool:
    prefix, _, name = key.rpartition("/")
    if prefix and (not _DNS_SUBDOMAIN.match(prefix) or len(prefix) > 253):
        return False
    return bool(_QUALIFIED.match(name)) and len(name) <= 63


def errors(obj: dict[str, Any]) -> list[str]:
    """Every reason the API server (with the CRDs installed) would refuse ``obj``."""
    kind = obj.get("kind")
    if kind in CRDS:
        found = metadata_errors(obj)
        if obj.get("apiVersion") != API_VERSIONS[kind]:
            found.append(f"apiVersion: {obj.get('apiVersion')!r} is not {API_VERSIONS[kind]}")
        # A CRD's metadata is a bare `type: object`; it was checked above against ObjectMeta.
        return found + _errors(_crd_validator(CRDS[kind]), obj, "")
    if kind in CORE:
        found = metadata_errors(obj)
        shared = CORE[kind]
        if shared is not None:
            found += _errors(_core_validator(shared), obj, "")
        error = jsonschema.exceptions.best_match(
            _kubernetes_validate(obj["apiVersion"], kind).iter_errors(obj)
        )
        if error is not None:
            where = ".".join(str(p) for p in error.path)
            found.append(f"kubernetes-validate {where}: {error.message}")
        return found
    if kind in KUBERNETES_ONLY:
        found = metadata_errors(obj)
        if obj.get("apiVersion") != KUBERNETES_ONLY[kind]:
            found.append(f"apiVersion: {obj.get('apiVersion')!r} is not {KUBERNETES_ONLY[kind]}")
            return found
        return found + _errors(_kubernetes_validate(KUBERNETES_ONLY[kind], kind), obj, "")
    return [f"kind {kind!r} has no upstream schema here"]
