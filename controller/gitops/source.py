"""The watched repository, as bosun sees it: a bare mirror under the state directory, fetched
before each reconcile, read at a commit through git's object database (never a working tree of
the user's), and checked out per commit only where steps run."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import shutil
import tempfile
from pathlib import Path

import git
from bosun.gitops import lock
from bosun.load import sources


class SourceError(Exception):
    """The repository cannot be cloned, fetched or read (one line, for the user)."""


@dataclasses.dataclass(frozen=True)
class Commit:
    sha: str
    author: str
    """``Name <email>``: the audit log's author of what the commit applies."""
    message: str


class Mirror:
    """``git clone --mirror`` of ``url`` at ``<state>/sources/<name>-<hash>.git``."""

    def __init__(self, *, url: str, state_dir: Path) -> None:
        self.url = _normalized(url)
        digest = hashlib.sha256(self.url.encode()).hexdigest()[:12]
        name = re.sub(r"[^A-Za-z0-9_.-]", "-", Path(self.url.rstrip("/")).name) or "repo"
        self.path = state_dir / "sources" / f"{name.removesuffix('.git')}-{digest}.git"
        self.state_dir = state_dir
        self._repo: git.Repo | None = None
        self._trees: dict[str, dict[str, str]] = {}
        self._blobs: dict[str, list[str]] = {}

    @property
    def repo(self) -> git.Repo:
        if self._repo is None:
            if not self.path.exists():
                raise SourceError(f"no mirror of {self.url} yet: fetch first")
            self._repo = git.Repo(self.path)
        return self._repo

    def fetch(self) -> None:
        """Clone on first use, then fetch every branch (pruning deleted ones); one process at a
        time per mirror (concurrent reconciles share it)."""
        with lock.held(self.state_dir, f"mirror-{self.path.name}"):
            self._fetch()

    def _fetch(self) -> None:
        try:
            if not self.path.exists():
                self.path.parent.mkdir(parents=True, exist_ok=True)
                partial = Path(tempfile.mkdtemp(dir=self.path.parent, prefix=".clone-"))
                try:
                    git.Repo.clone_from(self.url, partial, mirror=True)
                    os.replace(partial, self.path)
                finally:
                    shutil.rmtree(partial, ignore_errors=True)
            else:
                self.repo.git.fetch("--prune", "origin", "+refs/heads/*:refs/heads/*")
        except git.GitCommandError as error:
            raise SourceError(f"cannot fetch {self.url}: {_stderr(error)}") from None

    def branches(self) -> dict[str, str]:
        """branch → head commit."""
        found: dict[str, str] = {}
        for line in self.repo.git.for_each_ref(
            "--format=%(refname:short) %(objectname)", "refs/heads"
        ).splitlines():
            name, _, sha = line.partition(" ")
            found[name] = sha
        return found

    def resolve(self, rev: str) -> str:
        """The commit ``rev`` (a branch, tag or sha) names."""
        try:
            return str(self.repo.git.rev_parse("--verify", "-q", f"{rev}^{{commit}}"))
        except git.GitCommandError:
            raise SourceError(f"{rev!r} names no commit in {self.url}") from None

    def commit(self, sha: str) -> Commit:
        found = self.repo.commit(sha)
        return Commit(
            found.hexsha, f"{found.author.name} <{found.author.email}>", str(found.message)
        )

    def tree(self, sha: str) -> dict[str, str]:
        """Every path of the commit (files and directories) → its git object id."""
        if sha not in self._trees:
            listing = self.repo.git.ls_tree("-r", "-t", "--full-tree", sha)
            found: dict[str, str] = {}
            blobs: list[str] = []
            for line in listing.splitlines():
                meta, _, path = line.partition("\t")
                _mode, kind, oid = meta.split()
                found[path] = oid
                if kind == "blob":
                    blobs.append(path)
            self._trees[sha], self._blobs[sha] = found, blobs
        return self._trees[sha]

    def read(self, sha: str, paths: list[str]) -> dict[str, bytes]:
        """The blobs of ``paths`` at the commit (GitPython's persistent ``cat-file --batch``)."""
        tree = self.tree(sha)
        odb = self.repo.odb
        return {path: odb.stream(bytes.fromhex(tree[path])).read() for path in paths}

    def manifests(self, sha: str) -> dict[str, bytes]:
        """What ``bosun validate`` would load from a checkout of the commit."""
        tree = self.tree(sha)
        ignore = (
            self.read(sha, [sources.IGNORE_FILE])[sources.IGNORE_FILE]
            if sources.IGNORE_FILE in tree
            else b""
        )
        chosen = sources.select_manifest_paths(
            self._blobs[sha], ignore.decode("utf-8", errors="replace")
        )
        return self.read(sha, chosen)

    def environment_files(self, sha: str) -> dict[str, bytes]:
        tree = self.tree(sha)
        chosen = [
            p for p in tree if p.startswith("environments/") and p.endswith(sources.YAML_SUFFIXES)
        ]
        return self.read(sha, sorted(chosen))

    def checkout(self, sha: str) -> Path:
        """A checkout of exactly ``sha`` under ``<state>/checkouts/``, where its steps run."""
        target = self.state_dir / "checkouts" / sha
        if (target / ".git").exists():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(target, ignore_errors=True)
        self.repo.git.worktree("prune")
        self.repo.git.worktree("add", "--detach", "--force", str(target), sha)
        return target


def _normalized(url: str) -> str:
    if "://" in url or re.match(r"^[\w.-]+@[\w.-]+:", url):
        return url
    return str(Path(url).expanduser().resolve())


def _stderr(error: git.GitCommandError) -> str:
    text = str(error.stderr or error).strip().splitlines()
    return text[-1].removeprefix("stderr: ").strip(" '") if text else str(error)
