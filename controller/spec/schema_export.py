"""The JSON Schemas (draft 2020-12) of the manifest kinds, generated from the pydantic models.

``export()`` is pure: it returns every file of ``schema/`` by relative path, as the exact text to
write, so that ``bosun schema check`` can compare it byte for byte. The schemas are strict: every
object with fixed fields has ``additionalProperties: false`` and every map constrains its keys,
as the models do.
"""

from __future__ import annotations

import json
from typing import Any

import pydantic
from bosun.spec import docstrings, v1alpha1
from pydantic import json_schema

DIALECT = "https://json-schema.org/draft/2020-12/schema"
BASE_URI = "https://bosun.dev/schema/"
VERSION = "v1alpha1"

Schema = dict[str, Any]


class _Generator(json_schema.GenerateJsonSchema):
    """pydantic's generator without the per-field titles it derives from attribute names."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


def filename(kind: str) -> str:
    """``Pipeline`` → ``v1alpha1/pipeline.json``."""
    return f"{VERSION}/{kind.lower()}.json"


def kind_schema(kind: str) -> Schema:
    """The schema of one kind, with its ``$defs``."""
    docstrings.describe(v1alpha1.KINDS.values())
    generated = v1alpha1.KINDS[kind].model_json_schema(
        by_alias=True, mode="validation", schema_generator=_Generator
    )
    return _document(filename(kind), _clean(generated))


def union_schema() -> Schema:
    """Any manifest: a union discriminated by ``kind`` (``if kind == K then K's schema``), for
    files that hold several kinds and for editors that map one schema to every YAML file."""
    docstrings.describe(v1alpha1.KINDS.values())
    adapter: pydantic.TypeAdapter[v1alpha1.Manifest] = pydantic.TypeAdapter(v1alpha1.AnyManifest)
    generated = _clean(
        adapter.json_schema(by_alias=True, mode="validation", schema_generator=_Generator)
    )
    kinds = list(v1alpha1.KINDS)
    body: Schema = {
        "title": f"bosun {VERSION} manifest",
        "description": f"Any {v1alpha1.API_VERSION} manifest; 'kind' selects its schema.",
        "type": "object",
        "required": ["apiVersion", "kind"],
        "properties": {
            "apiVersion": {"const": v1alpha1.API_VERSION},
            "kind": {"enum": kinds},
        },
        "allOf": [
            {
                "if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
                "then": {"$ref": f"#/$defs/{kind}"},
            }
            for kind in kinds
        ],
        "$defs": generated["$defs"],
    }
    return _document(f"{VERSION}/all.json", body)


def export() -> dict[str, str]:
    """Relative path under ``schema/`` → file text (indent 2, sorted as generated, final
    newline)."""
    files = {filename(kind): render(kind_schema(kind)) for kind in v1alpha1.KINDS}
    files[f"{VERSION}/all.json"] = render(union_schema())
    return dict(sorted(files.items()))


def render(schema: Schema) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def _document(path: str, body: Schema) -> Schema:
    """``$schema`` and ``$id`` first, then the body."""
    return {"$schema": DIALECT, "$id": BASE_URI + path, **body}


def _clean(node: Any) -> Any:
    """Standard JSON Schema only, and maps as strict as the models (see ``_strict_map``)."""
    if isinstance(node, list):
        return [_clean(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _clean(value) for key, value in node.items() if key != "discriminator"}
    if isinstance(out.get("description"), str):
        out["description"] = out["description"].replace("``", "`")
    return _strict_map(out)


def _strict_map(node: Schema) -> Schema:
    """pydantic writes ``dict[Key, V]`` with a constrained key as ``patternProperties``, which
    lets keys that match no pattern through; the model refuses them. Move the key pattern to
    ``propertyNames`` and the value schema to ``additionalProperties``."""
    patterns = node.get("patternProperties")
    if not isinstance(patterns, dict) or len(patterns) != 1 or "properties" in node:
        return node
    ((pattern, value),) = patterns.items()
    out = {key: item for key, item in node.items() if key != "patternProperties"}
    names = dict(out.get("propertyNames", {}))
    names["pattern"] = pattern
    out["propertyNames"] = dict(sorted(names.items()))
    out["additionalProperties"] = value
    return dict(sorted(out.items()))
