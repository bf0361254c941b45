"""Warm starts for bosun's own system steps (``python -m bosun.tracking.steps ...``).

Each system step is a short MLflow call that would spend ~3 s importing MLflow in a fresh
interpreter; a sweep runs a dozen of them. They are forked instead from the standard library's
fork server, which imports MLflow once per ``bosun run``. What the step sees is unchanged: the same
interpreter (bosun's, as ``python`` is on a step's PATH), module, argv, env, working directory and
log, a session (process group) of its own, and its exit status. User steps always start fresh.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.context
import multiprocessing.forkserver
import multiprocessing.resource_tracker
import os
import pathlib
import runpy
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

WARM_MODULES: dict[str, tuple[str, ...]] = {
    "bosun.tracking.steps": (
        "mlflow",
        "mlflow.store.tracking.sqlalchemy_store",
        "mlflow.store.model_registry.sqlalchemy_store",
        "bosun.tracking.mlflow_tracker",
    ),
}
"""``python -m`` modules started warm → what the fork server imports ahead of them (not the
module itself: ``runpy`` runs it afresh as ``__main__``, as ``python -m`` does)."""


TRACKER_GRACE_SECONDS = 2.0
"""How long the resource tracker may take to exit once its pipe is closed."""
IMMUNE = {signal.SIGINT, signal.SIGTERM}
"""Blocked in the fork server for its whole life; unblocked again in each step it forks."""


def warm_module(argv: Sequence[str]) -> str | None:
    """The module of a ``python -m MODULE ...`` argv that is started warm, else None."""
    if len(argv) >= 3 and pathlib.Path(argv[0]).name.startswith("python") and argv[1] == "-m":
        return argv[2] if argv[2] in WARM_MODULES else None
    return None


class WarmProcess:
    """A forked step with the part of ``subprocess.Popen`` that ``process.Family`` uses."""

    def __init__(self, process: multiprocessing.process.BaseProcess, argv: Sequence[str]) -> None:
        self._process = process
        self.args = list(argv)

    @property
    def pid(self) -> int:
        assert self._process.pid is not None
        return self._process.pid

    def poll(self) -> int | None:
        return self._process.exitcode

    def wait(self, timeout: float | None = None) -> int:
        self._process.join(timeout)
        code = self._process.exitcode
        if code is None:
            raise subprocess.TimeoutExpired(self.args, timeout or 0.0)
        return code


class Starter:
    """Starts warm steps; the fork server comes up at the first one (or at ``prepare``)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._context: multiprocessing.context.ForkServerContext | None = None

    def prepare(self) -> None:
        """Bring the fork server up now, so that it imports MLflow while other work goes on."""
        self._server()

    def close(self) -> None:
        """Stop the fork server now (it holds nothing: SIGKILL), rather than leave it to notice
        bosun's exit and tear MLflow down on its own, re-parented, for a second or two; and the
        resource tracker that multiprocessing started beside it (it exits once its pipe is
        closed). Nothing of the run outlives it."""
        with self._lock:
            if self._context is None:
                return
            self._context = None
            server: Any = multiprocessing.forkserver._forkserver  # CPython's private singleton
            pid = getattr(server, "_forkserver_pid", None)
            if pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                _reap(pid, grace=0.0)
                _forget_server(server)
            tracker: Any = multiprocessing.resource_tracker._resource_tracker
            fd, tracker_pid = getattr(tracker, "_fd", None), getattr(tracker, "_pid", None)
            if fd is not None and tracker_pid is not None:
                tracker._fd = tracker._pid = None
                with contextlib.suppress(OSError):
                    os.close(fd)
                _reap(tracker_pid, grace=TRACKER_GRACE_SECONDS)

    def start(
        self, argv: Sequence[str], *, env: Mapping[str, str], cwd: str, log: pathlib.Path
    ) -> WarmProcess:
        process = self._server().Process(
            target=_run_module,
            args=(list(argv), dict(env), cwd, str(log)),
            name=f"bosun-step:{argv[2]}",
        )
        process.start()
        return WarmProcess(process, argv)

    def _server(self) -> multiprocessing.context.ForkServerContext:
        with self._lock:
            if self._context is None:
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload(
                    sorted({m for ms in WARM_MODULES.values() for m in ms})
                )
                # Born immune to Ctrl-C (SIGINT to the whole process group) and SIGTERM: the
                # server inherits the blocked mask, and keeps serving the exit handler's system
                # steps after a stop; close() ends it. Blocked, not ignored, so that a signal
                # meant for bosun meanwhile stays pending for bosun.
                # (The resource tracker first: starting it unblocks both signals after itself.)
                multiprocessing.resource_tracker.ensure_running()
                blocked = signal.pthread_sigmask(signal.SIG_BLOCK, IMMUNE)
                try:
                    multiprocessing.forkserver.ensure_running()
                finally:
                    signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
                self._context = context
            return self._context


def _forget_server(server: Any) -> None:
    """Reset multiprocessing's fork server record, so that a later run starts a new one."""
    alive = getattr(server, "_forkserver_alive_fd", None)
    if alive is not None:
        with contextlib.suppress(OSError):
            os.close(alive)
    address = getattr(server, "_forkserver_address", None)
    if isinstance(address, str) and not address.startswith("\0"):
        with contextlib.suppress(OSError):
            os.unlink(address)
    server._forkserver_pid = None
    server._forkserver_alive_fd = None
    server._forkserver_address = None


def _reap(pid: int, *, grace: float) -> None:
    """Wait for the child ``pid`` to exit, SIGKILL it after ``grace`` seconds."""
    end = time.monotonic() + grace
    while True:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return
        if done:
            return
        if time.monotonic() >= end:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
            return
        time.sleep(0.005)


def _run_module(argv: list[str], env: dict[str, str], cwd: str, log: str) -> None:
    """In the forked child: become ``python -m MODULE ARGS`` as a fresh process would be."""
    os.setsid()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, IMMUNE)  # the server's mask, inherited
    _redirect(log)
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    sys.path.insert(0, cwd)  # what ``python -m`` puts first
    sys.argv = [argv[2], *argv[3:]]
    try:
        runpy.run_module(argv[2], run_name="__main__", alter_sys=True)
    finally:
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.flush()
            sys.stderr.flush()


def _redirect(log: str) -> None:
    """stdin from /dev/null; stdout and stderr appended to the step's log, unbuffered order kept."""
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    out = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    os.dup2(out, 1)
    os.dup2(out, 2)
    os.close(out)
    sys.stdout = open(1, "w", encoding="utf-8", errors="backslashreplace", closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False)  # noqa: SIM115
