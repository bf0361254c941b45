"""Identity and comparison of rendered objects: keys, live objects, and the fingerprint that says
whether two renderings of an object differ in anything but the commit that stamped them."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from typing import Any

MANAGED_BY = "app.kubernetes.io/managed-by"
ENVIRONMENT_LABEL = "bosun.dev/environment"
TEAM_LABEL = "bosun.dev/team"
SOURCE_COMMIT = "bosun.dev/source-commit"
COMMIT_PLACEHOLDER = "<commit>"


@dataclasses.dataclass(frozen=True, slots=True, order=True)
class ObjectKey:
    """What names an object in a target: kind, namespace ("" when cluster-scoped) and name."""

    kind: str
    namespace: str
    name: str

    def __str__(self) -> str:
        where = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind}/{where}{self.name}"

    @classmethod
    def parse(cls, text: str) -> ObjectKey:
        """The inverse of ``str``: ``Kind/name`` or ``Kind/namespace/name``."""
        kind, _, rest = text.partition("/")
        namespace, _, name = rest.rpartition("/")
        return cls(kind, namespace, name)


def key_of(obj: Mapping[str, Any]) -> ObjectKey:
    meta = obj["metadata"]
    return ObjectKey(str(obj["kind"]), str(meta.get("namespace", "")), str(meta["name"]))


def team_of(obj: Mapping[str, Any]) -> str:
    return str(obj.get("metadata", {}).get("labels", {}).get(TEAM_LABEL, ""))


def commit_of(obj: Mapping[str, Any]) -> str:
    """The commit that stamped ``obj`` (its ``bosun.dev/source-commit``), or ""."""
    return str(obj.get("metadata", {}).get("annotations", {}).get(SOURCE_COMMIT, ""))


def canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def normalized(obj: Mapping[str, Any]) -> str:
    """Canonical JSON of the object without ``status`` (not part of what bosun applies) and with
    its stamping commit written as ``<commit>`` wherever it occurs (annotation, workflow
    parameters, git artifact revision)."""
    text = canonical({k: v for k, v in obj.items() if k != "status"})
    commit = commit_of(obj)
    if len(commit) >= 7:  # a real object name: 40 or 64 hex digits, never a word of the spec
        text = text.replace(commit, COMMIT_PLACEHOLDER)
    return text


def fingerprint(obj: Mapping[str, Any]) -> str:
    """sha256 of ``normalized(obj)``. Two renderings at different commits of an unchanged
    manifest have one fingerprint, so a commit that changes one manifest updates one object,
    not all of them."""
    return hashlib.sha256(normalized(obj).encode()).hexdigest()


@dataclasses.dataclass(frozen=True)
class LiveObject:
    """An object as a target holds it now: what was applied, plus the target's ``status``
    (conditions, a serving process's health) that the health functions read."""

    key: ObjectKey
    body: Mapping[str, Any]
    """The object without ``status``, as applied (or as changed out of band)."""
    status: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.body)

    @property
    def team(self) -> str:
        return team_of(self.body)


@dataclasses.dataclass(frozen=True)
class InventoryEntry:
    """What bosun applied to a target, as the state store remembers it: the fingerprint of the
    object as applied and the commit that applied it. Live objects that differ from their entry
    were changed out of band (drift); entries whose object left Git are pruned."""

    key: ObjectKey
    fingerprint: str
    commit: str
    team: str
