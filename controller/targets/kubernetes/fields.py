"""What a field manager owns, read back from ``metadata.managedFields`` (the ``fieldsV1``
notation: ``f:name`` fields, ``k:{...}`` list items by key, ``v:...`` set members), as
client-go's ``Extract*`` functions do: the object bosun applied, as the cluster holds it now."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

IDENTITY = ("apiVersion", "kind")


def owned(obj: Mapping[str, Any], manager: str, operation: str = "Apply") -> dict[str, Any] | None:
    """The fields of ``obj`` that ``manager`` owns by ``operation``, with the object's identity
    (apiVersion, kind, name, namespace); None when it owns none."""
    entries = [
        e
        for e in obj.get("metadata", {}).get("managedFields") or []
        if e.get("manager") == manager
        and e.get("operation") == operation
        and not e.get("subresource")
    ]
    if not entries:
        return None
    found: dict[str, Any] = {}
    for entry in entries:
        _merge(found, _extract(obj, entry.get("fieldsV1") or {}))
    meta = obj.get("metadata", {})
    identity = {k: meta[k] for k in ("name", "namespace") if k in meta}
    found["metadata"] = {**identity, **(found.get("metadata") or {})}
    return {**{k: obj[k] for k in IDENTITY if k in obj}, **found}


def managers(obj: Mapping[str, Any], *, besides: str) -> list[str]:
    """The other field managers of ``obj`` (who changed it out of band)."""
    names = {
        str(e.get("manager"))
        for e in obj.get("metadata", {}).get("managedFields") or []
        if e.get("manager") and e.get("manager") != besides and not e.get("subresource")
    }
    return sorted(names)


def _extract(value: Any, fields: Mapping[str, Any]) -> Any:
    if not fields or list(fields) == ["."]:
        return value  # a leaf, or an atomic list or map: the whole value is owned
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, sub in fields.items():
            if key.startswith("f:") and key[2:] in value:
                out[key[2:]] = _extract(value[key[2:]], sub)
        return out
    if isinstance(value, list):
        return [found for item in value if (found := _list_item(item, fields)) is not _NONE]
    return value


_NONE: Any = object()


def _list_item(item: Any, fields: Mapping[str, Any]) -> Any:
    """``item`` as far as a ``k:`` or ``v:`` key of ``fields`` claims it (live order is kept)."""
    for key, sub in fields.items():
        if key.startswith("k:"):
            wanted = json.loads(key[2:])
            if isinstance(item, Mapping) and all(item.get(k) == v for k, v in wanted.items()):
                return {**wanted, **_extract(item, sub)}
        elif key.startswith("v:") and json.loads(key[2:]) == item:
            return item
    return _NONE


def _merge(into: dict[str, Any], more: Mapping[str, Any]) -> None:
    for key, value in more.items():
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value
