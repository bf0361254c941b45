"""Diagnostics as data: every problem bosun finds in manifests is one of these values.

Checks return them; reporters render them. Exceptions are kept for operational failures.
"""

from __future__ import annotations

import typing
from collections.abc import Iterable

Loc = tuple[str | int, ...]


class Diagnostic(typing.NamedTuple):
    """One finding, anchored to a document and a field path inside it.

    ``line``/``column`` are 1-based and 0 until the loader locates the diagnostic; ``loc`` is the
    structural path that locating resolves (``("spec", "steps", 2, "resources")``). ``at_key``:
    the problem is the mapping key that ends ``loc`` (an unknown name), not its value.
    """

    code: str
    message: str
    file: str
    loc: Loc = ()
    document: int = 0
    line: int = 0
    column: int = 0
    hint: str | None = None
    kind: str | None = None
    name: str | None = None
    severity: str = "error"
    at_key: bool = False

    @property
    def path(self) -> str:
        """The dotted field path of DESIGN §3: ``spec.steps[2].resources.gpu``."""
        return format_path(self.loc)

    def with_position(self, line: int, column: int) -> Diagnostic:
        return self._replace(line=line, column=column)

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.file, self.line, self.column, self.code, self.message)


def format_path(loc: Loc) -> str:
    out: list[str] = []
    for part in loc:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif out:
            out.append(f".{part}")
        else:
            out.append(part)
    return "".join(out)


SHOWN_CHARACTERS = 80
"""How much of a user's value a message quotes: a 300,000-character name is not repeated whole."""


def shorten(text: str, limit: int = SHOWN_CHARACTERS) -> str:
    """``text`` as a message shows user input: at most ``limit`` characters, then ``…`` and the
    full length (``aaaa… (300,000 characters)``)."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"


def quote(value: object, limit: int = SHOWN_CHARACTERS) -> str:
    """``repr(value)`` as a message quotes user input (``'Prepare_Data'``), cut like ``shorten``:
    ``'aaaa…' (300,000 characters)``. Every message that quotes a value uses this."""
    if not isinstance(value, str):
        return shorten(repr(value), limit)
    if len(value) <= limit:
        return repr(value)
    cut = repr(value[:limit])
    return f"{cut[:-1]}…{cut[-1]} ({len(value):,} characters)"


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Sorted by file, then line, with exact duplicates dropped."""
    return sorted(set(diagnostics), key=Diagnostic.sort_key)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity == "error" for d in diagnostics)


# The stable code catalogue. Codes are never reused; docs/diagnostics.md lists them.
CODES: dict[str, str] = {
    # BOS1xx: reading files
    "BOS101": "file exceeds the size limit",
    "BOS102": "file is not valid UTF-8",
    "BOS103": "YAML syntax error",
    "BOS104": "tab character used for indentation",
    "BOS105": "duplicate key",
    "BOS106": "document is not a mapping",
    "BOS107": "alias expansion exceeds the limit",
    "BOS108": "recursive alias",
    "BOS109": "unreadable path",
    # BOS2xx: the schema of one document
    "BOS201": "unknown field",
    "BOS202": "missing required field",
    "BOS203": "wrong type",
    "BOS204": "invalid value",
    "BOS205": "unknown kind",
    "BOS206": "unsupported apiVersion",
    "BOS207": "malformed ${{ }} reference",
    # BOS3xx: references between documents
    "BOS301": "duplicate manifest",
    "BOS302": "unknown step template",
    "BOS303": "unknown pipeline",
    "BOS304": "unknown parameter",
    "BOS305": "unknown step",
    "BOS306": "unknown model",
    "BOS307": "dependency cycle",
    "BOS308": "reference does not resolve",
    "BOS309": "step output is not from an ancestor",
    "BOS310": "missing required input",
    "BOS311": "step is both template and inline, or neither",
    "BOS312": "metadata.team does not match the teams/<team>/ folder",
    "BOS313": "unknown team",
    "BOS314": "unknown environment",
    "BOS315": "unknown output",
    "BOS316": "duplicate name within a manifest",
    "BOS317": "artifact and parameter mixed up",
    "BOS318": "name reserved by bosun or refused by Argo",
    "BOS319": "model version not in the registry yet",
    "BOS320": "unknown experiment",
    # BOS4xx: security
    "BOS401": "literal {{, or a brace touching a reference (template injection)",
    "BOS402": "path leaves $BOSUN_OUTPUTS",
    "BOS403": "plaintext secret",
    "BOS404": "reference spliced into inline code (sh -c, python -c)",
    # BOS5xx: quotas
    "BOS501": "step exceeds the team quota",
    "BOS502": "sweep parallelism exceeds maxParallelSteps",
    "BOS503": "overlapping quotas",
    # BOS6xx: environment policy (with --env)
    "BOS601": "image is not pinned by digest",
    "BOS602": "image registry is not allowed",
    "BOS603": "model version is not pinned",
    "BOS604": "gates are weaker than the environment's minGates",
    "BOS605": "a Kubernetes environment's tracking.uri is not an http(s) MLflow server",
}
