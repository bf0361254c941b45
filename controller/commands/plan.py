"""``bosun plan``: what reconciling a revision would change in an environment, computed against
the state store's record of what is applied (no cluster credentials): the pull-request check."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NoReturn

import click
from bosun import cli
from bosun.commands import gitops_common, options
from bosun.gitops import desired, reconcile, source, state
from bosun.plan import objects, ports
from bosun.reporters import plan_text

EPILOG = """\b
Examples:
  bosun plan --env production --rev origin/promote/wine-classifier-v4 --format markdown
  bosun plan --env dev --format json | jq '.actions[] | .object'

\b
Exit status: 0 (also when there are changes), 1 the revision does not validate, 2 usage error.
"""


class Recorded:
    """The environment as the state store records it, standing in for the target (read-only)."""

    writes = 0

    def __init__(self, store: state.Store, env: str) -> None:
        self._applied = store.applied(env)

    def live(self) -> Sequence[objects.LiveObject]:
        return [objects.LiveObject(k, b) for k, b in self._applied.items()]

    def preflight(self, planned: Iterable[Mapping[str, Any]]) -> str | None:
        return None

    def apply(self, obj: Mapping[str, Any]) -> None:
        raise RuntimeError("bosun plan never writes")

    def delete(self, key: objects.ObjectKey) -> None:
        raise RuntimeError("bosun plan never writes")

    def submit(self, run: ports.RunRequest) -> None:
        raise RuntimeError("bosun plan never writes")

    def run_state(self, name: str) -> ports.RunState | None:
        return None


@click.command("plan", epilog=EPILOG)
@click.option("--env", required=True, metavar="ENV", help="Environment to plan for.")
@gitops_common.repo_option
@click.option("--rev", metavar="REV", help="Revision to plan (default: the environment's branch).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="markdown: a pull-request comment grouped by team.",
)
@options.state_dir("mirror and state store.")
def command(
    *, env: str, repo: str, rev: str | None, output_format: str, state_dir: str
) -> NoReturn:
    """Show what reconciling REV would create, update, delete, run and alias in ENV."""
    root, mirror, store = gitops_common.open_all(repo, state_dir)
    try:
        mirror.fetch()
        bound = desired.bindings(mirror).get(env)
        if bound is None and rev is None:
            gitops_common.fail("plan", f"no branch declares environment '{env}'")
        commit = mirror.resolve(rev) if rev else bound.commit  # type: ignore[union-attr]
    except source.SourceError as error:
        gitops_common.fail("plan", str(error))
    binding = desired.Binding(env, bound.branch if bound else (rev or ""), commit)
    checked = desired.validated(mirror, commit, env)
    if isinstance(checked, desired.Rejected):
        _rejected(checked)
    adapters = gitops_common.adapters(root)
    spec = checked.environment.spec
    ctx = reconcile.Context(env, mirror, store, root, adapters, lambda text: None)
    tracking_uri = adapters.tracking_uri(spec)
    made = reconcile.compute_plan(
        ctx,
        binding,
        checked=checked,
        target=Recorded(store, env),
        registry=adapters.registry(tracking_uri, checked.environment.spec),
        tracking_uri=tracking_uri,
        dry_run=True,
    )
    if isinstance(made, reconcile.Outcome):
        gitops_common.fail("plan", made.error or "cannot plan")
    if output_format == "json":
        sys.stdout.write(plan_text.json_document(made))
    elif output_format == "markdown":
        sys.stdout.write(plan_text.markdown(made))
    else:
        sys.stdout.write(plan_text.text(made, color=sys.stdout.isatty()))
    sys.exit(cli.EXIT_OK)


def _rejected(rejected: desired.Rejected) -> NoReturn:
    for d in rejected.documents():
        where = f"{d['file']}:{d['line']}:{d['column']}: " if d["file"] else ""
        sys.stderr.write(f"{where}{d['severity']} {d['code']}: {d['message']}\n")
    sys.stderr.write(f"bosun plan: {rejected.summary()}\n")
    sys.exit(cli.EXIT_INVALID)
