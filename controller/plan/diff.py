"""Field-level differences between two versions of an object, for plans people read: which
fields a change touches (``spec.predictor.model.storageUri: models:/m/1 → models:/m/2``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from typing import Any

from bosun.plan import objects

MISSING: Any = object()
"""The value of a field one side does not have."""

IGNORED = frozenset({("metadata", "annotations", objects.SOURCE_COMMIT)})
"""Fields that change with every commit and say nothing about the change itself."""


@dataclasses.dataclass(frozen=True)
class Change:
    path: str
    """Dotted path with list indexes or item names: ``spec.templates[train].container.image``."""
    before: Any
    after: Any

    @property
    def added(self) -> bool:
        return self.before is MISSING

    @property
    def removed(self) -> bool:
        return self.after is MISSING


def changes(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> list[Change]:
    """What differs, leaf by leaf; lists of named items (templates, parameters, env) are matched
    by name so that inserting one item does not show every later one as changed."""
    old = _strip(before) if before is not None else {}
    new = _strip(after) if after is not None else {}
    return list(_walk((), old, new))


def _strip(obj: Mapping[str, Any]) -> dict[str, Any]:
    body = {k: v for k, v in obj.items() if k != "status"}
    annotations = body.get("metadata", {}).get("annotations")
    if isinstance(annotations, Mapping) and objects.SOURCE_COMMIT in annotations:
        kept = {k: v for k, v in annotations.items() if k != objects.SOURCE_COMMIT}
        body = {**body, "metadata": {**body["metadata"], "annotations": kept}}
    return body


def _walk(path: tuple[str, ...], old: Any, new: Any) -> Iterator[Change]:
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        for key in sorted(set(old) | set(new), key=str):
            yield from _walk((*path, _field(key)), old.get(key, MISSING), new.get(key, MISSING))
    elif isinstance(old, list) and isinstance(new, list) and old != new:
        yield from _walk_list(path, old, new)
    elif old != new:
        yield Change(_join(path), old, new)


def _walk_list(path: tuple[str, ...], old: list[Any], new: list[Any]) -> Iterator[Change]:
    old_named, new_named = _by_name(old), _by_name(new)
    if old_named is not None and new_named is not None:
        for name in [*old_named, *(n for n in new_named if n not in old_named)]:
            item = (*path[:-1], f"{path[-1]}[{name}]") if path else (f"[{name}]",)
            yield from _walk(item, old_named.get(name, MISSING), new_named.get(name, MISSING))
        return
    for index in range(max(len(old), len(new))):
        item = (*path[:-1], f"{path[-1]}[{index}]") if path else (f"[{index}]",)
        before = old[index] if index < len(old) else MISSING
        after = new[index] if index < len(new) else MISSING
        yield from _walk(item, before, after)


def _by_name(items: list[Any]) -> dict[str, Any] | None:
    if not items or not all(
        isinstance(i, Mapping) and isinstance(i.get("name"), str) for i in items
    ):
        return None
    named = {str(i["name"]): i for i in items}
    return named if len(named) == len(items) else None


def _field(key: Any) -> str:
    text = str(key)
    return f'"{text}"' if "." in text else text


def _join(path: tuple[str, ...]) -> str:
    return ".".join(path)
