"""Failures on the local runtime, with real processes: retries with backoff, deadlines that kill
whole process groups (grandchildren included), the workflow's own deadline, SIGINT/SIGTERM
to the runtime's process leaving no step process behind, and a signal before the first step
leaving nothing behind."""

from __future__ import annotations

import datetime
import itertools
import json
import os
import pathlib
import re
import signal
import subprocess
import sys
import time

import psutil
import pytest
from argo_builders import LOGS, container, dag, log_of, node, run, task, workflow
from bosun.targets.local import errors, interrupts

FLAKY = """
import pathlib, sys
counter = pathlib.Path(sys.argv[1])
attempts = int(counter.read_text()) + 1 if counter.exists() else 1
counter.write_text(str(attempts))
sys.exit(0 if attempts >= int(sys.argv[2]) else 1)
"""
RETRY = {"limit": 2, "retryPolicy": "Always", "backoff": {"duration": "0.2", "factor": "2"}}


def test_a_flaky_step_is_retried_until_it_succeeds(tmp_path: pathlib.Path) -> None:
    counter = tmp_path / "count"
    flaky = container("flaky", FLAKY, str(counter), "2", retryStrategy=RETRY)
    result = run(tmp_path / "state", [workflow([dag("main", [task("f", "flaky")]), flaky])])

    assert result.phase == "Succeeded"
    record = node(result, "f")
    assert (record["attempts"], counter.read_text()) == (2, "2")
    log = (result.run_dir / record["log"]).read_text()
    assert "attempt 1 at" in log and "attempt 2 at" in log
    assert "retry    f: attempt 1: exit code 1; next in 0.2s" in LOGS["wf-run"]


def _attempt_times(log: str) -> list[tuple[float, float]]:
    """(start, end) of each attempt, from the log's ``==> bosun: attempt N ...`` lines."""

    def stamp(line: str) -> float:
        text = line.split(" at ", 1)[1].split(": ", 1)[0]
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()

    starts = [
        stamp(line) for line in log.splitlines() if re.match(r"==> bosun: attempt \d+ at ", line)
    ]
    ends = [
        stamp(line)
        for line in log.splitlines()
        if re.match(r"==> bosun: attempt \d+ ended at ", line)
    ]
    return list(zip(starts, ends, strict=True))


def test_the_wait_between_attempts_follows_the_backoff(tmp_path: pathlib.Path) -> None:
    # waits 0.25 s, then 0.25 * 4 = 1 s, then 4 s capped at 1 s
    backoff = {"duration": "0.25", "factor": "4", "cap": "1"}
    retry = {"limit": 3, "retryPolicy": "OnFailure", "backoff": backoff}
    never = container("never", FLAKY, str(tmp_path / "count"), "99", retryStrategy=retry)
    result = run(tmp_path / "state", [workflow([dag("main", [task("n", "never")]), never])])

    assert result.phase == "Failed" and node(result, "n")["attempts"] == 4
    attempts = _attempt_times(log_of(result, "n"))
    assert len(attempts) == 4
    waits = [nxt[0] - prev[1] for prev, nxt in itertools.pairwise(attempts)]
    # never sooner than the backoff; later only by the scheduler's own latency (generous: the
    # machine may be busy), and well short of the uncapped 4 s for the third wait
    for wait, expected in zip(waits, [0.25, 1.0, 1.0], strict=True):
        assert expected - 0.02 <= wait <= expected + 1.5, (waits, attempts)
    assert "retry    n: attempt 2: exit code 1; next in 1s" in LOGS["wf-run"]
    assert "retry    n: attempt 3: exit code 1; next in 1s" in LOGS["wf-run"]


def test_retries_stop_at_the_limit(tmp_path: pathlib.Path) -> None:
    counter = tmp_path / "count"
    never = container("never", FLAKY, str(counter), "99", retryStrategy={**RETRY, "limit": 1})
    result = run(tmp_path / "state", [workflow([dag("main", [task("n", "never")]), never])])

    assert result.phase == "Failed"
    assert (node(result, "n")["attempts"], counter.read_text()) == (2, "2")


SPAWN = """
import pathlib, subprocess, sys, time
inherit = subprocess.Popen(['sleep', '300'])
escaped = subprocess.Popen(['sleep', '301'], start_new_session=True)
pathlib.Path(sys.argv[1]).write_text(f'{inherit.pid} {escaped.pid}')
time.sleep(300)
"""


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _wait_for(path: pathlib.Path, timeout: float = 30.0) -> str:
    end = time.monotonic() + timeout
    while not path.exists() or not path.read_text():
        assert time.monotonic() < end, f"{path} never appeared"
        time.sleep(0.05)
    return path.read_text()


def test_a_deadline_kills_the_step_and_its_grandchildren(tmp_path: pathlib.Path) -> None:
    pids = tmp_path / "pids"
    hang = container("hang", SPAWN, str(pids), activeDeadlineSeconds=1)
    started = time.monotonic()
    result = run(tmp_path / "state", [workflow([dag("main", [task("h", "hang")]), hang])])

    assert time.monotonic() - started < 15
    assert result.phase == "Failed"
    assert "exceeded activeDeadlineSeconds (1s)" in node(result, "h")["message"]
    for pid in map(int, pids.read_text().split()):
        assert not _alive(pid), f"grandchild {pid} survived"


