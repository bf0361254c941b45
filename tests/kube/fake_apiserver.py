"""An in-process HTTP fake of the Kubernetes API subset bosun's Kubernetes target uses.

It speaks real HTTP on 127.0.0.1 so the official ``kubernetes`` client talks to it unchanged:
discovery, get/list/create/replace/delete, merge, JSON and server-side-apply patches with
managedFields and field-manager conflicts, dryRun, status subresources, strict validation against
the upstream schemas (../shared via ``contract/upstream_schemas.py``) and the API server's error
Status objects. Everything lives in one dict behind one lock; there is no watch, no defaulting,
no admission beyond namespace existence, and lists are atomic for server-side apply.
"""

from __future__ import annotations

import copy
import datetime
import http.server
import itertools
import json
import re
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import yaml

try:
    from contract import upstream_schemas
except ImportError:  # imported as tests.kube.fake_apiserver, e.g. from bench/
    from tests.contract import upstream_schemas  # type: ignore[no-redef]

ARGO = "argoproj.io"
KSERVE = "serving.kserve.io"
# /version as a 1.34 server answers it: the client's VersionInfo model requires every field.
KUBERNETES_VERSION = {
    "major": "1",
    "minor": "34",
    "emulationMajor": "1",
    "emulationMinor": "34",
    "minCompatibilityMajor": "1",
    "minCompatibilityMinor": "33",
    "gitVersion": "v1.34.0",
    "gitCommit": "0000000000000000000000000000000000000000",
    "gitTreeState": "clean",
    "buildDate": "2025-08-27T00:00:00Z",
    "goVersion": "go1.24.6",
    "compiler": "gc",
    "platform": "linux/amd64",
}
VERBS = ["create", "delete", "get", "list", "patch", "update"]
READ_VERBS = ["get", "list"]
MERGE_PATCH = {"application/merge-patch+json", "application/strategic-merge-patch+json"}
JSON_PATCH = "application/json-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"
# metadata fields the field manager tracks; name, uid, resourceVersion... belong to the server.
TRACKED_METADATA = ("labels", "annotations", "finalizers", "ownerReferences")

Path = tuple[str, ...]
Json = dict[str, Any]


@dataclass(frozen=True)
class ResourceType:
    """One served resource: what discovery lists and what a URL names."""

    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool
    status: bool = False  # has a status subresource: main writes ignore status
    crd: bool = False  # CRD-backed: served only when its group is installed
    verbs: tuple[str, ...] = tuple(VERBS)

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def qualified(self) -> str:
        """How error messages name the resource: ``deployments.apps``, ``configmaps``."""
        return f"{self.plural}.{self.group}" if self.group else self.plural


RBAC = "rbac.authorization.k8s.io"
RESOURCES = (
    ResourceType("", "v1", "namespaces", "Namespace", False, status=True),
    ResourceType("", "v1", "resourcequotas", "ResourceQuota", True, status=True),
    ResourceType("", "v1", "limitranges", "LimitRange", True),
    ResourceType("", "v1", "configmaps", "ConfigMap", True),
    ResourceType("", "v1", "serviceaccounts", "ServiceAccount", True),
    ResourceType("", "v1", "services", "Service", True),
    ResourceType("apps", "v1", "deployments", "Deployment", True),
    ResourceType(RBAC, "v1", "roles", "Role", True),
    ResourceType(RBAC, "v1", "rolebindings", "RoleBinding", True),
    ResourceType(RBAC, "v1", "clusterroles", "ClusterRole", False),
    ResourceType(RBAC, "v1", "clusterrolebindings", "ClusterRoleBinding", False),
    ResourceType("coordination.k8s.io", "v1", "leases", "Lease", True),
    ResourceType(
        "apiextensions.k8s.io",
        "v1",
        "customresourcedefinitions",
        "CustomResourceDefinition",
        False,
        verbs=tuple(READ_VERBS),
    ),
    ResourceType(ARGO, "v1alpha1", "workflows", "Workflow", True, status=True, crd=True),
    ResourceType(ARGO, "v1alpha1", "workflowtemplates", "WorkflowTemplate", True, crd=True),
    ResourceType(
        ARGO, "v1alpha1", "clusterworkflowtemplates", "ClusterWorkflowTemplate", False, crd=True
    ),
    ResourceType(ARGO, "v1alpha1", "cronworkflows", "CronWorkflow", True, crd=True),
    ResourceType(
        KSERVE, "v1beta1", "inferenceservices", "InferenceService", True, status=True, crd=True
    ),
)
CRD_GROUPS = frozenset({ARGO, KSERVE})


class ApiError(Exception):
    """A refusal, sent as the API server's ``Status`` object."""

    def __init__(self, code: int, reason: str, message: str, details: Json | None = None):
        super().__init__(message)
        self.code, self.reason, self.message, self.details = code, reason, message, details

    def status(self) -> Json:
        body: Json = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        }
        if self.details is not None:
            body["details"] = self.details
        return body


def _details(rtype: ResourceType, name: str, **extra: Any) -> Json:
    out: Json = {"name": name, "kind": rtype.plural, **extra}
    if rtype.group:
        out["group"] = rtype.group
    return out


