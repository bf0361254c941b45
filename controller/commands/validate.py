"""``bosun validate``: load and validate every manifest under the given paths, and report."""

from __future__ import annotations

import gc
import io
import os
import sys

import click
from bosun import cli, reporters
from bosun.commands import options
from bosun.load import sources
from bosun.validate import engine

EPILOG = """\b
Examples:
  bosun validate                          # every manifest under the current directory
  bosun validate teams/quality templates  # only these paths; what they reference must be there
  bosun validate --env production         # also enforce environments/production.yaml's policy
  bosun validate --format github          # annotations on a GitHub pull request
  bosun validate --format sarif > bosun.sarif
  bosun validate --format json | jq '.errors[] | .code'

\b
Exit status: 0 valid, 1 invalid, 2 usage or internal error.
Files and directories named in .bosunignore (gitignore-like patterns) are skipped.
"""


@click.command("validate", epilog=EPILOG)
@click.argument("paths", nargs=-1, type=click.Path(exists=True), metavar="[PATH]...")
@click.option(
    "--env",
    "environment",
    metavar="ENV",
    help="Also enforce the policy of the Environment named ENV (pinned images, allowed "
    "registries, pinned model versions, minimum gates).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(list(reporters.FORMATS)),
    default="text",
    show_default=True,
    help="text for people; json for scripts; sarif for code scanning; github for pull-request "
    "annotations in GitHub Actions.",
)
@click.option(
    "--max-file-size",
    type=click.IntRange(min=1),
    default=sources.DEFAULT_MAX_FILE_SIZE,
    show_default=True,
    metavar="BYTES",
    help="Refuse (without parsing) files larger than this.",
)
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Color the text format; auto colors a terminal unless NO_COLOR is set.",
)
@options.state_dir(
    "unused by validate; accepted, as by every bosun command, so scripts can pass it."
)
def command(
    paths: tuple[str, ...],
    *,
    environment: str | None,
    output_format: str,
    max_file_size: int,
    color: str,
    state_dir: str,
) -> None:
    """Validate the manifests under PATH (default: the current directory).

    Every *.yaml and *.yml file is read, each document is checked against the schema of its
    kind, and then all documents are checked together: references between them, the DAG of
    each pipeline, quotas, plaintext secrets and, with --env, an environment's policy.
    Validate the whole repository rather than the changed files: a change in one manifest can
    break a reference in another.
    """
    # A short-lived process that builds large acyclic trees: the cycle collector would only
    # re-scan them (a third of the CPU time on 5,000 manifests; docs/performance.md).
    gc.disable()
    # Third-party pydantic plugins do not observe manifest validation, whose result must not
    # depend on what else is installed; not scanning every package's entry points for them
    # also saves 8 ms of the cold start.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    loaded = sources.load_paths(list(paths) or ["."], max_file_size=max_file_size)
    result = engine.validate_loaded(loaded, engine.Options(environment=environment))
    report = reporters.Report(result.diagnostics, result.documents, result.files, loaded.texts)
    output = reporters.render(output_format, report, color=_use_color(color, output_format))
    if isinstance(sys.stdout, io.TextIOWrapper):
        # A report quotes the user's text; an ASCII-only terminal gets '?' rather than a crash.
        sys.stdout.reconfigure(errors="replace")
    sys.stdout.write(output)
    cli.finish(cli.EXIT_OK if result.valid else cli.EXIT_INVALID)


def _use_color(choice: str, output_format: str) -> bool:
    if output_format != "text" or choice == "never":
        return False
    if choice == "always":
        return True
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return bool(os.environ.get("FORCE_COLOR")) or sys.stdout.isatty()
