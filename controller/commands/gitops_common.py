"""What the GitOps commands share: the adapters the reconcile loop drives (the local target,
the MLflow registry, the tracking URI), opened from ``--repo`` and ``--state-dir``."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click
from bosun import cli
from bosun.commands import common
from bosun.gitops import reconcile, source, state
from bosun.plan import ports
from bosun.spec.v1alpha1 import environment
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


def adapters(state_dir: Path) -> reconcile.Adapters:
    def target(env: str, spec: environment.EnvironmentSpec) -> ports.Target:
        if spec.target.type != "local":
            raise source.SourceError(
                f"environment {env}: target type {spec.target.type!r} is not supported here"
            )
        return local_target.LocalTarget(state_dir=state_dir, env=env)

    def tracking_uri(spec: environment.EnvironmentSpec) -> str:
        return common.tracking_uri(spec.tracking.uri, state_dir)

    return reconcile.Adapters(target=target, tracking_uri=tracking_uri)
