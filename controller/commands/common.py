"""What the commands that act on manifests share: loading and validating them, with the
diagnostics printed (and exit 1) when they are invalid, and the default tracking URI."""

from __future__ import annotations

import dataclasses
import pathlib
import sys
from collections.abc import Sequence
from typing import NoReturn

from bosun import cli, diagnostics, reporters
from bosun.load import positions, sources
from bosun.spec import catalog
from bosun.tracking import store
from bosun.validate import engine


@dataclasses.dataclass(frozen=True)
class Validated:
    """Manifests that passed ``bosun validate`` (with the environment's policy)."""

    result: engine.Result
    texts: dict[str, str]

    @property
    def catalog(self) -> catalog.Catalog:
        return self.result.catalog

    def fail(self, found: Sequence[diagnostics.Diagnostic]) -> NoReturn:
        """Report diagnostics found after validation (render's own) against the same files."""
        exit_with(positions.locate(list(found), self.texts), self.result, self.texts)


def validated(path: str, environment: str) -> Validated:
    """The manifests under ``path``, valid for ``environment``; otherwise print the
    diagnostics on stderr as ``bosun validate`` would and exit 1."""
    loaded = sources.load_paths([path])
    result = engine.validate_loaded(loaded, engine.Options(environment=environment))
    if not result.valid:
        exit_with(result.diagnostics, result, loaded.texts)
    return Validated(result, dict(loaded.texts))


def exit_with(
    found: Sequence[diagnostics.Diagnostic], result: engine.Result, texts: dict[str, str]
) -> NoReturn:
    write_diagnostics(found, result, texts)
    sys.exit(cli.EXIT_INVALID)


def write_diagnostics(
    found: Sequence[diagnostics.Diagnostic], result: engine.Result, texts: dict[str, str]
) -> None:
    report = reporters.Report(found, result.documents, result.files, texts)
    sys.stderr.write(reporters.render("text", report, color=sys.stderr.isatty()))


def tracking_uri(configured: str | None, state_dir: str | pathlib.Path) -> str:
    """The environment's tracking URI, or the embedded sqlite store of the state directory."""
    return configured or store.tracking_uri(pathlib.Path(state_dir))