def not_found(rtype: ResourceType, name: str) -> ApiError:
    message = f'{rtype.qualified} "{name}" not found'
    return ApiError(404, "NotFound", message, _details(rtype, name))


@dataclass
class Manager:
    """One managedFields entry: the leaf paths a (manager, operation, subresource) owns."""

    api_version: str
    time: str
    fields: set[Path] = field(default_factory=set)


ManagerKey = tuple[str, str, str]  # (manager, "Apply" | "Update", subresource)


@dataclass
class Stored:
    obj: Json  # without metadata.managedFields
    managers: dict[ManagerKey, Manager]


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str]
    content_type: str
    body: bytes
    user_agent: str = ""


class FakeApiServer:
    """``start()`` serves on an ephemeral port at ``.url``; ``stop()`` shuts it down.

    ``crds`` names the CRD groups installed (default Argo and KServe); an absent group's
    resources 404 and are missing from discovery and from the CRD list.
    """

    def __init__(self, crds: Iterable[str] = CRD_GROUPS) -> None:
        self.crds = frozenset(crds)
        unknown = self.crds - CRD_GROUPS
        if unknown:
            raise ValueError(f"unknown CRD groups {sorted(unknown)}; known: {sorted(CRD_GROUPS)}")
        self.requests: list[tuple[str, str, dict[str, str], str]] = []
        self.answer_delay = 0.0
        """Seconds a write is held after it took effect, before its answer: a client killed
        meanwhile never learns that it happened (the hardest point to crash at)."""
        self._lock = threading.RLock()
        self._store: dict[tuple[ResourceType, str, str], Stored] = {}
        self._rv = itertools.count(1000)
        self._resource_version = str(next(self._rv))
        self._http: http.server.ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> FakeApiServer:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._http = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._http.daemon_threads = True
        self._thread = threading.Thread(target=self._http.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._http = self._thread = None

    @property
    def url(self) -> str:
        if self._http is None:
            raise RuntimeError("FakeApiServer is not started")
        host, port = self._http.server_address[:2]
        return f"http://{host!s}:{port}"

    # -- test hooks ------------------------------------------------------------------------

    @property
    def writes(self) -> int:
        """Requests that could change state: every non-GET that is not a dry run."""
        return sum(1 for method, _, query, _ in self.requests if _is_write(method, query))

    def reset_log(self) -> None:
        with self._lock:
            self.requests.clear()

    def get(self, group: str, resource: str, namespace: str | None, name: str) -> Json | None:
        with self._lock:
            stored = self._store.get((self._type(group, resource), namespace or "", name))
            return None if stored is None else self._render(stored)

    def objects(self, group: str, resource: str, namespace: str | None = None) -> list[Json]:
        rtype = self._type(group, resource)
        with self._lock:
            return [
                self._render(stored)
                for (t, ns, _), stored in sorted(self._store.items(), key=_sort_key)
                if t == rtype and (namespace is None or ns == namespace)
            ]

    def set_status(
        self, group: str, resource: str, namespace: str | None, name: str, status: Json
    ) -> Json:
        """What a controller does (Argo's, KServe's, the quota controller): replace ``status``."""
        rtype = self._type(group, resource)
        with self._lock:
            stored = self._store.get((rtype, namespace or "", name))
            if stored is None:
                raise KeyError((group, resource, namespace, name))
            stored.obj["status"] = copy.deepcopy(status)
            stored.obj["metadata"]["resourceVersion"] = self._bump()
            return self._render(stored)

    def _type(self, group: str, resource: str) -> ResourceType:
        for rtype in self._served():
            if rtype.group == group and rtype.plural == resource:
                return rtype
        raise KeyError(f"no served resource {resource!r} in group {group!r}")

    # -- HTTP entry point ------------------------------------------------------------------

    def handle(self, request: Request) -> tuple[int, Json]:
        with self._lock:
            self.requests.append(
                (request.method, request.path, dict(request.query), request.content_type)
            )
            try:
                return self._route(request)
            except ApiError as error:
                return error.code, error.status()
            except Exception as error:  # a bug here must reach the test as a Status, not a hangup
                return 500, ApiError(500, "InternalError", f"fake apiserver: {error!r}").status()

    def _route(self, request: Request) -> tuple[int, Json]:
        parts = [p for p in request.path.split("/") if p]
        discovery = self._discovery(parts)
        if discovery is not None:
            if request.method != "GET":
                raise _method_not_allowed(request.method)
            return 200, discovery
        rtype, namespace, name, subresource = self._target(parts)
        if rtype.plural == "customresourcedefinitions":
            return self._crds(request, name)
        if request.method == "GET":
            if name is None:
                return 200, self._list(rtype, namespace, request.query)
            return 200, self._render(self._live(rtype, namespace or "", name))
        if request.method == "DELETE" and name is not None and subresource is None:
            return self._delete(rtype, namespace or "", name, request.query)
        if request.method == "POST" and name is None and (namespace or not rtype.namespaced):
            return self._write(request, rtype, namespace or "", None, None)
        if request.method in ("PUT", "PATCH") and name is not None:
            return self._write(request, rtype, namespace or "", name, subresource)
        raise _method_not_allowed(request.method)

    # -- discovery -------------------------------------------------------------------------

    def _served(self) -> list[ResourceType]:
        return [r for r in RESOURCES if not r.crd or r.group in self.crds]

    def _discovery(self, parts: list[str]) -> Json | None:
        groups: dict[str, str] = {}
        for rtype in self._served():
            if rtype.group:
                groups.setdefault(rtype.group, rtype.version)
        if parts == ["version"]:
            return dict(KUBERNETES_VERSION)
        if parts == ["api"]:
            return {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []}
        if parts == ["api", "v1"]:
            return self._resource_list("", "v1")
        if parts == ["apis"]:
            return {
                "kind": "APIGroupList",
                "apiVersion": "v1",
                "groups": [_api_group(g, v) for g, v in groups.items()],
            }
        if len(parts) == 2 and parts[0] == "apis" and parts[1] in groups:
            group = _api_group(parts[1], groups[parts[1]])
            return {"kind": "APIGroup", "apiVersion": "v1", **group}
        if len(parts) == 3 and parts[0] == "apis" and groups.get(parts[1]) == parts[2]:
            return self._resource_list(parts[1], parts[2])
        return None

    def _resource_list(self, group: str, version: str) -> Json:
        resources = []
        for rtype in self._served():
            if (rtype.group, rtype.version) != (group, version):
                continue
            resources.append(
                {
                    "name": rtype.plural,
                    "singularName": rtype.kind.lower(),
                    "namespaced": rtype.namespaced,
                    "kind": rtype.kind,
                    "verbs": list(rtype.verbs),
                }
            )
            if rtype.status:
                resources.append(
                    {
                        "name": f"{rtype.plural}/status",
                        "singularName": "",
                        "namespaced": rtype.namespaced,
                        "kind": rtype.kind,
                        "verbs": ["get", "patch", "update"],
                    }
                )
        return {
            "kind": "APIResourceList",
            "apiVersion": "v1",
            "groupVersion": f"{group}/{version}" if group else version,
            "resources": resources,
        }

    def _target(self, parts: list[str]) -> tuple[ResourceType, str | None, str | None, str | None]:
        """A resource URL → (type, namespace, name, subresource); 404 for anything else."""
        if parts[:2] == ["api", "v1"]:
            group, version, rest = "", "v1", parts[2:]
        elif len(parts) >= 3 and parts[0] == "apis":
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            raise _page_not_found()
        namespace = None
        if len(rest) >= 3 and rest[0] == "namespaces" and rest[2] not in ("status", "finalize"):
            namespace, rest = rest[1], rest[2:]
        if not 1 <= len(rest) <= 3:
            raise _page_not_found()
        rtype = next(
            (
                r
                for r in self._served()
                if (r.group, r.version, r.plural) == (group, version, rest[0])
            ),
            None,
        )
        if rtype is None or (namespace is not None and not rtype.namespaced):
            raise _page_not_found()
        name = rest[1] if len(rest) >= 2 else None
        subresource = rest[2] if len(rest) == 3 else None
        if subresource is not None and not (subresource == "status" and rtype.status):
            raise _page_not_found()
        if name is not None and rtype.namespaced and namespace is None:
            raise _page_not_found()
        return rtype, namespace, name, subresource

    def _crds(self, request: Request, name: str | None) -> tuple[int, Json]:
        """The CRDs of the installed groups, read-only: enough to check they exist."""
        if request.method != "GET":
            raise _method_not_allowed(request.method)
        crds = {crd["metadata"]["name"]: crd for crd in map(_crd, self._served()) if crd}
        if name is None:
            return 200, _list_of(
                "CustomResourceDefinition",
                "apiextensions.k8s.io/v1",
                list(crds.values()),
                self._resource_version,
            )
        if name not in crds:
            rtype = self._type("apiextensions.k8s.io", "customresourcedefinitions")
            raise not_found(rtype, name)
        return 200, crds[name]

    # -- reads -----------------------------------------------------------------------------

    def _live(self, rtype: ResourceType, namespace: str, name: str) -> Stored:
        stored = self._store.get((rtype, namespace, name))
        if stored is None:
            raise not_found(rtype, name)
        return stored

    def _list(self, rtype: ResourceType, namespace: str | None, query: dict[str, str]) -> Json:
        selector = parse_label_selector(query.get("labelSelector", ""))
        fields = parse_field_selector(query.get("fieldSelector", ""))
        items = []
        for (t, ns, name), stored in sorted(self._store.items(), key=_sort_key):
            if t != rtype or (namespace is not None and ns != namespace):
                continue
            if fields.get("metadata.name", name) != name:
                continue
            if fields.get("metadata.namespace", ns) != ns:
                continue
            if selector(stored.obj["metadata"].get("labels") or {}):
                items.append(self._render(stored))
        return _list_of(rtype.kind, rtype.api_version, items, self._resource_version)

    def _render(self, stored: Stored) -> Json:
        obj = copy.deepcopy(stored.obj)
        entries = [_managed_entry(k, m) for k, m in stored.managers.items() if m.fields]
        if entries:
            obj["metadata"]["managedFields"] = entries
        return obj

    # -- writes ----------------------------------------------------------------------------

    def _bump(self) -> str:
        self._resource_version = str(next(self._rv))
        return self._resource_version

    def _delete(
        self, rtype: ResourceType, namespace: str, name: str, query: dict[str, str]
    ) -> tuple[int, Json]:
        dry_run = _dry_run(query)
        stored = self._live(rtype, namespace, name)
        if not dry_run:
            del self._store[(rtype, namespace, name)]
            if rtype.kind == "Namespace":  # real namespaces terminate first; this one is instant
                for key in [k for k in self._store if k[0].namespaced and k[1] == name]:
                    del self._store[key]
            self._bump()
        uid = stored.obj["metadata"]["uid"]
        details = _details(rtype, name, uid=uid)
        return 200, {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Success",
            "details": details,
        }

    def _write(
        self,
        request: Request,
        rtype: ResourceType,
        namespace: str,
        name: str | None,
        subresource: str | None,
    ) -> tuple[int, Json]:
        dry_run = _dry_run(request.query)
        body = _decode(request)
        if name is None:  # POST: the name is the body's
            name = _body_name(body)
        if rtype.namespaced:
            self._require_namespace(namespace)
        key = (rtype, namespace, name)
        live = self._store.get(key)
        manager_name = request.query.get("fieldManager") or _agent_manager(request.user_agent)
        scope = subresource or ""
        status, candidate, applied = self._candidate(
            request, rtype=rtype, live=live, body=body, name=name, scope=scope
        )
        candidate = self._prepare(
            rtype=rtype, namespace=namespace, name=name, candidate=candidate, live=live, scope=scope
        )
        _validate(rtype, candidate)
        if applied is not None:
            managers = applied
        else:
            managers = copy.deepcopy(live.managers) if live else {}
            _record_update(
                managers,
                _tracked(rtype, live.obj, scope) if live else {},
                _tracked(rtype, candidate, scope),
                (manager_name, "Update", scope),
                rtype,
            )
        if live is not None and _same(live, candidate, managers):
            return 200, self._render(live)
        if live is not None and _spec(rtype, live.obj) != _spec(rtype, candidate):
            candidate["metadata"]["generation"] = live.obj["metadata"].get("generation", 1) + 1
        result = Stored(candidate, {k: m for k, m in managers.items() if m.fields})
        if not dry_run:
            candidate["metadata"]["resourceVersion"] = self._bump()
            self._store[key] = result
        return status, self._render(result)

    def _require_namespace(self, namespace: str) -> None:
        namespaces = self._type("", "namespaces")
        if (namespaces, "", namespace) not in self._store:
            raise not_found(namespaces, namespace)

    def _candidate(
        self,
        request: Request,
        *,
        rtype: ResourceType,
        live: Stored | None,
        body: Any,
        name: str,
        scope: str,
    ) -> tuple[int, Json, dict[ManagerKey, Manager] | None]:
        """The object the request asks for, before the server's own fields and scoping, and
        for an apply the ownership it leaves."""
        if request.method == "POST":
            if live is not None:
                message = f'{rtype.qualified} "{name}" already exists'
                raise ApiError(409, "AlreadyExists", message, _details(rtype, name))
            body = _object(body)
            if (body.get("metadata") or {}).get("resourceVersion"):
                raise _bad_request("resourceVersion should not be set on objects to be created")
            return 201, body, None
        if request.method == "PUT":
            if live is None:
                raise not_found(rtype, name)
            body = _object(body)
            _check_resource_version(rtype, name, body, live)
            return 200, body, None
        ctype = request.content_type
        if ctype == APPLY_PATCH:
            if live is None and scope:
                raise not_found(rtype, name)
            return self._apply(request, rtype, live, _object(body), scope)
        if live is None:
            raise not_found(rtype, name)
        if ctype in MERGE_PATCH:
            patch = _object(body)
            _check_resource_version(rtype, name, patch, live)
            return 200, merge_patch(copy.deepcopy(live.obj), patch), None
        if ctype == JSON_PATCH:
            if not isinstance(body, list):
                raise _bad_request("json patch must be a list of operations")
            return 200, json_patch(copy.deepcopy(live.obj), body), None
        accepted = ", ".join(sorted([*MERGE_PATCH, JSON_PATCH, APPLY_PATCH]))
        raise ApiError(
            415,
            "UnsupportedMediaType",
            f"the body of the request was in an unknown format - accepted media types include: "
            f"{accepted}",
        )

    def _apply(
        self, request: Request, rtype: ResourceType, live: Stored | None, config: Json, scope: str
    ) -> tuple[int, Json, dict[ManagerKey, Manager]]:
        """Server-side apply: the applied fields replace what this manager owned before;
        a differing value owned by another manager is a conflict unless ``force=true``."""
        manager_name = request.query.get("fieldManager")
        if not manager_name:
            raise ApiError(
                400,
                "BadRequest",
                'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: '
                "is required for apply patch",
            )
        force = request.query.get("force", "false").lower() == "true"
        key = (manager_name, "Apply", scope)
        _check_applied_identity(rtype, config, live)
        managers = copy.deepcopy(live.managers) if live else {}
        live_obj = live.obj if live else {}
        applied = _leaves(_tracked(rtype, config, scope))
        conflicts = _conflicts(managers, key, live_obj, applied)
        if conflicts and not force:
            raise _apply_conflict(conflicts, managers)
        for other, path in conflicts:
            managers[other].fields.discard(path)
        obj = copy.deepcopy(live_obj) if live else {}
        if not live:
            obj = {k: copy.deepcopy(v) for k, v in config.items() if k in ("apiVersion", "kind")}
            obj["metadata"] = {
                k: v for k, v in (config.get("metadata") or {}).items() if k not in TRACKED_METADATA
            }
        others = set().union(*(m.fields for k, m in managers.items() if k != key))
        previous = managers[key].fields if key in managers else set()
        for path in sorted(previous - set(applied), key=len, reverse=True):
            if not any(_overlaps(path, owned) for owned in others):
                _delete_path(obj, path)
        for path, value in applied.items():
            _set_path(obj, path, copy.deepcopy(value))
        entry = managers.get(key)
        if entry is None or entry.fields != set(applied):
            managers[key] = Manager(rtype.api_version, _now(), set(applied))
        return (200 if live else 201), obj, managers

    def _prepare(
        self,
        *,
        rtype: ResourceType,
        namespace: str,
        name: str,
        candidate: Json,
        live: Stored | None,
        scope: str,
    ) -> Json:
        """The server's part of an object: identity from the URL, uid and timestamps kept,
        and the status subresource's split (main writes keep status, status writes keep
        everything else)."""
        for field_name, expected in (("apiVersion", rtype.api_version), ("kind", rtype.kind)):
            given = candidate.setdefault(field_name, expected)
            if given != expected:
                raise _bad_request(
                    f"the {field_name} in the data ({given}) does not match the expected "
                    f"{field_name} ({expected})"
                )
        meta = candidate.setdefault("metadata", {})
        if not isinstance(meta, dict):
            raise _bad_request("metadata must be an object")
        if meta.setdefault("name", name) != name:
            raise _bad_request(
                f"the name of the object ({meta['name']}) does not match the name on the URL "
                f"({name})"
            )
        if rtype.namespaced and meta.setdefault("namespace", namespace) != namespace:
            raise _bad_request(
                "the namespace of the provided object does not match the namespace sent on "
                "the request"
            )
        meta.pop("managedFields", None)
        if live is None:
            meta.update(uid=str(uuid.uuid4()), creationTimestamp=_now(), generation=1)
            if rtype.status:
                candidate.pop("status", None)
            if rtype.kind == "Namespace":
                candidate["status"] = {"phase": "Active"}
            return candidate
        old = live.obj["metadata"]
        for server_field in ("uid", "creationTimestamp", "generation", "resourceVersion"):
            if server_field in old:
                meta[server_field] = old[server_field]
        if scope == "status":
            merged = copy.deepcopy(live.obj)
            if "status" in candidate:
                merged["status"] = candidate["status"]
            else:
                merged.pop("status", None)
            return merged
        if rtype.status:
            if "status" in live.obj:
                candidate["status"] = copy.deepcopy(live.obj["status"])
            else:
                candidate.pop("status", None)
        return candidate


# -- HTTP ----------------------------------------------------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    fake: FakeApiServer

    def _serve(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        request = Request(
            method=self.command,
            path=url.path,
            query=dict(parse_qsl(url.query, keep_blank_values=True)),
            content_type=(self.headers.get("Content-Type") or "").split(";")[0].strip(),
            body=self.rfile.read(length) if length else b"",
            user_agent=self.headers.get("User-Agent") or "",
        )
        code, payload = self.fake.handle(request)
        if self.fake.answer_delay and _is_write(request.method, request.query):
            time.sleep(self.fake.answer_delay)
        data = json.dumps(payload).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the request log is ``FakeApiServer.requests``."""


# -- helpers -------------------------------------------------------------------------------


def _is_write(method: str, query: dict[str, str]) -> bool:
    return method != "GET" and query.get("dryRun") != "All"


def _dry_run(query: dict[str, str]) -> bool:
    value = query.get("dryRun")
    if value not in (None, "", "All"):
        raise _bad_request(f'Invalid dry run value "{value}": only "All" is supported')
    return value == "All"


def _sort_key(item: tuple[tuple[ResourceType, str, str], Stored]) -> tuple[str, str, str, str]:
    (rtype, namespace, name), _ = item
    return rtype.group, rtype.plural, namespace, name


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _api_group(group: str, version: str) -> Json:
    gv = {"groupVersion": f"{group}/{version}", "version": version}
    return {"name": group, "versions": [gv], "preferredVersion": gv}


def _list_of(kind: str, api_version: str, items: list[Json], resource_version: str) -> Json:
    return {
        "kind": f"{kind}List",
        "apiVersion": api_version,
        "metadata": {"resourceVersion": resource_version},
        "items": items,
    }


def _crd(rtype: ResourceType) -> Json | None:
    if not rtype.crd:
        return None
    name = f"{rtype.plural}.{rtype.group}"
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": name},
        "spec": {
            "group": rtype.group,
            "names": {
                "plural": rtype.plural,
                "singular": rtype.kind.lower(),
                "kind": rtype.kind,
                "listKind": f"{rtype.kind}List",
            },
            "scope": "Namespaced" if rtype.namespaced else "Cluster",
            "versions": [
                {
                    "name": rtype.version,
                    "served": True,
                    "storage": True,
                    **({"subresources": {"status": {}}} if rtype.status else {}),
                }
            ],
        },
        "status": {
            "conditions": [{"type": "Established", "status": "True"}],
            "acceptedNames": {"plural": rtype.plural, "kind": rtype.kind},
            "storedVersions": [rtype.version],
        },
    }


def _page_not_found() -> ApiError:
    return ApiError(404, "NotFound", "the server could not find the requested resource")


def _method_not_allowed(method: str) -> ApiError:
    return ApiError(405, "MethodNotAllowed", f"the server does not allow this method ({method})")


def _bad_request(message: str) -> ApiError:
    return ApiError(400, "BadRequest", message)


def _decode(request: Request) -> Any:
    """JSON, or YAML for an apply patch (YAML is a superset: the client sends JSON)."""
    if not request.body:
        raise _bad_request("the request body is empty")
    try:
        if request.content_type == APPLY_PATCH:
            return yaml.safe_load(request.body)
        return json.loads(request.body)
    except (ValueError, yaml.YAMLError) as error:
        raise _bad_request(f"the request body could not be decoded: {error}") from error


def _object(body: Any) -> Json:
    if not isinstance(body, dict):
        raise _bad_request("the request body must be an object")
    return copy.deepcopy(body)


def _body_name(body: Any) -> str:
    meta = body.get("metadata") if isinstance(body, dict) else None
    name = meta.get("name") if isinstance(meta, dict) else None
    if isinstance(name, str) and name:
        return name
    prefix = meta.get("generateName") if isinstance(meta, dict) else None
    if isinstance(prefix, str) and prefix:
        name = prefix + uuid.uuid4().hex[:5]
        meta["name"] = name  # type: ignore[index]
        return name
    raise ApiError(
        422,
        "Invalid",
        "metadata.name: Required value: name or generateName is required",
        {"causes": [{"reason": "FieldValueRequired", "field": "metadata.name"}]},
    )


def _agent_manager(user_agent: str) -> str:
    """The API server's default field manager: the User-Agent up to its first '/'."""
    return user_agent.split("/", maxsplit=1)[0].strip() or "unknown"


def _check_resource_version(rtype: ResourceType, name: str, body: Json, live: Stored) -> None:
    given = (body.get("metadata") or {}).get("resourceVersion")
    if given and given != live.obj["metadata"]["resourceVersion"]:
        raise ApiError(
            409,
            "Conflict",
            f'Operation cannot be fulfilled on {rtype.qualified} "{name}": the object has been '
            "modified; please apply your changes to the latest version and try again",
            _details(rtype, name),
        )


def _check_applied_identity(rtype: ResourceType, config: Json, live: Stored | None) -> None:
    """An apply names its type and object; with a resourceVersion it is also a precondition."""
    for field_name, expected in (("apiVersion", rtype.api_version), ("kind", rtype.kind)):
        if config.get(field_name) != expected:
            raise _bad_request(
                f"the {field_name} in the data ({config.get(field_name)}) does not match the "
                f"expected {field_name} ({expected})"
            )
    meta = config.get("metadata") or {}
    if live is not None:
        for field_name in ("name", "namespace"):
            given = meta.get(field_name)
            if given is not None and given != live.obj["metadata"].get(field_name):
                raise _bad_request(f"the {field_name} of the object does not match the request")
        _check_resource_version(rtype, live.obj["metadata"]["name"], config, live)


def _validate(rtype: ResourceType, obj: Json) -> None:
    """422 Invalid with one cause per schema error, like the API server (stricter on unknown
    fields: a real server with the default fieldValidation prunes them with a warning)."""
    if rtype.kind == "CustomResourceDefinition":
        return
    if not upstream_schemas.available():
        raise RuntimeError(upstream_schemas.SKIP_REASON)
    checked = copy.deepcopy(obj)
    checked["metadata"].pop("resourceVersion", None)
    causes = [_cause(message) for message in upstream_schemas.errors(checked)]
    if not causes:
        return
    name = obj["metadata"]["name"]
    kind = f"{rtype.kind}.{rtype.group}" if rtype.group else rtype.kind
    summary = [f"{c['field']}: {c['message']}" for c in causes]
    joined = summary[0] if len(summary) == 1 else "[" + ", ".join(summary) + "]"
    details = {"name": name, "kind": rtype.kind, "causes": causes}
    if rtype.group:
        details["group"] = rtype.group
    raise ApiError(422, "Invalid", f'{kind} "{name}" is invalid: {joined}', details)


_UNEXPECTED = re.compile(r"\('([^']+)' was unexpected\)|\('([^']+)', .* were unexpected\)")


def _cause(message: str) -> Json:
    """``upstream_schemas`` reports ``field: message``; an unknown field names itself."""
    where, _, text = message.partition(": ")
    where = where.removeprefix("kubernetes-validate ").strip().lstrip(".")
    unexpected = _UNEXPECTED.search(text)
    if unexpected:
        extra = unexpected.group(1) or unexpected.group(2)
        where = f"{where}.{extra}" if where else extra
        message = f'unknown field "{where}"'
        return {"reason": "FieldValueInvalid", "message": message, "field": where}
    return {"reason": "FieldValueInvalid", "message": text, "field": where}


# -- field ownership -----------------------------------------------------------------------


def _tracked(rtype: ResourceType, obj: Json, scope: str) -> Json:
    """The part of ``obj`` field managers own in this scope (main resource or status)."""
    if scope == "status":
        return {"status": obj["status"]} if "status" in obj else {}
    out = {k: v for k, v in obj.items() if k not in ("apiVersion", "kind", "metadata")}
    if rtype.status:
        out.pop("status", None)
    meta = obj.get("metadata") or {}
    kept = {k: meta[k] for k in TRACKED_METADATA if k in meta}
    if kept:
        out["metadata"] = kept
    return out


def _leaves(value: Any, prefix: Path = ()) -> dict[Path, Any]:
    """Leaf paths of nested maps; lists and empty maps are leaves (atomic)."""
    if isinstance(value, dict) and value:
        out: dict[Path, Any] = {}
        for key, item in value.items():
            out.update(_leaves(item, (*prefix, str(key))))
        return out
    return {prefix: value} if prefix else {}


def _overlaps(a: Path, b: Path) -> bool:
    shorter = min(len(a), len(b))
    return a[:shorter] == b[:shorter]


def _get_path(obj: Any, path: Path) -> Any:
    for key in path:
        if not isinstance(obj, dict) or key not in obj:
            return _MISSING
        obj = obj[key]
    return obj


_MISSING = object()


def _set_path(obj: Json, path: Path, value: Any) -> None:
    for key in path[:-1]:
        if not isinstance(obj.get(key), dict):
            obj[key] = {}
        obj = obj[key]
    obj[path[-1]] = value


def _delete_path(obj: Json, path: Path) -> None:
    """Remove a leaf, then the maps its removal left empty."""
    parents = []
    node: Any = obj
    for key in path[:-1]:
        if not isinstance(node, dict) or key not in node:
            return
        parents.append((node, key))
        node = node[key]
    if isinstance(node, dict):
        node.pop(path[-1], None)
    for parent, key in reversed(parents):
        if parent[key] == {}:
            del parent[key]
        else:
            break


def _conflicts(
    managers: dict[ManagerKey, Manager], key: ManagerKey, live: Json, applied: dict[Path, Any]
) -> list[tuple[ManagerKey, Path]]:
    """(other manager, path it owns) wherever the applied value differs from the live one."""
    found = []
    for other, manager in managers.items():
        if other == key:
            continue
        for owned in sorted(manager.fields):
            for path, value in applied.items():
                if _overlaps(owned, path) and _get_path(live, path) != value:
                    found.append((other, owned))
                    break
    return found


def _manager_label(key: ManagerKey, api_version: str) -> str:
    """How the API server prints a manager: appliers by name, updaters with their version."""
    name, operation, _ = key
    return f'"{name}"' if operation == "Apply" else f'"{name}" using {api_version}'


def _path_string(path: Path) -> str:
    return "".join(f".{key}" for key in path)


def _apply_conflict(
    conflicts: list[tuple[ManagerKey, Path]], managers: dict[ManagerKey, Manager]
) -> ApiError:
    """409 worded like the API server's field-manager conflict, one cause per field."""
    labels = [(_manager_label(key, managers[key].api_version), path) for key, path in conflicts]
    causes = [
        {
            "type": "FieldManagerConflict",
            "message": f"conflict with {label}",
            "field": _path_string(path),
        }
        for label, path in labels
    ]
    if len(labels) == 1:
        label, path = labels[0]
        message = f"Apply failed with 1 conflict: conflict with {label}: {_path_string(path)}"
    else:
        lines = []
        for label in sorted({label for label, _ in labels}):
            lines.append(f"conflicts with {label}:")
            lines += [f"- {_path_string(path)}" for other, path in labels if other == label]
        message = f"Apply failed with {len(labels)} conflicts: " + "\n".join(lines)
    return ApiError(409, "Conflict", message, {"causes": causes})


def _record_update(
    managers: dict[ManagerKey, Manager],
    old: Json,
    new: Json,
    key: ManagerKey,
    rtype: ResourceType,
) -> None:
    """A non-apply write: the manager takes every field it changed; removed fields lose
    their owners."""
    before, after = _leaves(old), _leaves(new)
    changed = {p for p, v in after.items() if p not in before or before[p] != v}
    removed = set(before) - set(after)
    for manager in managers.values():
        manager.fields -= changed | removed
    if changed:
        entry = managers.setdefault(key, Manager(rtype.api_version, _now()))
        entry.fields |= changed
        entry.time = _now()


def _same(live: Stored, candidate: Json, managers: dict[ManagerKey, Manager]) -> bool:
    """A write that changes nothing (object or ownership) leaves resourceVersion alone."""
    before = {k: m.fields for k, m in live.managers.items() if m.fields}
    after = {k: m.fields for k, m in managers.items() if m.fields}
    return live.obj == candidate and before == after


def _spec(rtype: ResourceType, obj: Json) -> Json:
    """What metadata.generation counts: everything but metadata and status."""
    return {k: v for k, v in obj.items() if k not in ("metadata", "status")}


def _managed_entry(key: ManagerKey, manager: Manager) -> Json:
    name, operation, subresource = key
    entry: Json = {
        "manager": name,
        "operation": operation,
        "apiVersion": manager.api_version,
        "time": manager.time,
        "fieldsType": "FieldsV1",
        "fieldsV1": fields_v1(manager.fields),
    }
    if subresource:
        entry["subresource"] = subresource
    return entry


def fields_v1(paths: Iterable[Path]) -> Json:
    """Leaf paths in the ``f:`` notation of ``metadata.managedFields[].fieldsV1``."""
    out: Json = {}
    for path in sorted(paths):
        node = out
        for key in path:
            node = node.setdefault(f"f:{key}", {})
    return out


# -- patches -------------------------------------------------------------------------------


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch (strategic merge patches are treated the same)."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if not isinstance(target, dict):
        target = {}
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        else:
            target[key] = merge_patch(target.get(key), value)
    return target


def json_patch(target: Json, operations: list[Any]) -> Json:
    """RFC 6902 add, remove, replace and test."""
    for op in operations:
        if not isinstance(op, dict) or "path" not in op:
            raise _bad_request(f"invalid json patch operation {op!r}")
        keys = [k.replace("~1", "/").replace("~0", "~") for k in op["path"].split("/")[1:]]
        parent: Any = target
        for key in keys[:-1]:
            parent = parent[int(key)] if isinstance(parent, list) else parent.get(key)
            if parent is None:
                raise ApiError(422, "Invalid", f"doc is missing path: {op['path']}")
        last = keys[-1] if keys else ""
        kind = op.get("op")
        if kind == "test":
            current = parent[int(last)] if isinstance(parent, list) else parent.get(last)
            if current != op.get("value"):
                raise ApiError(422, "Invalid", f"testing value {op['path']} failed")
        elif kind in ("add", "replace"):
            if isinstance(parent, list):
                index = len(parent) if last == "-" else int(last)
                if kind == "add":
                    parent.insert(index, op.get("value"))
                else:
                    parent[index] = op.get("value")
            else:
                if kind == "replace" and last not in parent:
                    raise ApiError(422, "Invalid", f"doc is missing key: {op['path']}")
                parent[last] = op.get("value")
        elif kind == "remove":
            if isinstance(parent, list):
                parent.pop(int(last))
            elif last in parent:
                del parent[last]
            else:
                raise ApiError(422, "Invalid", f"doc is missing key: {op['path']}")
        else:
            raise _bad_request(f"unsupported json patch operation {kind!r}")
    return target


# -- selectors -----------------------------------------------------------------------------

_KEY = r"[A-Za-z0-9][-A-Za-z0-9_./]*"
_SET = re.compile(rf"^\s*({_KEY})\s+(in|notin)\s+\(([^)]*)\)\s*$")
_NOT_EXISTS = re.compile(rf"^\s*!\s*({_KEY})\s*$")
_EQUALITY = re.compile(rf"^\s*({_KEY})\s*(==|=|!=)\s*([-A-Za-z0-9_.]*)\s*$")
_EXISTS = re.compile(rf"^\s*({_KEY})\s*$")


def _split_requirements(selector: str) -> Iterator[str]:
    depth, start = 0, 0
    for index, char in enumerate(selector):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            yield selector[start:index]
            start = index + 1
    yield selector[start:]


def parse_label_selector(selector: str) -> Any:
    """``a=b``, ``a!=b``, ``a in (x,y)``, ``a notin (x)``, ``a``, ``!a``; commas AND them."""
    tests = []
    for requirement in _split_requirements(selector) if selector.strip() else []:
        if match := _SET.match(requirement):
            key, op, values = match[1], match[2], {v.strip() for v in match[3].split(",")}
            if op == "in":
                tests.append(lambda labels, k=key, vs=values: labels.get(k) in vs)
            else:
                tests.append(lambda labels, k=key, vs=values: labels.get(k) not in vs)
        elif match := _NOT_EXISTS.match(requirement):
            tests.append(lambda labels, k=match[1]: k not in labels)
        elif match := _EQUALITY.match(requirement):
            key, op, value = match[1], match[2], match[3]
            if op == "!=":
                tests.append(lambda labels, k=key, v=value: labels.get(k) != v)
            else:
                tests.append(lambda labels, k=key, v=value: labels.get(k) == v)
        elif match := _EXISTS.match(requirement):
            tests.append(lambda labels, k=match[1]: k in labels)
        else:
            raise _bad_request(
                f"unable to parse requirement: {requirement.strip()!r} in {selector!r}"
            )
    return lambda labels: all(test(labels) for test in tests)


def parse_field_selector(selector: str) -> dict[str, str]:
    """Only ``metadata.name`` and ``metadata.namespace`` equality, as every resource has."""
    out = {}
    for requirement in filter(None, (r.strip() for r in selector.split(","))):
        key, op, value = re.split(r"(==|=)", requirement, maxsplit=1)
        if op not in ("=", "==") or key.strip() not in ("metadata.name", "metadata.namespace"):
            raise _bad_request(f'field label not supported: "{key.strip()}"')
        out[key.strip()] = value.strip()
    return out
