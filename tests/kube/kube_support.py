"""A platform repository whose dev environment targets a Kubernetes cluster (the fake API
server), and one reconcile of it with the adapters ``bosun reconcile`` wires."""

from __future__ import annotations

import pathlib

import yaml
from bosun.commands import gitops_common
from bosun.gitops import reconcile, source, state
from integration import gitops_support

from kube.fake_apiserver import FakeApiServer

TRACKING = "http://mlflow.mlflow.svc:5000"

ENVIRONMENT = """\
apiVersion: bosun.dev/v1alpha1
kind: Environment
metadata: {{name: dev}}
spec:
  branch: main
  target: {{type: kubernetes, context: fake, namespacePrefix: ml-{force}}}
  tracking: {{uri: "{tracking}"}}
  registryAlias: staging
  policy: {{selfHeal: {heal}, prune: true}}
"""


def environment(*, heal: bool = True, force: bool = False) -> str:
    return ENVIRONMENT.format(
        heal=str(heal).lower(),
        force=", forceConflicts: true" if force else "",
        tracking=TRACKING,
    )


def platform(root: pathlib.Path, *, heal: bool = True, force: bool = False) -> pathlib.Path:
    """main → dev on the cluster: the toy team with a quota, a pipeline and an experiment."""
    root.mkdir(parents=True)
    gitops_support.git(root, "init", "-q", "-b", "main")
    gitops_support.write(root, gitops_support.FILES)
    gitops_support.write(root, {"teams/toy/quota.yaml": gitops_support.QUOTA})
    gitops_support.write(root, {"environments/dev.yaml": environment(heal=heal, force=force)})
    gitops_support.commit_all(root, "dev on the cluster")
    return root


def kubeconfig(path: pathlib.Path, server: FakeApiServer) -> pathlib.Path:
    """A kubeconfig whose context ``fake`` is the fake API server (plain HTTP, a token)."""
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "fake", "cluster": {"server": server.url}}],
        "users": [{"name": "bosun", "user": {"token": "t0ken"}}],
        "contexts": [{"name": "fake", "context": {"cluster": "fake", "user": "bosun"}}],
        "current-context": "fake",
    }
    path.write_text(yaml.safe_dump(config))
    return path


def run(
    repo: pathlib.Path, state_dir: pathlib.Path, config: pathlib.Path, *, env: str = "dev"
) -> tuple[reconcile.Outcome, int]:
    """One in-process reconcile, not waiting for runs; (outcome, write requests it sent)."""
    mirror = source.Mirror(url=str(repo), state_dir=state_dir)
    store = state.Store(state_dir)
    wired = gitops_common.adapters(state_dir, kubeconfig=str(config))
    targets: list[object] = []

    def target(name: str, spec: object) -> object:
        made = wired.target(name, spec)  # type: ignore[arg-type]
        targets.append(made)
        return made

    adapters = reconcile.Adapters(
        target=target,  # type: ignore[arg-type]
        tracking_uri=wired.tracking_uri,
        registry=lambda uri, spec: None,
    )
    try:
        outcome = reconcile.reconcile(
            env=env, mirror=mirror, store=store, state_dir=state_dir, adapters=adapters, wait=False
        )
    finally:
        store.close()
    return outcome, sum(int(getattr(t, "writes", 0)) for t in targets)
