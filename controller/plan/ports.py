"""The ports a reconcile drives, as ``typing.Protocol``s over plain values: the target one
environment is applied to (the local runtime, a Kubernetes cluster) and the model registry whose
aliases serving moves. Each has one real adapter per kind of target; the reconcile loop
(``bosun.gitops.reconcile``) is written against these only, so a new target plugs in unchanged."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, Protocol

from bosun.plan import objects

RunPhase = Literal["Pending", "Running", "Succeeded", "Failed", "Error"]
FINISHED: frozenset[str] = frozenset({"Succeeded", "Failed", "Error"})


@dataclasses.dataclass(frozen=True)
class RunRequest:
    """One experiment run to start: its rendered Workflow and what that Workflow needs beside it
    (WorkflowTemplates, the quota's semaphore ConfigMap)."""

    name: str
    """The run's name (the Workflow's): submitting a name that exists already does nothing."""
    identity: str
    """(spec, inputs) identity: an experiment runs once per distinct identity (``plan.runs``)."""
    experiment: str
    team: str
    commit: str
    branch: str
    objects: Sequence[Mapping[str, Any]]
    checkout: Path | None = None
    """A checkout of ``commit`` where steps run (the local target; a cluster clones it)."""
    tracking_uri: str = ""


@dataclasses.dataclass(frozen=True)
class RunState:
    name: str
    phase: RunPhase
    message: str = ""
    started: float | None = None
    """Seconds since the epoch."""
    finished: float | None = None

    @property
    def done(self) -> bool:
        return self.phase in FINISHED


class TargetError(Exception):
    """An apply, delete or submit the target refused or could not do (a field-ownership
    conflict, an invalid object, an unreachable cluster); the message is for people."""


class Target(Protocol):
    """One environment's runtime. Every method but ``live`` and ``run_state`` is a write, and
    each is idempotent: applying the object that is there, deleting one that is gone, or
    submitting a run that exists changes nothing (and still counts as a write)."""

    @property
    def writes(self) -> int:
        """Write requests sent so far (tests and benchmarks prove a no-op reconcile sends none)."""
        ...

    def preflight(self, planned: Iterable[Mapping[str, Any]]) -> str | None:
        """Why the planned objects cannot be applied here at all (a CRD the cluster lacks), or
        None; asked before the first write, so such a plan applies nothing."""
        ...

    def live(self) -> Sequence[objects.LiveObject]:
        """Objects that carry bosun's labels for this environment, with their status."""
        ...

    def apply(self, obj: Mapping[str, Any]) -> None:
        """Create or update the object to exactly ``obj``; raises ``TargetError``."""
        ...

    def delete(self, key: objects.ObjectKey) -> None: ...

    def submit(self, run: RunRequest) -> None:
        """Start the run without waiting for it."""
        ...

    def run_state(self, name: str) -> RunState | None:
        """The run's phase now; None when the target has no run of that name."""
        ...


@dataclasses.dataclass(frozen=True)
class VersionInfo:
    """A registered model version as serving needs it: where it came from and how it scored."""

    model: str
    version: str
    run_id: str | None
    metrics: Mapping[str, float]
    """The latest value of each metric of the version's source run."""
    storage_uri: str
    """Where a server downloads its files from."""
    tags: Mapping[str, str] = dataclasses.field(default_factory=dict)


class Registry(Protocol):
    """The model registry's aliases and versions (MLflow's, behind ``bosun.tracking``)."""

    @property
    def writes(self) -> int:
        """Write requests sent so far."""
        ...

    def version(self, model: str, version: str) -> VersionInfo | None:
        """The version ("latest": the highest number), or None when it does not exist."""
        ...

    def alias(self, model: str, alias: str) -> str | None:
        """The version the alias points at, or None when it is not set."""
        ...

    def set_alias(self, model: str, alias: str, version: str) -> None: ...

    def tag_version(self, model: str, version: str, tags: Mapping[str, str]) -> None: ...
