"""``--format sarif``: a SARIF 2.1.0 log for code-scanning tools (GitHub code scanning, GitLab,
Azure DevOps). Every code of the catalogue is a rule; every diagnostic is a result whose
physical location is the file (relative to the repository root, ``%SRCROOT%``) and its region."""

from __future__ import annotations

import json
import os
import re
import urllib.parse
from typing import Any

import bosun
from bosun import diagnostics, reporters

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
VERSION = "2.1.0"
INFORMATION_URI = "https://bosun.dev"


def render(report: reporters.Report, *, color: bool = False) -> str:
    """``color`` is accepted for a uniform signature and ignored."""
    rules = sorted(diagnostics.CODES)
    index = {code: i for i, code in enumerate(rules)}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "bosun",
                "version": bosun.__version__,
                "semanticVersion": bosun.__version__,
                "informationUri": INFORMATION_URI,
                "rules": [rule(code) for code in rules],
            }
        },
        "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The repository root."}}},
        "columnKind": "unicodeCodePoints",
        "results": [result(d, index.get(d.code), report) for d in report.sorted()],
    }
    log = {"$schema": SCHEMA, "version": VERSION, "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def rule(code: str) -> dict[str, Any]:
    summary = diagnostics.CODES[code]
    return {
        "id": code,
        "name": _pascal_case(summary),
        "shortDescription": {"text": summary},
        "defaultConfiguration": {"level": "error"},
    }


def result(
    d: diagnostics.Diagnostic, rule_index: int | None, report: reporters.Report
) -> dict[str, Any]:
    text = _text(d.message if not d.hint else f"{d.message}\nhint: {d.hint}")
    physical: dict[str, Any] = {"artifactLocation": artifact_location(d.file)}
    if d.line:
        region: dict[str, Any] = {"startLine": d.line, "startColumn": max(d.column, 1)}
        source = report.source_line(d)
        if source is not None:
            region["snippet"] = {"text": source}
        physical["region"] = region
    out: dict[str, Any] = {
        "ruleId": d.code,
        "level": "error" if d.severity == "error" else "warning",
        "message": {"text": text},
        "locations": [{"physicalLocation": physical}],
    }
    if rule_index is not None:
        out["ruleIndex"] = rule_index
    properties = {key: value for key, value in (("kind", d.kind), ("name", d.name)) if value}
    if d.path:
        properties["path"] = d.path
    if properties:
        out["properties"] = properties
    return out


def artifact_location(file: str) -> dict[str, str]:
    """A path under the working directory is relative to ``%SRCROOT%``; any other is absolute.

    The URI percent-encodes the path's bytes as the file system has them (``os.fsencode``): a
    file name that is not UTF-8 (``s\\xff.yaml``, held as a surrogate escape) becomes ``s%FF.yaml``.
    """
    path = os.fsencode(file.replace("\\", "/"))
    if path.startswith(b"/"):
        return {"uri": "file://" + urllib.parse.quote(path)}
    return {"uri": urllib.parse.quote(path), "uriBaseId": "%SRCROOT%"}


def _text(message: str) -> str:
    """A message naming a file whose name is not UTF-8: its bad bytes as U+FFFD, as a reader of
    the log can show them (a lone surrogate is not valid in JSON text that is UTF-8)."""
    try:
        raw = message.encode("utf-8", errors="surrogateescape")
    except UnicodeEncodeError:  # a surrogate written as an escape in the YAML ("\ud800")
        raw = message.encode("utf-8", errors="surrogatepass")
    return raw.decode("utf-8", errors="replace")


def _pascal_case(summary: str) -> str:
    return "".join(word[:1].upper() + word[1:] for word in re.findall(r"[A-Za-z0-9]+", summary))
