"""Argo's ``{{ }}`` variables and ``depends`` expressions, the forms bosun emits and no others.

Substitution is a single pass: a substituted value is never scanned again, so a parameter whose
value contains ``{{`` stays literal (no template injection).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

TAG = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_NAME = r"[A-Za-z0-9_][A-Za-z0-9_-]*"
NAME = re.compile(_NAME)
"""Names of parameters, artifacts and tasks that the local runtime accepts."""
WORKFLOW_FIELDS = ("name", "namespace", "uid", "status", "duration")

_FORMS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern))
    for kind, pattern in (
        ("workflow", rf"workflow\.({'|'.join(WORKFLOW_FIELDS)})"),
        ("workflow.parameters", rf"workflow\.parameters\.({_NAME})"),
        ("inputs.parameters", rf"inputs\.parameters\.({_NAME})"),
        ("inputs.artifacts.path", rf"inputs\.artifacts\.({_NAME})\.path"),
        ("inputs.artifacts", rf"inputs\.artifacts\.({_NAME})"),
        ("outputs.path", rf"outputs\.(?:parameters|artifacts)\.({_NAME})\.path"),
        ("tasks.parameters", rf"tasks\.({_NAME})\.outputs\.parameters\.({_NAME})"),
        ("tasks.artifacts", rf"tasks\.({_NAME})\.outputs\.artifacts\.({_NAME})"),
        ("item", r"item"),
        ("item.key", rf"item\.({_NAME})"),
    )
)


@dataclasses.dataclass(frozen=True, slots=True)
class Ref:
    """A recognised variable: ``kind`` plus up to two names (parameter, task, output, key)."""

    kind: str
    first: str = ""
    second: str = ""


class UnresolvedError(Exception):
    """A variable with no value in its context."""

    def __init__(self, variable: str, reason: str = "") -> None:
        self.variable = variable
        super().__init__(f"cannot resolve {{{{{variable}}}}}" + (f": {reason}" if reason else ""))


def classify(variable: str) -> Ref | None:
    """The recognised form of ``variable`` (the text between the braces, stripped), or None."""
    for kind, pattern in _FORMS:
        match = pattern.fullmatch(variable)
        if match:
            return Ref(kind, *match.groups())
    return None


def variables(text: str) -> list[str]:
    return [m.group(1).strip() for m in TAG.finditer(text)]


def substitute(text: str, lookup: Callable[[str], str]) -> str:
    """Replace every ``{{ var }}``; ``lookup`` raises UnresolvedError when it has no answer."""
    if "{{" not in text:
        return text
    return TAG.sub(lambda m: lookup(m.group(1).strip()), text)


_DEPENDS_TERM = re.compile(rf"({_NAME})(?:\.Succeeded)?")


def parse_depends(expression: str) -> list[str] | None:
    """Task names of ``a && b.Succeeded``; None for anything else (``||``, ``!``,
    ``.Failed``, ...), which the local runtime refuses."""
    names: list[str] = []
    for term in expression.split("&&"):
        match = _DEPENDS_TERM.fullmatch(term.strip())
        if match is None:
            return None
        names.append(match.group(1))
    return names
