"""CPU fan-out over forked processes: the same results as a loop in this process, sooner.

Parsing YAML is CPU-bound Python, so threads do not help. ``map_shares`` runs the first share in
this process and each other share in a child forked from it: the child inherits the inputs (no
copying, no re-importing), and sends back only its pickled result through a pipe. A child that
fails for any reason has its share redone here, so a fan-out can cost time but never change the
answer. Forking is used only where it is safe and cheap: on Linux, from a single-threaded process.
"""

from __future__ import annotations

import os
import pickle
import sys
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

Share = TypeVar("Share")
Result = TypeVar("Result")


def available_cpus() -> int:
    """CPUs this process may run on (its affinity mask, not the machine's count)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def can_fork() -> bool:
    """Fork only on Linux and only without other threads, whose locks a child would inherit."""
    return sys.platform.startswith("linux") and threading.active_count() == 1


def map_shares(work: Callable[[Share], Result], shares: Sequence[Share]) -> list[Result]:
    """``[work(share) for share in shares]``, the shares after the first in forked children."""
    if len(shares) < 2 or not can_fork():
        return [work(share) for share in shares]
    pending: list[tuple[int, int]] = []
    try:
        for share in shares[1:]:
            pending.append(_fork(work, share))
        results = [work(shares[0])]
        for share in shares[1:]:
            pid, pipe = pending.pop(0)
            results.append(_collect(pid, pipe, work, share))
        return results
    finally:
        for pid, pipe in pending:  # only after an error: a closed pipe ends the child's write
            os.close(pipe)
            os.waitpid(pid, 0)


def _fork(work: Callable[[Share], Result], share: Share) -> tuple[int, int]:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: compute, send, and leave without running the parent's cleanups
        status = 1
        try:
            os.close(read_end)
            payload = pickle.dumps(work(share), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(payload)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    return pid, read_end


def _collect(pid: int, pipe: int, work: Callable[[Share], Result], share: Share) -> Result:
    """The child's result; its share is redone here if it failed."""
    try:
        with os.fdopen(pipe, "rb") as reader:
            payload = reader.read()
    finally:
        _, status = os.waitpid(pid, 0)
    if status == 0 and payload:
        result: Result = pickle.loads(payload)
        return result
    return work(share)
