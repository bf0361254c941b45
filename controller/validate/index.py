"""The lookups that cross-document checks share, built in one pass over the catalog.

Every check asks the same questions (which template is this, which pipeline of this team, which
quotas apply): answering them from one index keeps each check linear in the number of manifests.
The index of the last catalog is kept, so the checks of one validation build it once.
"""

from __future__ import annotations

import dataclasses
import typing
import weakref
from collections import defaultdict
from typing import Generic, TypeVar

from bosun.spec import catalog, v1alpha1
from bosun.validate import graph

M = TypeVar("M", bound=v1alpha1.Manifest)


class Found(typing.NamedTuple, Generic[M]):
    """A manifest of a known kind and the catalog entry it came from."""

    manifest: M
    entry: catalog.Entry


@dataclasses.dataclass
class Index:
    teams: dict[str, Found[v1alpha1.Team]] = dataclasses.field(default_factory=dict)
    templates: dict[str, Found[v1alpha1.StepTemplate]] = dataclasses.field(default_factory=dict)
    environments: dict[str, Found[v1alpha1.Environment]] = dataclasses.field(default_factory=dict)
    pipelines: dict[tuple[str, str], Found[v1alpha1.Pipeline]] = dataclasses.field(
        default_factory=dict
    )
    experiments: list[Found[v1alpha1.Experiment]] = dataclasses.field(default_factory=list)
    serving: list[Found[v1alpha1.ServingTarget]] = dataclasses.field(default_factory=list)
    quotas: dict[str, list[Found[v1alpha1.Quota]]] = dataclasses.field(
        default_factory=lambda: defaultdict(list)
    )
    all_pipelines: list[Found[v1alpha1.Pipeline]] = dataclasses.field(default_factory=list)
    all_templates: list[Found[v1alpha1.StepTemplate]] = dataclasses.field(default_factory=list)
    registered_models: set[str] = dataclasses.field(default_factory=set)
    rejected: frozenset[catalog.Key] = frozenset()
    _rejected_names: dict[tuple[str, str | None], set[str]] = dataclasses.field(
        default_factory=dict
    )
    _graphs: dict[int, graph.PipelineGraph] = dataclasses.field(default_factory=dict)

    def is_rejected(self, kind: str, name: str, team: str | None = None) -> bool:
        """Whether a document that may be ``kind``/``name`` failed its schema (no cascade)."""
        if catalog.UNREADABLE in self.rejected:
            return True
        for scope in {team, None}:
            for maybe in (kind, ""):
                names = self._rejected_names.get((maybe, scope))
                if names is not None and (name in names or "" in names):
                    return True
        return False

    def any_rejected(self, kind: str) -> bool:
        return any(key[0] in (kind, "") for key in self.rejected)

    def template_of(self, step: v1alpha1.pipeline.Step) -> v1alpha1.StepTemplate | None:
        found = self.templates.get(step.template) if step.template is not None else None
        return found.manifest if found is not None else None

    def graph_of(self, pipeline: v1alpha1.Pipeline) -> graph.PipelineGraph:
        """The DAG of ``pipeline`` with each step's outputs (templates resolved)."""
        key = id(pipeline)
        built = self._graphs.get(key)
        if built is None:
            built = graph.build(pipeline, self.template_of)
            self._graphs[key] = built
        return built

    def quotas_of(self, team: str) -> list[Found[v1alpha1.Quota]]:
        return self.quotas.get(team, [])


def build(manifests: catalog.Catalog) -> Index:
    index = Index(rejected=manifests.rejected)
    for kind, team, name in manifests.rejected:
        index._rejected_names.setdefault((kind, team), set()).add(name)
    for entry in manifests:
        _add(index, entry)
    return index


def _add(index: Index, entry: catalog.Entry) -> None:
    manifest = entry.manifest
    if isinstance(manifest, v1alpha1.Team):
        index.teams.setdefault(entry.name, Found(manifest, entry))
    elif isinstance(manifest, v1alpha1.StepTemplate):
        index.templates.setdefault(entry.name, Found(manifest, entry))
        index.all_templates.append(Found(manifest, entry))
    elif isinstance(manifest, v1alpha1.Environment):
        index.environments.setdefault(entry.name, Found(manifest, entry))
    elif isinstance(manifest, v1alpha1.Pipeline):
        key = (manifest.metadata.team, entry.name)
        index.pipelines.setdefault(key, Found(manifest, entry))
        index.all_pipelines.append(Found(manifest, entry))
    elif isinstance(manifest, v1alpha1.Experiment):
        index.experiments.append(Found(manifest, entry))
        if manifest.spec.register_ is not None:
            index.registered_models.add(manifest.spec.register_.model)
    elif isinstance(manifest, v1alpha1.ServingTarget):
        index.serving.append(Found(manifest, entry))
    elif isinstance(manifest, v1alpha1.Quota):
        index.quotas[manifest.metadata.team].append(Found(manifest, entry))


_last: tuple[weakref.ref[catalog.Catalog], Index] | None = None


def of(manifests: catalog.Catalog) -> Index:
    """The index of ``manifests``, built on first use and reused by the following checks."""
    global _last  # noqa: PLW0603 - a one-entry cache keyed by the catalog's identity
    if _last is not None and _last[0]() is manifests:
        return _last[1]
    index = build(manifests)
    _last = (weakref.ref(manifests), index)
    return index
