"""The Lease of leader election (``gitops.leader.LeaseStore``) on the API server:
``coordination.k8s.io/v1`` Leases read, created and replaced with their resourceVersion."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import quote

from bosun.gitops import leader
from bosun.targets.kubernetes.api import Api, ApiError

MICRO_TIME = "%Y-%m-%dT%H:%M:%S.%fZ"


class KubernetesLease:
    def __init__(self, api: Api, namespace: str, name: str) -> None:
        self.api = api
        self.namespace = namespace
        self.name = name
        self.collection = (
            f"/apis/coordination.k8s.io/v1/namespaces/{quote(namespace, safe='')}/leases"
        )

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}"

    def get(self) -> tuple[leader.Record, str] | None:
        try:
            found = self.api.get(f"{self.collection}/{quote(self.name, safe='')}")
        except ApiError as error:
            raise leader.LeaseError(f"reading lease {self}: {error.message}") from None
        if found is None:
            return None
        return _record(found.get("spec") or {}), str(found["metadata"]["resourceVersion"])

    def create(self, record: leader.Record) -> None:
        self._write("POST", self.collection, record, None)

    def replace(self, record: leader.Record, resource_version: str) -> None:
        path = f"{self.collection}/{quote(self.name, safe='')}"
        self._write("PUT", path, record, resource_version)

    def _write(
        self, method: str, path: str, record: leader.Record, resource_version: str | None
    ) -> None:
        metadata: dict[str, Any] = {"name": self.name, "namespace": self.namespace}
        if resource_version is not None:
            metadata["resourceVersion"] = resource_version
        body = {
            "apiVersion": "coordination.k8s.io/v1",
            "kind": "Lease",
            "metadata": metadata,
            "spec": _spec(record),
        }
        try:
            self.api.request(method, path, {"fieldManager": "bosun-leader"}, body=body)
        except ApiError as error:
            if error.code == 409:
                raise leader.ConflictError(error.message) from None
            raise leader.LeaseError(f"writing lease {self}: {error.message}") from None


def _spec(record: leader.Record) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "leaseDurationSeconds": max(1, round(record.duration)),
        "leaseTransitions": record.transitions,
    }
    if record.holder:
        spec["holderIdentity"] = record.holder
    if record.acquired is not None:
        spec["acquireTime"] = _micro_time(record.acquired)
    if record.renewed is not None:
        spec["renewTime"] = _micro_time(record.renewed)
    return spec


def _record(spec: dict[str, Any]) -> leader.Record:
    return leader.Record(
        holder=str(spec.get("holderIdentity") or ""),
        duration=float(spec.get("leaseDurationSeconds") or 15),
        acquired=_seconds(spec.get("acquireTime")),
        renewed=_seconds(spec.get("renewTime")),
        transitions=int(spec.get("leaseTransitions") or 0),
    )


def _micro_time(seconds: float) -> str:
    return datetime.datetime.fromtimestamp(seconds, datetime.UTC).strftime(MICRO_TIME)


def _seconds(text: Any) -> float | None:
    if not text:
        return None
    try:
        return datetime.datetime.fromisoformat(str(text).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None
