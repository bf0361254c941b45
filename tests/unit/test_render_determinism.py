"""Byte-identical output: rendering twice, or from files discovered in another order, gives the
same YAML; objects come ordered by kind, namespace and name."""

from __future__ import annotations

import random

import pytest
import render_support as rs
import test_render_mappings as mappings
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
