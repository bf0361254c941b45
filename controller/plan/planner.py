"""desired, live → ordered actions (pure). The rules are Argo CD's: create what is missing, update
what changed in Git, report (and, with ``selfHeal``, repair) what changed out of band, prune what
left Git (with the guard against pruning everything), and start each experiment once per run
identity. Nothing here reads or writes anything: the reconcile loop gathers both sides."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from bosun.plan import actions, diff, objects


@dataclasses.dataclass(frozen=True)
class Desired:
    """What the branch head renders to: objects to apply, runs to start, aliases to set."""

    commit: str
    applied: Sequence[Mapping[str, Any]]
    """Objects to apply (everything rendered but Workflows)."""
    runs: Sequence[actions.RunSpec] = ()
    aliases: Sequence[actions.AliasSpec] = ()
    refused: Sequence[actions.Action] = ()
    """Serving actions decided before planning (a gate that failed, a version that is missing):
    they change nothing and are carried into the plan so status and the PR comment say why."""


@dataclasses.dataclass(frozen=True)
class Live:
    """What the target and the state store hold for the environment now."""

    live: Mapping[objects.ObjectKey, objects.LiveObject]
    inventory: Mapping[objects.ObjectKey, objects.InventoryEntry]
    run_identities: frozenset[str] = frozenset()
    """Identities of runs started already (whatever their outcome): none is started twice."""
    aliases: Mapping[tuple[str, str], str | None] = dataclasses.field(default_factory=dict)
    """(model, alias) → the version the registry says it points at now."""
    recorded_aliases: Mapping[tuple[str, str], str] = dataclasses.field(default_factory=dict)
    """(model, alias) → the version bosun last set: a different live value was moved by hand."""


@dataclasses.dataclass(frozen=True)
class Policy:
    self_heal: bool = False
    prune: bool = False
    allow_empty: bool = False


def plan(env: str, desired: Desired, live: Live, policy: Policy) -> actions.Plan:
    """The ordered actions that bring ``live`` to ``desired`` under ``policy``."""
    wanted = {objects.key_of(o): o for o in desired.applied}
    found = [_object_action(key, obj, live, policy) for key, obj in wanted.items()]
    leaving = sorted(set(live.inventory) - set(wanted), key=_prune_order)
    found += [_prune_action(live.inventory[key], live, policy) for key in leaving]
    found += [_run_action(run, live) for run in desired.runs]
    found += [_alias_action(alias, live) for alias in desired.aliases]
    found += desired.refused
    ordered = tuple(sorted(found, key=_order))
    blocked = _prune_guard(wanted, live, policy, ordered)
    return actions.Plan(env, desired.commit, ordered, blocked)


def _object_action(
    key: objects.ObjectKey, obj: Mapping[str, Any], live: Live, policy: Policy
) -> actions.Action:
    entry, current = live.inventory.get(key), live.live.get(key)

    def make(
        verb: actions.Verb, reason: actions.Reason, drift: str | None = None
    ) -> actions.Action:
        return _object(key, obj, current, verb=verb, reason=reason, drift=drift)

    fingerprint = objects.fingerprint(obj)
    if entry is None:
        if current is None:
            return make("create", "new")
        return make("update", "not in inventory", drift="exists but bosun did not apply it")
    if current is None:
        found = "deleted out of band"
        return make("create" if policy.self_heal else "noop", "deleted out of band", drift=found)
    if fingerprint != entry.fingerprint:
        return make("update", "changed")
    drift = _drift_of(current, entry)
    if drift is not None:
        return make("update" if policy.self_heal else "noop", "drifted", drift=drift)
    return make("noop", "unchanged")


def _object(
    key: objects.ObjectKey,
    obj: Mapping[str, Any],
    current: objects.LiveObject | None,
    *,
    verb: actions.Verb,
    reason: actions.Reason,
    drift: str | None,
) -> actions.Action:
    before = current.body if current is not None else None
    return actions.Action(
        verb=verb,
        object=str(key),
        team=objects.team_of(obj),
        phase=actions.KIND_PHASE.get(key.kind, actions.RUN_PHASE - 1),
        reason=reason,
        key=key,
        desired=obj,
        live=before,
        changes=tuple(_changes(before, obj)) if verb != "noop" or drift else (),
        drift=drift,
    )


def _drift_of(current: objects.LiveObject, entry: objects.InventoryEntry) -> str | None:
    """What the target shows that bosun did not apply, or None."""
    reported = current.status.get("drift")
    if reported:
        return str(reported)
    if current.fingerprint != entry.fingerprint:
        return "changed out of band"
    return None


def _changes(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> Iterable[diff.Change]:
    """Field changes with the stamping commit written alike on both sides."""
    old = json.loads(objects.normalized(before)) if before is not None else None
    return diff.changes(old, json.loads(objects.normalized(after)))


def _prune_action(entry: objects.InventoryEntry, live: Live, policy: Policy) -> actions.Action:
    current = live.live.get(entry.key)
    verb: actions.Verb = "delete" if policy.prune and current is not None else "noop"
    return actions.Action(
        verb=verb,
        object=str(entry.key),
        team=entry.team,
        phase=actions.PRUNE_PHASE,
        reason="left Git",
        key=entry.key,
        live=current.body if current is not None else None,
        drift=None if policy.prune or current is None else "left Git; prune is off",
    )


def _run_action(run: actions.RunSpec, live: Live) -> actions.Action:
    ran = run.identity in live.run_identities
    return actions.Action(
        verb="noop" if ran else "run",
        object=f"Workflow/{run.name}",
        team=run.team,
        phase=actions.RUN_PHASE,
        reason="ran already" if ran else "new inputs",
        run=run,
    )


def _alias_action(alias: actions.AliasSpec, live: Live) -> actions.Action:
    where = (alias.model, alias.alias)
    current = live.aliases.get(where)
    verb: actions.Verb
    reason: actions.Reason
    if current == alias.version:
        verb, reason, drift = "noop", "unchanged", None
    elif live.recorded_aliases.get(where) == alias.version:
        verb, reason = "alias", "alias drifted"
        drift = f"alias {alias.alias} points at version {current} (moved outside bosun)"
    else:
        verb, reason, drift = "alias", "alias moved", None
    return actions.Action(
        verb=verb,
        object=f"alias {alias.model}@{alias.alias}",
        team=alias.team,
        phase=actions.ALIAS_PHASE,
        reason=reason,
        alias=alias,
        previous=current,
        drift=drift,
    )


def _prune_guard(
    wanted: Mapping[objects.ObjectKey, Any],
    live: Live,
    policy: Policy,
    ordered: Sequence[actions.Action],
) -> str | None:
    """Argo CD's guard: a commit that would prune every object applied is refused unless the
    environment allows an empty state (a broken render must not wipe an environment)."""
    deleting = [a for a in ordered if a.verb == "delete"]
    if wanted or not deleting or policy.allow_empty:
        return None
    return (
        f"refusing to prune all {len(deleting)} objects: the commit renders none "
        "(set policy.allowEmpty on the environment to allow it)"
    )


def _order(action: actions.Action) -> tuple[int, int, str]:
    kind_rank = _kind_rank(action.key.kind) if action.key is not None else 0
    if action.phase == actions.PRUNE_PHASE:
        kind_rank = -kind_rank  # dependents first: runs' templates before their namespace
    return (action.phase, kind_rank, action.object)


def _prune_order(key: objects.ObjectKey) -> tuple[int, str]:
    return (-_kind_rank(key.kind), str(key))


def _kind_rank(kind: str) -> int:
    order = list(actions.KIND_PHASE)
    return order.index(kind) if kind in order else len(order)
