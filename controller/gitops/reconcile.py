"""One environment brought to its branch head: fetch, validate, render, plan against the target's
live state and the store's inventory, then apply each action journaled (a crash between any two
steps is settled by the next reconcile: nothing twice, nothing lost), wait for the runs it
started, and record status. Written against ``plan.ports`` only: every target plugs in here."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from bosun import render
from bosun.gitops import desired, journal, lock, serving, source, state
from bosun.plan import actions, objects, planner, ports
from bosun.spec.v1alpha1 import environment

Note = Callable[[str], None]


@dataclasses.dataclass(frozen=True)
class Adapters:
    """What ``commands/`` wires in: the environment's target, registry and tracking URI."""

    target: Callable[[str, environment.EnvironmentSpec], ports.Target]
    tracking_uri: Callable[[environment.EnvironmentSpec], str]
    registry: Callable[[str, environment.EnvironmentSpec], ports.Registry | None] = (
        lambda uri, spec: None
    )


@dataclasses.dataclass
class Outcome:
    env: str
    phase: str
    commit: str | None
    error: str | None = None
    plan: actions.Plan | None = None
    applied: int = 0

    @property
    def ok(self) -> bool:
        return self.phase != "Failed"


@dataclasses.dataclass
class Context:
    env: str
    mirror: source.Mirror
    store: state.Store
    state_dir: Path
    adapters: Adapters
    note: Note


def reconcile(
    *,
    env: str,
    mirror: source.Mirror,
    store: state.Store,
    state_dir: Path,
    adapters: Adapters,
    wait: bool = True,
    fetch: bool = True,
    note: Note = lambda text: None,
) -> Outcome:
    """Reconcile ``env`` from its branch; one environment's failure is its own outcome."""
    if fetch:
        try:
            mirror.fetch()
        except source.SourceError as error:
            return Outcome(env, "Failed", None, str(error))
    binding = desired.bindings(mirror).get(env)
    if binding is None:
        message = f"no branch declares environment '{env}' in its environments/"
        return _failed(store, env, binding=None, last_good=None, message=message, found=[])
    ctx = Context(env, mirror, store, state_dir, adapters, note)
    with lock.held(state_dir, env):
        try:
            return _reconcile(ctx, binding, wait=wait)
        except ports.TargetError as error:  # the target cannot be read (an unreachable cluster)
            message = f"environment {env}: {error}"
            return _failed(store, env, binding=binding, last_good=None, message=message, found=[])


def _reconcile(ctx: Context, binding: desired.Binding, *, wait: bool) -> Outcome:
    commit, env = binding.commit, ctx.env
    checked = desired.validated(ctx.mirror, commit, env)
    if isinstance(checked, desired.Rejected):
        return _rejected(ctx, binding, checked)
    spec = checked.environment.spec
    target = ctx.adapters.target(env, spec)
    tracking_uri = ctx.adapters.tracking_uri(spec)
    registry = ctx.adapters.registry(tracking_uri, spec)
    who = (commit, ctx.mirror.commit(commit).author)
    journal.settle(ctx.store, env, target, registry, note=ctx.note)
    outcome = Outcome(env, "Synced", commit)
    for _ in range(2):  # a second pass serves what the runs of the first registered
        made = _pass(
            ctx,
            binding,
            checked=checked,
            target=target,
            registry=registry,
            who=who,
            tracking_uri=tracking_uri,
            wait=wait,
        )
        if isinstance(made, Outcome):
            return made
        plan, started = made
        if outcome.plan is None:
            outcome.plan = plan
        elif plan.writes:  # the second pass: what the first pass's runs made possible
            first = outcome.plan
            outcome.plan = actions.Plan(first.env, first.commit, (*first.actions, *plan.writes))
        outcome.applied += len(plan.writes)
        if not (started and wait):
            break
    if wait:  # runs started before an interruption, found by the journal: converge means done
        unfinished = [r.name for r in ctx.store.runs(env) if r.phase not in ports.FINISHED]
        if unfinished:
            _wait(ctx, target, unfinished, who)
    return _finish(ctx, binding, target, registry, outcome)


