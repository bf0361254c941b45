"""``bosun render``: validate the manifests under PATH and print (or write) every object that
reconciling an environment would apply: Namespaces, quotas, Argo templates and workflows, and
KServe InferenceServices."""

from __future__ import annotations

import json
import pathlib
import sys
from typing import Any

import click
from bosun import cli, render
from bosun.commands import common, options
from bosun.gitops import worktree
from bosun.load import positions, sources
from bosun.render import emit
from bosun.tracking import port, store

EPILOG = """\b
Examples:
  bosun render --env dev                        # one YAML stream on stdout
  bosun render --env production --out rendered  # rendered/<Kind>/<namespace>/<name>.yaml
  bosun render --env dev | kubectl apply --server-side --field-manager bosun -f -
  bosun render --env production --repo-url https://github.com/acme/ml-platform.git

\b
Exit status: 0 rendered, 1 invalid manifests (diagnostics on stderr), 2 usage error.
Model versions are not looked up: ServingTargets point at models:/<model>/<version>
(see docs/render.md). Cluster-scoped objects are written under _cluster/.
"""


@click.command("render", epilog=EPILOG)
@click.argument("path", default=".", type=click.Path(exists=True, file_okay=False))
@click.option("--env", "environment", required=True, metavar="ENV", help="Environment to render.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=pathlib.Path),
    help="Write one file per object, OUT/<Kind>/<namespace>/<name>.yaml, instead of printing. "
    "Files of earlier renders that are no longer produced are removed.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["yaml", "json"]),
    default="yaml",
    show_default=True,
    help="yaml: a multi-document stream; json: one Kubernetes List (stdout only).",
)
@options.state_dir(
    "an environment without a tracking URI uses its MLflow store, sqlite:///<state-dir>/mlflow.db."
)
@click.option("--commit", metavar="SHA", help="Source commit (default: HEAD of PATH's repository).")
@click.option("--branch", metavar="BRANCH", help="Source branch (default: PATH's current branch).")
@click.option(
    "--repo-url",
    metavar="URL",
    help="Repository that pods clone to /workspace (a git input artifact); without it, steps "
    "get no source checkout.",
)
@click.option(
    "--system-image",
    default=render.RenderOptions().system_image,
    show_default=True,
    metavar="IMAGE",
    help="Image of bosun's system steps (MLflow bookkeeping).",
)
@click.option(
    "--resolve-models",
    is_flag=True,
    help="Ask the environment's MLflow registry for each ServingTarget's version ('latest' "
    "becomes a number) and point storageUri at the version's files, which KServe can download. "
    "Without it, storageUri is models:/<model>/<version> and nothing is looked up.",
)
def command(
    *,
    path: str,
    environment: str,
    out: pathlib.Path | None,
    output_format: str,
    state_dir: str,
    commit: str | None,
    branch: str | None,
    repo_url: str | None,
    system_image: str,
    resolve_models: bool,
) -> None:
    """Render the manifests under PATH (default: .) for environment ENV.

    The manifests are validated first (with ENV's policy); invalid manifests print the same
    diagnostics as 'bosun validate' and nothing is rendered. Output is deterministic: objects
    are ordered by kind (in the order they can be applied), namespace and name, with sorted
    keys, so two renders of the same commit are byte-identical.
    """
    if out is not None and output_format == "json":
        raise click.UsageError("--format json prints one List; it cannot be combined with --out")
    manifests = common.validated(path, environment)
    tree = worktree.describe(pathlib.Path(path))
    env = manifests.catalog.environments()[environment]
    tracking_uri = common.tracking_uri(env.spec.tracking.uri, state_dir)
    options = render.RenderOptions(
        tracking_uri=tracking_uri,
        system_image=system_image,
        source_root=sources.display_path(pathlib.Path(path)),
    )
    source = render.Source(commit or tree.commit, branch or tree.branch, repo_url)
    try:
        rendered = render.render_result(
            manifests.catalog, environment, source, _resolver(resolve_models, tracking_uri), options
        )
    except render.RenderError as error:
        manifests.fail(error.diagnostics)
    except port.TrackingError as error:
        raise click.ClickException(f"model registry at {tracking_uri}: {error}") from None
    if rendered.warnings:
        located = positions.locate(rendered.warnings, manifests.texts)
        common.write_diagnostics(located, manifests.result, manifests.texts)
    _output(rendered.objects, out, output_format)
    sys.exit(cli.EXIT_OK)


def _resolver(registry: bool, tracking_uri: str) -> render.ModelResolver:
    if not registry:
        return render.StaticResolver()
    database = store.sqlite_path(tracking_uri)
    if database is not None and not database.is_file():
        raise click.ClickException(
            f"no MLflow store at {database}: run an experiment first (bosun run), or render "
            "without --resolve-models"
        )
    from bosun.tracking import mlflow_tracker, resolver  # noqa: PLC0415 - MLflow costs ~2 s

    return resolver.RegistryResolver(mlflow_tracker.MlflowTracker(tracking_uri))


def _output(objects: list[dict[str, Any]], out: pathlib.Path | None, output_format: str) -> None:
    if out is not None:
        written = _write(out, objects)
        sys.stderr.write(f"wrote {written} objects to {out}\n")
    elif output_format == "json":
        listing = {"apiVersion": "v1", "kind": "List", "items": objects}
        sys.stdout.write(json.dumps(listing, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(emit.stream(objects))


def _write(out: pathlib.Path, objects: list[dict[str, Any]]) -> int:
    """Write each object to its file; remove files of earlier renders that are gone now."""
    files = emit.files(objects)
    for relative, text in files.items():
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
    for kind in render.KIND_ORDER:
        for stale in sorted((out / kind).glob("*/*.yaml")):
            if stale.relative_to(out).as_posix() not in files:
                stale.unlink()
    return len(files)
