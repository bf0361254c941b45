"""The planner on plain data: Argo CD's rules for create, update, drift, prune and its guard,
runs once per identity, alias moves, and the order of the actions."""

from __future__ import annotations

from typing import Any

from bosun.plan import actions, objects, planner

COMMIT = "a" * 40


def obj(kind: str, name: str, namespace: str = "", **spec: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "name": name,
        "labels": {objects.TEAM_LABEL: "toy"},
        "annotations": {objects.SOURCE_COMMIT: COMMIT},
    }
    if namespace:
        meta["namespace"] = namespace
    return {"apiVersion": "v1", "kind": kind, "metadata": meta, "spec": spec}


def applied(*items: dict[str, Any]) -> planner.Live:
    """Live state where exactly ``items`` were applied by bosun and nothing changed since."""
    live = {objects.key_of(o): objects.LiveObject(objects.key_of(o), o) for o in items}
    inventory = {
        k: objects.InventoryEntry(k, objects.fingerprint(o.body), COMMIT, "toy")
        for k, o in live.items()
    }
    return planner.Live(live, inventory)


NS = obj("Namespace", "toy")
QUOTA = obj("ResourceQuota", "default", "toy", hard={"cpu": "4"})
TEMPLATE = obj("WorkflowTemplate", "p", "toy", entrypoint="main")
HEAL = planner.Policy(self_heal=True, prune=True)


def verbs(plan: actions.Plan) -> list[tuple[str, str, str]]:
    return [(a.verb, a.object, a.reason) for a in plan.actions]


def test_a_first_plan_creates_in_kind_order() -> None:
    made = planner.plan("dev", planner.Desired(COMMIT, [TEMPLATE, QUOTA, NS]), applied(), HEAL)
    assert verbs(made) == [
        ("create", "Namespace/toy", "new"),
        ("create", "ResourceQuota/toy/default", "new"),
        ("create", "WorkflowTemplate/toy/p", "new"),
    ]


def test_the_same_objects_at_another_commit_change_nothing() -> None:
    later = obj("Namespace", "toy")
    later["metadata"]["annotations"][objects.SOURCE_COMMIT] = "b" * 40
    made = planner.plan("dev", planner.Desired("b" * 40, [later]), applied(NS), HEAL)
    assert verbs(made) == [("noop", "Namespace/toy", "unchanged")] and not made.writes


def test_a_changed_field_is_an_update_with_its_field_diff() -> None:
    bigger = obj("ResourceQuota", "default", "toy", hard={"cpu": "8"})
    made = planner.plan("dev", planner.Desired(COMMIT, [NS, bigger]), applied(NS, QUOTA), HEAL)
    (update,) = made.writes
    assert (update.verb, update.reason) == ("update", "changed")
    assert [(c.path, c.before, c.after) for c in update.changes] == [("spec.hard.cpu", "4", "8")]


def test_out_of_band_changes_are_repaired_with_self_heal_and_reported_without() -> None:
    live = applied(NS, QUOTA)
    edited = obj("ResourceQuota", "default", "toy", hard={"cpu": "64"})
    key = objects.key_of(QUOTA)
    live = planner.Live({**live.live, key: objects.LiveObject(key, edited)}, live.inventory)
    healed = planner.plan("dev", planner.Desired(COMMIT, [NS, QUOTA]), live, HEAL)
    assert [(a.verb, a.reason, a.drift) for a in healed.writes] == [
        ("update", "drifted", "changed out of band")
    ]
    reported = planner.plan("dev", planner.Desired(COMMIT, [NS, QUOTA]), live, planner.Policy())
    assert not reported.writes and [a.object for a in reported.drift] == [str(key)]


def test_a_target_reported_problem_is_drift() -> None:
    key = objects.key_of(NS)
    live = applied(NS)
    sick = planner.Live(
        {key: objects.LiveObject(key, NS, {"drift": "server dead"})}, live.inventory
    )
    (action,) = planner.plan("dev", planner.Desired(COMMIT, [NS]), sick, HEAL).writes
    assert (action.verb, action.drift) == ("update", "server dead")


def test_a_deleted_object_is_recreated_and_an_unknown_one_adopted() -> None:
    live = applied(NS, QUOTA)
    gone = planner.Live({objects.key_of(NS): live.live[objects.key_of(NS)]}, live.inventory)
    made = planner.plan("dev", planner.Desired(COMMIT, [NS, QUOTA]), gone, HEAL)
    assert [(a.verb, a.reason) for a in made.writes] == [("create", "deleted out of band")]
    stranger = planner.Live({objects.key_of(NS): objects.LiveObject(objects.key_of(NS), NS)}, {})
    (adopt,) = planner.plan("dev", planner.Desired(COMMIT, [NS]), stranger, HEAL).writes
    assert (adopt.verb, adopt.reason) == ("update", "not in inventory")


def test_objects_that_left_git_are_pruned_dependents_first() -> None:
    made = planner.plan("dev", planner.Desired(COMMIT, [NS]), applied(NS, QUOTA, TEMPLATE), HEAL)
    assert [(a.verb, a.object) for a in made.writes] == [
        ("delete", "WorkflowTemplate/toy/p"),
        ("delete", "ResourceQuota/toy/default"),
    ]
    kept = planner.plan(
        "dev", planner.Desired(COMMIT, [NS]), applied(NS, QUOTA), planner.Policy(prune=False)
    )
    assert not kept.writes and kept.drift[0].drift == "left Git; prune is off"


def test_the_prune_guard_blocks_emptying_an_environment() -> None:
    made = planner.plan("dev", planner.Desired(COMMIT, []), applied(NS, QUOTA), HEAL)
    assert made.blocked is not None and "refusing to prune all 2 objects" in made.blocked
    allowed = planner.Policy(self_heal=True, prune=True, allow_empty=True)
    assert planner.plan("dev", planner.Desired(COMMIT, []), applied(NS), allowed).blocked is None


def test_a_run_starts_once_per_identity() -> None:
    run = actions.RunSpec("toy-run-1", "id-1", "toy-run", "toy", [])
    fresh = planner.plan("dev", planner.Desired(COMMIT, [], [run]), applied(), HEAL)
    assert verbs(fresh) == [("run", "Workflow/toy-run-1", "new inputs")]
    ran = planner.Live({}, {}, frozenset({"id-1"}))
    assert verbs(planner.plan("dev", planner.Desired(COMMIT, [], [run]), ran, HEAL)) == [
        ("noop", "Workflow/toy-run-1", "ran already")
    ]


def test_aliases_move_and_a_hand_moved_alias_is_drift() -> None:
    alias = actions.AliasSpec("wine", "production", "4", "quality/wine-api", "quality")
    moved = planner.Live({}, {}, aliases={("wine", "production"): "3"})
    (action,) = planner.plan(
        "production", planner.Desired(COMMIT, [], [], [alias]), moved, HEAL
    ).writes
    assert (action.verb, action.reason, action.previous) == ("alias", "alias moved", "3")
    by_hand = planner.Live(
        {},
        {},
        aliases={("wine", "production"): "2"},
        recorded_aliases={("wine", "production"): "4"},
    )
    (again,) = planner.plan(
        "production", planner.Desired(COMMIT, [], [], [alias]), by_hand, HEAL
    ).writes
    assert again.reason == "alias drifted" and again.drift is not None
