"""Every string of a validated manifest, keys included, with its field path.

The checks that look at user text as text (template injection, plaintext secrets) walk the model
rather than the YAML so that they see exactly what the renderer will see. Field paths use the
YAML keys (aliases such as ``with`` and ``register``).
"""

from __future__ import annotations

import dataclasses
import functools
import typing
from collections.abc import Iterator
from typing import Annotated, Any

import pydantic
from bosun import diagnostics
from bosun.spec.v1alpha1 import refs


@dataclasses.dataclass(frozen=True, slots=True)
class Text:
    loc: diagnostics.Loc
    value: str
    is_key: bool
    """A mapping key (labels, annotations, parameter names) rather than a value."""
    expression: bool
    """The field accepts ``${{ }}`` references (and the schema already rejected stray ``{{``)."""


def strings(model: pydantic.BaseModel) -> Iterator[Text]:
    yield from _walk(model, (), expression=False)


def _walk(value: Any, loc: diagnostics.Loc, *, expression: bool) -> Iterator[Text]:
    if isinstance(value, str):
        yield Text(loc, value, False, expression)
    elif isinstance(value, pydantic.BaseModel):
        for attribute, key, is_expression in _fields(type(value)):
            child = getattr(value, attribute)
            if child is not None and not isinstance(child, bool | int | float):
                yield from _walk(child, (*loc, key), expression=is_expression)
    elif isinstance(value, dict):
        for key, child in value.items():
            if isinstance(key, str):
                yield Text((*loc, key), key, True, False)
            yield from _walk(child, (*loc, key), expression=expression)
    elif isinstance(value, list | tuple):
        for position, child in enumerate(value):
            yield from _walk(child, (*loc, position), expression=expression)


@functools.cache
def _fields(model: type[pydantic.BaseModel]) -> tuple[tuple[str, str, bool], ...]:
    """(attribute, YAML key, accepts references) of each field of ``model``."""
    return tuple(
        (name, field.alias or name, _is_expression(field))
        for name, field in model.model_fields.items()
    )


def _is_expression(field: pydantic.fields.FieldInfo) -> bool:
    if field.metadata and _same_type(Annotated[str, *field.metadata], refs.Expression):
        return True
    return _mentions_expression(field.annotation)


def _mentions_expression(annotation: Any) -> bool:
    if _same_type(annotation, refs.Expression):
        return True
    return any(_mentions_expression(argument) for argument in typing.get_args(annotation))


def _same_type(left: object, right: object) -> bool:
    return left == right
