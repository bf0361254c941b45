"""``bosun reconcile`` against a cluster, killed between any two journal steps
(``BOSUN_CRASH_AFTER=N``: ``os._exit``, as kill -9: between two applies, between an apply and its
record), then run again: the cluster and the state store converge, the Workflow is submitted
once, and a further reconcile sends no write."""

from __future__ import annotations

import pathlib
import signal
import subprocess
import sys
import time

import pytest
from bosun.gitops import state
from integration import gitops_support

from kube import kube_support
from kube.fake_apiserver import ARGO, FakeApiServer

pytestmark = pytest.mark.slow

APPLIED = (
    "Namespace/ml-toy",
    "ResourceQuota/ml-toy/default",
    "LimitRange/ml-toy/default",
    "WorkflowTemplate/ml-toy/p",
)
STEPS = 3 * (len(APPLIED) + 1)
"""Journal entry, effect, completion for each apply and the Workflow's submission."""


def _reconcile(repo: pathlib.Path, state_dir: pathlib.Path, config: pathlib.Path, **env: str):  # type: ignore[no-untyped-def]
    return gitops_support.bosun(
        "reconcile",
        "--env",
        "dev",
        "--no-wait",
        "--repo",
        str(repo),
        "--state-dir",
        str(state_dir),
        "--kubeconfig",
        str(config),
        env=env,
    )


@pytest.mark.parametrize("point", range(1, STEPS + 1))
def test_a_kill_at_any_step_converges_on_the_next_reconcile(
    tmp_path: pathlib.Path, apiserver: FakeApiServer, point: int
) -> None:
    repo = kube_support.platform(tmp_path / "repo")
    config = kube_support.kubeconfig(tmp_path / "kubeconfig", apiserver)
    state_dir = tmp_path / "state"
    crashed = _reconcile(repo, state_dir, config, BOSUN_CRASH_AFTER=str(point))
    assert crashed.returncode == 137, crashed.stdout + crashed.stderr
    again = _reconcile(repo, state_dir, config)
    assert again.returncode == 0, again.stdout + again.stderr

    store = state.Store(state_dir)
    try:
        assert store.open_entries("dev") == []
        assert sorted(str(k) for k in store.inventory("dev")) == sorted(APPLIED)
        assert len(store.runs("dev")) == 1
    finally:
        store.close()
    assert len(apiserver.objects(ARGO, "workflows")) == 1
    apiserver.reset_log()
    outcome, writes = kube_support.run(repo, state_dir, config)
    assert outcome.applied == 0 and writes == 0 and apiserver.writes == 0


def test_sigkill_after_the_second_apply_took_effect_but_before_its_answer_converges(
    tmp_path: pathlib.Path, apiserver: FakeApiServer
) -> None:
    repo = kube_support.platform(tmp_path / "repo")
    config = kube_support.kubeconfig(tmp_path / "kubeconfig", apiserver)
    state_dir = tmp_path / "state"
    apiserver.answer_delay = 2.0
    command = [
        str(pathlib.Path(sys.executable).parent / "bosun"),
        "reconcile",
        "--env",
        "dev",
        "--no-wait",
        "--repo",
        str(repo),
        "--state-dir",
        str(state_dir),
        "--kubeconfig",
        str(config),
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while apiserver.writes < 2:
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)  # the namespace is applied and answered, the quota not
    assert process.wait(timeout=10) == -signal.SIGKILL
    apiserver.answer_delay = 0.0
    assert apiserver.get("", "resourcequotas", "ml-toy", "default") is not None
    again = _reconcile(repo, state_dir, config)
    assert again.returncode == 0, again.stdout + again.stderr
    store = state.Store(state_dir)
    try:
        assert store.open_entries("dev") == []
        assert sorted(str(k) for k in store.inventory("dev")) == sorted(APPLIED)
        settled = [r.outcome for r in store.history(env="dev") if "interrupted" in r.outcome]
        assert settled == ["applied (confirmed after an interrupted reconcile)"]
    finally:
        store.close()
    assert len(apiserver.objects(ARGO, "workflows")) == 1
