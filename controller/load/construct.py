"""Python values from libyaml's node tree, built directly: the fast path of ``yaml_parse``.

PyYAML's constructor builds every mapping and sequence through a generator, so that an alias can
refer to a container before it is filled, and resolves every plain scalar through a list of
regular expressions. A manifest has neither anchors nor aliases, and repeats the same keys and
values. For such a tree a direct recursive walk builds the same values (YAML 1.1 types, exactly as
``yaml.load(..., Loader=yaml.CSafeLoader)``) in about half the time. Whatever is unusual (a
non-string key, a merge key, an explicit tag, a duplicate key) is handed back to the loader's own
constructor, which builds, or refuses, that subtree the usual way.
"""

from __future__ import annotations

from typing import Any

import yaml

STR = "tag:yaml.org,2002:str"
MAP = "tag:yaml.org,2002:map"
SEQ = "tag:yaml.org,2002:seq"
_SCALARS = frozenset(
    {"tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int"}
    | {"tag:yaml.org,2002:float"}
)
"""Tags whose PyYAML constructor is a plain function of the node (not a generator)."""

_RESOLVED: dict[str, str] = {}
_RESOLVED_LIMIT = 65_536
"""Tags of plain scalars already resolved; a plain scalar's tag depends only on its text."""


class CachedResolver:
    """A loader mix-in that memoizes the implicit tag of plain scalars (keys above all)."""

    def resolve(self, kind: type[yaml.Node], value: str | None, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode and implicit[0] and value is not None:
            tag = _RESOLVED.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)  # type: ignore[misc]
                if len(_RESOLVED) < _RESOLVED_LIMIT and len(value) <= 64:
                    _RESOLVED[value] = tag
            return tag
        resolved: str = super().resolve(kind, value, implicit)  # type: ignore[misc]
        return resolved


def document(loader: yaml.constructor.SafeConstructor, node: yaml.Node) -> Any:
    """The value of a document without anchors (callers check: ``"&" not in text``)."""
    if isinstance(node, yaml.ScalarNode):
        tag = node.tag
        if tag == STR:
            return node.value
        if tag in _SCALARS:
            return loader.yaml_constructors[tag](loader, node)
    elif isinstance(node, yaml.MappingNode):
        if node.tag == MAP:
            return _mapping(loader, node)
    elif isinstance(node, yaml.SequenceNode) and node.tag == SEQ:
        return [document(loader, child) for child in node.value]
    return loader.construct_document(node)


def _mapping(loader: yaml.constructor.SafeConstructor, node: yaml.MappingNode) -> Any:
    pairs = node.value
    out: dict[str, Any] = {}
    for key_node, value_node in pairs:
        if key_node.tag != STR or not isinstance(key_node, yaml.ScalarNode):
            return loader.construct_document(node)
        out[key_node.value] = document(loader, value_node)
    if len(out) != len(pairs):  # a duplicate key: the loader's constructor names it
        return loader.construct_document(node)
    return out
