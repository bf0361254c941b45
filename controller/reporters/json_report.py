"""``--format json``: the one object of DESIGN §3, for scripts and other tools.

    {"valid": bool, "documents": int,
     "errors": [{"file", "line", "column", "kind", "name", "path", "code", "message", "hint"}]}

``errors`` holds the diagnostics of severity ``error``, sorted by file, then line. ``kind`` and
``name`` are null when the document is not a readable manifest; ``path`` is empty when the problem
is the whole document or file. ``hint`` (what to write instead, or null) is the one field beyond
DESIGN's shape: the text reporter prints it, and a script or bot should not lose it.
"""

from __future__ import annotations

import json
from typing import Any

from bosun import diagnostics, reporters


def render(report: reporters.Report, *, color: bool = False) -> str:
    """``color`` is accepted for a uniform signature and ignored: JSON is never colored."""
    document = {
        "valid": report.valid,
        "documents": report.documents,
        "errors": [error(d) for d in report.errors],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def error(d: diagnostics.Diagnostic) -> dict[str, Any]:
    return {
        "file": d.file,
        "line": d.line,
        "column": d.column,
        "kind": d.kind,
        "name": d.name,
        "path": d.path,
        "code": d.code,
        "message": d.message,
        "hint": d.hint,
    }
