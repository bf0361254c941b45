"""Where things live on this machine: the mapping of a step's container paths to its node
directory and the repository, placing artifacts between nodes, and their content digests.

Mapping rule (docs/local-runtime.md): an argv element, env value or artifact path that is
``/tmp/bosun`` or starts with ``/tmp/bosun/`` gets that prefix replaced by the node directory;
``/workspace`` likewise by the repository root. The same holds after the first ``=`` of a
``--flag=/tmp/bosun/...`` element. Nothing else in a value is rewritten.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
from pathlib import Path

SANDBOX = "/tmp/bosun"
WORKSPACE = "/workspace"


@dataclasses.dataclass(frozen=True, slots=True)
class Mapping:
    node_dir: Path
    repo_root: Path

    def value(self, value: str) -> str:
        """``value`` with a leading container path (or one after ``--flag=``) mapped."""
        mapped = self._prefix(value)
        if mapped is not None:
            return mapped
        flag, sep, rest = value.partition("=")
        if sep and flag.startswith("-"):
            mapped = self._prefix(rest)
            if mapped is not None:
                return f"{flag}={mapped}"
        return value

    def _prefix(self, value: str) -> str | None:
        for prefix, local in ((SANDBOX, self.node_dir), (WORKSPACE, self.repo_root)):
            if value == prefix:
                return str(local)
            if value.startswith(prefix + "/"):
                return str(local) + value[len(prefix) :]
        return None

    def local(self, sandbox_path: str) -> Path:
        """The local path of a ``/tmp/bosun/...`` path (artifact or output parameter file);
        it may not leave the node directory."""
        relative = sandbox_path[len(SANDBOX) :].lstrip("/")
        target = (self.node_dir / relative).resolve()
        if not target.is_relative_to(self.node_dir.resolve()):
            raise ValueError(f"{sandbox_path!r} leaves the step's directory")
        return target


def digest(path: Path) -> str:
    """Content digest of a file or a directory tree (relative names, file contents, symlink
    targets), independent of timestamps and of where the tree lives."""
    h = hashlib.sha256()
    if path.is_file() and not path.is_symlink():
        return "sha256:" + _file_digest(path)
    for root, dirs, files in os.walk(path):
        dirs.sort()
        base = Path(root)
        for name in sorted(files + [d for d in dirs if (base / d).is_symlink()]):
            entry = base / name
            relative = entry.relative_to(path).as_posix()
            if entry.is_symlink():
                h.update(f"L {relative}\0{os.readlink(entry)}\0".encode())
            else:
                h.update(f"F {relative}\0{_file_digest(entry)}\0".encode())
    return "sha256:" + h.hexdigest()


def _file_digest(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def copy(source: Path, target: Path) -> None:
    """A private copy (what a pod gets for an input artifact): the consumer may change it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, target, symlinks=True)
    else:
        shutil.copy2(source, target)


def link(source: Path, target: Path) -> None:
    """Hard links where the filesystem allows, copies elsewhere: for the step cache, whose files
    are never written after the producing step exits."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, target, symlinks=True, copy_function=_link_or_copy)
    else:
        _link_or_copy(str(source), str(target))


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def reset(directory: Path) -> None:
    """An empty directory at ``directory`` (a retried attempt starts clean, like a new pod)."""
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
