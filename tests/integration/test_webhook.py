"""The webhook over real HTTP on 127.0.0.1: GitHub HMAC and GitLab token, wrong signatures,
oversize bodies, the rate limit, ignored branches, /healthz and /metrics; and the controller
applying a merge as soon as its push arrives."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import os
import pathlib
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from bosun.gitops import metrics, state, webhook

from tests.integration import gitops_support as g

SECRET = "s3cret"


@pytest.fixture
def server() -> Iterator[tuple[webhook.WebhookServer, list[str]]]:
    pushed: list[str] = []

    def on_push(branch: str) -> bool:
        pushed.append(branch)
        return branch in {"main", "production"}

    running = webhook.WebhookServer(
        host="127.0.0.1", port=0, secret=SECRET, on_push=on_push, metrics=metrics.Metrics(), burst=5
    )
    running.start()
    yield running, pushed
    running.stop()


def post(port: int, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("POST", "/webhook", body=body, headers=headers)
    response = connection.getresponse()
    return response.status, response.read().decode()


def github(body: bytes, secret: str = SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={digest}", "X-GitHub-Event": "push"}


PUSH = json.dumps({"ref": "refs/heads/main", "after": "0" * 40}).encode()


def test_a_signed_github_push_queues_its_branch(
    server: tuple[webhook.WebhookServer, list[str]],
) -> None:
    running, pushed = server
    assert post(running.port, PUSH, github(PUSH))[0] == 202
    assert pushed == ["main"]


def test_a_wrong_or_missing_signature_is_refused_and_triggers_nothing(
    server: tuple[webhook.WebhookServer, list[str]],
) -> None:
    running, pushed = server
    assert post(running.port, PUSH, github(PUSH, "wrong"))[0] == 401
    assert post(running.port, PUSH, {"X-GitHub-Event": "push"})[0] == 401
    assert post(running.port, PUSH, {"X-Gitlab-Token": "wrong"})[0] == 401
    assert pushed == []


def test_gitlab_token_and_ignored_branches(server: tuple[webhook.WebhookServer, list[str]]) -> None:
    running, pushed = server
    assert (
        post(running.port, PUSH, {"X-Gitlab-Token": SECRET, "X-Gitlab-Event": "Push Hook"})[0]
        == 202
    )
    other = json.dumps({"ref": "refs/heads/feature"}).encode()
    status, text = post(running.port, other, github(other))
    assert status == 200 and "ignored" in text
    assert pushed == ["main", "feature"]


def test_an_oversize_body_is_refused_unread(
    server: tuple[webhook.WebhookServer, list[str]],
) -> None:
    running, pushed = server
    connection = http.client.HTTPConnection("127.0.0.1", running.port, timeout=10)
    connection.putrequest("POST", "/webhook")
    connection.putheader("Content-Length", str(webhook.MAX_BODY + 1))
    connection.endheaders()
    assert connection.getresponse().status == 413 and pushed == []


def test_floods_are_rate_limited(server: tuple[webhook.WebhookServer, list[str]]) -> None:
    running, _ = server
    codes = [post(running.port, PUSH, github(PUSH))[0] for _ in range(8)]
    assert codes[:5] == [202] * 5 and 429 in codes[5:]


def test_healthz_and_metrics(server: tuple[webhook.WebhookServer, list[str]]) -> None:
    running, _ = server
    post(running.port, PUSH, github(PUSH))
    running.metrics.observe("dev", "Synced", 0.5)
    connection = http.client.HTTPConnection("127.0.0.1", running.port, timeout=10)
    connection.request("GET", "/healthz")
    assert connection.getresponse().read() == b"ok\n"
    connection.request("GET", "/metrics")
    text = connection.getresponse().read().decode()
    assert 'bosun_webhook_requests_total{outcome="queued"} 1.0' in text
    assert 'bosun_reconciles_total{env="dev",outcome="Synced"} 1.0' in text
    assert 'bosun_last_success_timestamp_seconds{env="dev"}' in text


@pytest.mark.slow
def test_the_controller_applies_a_merge_when_its_push_arrives(tmp_path: pathlib.Path) -> None:
    repo, state_dir = g.platform(tmp_path / "repo"), tmp_path / "state"
    process = subprocess.Popen(
        [
            str(pathlib.Path(sys.executable).parent / "bosun"),
            "controller",
            "--repo",
            str(repo),
            "--interval",
            "3600",
            "--webhook-port",
            "0",
            "--webhook-host",
            "127.0.0.1",
            "--state-dir",
            str(state_dir),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "BOSUN_WEBHOOK_SECRET": SECRET},
    )
    try:
        assert process.stdout is not None
        port = 0
        while not port:
            line = process.stdout.readline()
            assert line, "the controller exited"
            if line.startswith("webhook on "):
                port = int(line.rsplit(":", 1)[1].split("/")[0])
        _until(lambda: _commit(state_dir, "dev") == g.git(repo, "rev-parse", "main"))
        g.write(repo, {"teams/toy/quota.yaml": g.QUOTA})
        head = g.commit_all(repo, "toy quota")
        body = json.dumps({"ref": "refs/heads/main", "after": head}).encode()
        started = time.monotonic()
        assert post(port, body, github(body))[0] == 202
        _until(lambda: _commit(state_dir, "dev") == head)
        assert time.monotonic() - started < 60  # the poll interval is an hour
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0


def _commit(state_dir: pathlib.Path, env: str) -> str | None:
    if not state.path_of(state_dir).exists():
        return None
    store = state.Store(state_dir)
    try:
        found = store.status(env)
        return found.get("commit") if found else None
    finally:
        store.close()


def _until(check: object, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


@pytest.mark.slow
def test_the_controller_starts_a_scheduled_experiment_once_per_tick(tmp_path: pathlib.Path) -> None:
    repo, state_dir = g.platform(tmp_path / "repo"), tmp_path / "state"
    g.write(
        repo,
        {
            "teams/toy/experiment.yaml": """\
                apiVersion: bosun.dev/v1alpha1
                kind: Experiment
                metadata: {name: toy-run, team: toy}
                spec: {pipeline: p, schedule: "* * * * *"}
                """
        },
    )
    g.commit_all(repo, "every minute")
    runs = state_dir / "local/dev/runs"

    def started() -> list[str]:
        return sorted(p.stem for p in runs.glob("*.request")) if runs.exists() else []

    for _ in range(2):  # a restart within the minute does not start the tick again
        process = subprocess.Popen(
            [
                str(pathlib.Path(sys.executable).parent / "bosun"),
                "controller",
                "--repo",
                str(repo),
                "--interval",
                "3600",
                "--state-dir",
                str(state_dir),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            assert process.stdout is not None
            assert process.stdout.readline().startswith("watching ")  # handlers installed
            _until(lambda: bool(started()), timeout=90)
            time.sleep(1.0)
        finally:
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=60) == 0
    ticks = {name.rsplit("-", 1)[1] for name in started()}
    assert len(started()) == len(ticks)  # one run per tick, none replayed
    assert all(name.startswith("toy-run-") for name in started())
