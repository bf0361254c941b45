"""What a plan is made of: ordered actions with a typed reason each, and the values they act on."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from bosun.plan import diff, objects

Verb = Literal["create", "update", "delete", "run", "alias", "noop"]

KIND_PHASE: Mapping[str, int] = {
    "Namespace": 0,
    "ResourceQuota": 0,
    "LimitRange": 0,
    "ConfigMap": 0,
    "ClusterWorkflowTemplate": 1,
    "WorkflowTemplate": 1,
    "CronWorkflow": 2,
    "InferenceService": 2,
}
"""Namespaces and quotas → templates → cron and serving → runs (DESIGN §5)."""
ALIAS_PHASE, RUN_PHASE, PRUNE_PHASE = 2, 3, 4

Reason = Literal[
    "new",
    "changed",
    "unchanged",
    "drifted",
    "deleted out of band",
    "left Git",
    "not in inventory",
    "new inputs",
    "ran already",
    "alias moved",
    "alias drifted",
    "gate failed",
    "version missing",
]


@dataclasses.dataclass(frozen=True)
class RunSpec:
    """One experiment's run as the branch head renders it."""

    name: str
    identity: str
    experiment: str
    team: str
    objects: Sequence[Mapping[str, Any]]


@dataclasses.dataclass(frozen=True)
class AliasSpec:
    """A registry alias that a ServingTarget wants on a version."""

    model: str
    alias: str
    version: str
    target: str
    """The ServingTarget's ``team/name``."""
    team: str
    detail: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    """What the audit row records besides (source run, workflow, gate results)."""


@dataclasses.dataclass(frozen=True)
class Action:
    verb: Verb
    object: str
    """``Kind/namespace/name``, or ``alias <model>@<alias>``."""
    team: str
    phase: int
    reason: Reason
    key: objects.ObjectKey | None = None
    desired: Mapping[str, Any] | None = None
    live: Mapping[str, Any] | None = None
    changes: tuple[diff.Change, ...] = ()
    run: RunSpec | None = None
    alias: AliasSpec | None = None
    previous: str | None = None
    """The alias's version before the move."""
    drift: str | None = None
    """Set when the live state differs from what bosun applied: what was found."""

    @property
    def writes(self) -> bool:
        return self.verb != "noop"

    @property
    def refused(self) -> bool:
        """A serving change held back (failed gate, missing version): nothing moves, and
        status and the PR comment say why."""
        return self.reason in {"gate failed", "version missing"}

    def document(self) -> dict[str, Any]:
        """The action as ``bosun plan --format json`` prints it."""
        found: dict[str, Any] = {
            "action": self.verb,
            "object": self.object,
            "team": self.team,
            "reason": self.reason,
        }
        if self.drift:
            found["drift"] = self.drift
        if self.changes:
            found["changes"] = [
                {"path": c.path, "before": _plain(c.before), "after": _plain(c.after)}
                for c in self.changes
            ]
        if self.run is not None:
            found["run"] = {"name": self.run.name, "experiment": self.run.experiment}
        if self.alias is not None:
            found["alias"] = {
                "model": self.alias.model,
                "alias": self.alias.alias,
                "from": self.previous,
                "to": self.alias.version,
                **{k: v for k, v in self.alias.detail.items() if k not in {"model", "alias"}},
            }
        return found


@dataclasses.dataclass(frozen=True)
class Plan:
    env: str
    commit: str
    actions: tuple[Action, ...]
    blocked: str | None = None
    """Why nothing may be applied (the prune guard); the actions say what would have been."""

    @property
    def writes(self) -> list[Action]:
        return [a for a in self.actions if a.writes]

    @property
    def drift(self) -> list[Action]:
        return [a for a in self.actions if a.drift]

    def counts(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for action in self.actions:
            found[action.verb] = found.get(action.verb, 0) + 1
        return found

    def document(self) -> dict[str, Any]:
        return {
            "env": self.env,
            "commit": self.commit,
            "blocked": self.blocked,
            "counts": self.counts(),
            "actions": [a.document() for a in self.actions if a.writes or a.drift or a.refused],
        }


def _plain(value: Any) -> Any:
    return None if value is diff.MISSING else value
