"""Run records under ``<state-dir>/runs/<run>/``: ``status.json`` (the workflow and each node:
phase, attempts, exit code, start, end, cached, outputs), written atomically as the run
progresses, and the layout of node and log directories."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

STATUS = "status.json"
OBJECTS = "objects.json"
FLUSH_INTERVAL = 0.05
"""Seconds between two writes of status.json while nodes change; the last state is always
written when the run ends."""


def run_dir(state_dir: Path, run: str) -> Path:
    return state_dir / "runs" / run


def node_dir(run_directory: Path, node_id: str) -> Path:
    return run_directory / "nodes" / node_id


def log_path(run_directory: Path, node_id: str) -> Path:
    return run_directory / "logs" / f"{node_id}.log"


def iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(timestamp)) + (
        f".{int(timestamp % 1 * 1000):03d}Z"
    )


def write_json(path: Path, document: Any) -> None:
    """Write-then-rename, so a reader never sees half a document."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(document, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


class Status:
    """The in-memory status document of one run and its throttled, atomic persistence."""

    def __init__(self, path: Path, header: dict[str, Any]) -> None:
        self.path = path
        self.document: dict[str, Any] = {**header, "nodes": {}}
        self._dirty = True
        self._written = 0.0

    def node(self, node_id: str) -> dict[str, Any]:
        self._dirty = True
        nodes: dict[str, dict[str, Any]] = self.document["nodes"]
        return nodes.setdefault(node_id, {})

    def update(self, **fields: Any) -> None:
        self.document.update(fields)
        self._dirty = True

    @property
    def dirty(self) -> bool:
        return self._dirty

    def flush(self, *, force: bool = False) -> None:
        if not self._dirty:
            return
        now = time.monotonic()
        if not force and now - self._written < FLUSH_INTERVAL:
            return
        write_json(self.path, self.document)
        self._dirty = False
        self._written = now
