"""Reconcile against real git repositories made in tmp dirs, the local target and MLflow on
sqlite: merges, rejected commits, reverts, prune and its guard, drift, zero-write no-ops."""

from __future__ import annotations

import json
import pathlib

import pytest
from bosun.gitops import state
from bosun.targets.local import target as local_target

from tests.integration import gitops_support as g

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> tuple[pathlib.Path, pathlib.Path]:
    """A platform repo whose dev and production were reconciled once (each ran toy-run)."""
    base = tmp_path_factory.mktemp("synced")
    repo, state_dir = g.platform(base / "repo"), base / "state"
    for env in ("dev", "production"):
        assert g.run(repo, state_dir, env).phase == "Synced"
    return repo, state_dir


def _copy(
    tmp_path: pathlib.Path, synced: tuple[pathlib.Path, pathlib.Path], *envs: str
) -> tuple[pathlib.Path, pathlib.Path]:
    """A repo like the synced one with ``envs`` reconciled in a state dir of its own (the state
    dir is in the tracking URI, so it cannot be copied)."""
    repo, state_dir = tmp_path / "repo", tmp_path / "state"
    g.git(tmp_path, "clone", "-q", str(synced[0]), str(repo))
    g.git(repo, "branch", "-q", "production", "origin/production")
    for env in envs or ("dev",):
        assert g.run(repo, state_dir, env).phase == "Synced"
    return repo, state_dir


def _status(state_dir: pathlib.Path, env: str) -> dict:
    store = state.Store(state_dir)
    try:
        found = store.status(env)
        assert found is not None
        return found
    finally:
        store.close()


def test_first_reconcile_applies_and_runs_then_a_second_writes_nothing(
    synced: tuple[pathlib.Path, pathlib.Path],
) -> None:
    repo, state_dir = synced
    dev = _status(state_dir, "dev")
    assert dev["phase"] == "Synced" and dev["commit"] == g.git(repo, "rev-parse", "main")
    assert dev["objects"] == 2  # the team's Namespace and the pipeline's WorkflowTemplate
    assert [r["phase"] for r in dev["runs"]] == ["Succeeded"]
    production = _status(state_dir, "production")
    assert production["commit"] == g.git(repo, "rev-parse", "production")

    store = state.Store(state_dir)
    before_rows = len(store.history())
    store.close()
    target_writes: list[int] = []
    from bosun.commands import gitops_common
    from bosun.gitops import reconcile, source

    store = state.Store(state_dir)
    adapters = gitops_common.adapters(state_dir)
    made: list[local_target.LocalTarget] = []

    def counting(env, spec):  # type: ignore[no-untyped-def]
        target = adapters.target(env, spec)
        made.append(target)  # type: ignore[arg-type]
        return target

    again = reconcile.Adapters(target=counting, tracking_uri=adapters.tracking_uri)
    outcome = reconcile.reconcile(
        env="dev",
        mirror=source.Mirror(url=str(repo), state_dir=state_dir),
        store=store,
        state_dir=state_dir,
        adapters=again,
    )
    target_writes = [t.writes for t in made]
    assert outcome.phase == "Synced" and outcome.plan is not None and not outcome.plan.writes
    assert store.writes == 0 and target_writes == [0]
    assert len(store.history()) == before_rows
    store.close()


def test_a_merge_to_production_reconciles_production(
    tmp_path: pathlib.Path, synced: tuple[pathlib.Path, pathlib.Path]
) -> None:
    repo, state_dir = _copy(tmp_path, synced, "production")
    g.write(repo, {"teams/toy/quota.yaml": g.QUOTA})
    g.commit_all(repo, "toy quota")
    g.git(repo, "checkout", "-q", "production")
    g.git(repo, "merge", "-q", "--no-ff", "-m", "merge main", "main")
    head = g.git(repo, "rev-parse", "production")
    g.git(repo, "checkout", "-q", "main")
    outcome = g.run(repo, state_dir, "production")
    assert outcome.phase == "Synced" and outcome.commit == head
    assert outcome.plan is not None
    created = {a.object for a in outcome.plan.writes if a.verb == "create"}
    assert {"ResourceQuota/toy/default", "LimitRange/toy/default"} <= created
    quota = state_dir / "local/production/objects/ResourceQuota/toy/default.json"
    assert json.loads(quota.read_text())["spec"]["hard"]["requests.cpu"] == "4"
    assert _status(state_dir, "production")["commit"] == head


