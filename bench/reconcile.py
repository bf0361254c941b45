"""Benchmark of ``bosun reconcile`` on generated repositories (teams, quotas, pipelines and
scheduled experiments: every manifest renders to applied objects, none starts a run):

- the no-op reconcile of a 1,000-manifest repository: its time against a bare ``CSafeLoader``
  parse of the same manifests (the floor), and its write count (must be 0);
- one changed manifest in a 500- and a 5,000-manifest repository: does the cost grow with the
  change or with the repository;
- merge → applied through the webhook of a running ``bosun controller``, against its poll
  interval (Argo CD polls every 120 s plus up to 60 s of jitter).

    python bench/reconcile.py [--n 1000] [--small 500] [--large 5000] [--runs 3]
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import http.client
import json
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import time

import yaml
from bosun.commands import gitops_common
from bosun.gitops import reconcile, source, state

AUTHOR = {
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
}
PER_TEAM = 10
"""Manifests per team: Team, Quota, 4 Pipelines, 4 scheduled Experiments."""


def write_repo(root: pathlib.Path, n: int) -> None:
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    env = root / "environments"
    env.mkdir()
    (env / "dev.yaml").write_text(
        "apiVersion: bosun.dev/v1alpha1\nkind: Environment\nmetadata: {name: dev}\n"
        "spec: {branch: main, target: {type: local}, registryAlias: staging,"
        " policy: {selfHeal: true, prune: true}}\n"
    )
    for t in range(max(1, n // PER_TEAM)):
        team = f"team-{t:04d}"
        folder = root / "teams" / team
        folder.mkdir(parents=True)
        (folder / "team.yaml").write_text(
            f"apiVersion: bosun.dev/v1alpha1\nkind: Team\nmetadata: {{name: {team}}}\n"
            'spec: {owners: ["@acme/ml"]}\n'
        )
        (folder / "quota.yaml").write_text(
            "apiVersion: bosun.dev/v1alpha1\nkind: Quota\n"
            f"metadata: {{name: default, team: {team}}}\n"
            'spec: {hard: {cpu: "8", memory: 16Gi}}\n'
        )
        for p in range(4):
            (folder / f"pipeline-{p}.yaml").write_text(_pipeline(team, p))
            (folder / f"experiment-{p}.yaml").write_text(
                f"apiVersion: bosun.dev/v1alpha1\nkind: Experiment\n"
                f"metadata: {{name: nightly-{p}, team: {team}}}\n"
                f'spec: {{pipeline: p{p}, schedule: "{p} 3 * * *", parameters: {{size: "{p}"}}}}\n'
            )


def _pipeline(team: str, p: int) -> str:
    steps = "".join(
        f"    - name: s{s}\n      image: python:3.11\n      command: [python, -c, 'print({s})']\n"
        + (f"      dependsOn: [s{s - 1}]\n" if s else "")
        for s in range(3 + p)
    )
    return (
        f"apiVersion: bosun.dev/v1alpha1\nkind: Pipeline\nmetadata: {{name: p{p}, team: {team}}}\n"
        f'spec:\n  parameters: [{{name: size, default: "1"}}]\n  steps:\n{steps}'
    )


def git(root: pathlib.Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), *args],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **AUTHOR},
    )
    return done.stdout.strip()


def commit(root: pathlib.Path, message: str) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD")


class Run:
    def __init__(self, repo: pathlib.Path, state_dir: pathlib.Path) -> None:
        self.repo, self.state_dir = repo, state_dir
        self.adapters = gitops_common.adapters(state_dir)
        self.targets: list[object] = []

    def once(self) -> tuple[float, int, int, reconcile.Outcome]:
        """(seconds, target writes, store writes, outcome) of one reconcile of dev."""
        made: list[object] = []

        def target(env, spec):  # type: ignore[no-untyped-def]
            found = self.adapters.target(env, spec)
            made.append(found)
            return found

        adapters = reconcile.Adapters(
            target=target, tracking_uri=self.adapters.tracking_uri, registry=self.adapters.registry
        )
        store = state.Store(self.state_dir)
        started = time.perf_counter()
        outcome = reconcile.reconcile(
            env="dev",
            mirror=source.Mirror(url=str(self.repo), state_dir=self.state_dir),
            store=store,
            state_dir=self.state_dir,
            adapters=adapters,
        )
        seconds = time.perf_counter() - started
        writes = sum(getattr(t, "writes", 0) for t in made)
        store_writes = store.writes
        store.close()
        assert outcome.phase == "Synced", outcome.error
        return seconds, writes, store_writes, outcome


def parse_floor(repo: pathlib.Path) -> float:
    started = time.perf_counter()
    for path in sorted(repo.rglob("*.yaml")):
        list(yaml.load_all(path.read_bytes(), Loader=yaml.CSafeLoader))
    return time.perf_counter() - started


def noop(base: pathlib.Path, n: int, runs: int) -> None:
    repo = base / f"repo-{n}"
    write_repo(repo, n)
    commit(repo, "generated")
    run = Run(repo, base / f"state-{n}")
    first, first_writes, _, outcome = run.once()
    objects = len(outcome.plan.actions) if outcome.plan else 0
    best = min(run.once()[0] for _ in range(runs))
    _, writes, store_writes, _ = run.once()
    floor = min(parse_floor(repo) for _ in range(runs))
    print(
        f"{n} manifests -> {objects} objects: first reconcile {first:.2f}s ({first_writes} writes)"
    )
    print(
        f"no-op reconcile: {best:.3f}s, {writes} target writes, {store_writes} state writes "
        f"(must be 0); parse floor {floor:.3f}s; ratio {best / floor:.1f}x"
    )


def one_change(base: pathlib.Path, n: int, runs: int) -> float:
    repo = base / f"change-{n}"
    write_repo(repo, n)
    commit(repo, "generated")
    run = Run(repo, base / f"change-state-{n}")
    run.once()
    times = []
    for i in range(runs):
        quota = repo / "teams" / "team-0000" / "quota.yaml"
        quota.write_text(quota.read_text().replace(f'cpu: "{8 + i}"', f'cpu: "{9 + i}"'))
        commit(repo, f"quota {i}")
        seconds, writes, _, _ = run.once()
        assert writes >= 1, "the change was not applied"
        times.append(seconds)
    best = min(times)
    print(f"one changed manifest in {n}: {best:.3f}s")
    return best


def webhook_latency(base: pathlib.Path, interval: float) -> None:
    repo = base / "webhook"
    write_repo(repo, 20)
    commit(repo, "generated")
    state_dir = base / "webhook-state"
    secret = "bench"
    process = subprocess.Popen(
        [
            str(pathlib.Path(sys.executable).parent / "bosun"),
            "controller",
            "--repo",
            str(repo),
            "--interval",
            str(interval),
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
        env={**os.environ, "BOSUN_WEBHOOK_SECRET": secret},
    )
    try:
        port = 0
        assert process.stdout is not None
        while not port:
            line = process.stdout.readline()
            if line.startswith("webhook on "):
                port = int(line.rsplit(":", 1)[1].split("/")[0])
        _until(lambda: _commit(state_dir) == git(repo, "rev-parse", "HEAD"))
        quota = repo / "teams" / "team-0000" / "quota.yaml"
        quota.write_text(quota.read_text().replace('cpu: "8"', 'cpu: "12"'))
        head = commit(repo, "more cpu")
        body = json.dumps({"ref": "refs/heads/main", "after": head}).encode()
        signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request(
            "POST", "/webhook", body=body, headers={"X-Hub-Signature-256": signature}
        )
        assert connection.getresponse().status == 202
        _until(lambda: _commit(state_dir) == head)
        latency = time.perf_counter() - started
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    print(
        f"merge -> applied via webhook: {latency:.2f}s; polling alone: up to {interval:.0f}s "
        f"(mean {interval / 2:.0f}s); Argo CD's default poll: 120-180s; "
        f"ratio to the mean poll {latency / (interval / 2):.3f}"
    )


def _commit(state_dir: pathlib.Path) -> str | None:
    if not state.path_of(state_dir).exists():
        return None
    store = state.Store(state_dir)
    try:
        found = store.status("dev")
        return found.get("commit") if found else None
    finally:
        store.close()


def _until(check, timeout: float = 300.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit("timed out")
        time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--small", type=int, default=500)
    parser.add_argument("--large", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--interval", type=float, default=120.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bosun-bench-") as scratch:
        base = pathlib.Path(scratch)
        noop(base, args.n, args.runs)
        small = one_change(base, args.small, args.runs)
        large = one_change(base, args.large, args.runs)
        print(
            f"one change, {args.large} vs {args.small} manifests: ratio {large / small:.1f}x "
            f"(1.0: the cost grows with the change; {args.large / args.small:.0f}: with the repo)"
        )
        webhook_latency(base, args.interval)


if __name__ == "__main__":
    main()
