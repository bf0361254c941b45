"""The kinds bosun applies and where the API serves them. A fixed table rather than discovery:
bosun renders exactly these kinds, and a reconcile should not cost a discovery walk."""

from __future__ import annotations

import dataclasses
from urllib.parse import quote

ARGO = "argoproj.io"
KSERVE = "serving.kserve.io"


@dataclasses.dataclass(frozen=True)
class Resource:
    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def crd(self) -> str | None:
        """The CustomResourceDefinition that serves the kind, or None for built-in kinds."""
        return f"{self.plural}.{self.group}" if self.group in CRD_GROUPS else None

    def path(self, namespace: str = "", name: str = "") -> str:
        """The collection (``name`` empty; every namespace when ``namespace`` is too) or one
        object."""
        base = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        if self.namespaced and namespace:
            base += f"/namespaces/{quote(namespace, safe='')}"
        base += f"/{self.plural}"
        return f"{base}/{quote(name, safe='')}" if name else base


CRD_GROUPS = {ARGO: "Argo Workflows", KSERVE: "KServe"}
"""CRD group → the project that installs it (named in the missing-CRD message)."""

RESOURCES: dict[str, Resource] = {
    r.kind: r
    for r in (
        Resource("", "v1", "namespaces", "Namespace", False),
        Resource("", "v1", "resourcequotas", "ResourceQuota", True),
        Resource("", "v1", "limitranges", "LimitRange", True),
        Resource("", "v1", "configmaps", "ConfigMap", True),
        Resource(ARGO, "v1alpha1", "clusterworkflowtemplates", "ClusterWorkflowTemplate", False),
        Resource(ARGO, "v1alpha1", "workflowtemplates", "WorkflowTemplate", True),
        Resource(ARGO, "v1alpha1", "cronworkflows", "CronWorkflow", True),
        Resource(KSERVE, "v1beta1", "inferenceservices", "InferenceService", True),
        Resource(ARGO, "v1alpha1", "workflows", "Workflow", True),
    )
}

APPLIED_KINDS = tuple(kind for kind in RESOURCES if kind != "Workflow")
"""What ``live`` lists: every kind bosun applies (Workflows are runs, read by name)."""


class UnknownKindError(Exception):
    pass


def of(kind: str) -> Resource:
    try:
        return RESOURCES[kind]
    except KeyError:
        raise UnknownKindError(
            f"bosun does not apply {kind} objects to Kubernetes (it applies {', '.join(RESOURCES)})"
        ) from None
