"""Each action applied in three steps, each durable before the next: the journal entry (what is
about to happen), the effect on the target or registry, then in one transaction the inventory,
the run or alias record, the audit row and the entry's removal. A crash between any two steps
leaves an open entry; ``settle`` looks at the target to see whether its effect happened and
finishes the record (or drops the entry for the plan to redo), so nothing runs twice and no
audit row is lost."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from typing import Any

from bosun.gitops import state
from bosun.plan import actions, objects, ports

_COUNTER = [0]


def crash_point() -> None:
    """Test hook: ``BOSUN_CRASH_AFTER=N`` kills the process at the N-th journal step with no
    cleanup at all (``os._exit``, as kill -9), so tests prove every point recovers."""
    limit = os.environ.get("BOSUN_CRASH_AFTER")
    if not limit:
        return
    _COUNTER[0] += 1
    if _COUNTER[0] >= int(limit):
        os._exit(137)


def apply(
    store: state.Store,
    env: str,
    *,
    who: tuple[str, str],
    action: actions.Action,
    target: ports.Target,
    registry: ports.Registry | None,
    run: ports.RunRequest | None,
) -> None:
    entry = _entry(action)
    entry_id = store.begin(env, who, entry)
    crash_point()
    try:
        _effect(action, target, registry, run)
    except ports.TargetError as error:
        failed = state.Audit(str(entry["verb"]), str(entry["object"]), f"failed: {error}")
        store.complete(env, entry_id, who, state.Effect(failed))
        raise
    crash_point()
    store.complete(env, entry_id, who, _record(entry, who[0], "applied"))
    crash_point()


def settle(
    store: state.Store,
    env: str,
    target: ports.Target,
    registry: ports.Registry | None,
    *,
    note: Callable[[str], None] = lambda text: None,
) -> int:
    """Finish or drop every open entry of ``env``; returns how many there were."""
    open_entries = store.open_entries(env)
    if not open_entries:
        return 0
    live = {str(o.key): o for o in target.live()}
    for entry in open_entries:
        who = (entry.commit, entry.author)
        if _happened(entry.entry, live, target, registry):
            outcome = "applied (confirmed after an interrupted reconcile)"
            store.complete(env, entry.id, who, _record(entry.entry, entry.commit, outcome))
            note(f"settled {entry.entry['object']}: it was applied before the interruption")
        else:
            dropped = state.Effect(
                state.Audit(
                    str(entry.entry["verb"]),
                    str(entry.entry["object"]),
                    "interrupted before its effect; planned again",
                )
            )
            store.complete(env, entry.id, who, dropped)
            note(f"settled {entry.entry['object']}: interrupted before it was applied")
    return len(open_entries)


def _entry(action: actions.Action) -> dict[str, Any]:
    found: dict[str, Any] = {
        "verb": action.verb,
        "object": action.object,
        "team": action.team,
        "reason": action.reason,
    }
    if action.key is not None:
        found["key"] = str(action.key)
    if action.desired is not None:
        found["fingerprint"] = objects.fingerprint(action.desired)
        found["body"] = action.desired
    if action.run is not None:
        found["run"] = {
            "name": action.run.name,
            "identity": action.run.identity,
            "experiment": action.run.experiment,
        }
    if action.alias is not None:
        found["alias"] = {
            "model": action.alias.model,
            "alias": action.alias.alias,
            "version": action.alias.version,
            "previous": action.previous,
            **{k: v for k, v in action.alias.detail.items() if k not in {"model", "alias"}},
        }
    if action.drift:
        found["drift"] = action.drift
    return found


def _effect(
    action: actions.Action,
    target: ports.Target,
    registry: ports.Registry | None,
    run: ports.RunRequest | None,
) -> None:
    if action.verb in {"create", "update"} and action.desired is not None:
        target.apply(action.desired)
    elif action.verb == "delete" and action.key is not None:
        target.delete(action.key)
    elif action.verb == "run" and run is not None:
        target.submit(run)
    elif action.verb == "alias" and action.alias is not None and registry is not None:
        spec = action.alias
        registry.set_alias(spec.model, spec.alias, spec.version)
        tags = {
            "bosun.commit": str(spec.detail.get("commit", "")),
            "bosun.environment": spec.detail.get("env", ""),
        }
        registry.tag_version(spec.model, spec.version, {k: str(v) for k, v in tags.items() if v})


def _happened(
    entry: Mapping[str, Any],
    live: dict[str, objects.LiveObject],
    target: ports.Target,
    registry: ports.Registry | None,
) -> bool:
    verb = entry["verb"]
    if verb in {"create", "update"}:
        found = live.get(entry["key"])
        return found is not None and found.fingerprint == entry["fingerprint"]
    if verb == "delete":
        return entry["key"] not in live
    if verb == "run":
        return target.run_state(entry["run"]["name"]) is not None
    if verb == "alias" and registry is not None:
        alias = entry["alias"]
        return bool(registry.alias(alias["model"], alias["alias"]) == alias["version"])
    return False


def _record(entry: Mapping[str, Any], commit: str, outcome: str) -> state.Effect:
    verb = entry["verb"]
    detail: dict[str, Any] = {k: entry[k] for k in ("reason", "drift", "alias") if k in entry}
    audit = state.Audit(verb, entry["object"], outcome, detail)
    if verb in {"create", "update"}:
        key = objects.ObjectKey.parse(entry["key"])
        inventory = objects.InventoryEntry(key, entry["fingerprint"], commit, entry["team"])
        return state.Effect(audit, inventory=inventory, body=entry["body"])
    if verb == "delete":
        return state.Effect(audit, forget=objects.ObjectKey.parse(entry["key"]))
    if verb == "run":
        run = entry["run"]
        row = state.RunRow(
            "",
            run["name"],
            run["identity"],
            run["experiment"],
            entry["team"],
            commit,
            "Pending",
            "",
            time.time(),
            None,
        )
        return state.Effect(audit, run=row)
    if verb == "alias":
        alias = entry["alias"]
        return state.Effect(audit, alias=(alias["model"], alias["alias"], alias["version"]))
    return state.Effect(audit)
