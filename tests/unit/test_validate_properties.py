"""Property: whatever is done to valid manifests, validation answers with diagnostics only.

Valid repositories (the demo and ``tests/cases/valid``) are mutated the ways people and tools
break YAML: keys dropped, renamed or duplicated, values retyped, strings with ``{{``, references,
huge numbers, unicode, nulls and nested lists injected, text spliced into the file. Validation
must not raise, and every diagnostic must name a file and a line.
"""

from __future__ import annotations

import copy
import os
import pathlib
from typing import Any

import hypothesis
import yaml
from bosun import diagnostics
from bosun.load import sources
from bosun.validate import engine
from hypothesis import strategies as st

ROOT = pathlib.Path(__file__).resolve().parents[2]
REPOSITORIES = [ROOT, *sorted(p for p in (ROOT / "tests/cases/valid").iterdir() if p.is_dir())]


def read(repository: pathlib.Path) -> dict[str, bytes]:
    folders = ("teams", "templates", "environments")
    return {
        path.relative_to(repository).as_posix(): path.read_bytes()
        for folder in folders
        for path in sorted((repository / folder).rglob("*.yaml"))
    }


CORPUS = [read(repository) for repository in REPOSITORIES]

NASTY = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(
        [
            "{{workflow.name}}",
            "${{ params.epochs }}",
            "${{ steps.prepare.outputs.dataset }}",
            "${{ inputs.data }}",
            "${{ outputs.model }}",
            "${{ params.",
            "4GB",
            "500m",
            "latest",
            "-1",
            "0 25 * * *",
            "ghcr.io/acme/x:1@sha256:" + "a" * 64,
            "AKIAIOSFODNN7EXAMPLE",
            "caf\u00e9 \u202e \U0001f600",
            "x" * 5000,
            "",
        ]
    ),
    st.just([[[[]]]]),
    st.just({"a": {"b": [None, {"c": []}]}}),
    st.lists(st.integers(), max_size=3),
)
KEYS = st.one_of(
    st.sampled_from(["name", "team", "template", "image", "command", "with", "dependsOn", "spec"]),
    st.text(min_size=1, max_size=12),
    st.integers(),
)


def mutate(node: Any, data: st.DataObject, depth: int = 0) -> Any:
    """A copy of ``node`` with one mutation somewhere below it."""
    children: list[Any] = []
    if isinstance(node, dict):
        children = list(node)
    elif isinstance(node, list):
        children = list(range(len(node)))
    if children and depth < 8 and data.draw(st.integers(0, 3), label="descend") > 0:
        key = data.draw(st.sampled_from(children), label="child")
        node[key] = mutate(node[key], data, depth + 1)
        return node
    action = data.draw(st.sampled_from(["replace", "drop", "rename", "duplicate", "add"]))
    if action == "replace" or not children:
        return data.draw(NASTY, label="value")
    key = data.draw(st.sampled_from(children), label="target")
    if isinstance(node, list):
        if action == "drop":
            del node[key]
        else:
            node.insert(key, copy.deepcopy(node[key]))
        return node
    if action == "drop":
        del node[key]
    elif action == "rename":
        node[data.draw(KEYS, label="new key")] = node.pop(key)
    else:
        node[data.draw(KEYS, label="extra key")] = data.draw(NASTY, label="extra value")
    return node


def mutated_repository(data: st.DataObject) -> dict[str, bytes]:
    files = dict(data.draw(st.sampled_from(CORPUS), label="repository"))
    name = data.draw(st.sampled_from(sorted(files)), label="file")
    if data.draw(st.booleans(), label="splice text"):
        text = files[name]
        at = data.draw(st.integers(0, len(text)), label="at")
        splices = st.sampled_from(["\t", ": :", "&a *a", "- [", "\x08", "\ufeff", "{{"])
        insert = data.draw(st.one_of(st.text(max_size=20), splices), label="inserted")
        files[name] = text[:at] + insert.encode("utf-8", "surrogatepass") + text[at:]
        return files
    documents = list(yaml.safe_load_all(files[name]))
    index = data.draw(st.integers(0, len(documents) - 1), label="document")
    documents[index] = mutate(documents[index], data)
    files[name] = yaml.safe_dump_all(documents, allow_unicode=True, sort_keys=False).encode(
        "utf-8", "surrogatepass"
    )
    return files


@hypothesis.settings(
    max_examples=int(os.environ.get("BOSUN_PROPERTY_EXAMPLES", "400")),
    deadline=None,
    suppress_health_check=[hypothesis.HealthCheck.too_slow, hypothesis.HealthCheck.data_too_large],
)
@hypothesis.given(st.data(), st.sampled_from([None, "dev", "production", "gpu-cluster", "nowhere"]))
def test_mutated_manifests_produce_only_located_diagnostics(
    data: st.DataObject, environment: str | None
) -> None:
    files = mutated_repository(data)
    result = engine.validate_loaded(sources.load_bytes(files), engine.Options(environment))
    for diagnostic in result.diagnostics:
        assert diagnostic.file, diagnostic
        assert diagnostic.line >= 1 and diagnostic.column >= 1, diagnostic
        assert diagnostic.code in diagnostics.CODES, diagnostic
        assert diagnostic.file in files or diagnostic.file == ".", diagnostic


def test_the_corpus_is_valid_before_mutation() -> None:
    for files in CORPUS:
        result = engine.validate_loaded(sources.load_bytes(files), engine.Options())
        assert result.valid, [(d.file, d.code, d.message) for d in result.diagnostics]
