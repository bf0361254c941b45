"""What a run or a render starts from: the repository root, commit and branch of the working
tree, and whether it had uncommitted changes (``git``, read-only)."""

from __future__ import annotations

import dataclasses
import subprocess
from collections.abc import Sequence
from pathlib import Path

from bosun.render.values import UNVERSIONED


@dataclasses.dataclass(frozen=True, slots=True)
class Source:
    root: Path
    commit: str
    branch: str | None
    dirty: bool

    def describe(self) -> str:
        branch = f" on {self.branch}" if self.branch else ""
        return f"{self.commit[:12]}{branch}{' (uncommitted changes)' if self.dirty else ''}"


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def describe(path: Path, *, exclude: Path | Sequence[Path] | None = None) -> Source:
    """The working tree containing ``path``. What ``exclude`` names (the state directory, an
    output directory), when it lies in the tree, does not count as a change."""
    path = path.resolve()
    top = _git(path, "rev-parse", "--show-toplevel")
    if top is None:
        return Source(path, UNVERSIONED, None, False)
    root = Path(top)
    commit = _git(root, "rev-parse", "--verify", "-q", "HEAD") or UNVERSIONED
    branch = _git(root, "symbolic-ref", "--short", "-q", "HEAD") or None
    pathspec = ["--", "."]
    for excluded in [exclude] if isinstance(exclude, Path) else exclude or []:
        if excluded.resolve().is_relative_to(root) and excluded.resolve() != root:
            pathspec.append(f":(exclude,literal){excluded.resolve().relative_to(root).as_posix()}")
    status = _git(root, "status", "--porcelain", *pathspec)
    return Source(root, commit, branch, bool(status))
