"""The local serving router of one InferenceService: a stable 127.0.0.1 port in front of the
MLflow scoring servers of its versions, splitting requests between them by weight (a canary's
``trafficPercent``). It re-reads its routes file when the file changes, so the serving manager
swaps versions by starting the new server, rewriting the file and only then stopping the old
one: no request is refused during the swap.

Run as ``python -m bosun.targets.local.router --port P --routes FILE``. ``GET /bosun/routes``
says which routes file generation it serves and how many requests each backend has in flight;
``GET /metrics`` has request, error and latency counts per version (Prometheus text format)."""

from __future__ import annotations

import argparse
import http.client
import http.server
import json
import os
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

VERSION_HEADER = "X-Bosun-Model-Version"
FORWARDED_HEADERS = ("Content-Type", "Accept")
BACKEND_TIMEOUT = 60.0


class Backend:
    def __init__(self, version: str, port: int, weight: int) -> None:
        self.version, self.port, self.weight = version, port, weight
        self.current = 0
        self.in_flight = 0


class Routes:
    """The backends of one generation of the routes file, chosen by smooth weighted round-robin
    (nginx's): over any window of ``sum(weights)`` requests each backend gets exactly its share,
    so a 10% canary sees 20 of 200 requests, not "about 20"."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = threading.Lock()
        self.generation = -1
        self.mtime_ns = -1
        self.backends: list[Backend] = []
        self.retired: list[Backend] = []

    def refresh(self) -> None:
        try:
            mtime = self.path.stat().st_mtime_ns
        except OSError:
            return
        if mtime == self.mtime_ns:
            return
        try:
            document = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return  # mid-rename on an odd filesystem: keep serving the last generation
        self.mtime_ns = mtime
        self.generation = int(document.get("generation", 0))
        old = {(b.version, b.port): b for b in self.backends}
        fresh = []
        for route in document.get("backends", []):
            key = (str(route["version"]), int(route["port"]))
            backend = old.pop(key, None) or Backend(*key, 0)
            backend.weight = max(0, int(route.get("weight", 0)))
            fresh.append(backend)
        self.retired = [b for b in [*self.retired, *old.values()] if b.in_flight]
        self.backends = fresh

    def choose(self) -> Backend | None:
        with self.lock:
            self.refresh()
            live = [b for b in self.backends if b.weight > 0]
            if not live:
                return None
            total = sum(b.weight for b in live)
            for backend in live:
                backend.current += backend.weight
            best = max(live, key=lambda b: b.current)
            best.current -= total
            best.in_flight += 1
            return best

    def release(self, backend: Backend) -> None:
        with self.lock:
            backend.in_flight -= 1

    def describe(self) -> dict[str, Any]:
        with self.lock:
            self.refresh()
            return {
                "generation": self.generation,
                "backends": [
                    {
                        "version": b.version,
                        "port": b.port,
                        "weight": b.weight,
                        "inFlight": b.in_flight,
                    }
                    for b in [*self.backends, *self.retired]
                ],
            }


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "bosun_serving_requests",
            "Requests forwarded to a model version",
            ["version"],
            registry=self.registry,
        )
        self.errors = Counter(
            "bosun_serving_errors",
            "Requests that failed: the backend was unreachable or answered 5xx",
            ["version"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "bosun_serving_request_duration_seconds",
            "Time to the backend's full answer",
            ["version"],
            registry=self.registry,
        )


def make_handler(routes: Routes, metrics: Metrics) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_GET(self) -> None:
            if self.path == "/metrics":
                self._answer(200, generate_latest(metrics.registry), CONTENT_TYPE_LATEST)
            elif self.path == "/bosun/routes":
                body = json.dumps(routes.describe()).encode()
                self._answer(200, body, "application/json")
            else:
                self._forward(b"")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self._forward(self.rfile.read(length) if length else b"")

        def _forward(self, body: bytes) -> None:
            backend = routes.choose()
            if backend is None:
                self._answer(503, b'{"error": "no model version is being served"}\n')
                return
            started = time.perf_counter()
            try:
                status, headers, answer = _call(backend.port, self.command, self.path, body, self)
            except OSError as error:
                metrics.errors.labels(backend.version).inc()
                message = {"error": f"model version {backend.version} unreachable: {error}"}
                self._answer(502, json.dumps(message).encode(), version=backend.version)
                return
            finally:
                routes.release(backend)
                metrics.requests.labels(backend.version).inc()
                metrics.latency.labels(backend.version).observe(time.perf_counter() - started)
            if status >= 500:
                metrics.errors.labels(backend.version).inc()
            kind = headers.get("Content-Type", "application/json")
            self._answer(status, answer, kind, version=backend.version)

        def _answer(
            self,
            status: int,
            body: bytes,
            kind: str = "application/json",
            version: str | None = None,
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            if version is not None:
                self.send_header(VERSION_HEADER, version)
            self.end_headers()
            self.wfile.write(body)

    return Handler


def _call(
    port: int,
    method: str,
    path: str,
    body: bytes,
    request: http.server.BaseHTTPRequestHandler,
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=BACKEND_TIMEOUT)
    try:
        headers = {h: v for h in FORWARDED_HEADERS if (v := request.headers.get(h))}
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def serve(port: int, routes_file: Path) -> None:
    routes = Routes(routes_file)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), make_handler(routes, Metrics()))
    server.daemon_threads = True
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bosun.targets.local.router")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--routes", type=Path, required=True)
    args = parser.parse_args(argv)
    sys.stdout.write(f"bosun router on 127.0.0.1:{args.port} (pid {os.getpid()})\n")
    sys.stdout.flush()
    serve(args.port, args.routes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
