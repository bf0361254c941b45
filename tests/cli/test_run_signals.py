"""``bosun run`` and signals over the whole command, as a user sends them: Ctrl-C reaches the whole
process group (``os.killpg``), at start-up, while queued for a quota slot, while steps run, while
the warm fork server still imports MLflow, and while the closing summary reads MLflow. Each
exits 130 (SIGINT) or 143 (SIGTERM), leaves records that are final (or no run at all), and no
process behind."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import signal
import subprocess
import time
from typing import IO

import psutil
import pytest
from test_run_cli import BOSUN, _alive, _env, _toy, _toy_in, _wait_for

COMMON = ("run", "toy-run", "--env", "dev")


def _start(
    repo: pathlib.Path,
    state: pathlib.Path,
    out: IO[str],
    *args: str,
    env: dict[str, str] | None = None,
) -> subprocess.Popen[str]:
    """bosun as a shell starts it: the leader of its own process group, which Ctrl-C signals."""
    return subprocess.Popen(
        [BOSUN, *COMMON, "--state-dir", str(state), *args],
        cwd=repo,
        env=env or _env(),
        stdout=out,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def _wait_for_text(path: pathlib.Path, text: str, timeout: float = 180) -> None:
    end = time.monotonic() + timeout
    while text not in (path.read_text() if path.exists() else ""):
        assert time.monotonic() < end, f"{text!r} never appeared in {path}"
        time.sleep(0.05)


def _fork_server(pid: int) -> psutil.Process | None:
    for child in psutil.Process(pid).children(recursive=True):
        try:
            if "multiprocessing.forkserver" in " ".join(child.cmdline()):
                return child
        except psutil.Error:
            continue
    return None


def _mlflow_runs(state: pathlib.Path) -> tuple[list[object], list[object]]:
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=f"sqlite:///{state / 'mlflow.db'}")
    experiment = client.get_experiment_by_name("toy/toy-run")
    assert experiment is not None
    runs = client.search_runs([experiment.experiment_id])
    parents = [r for r in runs if "mlflow.parentRunId" not in r.data.tags]
    trials = [r for r in runs if "mlflow.parentRunId" in r.data.tags]
    return parents, trials


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_at_start_up_exits_with_its_code_and_leaves_no_run(
    tmp_path: pathlib.Path, signum: signal.Signals, code: int
) -> None:
    control = tmp_path / "control"
    control.mkdir()
    repo = _toy(tmp_path / "repo", control)
    state = tmp_path / "state"
    # bosun asks git about the working tree first: a slow git holds it in start-up
    slow = tmp_path / "bin"
    slow.mkdir()
    (slow / "git").write_text(
        f'#!/bin/sh\ntouch "{tmp_path}/git-called"\nsleep 30\nexec {shutil.which("git")} "$@"\n'
    )
    (slow / "git").chmod(0o755)
    env = {**_env(), "PATH": f"{slow}{os.pathsep}{os.environ['PATH']}"}
    log = tmp_path / "out.txt"
    with log.open("w") as out:
        proc = _start(repo, state, out, env=env)
        _wait_for(tmp_path / "git-called", timeout=60)
        os.killpg(proc.pid, signum)
        proc.wait(timeout=60)
    output = log.read_text()
    assert proc.returncode == code, output
    assert "Aborted!" not in output and "Traceback" not in output
    assert f"stopped by {signum.name}" in output
    assert not (state / "runs").exists() or not list((state / "runs").iterdir())


@pytest.mark.slow
def test_ctrl_c_while_queued_leaves_no_run_and_ctrl_c_while_running_closes_every_record(
    tmp_path: pathlib.Path,
) -> None:
    repo, control, state = _toy_in(tmp_path, "hang", quota=True)
    first_log, second_log = tmp_path / "first.txt", tmp_path / "second.txt"
    with first_log.open("w") as out1, second_log.open("w") as out2:
        first = _start(repo, state, out1)
        _wait_for(control / "pids")
        server = _fork_server(first.pid)
        assert server is not None, "the system steps start warm"
        (run_dir,) = (state / "runs").iterdir()

        # the quota allows one run at a time: the second waits in the queue; Ctrl-C there
        second = _start(repo, state, out2)
        _wait_for_text(second_log, "queued")
        os.killpg(second.pid, signal.SIGINT)
        assert second.wait(timeout=60) == 130, second_log.read_text()
        assert [p.name for p in (state / "runs").iterdir()] == [run_dir.name]

        # Ctrl-C on the running one reaches bosun and its fork server, not the steps' sessions
        steps = psutil.Process(first.pid).children(recursive=True)
        os.killpg(first.pid, signal.SIGINT)
        assert first.wait(timeout=120) == 130, first_log.read_text()
        assert not _alive(server.pid), "the fork server stops with bosun"

    queued = second_log.read_text()
    assert "Aborted!" not in queued and "Traceback" not in queued
    assert "stopped by SIGINT before any step started: nothing ran" in queued
    assert "was not created" in queued
    output = first_log.read_text()
    assert "Aborted!" not in output and "Traceback" not in output
    leftovers = [p for p in steps if _alive(p.pid)]
    assert not leftovers, f"still running after Ctrl-C: {leftovers}"
    assert not _alive(int((control / "pids").read_text()))
    status = json.loads((run_dir / "status.json").read_text())
    assert status["phase"] == "Failed"
    assert status["nodes"]["trials.pipeline.work"]["message"] == "stopped by SIGINT"
    assert status["nodes"]["onExit"]["phase"] == "Succeeded", "the exit handler closed MLflow"
    assert f"resume with  bosun run toy-run --env dev --resume {run_dir.name}" in output
    parents, trials = _mlflow_runs(state)
    assert [r.info.status for r in parents] == ["FAILED"]  # type: ignore[attr-defined]
    assert [r.info.status for r in trials] == ["FAILED"]  # type: ignore[attr-defined]
    assert [r.data.tags["bosun.status"] for r in trials] == ["Failed"]  # type: ignore[attr-defined]


@pytest.mark.slow
def test_ctrl_c_while_the_fork_server_imports_mlflow_spares_it(tmp_path: pathlib.Path) -> None:
    repo, _control, state = _toy_in(tmp_path, "ok")
    log = tmp_path / "out.txt"
    with log.open("w") as out:
        proc = _start(repo, state, out)
        # the first system step waits for the fork server, which imports MLflow for seconds
        end = time.monotonic() + 120
        while not list(state.glob("runs/*/logs/start.log")):
            assert time.monotonic() < end and proc.poll() is None, log.read_text()
            time.sleep(0.01)
        server = _fork_server(proc.pid)
        assert server is not None
        os.killpg(proc.pid, signal.SIGINT)
        assert proc.wait(timeout=120) == 130, log.read_text()
        assert not _alive(server.pid)
    (run_dir,) = (state / "runs").iterdir()
    start_log = (run_dir / "logs/start.log").read_text()
    assert "Traceback" not in start_log and "EOFError" not in start_log, start_log
    status = json.loads((run_dir / "status.json").read_text())
    assert status["nodes"]["onExit"]["phase"] == "Succeeded", (
        run_dir / "logs/onExit.log"
    ).read_text()
    assert "Traceback" not in log.read_text()


@pytest.mark.slow
def test_ctrl_c_during_the_closing_summary_keeps_the_records_final(tmp_path: pathlib.Path) -> None:
    repo, _control, state = _toy_in(tmp_path, "ok")
    log = tmp_path / "out.txt"
    with log.open("w") as out:
        proc = _start(repo, state, out)
        end = time.monotonic() + 180
        phase = None
        while phase != "Succeeded":
            assert time.monotonic() < end and proc.poll() is None, log.read_text()
            time.sleep(0.02)
            with_status = list(state.glob("runs/*/status.json"))
            if with_status:
                try:
                    phase = json.loads(with_status[0].read_text()).get("phase")
                except ValueError:
                    continue
        # the run is over; bosun now reads MLflow (seconds of imports) for its closing lines
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=60)
    output = log.read_text()
    assert proc.returncode == 130, output
    assert "Aborted!" not in output and "Traceback" not in output
    assert "Succeeded: run" in output and "status       " in output
    assert "resume with" not in output, "a succeeded run has nothing to resume"
    (status_path,) = state.glob("runs/*/status.json")
    assert json.loads(status_path.read_text())["phase"] == "Succeeded"
    parents, trials = _mlflow_runs(state)
    assert [r.info.status for r in parents + trials] == ["FINISHED", "FINISHED"]  # type: ignore[attr-defined]
