"""``${{ }}`` text → Argo text, and the injection rule that guards every rendered string.

Argo substitutes ``{{...}}`` anywhere in a template without escaping (argo-workflows#12534), so
the only ``{{`` in bosun's output are the references bosun itself writes: user text never holds
``{{`` (the spec refuses it) and never touches one that bosun writes (``refs.reject_fused``: a
literal ``{`` or ``}`` next to a reference, or two references side by side, would fuse into an
expression after Argo substitutes the values). ``unsafe_strings`` re-checks the finished output.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from bosun.spec.v1alpha1 import refs

OUTPUTS_DIR = "/tmp/bosun/outputs"
INPUTS_DIR = "/tmp/bosun/inputs"
WORKSPACE = "/workspace"

_NAME = r"[-A-Za-z0-9_]+"
_EMITTED = re.compile(
    r"\{\{(?:"
    rf"inputs\.parameters\.{_NAME}"
    rf"|tasks\.{_NAME}\.outputs\.(?:parameters|artifacts)\.{_NAME}"
    rf"|workflow\.parameters\.{_NAME}|workflow\.name|workflow\.status"
    rf"|item\.{_NAME}"
    r")\}\}"
)


class TextError(ValueError):
    """Text that cannot be rendered; ``code`` is its diagnostic code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def argo(expression: str) -> str:
    """An Argo reference written by bosun: ``argo("inputs.parameters.x")``."""
    return "{{" + expression + "}}"


def input_parameter(name: str) -> str:
    return argo(f"inputs.parameters.{name}")


def workflow_parameter(name: str) -> str:
    return argo(f"workflow.parameters.{name}")


def output_path(name: str) -> str:
    return f"{OUTPUTS_DIR}/{name}"


def input_path(name: str) -> str:
    return f"{INPUTS_DIR}/{name}"


def literal(text: str) -> str:
    """User text that is placed as is (parameter values, defaults, URIs): never ``{{``."""
    try:
        return refs.reject_braces(text)
    except refs.ReferenceSyntaxError as error:
        raise TextError(error.code, str(error)) from None


def translate(text: str, resolve: Callable[[refs.Ref], str]) -> str:
    """``text`` with every ``${{ ref }}`` replaced by ``resolve(ref)``."""
    try:
        parts = refs.reject_fused(refs.parse(text))
    except refs.ReferenceSyntaxError as error:
        raise TextError(error.code, str(error)) from None
    return "".join(literal(part) if isinstance(part, str) else resolve(part) for part in parts)


def single_ref(text: str) -> refs.Ref | None:
    """The reference when ``text`` is exactly one ``${{ ref }}``, else None."""
    try:
        parts = refs.parse(text)
    except refs.ReferenceSyntaxError:
        return None
    if len(parts) == 1 and not isinstance(parts[0], str):
        return parts[0]
    return None


# --- the output scan ------------------------------------------------------------------------------


def is_safe(value: Any) -> bool:
    """Whether every ``{{`` in ``value`` is one bosun writes. Checked on the JSON text at once:
    ``{{`` only occurs inside strings there (JSON's own braces are followed by a quote or a
    brace that closes), and bosun's references contain nothing that JSON escapes."""
    return _safe(json.dumps(value, ensure_ascii=False))


def unsafe_strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(path, string) of every string in ``value`` holding a ``{{`` that bosun did not write."""
    if isinstance(value, str):
        if "{{" in value and not _safe(value):
            yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from unsafe_strings(key, f"{path}.{key}(key)")
            yield from unsafe_strings(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from unsafe_strings(item, f"{path}[{index}]")


def _safe(text: str) -> bool:
    """No ``{{`` but bosun's, and none of them touching a brace (``refs.reject_fused``)."""
    for match in _EMITTED.finditer(text):
        if text[match.start() - 1 : match.start()] in _BRACES:
            return False
        if text[match.end() : match.end() + 1] in _BRACES:
            return False
    return "{{" not in _EMITTED.sub("", text)


_BRACES = frozenset({"{", "}"})
