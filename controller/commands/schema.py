"""``bosun schema export`` / ``bosun schema check``: write, or verify byte for byte, the generated
JSON Schemas (and, with ``--docs``, the manifest reference pages). Generation lives in
``bosun.spec``; this module only writes and compares files."""

from __future__ import annotations

import pathlib
import sys

import click
from bosun import cli
from bosun.commands import options
from bosun.spec import reference_docs, schema_export

UNUSED = "unused by this command; accepted, as by every bosun command, so scripts can pass it."

_OUT = click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=pathlib.Path),
    default=pathlib.Path("schema"),
    show_default=True,
    help="Directory of the schemas: OUT/v1alpha1/<kind>.json and OUT/v1alpha1/all.json.",
)
_DOCS = click.option(
    "--docs",
    type=click.Path(file_okay=False, path_type=pathlib.Path),
    default=None,
    help="Also the reference pages: DIR/<kind>.md for each kind and DIR/README.md.",
)


@click.group("schema")
def command() -> None:
    """Export or check the JSON Schemas (draft 2020-12) of the manifest kinds.

    The schemas are generated from bosun's own models and committed, so that editors can
    validate manifests as you type with a modeline on a manifest's first line (docs/schema.md):

    \b
      # yaml-language-server: $schema=../../schema/v1alpha1/pipeline.json

    CI runs 'bosun schema check' to prove that the committed files are current.
    """


@command.command(
    "export", epilog="\b\nExample:\n  bosun schema export --out schema --docs docs/reference"
)
@_OUT
@_DOCS
@options.state_dir(UNUSED)
def export(out: pathlib.Path, docs: pathlib.Path | None, state_dir: str) -> None:
    """Write the schemas (and reference pages), replacing stale ones."""
    written = 0
    for path, text in expected_files(out, docs).items():
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written += 1
            click.echo(f"wrote {path}")
    for path in unexpected_files(out, docs):
        path.unlink()
        click.echo(f"removed {path} (no longer generated)")
    if not written:
        click.echo("all generated files are up to date")


@command.command(
    "check", epilog="\b\nExample (as CI runs it):\n  bosun schema check --docs docs/reference"
)
@_OUT
@_DOCS
@options.state_dir(UNUSED)
def check(out: pathlib.Path, docs: pathlib.Path | None, state_dir: str) -> None:
    """Exit 1, naming the stale files, when the committed files differ from the models."""
    stale = [
        f"{path}: {'missing' if not path.is_file() else 'out of date'}"
        for path, text in expected_files(out, docs).items()
        if not path.is_file() or path.read_text(encoding="utf-8") != text
    ]
    stale += [f"{path}: no longer generated" for path in unexpected_files(out, docs)]
    if not stale:
        click.echo("schemas are up to date" + (" (and reference pages)" if docs else ""))
        sys.exit(cli.EXIT_OK)
    for line in stale:
        click.echo(f"stale: {line}", err=True)
    regenerate = f"bosun schema export --out {out}" + (f" --docs {docs}" if docs else "")
    click.echo(f"run '{regenerate}' and commit the result", err=True)
    sys.exit(cli.EXIT_INVALID)


def expected_files(out: pathlib.Path, docs: pathlib.Path | None) -> dict[pathlib.Path, str]:
    files = {out / name: text for name, text in schema_export.export().items()}
    if docs is not None:
        files.update({docs / name: text for name, text in reference_docs.pages().items()})
    return files


def unexpected_files(out: pathlib.Path, docs: pathlib.Path | None) -> list[pathlib.Path]:
    """Generated files that generation no longer produces: any ``.json`` in the schema
    directory, and only pages that carry the generated marker among the docs."""
    expected = set(expected_files(out, docs))
    directories = {path.parent for path in expected}
    return [
        path
        for directory in sorted(directories)
        if directory.is_dir()
        for path in sorted(directory.iterdir())
        if path not in expected and _is_generated(path)
    ]


def _is_generated(path: pathlib.Path) -> bool:
    if not path.is_file():
        return False
    if path.suffix == ".json":
        return True
    if path.suffix != ".md":
        return False
    with path.open(encoding="utf-8", errors="replace") as file:
        return file.readline().rstrip("\n") == reference_docs.MARKER
