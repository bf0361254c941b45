"""Step processes: each in its own process group (session), killed as a group on a deadline, a
signal or at the end of the step, so that no grandchild outlives the run.

A process that starts a new session of its own escapes its group; it is still found through the
process tree (psutil) while its parent lives, and killed with it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import pathlib
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from typing import IO

import psutil
from bosun.targets.local import warm

KILL_GRACE_SECONDS = 5.0
"""Between SIGTERM and SIGKILL (Argo's terminationGracePeriodSeconds, shortened for a laptop)."""


@dataclasses.dataclass(frozen=True, slots=True)
class Outcome:
    exit_code: int | None
    timed_out: bool = False
    stopped: bool = False
    error: str | None = None
    """Set when the process could not start; exit_code is None then."""


class Family:
    """A step's process group, plus the descendants found in its process tree when it is
    stopped (a child that started a session of its own is not in the group)."""

    def __init__(self, proc: subprocess.Popen[bytes] | warm.WarmProcess) -> None:
        self.proc = proc
        self.members: dict[int, psutil.Process] = {}

    def signal(self, signum: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signum)
        for member in self.members.values():
            with contextlib.suppress(psutil.Error):
                member.send_signal(signum)

    def stop(self) -> None:
        """SIGTERM to everyone. The group is frozen (SIGSTOP) while its tree is listed, so
        that nothing it forks meanwhile escapes the list."""
        self.signal(signal.SIGSTOP)
        if self.proc.poll() is None:
            with contextlib.suppress(psutil.Error):
                for child in psutil.Process(self.proc.pid).children(recursive=True):
                    self.members.setdefault(child.pid, child)
        self.signal(signal.SIGTERM)
        self.signal(signal.SIGCONT)

    def kill_rest(self) -> None:
        """SIGKILL whatever is left, and wait (briefly) until the listed members are gone."""
        self.signal(signal.SIGKILL)
        end = time.monotonic() + 1.0
        while time.monotonic() < end and any(_running(m) for m in self.members.values()):
            time.sleep(0.01)


def _running(process: psutil.Process) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


class Registry:
    """Live step processes by tag (``main``, ``exit``): a stop kills every group of a tag and
    refuses new launches under it, so no step starts after the stop began."""

    def __init__(self, *, warm_starter: warm.Starter | None = None) -> None:
        self._lock = threading.Lock()
        self._warm = warm_starter
        self._live: dict[int, tuple[Family, str]] = {}
        self._closed: set[str] = set()
        self._stopped: set[int] = set()

    def launch(
        self,
        tag: str,
        argv: Sequence[str],
        *,
        env: Mapping[str, str],
        cwd: str,
        log: IO[bytes],
    ) -> Family | None:
        """Start ``argv`` (no shell) in a new session; None when ``tag`` is closed. bosun's own
        system steps are forked from a warm interpreter when the registry has a starter."""
        with self._lock:
            if tag in self._closed:
                return None
            proc: subprocess.Popen[bytes] | warm.WarmProcess
            if self._warm is not None and warm.warm_module(argv) is not None:
                proc = self._warm.start(argv, env=env, cwd=cwd, log=pathlib.Path(log.name))
            else:
                proc = subprocess.Popen(
                    list(argv),
                    env=dict(env),
                    cwd=cwd,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            family = Family(proc)
            self._live[proc.pid] = (family, tag)
            return family

    def release(self, family: Family) -> bool:
        """Forget ``family``; True when a stop killed it."""
        with self._lock:
            self._live.pop(family.proc.pid, None)
            return family.proc.pid in self._stopped

    def stop(self, tag: str) -> None:
        """Close ``tag`` and SIGTERM all its families; ``kill`` follows after the grace."""
        with self._lock:
            self._closed.add(tag)
            victims = [f for f, t in self._live.values() if t == tag]
            self._stopped.update(f.proc.pid for f in victims)
        for family in victims:
            family.stop()

    def kill(self, tag: str) -> None:
        with self._lock:
            victims = [f for f, t in self._live.values() if t == tag]
        for family in victims:
            family.signal(signal.SIGKILL)

    def live(self) -> int:
        with self._lock:
            return len(self._live)


def run(
    registry: Registry,
    tag: str,
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: str,
    log: IO[bytes],
    deadline_seconds: float | None,
) -> Outcome:
    """Run one attempt to completion, a deadline, or a stop of ``tag``."""
    try:
        family = registry.launch(tag, argv, env=env, cwd=cwd, log=log)
    except OSError as e:
        return Outcome(None, error=f"cannot start {argv[0]!r}: {e.strerror or e}")
    if family is None:
        return Outcome(None, stopped=True)
    timed_out = False
    try:
        code = family.proc.wait(timeout=deadline_seconds)
    except subprocess.TimeoutExpired:
        timed_out = True
        code = _terminate(family)
    finally:
        family.kill_rest()  # what the step left behind dies with it, as a pod's processes do
        stopped = registry.release(family)
    return Outcome(code, timed_out=timed_out, stopped=stopped and not timed_out)


def _terminate(family: Family) -> int:
    family.stop()
    try:
        return family.proc.wait(timeout=KILL_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        family.signal(signal.SIGKILL)
        return family.proc.wait()


def wait_quiet(registry: Registry, timeout: float) -> bool:
    """Wait until no step process is live; False on timeout."""
    end = time.monotonic() + timeout
    while registry.live():
        if time.monotonic() > end:
            return False
        time.sleep(0.02)
    return True
