"""The user's output failing is the user's environment, not a bug in bosun: a full disk
(``> /dev/full``), a read-only or missing ``--out`` directory, a closed standard output. This
module tells such an ``OSError`` from the others, for the ``bosun`` entry point to print
``bosun: cannot write <target>: <reason>`` (exit 2) instead of an internal error.

Standard output is recognised by the stream itself (``guard_stdout`` marks every error of its
writes); a file by the operation that failed (creating a directory, opening for writing,
removing...), as named by the ``OSError``. Nothing here is imported but ``os``, ``io`` and
``sys``: the entry point loads it before every command.
"""

from __future__ import annotations

import io
import os
import sys
import types

STDOUT = "standard output"
_MARK = "bosun_output"
"""Attribute set on an ``OSError`` raised by a write of the guarded standard output."""

_WRITES = frozenset(
    {"mkdir", "makedirs", "touch", "unlink", "rmdir", "rename", "replace", "write_text"}
    | {"write_bytes", "symlink_to", "hardlink_to", "copyfile", "copy", "copy2", "copytree"}
    | {"move", "rmtree", "mkstemp", "mkdtemp", "NamedTemporaryFile"}
)
"""Functions (of pathlib, os, shutil, tempfile) whose failure means an output was not written."""


class _MarkedFileIO(io.FileIO):
    """Standard output's file descriptor, marking the errors of its writes (their type is kept:
    a ``BrokenPipeError`` stays one, for the handlers that expect it)."""

    def write(self, data: bytes | bytearray | memoryview, /) -> int | None:  # type: ignore[override]
        try:
            return super().write(data)
        except OSError as error:
            setattr(error, _MARK, STDOUT)  # an attribute OSError does not declare
            raise


def guard_stdout() -> None:
    """Rebuild ``sys.stdout`` (same descriptor, encoding, errors and buffering) over a file
    object that marks the errors of its writes. Once, in the ``bosun`` process, before any
    output; a replaced standard output (a test's capture) is left alone. A closed one
    (``bosun validate >&-``, where Python has none) discards the output, as ``print`` would:
    the exit status still tells."""
    current = sys.stdout
    if current is None:
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the process
        return
    if not isinstance(current, io.TextIOWrapper) or current is not sys.__stdout__:
        return
    try:
        descriptor = current.fileno()
        current.flush()
    except (OSError, ValueError):
        return
    raw = _MarkedFileIO(descriptor, "w", closefd=False)
    sys.stdout = io.TextIOWrapper(
        io.BufferedWriter(raw),
        encoding=current.encoding,
        errors=current.errors,
        line_buffering=current.line_buffering,
        write_through=current.write_through,
    )


def unwritable(error: OSError) -> str | None:
    """``bosun: cannot write <target>: <reason>`` when ``error`` is a failure to write the
    user's output, else None (the error is a bug, reported as such).

    When standard output failed, it is pointed at ``/dev/null`` (what it still buffers is
    dropped), so that the interpreter's last flush does not fail again on the way out.
    """
    target = getattr(error, _MARK, None) or _written_file(error)
    if target is None:
        return None
    if target == STDOUT:
        _drop_stdout()
    reason = error.strerror or str(error)
    return f"bosun: cannot write {target}: {reason}\n"


def _drop_stdout() -> None:
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError):
        pass


def _written_file(error: OSError) -> str | None:
    """The file named by ``error`` when the call that failed writes (the innermost frame of the
    traceback is a writing function, or ``open`` with a writing mode)."""
    if error.filename is None:
        return None
    frame = _innermost(error.__traceback__)
    if frame is None:
        return None
    name = frame.f_code.co_name
    mode = frame.f_locals.get("mode") if name == "open" else None
    if name in _WRITES or (isinstance(mode, str) and any(c in mode for c in "wax+")):
        return os.fsdecode(error.filename)
    return None


def _innermost(traceback: types.TracebackType | None) -> types.FrameType | None:
    frame = None
    while traceback is not None:
        frame, traceback = traceback.tb_frame, traceback.tb_next
    return frame