def _pass(
    ctx: Context,
    binding: desired.Binding,
    *,
    checked: desired.Validated,
    target: ports.Target,
    registry: ports.Registry | None,
    who: tuple[str, str],
    tracking_uri: str,
    wait: bool,
) -> Outcome | tuple[actions.Plan, list[str]]:
    plan = compute_plan(
        ctx, binding, checked=checked, target=target, registry=registry, tracking_uri=tracking_uri
    )
    if isinstance(plan, Outcome):
        return plan
    if plan.blocked:
        ctx.store.audit(ctx.env, who, state.Audit("prune", "*", f"refused: {plan.blocked}"))
        return _failed(
            ctx.store,
            ctx.env,
            binding=binding,
            last_good=None,
            message=plan.blocked,
            found=[],
            plan=plan,
        )
    started: list[str] = []
    checkout = None
    refused = target.preflight(_planned_objects(plan))
    if refused:
        return _failed(
            ctx.store,
            ctx.env,
            binding=binding,
            last_good=None,
            message=refused,
            found=[],
            plan=plan,
        )
    for action in plan.writes:
        if action.verb == "run" and checkout is None:
            checkout = ctx.mirror.checkout(binding.commit)
        request = _run_request(action, binding, checkout, tracking_uri)
        try:
            journal.apply(
                ctx.store,
                ctx.env,
                who=who,
                action=action,
                target=target,
                registry=registry,
                run=request,
            )
        except ports.TargetError as error:  # audited as failed; the next reconcile retries
            return _failed(
                ctx.store,
                ctx.env,
                binding=binding,
                last_good=None,
                message=str(error),
                found=[],
                plan=plan,
            )
        what = (
            action.object
            if action.object.startswith(action.verb)
            else f"{action.verb} {action.object}"
        )
        ctx.note(f"{what} ({action.reason})")
        if action.verb == "run" and action.run is not None:
            started.append(action.run.name)
    if started and wait:
        _wait(ctx, target, started, who)
    return plan, started


def _planned_objects(plan: actions.Plan) -> list[Mapping[str, Any]]:
    """Every object the plan's writes would create or update, runs' Workflows included."""
    found: list[Mapping[str, Any]] = []
    for action in plan.writes:
        if action.desired is not None and action.verb in {"create", "update"}:
            found.append(action.desired)
        if action.run is not None:
            found.extend(action.run.objects)
    return found


def compute_plan(
    ctx: Context,
    binding: desired.Binding,
    *,
    checked: desired.Validated,
    target: ports.Target,
    registry: ports.Registry | None,
    tracking_uri: str,
    dry_run: bool = False,
) -> actions.Plan | Outcome:
    """The plan for the validated commit against the target now (``bosun plan`` shares it)."""
    spec = checked.environment.spec
    recorded = ctx.store.recorded_aliases(ctx.env)
    decisions = (
        serving.decide(checked.result.catalog, ctx.env, spec, registry, commit=binding.commit)
        if registry is not None
        else None
    )
    resolver = decisions.resolver if decisions is not None else render.StaticResolver()
    made = desired.rendered(
        checked,
        branch=binding.branch,
        tree=ctx.mirror.tree(binding.commit),
        resolver=resolver,
        tracking_uri=tracking_uri,
    )
    if isinstance(made, desired.Rejected):
        if dry_run:
            return Outcome(ctx.env, "Failed", binding.commit, made.summary())
        return _rejected(ctx, binding, made)
    aliases = decisions.aliases if decisions is not None else []
    want = planner.Desired(
        binding.commit,
        made.objects,
        made.runs,
        aliases,
        decisions.refused if decisions is not None else (),
    )
    live = planner.Live(
        {o.key: o for o in target.live()},
        ctx.store.inventory(ctx.env),
        state.identities(ctx.store.runs(ctx.env)),
        {(a.model, a.alias): registry.alias(a.model, a.alias) for a in aliases}
        if registry is not None
        else {},
        recorded,
    )
    policy = planner.Policy(spec.policy.selfHeal, spec.policy.prune, spec.policy.allowEmpty)
    return planner.plan(ctx.env, want, live, policy)


def _run_request(
    action: actions.Action, binding: desired.Binding, checkout: Path | None, tracking_uri: str
) -> ports.RunRequest | None:
    if action.run is None:
        return None
    run = action.run
    return ports.RunRequest(
        name=run.name,
        identity=run.identity,
        experiment=run.experiment,
        team=run.team,
        commit=binding.commit,
        branch=binding.branch,
        objects=run.objects,
        checkout=checkout,
        tracking_uri=tracking_uri,
    )


def _wait(ctx: Context, target: ports.Target, names: list[str], who: tuple[str, str]) -> None:
    pending = set(names)
    delay = 0.2
    while pending:
        for name in sorted(pending):
            found = target.run_state(name)
            if found is not None and found.done:
                pending.discard(name)
                _record_phase(ctx, name, found, who)
        if pending:
            time.sleep(delay)
            delay = min(delay * 1.5, 2.0)


def _record_phase(ctx: Context, name: str, found: ports.RunState, who: tuple[str, str]) -> None:
    row = ctx.store.run(ctx.env, name)
    if row is None or (row.phase == found.phase and row.message == found.message):
        return
    audit = (
        state.Audit("run", f"Workflow/{name}", found.phase, {"message": found.message})
        if found.done
        else None
    )
    ctx.store.set_run_phase(
        ctx.env, name, found.phase, found.message, audit, who=(row.commit, who[1])
    )
    ctx.note(f"run {name}: {found.phase}")


