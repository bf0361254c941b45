"""The generated reference: its examples form a valid repository, and every field is on a page."""

from __future__ import annotations

import pytest
from bosun.load import sources
from bosun.spec import reference_docs, schema_export, v1alpha1
from bosun.spec.v1alpha1 import examples
from bosun.validate import engine


@pytest.mark.parametrize("environment", [None, "production"])
def test_examples_form_a_valid_repository(environment: str | None) -> None:
    contents = {examples.EXAMPLE_PATHS[k]: text.encode() for k, text in examples.EXAMPLES.items()}
    loaded = sources.load_bytes(contents)
    result = engine.validate_loaded(loaded, engine.Options(environment=environment))
    assert [f"{d.file}:{d.line}: {d.code} {d.message}" for d in result.diagnostics] == []
    assert result.documents == len(v1alpha1.KINDS)


def test_modelines_of_examples_match_their_paths() -> None:
    for kind, text in examples.EXAMPLES.items():
        depth = examples.EXAMPLE_PATHS[kind].count("/")
        expected = "../" * depth + "schema/" + schema_export.filename(kind)
        assert text.startswith(f"# yaml-language-server: $schema={expected}\n"), kind


def _leaf_fields(node: dict[str, object], prefix: str = "") -> list[str]:
    properties = node.get("properties", {})
    assert isinstance(properties, dict)
    return [f"{prefix}{name}" for name in properties]


@pytest.mark.parametrize("kind", list(v1alpha1.KINDS))
def test_every_spec_field_is_on_the_page(kind: str) -> None:
    page = reference_docs.kind_page(kind)
    schema = schema_export.kind_schema(kind)
    spec = schema["$defs"][f"{kind}Spec"]
    for name in _leaf_fields(spec):
        assert f"| `spec.{name}` |" in page, name
    assert page.startswith(reference_docs.MARKER + "\n")
    assert examples.EXAMPLES[kind].rstrip("\n") in page


def test_pages_are_deterministic() -> None:
    assert reference_docs.pages() == reference_docs.pages()
    assert schema_export.export() == schema_export.export()
