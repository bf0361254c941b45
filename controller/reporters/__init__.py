"""Output formats for diagnostics: text, json, sarif and github.

Each format is a module with a pure ``render(report, *, color) -> str``; ``render`` imports only the
one that is asked for, so that ``bosun validate`` pays for no formatter it does not use.
"""

from __future__ import annotations

import functools
import importlib
import re
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Protocol

from bosun import diagnostics

FORMATS: dict[str, str] = {
    "text": "bosun.reporters.text",
    "json": "bosun.reporters.json_report",
    "sarif": "bosun.reporters.sarif",
    "github": "bosun.reporters.github",
}
"""``--format`` value → module defining ``render``."""

Diagnostic = diagnostics.Diagnostic


class Report(typing.NamedTuple):
    """What a reporter needs: the diagnostics, what was checked, and the text of the files."""

    diagnostics: Sequence[Diagnostic]
    documents: int
    """Documents that were parsed (and so schema-checked)."""
    files: int
    """Files that were read."""
    sources: Mapping[str, str] = types.MappingProxyType({})
    """Decoded text by file, for the source line under a diagnostic; files may be missing."""

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.sorted() if d.severity == "error"]

    @property
    def valid(self) -> bool:
        return not diagnostics.has_errors(self.diagnostics)

    def sorted(self) -> list[Diagnostic]:
        """By file, then line (DESIGN §3), then column and code."""
        return diagnostics.sort_diagnostics(self.diagnostics)

    def source_line(self, diagnostic: Diagnostic) -> str | None:
        """The 1-based ``line`` of the diagnostic's file, without its line break."""
        text = self.sources.get(diagnostic.file)
        if text is None or diagnostic.line < 1:
            return None
        lines = _lines(text)
        return lines[diagnostic.line - 1] if diagnostic.line <= len(lines) else None


_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


@functools.lru_cache(maxsize=16)
def _lines(text: str) -> list[str]:
    """Lines as libyaml counts them (YAML 1.1 also breaks at NEL, LS and PS)."""
    return _LINE_BREAK.split(text)


class Renderer(Protocol):
    def __call__(self, report: Report, *, color: bool = False) -> str: ...


def render(output_format: str, report: Report, *, color: bool = False) -> str:
    """The report in ``output_format`` (a key of ``FORMATS``), ending with a line break."""
    module = importlib.import_module(FORMATS[output_format])
    renderer: Renderer = module.render
    return renderer(report, color=color)


def summary(report: Report) -> str:
    """``2 errors in 1 file (12 documents checked)`` or ``12 documents valid``."""
    found = report.sorted()
    errors = sum(1 for d in found if d.severity == "error")
    warnings = len(found) - errors
    documents = _plural(report.documents, "document")
    if not found:
        if report.files == 0:
            return "no manifests found (0 YAML files)"
        return f"{documents} valid"
    counts = [_plural(n, word) for n, word in ((errors, "error"), (warnings, "warning")) if n]
    named = {d.file for d in found if d.file}
    where = f" in {_plural(len(named), 'file')}" if named else ""
    return f"{' and '.join(counts)}{where} ({documents} checked)"


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"
