"""The human format: ``file:line:col: CODE message``, the source line with a caret, the hint, and
a summary line. Colors are plain ANSI escapes (importing rich would cost more than validating)."""

from __future__ import annotations

import re

from bosun import diagnostics, reporters

_RESET = "\x1b[0m"
_STYLES = {"bold": "\x1b[1m", "red": "\x1b[1;31m", "yellow": "\x1b[1;33m", "cyan": "\x1b[36m"}
_DIM = "\x1b[2m"
_TOKEN = re.compile(r"(?:[^\s,\[\]{}:]|:(?![\s,\]}]|$))+")
"""The word under the caret: a key without its colon, or a scalar."""
_MAX_SHOWN_LINE = 200
"""A longer source line is cut around the caret, so that minified YAML stays readable."""


def render(report: reporters.Report, *, color: bool = False) -> str:
    out: list[str] = []
    for diagnostic in report.sorted():
        out.extend(_diagnostic(diagnostic, report.source_line(diagnostic), color))
    summary = reporters.summary(report)
    if not report.valid:
        out.append(_paint(summary, "red" if color else None))
    else:
        out.append(summary)
    return "\n".join(out) + "\n"


def _diagnostic(d: diagnostics.Diagnostic, source: str | None, color: bool) -> list[str]:
    level = "red" if d.severity == "error" else "yellow"
    where = f"{d.file}:{d.line}:{d.column}: " if d.line else f"{d.file}: " if d.file else ""
    lines = [
        f"{_paint(where, 'bold' if color else None)}"
        f"{_paint(d.code, level if color else None)} {d.message}"
    ]
    if source is not None and d.column >= 1:
        lines.extend(_snippet(d.line, d.column, source, level if color else None))
    if d.hint:
        lines.append(f"  {_paint('hint:', 'cyan' if color else None)} {d.hint}")
    return lines


def _snippet(line: int, column: int, source: str, style: str | None) -> list[str]:
    """The source line under a gutter, and a caret under the column (tabs kept as tabs)."""
    source = source.rstrip()
    start = max(0, min(column - 1, len(source)) - _MAX_SHOWN_LINE // 2)
    shown = source[start : start + _MAX_SHOWN_LINE]
    prefix = "…" if start else ""
    suffix = "…" if start + _MAX_SHOWN_LINE < len(source) else ""
    offset = column - 1 - start
    token = _TOKEN.match(shown, offset) if offset < len(shown) else None
    width = max(1, min(token.end() - offset, 40)) if token else 1
    padding = "".join(c if c == "\t" else " " for c in shown[:offset])
    gutter = f"{line:>5} | "
    blank = " " * (len(gutter) - 2) + "| "
    dim = _DIM if style else ""
    reset = _RESET if style else ""
    return [
        f"{dim}{gutter}{reset}{prefix}{shown}{suffix}",
        f"{dim}{blank}{reset}{' ' * len(prefix)}{padding}{_paint('^' + '~' * (width - 1), style)}",
    ]


def _paint(text: str, style: str | None) -> str:
    return f"{_STYLES[style]}{text}{_RESET}" if style else text
