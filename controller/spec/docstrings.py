"""Field descriptions from attribute docstrings, read when a schema is generated.

The models document each field with a docstring under it. pydantic can read these itself
(``use_attribute_docstrings``), but it does so for every model as the class is created, by
finding and parsing the class's source: 130 ms of every ``bosun`` start, for text that only the
JSON Schema and the reference pages show. ``describe`` reads each module's source once, on
demand, and gives pydantic the same descriptions (same rules: a string statement right after an
annotated attribute, cleaned with ``inspect.cleandoc``; an explicit ``description`` wins).
"""

from __future__ import annotations

import ast
import functools
import inspect
import itertools
import sys
import typing
from collections.abc import Iterable
from typing import Any

import pydantic


def describe(roots: Iterable[type[pydantic.BaseModel]]) -> None:
    """Set the descriptions of every model reachable from ``roots``; idempotent."""
    models = _innermost_first(roots)
    if [model for model in models if _fill(model)]:
        for model in models:  # a model's schema embeds those of its fields' models
            model.model_rebuild(force=True)


def _fill(model: type[pydantic.BaseModel]) -> bool:
    changed = False
    for name, field in model.model_fields.items():
        if field.description is None:
            text = _docstring(model, name)
            if text is not None:
                field.description = text
                changed = True
    return changed


def _docstring(model: type[pydantic.BaseModel], field: str) -> str | None:
    """The docstring of ``field`` in the nearest class of ``model``'s MRO that documents it."""
    for cls in model.__mro__:
        if cls is pydantic.BaseModel:
            return None
        text = _module_docstrings(cls.__module__).get((cls.__qualname__, field))
        if text is not None:
            return text
    return None


@functools.cache
def _module_docstrings(module_name: str) -> dict[tuple[str, str], str]:
    """(class qualname, attribute) → cleaned docstring, for every class of a module."""
    module = sys.modules.get(module_name)
    try:
        source = inspect.getsource(module) if module is not None else ""
    except (OSError, TypeError):
        return {}
    found: dict[tuple[str, str], str] = {}
    _visit(ast.parse(source).body, "", found)
    return found


def _visit(body: list[ast.stmt], prefix: str, found: dict[tuple[str, str], str]) -> None:
    for statement in body:
        if isinstance(statement, ast.ClassDef):
            qualname = prefix + statement.name
            _attributes(statement.body, qualname, found)
            _visit(statement.body, qualname + ".", found)


def _attributes(body: list[ast.stmt], qualname: str, found: dict[tuple[str, str], str]) -> None:
    for previous, statement in itertools.pairwise(body):
        if (
            isinstance(previous, ast.AnnAssign)
            and isinstance(previous.target, ast.Name)
            and isinstance(statement, ast.Expr)
            and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, str)
        ):
            found[(qualname, previous.target.id)] = inspect.cleandoc(statement.value.value)


def _innermost_first(roots: Iterable[type[pydantic.BaseModel]]) -> list[type[pydantic.BaseModel]]:
    """Every model reachable through field annotations, each after the models it contains."""
    order: list[type[pydantic.BaseModel]] = []

    def visit(annotation: Any) -> None:
        if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
            if annotation not in order:
                order.append(annotation)  # placeholder against cycles; moved below
                for field in annotation.model_fields.values():
                    visit(field.annotation)
                order.remove(annotation)
                order.append(annotation)
        else:
            for argument in typing.get_args(annotation):
                visit(argument)

    for root in roots:
        visit(root)
    return order
