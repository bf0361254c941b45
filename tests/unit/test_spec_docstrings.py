"""``spec.docstrings`` gives pydantic the descriptions that ``use_attribute_docstrings`` would,
without reading source at class creation."""

from __future__ import annotations

from typing import Any

import pydantic
from bosun.spec import docstrings, v1alpha1


class _Inner(pydantic.BaseModel):
    size: int = 0
    """How big.

    In bytes."""


class _Base(pydantic.BaseModel):
    name: str
    """The name."""
    explicit: str = pydantic.Field("x", description="Explicit wins.")
    """Not this one."""


class _Outer(_Base):
    inner: _Inner | None = None
    """The inner part."""
    items: list[_Inner] = []
    undocumented: int = 1
    note: str = ""
    "Also a docstring."


class _InnerPydantic(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(use_attribute_docstrings=True)
    size: int = 0
    """How big.

    In bytes."""


class _BasePydantic(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(use_attribute_docstrings=True)
    name: str
    """The name."""
    explicit: str = pydantic.Field("x", description="Explicit wins.")
    """Not this one."""


class _OuterPydantic(_BasePydantic):
    inner: _InnerPydantic | None = None
    """The inner part."""
    items: list[_InnerPydantic] = []
    undocumented: int = 1
    note: str = ""
    "Also a docstring."


def _normalized(schema: dict[str, Any]) -> str:
    return str(schema).replace("Pydantic", "")


def test_same_schema_as_use_attribute_docstrings() -> None:
    _Outer.model_validate({"name": "built before describing"})
    docstrings.describe([_Outer])
    docstrings.describe([_Outer])  # idempotent
    assert _normalized(_Outer.model_json_schema()) == _normalized(
        _OuterPydantic.model_json_schema()
    )
    assert _Outer.model_fields["explicit"].description == "Explicit wins."
    assert _Inner.model_fields["size"].description == "How big.\n\nIn bytes."
    assert _Outer.model_fields["undocumented"].description is None


def test_every_manifest_field_with_a_docstring_is_described() -> None:
    docstrings.describe(v1alpha1.KINDS.values())
    spec = v1alpha1.Pipeline.model_fields["spec"].annotation
    assert isinstance(spec, type) and issubclass(spec, pydantic.BaseModel)
    assert spec.model_fields["steps"].description
