"""An experiment run's identity: what it does (its rendered Workflow and pipeline template, with
the stamping commit taken out) and what it runs (the git object ids of the directories holding
the code its steps name). An experiment runs once per distinct identity, so a commit that changes
nothing it depends on starts nothing, and a revert to inputs already run does not retrain."""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from bosun.plan import objects


def code_paths(documents: Sequence[Mapping[str, Any]], tree: Mapping[str, str]) -> list[str]:
    """The repository paths (files or directories, as in ``tree``) that step argv elements name."""
    found: set[str] = set()
    for document in documents:
        for word in _argv_words(document):
            path = posixpath.normpath(word.removeprefix("./"))
            if path in tree and not path.startswith(("..", "/")):
                found.add(path)
    return sorted(found)


def input_ids(documents: Sequence[Mapping[str, Any]], tree: Mapping[str, str]) -> dict[str, str]:
    """Directory → object id for every directory holding named code (helpers beside a script
    count), and each named directory itself."""
    found: dict[str, str] = {}
    for path in code_paths(documents, tree):
        directory = path if _is_directory(path, tree) else posixpath.dirname(path)
        found[directory or "."] = tree.get(directory, tree.get(path, ""))
    return dict(sorted(found.items()))


def identity(documents: Sequence[Mapping[str, Any]], tree: Mapping[str, str]) -> str:
    """The run identity of a Workflow and the templates it runs (``documents``)."""
    specs = sorted(objects.normalized(_without_name(d)) for d in documents)
    inputs = input_ids(documents, tree)
    payload = objects.canonical({"objects": specs, "inputs": inputs})
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def _without_name(document: Mapping[str, Any]) -> dict[str, Any]:
    """The Workflow's name (and its spec-hash annotation) hash the commit; what the run does is the
    rest."""
    meta = {k: v for k, v in document.get("metadata", {}).items() if k != "name"}
    for field in ("labels", "annotations"):
        if field in meta:
            meta[field] = {k: v for k, v in meta[field].items() if k != SPEC_HASH}
    return {**document, "metadata": meta}


SPEC_HASH = "bosun.dev/spec-hash"


def _is_directory(path: str, tree: Mapping[str, str]) -> bool:
    prefix = path.rstrip("/") + "/"
    return any(other.startswith(prefix) for other in tree)


def _argv_words(value: Any) -> Iterator[str]:
    """Every literal command/args element of every container in ``value``."""
    if isinstance(value, Mapping):
        container = value.get("container")
        if isinstance(container, Mapping):
            for field in ("command", "args"):
                for word in container.get(field) or []:
                    if isinstance(word, str) and "{{" not in word and not word.startswith("-"):
                        yield word
        for child in value.values():
            yield from _argv_words(child)
    elif isinstance(value, list):
        for child in value:
            yield from _argv_words(child)
