"""What runs ``bosun controller`` in a cluster (``bosun install``): its Namespace, ServiceAccount,
least-privilege RBAC, leader-election Lease, webhook Service and a two-replica Deployment. Pure:
plain arguments in, Kubernetes objects (dicts) out, in the order they can be applied.

None of these objects carries ``app.kubernetes.io/managed-by: bosun``: bosun prunes by that label,
and must never prune itself."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from bosun.render import context, values

DEFAULT_NAMESPACE = "bosun-system"
WEBHOOK_PORT = 8080
REPLICAS = 2
STATE_DIR = "/var/lib/bosun"
WEBHOOK_SECRET = "bosun-webhook"
"""The Secret (key ``secret``) holding BOSUN_WEBHOOK_SECRET; referenced, never rendered."""
USER_ID = 10001
"""The non-root user of the Dockerfile."""

APPLY_VERBS = ("get", "list", "create", "patch", "delete")
"""Server-side apply is a PATCH, authorized as ``create`` too when the object does not exist yet;
``get``/``list`` read the inventory by label, ``delete`` prunes. No ``update`` (apply never PUTs)
and no ``watch`` (the controller polls)."""

APPLIED: tuple[tuple[str, str, str], ...] = (
    ("Namespace", "", "namespaces"),
    ("ResourceQuota", "", "resourcequotas"),
    ("LimitRange", "", "limitranges"),
    ("ConfigMap", "", "configmaps"),
    ("ClusterWorkflowTemplate", "argoproj.io", "clusterworkflowtemplates"),
    ("WorkflowTemplate", "argoproj.io", "workflowtemplates"),
    ("CronWorkflow", "argoproj.io", "cronworkflows"),
    ("InferenceService", "serving.kserve.io", "inferenceservices"),
    ("Workflow", "argoproj.io", "workflows"),
)
"""(kind, API group, resource) of every kind bosun applies (render's KIND_ORDER). Teams'
namespaces are bosun's own creation, so the rules are cluster-wide."""

_NAME = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_PREFIX = "bosun-controller-"
MAX_ENV = 63 - len(_PREFIX)
"""Object names are ``bosun-controller-<env>``; a Service name is at most 63 characters."""


class InstallError(ValueError):
    """An argument that would render objects the API server refuses; the message names it."""


@dataclasses.dataclass(frozen=True)
class Install:
    env: str
    repo: str
    image: str = context.DEFAULT_SYSTEM_IMAGE
    namespace: str = DEFAULT_NAMESPACE

    @property
    def name(self) -> str:
        return f"{_PREFIX}{self.env}"

    @property
    def labels(self) -> dict[str, str]:
        return {
            "app.kubernetes.io/name": "bosun",
            "app.kubernetes.io/component": "controller",
            "app.kubernetes.io/instance": self.name,
            "bosun.dev/environment": self.env,
        }


def problems(spec: Install) -> list[str]:
    """Why ``spec`` cannot be installed, one reason per argument (none: it can)."""
    found = []
    if not _NAME.match(spec.env) or len(spec.env) > MAX_ENV:
        found.append(
            f"--env: {spec.env!r} must be a lowercase DNS label starting with a letter, "
            f"at most {MAX_ENV} characters (it names the objects bosun-controller-<env>)"
        )
    if not _NAME.match(spec.namespace) or len(spec.namespace) > 63:
        found.append(f"--namespace: {spec.namespace!r} is not a valid namespace name")
    for option, check, value in (
        ("--repo", values.repo_url, spec.repo),
        ("--image", values.image, spec.image),
    ):
        problem = check(value)
        if problem is not None:
            found.append(f"{option}: {problem.message}")
    return found


def render(spec: Install) -> list[dict[str, Any]]:
    """The objects, in apply order: Namespace first, the Deployment last (its ServiceAccount,
    RBAC and Lease exist by then)."""
    found = problems(spec)
    if found:
        raise InstallError("; ".join(found))
    return [
        namespace(spec),
        service_account(spec),
        cluster_role(spec),
        cluster_role_binding(spec),
        role(spec),
        role_binding(spec),
        lease(spec),
        service(spec),
        deployment(spec),
    ]


def _meta(spec: Install, name: str | None = None, *, cluster: bool = False) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name or spec.name, "labels": dict(spec.labels)}
    if not cluster:
        meta["namespace"] = spec.namespace
    return meta


def namespace(spec: Install) -> dict[str, Any]:
    labels = {k: v for k, v in spec.labels.items() if k == "app.kubernetes.io/name"}
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": spec.namespace, "labels": labels},
    }


def service_account(spec: Install) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": _meta(spec)}


def cluster_role(spec: Install) -> dict[str, Any]:
    """Apply, inventory and prune the applied kinds everywhere; read CRDs (is Argo Workflows,
    is KServe installed?)."""
    groups: dict[str, list[str]] = {}
    for _, group, resource in APPLIED:
        groups.setdefault(group, []).append(resource)
    rules = [
        {"apiGroups": [group], "resources": sorted(resources), "verbs": list(APPLY_VERBS)}
        for group, resources in groups.items()
    ]
    rules.append(
        {
            "apiGroups": ["apiextensions.k8s.io"],
            "resources": ["customresourcedefinitions"],
            "verbs": ["get", "list"],
        }
    )
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": _meta(spec, cluster=True),
        "rules": rules,
    }


