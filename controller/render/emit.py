"""Rendered objects → YAML text: one stream, or one file per object at
``<kind>/<namespace>/<name>.yaml`` (``_cluster`` for cluster-scoped objects). Keys are sorted, so
equal objects always give equal bytes, and a value used twice is written out twice: the output
never holds YAML anchors or aliases (``&id001``/``*id001``), whatever the objects share."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import yaml

CLUSTER_SCOPE = "_cluster"


class _Dumper(yaml.CSafeDumper):
    """libyaml's safe dumper, without aliases: each occurrence of a shared dict or list is
    represented anew, so no anchor is ever emitted."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


_OPTIONS: dict[str, Any] = {
    "Dumper": _Dumper,
    "sort_keys": True,
    "default_flow_style": False,
    "allow_unicode": True,
    "width": 1 << 16,
}


def document(obj: dict[str, Any]) -> str:
    text: str = yaml.dump(obj, **_OPTIONS)
    return text


def stream(objects: Iterable[dict[str, Any]]) -> str:
    """One YAML stream, documents separated by ``---``."""
    text: str = yaml.dump_all(objects, explicit_start=True, **_OPTIONS)
    return text


def path(obj: dict[str, Any]) -> str:
    meta = obj["metadata"]
    return f"{obj['kind']}/{meta.get('namespace', CLUSTER_SCOPE)}/{meta['name']}.yaml"


def files(objects: Iterable[dict[str, Any]]) -> dict[str, str]:
    """Relative path → text, one object per file."""
    return {path(obj): document(obj) for obj in objects}
