"""The step cache (like ``dvc repro``): a step whose key matches an earlier successful execution
is not run again; its outputs are restored from ``<state-dir>/cache/``.

The key is a digest of what decides a step's result: image, argv and env as rendered (container
paths, before local mapping), input artifact digests, declared outputs, the content of the
repository files its argv names (its own script), and the local interpreter. Env vars that only
identify the run (PER_RUN_ENV) are left out, or no key would ever match twice.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import shutil
import sys
import threading
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from bosun.targets.local import paths

PER_RUN_ENV = frozenset(
    {"MLFLOW_RUN_ID", "BOSUN_WORKFLOW", "BOSUN_TRIAL", "BOSUN_GIT_COMMIT", "BOSUN_GIT_BRANCH"}
)
SYSTEM_MODULE = "bosun.tracking.steps"
ANNOTATION = "bosun.dev/cache"
KEY_VERSION = 1


def secret_digest(value: str | None) -> str | None:
    if value is None:
        return None
    return hashlib.sha256(b"bosun-secret\0" + value.encode()).hexdigest()


def cacheable(template: Mapping[str, Any]) -> bool:
    """False for ``cache: false`` steps (annotation) and for bosun's own system steps."""
    annotations = (template.get("metadata") or {}).get("annotations") or {}
    if str(annotations.get(ANNOTATION, "true")).lower() == "false":
        return False
    container = template.get("container") or {}
    argv = [str(a) for a in (container.get("command") or []) + (container.get("args") or [])]
    return not any(a == "-m" and b == SYSTEM_MODULE for a, b in itertools.pairwise(argv))


class Hit(NamedTuple):
    parameters: dict[str, str]
    artifacts: dict[str, tuple[Path, str]]
    """name → (restored local path, digest)."""
    origin: dict[str, str] | None
    """``{"run", "node"}`` that executed the step (None for an entry written before bosun
    recorded it)."""


class Store:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._digests: dict[tuple[str, int, int], str] = {}
        self._lock = threading.Lock()

    def key(self, material: Mapping[str, Any], *, repo_root: Path) -> str:
        argv = [str(a) for a in material.get("argv", [])]
        document = {
            "version": KEY_VERSION,
            "interpreter": [sys.executable, sys.version],
            "code": self._code(argv, repo_root),
            **material,
        }
        canonical = json.dumps(document, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    def _code(self, argv: list[str], repo_root: Path) -> dict[str, str]:
        """Digests of the repository files argv names: ``path/to/script.py`` (relative to the
        root, or under /workspace) and ``-m package.module``."""
        candidates: list[str] = []
        for i, value in enumerate(argv):
            if value.startswith(paths.WORKSPACE + "/"):
                candidates.append(value[len(paths.WORKSPACE) + 1 :])
            elif value and not value.startswith(("/", "-")):
                candidates.append(value)
            if value == "-m" and i + 1 < len(argv):
                module = argv[i + 1].replace(".", "/")
                candidates += [f"{module}.py", f"{module}/__main__.py"]
        out: dict[str, str] = {}
        for candidate in candidates:
            path = repo_root / candidate
            try:
                stat = path.stat()
            except (OSError, ValueError):
                continue
            if path.is_file() and path.resolve().is_relative_to(repo_root.resolve()):
                out[candidate] = self._digest(path, stat)
        return out

    def _digest(self, path: Path, stat: os.stat_result) -> str:
        memo = (str(path), stat.st_mtime_ns, stat.st_size)
        with self._lock:
            if memo in self._digests:
                return self._digests[memo]
        value = paths.digest(path)
        with self._lock:
            self._digests[memo] = value
        return value

    def _dir(self, key: str) -> Path:
        return self.root / key[:2] / key

    def restore(self, key: str, node_dir: Path, artifacts: Iterable[tuple[str, str]]) -> Hit | None:
        """Outputs of the entry ``key`` placed in ``node_dir`` (artifact name → container path),
        or None on a miss."""
        entry_dir = self._dir(key)
        try:
            entry = json.loads((entry_dir / "entry.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        mapping = paths.Mapping(node_dir, node_dir)
        paths.reset(node_dir)
        restored: dict[str, tuple[Path, str]] = {}
        for name, container_path in artifacts:
            if name not in entry["artifacts"]:
                continue
            source = entry_dir / "artifacts" / name
            if not source.exists():
                return None
            target = mapping.local(container_path)
            paths.link(source, target)
            restored[name] = (target, str(entry["artifacts"][name]))
        origin = entry.get("origin")
        return Hit(dict(entry["parameters"]), restored, dict(origin) if origin else None)

    def save(
        self,
        key: str,
        parameters: Mapping[str, str],
        artifacts: Mapping[str, tuple[Path, str]],
        *,
        origin: Mapping[str, str] | None = None,
    ) -> None:
        """Record a successful execution (``origin``: the run and node that executed it); the
        first of two concurrent identical steps wins."""
        final = self._dir(key)
        if final.exists():
            return
        staging = self.root / f".tmp-{uuid.uuid4().hex}"
        staging.mkdir(parents=True)
        try:
            for name, (path, _) in artifacts.items():
                paths.link(path, staging / "artifacts" / name)
            entry = {
                "parameters": dict(parameters),
                "artifacts": {name: digest for name, (_, digest) in artifacts.items()},
                "origin": dict(origin or {}),
            }
            (staging / "entry.json").write_text(json.dumps(entry), encoding="utf-8")
            final.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(OSError):  # another process stored the same key first
                staging.rename(final)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
