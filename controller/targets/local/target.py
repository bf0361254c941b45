"""The local target of one environment (``plan.ports.Target``): applied objects are files under
``<state>/local/<env>/objects/<Kind>/<namespace|_cluster>/<name>.json``, runs are detached
worker processes executing the rendered Workflow, InferenceServices are served by the
environment's serving manager."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from bosun.plan import objects, ports
from bosun.targets.local import records, serving

CLUSTER = "_cluster"


class Serving(Protocol):
    """What the target needs of the serving manager: bring an InferenceService up (idempotent),
    tell whether it is healthy, stop it."""

    def apply(self, service: Mapping[str, Any]) -> None:
        """Raises ``ServingError`` when the service cannot be brought up as asked."""
        ...

    def problem(self, service: Mapping[str, Any]) -> str | None:
        """Why the service is not being served as applied (process dead, other version), or None."""
        ...

    def remove(self, name: str) -> None: ...

    def url(self, service: Mapping[str, Any]) -> str:
        """Where the service answers ("" when it is not served)."""
        ...


class LocalTarget:
    def __init__(self, *, state_dir: Path, env: str, serving: Serving | None = None) -> None:
        self.state_dir = state_dir
        self.env = env
        self.root = state_dir / "local" / env
        self.serving = serving
        self.writes = 0

    def _path(self, key: objects.ObjectKey) -> Path:
        return self.root / "objects" / key.kind / (key.namespace or CLUSTER) / f"{key.name}.json"

    def preflight(self, planned: Iterable[Mapping[str, Any]]) -> str | None:
        return None  # this machine runs every kind bosun renders

    def live(self) -> Sequence[objects.LiveObject]:
        found: list[objects.LiveObject] = []
        for path in sorted((self.root / "objects").glob("*/*/*.json")):
            try:
                body = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue  # half-written by a crash before the rename: never applied
            key = objects.key_of(body)
            status: dict[str, Any] = {}
            if key.kind == "InferenceService" and self.serving is not None:
                problem = self.serving.problem(body)
                if problem:
                    status["drift"] = problem
                status["url"] = self.serving.url(body)
            found.append(objects.LiveObject(key, body, status))
        return found

    def apply(self, obj: Mapping[str, Any]) -> None:
        self.writes += 1
        key = objects.key_of(obj)
        if key.kind == "InferenceService" and self.serving is not None:
            # A version that cannot be served is not an error of the apply: the object is
            # recorded as applied and ``live`` reports the problem (Degraded, retried as drift).
            with contextlib.suppress(serving.ServingError):
                self.serving.apply(obj)
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        records.write_json(path, dict(obj))

    def delete(self, key: objects.ObjectKey) -> None:
        self.writes += 1
        if key.kind == "InferenceService" and self.serving is not None:
            self.serving.remove(key.name)
        self._path(key).unlink(missing_ok=True)

    def _request_path(self, name: str) -> Path:
        return self.root / "runs" / f"{name}.request"

    def submit(self, run: ports.RunRequest) -> None:
        """Start a detached worker, unless one runs or ran already: submitting is idempotent
        even when a crash came between writing the request and the worker taking its lock."""
        self.writes += 1
        path = self._request_path(run.name)
        status = records.run_dir(self.state_dir, run.name) / records.STATUS
        if path.exists() and (status.exists() or _locked(path.with_suffix(".lock"))):
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        records.write_json(path, _request(self.state_dir, self.env, run))
        with (self.root / "runs" / f"{run.name}.log").open("a") as log:
            subprocess.Popen(
                [sys.executable, "-m", "bosun.targets.local.worker", str(path)],
                cwd=str(run.checkout),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )

    def run_state(self, name: str) -> ports.RunState | None:
        path = self._request_path(name)
        if not path.exists():
            return None
        started = path.stat().st_mtime
        try:
            status = records.load(records.run_dir(self.state_dir, name) / records.STATUS)
        except (OSError, ValueError):
            status = {}
        phase = str(status.get("phase") or "Pending")
        message = str(status.get("message") or "")
        gone = phase not in ports.FINISHED and not _locked(path.with_suffix(".lock"))
        if gone and (status or time.time() - started > WORKER_START_GRACE):
            # the worker is gone without finishing (killed with the machine)
            phase = "Error"
            message = message or "the run's worker process exited before the run ended"
        return ports.RunState(name, phase, message, started)  # type: ignore[arg-type]


WORKER_START_GRACE = 30.0
"""Seconds a submitted run may take to have its worker hold its lock."""


def _request(state_dir: Path, env: str, run: ports.RunRequest) -> dict[str, Any]:
    return {
        "name": run.name,
        "env": env,
        "stateDir": str(state_dir),
        "checkout": str(run.checkout),
        "trackingUri": run.tracking_uri,
        "objects": [dict(o) for o in run.objects],
        "record": {
            "experiment": run.experiment,
            "team": run.team,
            "environment": env,
            "workflow": run.name,
            "trackingUri": run.tracking_uri,
            "source": {"commit": run.commit, "branch": run.branch, "root": str(run.checkout)},
        },
    }


def _locked(path: Path) -> bool:
    """True while a worker holds the lock file."""
    if not path.exists():
        return False
    descriptor = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(descriptor)
    return False
