"""One reconcile per environment at a time, across processes: an exclusive ``flock`` on
``<state>/locks/<env>.lock``, released by the kernel when its holder dies (kill -9 included)."""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path


class BusyError(Exception):
    """Another process holds the environment's lock past the wait."""


@contextlib.contextmanager
def held(state_dir: Path, env: str, *, wait: float = 3600.0) -> Iterator[None]:
    """Hold ``env``'s lock for the block; wait up to ``wait`` seconds for another holder."""
    path = state_dir / "locks" / f"{env}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait
    try:
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise BusyError(
                        f"environment {env} is being reconciled by another process"
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(descriptor)
