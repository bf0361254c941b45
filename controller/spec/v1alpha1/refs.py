"""The ``${{ ... }}`` reference grammar, parsed into typed references.

    expression := "${{" ws ref ws "}}"
    ref        := "params." NAME
                | "steps." STEP ".outputs." NAME
                | "inputs." NAME
                | "outputs." NAME

Any other ``{{`` in user text is an error: Argo would evaluate it (template injection). So is a
reference that touches a literal ``{`` or ``}`` or another reference (``reject_fused``).
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import re
from collections.abc import Sequence
from typing import Annotated

from bosun import diagnostics
from pydantic import AfterValidator, WithJsonSchema
from pydantic_core import PydanticCustomError


@dataclasses.dataclass(frozen=True, slots=True)
class ParamRef:
    name: str

    def __str__(self) -> str:
        return f"${{{{ params.{self.name} }}}}"


@dataclasses.dataclass(frozen=True, slots=True)
class StepOutputRef:
    step: str
    name: str

    def __str__(self) -> str:
        return f"${{{{ steps.{self.step}.outputs.{self.name} }}}}"


@dataclasses.dataclass(frozen=True, slots=True)
class InputRef:
    name: str

    def __str__(self) -> str:
        return f"${{{{ inputs.{self.name} }}}}"


@dataclasses.dataclass(frozen=True, slots=True)
class OutputRef:
    name: str

    def __str__(self) -> str:
        return f"${{{{ outputs.{self.name} }}}}"


Ref = ParamRef | StepOutputRef | InputRef | OutputRef
Part = str | Ref
"""A parsed string is a sequence of literal text and references."""

_NAME = r"[A-Za-z_][A-Za-z0-9_]{0,127}"
_STEP = r"[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?"
"""As long as the names they refer to may be (``types.Identifier``, ``types.DNSLabel``)."""
_REF = re.compile(
    rf"params\.(?P<param>{_NAME})"
    rf"|steps\.(?P<step>{_STEP})\.outputs\.(?P<step_output>{_NAME})"
    rf"|inputs\.(?P<input>{_NAME})"
    rf"|outputs\.(?P<output>{_NAME})"
)
_OPEN, _CLOSE = "${{", "}}"


class ReferenceSyntaxError(ValueError):
    """A malformed reference or a stray ``{{``; ``code`` is the diagnostic code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _ref(text: str) -> Ref:
    match = _REF.fullmatch(text.strip())
    if match is None:
        raise ReferenceSyntaxError(
            "BOS207",
            f"malformed reference '${{{{ {diagnostics.shorten(text.strip())} }}}}': "
            "expected params.NAME, "
            "steps.STEP.outputs.NAME, inputs.NAME or outputs.NAME",
        )
    groups = match.groupdict()
    if groups["param"]:
        return ParamRef(groups["param"])
    if groups["step"]:
        return StepOutputRef(groups["step"], groups["step_output"])
    if groups["input"]:
        return InputRef(groups["input"])
    return OutputRef(groups["output"])


def reject_braces(text: str) -> str:
    """``text`` unchanged, or ``ReferenceSyntaxError`` (BOS401) when it holds a literal ``{{``."""
    if "{{" in text:
        raise ReferenceSyntaxError(
            "BOS401",
            "literal '{{' is not allowed: Argo would evaluate it as an expression "
            "(template injection); use ${{ params.NAME }} to pass a value",
        )
    return text


FUSED_MESSAGE = (
    "a reference touches {what}: once Argo substitutes the value, the braces could form a "
    "'{{{{...}}}}' expression that Argo evaluates (template injection)"
)
FUSED_HINT = "put another character between them (a space, '-', ':'), or pass the value on its own"


def reject_fused(parts: Sequence[Part]) -> Sequence[Part]:
    """``parts`` unchanged, or ``ReferenceSyntaxError`` (BOS401) when a reference touches a
    literal ``{`` or ``}`` on either side, or another reference with nothing between them.

    Argo substitutes the inputs and then runs one more substitution pass over the whole pod
    (workflowpod.go ``substitutePodParams``): ``x{`` next to ``{workflow.name}}`` is a live
    ``{{workflow.name}}`` by then, whatever the values are. The rule depends on the text only.
    """
    for before, after in itertools.pairwise(parts):
        if isinstance(before, str) and isinstance(after, str):
            continue
        if not isinstance(before, str) and not isinstance(after, str):
            what = "another reference"
        elif isinstance(before, str) and before.endswith(("{", "}")):
            what = f"a literal '{before[-1]}' before it"
        elif isinstance(after, str) and after.startswith(("{", "}")):
            what = f"a literal '{after[0]}' after it"
        else:
            continue
        raise ReferenceSyntaxError("BOS401", FUSED_MESSAGE.format(what=what))
    return parts


@functools.lru_cache(maxsize=4096)
def parse(text: str) -> tuple[Part, ...]:
    """Split ``text`` into literals and references; ``ReferenceSyntaxError`` when malformed."""
    parts: list[Part] = []
    position = 0
    while (start := text.find(_OPEN, position)) != -1:
        end = text.find(_CLOSE, start + len(_OPEN))
        if end == -1:
            raise ReferenceSyntaxError("BOS207", "unterminated reference: '${{' without '}}'")
        if start > position:
            parts.append(reject_braces(text[position:start]))
        parts.append(_ref(text[start + len(_OPEN) : end]))
        position = end + len(_CLOSE)
    if position < len(text):
        parts.append(reject_braces(text[position:]))
    return tuple(parts)


def references(text: str) -> tuple[Ref, ...]:
    return tuple(part for part in parse(text) if not isinstance(part, str))


def has_reference(text: str) -> bool:
    return _OPEN in text


def check_literal(text: str) -> str:
    """Reject ``{{`` in text where references are not allowed."""
    if has_reference(text):
        raise ReferenceSyntaxError(
            "BOS207", "references (${{ ... }}) are not allowed in this field"
        )
    return reject_braces(text)


def _validate_expression(value: str) -> str:
    try:
        parse(value)
    except ReferenceSyntaxError as error:
        raise PydanticCustomError(error.code, str(error)) from None
    return value


EXPRESSION_RE = (
    r"^(?:[^${]|\$(?!\{\{)|\{(?!\{)|\$\{\{\s*(?:"
    rf"params\.{_NAME}|steps\.{_STEP}\.outputs\.{_NAME}|inputs\.{_NAME}|outputs\.{_NAME}"
    r")\s*\}\})*$"
)
"""The grammar as one JSON Schema pattern: text without ``{{``, and well-formed references."""

Expression = Annotated[
    str,
    AfterValidator(_validate_expression),
    WithJsonSchema({"type": "string", "pattern": EXPRESSION_RE}),
]
"""A string that may contain ``${{ ... }}`` references; where they may point is checked later."""
