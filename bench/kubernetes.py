"""Benchmark of the Kubernetes target against the in-process fake API server (real HTTP on
127.0.0.1, the official client, every object validated against the upstream schemas):

- the first sync of a 1,000-manifest repository: requests sent, writes, time per object;
- a no-op reconcile of the same commit: requests sent and writes (must be 0);
- the floor: a bare loop of the official client sending the same server-side applies (and the
  same list requests) to a fresh fake server, with no bosun around it.

    python bench/kubernetes.py [--n 1000] [--runs 2]
"""

# ruff: noqa: E402 - the path is fixed before the imports it decides
from __future__ import annotations

import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
# This file is named kubernetes.py: its folder must not shadow the official client.
sys.path[:] = [str(ROOT), str(ROOT / "tests")] + [
    p for p in sys.path if pathlib.Path(p or ".").resolve() != HERE
]

import argparse
import importlib.util
import tempfile
import time
from collections.abc import Mapping
from typing import Any

import kubernetes
import yaml
from bosun.commands import gitops_common
from bosun.gitops import reconcile, source, state
from bosun.targets.kubernetes import api, resources
from kube.fake_apiserver import FakeApiServer

ENVIRONMENT = """\
apiVersion: bosun.dev/v1alpha1
kind: Environment
metadata: {name: dev}
spec:
  branch: main
  target: {type: kubernetes, context: fake, namespacePrefix: ml-}
  tracking: {uri: "http://mlflow.mlflow.svc:5000"}
  registryAlias: staging
  policy: {selfHeal: true, prune: true}
"""


def _reconcile_bench() -> Any:
    """bench/reconcile.py's repository generator (teams, quotas, pipelines, schedules)."""
    spec = importlib.util.spec_from_file_location("reconcile_bench", ROOT / "bench/reconcile.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_repo(root: pathlib.Path, n: int) -> None:
    generator = _reconcile_bench()
    generator.write_repo(root, n)
    (root / "environments" / "dev.yaml").write_text(ENVIRONMENT)
    generator.commit(root, "generated")


def kubeconfig(path: pathlib.Path, server: FakeApiServer) -> pathlib.Path:
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "fake", "cluster": {"server": server.url}}],
        "users": [{"name": "bench", "user": {"token": "t"}}],
        "contexts": [{"name": "fake", "context": {"cluster": "fake", "user": "bench"}}],
        "current-context": "fake",
    }
    path.write_text(yaml.safe_dump(config))
    return path


def sync(repo: pathlib.Path, state_dir: pathlib.Path, config: pathlib.Path) -> tuple[float, int]:
    """(seconds, objects in the inventory) of one ``bosun reconcile`` of dev, in process."""
    store = state.Store(state_dir)
    started = time.perf_counter()
    outcome = reconcile.reconcile(
        env="dev",
        mirror=source.Mirror(url=str(repo), state_dir=state_dir),
        store=store,
        state_dir=state_dir,
        adapters=gitops_common.adapters(state_dir, kubeconfig=str(config)),
        wait=False,
    )
    seconds = time.perf_counter() - started
    count = len(store.inventory("dev"))
    store.close()
    if not outcome.ok:
        raise SystemExit(f"reconcile failed: {outcome.error}")
    return seconds, count


def bare_applies(server: FakeApiServer, bodies: list[Mapping[str, Any]]) -> float:
    """The floor: the official client alone, one server-side apply per object, in the order a
    first sync sends them (namespaces first), then the list requests of a no-op."""
    configuration = kubernetes.client.Configuration()
    configuration.host = server.url
    with kubernetes.client.ApiClient(configuration) as client:
        started = time.perf_counter()
        for body in bodies:
            meta = body["metadata"]
            path = resources.of(body["kind"]).path(meta.get("namespace", ""), meta["name"])
            method, url, headers, payload = client.param_serialize(
                method="PATCH",
                resource_path=path,
                query_params=[("fieldManager", "bosun"), ("force", "false")],
                header_params={"Content-Type": api.APPLY_PATCH, "Accept": "application/json"},
                body=dict(body),
            )[:4]
            client.call_api(method, url, header_params=headers, body=payload).read()
        return time.perf_counter() - started


def bare_lists(server: FakeApiServer, selector: str) -> float:
    configuration = kubernetes.client.Configuration()
    configuration.host = server.url
    with kubernetes.client.ApiClient(configuration) as client:
        started = time.perf_counter()
        for kind in resources.APPLIED_KINDS:
            method, url, headers, _ = client.param_serialize(
                method="GET",
                resource_path=resources.RESOURCES[kind].path(),
                query_params=[("labelSelector", selector)],
                header_params={"Accept": "application/json"},
            )[:4]
            client.call_api(method, url, header_params=headers).read()
        return time.perf_counter() - started


def applied_in_order(state_dir: pathlib.Path) -> list[Mapping[str, Any]]:
    store = state.Store(state_dir)
    try:
        bodies = list(store.applied("dev").values())
    finally:
        store.close()
    order = list(resources.RESOURCES)
    return sorted(bodies, key=lambda b: order.index(b["kind"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bosun-bench-k8s-") as scratch:
        base = pathlib.Path(scratch)
        repo = base / "repo"
        write_repo(repo, args.n)
        server = FakeApiServer().start()
        try:
            config = kubeconfig(base / "kubeconfig", server)
            first, count = sync(repo, base / "state", config)
            first_requests, first_writes = len(server.requests), server.writes
            noops = []
            for _ in range(args.runs):
                server.reset_log()
                noops.append(sync(repo, base / "state", config)[0])
            noop_requests, noop_writes = len(server.requests), server.writes
        finally:
            server.stop()
        bodies = applied_in_order(base / "state")
        applies, lists = [], []
        for _ in range(args.runs):
            floor_server = FakeApiServer().start()
            try:
                applies.append(bare_applies(floor_server, bodies))
                lists.append(bare_lists(floor_server, "app.kubernetes.io/managed-by=bosun"))
            finally:
                floor_server.stop()
    per_object, floor = first / count, min(applies) / count
    print(
        f"{args.n} manifests -> {count} objects; first sync {first:.2f}s: "
        f"{first_requests} requests, {first_writes} writes"
    )
    print(
        f"first sync per object {per_object * 1000:.2f} ms; bare client apply loop "
        f"{floor * 1000:.2f} ms per object; ratio {per_object / floor:.1f}x"
    )
    best = min(noops)
    print(
        f"no-op reconcile: {best:.3f}s, {noop_requests // args.runs} requests, "
        f"{noop_writes} writes (must be 0); bare list loop {min(lists):.3f}s; "
        f"ratio {best / min(lists):.1f}x"
    )
    if noop_writes:
        raise SystemExit("a no-op reconcile sent write requests")


if __name__ == "__main__":
    main()