def _subjects(spec: Install) -> list[dict[str, Any]]:
    return [{"kind": "ServiceAccount", "name": spec.name, "namespace": spec.namespace}]


def cluster_role_binding(spec: Install) -> dict[str, Any]:
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRoleBinding",
        "metadata": _meta(spec, cluster=True),
        "roleRef": {
            "apiGroup": "rbac.authorization.k8s.io",
            "kind": "ClusterRole",
            "name": spec.name,
        },
        "subjects": _subjects(spec),
    }


def role(spec: Install) -> dict[str, Any]:
    """Leader election on the one Lease: read and renew it by name; ``create`` cannot be limited
    to a name (the name is in the body), so it is a rule of its own."""
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": _meta(spec),
        "rules": [
            {
                "apiGroups": ["coordination.k8s.io"],
                "resources": ["leases"],
                "resourceNames": [spec.name],
                "verbs": ["get", "update"],
            },
            {"apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "verbs": ["create"]},
        ],
    }


def role_binding(spec: Install) -> dict[str, Any]:
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": _meta(spec),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": spec.name},
        "subjects": _subjects(spec),
    }


def lease(spec: Install) -> dict[str, Any]:
    """Empty: the holder and its renewals are the replicas' to write, and re-applying the
    install must not take them away."""
    return {
        "apiVersion": "coordination.k8s.io/v1",
        "kind": "Lease",
        "metadata": _meta(spec),
        "spec": {},
    }


def _selector(spec: Install) -> dict[str, str]:
    return {
        k: spec.labels[k]
        for k in (
            "app.kubernetes.io/name",
            "app.kubernetes.io/component",
            "app.kubernetes.io/instance",
        )
    }


def service(spec: Install) -> dict[str, Any]:
    """The webhook (``POST /webhook``) and ``/metrics`` inside the cluster; expose it with an
    Ingress of your own for GitHub or GitLab to reach."""
    port = {"name": "webhook", "port": WEBHOOK_PORT, "targetPort": "webhook", "protocol": "TCP"}
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _meta(spec),
        "spec": {"type": "ClusterIP", "selector": _selector(spec), "ports": [port]},
    }


def controller_args(spec: Install) -> list[str]:
    """``bosun controller``'s arguments: the environment is not one of them (the controller
    reconciles every environment of the repository); it names the Lease and the objects."""
    return [
        "controller",
        "--repo",
        spec.repo,
        "--webhook-port",
        str(WEBHOOK_PORT),
        "--leader-elect",
        "--lease-name",
        spec.name,
        "--lease-namespace",
        spec.namespace,
    ]


def deployment(spec: Install) -> dict[str, Any]:
    probe = {"httpGet": {"path": "/healthz", "port": "webhook"}, "periodSeconds": 10}
    env = [
        {"name": "BOSUN_STATE_DIR", "value": STATE_DIR},
        {"name": "HOME", "value": "/tmp"},  # git and MLflow write under HOME; the root is read-only
        {  # the leader-election identity: which replica holds the Lease
            "name": "POD_NAME",
            "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}},
        },
        {
            "name": "BOSUN_WEBHOOK_SECRET",
            "valueFrom": {
                "secretKeyRef": {"name": WEBHOOK_SECRET, "key": "secret", "optional": True}
            },
        },
    ]
    container = {
        "name": "controller",
        "image": spec.image,
        "imagePullPolicy": "IfNotPresent",
        "command": ["bosun"],
        "args": controller_args(spec),
        "env": env,
        "ports": [{"name": "webhook", "containerPort": WEBHOOK_PORT, "protocol": "TCP"}],
        "readinessProbe": {**probe, "initialDelaySeconds": 5},
        "livenessProbe": {**probe, "initialDelaySeconds": 30, "failureThreshold": 6},
        "resources": {
            "requests": {"cpu": "250m", "memory": "512Mi"},
            "limits": {"memory": "2Gi"},
        },
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "capabilities": {"drop": ["ALL"]},
        },
        "volumeMounts": [
            {"name": "state", "mountPath": STATE_DIR},
            {"name": "tmp", "mountPath": "/tmp"},
        ],
    }
    pod = {
        "serviceAccountName": spec.name,
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": USER_ID,
            "runAsGroup": USER_ID,
            "fsGroup": USER_ID,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "terminationGracePeriodSeconds": 60,
        "containers": [container],
        "volumes": [{"name": "state", "emptyDir": {}}, {"name": "tmp", "emptyDir": {}}],
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _meta(spec),
        "spec": {
            "replicas": REPLICAS,
            "selector": {"matchLabels": _selector(spec)},
            "template": {"metadata": {"labels": dict(spec.labels)}, "spec": pod},
        },
    }
