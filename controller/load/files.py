"""Reading one file of the working tree the way bosun may: only regular files (a named pipe,
device or socket is never opened), never more than the size limit plus one byte, and through a
symbolic link only to a file inside the repository being validated, so that a link committed to
the repository cannot make ``bosun validate`` print ``/etc/passwd`` or a CI secret in a snippet.
"""

from __future__ import annotations

import os
import pathlib
import stat

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)
_CHUNK = 64 * 1024


class Refused(Exception):  # noqa: N818 - a refusal, not a failure of bosun
    """The file was not read (or not wholly): ``message`` says why, ``hint`` what to do."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class TooLarge(Exception):  # noqa: N818 - a refusal, not a failure of bosun
    """Larger than the limit: ``size`` bytes at least (the file was not read, or not past it)."""

    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


def boundary(named: pathlib.Path) -> pathlib.Path:
    """The tree a symbolic link met under ``named`` (a path given on the command line) must stay
    in: the Git repository holding it (the nearest directory at or above it with ``.git``),
    otherwise the directory named (for a file, its directory). The search is lexical: a file
    named on the command line is judged by where it is, not where a link leads."""
    start = pathlib.Path(os.path.abspath(named))
    if not os.path.isdir(start):
        start = start.parent
    for directory in (start, *start.parents):
        if os.path.lexists(directory / ".git"):
            return directory
    return start


def read(path: pathlib.Path, *, limit: int, inside: pathlib.Path) -> bytes:
    """The bytes of ``path``; raises ``Refused``, ``TooLarge`` or ``OSError`` (unreadable).

    The file's type is checked before it is opened: a pipe, device or socket never is, and a
    symbolic link is followed only inside ``inside``.
    """
    status = os.lstat(path)
    linked = stat.S_ISLNK(status.st_mode)
    if linked:
        _check_link(path, inside)
        status = os.stat(path)
    _check_kind(status)
    if status.st_size > limit:
        raise TooLarge(status.st_size)
    return read_regular(path, limit=limit, follow=linked)


def read_regular(path: pathlib.Path, *, limit: int, follow: bool) -> bytes:
    """Open without blocking (a pipe swapped in after the checks of ``read`` cannot block) and
    without following a link unless told to, check the type again on the open descriptor, and
    read at most ``limit + 1`` bytes, whatever size the file claims."""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | (0 if follow else os.O_NOFOLLOW)
    descriptor = os.open(path, flags)
    try:
        status = os.fstat(descriptor)
        _check_kind(status)
        if status.st_size > limit:
            raise TooLarge(status.st_size)
        raw = read_at_most(descriptor, limit + 1, expected=status.st_size)
        if len(raw) > limit:  # grew since it was measured, or lies about its size (/proc)
            raise TooLarge(max(len(raw), os.fstat(descriptor).st_size))
    finally:
        os.close(descriptor)
    return raw


def read_at_most(descriptor: int, most: int, *, expected: int = 0) -> bytes:
    """Up to ``most`` bytes until end of file; ``expected`` (the size fstat reported) sizes the
    first read, so that a regular file takes one read and one more to see its end."""
    chunks: list[bytes] = []
    remaining = most
    want = min(most, expected + 1)
    while remaining > 0:
        chunk = os.read(descriptor, min(remaining, max(want, _CHUNK)))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _check_kind(status: os.stat_result) -> None:
    if stat.S_ISREG(status.st_mode):
        return
    kind = next((name for test, name in _KINDS if test(status.st_mode)), "not a regular file")
    raise Refused(
        f"{kind}, not a regular file; it was not opened",
        "bosun reads regular files only: remove it, or list it in .bosunignore",
    )


def _check_link(path: pathlib.Path, inside: pathlib.Path) -> None:
    """A symbolic link may lead to a file inside ``inside`` only, and not into a hidden entry
    (``.git``, ``.env``...) there, which discovery would have skipped."""
    target = os.readlink(path)
    resolved = pathlib.Path(os.path.realpath(path))
    top = pathlib.Path(os.path.realpath(inside))
    try:
        below = resolved.relative_to(top)
    except ValueError:
        where = "the repository" if os.path.lexists(inside / ".git") else f"'{inside.as_posix()}'"
        raise Refused(
            f"symbolic link to {target!r} leads outside {where}; it was not read",
            "bosun follows a link only to a file inside the repository (outside Git: the "
            "directory) being validated; copy the file in, or list the link in .bosunignore",
        ) from None
    if any(part.startswith(".") for part in below.parts):
        raise Refused(
            f"symbolic link to {target!r} leads into a hidden entry; it was not read",
            "bosun follows links only to files it would find itself (not under .git, .env...)",
        )