def test_a_bad_commit_is_rejected_whole_while_the_other_environment_proceeds(
    tmp_path: pathlib.Path, synced: tuple[pathlib.Path, pathlib.Path]
) -> None:
    repo, state_dir = _copy(tmp_path, synced, "dev", "production")
    good = g.git(repo, "rev-parse", "main")
    g.write(repo, {"teams/toy/quota.yaml": g.QUOTA, "teams/toy/broken.yaml": "kind: [unclosed\n"})
    bad = g.commit_all(repo, "a quota and a broken file")
    done = g.bosun("reconcile", "--all", "--repo", str(repo), "--state-dir", str(state_dir))
    assert done.returncode == 1, done.stderr
    dev = _status(state_dir, "dev")
    assert dev["phase"] == "Failed" and dev["commit"] == good and dev["attemptedCommit"] == bad
    assert dev["diagnostics"][0]["file"] == "teams/toy/broken.yaml"
    assert dev["diagnostics"][0]["code"] == "BOS103" and "does not validate" in dev["error"]
    assert not (state_dir / "local/dev/objects/ResourceQuota").exists()  # nothing applied
    assert _status(state_dir, "production")["phase"] == "Synced"
    assert "production: Synced" in done.stdout
    # polling the same bad commit again writes no second rejection row
    store = state.Store(state_dir)
    rejections = [r for r in store.history(env="dev") if r.action == "reject"]
    store.close()
    g.bosun("reconcile", "--env", "dev", "--repo", str(repo), "--state-dir", str(state_dir))
    store = state.Store(state_dir)
    assert [r for r in store.history(env="dev") if r.action == "reject"] == rejections
    assert len(rejections) == 1 and rejections[0].author == "Ann Author <ann@example.com>"
    store.close()


def test_a_revert_converges_back_and_prunes(
    tmp_path: pathlib.Path, synced: tuple[pathlib.Path, pathlib.Path]
) -> None:
    repo, state_dir = _copy(tmp_path, synced)
    g.write(repo, {"teams/toy/quota.yaml": g.QUOTA})
    g.commit_all(repo, "toy quota")
    assert g.run(repo, state_dir, "dev").phase == "Synced"
    quota = state_dir / "local/dev/objects/ResourceQuota/toy/default.json"
    assert quota.exists()
    g.git(repo, "revert", "--no-edit", "HEAD")
    outcome = g.run(repo, state_dir, "dev")
    assert outcome.plan is not None
    deleted = sorted(a.object for a in outcome.plan.writes if a.verb == "delete")
    assert deleted == ["LimitRange/toy/default", "ResourceQuota/toy/default"]
    assert all(a.reason == "left Git" for a in outcome.plan.writes if a.verb == "delete")
    assert not quota.exists()
    assert not [a for a in outcome.plan.writes if a.verb == "run"]  # reverted inputs ran already


def test_the_prune_guard_refuses_to_empty_an_environment_unless_allowed(
    tmp_path: pathlib.Path, synced: tuple[pathlib.Path, pathlib.Path]
) -> None:
    repo, state_dir = _copy(tmp_path, synced)
    g.git(repo, "rm", "-q", "-r", "teams")
    g.commit_all(repo, "remove every team")
    outcome = g.run(repo, state_dir, "dev")
    assert outcome.phase == "Failed" and "refusing to prune all 2 objects" in (outcome.error or "")
    assert (state_dir / "local/dev/objects/Namespace/_cluster/toy.json").exists()
    g.write(repo, {"environments/dev.yaml": g.environment("dev", "main", allow_empty=True)})
    g.commit_all(repo, "allow an empty dev")
    outcome = g.run(repo, state_dir, "dev")
    assert outcome.phase == "Synced"
    assert not list((state_dir / "local/dev/objects").glob("*/*/*.json"))


