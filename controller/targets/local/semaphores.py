"""The workflow's ``synchronization`` honoured on this machine: each semaphore (limit from its
ConfigMap among the run's objects) or mutex is a set of slot files under
``<state-dir>/locks/``, held with ``flock`` for the whole run. A run that finds every slot taken
waits, as Argo queues it; the kernel releases a crashed holder's lock."""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Callable
from pathlib import Path

from bosun.targets.local import bundle

POLL_SECONDS = 0.5
STOP_POLL_SECONDS = 0.05
"""How soon a queued run notices SIGINT/SIGTERM."""


def limits(objects: bundle.Bundle) -> list[tuple[str, int]]:
    """(lock name, slots) for every semaphore whose ConfigMap is known, and every mutex."""
    sync = objects.spec.get("synchronization") or {}
    found: list[tuple[str, int]] = []
    semaphores = list(sync.get("semaphores") or [])
    if "semaphore" in sync:
        semaphores.append(sync["semaphore"])
    for semaphore in semaphores:
        ref = semaphore.get("configMapKeyRef") or {}
        config_map = objects.config_maps.get(str(ref.get("name")))
        value = ((config_map or {}).get("data") or {}).get(str(ref.get("key")))
        if value is not None and str(value).strip().isdigit():
            found.append((f"semaphore.{ref.get('name')}.{ref.get('key')}", int(value)))
    mutexes = list(sync.get("mutexes") or [])
    if "mutex" in sync:
        mutexes.append(sync["mutex"])
    found += [(f"mutex.{m.get('name')}", 1) for m in mutexes]
    return found


def acquire(
    objects: bundle.Bundle,
    stack: contextlib.ExitStack,
    *,
    state_dir: Path,
    on_wait: Callable[[str], None],
    stopped: Callable[[], bool] = lambda: False,
) -> bool:
    """Hold a slot of every lock until ``stack`` closes; waits while all slots are taken.
    False when ``stopped`` (a signal) ends the wait first."""
    directory = state_dir / "locks" / objects.namespace
    for name, slots in limits(objects):
        directory.mkdir(parents=True, exist_ok=True)
        told = False
        while not _take(directory, name, slots, stack):
            if not told:
                on_wait(f"queued: all {slots} slot(s) of {name} are held by other runs")
                told = True
            end = time.monotonic() + POLL_SECONDS
            while time.monotonic() < end:
                if stopped():
                    return False
                time.sleep(STOP_POLL_SECONDS)
    return True


def _take(directory: Path, name: str, slots: int, stack: contextlib.ExitStack) -> bool:
    for slot in range(slots):
        fd = os.open(directory / f"{name}.{slot}", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        stack.callback(os.close, fd)
        return True
    return False
