"""The Kubernetes target of one environment (``plan.ports.Target``). Objects are applied by
server-side apply as field manager ``bosun``; live state is what carries the environment's
labels, read back as the fields bosun owns (``fields.owned``); drift is confirmed by a dry-run
apply of what bosun last applied; runs are Argo ``Workflow`` objects, created once by name."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from bosun.plan import diff, health, objects, ports
from bosun.targets.kubernetes import fields, resources
from bosun.targets.kubernetes.api import FIELD_MANAGER, Api, ApiError

SERVER_METADATA = (
    "managedFields",
    "resourceVersion",
    "generation",
    "uid",
    "creationTimestamp",
    "selfLink",
)
MAX_CHANGES = 3
"""Changed fields named in a drift message before ``+N more``."""

Applied = Callable[[], Mapping[objects.ObjectKey, Mapping[str, Any]]]


class KubernetesTarget:
    def __init__(
        self,
        *,
        api: Api,
        env: str,
        applied: Applied = dict,
        force_conflicts: bool = False,
        self_heal: bool = False,
    ) -> None:
        """``applied``: the state store's inventory bodies (what bosun last applied)."""
        self.api = api
        self.env = env
        self.applied = applied
        self.force_conflicts = force_conflicts
        self.self_heal = self_heal
        self.selector = f"{objects.MANAGED_BY}=bosun,{objects.ENVIRONMENT_LABEL}={env}"
        self._drifted: set[objects.ObjectKey] = set()
        self._run_namespaces: dict[str, str] = {}

    @property
    def writes(self) -> int:
        return self.api.writes

    # -- reads -------------------------------------------------------------------------------

    def preflight(self, planned: Iterable[Mapping[str, Any]]) -> str | None:
        """Why the planned objects cannot be applied here at all (a CRD the cluster lacks),
        asked before the first write so that a missing CRD never leaves a half-applied
        environment."""
        needed: dict[str, str] = {}
        for obj in planned:
            try:
                resource = resources.of(str(obj.get("kind")))
            except resources.UnknownKindError as error:
                return str(error)
            if resource.crd:
                needed[resource.crd] = resources.CRD_GROUPS[resource.group]
        path = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
        try:
            missing = [crd for crd in sorted(needed) if self.api.get(f"{path}/{crd}") is None]
        except ApiError as error:
            return f"cannot read the cluster's CRDs: {error.message}"
        if not missing:
            return None
        projects = sorted({needed[crd] for crd in missing})
        return (
            f"the cluster has no CustomResourceDefinition {', '.join(missing)}: "
            f"install {' and '.join(projects)} in the cluster first (nothing was applied)"
        )

    def live(self) -> Sequence[objects.LiveObject]:
        applied = self.applied()
        self._drifted = set()
        found: list[objects.LiveObject] = []
        for kind in resources.APPLIED_KINDS:
            resource = resources.RESOURCES[kind]
            listed = self._list(resource)
            for item in listed:
                found.append(self._observe(item, applied.get(objects.key_of(item))))
        return found

    def _list(self, resource: resources.Resource) -> list[dict[str, Any]]:
        try:
            listed = self.api.get(resource.path(), labelSelector=self.selector)
        except ApiError as error:
            raise ports.TargetError(f"cannot list {resource.plural}: {error.message}") from None
        if listed is None:  # the kind's CRD is not installed: none of its objects exist
            return []
        items = [dict(i) for i in listed.get("items") or []]
        for item in items:  # list items carry neither (the list does)
            item.setdefault("apiVersion", resource.api_version)
            item.setdefault("kind", resource.kind)
        return items

    def _observe(
        self, item: Mapping[str, Any], applied: Mapping[str, Any] | None
    ) -> objects.LiveObject:
        key = objects.key_of(item)
        mine = fields.owned(item, FIELD_MANAGER)
        body: Mapping[str, Any] = mine if mine is not None else _without_server_fields(item)
        status: dict[str, Any] = {}
        if applied is not None and objects.fingerprint(body) != objects.fingerprint(applied):
            drift = self._confirm_drift(key, item, applied)
            if drift is None:
                body = applied  # the server holds what applying it gives (normalized values)
            else:
                status["drift"] = drift
                self._drifted.add(key)
        healthy = health.health_of(item)
        status["health"], status["message"] = healthy.status, healthy.message
        if key.kind == "InferenceService":
            status["url"] = str((item.get("status") or {}).get("url") or "")
        return objects.LiveObject(key, body, status)

    def _confirm_drift(
        self, key: objects.ObjectKey, item: Mapping[str, Any], applied: Mapping[str, Any]
    ) -> str | None:
        """What a dry-run apply of ``applied`` would change in ``item``, or None."""
        resource = resources.of(key.kind)
        try:
            result = self.api.apply(
                resource.path(key.namespace, key.name), applied, force=True, dry_run=True
            )
        except ApiError as error:
            return f"changed out of band (a dry-run apply fails: {error.message})"
        changed = diff.changes(_without_server_fields(item), _without_server_fields(result))
        if not changed:
            return None
        shown = [f"{c.path} is {_show(c.before)}, bosun applied {_show(c.after)}" for c in changed]
        more = f" (+{len(shown) - MAX_CHANGES} more)" if len(shown) > MAX_CHANGES else ""
        others = fields.managers(item, besides=FIELD_MANAGER)
        by = f" by {', '.join(others)}" if others else ""
        return f"changed out of band{by}: {'; '.join(shown[:MAX_CHANGES])}{more}"

    # -- writes ------------------------------------------------------------------------------

    def apply(self, obj: Mapping[str, Any]) -> None:
        key = objects.key_of(obj)
        resource = _resource(key)
        force = self.force_conflicts or (self.self_heal and key in self._drifted)
        try:
            self.api.apply(resource.path(key.namespace, key.name), obj, force=force)
        except ApiError as error:
            if error.code == 409:
                raise ports.TargetError(_conflict(key, error, self.env)) from None
            raise ports.TargetError(f"applying {key}: {_said(error)}") from None
        self._drifted.discard(key)

    def delete(self, key: objects.ObjectKey) -> None:
        resource = _resource(key)
        try:
            self.api.delete(resource.path(key.namespace, key.name))
        except ApiError as error:
            raise ports.TargetError(f"deleting {key}: {_said(error)}") from None

    def submit(self, run: ports.RunRequest) -> None:
        """Create the run's Workflow; one that exists already (a retried submit) is left as it
        is. Its templates and semaphore ConfigMap were applied earlier in the plan."""
        workflow = next((o for o in run.objects if o.get("kind") == "Workflow"), None)
        if workflow is None:
            raise ports.TargetError(f"run {run.name} has no Workflow to submit")
        namespace = str(workflow["metadata"].get("namespace", ""))
        resource = resources.of("Workflow")
        try:
            self.api.create(resource.path(namespace), {**workflow})
        except ApiError as error:
            if error.code != 409:
                raise ports.TargetError(f"submitting Workflow/{run.name}: {_said(error)}") from None
        self._run_namespaces[run.name] = namespace

    def run_state(self, name: str) -> ports.RunState | None:
        workflow = self._workflow(name)
        if workflow is None:
            return None
        status = workflow.get("status") or {}
        phase = str(status.get("phase") or "Pending")
        if phase not in ("Pending", "Running", "Succeeded", "Failed", "Error"):
            phase = "Pending"
        message = str(status.get("message") or "")
        if phase in ("Failed", "Error"):
            message = health.workflow(workflow).message or phase
        return ports.RunState(
            name,
            phase,  # type: ignore[arg-type]
            message,
            _seconds(status.get("startedAt")),
            _seconds(status.get("finishedAt")),
        )

    def _workflow(self, name: str) -> Mapping[str, Any] | None:
        resource = resources.of("Workflow")
        try:
            namespace = self._run_namespaces.get(name)
            if namespace is not None:
                return self.api.get(resource.path(namespace, name))
            listed = self.api.get(
                resource.path(), labelSelector=self.selector, fieldSelector=f"metadata.name={name}"
            )
        except ApiError as error:
            raise ports.TargetError(f"reading Workflow {name}: {error.message}") from None
        items = (listed or {}).get("items") or []
        if not items:
            return None
        self._run_namespaces[name] = str(items[0].get("metadata", {}).get("namespace", ""))
        return dict(items[0])


