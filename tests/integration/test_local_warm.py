"""System steps forked from the warm interpreter are the process a fresh ``python -m`` would be:
same argv, env, working directory, stdin, log, exit status, and a session of their own that a
deadline kills as a group."""

from __future__ import annotations

import json
import os
import pathlib
import sys
import time

import psutil
import pytest
from bosun.targets.local import process, warm

PROBE = """
import json, os, sys, time
report = {
    "argv": sys.argv[1:],
    "cwd": os.getcwd(),
    "env": dict(os.environ),
    "session_leader": os.getsid(0) == os.getpid(),
    "group_leader": os.getpgid(0) == os.getpid(),
    "stdin": sys.stdin.read(),
    "name": __name__,
}
with open("probe.json", "w") as out:
    json.dump(report, out)
print("to stdout", flush=True)
print("to stderr", file=sys.stderr, flush=True)
if "--sleep" in sys.argv:
    with open("child.pid", "w") as out:
        out.write(str(os.getpid()))
    time.sleep(60)
sys.exit(int(sys.argv[sys.argv.index("--exit") + 1]) if "--exit" in sys.argv else 0)
"""
EVIL = '"; rm -rf / #"'


@pytest.fixture
def probe(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> pathlib.Path:
    (tmp_path / "bosun_probe.py").write_text(PROBE)
    monkeypatch.setitem(warm.WARM_MODULES, "bosun_probe", ())
    return tmp_path


def _env(workdir: pathlib.Path) -> dict[str, str]:
    # as the runtime does: bosun's interpreter is the first python on PATH
    path = os.pathsep.join([str(pathlib.Path(sys.executable).parent), os.environ["PATH"]])
    return {"PATH": path, "ONLY": "this", "PYTHONPATH": str(workdir)}


def _run(
    registry: process.Registry, workdir: pathlib.Path, *args: str, deadline: float = 60
) -> tuple[process.Outcome, dict[str, object], str]:
    argv = ["python", "-m", "bosun_probe", *args]
    env = _env(workdir)
    log = workdir / "step.log"
    log.write_bytes(b"")
    with log.open("ab") as handle:
        outcome = process.run(
            registry, "main", argv, env=env, cwd=str(workdir), log=handle, deadline_seconds=deadline
        )
    report = json.loads((workdir / "probe.json").read_text())
    return outcome, report, log.read_text()


def test_a_warm_step_is_what_a_fresh_python_would_run(probe: pathlib.Path) -> None:
    assert warm.warm_module(["python", "-m", "bosun_probe", "x"]) == "bosun_probe"
    fresh = _run(process.Registry(), probe, "--exit", "3", EVIL)
    forked = _run(process.Registry(warm_starter=warm.Starter()), probe, "--exit", "3", EVIL)
    for outcome, report, log in (fresh, forked):
        assert outcome.exit_code == 3
        assert report["argv"] == ["--exit", "3", EVIL]
        assert report["cwd"] == str(probe)
        assert report["session_leader"] and report["group_leader"]
        assert report["stdin"] == ""
        assert report["name"] == "__main__"
        assert "to stdout" in log and "to stderr" in log
    # a fresh interpreter may add LC_CTYPE (PEP 538 locale coercion); nothing else differs
    fresh_env = {k: v for k, v in fresh[1]["env"].items() if k != "LC_CTYPE"}
    assert forked[1]["env"] == fresh_env == _env(probe)


def test_a_deadline_kills_a_warm_step_and_its_group(probe: pathlib.Path) -> None:
    started = time.monotonic()
    outcome, _, _ = _run(
        process.Registry(warm_starter=warm.Starter()), probe, "--sleep", deadline=1.0
    )
    assert outcome.timed_out
    assert time.monotonic() - started < 30
    pid = int((probe / "child.pid").read_text())
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def test_only_python_dash_m_of_a_warm_module_is_started_warm() -> None:
    assert warm.warm_module(["python", "-m", "bosun.tracking.steps", "start-workflow"])
    assert warm.warm_module(["/venv/bin/python3", "-m", "bosun.tracking.steps", "register"])
    assert warm.warm_module(["python", "teams/quality/steps/prepare.py"]) is None
    assert warm.warm_module(["python", "-m", "json.tool"]) is None
    assert warm.warm_module(["bash", "-m", "bosun.tracking.steps"]) is None
