"""Step processes: each in its own process group (session), killed as a group on a deadline, a
signal or at the end of the step, so that no grandchild outlives the run.

A process that starts a new session of its own escapes its group; it is still found through the
process tree (psutil) while its parent lives, and killed with it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from typing import IO

import psutil

KILL_GRACE_SECONDS = 5.0
"""Between SIGTERM and SIGKILL (Argo's terminationGracePeriodSeconds, shortened for a laptop)."""


@dataclasses.dataclass(frozen=True, slots=True)
class Outcome:
    exit_code: int | None
    timed_out: bool = False
    stopped: bool = False
    error: str | None = None
    """Set when the process could not start; exit_code is None then."""


class Registry:
    """Live step processes by tag (``main``, ``exit``): a stop kills every group of a tag and
    refuses new launches under it, so no step starts after the stop began."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._live: dict[int, tuple[subprocess.Popen[bytes], str]] = {}
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
    ) -> subprocess.Popen[bytes] | None:
        """Start ``argv`` (no shell) in a new session; None when ``tag`` is closed."""
        with self._lock:
            if tag in self._closed:
                return None
            proc = subprocess.Popen(
                list(argv),
                env=dict(env),
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            self._live[proc.pid] = (proc, tag)
            return proc

    def release(self, proc: subprocess.Popen[bytes]) -> bool:
        """Forget ``proc``; True when a stop killed it."""
        with self._lock:
            self._live.pop(proc.pid, None)
            return proc.pid in self._stopped

    def stop(self, tag: str) -> None:
        """Close ``tag`` and send SIGTERM to all its groups; ``kill`` follows after the grace."""
        with self._lock:
            self._closed.add(tag)
            victims = [p for p, t in self._live.values() if t == tag]
            self._stopped.update(p.pid for p in victims)
        for proc in victims:
            signal_group(proc, signal.SIGTERM)

    def kill(self, tag: str) -> None:
        with self._lock:
            victims = [p for p, t in self._live.values() if t == tag]
        for proc in victims:
            signal_group(proc, signal.SIGKILL)

    def live(self) -> int:
        with self._lock:
            return len(self._live)


def signal_group(proc: subprocess.Popen[bytes], signum: signal.Signals) -> None:
    """Signal the process's group and every descendant still attached to its tree."""
    descendants: list[psutil.Process] = []
    if proc.poll() is None:
        try:
            descendants = psutil.Process(proc.pid).children(recursive=True)
        except psutil.Error:
            descendants = []
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signum)
    for child in descendants:
        with contextlib.suppress(psutil.Error):
            child.send_signal(signum)


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
        proc = registry.launch(tag, argv, env=env, cwd=cwd, log=log)
    except OSError as e:
        return Outcome(None, error=f"cannot start {argv[0]!r}: {e.strerror or e}")
    if proc is None:
        return Outcome(None, stopped=True)
    timed_out = False
    try:
        code = proc.wait(timeout=deadline_seconds)
    except subprocess.TimeoutExpired:
        timed_out = True
        code = _terminate(proc)
    finally:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)  # leftovers of the group: the pod is gone
        stopped = registry.release(proc)
    return Outcome(code, timed_out=timed_out, stopped=stopped and not timed_out)


def _terminate(proc: subprocess.Popen[bytes]) -> int:
    signal_group(proc, signal.SIGTERM)
    try:
        return proc.wait(timeout=KILL_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        signal_group(proc, signal.SIGKILL)
        return proc.wait()


def wait_quiet(registry: Registry, timeout: float) -> bool:
    """Wait until no step process is live; False on timeout."""
    end = time.monotonic() + timeout
    while registry.live():
        if time.monotonic() > end:
            return False
        time.sleep(0.02)
    return True
