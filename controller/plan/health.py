"""Health of a live object read from its ``status``, one function per kind, following Argo CD's
built-in Lua health checks (``resource_customizations/<group>/<Kind>/health.lua``) so that bosun
and an Argo CD watching the same cluster agree. Pure: plain mappings in, a ``Health`` out."""

from __future__ import annotations

import dataclasses
import decimal
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

from bosun.spec.v1alpha1 import types

Status = Literal["Healthy", "Progressing", "Degraded", "Missing", "Unknown"]

MAX_NAMED = 5
"""Failed workflow nodes or exhausted quota resources named in a message before ``+N more``."""


@dataclasses.dataclass(frozen=True)
class Health:
    status: Status
    message: str = ""


def health_of(obj: Mapping[str, Any] | None) -> Health:
    """The health of ``obj`` by its kind; ``None`` (not found live) is Missing, and a kind
    without a check is Healthy once it exists (Argo CD's default)."""
    if not obj:
        return Health("Missing", "not found")
    if _deleting(obj) and obj.get("kind") != "Namespace":
        return Health("Progressing", "being deleted")
    check = _CHECKS.get(str(obj.get("kind", "")))
    return check(obj) if check else Health("Healthy")


# --- argoproj.io ------------------------------------------------------------------------------


def workflow(obj: Mapping[str, Any]) -> Health:
    """Pending/Running (or no phase yet) → Progressing, Succeeded → Healthy, Failed/Error →
    Degraded with the workflow's message and the names of its failed steps."""
    status = _mapping(obj.get("status"))
    phase, message = str(status.get("phase") or ""), str(status.get("message") or "")
    if phase in ("", "Pending", "Running"):
        return Health("Progressing", message)
    if phase == "Succeeded":
        return Health("Healthy", message)
    if phase in ("Failed", "Error"):
        failed = failed_nodes(status.get("nodes"))
        parts = [message] if message else []
        if failed:
            parts.append(f"failed: {_named(failed)}")
        return Health("Degraded", "; ".join(parts) or phase)
    return Health("Unknown", message or f"phase {phase}")


def failed_nodes(nodes: object) -> list[str]:
    """Display names of the Failed/Error nodes that did work (pods), sorted; the DAG, Steps and
    Retry nodes above them fail too but only repeat the same failure. When only such
    container nodes failed (an error before any pod ran) their names are given instead."""
    found: list[tuple[str, str]] = []
    for node in _mapping(nodes).values():
        if isinstance(node, Mapping) and node.get("phase") in ("Failed", "Error"):
            name = str(node.get("displayName") or node.get("name") or node.get("id") or "?")
            found.append((str(node.get("type") or ""), name))
    pods = sorted({name for kind, name in found if kind == "Pod"})
    if pods:
        return pods
    return sorted({name for kind, name in found if kind not in ("DAG", "Steps", "Retry")})


def cron_workflow(obj: Mapping[str, Any]) -> Health:
    """A true SpecError or SubmissionError condition → Degraded with its message; otherwise
    Healthy, noting when it last scheduled a workflow and how many are active."""
    status = _mapping(obj.get("status"))
    for condition in _conditions(status):
        if condition.get("status") != "True":
            continue
        kind = condition.get("type")
        if kind in ("SpecError", "SubmissionError"):
            return Health("Degraded", f"{kind}: {condition.get('message') or 'no message'}")
        if kind == "Completed":
            return Health("Healthy", str(condition.get("message") or "completed"))
    notes = []
    if status.get("lastScheduledTime"):
        notes.append(f"last scheduled {status['lastScheduledTime']}")
    active = status.get("active")
    if isinstance(active, Sequence) and not isinstance(active, str) and active:
        notes.append(f"{len(active)} active")
    return Health("Healthy", ", ".join(notes) or "not scheduled yet")


# --- serving.kserve.io ------------------------------------------------------------------------


def inference_service(obj: Mapping[str, Any]) -> Health:
    """The ``Ready`` condition decides: True → Healthy, False → Degraded with the reason and
    message of every condition not True, absent or Unknown → Progressing. A canary rollout in
    flight is described in the message either way."""
    status = _mapping(obj.get("status"))
    conditions = _conditions(status)
    ready = next((c for c in conditions if c.get("type") == "Ready"), None)
    canary = canary_of(status)
    if ready is None:
        return Health("Progressing", _join("waiting for the Ready condition", canary))
    if ready.get("status") == "True":
        return Health("Healthy", _join("ready", canary))
    failing = "; ".join(
        _describe_condition(c) for c in conditions if c.get("status") in ("False", "Unknown")
    )
    if ready.get("status") == "False":
        return Health("Degraded", _join(failing, canary))
    return Health("Progressing", _join(failing or "Ready is Unknown", canary))


