"""What the GitOps commands share: the adapters the reconcile loop drives (the local target,
the MLflow registry, the tracking URI), opened from ``--repo`` and ``--state-dir``."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NoReturn

import click
from bosun import cli
from bosun.commands import common
from bosun.gitops import reconcile, source, state
from bosun.plan import ports
from bosun.spec.v1alpha1 import environment
from bosun.targets.local import serving as local_serving
from bosun.targets.local import target as local_target


def repo_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--repo",
        default=".",
        show_default=True,
        metavar="R",
        help="The watched repository: a local path or a URL git can clone. bosun reads it "
        "through its own mirror under the state directory; your working tree is not touched.",
    )(func)


def fail(command: str, message: str) -> NoReturn:
    sys.stderr.write(f"bosun {command}: {message}\n")
    sys.exit(cli.EXIT_INVALID)


def open_all(repo: str, state_dir: str) -> tuple[Path, source.Mirror, state.Store]:
    root = Path(state_dir).resolve()
    root.mkdir(parents=True, exist_ok=True)
    return root, source.Mirror(url=repo, state_dir=root), state.Store(root)


def kubeconfig_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--kubeconfig",
        metavar="PATH",
        help="kubeconfig of environments whose target is kubernetes (default: $KUBECONFIG, "
        "then ~/.kube/config, then the pod's service account); each environment's "
        "target.context picks its context.",
    )(func)


def adapters(state_dir: Path, *, kubeconfig: str | None = None) -> reconcile.Adapters:
    store: list[state.Store] = []

    def applied(env: str) -> Callable[[], Mapping[Any, Mapping[str, Any]]]:
        if not store:
            store.append(state.Store(state_dir))
        return lambda: store[0].applied(env)

    def target(env: str, spec: environment.EnvironmentSpec) -> ports.Target:
        if spec.target.type == "kubernetes":
            return kubernetes_target(env, spec, applied=applied(env), kubeconfig=kubeconfig)
        manager = local_serving.ServingManager(
            state_dir=state_dir, env=env, tracking_uri=common.tracking_uri(None, state_dir)
        )
        return local_target.LocalTarget(state_dir=state_dir, env=env, serving=manager)

    def tracking_uri(spec: environment.EnvironmentSpec) -> str:
        return common.tracking_uri(spec.tracking.uri, state_dir)

    return reconcile.Adapters(
        target=target, tracking_uri=tracking_uri, registry=registry_for(state_dir)
    )


def kubernetes_target(
    env: str,
    spec: environment.EnvironmentSpec,
    *,
    applied: Callable[[], Mapping[Any, Mapping[str, Any]]],
    kubeconfig: str | None,
) -> ports.Target:
    """The cluster of the environment's ``target.context``; the client is imported here only,
    never by ``bosun validate``."""
    from bosun.targets.kubernetes import api, config  # noqa: PLC0415 - the kubernetes client
    from bosun.targets.kubernetes import target as kubernetes  # noqa: PLC0415

    assert isinstance(spec.target, environment.KubernetesTarget)
    try:
        client = config.connect(kubeconfig, spec.target.context)
    except config.ConfigError as error:
        raise ports.TargetError(str(error)) from None
    return kubernetes.KubernetesTarget(
        api=api.Api(client),
        env=env,
        applied=applied,
        force_conflicts=spec.target.forceConflicts,
        self_heal=spec.policy.selfHeal,
    )


def stop_serving(state_dir: Path) -> int:
    """Stop the local serving processes of every environment under ``state_dir`` (the
    controller's exit); returns how many were running. Their records stay: the next reconcile
    starts them again on the same ports."""
    return local_serving.stop_everything(state_dir)


def registry_for(
    state_dir: Path,
) -> Callable[[str, environment.EnvironmentSpec | None], ports.Registry]:
    """The registry of an environment, from its tracking URI: the embedded store's, or where
    a local environment names its own server, that server's aliases over the embedded store's
    versions (``tracking.registry.MirroredRegistry``: promoted versions are copied there). A
    Kubernetes environment's runs register in its own server: versions and aliases are there."""
    embedded = common.tracking_uri(None, state_dir)

    def registry(
        tracking_uri: str, spec: environment.EnvironmentSpec | None = None
    ) -> ports.Registry:
        own = spec is not None and spec.target.type == "kubernetes"
        return LazyRegistry(tracking_uri, source_uri=tracking_uri if own else embedded)

    return registry


class LazyRegistry:
    """The MLflow registry, imported on first use: an environment without ServingTargets
    reconciles without paying for MLflow's import."""

    def __init__(self, tracking_uri: str, *, source_uri: str | None = None) -> None:
        self.tracking_uri = tracking_uri
        self.source_uri = source_uri or tracking_uri
        self._registry: ports.Registry | None = None
        self.writes = 0

    @property
    def real(self) -> ports.Registry:
        if self._registry is None:
            from bosun.tracking import registry  # noqa: PLC0415 - seconds of MLflow imports

            if self.source_uri == self.tracking_uri:
                self._registry = registry.MlflowRegistry(self.tracking_uri)
            else:
                self._registry = registry.MirroredRegistry(self.source_uri, self.tracking_uri)
        return self._registry

    def version(self, model: str, version: str) -> ports.VersionInfo | None:
        return self.real.version(model, version)

    def alias(self, model: str, alias: str) -> str | None:
        return self.real.alias(model, alias)

    def set_alias(self, model: str, alias: str, version: str) -> None:
        self.real.set_alias(model, alias, version)
        self.writes = self.real.writes

    def tag_version(self, model: str, version: str, tags: Mapping[str, str]) -> None:
        self.real.tag_version(model, version, tags)
        self.writes = self.real.writes
