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


_DEFAULT_TAGS: dict[type[yaml.Node], str] = {
    yaml.ScalarNode: STR,
    yaml.SequenceNode: SEQ,
    yaml.MappingNode: MAP,
}


class CachedResolver:
    """A loader mix-in that resolves tags without PyYAML's general machinery, for loaders without
    path resolvers (the safe loader has none): a plain scalar's tag depends only on its text
    (memoized: manifests repeat their keys), any other node gets its kind's default tag, and the
    per-node bookkeeping of path resolvers is skipped. A third less time to build a document."""

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None

    def resolve(self, kind: type[yaml.Node], value: str | None, implicit: Any) -> str:
        if kind is yaml.ScalarNode and implicit[0] and value is not None:
            tag = _RESOLVED.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)  # type: ignore[misc]
                if len(_RESOLVED) < _RESOLVED_LIMIT and len(value) <= 64:
                    _RESOLVED[value] = tag
            return tag
        return _DEFAULT_TAGS[kind]


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
