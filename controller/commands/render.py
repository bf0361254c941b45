"""``bosun render``: validate the manifests under PATH and print (or write) every object that
reconciling an environment would apply: Namespaces, quotas, Argo templates and workflows, and
KServe InferenceServices."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys
from typing import Any, NoReturn

import click
from bosun import cli, diagnostics, render, reporters
from bosun.load import positions, sources
from bosun.render import emit
from bosun.validate import engine

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
@click.option(
    "--state-dir",
    envvar="BOSUN_STATE_DIR",
    default=".bosun",
    show_default=True,
    type=click.Path(file_okay=False),
    help="State directory (env BOSUN_STATE_DIR); an environment without a tracking URI uses "
    "its MLflow store, sqlite:///<state-dir>/mlflow.db.",
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
) -> None:
    """Render the manifests under PATH (default: .) for environment ENV.

    The manifests are validated first (with ENV's policy); invalid manifests print the same
    diagnostics as 'bosun validate' and nothing is rendered. Output is deterministic: objects
    are ordered by kind (in the order they can be applied), namespace and name, with sorted
    keys, so two renders of the same commit are byte-identical.
    """
    if out is not None and output_format == "json":
        raise click.UsageError("--format json prints one List; it cannot be combined with --out")
    loaded = sources.load_paths([path])
    result = engine.validate_loaded(loaded, engine.Options(environment=environment))
    if not result.valid:
        _report(result.diagnostics, result, loaded.texts)
    head, current = _revision(pathlib.Path(path))
    env = result.catalog.environments()[environment]
    tracking = (
        env.spec.tracking.uri or f"sqlite:///{pathlib.Path(state_dir).resolve() / 'mlflow.db'}"
    )
    options = render.RenderOptions(
        tracking_uri=tracking,
        system_image=system_image,
        source_root=sources.display_path(pathlib.Path(path)),
    )
    source = render.Source(commit or head, branch or current, repo_url)
    try:
        rendered = render.render_result(
            result.catalog, environment, source, render.StaticResolver(), options
        )
    except render.RenderError as error:
        _report(positions.locate(error.diagnostics, loaded.texts), result, loaded.texts)
    if rendered.warnings:
        located = positions.locate(rendered.warnings, loaded.texts)
        report = reporters.Report(located, result.documents, result.files, loaded.texts)
        sys.stderr.write(reporters.render("text", report, color=sys.stderr.isatty()))
    _output(rendered.objects, out, output_format)
    sys.exit(cli.EXIT_OK)


def _output(objects: list[dict[str, Any]], out: pathlib.Path | None, output_format: str) -> None:
    if out is not None:
        written = _write(out, objects)
        sys.stderr.write(f"wrote {written} objects to {out}\n")
    elif output_format == "json":
        listing = {"apiVersion": "v1", "kind": "List", "items": objects}
        sys.stdout.write(json.dumps(listing, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(emit.stream(objects))


def _revision(path: pathlib.Path) -> tuple[str, str | None]:
    """(HEAD commit, current branch) of the repository holding ``path``; ``unversioned`` and
    None outside one."""

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(path), *args], capture_output=True, text=True, check=False
            )
        except OSError:
            return None
        return done.stdout.strip() or None if done.returncode == 0 else None

    return git("rev-parse", "--verify", "-q", "HEAD") or "unversioned", git(
        "symbolic-ref", "--short", "-q", "HEAD"
    )


def _report(
    found: list[diagnostics.Diagnostic], result: engine.Result, texts: dict[str, str]
) -> NoReturn:
    report = reporters.Report(found, result.documents, result.files, texts)
    sys.stderr.write(reporters.render("text", report, color=sys.stderr.isatty()))
    sys.exit(cli.EXIT_INVALID)


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
