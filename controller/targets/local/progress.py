"""What the user sees while a run progresses: one plain line per step event when stdout is not a
terminal (CI logs), a live view of running steps above the finished ones when it is (live.py)."""

from __future__ import annotations

import importlib
import os
import sys
import time
from typing import IO, Protocol


class Display(Protocol):
    def started(self, node_id: str, attempt: int) -> None: ...

    def finished(
        self, node_id: str, phase: str, *, seconds: float, how: str, message: str, log: str
    ) -> None:
        """``how``: ``ran``, ``cached`` (step cache) or ``reused`` (resumed run)."""

    def retrying(self, node_id: str, attempt: int, delay: float, message: str) -> None: ...

    def note(self, text: str) -> None: ...

    def close(self) -> None: ...


def for_stream(stream: IO[str] | None = None) -> Display:
    """The live view on a terminal (rich is imported only then), plain lines elsewhere."""
    stream = stream or sys.stdout
    if stream.isatty():
        live = importlib.import_module("bosun.targets.local.live")
        display: Display = live.Live(stream)
        return display
    return Plain(stream)


class Plain:
    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def _line(self, text: str) -> None:
        write(self.stream, f"{time.strftime('%H:%M:%S')} {text}\n")

    def started(self, node_id: str, attempt: int) -> None:
        suffix = f" (attempt {attempt})" if attempt > 1 else ""
        self._line(f"start    {node_id}{suffix}")

    def finished(
        self, node_id: str, phase: str, *, seconds: float, how: str, message: str, log: str
    ) -> None:
        self._line(
            finished_text(node_id, phase, seconds=seconds, how=how, message=message, log=log)
        )

    def retrying(self, node_id: str, attempt: int, delay: float, message: str) -> None:
        self._line(retry_text(node_id, attempt, delay, message))

    def note(self, text: str) -> None:
        self._line(text)

    def close(self) -> None:
        write(self.stream, "")


def write(stream: IO[str], text: str) -> bool:
    """Write and flush; False when the reader has gone (``bosun run | head``). The stream's
    file descriptor then points at /dev/null, so that every later write, by anyone, and the
    interpreter's last flush succeed: losing the output never stops a run halfway, which would
    leave its records (status.json, MLflow runs) open forever."""
    try:
        stream.write(text)
        stream.flush()
    except OSError as error:  # a closed pipe, a full disk (``> /dev/full``), ...
        discard(stream, error)
        return False
    except ValueError:  # closed in this process
        return False
    return True


def discard(stream: IO[str], error: OSError) -> None:
    """Point ``stream``'s descriptor at /dev/null and say so once on stderr (if still open)."""
    try:
        fd = stream.fileno()
    except (OSError, ValueError):
        return
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, fd)
    finally:
        os.close(null)
    name = {1: "stdout", 2: "stderr"}.get(fd)
    if name is not None and name not in _DISCARDED:
        _DISCARDED.add(name)
        closed = isinstance(error, (BrokenPipeError, ConnectionResetError))
        what = "was closed" if closed else f"cannot be written ({error.strerror or error})"
        if fd != 2:
            write(sys.stderr, f"bosun: {name} {what}; the run goes on, its output discarded\n")


_DISCARDED: set[str] = set()


def finished_text(
    node_id: str, phase: str, *, seconds: float, how: str, message: str, log: str
) -> str:
    if phase == "Succeeded":
        word = {"cached": "cached", "reused": "reused"}.get(how, "ok")
        return f"{word:<8} {node_id} ({seconds:.1f}s)"
    detail = f": {message}" if message else ""
    return f"{phase.upper():<8} {node_id}{detail} (log: {log})"


def retry_text(node_id: str, attempt: int, delay: float, message: str) -> str:
    return f"retry    {node_id}: attempt {attempt}: {message}; next in {delay:g}s"