def _finish(
    ctx: Context,
    binding: desired.Binding,
    target: ports.Target,
    registry: ports.Registry | None,
    outcome: Outcome,
) -> Outcome:
    """Read the runs' phases back and record the environment's status (written only when it
    changed: a second reconcile of the same commit writes nothing)."""
    who = (binding.commit, "")
    for row in ctx.store.runs(ctx.env):
        if row.phase not in ports.FINISHED:
            found = target.run_state(row.name)
            if found is not None:
                _record_phase(ctx, row.name, found, who)
    runs = [r for r in ctx.store.runs(ctx.env) if r.commit == binding.commit]
    failed = [r for r in runs if r.phase in {"Failed", "Error"}]
    progressing = [r for r in runs if r.phase not in ports.FINISHED]
    if failed:
        outcome.phase = "Failed"
        outcome.error = f"run {failed[0].name} {failed[0].phase}: {failed[0].message}".rstrip(": ")
    elif progressing:
        outcome.phase = "Progressing"
    served = outcome.plan and _serving_status(outcome.plan, target)
    status = {
        "branch": binding.branch,
        "commit": binding.commit,
        "phase": outcome.phase,
        "error": outcome.error,
        "diagnostics": [],
        "objects": len(ctx.store.inventory(ctx.env)),
        "runs": [{"workflow": r.name, "experiment": r.experiment, "phase": r.phase} for r in runs],
        "serving": served or {},
        "lastGoodCommit": binding.commit,
        "drift": [a.object for a in outcome.plan.drift] if outcome.plan else [],
    }
    ctx.store.save_status(ctx.env, status)
    return outcome


def _serving_status(plan: actions.Plan, target: ports.Target) -> dict[str, Any]:
    """Per ServingTarget: url, model, version, alias, phase and why (from the plan's serving
    actions and the live InferenceServices)."""
    found: dict[str, Any] = {}
    live = {o.key: o for o in target.live() if o.key.kind == "InferenceService"}
    for action in plan.actions:
        if action.alias is not None:
            spec = action.alias
            degraded = action.reason in {"gate failed", "version missing"}
            found[spec.target] = {
                "model": spec.model,
                "version": spec.version if not degraded else action.previous,
                "alias": spec.alias,
                "phase": "Degraded" if degraded else "Ready",
                "reason": str(spec.detail.get("reason", "")) if degraded else "",
                "url": "",
            }
    for key, obj in live.items():
        name = f"{objects.team_of(obj.body)}/{key.name}"
        entry = found.setdefault(
            name, {"model": "", "version": "", "alias": "", "phase": "Ready", "reason": ""}
        )
        entry["url"] = str(obj.status.get("url", entry.get("url", "")))
        if obj.status.get("drift") and entry["phase"] == "Ready":
            entry["phase"], entry["reason"] = "Degraded", str(obj.status["drift"])
        elif obj.status.get("health") in {"Degraded", "Progressing"} and entry["phase"] == "Ready":
            entry["phase"] = str(obj.status["health"])  # a cluster's InferenceService not Ready
            entry["reason"] = str(obj.status.get("message", ""))
    return found


def _rejected(ctx: Context, binding: desired.Binding, rejected: desired.Rejected) -> Outcome:
    """Nothing applied; the last good commit stays live and status says why (once per commit:
    the rejection's audit row is written when the status changes, not on every poll)."""
    previous = ctx.store.status(ctx.env) or {}
    last_good = previous.get("lastGoodCommit")
    written = _failed(
        ctx.store,
        ctx.env,
        binding=binding,
        last_good=last_good,
        message=rejected.summary(),
        found=rejected.documents(),
    )
    if written.applied:
        who = (binding.commit, ctx.mirror.commit(binding.commit).author)
        ctx.store.audit(
            ctx.env, who, state.Audit("reject", f"commit {binding.commit[:12]}", rejected.summary())
        )
    written.applied = 0
    return written


def _failed(
    store: state.Store,
    env: str,
    *,
    binding: desired.Binding | None,
    last_good: str | None,
    message: str,
    found: list[dict[str, Any]],
    plan: actions.Plan | None = None,
) -> Outcome:
    previous = store.status(env) or {}
    status = {
        **previous,
        "branch": binding.branch if binding else previous.get("branch"),
        "commit": previous.get("commit") if last_good is None else last_good,
        "attemptedCommit": binding.commit if binding else None,
        "phase": "Failed",
        "error": message,
        "diagnostics": found,
        "lastGoodCommit": last_good or previous.get("lastGoodCommit"),
    }
    status.setdefault("objects", 0)
    status.setdefault("runs", [])
    status.setdefault("serving", {})
    wrote = store.save_status(env, status)
    return Outcome(env, "Failed", binding.commit if binding else None, message, plan, int(wrote))


def status_of(store: state.Store, env: str) -> Mapping[str, Any] | None:
    return store.status(env)
