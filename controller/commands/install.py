"""``bosun install``: print (or write) the objects that run ``bosun controller`` in a cluster, for
``kubectl apply``. Renders only: it reads no cluster and no manifests."""

from __future__ import annotations

import pathlib
import subprocess
import sys
from typing import Any, NoReturn

import click
from bosun import cli
from bosun.commands import options
from bosun.render import context, emit, install

EPILOG = """\b
Examples:
  bosun install --env production --repo https://github.com/acme/ml.git | kubectl apply -f -
  bosun install --env dev --image registry.acme.dev/bosun:0.1.0 --out deploy/bosun
  kubectl -n bosun-system create secret generic bosun-webhook --from-literal=secret=S3CRET

\b
Without --repo, the URL of the current repository's 'origin' remote. The webhook secret is read
from the Secret bosun-webhook (key 'secret') in the install namespace, which you create; none is
rendered. Exit status: 0 rendered, 2 usage error. docs/kubernetes.md explains each object.
"""


@click.command("install", epilog=EPILOG)
@click.option("--env", required=True, metavar="ENV", help="Environment the install is for.")
@click.option(
    "--repo",
    metavar="R",
    help="URL of the watched repository, which the controller clones (default: origin's URL).",
)
@click.option(
    "--image",
    default=context.DEFAULT_SYSTEM_IMAGE,
    show_default=True,
    metavar="IMAGE",
    help="The controller's image (the repository's Dockerfile builds it).",
)
@click.option(
    "--namespace",
    default=install.DEFAULT_NAMESPACE,
    show_default=True,
    metavar="NS",
    help="Namespace of the controller, its Lease and its Service.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=pathlib.Path),
    metavar="DIR",
    help="Write DIR/NN-<kind>-<name>.yaml, numbered in apply order, instead of printing.",
)
def command(
    *, env: str, repo: str | None, image: str, namespace: str, out: pathlib.Path | None
) -> NoReturn:
    """Render the Namespace, ServiceAccount, RBAC, Lease, Service and Deployment that run
    'bosun controller' (two replicas, leader-elected) for environment ENV."""
    spec = install.Install(env=env, repo=repo or _origin(), image=image, namespace=namespace)
    try:
        objects = install.render(spec)
    except install.InstallError as error:
        raise options.OptionError(str(error)) from None
    if out is None:
        sys.stdout.write(emit.stream(objects))
    else:
        _write(out, objects)
    sys.exit(cli.EXIT_OK)


def _origin() -> str:
    """The ``origin`` remote of the repository in the working directory."""
    try:
        done = subprocess.run(
            ["git", "remote", "get-url", "origin"],
            capture_output=True,
            text=True,
            check=False,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        done = None
    url = done.stdout.strip() if done is not None and done.returncode == 0 else ""
    if not url:
        raise options.OptionError(
            "--repo: no 'origin' remote here to default to: pass the URL the controller clones"
        )
    return url


def file_names(objects: list[dict[str, Any]]) -> list[str]:
    """``01-namespace-bosun-system.yaml``...: ``kubectl apply -f DIR`` reads them in this order."""
    return [
        f"{i:02d}-{obj['kind'].lower()}-{obj['metadata']['name']}.yaml"
        for i, obj in enumerate(objects, start=1)
    ]


def _write(out: pathlib.Path, objects: list[dict[str, Any]]) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, obj in zip(file_names(objects), objects, strict=True):
            (out / name).write_text(emit.document(obj), encoding="utf-8")
    except OSError as error:
        reason = error.strerror or str(error)
        raise options.OptionError(f"cannot write {error.filename or out}: {reason}") from None
    sys.stderr.write(f"wrote {len(objects)} objects to {out}\n")
