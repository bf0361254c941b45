"""``dependsOn`` names steps of the same pipeline (BOS305) and forms a DAG (BOS307, the cycle
named step by step)."""

from __future__ import annotations

from collections.abc import Iterator

from bosun import diagnostics
from bosun.spec import catalog
from bosun.validate import base, index, suggest


def check(manifests: catalog.Catalog, options: base.Options) -> Iterator[diagnostics.Diagnostic]:
    found = index.of(manifests)
    for pipeline in found.all_pipelines:
        steps = pipeline.manifest.spec.steps
        graph = found.graph_of(pipeline.manifest)
        for i, step in enumerate(steps):
            for j, dependency in enumerate(step.dependsOn):
                if dependency not in graph.positions:
                    yield base.at(
                        pipeline.entry,
                        "BOS305",
                        f"step '{step.name}' depends on '{dependency}', which is not a step of "
                        "this pipeline",
                        ("spec", "steps", i, "dependsOn", j),
                        hint=suggest.did_you_mean(dependency, graph.positions),
                    )
        for cycle in graph.cycles():
            first, second = cycle[0], cycle[1]
            position = graph.positions[first]
            yield base.at(
                pipeline.entry,
                "BOS307",
                "dependency cycle: " + " → ".join(cycle),
                ("spec", "steps", position, "dependsOn", steps[position].dependsOn.index(second)),
                hint="a pipeline is a DAG: remove one of these dependsOn entries",
            )
