"""``bosun promote MODEL --version N``: write the promotion of a model version as a commit on a new
branch off ``production``, ready for the pull request whose merge is the promotion."""

from __future__ import annotations

import pathlib
import sys

import click
from bosun import cli
from bosun.commands import common, options
from bosun.gitops import promote
from bosun.plan import ports
from bosun.tracking import registry, store

EPILOG = """\b
Examples:
  bosun promote wine-classifier --version 4
  bosun promote wine-classifier --version 4 --repo ../ml-platform

\b
Exit status: 0 branch created, 1 refused (no such version, a gate fails, no production branch,
the branch exists already), 2 usage error. The working tree, HEAD and production are untouched.
"""


@click.command("promote", epilog=EPILOG)
@click.argument("model")
@click.option("--version", "version", required=True, metavar="N", help="Version to promote.")
@click.option(
    "--repo",
    default=".",
    show_default=True,
    type=click.Path(file_okay=False, path_type=pathlib.Path),
    help="The git repository of the manifests.",
)
@click.option(
    "--tracking-uri",
    envvar="MLFLOW_TRACKING_URI",
    default=None,
    help="MLflow registry to read versions from (default: the state directory's store).",
)
@options.state_dir("without --tracking-uri, versions are read from <state-dir>/mlflow.db.")
def command(
    model: str, version: str, repo: pathlib.Path, tracking_uri: str | None, state_dir: str
) -> None:
    """Branch promote/MODEL-vN off production, pinning version N for production."""
    embedded = common.tracking_uri(tracking_uri, state_dir)
    database = store.sqlite_path(embedded)
    if database is not None and not database.is_file():
        sys.stderr.write(f"bosun promote: no MLflow store at {database} (see --tracking-uri)\n")
        cli.finish(cli.EXIT_INVALID)

    def registry_for(production_uri: str | None) -> ports.Registry:
        """Versions from the store they were registered in; production's alias from its own
        server when its Environment names one (what its reconcile will compare against)."""
        if production_uri is None or production_uri == embedded:
            return registry.MlflowRegistry(embedded)
        return registry.MirroredRegistry(embedded, production_uri)

    try:
        done = promote.promote(
            repo_path=repo, model=model, version=version, registry_for=registry_for
        )
    except promote.PromotionError as error:
        sys.stderr.write(f"bosun promote: {error}\n")
        cli.finish(cli.EXIT_INVALID)
    current = f"v{done.current.version}" if done.current else "nothing"
    click.echo(f"Created {done.branch} ({done.commit[:12]}): {model} {current} -> v{version}")
    for path in done.files:
        click.echo(f"  pinned in {path}")
    click.echo("Next steps:")
    click.echo(f"  git -C {repo} push origin {done.branch}")
    click.echo(f"  open a pull request from {done.branch} into production; its merge promotes")
    cli.finish(cli.EXIT_OK)
