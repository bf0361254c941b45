"""Two ``bosun controller --leader-elect`` processes against the fake API server's Lease: one
leads and reconciles, the other waits; killed with SIGKILL, the leader is replaced within a few
lease durations; a SIGTERM'd leader releases the Lease."""

from __future__ import annotations

import json
import os
import pathlib
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable

import pytest
from bosun.gitops import state

from kube import kube_support
from kube.fake_apiserver import FakeApiServer

pytestmark = pytest.mark.slow

NAMESPACE, LEASE = "bosun-system", "bosun-controller-dev"
ACQUIRED = "leader: {} acquired lease bosun-system/bosun-controller-dev"


def _create_namespace(server: FakeApiServer) -> None:
    body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}}
    request = urllib.request.Request(
        f"{server.url}/api/v1/namespaces",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 201


class Replica:
    def __init__(self, name: str, repo: pathlib.Path, config: pathlib.Path, base: pathlib.Path):
        self.name = name
        self.state_dir = base / f"state-{name}"
        self.log = base / f"{name}.log"
        command = [
            str(pathlib.Path(sys.executable).parent / "bosun"),
            "controller",
            "--repo",
            str(repo),
            "--interval",
            "1",
            "--leader-elect",
            "--lease-name",
            LEASE,
            "--lease-namespace",
            NAMESPACE,
            "--lease-duration",
            "2",
            "--kubeconfig",
            str(config),
            "--state-dir",
            str(self.state_dir),
        ]
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                command,
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, "POD_NAME": name},
            )

    def output(self) -> str:
        return self.log.read_text()

    @property
    def leads(self) -> bool:
        return ACQUIRED.format(self.name) in self.output()

    def reconciled(self) -> bool:
        if not state.path_of(self.state_dir).exists():
            return False
        store = state.Store(self.state_dir)
        try:
            return store.status("dev") is not None
        finally:
            store.close()


def _until(check: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_one_of_two_controllers_leads_and_the_other_takes_over(
    tmp_path: pathlib.Path, apiserver: FakeApiServer
) -> None:
    repo = kube_support.platform(tmp_path / "repo")
    config = kube_support.kubeconfig(tmp_path / "kubeconfig", apiserver)
    _create_namespace(apiserver)
    replicas = [Replica(name, repo, config, tmp_path) for name in ("replica-a", "replica-b")]
    try:
        _until(lambda: any(r.leads for r in replicas))
        (first,) = [r for r in replicas if r.leads]
        (second,) = [r for r in replicas if r is not first]
        _until(first.reconciled)
        time.sleep(3)  # more than a lease duration: the other still waits
        assert not second.leads and not second.reconciled(), second.output()
        lease = apiserver.get("coordination.k8s.io", "leases", NAMESPACE, LEASE)
        assert lease is not None and lease["spec"]["holderIdentity"] == first.name

        first.process.send_signal(signal.SIGKILL)
        first.process.wait(timeout=10)
        killed = time.monotonic()
        _until(lambda: second.leads, timeout=30)
        assert time.monotonic() - killed < 4 * 2 + 2  # a few lease durations
        _until(second.reconciled)
        lease = apiserver.get("coordination.k8s.io", "leases", NAMESPACE, LEASE)
        assert lease is not None and lease["spec"]["holderIdentity"] == second.name
        assert lease["spec"]["leaseTransitions"] == 1

        second.process.send_signal(signal.SIGTERM)
        assert second.process.wait(timeout=30) == 0, second.output()
        lease = apiserver.get("coordination.k8s.io", "leases", NAMESPACE, LEASE)
        assert lease is not None and "holderIdentity" not in lease["spec"]  # released
    finally:
        for replica in replicas:
            if replica.process.poll() is None:
                replica.process.kill()
                replica.process.wait(timeout=10)
