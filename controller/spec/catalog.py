"""The validated manifests of one repository snapshot, indexed the way checks and renderers look
them up. Pure data."""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Iterator
from typing import TypeVar

from bosun.spec import v1alpha1

M = TypeVar("M", bound=v1alpha1.Manifest)

Key = tuple[str, str | None, str]
"""(kind, team, name); team is None for platform-wide kinds."""

UNREADABLE: Key = ("", None, "")
"""In ``Catalog.rejected``: a document that could not be read at all, of any kind and name."""


class Source(typing.NamedTuple):
    """Where a manifest came from: a file and the 0-based document index in it."""

    file: str
    document: int = 0


class Entry(typing.NamedTuple):
    manifest: v1alpha1.Manifest
    source: Source

    @property
    def kind(self) -> str:
        return self.manifest.kind

    @property
    def name(self) -> str:
        return self.manifest.metadata.name

    @property
    def team(self) -> str | None:
        return getattr(self.manifest.metadata, "team", None)

    @property
    def key(self) -> Key:
        """(kind, team, name): unique across the repository."""
        return (self.kind, self.team, self.name)


@dataclasses.dataclass(frozen=True)
class Catalog:
    """All manifests, in a stable order (file, then document).

    ``rejected`` holds the (kind, team, name) of documents that failed their schema, as far as they
    could be read, so that checks do not report "unknown X" about them (a cascade of errors).
    """

    entries: tuple[Entry, ...]
    rejected: frozenset[Key] = frozenset()

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def of_kind(self, model: type[M]) -> list[tuple[M, Source]]:
        return [(e.manifest, e.source) for e in self.entries if isinstance(e.manifest, model)]

    def teams(self) -> dict[str, v1alpha1.Team]:
        return {m.metadata.name: m for m, _ in self.of_kind(v1alpha1.Team)}

    def templates(self) -> dict[str, v1alpha1.StepTemplate]:
        return {m.metadata.name: m for m, _ in self.of_kind(v1alpha1.StepTemplate)}

    def environments(self) -> dict[str, v1alpha1.Environment]:
        return {m.metadata.name: m for m, _ in self.of_kind(v1alpha1.Environment)}

    def pipelines(self) -> dict[tuple[str, str], v1alpha1.Pipeline]:
        """Keyed by (team, name): pipeline names are unique within a team."""
        return {(m.metadata.team, m.metadata.name): m for m, _ in self.of_kind(v1alpha1.Pipeline)}

    def experiments(self) -> list[v1alpha1.Experiment]:
        return [m for m, _ in self.of_kind(v1alpha1.Experiment)]

    def serving_targets(self) -> list[v1alpha1.ServingTarget]:
        return [m for m, _ in self.of_kind(v1alpha1.ServingTarget)]

    def quotas(self) -> list[v1alpha1.Quota]:
        return [m for m, _ in self.of_kind(v1alpha1.Quota)]

    def quota_for(self, team: str, environment: str) -> v1alpha1.Quota | None:
        """The team's quota in ``environment``; validation guarantees there is at most one."""
        for quota in self.quotas():
            if quota.metadata.team == team and quota.spec.applies_to(environment):
                return quota
        return None

    def source_of(self, manifest: v1alpha1.Manifest) -> Source:
        for entry in self.entries:
            if entry.manifest is manifest:
                return entry.source
        raise KeyError(f"{manifest.kind}/{manifest.metadata.name} is not in this catalog")