def _resource(key: objects.ObjectKey) -> resources.Resource:
    try:
        return resources.of(key.kind)
    except resources.UnknownKindError as error:
        raise ports.TargetError(str(error)) from None


def _without_server_fields(obj: Mapping[str, Any]) -> dict[str, Any]:
    meta = {k: v for k, v in (obj.get("metadata") or {}).items() if k not in SERVER_METADATA}
    return {**{k: v for k, v in obj.items() if k != "status"}, "metadata": meta}


_MANAGER = re.compile(r'conflict with "([^"]+)"')


def _conflict(key: objects.ObjectKey, error: ApiError, env: str) -> str:
    """A field-ownership conflict, naming the other managers and their fields."""
    owners: dict[str, list[str]] = {}
    for cause in error.causes:
        found = _MANAGER.search(str(cause.get("message", "")))
        owners.setdefault(found.group(1) if found else "another manager", []).append(
            str(cause.get("field", "")).lstrip(".")
        )
    if not owners:
        found = _MANAGER.search(error.message)
        owners[found.group(1) if found else "another manager"] = []
    named = "; ".join(
        f"{', '.join(f for f in paths if f) or 'fields'} owned by field manager {manager}"
        for manager, paths in sorted(owners.items())
    )
    return (
        f"applying {key}: conflict: {named}. bosun did not take them over: set "
        f"target.forceConflicts: true in environment {env} to force, or undo the other change"
    )


def _said(error: ApiError) -> str:
    return f"{error.code} {error.reason}: {error.message}" if error.code else error.message


def _show(value: Any) -> str:
    return "absent" if value is diff.MISSING else repr(value)


def _seconds(text: Any) -> float | None:
    if not text:
        return None
    try:
        return datetime.datetime.fromisoformat(str(text).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None
