"""Content digests of artifacts (a file or a directory tree), for MLflow dataset inputs.

The digest covers relative paths and bytes only, never timestamps, permissions or the artifact's
own location, so the same data gives the same digest on every run and every machine."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import pathlib

DIGEST_CHARS = 32
"""Hex characters kept: 128 bits, within MLflow's 36-character digest column."""
_CHUNK = 1 << 20


@dataclasses.dataclass(frozen=True)
class Digest:
    digest: str
    files: int
    bytes: int


def of_path(path: pathlib.Path) -> Digest:
    """Digest of a file, or of every file under a directory (symbolic links followed, each real
    directory visited once). Raises FileNotFoundError when ``path`` does not exist."""
    root = path.resolve(strict=True)
    outer = hashlib.sha256()
    files = size = 0
    for relative, file in _files(root):
        inner = hashlib.sha256()
        with file.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                inner.update(chunk)
                size += len(chunk)
        outer.update(relative.encode("utf-8") + b"\0" + inner.digest())
        files += 1
    return Digest(digest=outer.hexdigest()[:DIGEST_CHARS], files=files, bytes=size)


def _files(root: pathlib.Path) -> list[tuple[str, pathlib.Path]]:
    if root.is_file():
        return [("", root)]
    found: list[tuple[str, pathlib.Path]] = []
    seen: set[str] = set()
    for current, dirs, names in os.walk(root, followlinks=True):
        real = os.path.realpath(current)
        if real in seen:
            dirs[:] = []
            continue
        seen.add(real)
        dirs.sort()
        for name in names:
            file = pathlib.Path(current, name)
            if file.is_file():
                found.append((file.relative_to(root).as_posix(), file))
    return sorted(found)
