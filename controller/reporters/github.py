"""``--format github``: GitHub Actions workflow commands, which GitHub shows as annotations on the
pull request's changed lines (``::error file=…,line=…,col=…,title=CODE::message``)."""

from __future__ import annotations

from bosun import diagnostics, reporters


def render(report: reporters.Report, *, color: bool = False) -> str:
    """One command per diagnostic, then the summary as a plain log line."""
    lines = [command(d) for d in report.sorted()]
    lines.append(f"bosun: {reporters.summary(report)}")
    return "\n".join(lines) + "\n"


def command(d: diagnostics.Diagnostic) -> str:
    level = "error" if d.severity == "error" else "warning"
    properties = [("file", d.file)]
    if d.line:
        properties += [("line", str(d.line)), ("col", str(d.column))]
    properties.append(("title", d.code))
    message = d.message if not d.hint else f"{d.message}\nhint: {d.hint}"
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    return f"::{level} {joined}::{escape_data(message)}"


def escape_data(value: str) -> str:
    """The escaping of the Actions toolkit's ``escapeData``: ``%``, CR and LF."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """``escapeProperty``: ``escapeData`` plus ``:`` and ``,``, which end a property."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")
