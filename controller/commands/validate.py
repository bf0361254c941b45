"""``bosun validate``: load and validate every manifest under the given paths."""

from __future__ import annotations

import sys

import click
from bosun import cli
from bosun.load import sources
from bosun.validate import engine


@click.command("validate")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--env", "environment", help="Also enforce this environment's policy.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "sarif", "github"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--max-file-size",
    type=click.IntRange(min=1),
    default=sources.DEFAULT_MAX_FILE_SIZE,
    show_default=True,
    help="Refuse files larger than this many bytes.",
)
def command(
    paths: tuple[str, ...], environment: str | None, output_format: str, max_file_size: int
) -> None:
    """Validate manifests under PATHS (default: the current directory).

    Exit status: 0 valid, 1 invalid, 2 usage or internal error.
    """
    loaded = sources.load_paths(list(paths) or ["."], max_file_size=max_file_size)
    result = engine.validate_loaded(loaded, engine.Options(environment=environment))
    for d in result.diagnostics:
        sys.stdout.write(f"{d.file}:{d.line}:{d.column}: {d.code} {d.message} [{d.path}]\n")
    sys.exit(cli.EXIT_OK if result.valid else cli.EXIT_INVALID)