def canary_of(status: Mapping[str, Any]) -> str:
    """``canary 10% on revision R (90% on P)`` while the predictor splits its traffic between a
    new revision and the last one rolled out, or a newer revision is not yet rolled out;
    "" when the predictor serves a single revision."""
    predictor = _mapping(_mapping(status.get("components")).get("predictor"))
    traffic = [t for t in _list(predictor.get("traffic")) if isinstance(t, Mapping)]
    latest = next((t for t in traffic if t.get("latestRevision") is True), None)
    others = [t for t in traffic if t is not latest and _percent(t) > 0]
    if latest is not None and others and _percent(latest) < 100:
        revision = latest.get("revisionName") or predictor.get("latestCreatedRevision") or "?"
        rest = ", ".join(f"{_percent(t)}% on {t.get('revisionName') or '?'}" for t in others)
        return f"canary {_percent(latest)}% on revision {revision} ({rest})"
    created = predictor.get("latestCreatedRevision")
    rolled_out = predictor.get("latestRolledoutRevision")
    if created and rolled_out and created != rolled_out:
        return f"revision {created} not rolled out yet (serving {rolled_out})"
    return ""


def _percent(traffic: Mapping[str, Any]) -> int:
    value = traffic.get("percent")
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _describe_condition(condition: Mapping[str, Any]) -> str:
    text = f"{condition.get('type')} is {condition.get('status')}"
    if condition.get("reason"):
        text += f" ({condition['reason']})"
    if condition.get("message"):
        text += f": {condition['message']}"
    return text


# --- core -------------------------------------------------------------------------------------


def resource_quota(obj: Mapping[str, Any]) -> Health:
    """Degraded when any resource's ``used`` has reached its ``hard`` limit (the next pod that
    asks for it is refused), naming them as ``requests.cpu 4/4``; a limit of 0 that nothing uses
    is a ban, not exhaustion. Progressing until the quota controller has written ``status``."""
    status = _mapping(obj.get("status"))
    hard, used = _mapping(status.get("hard")), _mapping(status.get("used"))
    if not hard:
        return Health("Progressing", "quota not yet computed")
    full, unreadable = [], []
    for name in sorted(hard):
        limit, current = parse_quantity(hard[name]), parse_quantity(used.get(name, "0"))
        if limit is None or current is None:
            unreadable.append(name)
        elif current >= limit and not (limit == 0 == current):  # a 0 limit bans, unused
            full.append(f"{name} {used.get(name, '0')}/{hard[name]}")
    if full:
        return Health("Degraded", f"exhausted: {_named(full)}")
    if unreadable:
        return Health("Unknown", f"unreadable quantity: {_named(unreadable)}")
    return Health("Healthy", f"{len(hard)} resources under their limits")


def parse_quantity(value: object) -> decimal.Decimal | None:
    """A Kubernetes quantity (``500m``, ``2Gi``, ``1G``, ``1e3``, ``-1``, or a bare number the
    API server wrote as JSON) as an exact decimal; None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return decimal.Decimal(str(value))
    if not isinstance(value, str):
        return None
    text = value.strip()
    sign = -1 if text.startswith("-") else 1
    text = text[1:] if text[:1] in ("-", "+") else text
    try:
        return sign * types.quantity_value(text)
    except (ValueError, decimal.InvalidOperation):
        return None


def namespace(obj: Mapping[str, Any]) -> Health:
    """Terminating → Progressing (finalizers are still emptying it); Active → Healthy."""
    phase = _mapping(obj.get("status")).get("phase")
    if phase == "Terminating" or _deleting(obj):
        return Health("Progressing", "terminating")
    return Health("Healthy", str(phase or ""))


# --- helpers ----------------------------------------------------------------------------------


def _deleting(obj: Mapping[str, Any]) -> bool:
    return bool(_mapping(obj.get("metadata")).get("deletionTimestamp"))


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: object) -> Sequence[Any]:
    return value if isinstance(value, list | tuple) else ()


def _conditions(status: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [c for c in _list(status.get("conditions")) if isinstance(c, Mapping)]


def _named(names: Sequence[str]) -> str:
    shown = ", ".join(names[:MAX_NAMED])
    return shown + (f" (+{len(names) - MAX_NAMED} more)" if len(names) > MAX_NAMED else "")


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


_CHECKS: dict[str, Callable[[Mapping[str, Any]], Health]] = {
    "Workflow": workflow,
    "CronWorkflow": cron_workflow,
    "InferenceService": inference_service,
    "ResourceQuota": resource_quota,
    "Namespace": namespace,
}