def test_the_workflow_deadline_stops_everything_and_the_exit_handler_still_runs(
    tmp_path: pathlib.Path,
) -> None:
    marker = tmp_path / "exit"
    slow = container("slow", "import time; time.sleep(300)")
    report = container(
        "report",
        "import sys; open(sys.argv[1], 'w').write(sys.argv[2])",
        str(marker),
        "{{workflow.status}}",
    )
    main = dag("main", [task("a", "slow"), task("b", "slow")])
    wf = workflow([main, slow, report], activeDeadlineSeconds=1, onExit="report")
    started = time.monotonic()
    result = run(tmp_path / "state", [wf])

    assert time.monotonic() - started < 15
    assert result.phase == "Failed"
    assert node(result, "a")["message"] == "workflow exceeded its deadline (1s)"
    assert marker.read_text() == "Failed"


DRIVER = """
import json, pathlib, sys
from bosun.targets.local import progress, runtime
objects = json.loads(pathlib.Path(sys.argv[1]).read_text())
state = pathlib.Path(sys.argv[2])
result = runtime.run(objects, options=runtime.Options(
    state_dir=state, repo_root=state.parent, run_name='sig', display=progress.Plain(sys.stdout)))
sys.exit(128 + result.signal if result.signal else 0 if result.succeeded else 1)
"""


def test_sigint_kills_every_step_process_then_a_second_one_skips_the_exit_handler(
    tmp_path: pathlib.Path,
) -> None:
    pids, exit_started = tmp_path / "pids", tmp_path / "exit-started"
    hang = container("hang", SPAWN, str(pids))
    linger = container(
        "linger",
        "import pathlib, sys, time; pathlib.Path(sys.argv[1]).write_text('1'); time.sleep(300)",
        str(exit_started),
    )
    main = dag("main", [task("h", "hang"), task("h2", "hang", withItems=[1])])
    objects = tmp_path / "objects.json"
    objects.write_text(json.dumps([workflow([main, hang, linger], onExit="linger")]))
    driver = subprocess.Popen(
        [sys.executable, "-c", DRIVER, str(objects), str(tmp_path / "state")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    _wait_for(pids)
    time.sleep(0.3)
    children = psutil.Process(driver.pid).children(recursive=True)
    assert len(children) >= 4, "two steps, each with two sleeping grandchildren"

    driver.send_signal(signal.SIGINT)
    _wait_for(exit_started)
    driver.send_signal(signal.SIGINT)
    output, _ = driver.communicate(timeout=30)

    assert driver.returncode == 128 + signal.SIGINT, output
    for child in children:
        assert not _alive(child.pid), f"{child.pid} {child.name()} outlived the run"
    for pid in map(int, pids.read_text().split()):
        assert not _alive(pid)
    status = json.loads((tmp_path / "state/runs/sig/status.json").read_text())
    assert status["phase"] == "Failed"
    assert status["nodes"]["h"]["message"] == "stopped by SIGINT"
    assert status["nodes"]["onExit"]["message"] == "terminated by SIGINT"
    assert "SIGINT: stopping" in output


def test_sigterm_stops_the_run_too(tmp_path: pathlib.Path) -> None:
    pids = tmp_path / "pids"
    objects = tmp_path / "objects.json"
    hang = container("hang", SPAWN, str(pids))
    objects.write_text(json.dumps([workflow([dag("main", [task("h", "hang")]), hang])]))
    driver = subprocess.Popen(
        [sys.executable, "-c", DRIVER, str(objects), str(tmp_path / "state")],
        stdout=subprocess.DEVNULL,
        env={**os.environ},
    )
    _wait_for(pids)
    children = psutil.Process(driver.pid).children(recursive=True)
    driver.send_signal(signal.SIGTERM)

    assert driver.wait(timeout=30) == 128 + signal.SIGTERM
    assert not any(_alive(c.pid) for c in children)


def test_a_signal_before_the_first_step_leaves_no_new_run_and_an_old_one_as_it_was(
    tmp_path: pathlib.Path,
) -> None:
    ran = tmp_path / "ran"
    step = container(
        "s", "import pathlib, sys; pathlib.Path(sys.argv[1]).write_text('ran')", str(ran)
    )
    wf = workflow([dag("main", [task("s", "s")]), step])
    state = tmp_path / "state"
    stopped = interrupts.Interrupts()
    stopped.received.append(signal.SIGINT)  # as the handler records one before the scheduler

    with pytest.raises(errors.StoppedError, match="before any step started") as fresh:
        run(state, [wf], "fresh", interrupts=stopped)
    assert not fresh.value.kept and not (state / "runs/fresh").exists()

    failed = run(
        state,
        [
            workflow(
                [
                    dag("main", [task("s", "s")]),
                    {**step, "container": {**step["container"], "args": ["/nonexistent/dir/file"]}},
                ]
            )
        ],
        "old",
    )
    assert failed.phase == "Failed"
    before = (failed.run_dir / "status.json").read_text()
    with pytest.raises(errors.StoppedError, match="run old is unchanged") as resumed:
        run(state, [wf], "old", resume=True, interrupts=stopped)
    assert resumed.value.kept and resumed.value.signum == signal.SIGINT
    assert (failed.run_dir / "status.json").read_text() == before
    assert not ran.exists(), "nothing ran"