def test_drift_is_repaired_with_self_heal_and_reported_without(
    tmp_path: pathlib.Path, synced: tuple[pathlib.Path, pathlib.Path]
) -> None:
    repo, state_dir = _copy(tmp_path, synced)
    template = state_dir / "local/dev/objects/WorkflowTemplate/toy/p.json"
    applied = template.read_text()
    edited = json.loads(applied)
    edited["metadata"]["labels"]["edited-by"] = "hand"
    template.write_text(json.dumps(edited))
    outcome = g.run(repo, state_dir, "dev")
    assert outcome.plan is not None
    assert [(a.verb, a.reason) for a in outcome.plan.writes] == [("update", "drifted")]
    assert json.loads(template.read_text()) == json.loads(applied)

    g.write(repo, {"environments/dev.yaml": g.environment("dev", "main", heal=False)})
    g.commit_all(repo, "dev without selfHeal")
    template.write_text(json.dumps(edited))
    (state_dir / "local/dev/objects/Namespace/_cluster/toy.json").unlink()
    outcome = g.run(repo, state_dir, "dev")
    assert outcome.plan is not None and not outcome.plan.writes
    assert sorted(a.reason for a in outcome.plan.drift) == ["deleted out of band", "drifted"]
    assert _status(state_dir, "dev")["drift"] == ["Namespace/toy", "WorkflowTemplate/toy/p"]
    assert json.loads(template.read_text()) == edited  # reported, not repaired


def test_no_wait_returns_with_the_run_progressing_and_a_later_reconcile_records_it(
    tmp_path: pathlib.Path, synced: tuple[pathlib.Path, pathlib.Path]
) -> None:
    repo, state_dir = tmp_path / "repo", tmp_path / "state"
    g.git(tmp_path, "clone", "-q", str(synced[0]), str(repo))
    outcome = g.run(repo, state_dir, "dev", wait=False)
    assert outcome.phase == "Progressing"
    assert [r["phase"] for r in _status(state_dir, "dev")["runs"]] == ["Pending"]
    import time

    deadline = time.monotonic() + 120
    while g.run(repo, state_dir, "dev", wait=False).phase != "Synced":
        assert time.monotonic() < deadline
        time.sleep(0.5)
    assert [r["phase"] for r in _status(state_dir, "dev")["runs"]] == ["Succeeded"]


def test_status_history_and_plan_speak_designs_shapes(
    tmp_path: pathlib.Path, synced: tuple[pathlib.Path, pathlib.Path]
) -> None:
    repo, state_dir = _copy(tmp_path, synced)
    where = ["--state-dir", str(state_dir)]
    status = json.loads(g.bosun("status", "--format", "json", *where).stdout)
    dev = status["environments"]["dev"]
    assert set(dev) >= {
        "branch",
        "commit",
        "phase",
        "error",
        "diagnostics",
        "objects",
        "runs",
        "serving",
    }
    assert dev["runs"][0].keys() == {"workflow", "experiment", "phase"}
    rows = json.loads(g.bosun("history", "--env", "dev", "--format", "json", *where).stdout)
    assert {"time", "env", "commit", "author", "action", "object", "outcome"} <= rows[0].keys()
    assert {r["action"] for r in rows} >= {"create", "run"}

    g.git(repo, "checkout", "-q", "-b", "more-quota")
    g.write(repo, {"teams/toy/quota.yaml": g.QUOTA})
    g.commit_all(repo, "a quota, proposed")
    g.git(repo, "checkout", "-q", "main")
    done = g.bosun(
        "plan",
        "--env",
        "dev",
        "--repo",
        str(repo),
        "--rev",
        "more-quota",
        "--format",
        "markdown",
        *where,
    )
    assert done.returncode == 0, done.stderr
    assert "| create | `ResourceQuota/toy/default` | new |" in done.stdout
    assert not (state_dir / "local/dev/objects/ResourceQuota").exists()  # plan writes nothing
    plan = json.loads(
        g.bosun(
            "plan",
            "--env",
            "dev",
            "--repo",
            str(repo),
            "--rev",
            "more-quota",
            "--format",
            "json",
            *where,
        ).stdout
    )
    quota = [a for a in plan["actions"] if a["object"] == "ResourceQuota/toy/default"]
    assert [(a["action"], a["reason"], a["team"]) for a in quota] == [("create", "new", "toy")]
    assert g.bosun("status", "--env", "nowhere", *where).returncode == 1
