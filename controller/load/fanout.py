"""CPU fan-out over forked processes: the same results as a loop in this process, sooner.

Parsing YAML and checking manifests are CPU-bound Python, so threads do not help. ``map_items``
forks children that inherit the inputs (no copying, no re-importing). This process and the
children take the items' indices one at a time from a shared pipe, so the work balances itself
when items differ in cost or a CPU is busy elsewhere; each child sends back only its pickled
results. An item whose result does not come back (a child failed, for any reason) is computed
here, so a fan-out can cost time but never change the answer. Forking is used only where it is
safe and cheap: on Linux, from a single-threaded process.
"""

from __future__ import annotations

import os
import pickle
import sys
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

MAX_ITEMS = 4096
"""Every index is written to the queue pipe before forking, which must not block: 4 bytes each
stay well within a pipe's 64 KiB buffer."""
_TOKEN = 4


def available_cpus() -> int:
    """CPUs this process may run on (its affinity mask, not the machine's count)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def can_fork() -> bool:
    """Fork only on Linux and only without other threads, whose locks a child would inherit."""
    return sys.platform.startswith("linux") and threading.active_count() == 1


def map_items(work: Callable[[Item], Result], items: Sequence[Item], *, jobs: int) -> list[Result]:
    """``[work(item) for item in items]``, by this process and ``jobs - 1`` forked children."""
    if jobs < 2 or len(items) < 2 or not can_fork():
        return [work(item) for item in items]
    if len(items) > MAX_ITEMS:
        raise ValueError(f"at most {MAX_ITEMS} items, got {len(items)}")
    queue = _queue(len(items))
    children: list[tuple[int, int]] = []
    try:
        for _ in range(min(jobs, len(items)) - 1):
            children.append(_fork(work, items, queue))
        done = dict(_drain(work, items, queue))
        while children:
            done.update(_collect(*children.pop(0)))
    finally:
        os.close(queue)
        for pid, pipe in children:  # only after an error: a closed pipe ends the child's write
            os.close(pipe)
            os.waitpid(pid, 0)
    return [done[index] if index in done else work(items[index]) for index in range(len(items))]


def _queue(count: int) -> int:
    """The read end of a pipe holding every index, its write end already closed."""
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, b"".join(i.to_bytes(_TOKEN, "little") for i in range(count)))
    finally:
        os.close(write_end)
    return read_end


def _drain(
    work: Callable[[Item], Result], items: Sequence[Item], queue: int
) -> list[tuple[int, Result]]:
    """Take indices until the queue is empty; a read of one token is atomic among processes."""
    done: list[tuple[int, Result]] = []
    while token := os.read(queue, _TOKEN):
        index = int.from_bytes(token, "little")
        done.append((index, work(items[index])))
    return done


def _fork(work: Callable[[Item], Result], items: Sequence[Item], queue: int) -> tuple[int, int]:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: compute, send, and leave without running the parent's cleanups
        status = 1
        try:
            os.close(read_end)
            payload = pickle.dumps(_drain(work, items, queue), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(payload)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    return pid, read_end


def _collect(pid: int, pipe: int) -> list[tuple[int, Result]]:
    """A child's results; none if it failed (its items are then computed by the caller)."""
    try:
        with os.fdopen(pipe, "rb") as reader:
            payload = reader.read()
    finally:
        _, status = os.waitpid(pid, 0)
    if status != 0 or not payload:
        return []
    results: list[tuple[int, Result]] = pickle.loads(payload)
    return results
