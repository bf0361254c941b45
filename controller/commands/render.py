"""``bosun render``: validate the manifests under PATH and print (or write) every object that
reconciling an environment would apply: Namespaces, quotas, Argo templates and workflows, and
KServe InferenceServices."""

from __future__ import annotations

import hashlib
import json
import pathlib
import re
import sys
from typing import Any

import click
from bosun import cli, render
from bosun.commands import common, options
from bosun.gitops import worktree
from bosun.load import positions, sources
from bosun.render import emit, values
from bosun.tracking import port, store

EPILOG = """\b
Examples:
  bosun render --env dev                        # one YAML stream on stdout
  bosun render --env production --out rendered  # rendered/<Kind>/<namespace>/<name>.yaml
  bosun render --env dev | kubectl apply --server-side --field-manager bosun -f -
  bosun render --env production --repo-url https://github.com/acme/ml-platform.git

\b
Exit status: 0 rendered, 1 invalid manifests (diagnostics on stderr), 2 usage error
(a bad option value, an --out that cannot be written, uncommitted changes with --repo-url).
Without --resolve-models, model versions are not looked up: ServingTargets point at
models:/<model>/<version> (see docs/render.md). Cluster-scoped objects are written under
_cluster/; an --out directory is never read back as manifests.
"""


@click.command("render", epilog=EPILOG)
@click.argument("path", default=".", type=click.Path(exists=True, file_okay=False))
@click.option("--env", "environment", required=True, metavar="ENV", help="Environment to render.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=pathlib.Path),
    help="Write one file per object, OUT/<Kind>/<namespace>/<name>.yaml, instead of printing. "
    "Files an earlier render wrote there (OUT/.bosun-render.json lists them) that are no longer "
    "produced, and unchanged since, are removed; no other file is.",
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
@click.option(
    "--commit",
    metavar="SHA",
    callback=options.checked(values.commit),
    help="Source commit, in hex (default: HEAD of PATH's repository).",
)
@click.option(
    "--branch",
    metavar="BRANCH",
    callback=options.checked(values.branch),
    help="Source branch (default: PATH's current branch).",
)
@click.option(
    "--repo-url",
    metavar="URL",
    callback=options.checked(values.repo_url),
    help="Repository that pods clone to /workspace (a git input artifact), at the commit; "
    "without it, steps get no source checkout. Refused when PATH has uncommitted changes.",
)
@click.option(
    "--allow-dirty",
    is_flag=True,
    help="Render with --repo-url although PATH has uncommitted changes (which the pods' "
    "checkout does not contain).",
)
@click.option(
    "--system-image",
    default=render.RenderOptions().system_image,
    show_default=True,
    metavar="IMAGE",
    callback=options.checked(values.image),
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
    allow_dirty: bool,
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
    excluded = [pathlib.Path(state_dir)] + ([out] if out is not None else [])
    tree = worktree.describe(pathlib.Path(path), exclude=excluded)
    source = _source(tree, commit, branch, repo_url, allow_dirty=allow_dirty)
    manifests = common.validated(path, environment)
    env = manifests.catalog.environments()[environment]
    tracking_uri = common.tracking_uri(env.spec.tracking.uri, state_dir)
    render_options = render.RenderOptions(
        tracking_uri=tracking_uri,
        system_image=system_image,
        source_root=sources.display_path(pathlib.Path(path)),
    )
    resolver = _resolver(resolve_models, tracking_uri)
    try:
        rendered = render.render_result(
            manifests.catalog, environment, source, resolver, render_options
        )
    except render.RenderError as error:
        manifests.fail(error.diagnostics)
    except port.TrackingError as error:
        raise click.ClickException(f"model registry at {tracking_uri}: {error}") from None
    if rendered.warnings:
        located = positions.locate(rendered.warnings, manifests.texts)
        common.write_diagnostics(located, manifests.result, manifests.texts)
    if source.dirty:
        sys.stderr.write(
            f"bosun render: warning: uncommitted changes in {tree.root}; the objects name "
            f"commit {source.commit}, which does not contain them\n"
        )
    _output(rendered.objects, out, output_format)
    sys.exit(cli.EXIT_OK)


def _source(
    tree: worktree.Source,
    commit: str | None,
    branch: str | None,
    repo_url: str | None,
    *,
    allow_dirty: bool,
) -> render.Source:
    """The revision the objects name: the options, else the working tree's HEAD and branch.
    Uncommitted changes are refused when pods check the commit out (``--repo-url``) unless
    allowed; the objects then say ``bosun.dev/source-dirty``."""
    commit = commit or tree.commit
    if branch is None and tree.branch is not None:
        problem = values.branch(tree.branch)
        if problem is not None:
            raise options.OptionError(
                f"the current branch of {tree.root}: {problem.message}; pass --branch"
            )
        branch = tree.branch
    if repo_url is not None and commit == values.UNVERSIONED:
        raise options.OptionError(
            f"--repo-url: pods clone the repository at the rendered commit, and {tree.root} "
            "has none (not a git repository, or no commit yet): pass --commit"
        )
    if tree.dirty and repo_url is not None and not allow_dirty:
        raise options.OptionError(
            f"uncommitted changes in {tree.root}: pods check out commit {commit} from "
            "--repo-url, which does not contain them; commit them, or pass --allow-dirty"
        )
    return render.Source(commit, branch, repo_url, dirty=tree.dirty)


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
        try:
            written, removed = _write(out, objects)
        except OSError as error:
            where = pathlib.Path(error.filename or out)
            inside = "" if where == out else f" (in --out {out})"
            reason = error.strerror or str(error)
            raise options.OptionError(f"cannot write {where}{inside}: {reason}") from None
        gone = f", removed {removed} it no longer renders" if removed else ""
        sys.stderr.write(f"wrote {written} objects to {out}{gone}\n")
    elif output_format == "json":
        listing = {"apiVersion": "v1", "kind": "List", "items": objects}
        sys.stdout.write(json.dumps(listing, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(emit.stream(objects))


INDEX = sources.RENDER_INDEX
"""In an ``--out`` directory: the files bosun wrote there, with the sha256 of what it wrote (and
what tells discovery not to read the directory as manifests)."""


def _write(out: pathlib.Path, objects: list[dict[str, Any]]) -> tuple[int, int]:
    """Write each object to its file, and remove the files that the previous render wrote, no
    longer produces, and that nobody changed since: only what bosun owns is pruned (the index
    says what it wrote). Returns (files written, files removed)."""
    files = emit.files(objects)
    previous = _read_index(out)
    out.mkdir(parents=True, exist_ok=True)
    for relative, text in files.items():
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
    removed = 0
    for relative, digest in sorted(previous.items()):
        stale = out / relative
        if relative in files or not stale.is_file() or _sha256(stale.read_bytes()) != digest:
            continue
        stale.unlink()
        removed += 1
        for folder in (stale.parent, stale.parent.parent):
            if folder != out and not any(folder.iterdir()):
                folder.rmdir()
    index = {"files": {r: _sha256(t.encode()) for r, t in sorted(files.items())}}
    (out / INDEX).write_text(json.dumps(index, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return len(files), removed


def _read_index(out: pathlib.Path) -> dict[str, str]:
    """Path → sha256 of each file the previous render wrote (none without a readable index).
    Only paths bosun writes, ``<Kind>/<namespace>/<name>.yaml``, are taken from it."""
    try:
        listed = json.loads((out / INDEX).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    if not isinstance(listed, dict):
        return {}
    return {
        relative: digest
        for relative, digest in listed.items()
        if isinstance(relative, str) and isinstance(digest, str) and _OUT_PATH.fullmatch(relative)
    }


_OUT_PATH = re.compile(
    rf"(?:{'|'.join(render.KIND_ORDER)})/[A-Za-z0-9_][-A-Za-z0-9_.]*/[A-Za-z0-9][-A-Za-z0-9.]*\.yaml"
)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
