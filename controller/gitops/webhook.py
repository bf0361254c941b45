"""``POST /webhook`` for GitHub (``X-Hub-Signature-256``: HMAC-SHA256 of the body) and GitLab
(``X-Gitlab-Token``) push events, plus ``/healthz`` and ``/metrics``. A request that is not
signed with ``BOSUN_WEBHOOK_SECRET`` gets 401 and triggers nothing; bodies over 1 MiB get 413
unread; a token bucket answers floods with 429. Only the pushed branch's environment is queued."""

from __future__ import annotations

import hashlib
import hmac
import http.server
import json
import threading
import time
from collections.abc import Callable

from bosun.gitops import metrics as metrics_module

MAX_BODY = 1024 * 1024


class TokenBucket:
    def __init__(self, *, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, burst
        self.tokens, self.stamp = float(burst), time.monotonic()
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
            if self.tokens < 1:
                return False
            self.tokens -= 1
            return True


def signed(secret: str | None, body: bytes, headers: dict[str, str]) -> bool:
    """GitHub's HMAC or GitLab's token, compared in constant time; never without a secret."""
    if not secret:
        return False
    github = headers.get("x-hub-signature-256", "")
    if github.startswith("sha256="):
        expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(github.removeprefix("sha256="), expected)
    gitlab = headers.get("x-gitlab-token")
    return gitlab is not None and hmac.compare_digest(gitlab.encode(), secret.encode())


def pushed_branch(body: bytes) -> str | None:
    try:
        event = json.loads(body)
    except ValueError:
        return None
    ref = event.get("ref") if isinstance(event, dict) else None
    return (
        ref.removeprefix("refs/heads/")
        if isinstance(ref, str) and ref.startswith("refs/heads/")
        else None
    )


class WebhookServer:
    """The controller's HTTP endpoint, served from a background thread."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        secret: str | None,
        on_push: Callable[[str], bool],
        metrics: metrics_module.Metrics,
        rate: float = 10.0,
        burst: int = 20,
    ) -> None:
        self.secret, self.on_push, self.metrics = secret, on_push, metrics
        self.bucket = TokenBucket(rate=rate, burst=burst)
        self.httpd = http.server.ThreadingHTTPServer((host, port), _handler(self))
        self.httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    def start(self) -> None:
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def handle_push(self, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        if not self.bucket.take():
            return self._answer(429, "rate limited")
        if not signed(self.secret, body, headers):
            return self._answer(401, "bad signature")
        event = headers.get("x-github-event") or headers.get("x-gitlab-event") or ""
        if event == "ping":
            return self._answer(200, "pong")
        branch = pushed_branch(body)
        if branch is None:
            return self._answer(200, "ignored: not a branch push")
        if self.on_push(branch):
            return self._answer(202, f"queued: {branch}")
        return self._answer(200, f"ignored: no environment reconciles from {branch}")

    def _answer(self, code: int, text: str) -> tuple[int, str]:
        outcome = {
            202: "queued",
            200: "ok",
            401: "unauthorized",
            413: "too_large",
            429: "rate_limited",
        }
        self.metrics.webhooks.labels(outcome=outcome.get(code, str(code))).inc()
        return code, text


def _handler(server: WebhookServer) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            return None

        def _send(self, code: int, body: bytes, kind: str = "text/plain; charset=utf-8") -> None:
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            if self.path == "/healthz":
                self._send(200, b"ok\n")
            elif self.path == "/metrics":
                self._send(200, server.metrics.render(), "text/plain; version=0.0.4")
            else:
                self._send(404, b"not found\n")

        def do_POST(self) -> None:
            if self.path != "/webhook":
                self._send(404, b"not found\n")
                return
            try:
                length = int(self.headers.get("Content-Length", "0"))
            except ValueError:
                length = -1
            if length < 0 or length > MAX_BODY:
                server._answer(413, "too large")
                self.close_connection = True
                self._send(413, b"body over 1 MiB\n")
                return
            body = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            code, text = server.handle_push(body, headers)
            self._send(code, (text + "\n").encode())

    return Handler
