"""A reconcile killed between any two journal steps (``BOSUN_CRASH_AFTER=N``: ``os._exit``, as
kill -9), then run again, converges with no duplicate run and no lost audit row; two reconciles
of one environment at once are serialized by its lock."""

from __future__ import annotations

import pathlib
import subprocess

import pytest
from bosun.gitops import state

from tests.integration import gitops_support as g

pytestmark = pytest.mark.slow

ACTIONS = ("Namespace/toy", "WorkflowTemplate/toy/p", "Workflow/toy-run")
STEPS = 3 * len(ACTIONS)
"""Journal entry, effect, completion: three steps per action of the first reconcile."""


def _reconcile(
    repo: pathlib.Path, state_dir: pathlib.Path, **env: str
) -> subprocess.CompletedProcess[str]:
    return g.bosun(
        "reconcile", "--env", "dev", "--repo", str(repo), "--state-dir", str(state_dir), env=env
    )


def _converged(state_dir: pathlib.Path) -> None:
    store = state.Store(state_dir)
    try:
        status = store.status("dev")
        assert status is not None and status["phase"] == "Synced", status
        runs = store.runs("dev")
        assert len(runs) == 1 and runs[0].phase == "Succeeded"
        assert store.open_entries("dev") == []
        applied = [r.object for r in store.history(env="dev") if r.outcome.startswith("applied")]
        assert sorted(
            a.rpartition("-")[0] if a.startswith("Workflow/") else a for a in applied
        ) == sorted(ACTIONS)
    finally:
        store.close()
    assert len(list((state_dir / "local/dev/runs").glob("*.request"))) == 1
    assert len(list((state_dir / "runs").iterdir())) == 1  # one execution of the run


@pytest.mark.parametrize("point", range(1, STEPS + 1))
def test_a_crash_at_any_journal_step_converges_on_the_next_reconcile(
    tmp_path: pathlib.Path, point: int
) -> None:
    repo, state_dir = g.platform(tmp_path / "repo"), tmp_path / "state"
    crashed = _reconcile(repo, state_dir, BOSUN_CRASH_AFTER=str(point))
    assert crashed.returncode == 137, crashed.stdout + crashed.stderr
    again = _reconcile(repo, state_dir)
    assert again.returncode == 0, again.stdout + again.stderr
    _converged(state_dir)


def test_two_reconciles_at_once_are_serialized(tmp_path: pathlib.Path) -> None:
    repo, state_dir = g.platform(tmp_path / "repo"), tmp_path / "state"
    g.bosun(
        "reconcile", "--env", "dev", "--repo", str(repo), "--state-dir", str(state_dir), "--no-wait"
    )
    import shutil

    shutil.rmtree(state_dir)
    command = [
        str(pathlib.Path(g.sys.executable).parent / "bosun"),
        "reconcile",
        "--env",
        "dev",
        "--repo",
        str(repo),
        "--state-dir",
        str(state_dir),
    ]
    both = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=300)[0] for p in both]
    assert [p.returncode for p in both] == [0, 0], outputs
    _converged(state_dir)
