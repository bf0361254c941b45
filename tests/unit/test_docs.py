"""docs/ match the code: the diagnostic catalogue, the CLI options, the pre-commit hook."""

from __future__ import annotations

import pathlib
import re

import click
import pytest
import yaml
from bosun import diagnostics
from bosun.commands import install, schema, validate

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_diagnostics_page_lists_exactly_the_catalogue() -> None:
    text = (ROOT / "docs/diagnostics.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `(BOS\d{3})` \| (.+?) \|", text, re.MULTILINE))
    missing = sorted(set(diagnostics.CODES) - set(rows))
    extra = sorted(set(rows) - set(diagnostics.CODES))
    assert (missing, extra) == ([], []), "add a row to docs/diagnostics.md for each new code"
    wrong = {code: rows[code] for code in rows if rows[code] != diagnostics.CODES[code]}
    assert wrong == {}, "the meaning column repeats bosun.diagnostics.CODES word for word"


@pytest.mark.parametrize(
    "command",
    [validate.command, schema.export, schema.check, install.command],
    ids=lambda c: c.name,
)
def test_cli_reference_documents_every_option(command: click.Command) -> None:
    text = (ROOT / "docs/cli.md").read_text(encoding="utf-8")
    for parameter in command.params:
        for option in parameter.opts:
            if option.startswith("--"):
                assert f"`{option}" in text, f"docs/cli.md does not document {option}"


def test_cli_reference_shows_every_format() -> None:
    text = (ROOT / "docs/cli.md").read_text(encoding="utf-8")
    choices = validate.command.params[2]
    assert isinstance(choices.type, click.Choice)
    for name in choices.type.choices:
        assert f"**{name}**" in text


def test_pre_commit_hook_validates_the_whole_repository() -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "bosun-validate"
    assert hook["entry"] == "bosun validate"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    assert files.search("teams/quality/pipeline.yaml") and files.search("x/.bosunignore")
    assert not files.search("README.md")
