"""Byte-identical output: rendering twice, or from files discovered in another order, gives the
same YAML; objects come ordered by kind, namespace and name."""

from __future__ import annotations

import random

import pytest
import render_support as rs
import test_render_mappings as mappings
import yaml
from bosun import render
from bosun.render import emit
from bosun.spec import catalog


def stream(manifests: catalog.Catalog, environment: str) -> str:
    objects = render.render(manifests, environment, rs.SOURCE, render.StaticResolver(), rs.OPTIONS)
    return emit.stream(objects)


@pytest.mark.parametrize("environment", ["dev", "production"])
def test_discovery_order_does_not_matter(environment: str) -> None:
    files = {
        **mappings.repository(),
        "teams/t/s.yaml": mappings.SERVING,
        "teams/u/team.yaml": """
            apiVersion: bosun.dev/v1alpha1
            kind: Team
            metadata: {name: u}
            spec: {owners: ["@acme/u"]}
        """,
    }
    manifests = rs.catalog_of(files)
    expected = stream(manifests, environment)
    assert stream(manifests, environment) == expected
    for seed in range(5):
        entries = list(manifests.entries)
        random.Random(seed).shuffle(entries)
        assert stream(catalog.Catalog(tuple(entries)), environment) == expected


def test_objects_are_ordered_by_kind_namespace_and_name() -> None:
    objects = render.render(rs.demo(), "dev", rs.SOURCE, render.StaticResolver(), rs.OPTIONS)
    keys = [
        (
            render.KIND_ORDER.index(o["kind"]),
            o["metadata"].get("namespace", ""),
            o["metadata"]["name"],
        )
        for o in objects
    ]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)


def anchors(text: str) -> list[str]:
    """Every YAML anchor or alias in ``text`` (kubectl and most tools read them, but a reader of
    the output should never have to resolve one)."""
    found = [
        f"{type(event).__name__} {event.anchor}"
        for event in yaml.parse(text, Loader=yaml.CSafeLoader)
        if getattr(event, "anchor", None) is not None
    ]
    return found + [m for m in ("&id", "*id") if m in text]


def shared(value: object, seen: dict[int, str] | None = None, path: str = "") -> list[str]:
    """Paths of dicts and lists that occur twice (a caller's own yaml.dump would alias them)."""
    seen = {} if seen is None else seen
    if not isinstance(value, dict | list):
        return []
    if id(value) in seen:
        return [f"{path} is {seen[id(value)]}"]
    seen[id(value)] = path
    items = value.items() if isinstance(value, dict) else enumerate(value)
    return [found for key, item in items for found in shared(item, seen, f"{path}.{key}")]


@pytest.mark.parametrize("environment", ["dev", "production"])
def test_rendered_yaml_has_no_anchors_or_aliases(environment: str) -> None:
    manifests = rs.demo(environment)
    objects = render.render(manifests, environment, rs.SOURCE, render.StaticResolver(), rs.OPTIONS)
    assert shared(objects) == []
    assert anchors(emit.stream(objects)) == []
    for text in emit.files(objects).values():
        assert anchors(text) == []
    run = render.render_experiment(
        manifests, environment, "wine-rf", source=rs.SOURCE, options=rs.OPTIONS
    )
    assert anchors(emit.stream(run.objects())) == []


def test_the_emitter_writes_shared_values_out_in_full() -> None:
    shared = {"cpu": "1", "memory": "1Gi"}
    text = emit.stream([{"a": shared, "b": [shared, shared]}])
    assert anchors(text) == []
    assert text.count("memory: 1Gi") == 3
    assert anchors(emit.document({"a": shared, "b": shared})) == []
