"""Local serving of one environment's InferenceServices: per service, a router on a stable
127.0.0.1 port (``router.py``) in front of one MLflow pyfunc scoring server per version it
serves (``mlflow models serve --env-manager local``, bosun's interpreter directory first on
``PATH``).

A version change swaps without downtime: the new server starts on a fresh port and must answer
``/ping`` before the router's routes file names it; the old server is stopped only after the
router serves the new generation and has no request in flight to the old one. Every process is
detached and recorded in ``<state>/local/<env>/serving/<service>.json`` (pid, port, version), so
a later reconcile or controller finds them, restarts what died, and ``stop_all`` ends them."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from bosun.plan import objects
from bosun.render import serving as rendered
from bosun.targets.local import records, runtime

START_TIMEOUT = 180.0
"""Seconds a scoring server may take to answer ``/ping`` (about 9 s on an idle machine)."""
DRAIN_TIMEOUT = 30.0
STOP_GRACE = 10.0


class ServingError(Exception):
    """A scoring server did not come up; the message has the end of its log."""


def backends_of(service: Mapping[str, Any]) -> dict[str, int]:
    """Version → traffic weight (percent) the InferenceService asks for: the stable version,
    and the canary at its ``canaryTrafficPercent`` when it has one."""
    annotations = service.get("metadata", {}).get("annotations", {})
    stable = str(annotations.get(rendered.MODEL_VERSION, ""))
    canary = annotations.get(rendered.CANARY_VERSION)
    percent = service.get("spec", {}).get("predictor", {}).get("canaryTrafficPercent")
    if canary is None or percent is None or str(canary) == stable:
        return {stable: 100}
    share = max(0, min(100, int(percent)))
    return {stable: 100 - share, str(canary): share}


def model_of(service: Mapping[str, Any]) -> str:
    return str(service.get("metadata", {}).get("annotations", {}).get(rendered.MODEL_NAME, ""))


def service_id(service: Mapping[str, Any]) -> str:
    key = objects.key_of(service)
    return f"{key.namespace}.{key.name}" if key.namespace else key.name


class ServingManager:
    """``targets.local.target.Serving`` for one environment."""

    def __init__(self, *, state_dir: Path, env: str, tracking_uri: str) -> None:
        self.root = state_dir / "local" / env / "serving"
        self.tracking_uri = tracking_uri
        self.writes = 0

    # -- the Serving protocol ------------------------------------------------------------------

    def apply(self, service: Mapping[str, Any]) -> None:
        """Bring the service to what ``service`` asks for; raises ServingError when a version's
        server does not start (what served before keeps serving)."""
        name = service_id(service)
        model = model_of(service)
        wanted = backends_of(service)
        record = self._record(name)
        port = self._router_port(record)
        running = {
            b["version"]: b
            for b in record.get("backends", [])
            if _alive(b.get("pid")) and _answers(int(b["port"]))
        }
        started: dict[str, dict[str, Any]] = {}
        try:
            for version in wanted:
                if version not in running:
                    started[version] = self._start_backend(name, model, version)
        except ServingError as error:
            for backend in started.values():
                _stop(backend.get("pid"))
            self._save(name, {**record, "error": str(error)})
            raise
        keep = {**running, **started}
        backends = [{**keep[v], "version": v, "weight": weight} for v, weight in wanted.items()]
        generation = int(record.get("generation", 0)) + 1
        record.update(
            model=model,
            port=port,
            generation=generation,
            backends=backends,
            service=objects.key_of(service).name,
        )
        record.pop("error", None)
        records.write_json(
            self._routes_path(name), {"generation": generation, "backends": backends}
        )
        router_pid = record.get("routerPid")
        if not (_alive(router_pid) and _answers(port, "/bosun/routes")):
            record["routerPid"] = self._start_router(name, port)
        self._save(name, record)
        self.writes += 1
        self._wait_for_generation(port, generation)
        for version, backend in running.items():
            if version not in wanted:
                self._drain(port, backend)
                _stop(backend.get("pid"))

    def problem(self, service: Mapping[str, Any]) -> str | None:
        name = service_id(service)
        record = self._record(name)
        if not record:
            return "not being served"
        if not (_alive(record.get("routerPid")) and _answers(int(record["port"]), "/bosun/routes")):
            return f"the router on port {record['port']} is not running"
        serving = {b["version"]: b for b in record.get("backends", [])}
        for version, weight in backends_of(service).items():
            backend = serving.get(version)
            if backend is None:
                return str(record.get("error") or f"version {version} is not being served")
            if int(backend.get("weight", -1)) != weight:
                return f"version {version} gets {backend.get('weight')}% of requests, not {weight}%"
            if not (_alive(backend.get("pid")) and _answers(int(backend["port"]))):
                return f"the scoring server of version {version} is not running"
        extra = sorted(set(serving) - set(backends_of(service)))
        if extra:
            return f"version {extra[0]} is still being served"
        return None

    def remove(self, name: str) -> None:
        """Stop every process of the service named ``name`` (its metadata.name)."""
        for path in sorted(self.root.glob("*.json")):
            record = _read(path)
            if record.get("service") == name or path.stem == name:
                self._stop_record(record)
                path.unlink(missing_ok=True)
                self._routes_path(path.stem).unlink(missing_ok=True)
                self.writes += 1

    # -- what status and the controller need ---------------------------------------------------

    def url(self, service: Mapping[str, Any]) -> str:
        record = self._record(service_id(service))
        return f"http://127.0.0.1:{record['port']}" if record.get("port") else ""

    def stop_all(self) -> int:
        """Stop every process this environment serves with (the controller's exit); the records
        stay, so the next reconcile sees the services down and starts them on the same ports."""
        stopped = 0
        for path in sorted(self.root.glob("*.json")):
            record = _read(path)
            stopped += self._stop_record(record)
        return stopped

    # -- internals -----------------------------------------------------------------------------

    def _record_path(self, name: str) -> Path:
        return self.root / f"{name}.json"

    def _routes_path(self, name: str) -> Path:
        return self.root / f"{name}.routes"

    def _record(self, name: str) -> dict[str, Any]:
        return _read(self._record_path(name))

    def _save(self, name: str, record: Mapping[str, Any]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        records.write_json(self._record_path(name), dict(record))

    def _router_port(self, record: Mapping[str, Any]) -> int:
        """The port recorded for the service (stable across reconciles and restarts), else one
        that no other service of any environment under this state directory has."""
        if record.get("port"):
            return int(record["port"])
        taken = {int(r["port"]) for r in self._all_records() if r.get("port")}
        while True:
            port = _free_port()
            if port not in taken:
                return port

    def _all_records(self) -> Iterator[dict[str, Any]]:
        for path in self.root.parent.parent.glob("*/serving/*.json"):
            yield _read(path)

    def _start_backend(self, name: str, model: str, version: str) -> dict[str, Any]:
        port = _free_port()
        log = self.root / f"{name}.v{version}.log"
        self.root.mkdir(parents=True, exist_ok=True)
        env = runtime.base_env(os.environ)
        env.update(MLFLOW_TRACKING_URI=self.tracking_uri, MLFLOW_REGISTRY_URI=self.tracking_uri)
        command = [
            *_mlflow_command(),
            "models",
            "serve",
            "--model-uri",
            f"models:/{model}/{version}",
            "--env-manager",
            "local",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
        ]
        with log.open("ab") as out:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                env=env,
                start_new_session=True,
                cwd=str(self.root),
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if _answers(port):
                return {"version": version, "port": port, "pid": process.pid}
            if process.poll() is not None:
                break
            time.sleep(0.25)
        _stop(process.pid)
        raise ServingError(
            f"the scoring server of {model} version {version} did not start: {_tail(log)}"
        )

    def _start_router(self, name: str, port: int) -> int:
        log = self.root / f"{name}.router.log"
        with log.open("ab") as out:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "bosun.targets.local.router",
                    "--port",
                    str(port),
                    "--routes",
                    str(self._routes_path(name)),
                ],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                env=runtime.base_env(os.environ),
                start_new_session=True,
            )
        deadline = time.monotonic() + 30.0
        while time.monotonic() < deadline:
            if _answers(port, "/bosun/routes"):
                return process.pid
            if process.poll() is not None:
                break
            time.sleep(0.1)
        _stop(process.pid)
        raise ServingError(f"the router on port {port} did not start: {_tail(log)}")

    def _wait_for_generation(self, port: int, generation: int) -> None:
        deadline = time.monotonic() + 10.0
        while time.monotonic() < deadline:
            if int(_routes(port).get("generation", -1)) >= generation:
                return
            time.sleep(0.05)
        raise ServingError(f"the router on port {port} did not take the new routes")

    def _drain(self, port: int, backend: Mapping[str, Any]) -> None:
        """Wait until the router has no request in flight to ``backend``."""
        deadline = time.monotonic() + DRAIN_TIMEOUT
        while time.monotonic() < deadline:
            busy = [
                b
                for b in _routes(port).get("backends", [])
                if b["port"] == backend["port"] and b["inFlight"]
            ]
            if not busy:
                return
            time.sleep(0.05)

    def _stop_record(self, record: Mapping[str, Any]) -> int:
        pids = [record.get("routerPid"), *(b.get("pid") for b in record.get("backends", []))]
        return sum(_stop(pid) for pid in pids)


def stop_everything(state_dir: Path) -> int:
    """Stop the serving processes of every environment under ``state_dir``."""
    stopped = 0
    for env_dir in sorted((state_dir / "local").glob("*/serving")):
        manager = ServingManager(state_dir=state_dir, env=env_dir.parent.name, tracking_uri="")
        stopped += manager.stop_all()
    return stopped


def main(argv: list[str] | None = None) -> int:
    """``python -m bosun.targets.local.serving --stop STATE_DIR`` (what ``bosun demo
    --keep-serving`` left running)."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or args[0] != "--stop":
        sys.stderr.write("usage: python -m bosun.targets.local.serving --stop STATE_DIR\n")
        return 2
    print(f"stopped {stop_everything(Path(args[1]))} serving process(es)")
    return 0


def _mlflow_command() -> list[str]:
    return [sys.executable, "-m", "mlflow"]


def _read(path: Path) -> dict[str, Any]:
    try:
        return records.load(path)
    except (OSError, ValueError):
        return {}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _answers(port: int, path: str = "/ping") -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2.0) as answer:
            return bool(answer.status == 200)
    except (OSError, urllib.error.URLError):
        return False


def _routes(port: int) -> dict[str, Any]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/bosun/routes", timeout=2.0) as a:
            document: dict[str, Any] = json.loads(a.read())
            return document
    except (OSError, ValueError):
        return {}


def _alive(pid: Any) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError, ValueError):
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        if state == "Z":
            return False
    return True


def _stop(pid: Any) -> int:
    """SIGTERM the process group (a scoring server's uvicorn child with it), SIGKILL after a
    grace period; 1 if something was running."""
    if not _alive(pid):
        return 0
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE
    while time.monotonic() < deadline and _alive(pid):
        _reap(pid)
        time.sleep(0.05)
    if _alive(pid):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)
        _reap(pid)
    return 1


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def _tail(log: Path, lines: int = 3) -> str:
    """The reason a process gave for dying: its last exception line, else its last lines."""
    try:
        text = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return "(no log)"
    for line in reversed(text):
        if _EXCEPTION_LINE.match(line.strip()):
            return line.strip()
    return " | ".join(line.strip() for line in text[-lines:]) or "(empty log)"


_EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit)(: .*)?$")


if __name__ == "__main__":
    sys.exit(main())
