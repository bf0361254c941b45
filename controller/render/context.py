"""What a render is given: the source it renders, its options, the model resolver port, and the
per-environment context every mapping reads (namespaces, labels, annotations, tracking URI)."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from typing import Any, Protocol

from bosun import __version__, diagnostics
from bosun.spec import catalog, v1alpha1
from bosun.spec.v1alpha1 import environment as environment_spec
from bosun.spec.v1alpha1 import pipeline, quota, step_template

MANAGED_BY = "app.kubernetes.io/managed-by"
ENVIRONMENT_LABEL = "bosun.dev/environment"
TEAM_LABEL = "bosun.dev/team"
PLATFORM_TEAM = "platform"
"""The ``bosun.dev/team`` of cluster-scoped objects that belong to no team."""

SOURCE_FILE = "bosun.dev/source-file"
SOURCE_COMMIT = "bosun.dev/source-commit"
SOURCE_DIRTY = "bosun.dev/source-dirty"

DEFAULT_SYSTEM_IMAGE = f"ghcr.io/bosun-dev/bosun:{__version__}"


class RenderError(Exception):
    """The manifests cannot be rendered, or a ``Source``/``RenderOptions`` value cannot be
    (``render.values``); ``diagnostics`` say where and why (located later)."""

    def __init__(self, found: Sequence[diagnostics.Diagnostic]) -> None:
        super().__init__("; ".join(f"{d.code} {d.message}" for d in found))
        self.diagnostics = list(found)


@dataclasses.dataclass(frozen=True, slots=True)
class Source:
    """The revision being rendered. ``repo_url`` (when known) lets pods clone it: each user step
    gets a ``git`` input artifact at ``/workspace``. ``dirty``: the manifests had uncommitted
    changes, so ``commit`` does not hold what was rendered (every object says so).
    ``render.values`` gives the shape of each field."""

    commit: str
    """Hex object name, or ``"unversioned"`` for a tree outside git (then no ``repo_url``)."""
    branch: str | None = None
    repo_url: str | None = None
    dirty: bool = False


@dataclasses.dataclass(frozen=True, slots=True)
class RenderOptions:
    tracking_uri: str = ""
    """MLflow tracking URI of environments whose ``tracking.uri`` is null (the caller knows the
    state directory; render does not)."""
    system_image: str = DEFAULT_SYSTEM_IMAGE
    """Image of bosun's system steps (``python -m bosun.tracking.steps``)."""
    source_root: str = ""
    """Prefix stripped from manifest file names in ``bosun.dev/source-file`` annotations, so that
    output does not depend on the directory bosun was started from."""


@dataclasses.dataclass(frozen=True, slots=True)
class ResolvedModel:
    version: str
    """A concrete registry version ("latest" resolved)."""
    storage_uri: str
    """Where KServe's storage initializer downloads the MLflow model directory from."""


class ModelResolver(Protocol):
    """Answers registry questions for ServingTargets. ``None``: the model has no such version
    (yet); its InferenceService is then left out with a warning."""

    def resolve(self, model: str, version: str) -> ResolvedModel | None: ...


class StaticResolver:
    """Resolves without a registry: ``models:/<name>/<version>``, "latest" kept as is. Enough for
    the local runtime (MLflow reads ``models:/`` URIs); a cluster needs a registry-backed resolver
    that returns the version's artifact location (s3://, gs://, ...)."""

    def resolve(self, model: str, version: str) -> ResolvedModel | None:
        return ResolvedModel(version, f"models:/{model}/{version}")


@dataclasses.dataclass(frozen=True)
class Context:
    """One environment's view of the catalog, shared by every mapping."""

    manifests: catalog.Catalog
    environment: v1alpha1.Environment
    source: Source
    options: RenderOptions

    # Indexes built once per render: lookups per experiment must not scan the catalog.

    @functools.cached_property
    def pipelines(self) -> dict[tuple[str, str], pipeline.Pipeline]:
        return self.manifests.pipelines()

    @functools.cached_property
    def templates(self) -> dict[str, step_template.StepTemplate]:
        return self.manifests.templates()

    @functools.cached_property
    def memo(self) -> dict[tuple[str, int], Any]:
        """What several objects of one render need and is built once: (what, id(manifest)) →
        it (a pipeline's WorkflowTemplate, which every experiment running it hashes)."""
        return {}

    @functools.cached_property
    def _quotas(self) -> dict[str, quota.Quota]:
        found: dict[str, quota.Quota] = {}
        for manifest in self.manifests.quotas():
            if manifest.spec.applies_to(self.env_name):
                found.setdefault(manifest.metadata.team, manifest)
        return found

    def quota(self, team: str) -> quota.Quota | None:
        """The team's quota in this environment (validation allows at most one)."""
        return self._quotas.get(team)

    @functools.cached_property
    def _sources(self) -> dict[int, catalog.Source]:
        return {id(entry.manifest): entry.source for entry in self.manifests}

    def source_of(self, manifest: v1alpha1.Manifest) -> catalog.Source:
        return self._sources[id(manifest)]

    @property
    def env_name(self) -> str:
        return self.environment.metadata.name

    @property
    def namespace_prefix(self) -> str:
        return self.environment.spec.target.namespacePrefix

    @property
    def tracking_uri(self) -> str:
        return self.environment.spec.tracking.uri or self.options.tracking_uri

    @property
    def service_account(self) -> str | None:
        target = self.environment.spec.target
        return (
            target.serviceAccountName
            if isinstance(target, environment_spec.KubernetesTarget)
            else None
        )

    def namespace(self, team: str) -> str:
        return f"{self.namespace_prefix}{team}"

    def labels(self, team: str, **extra: str) -> dict[str, str]:
        return {
            MANAGED_BY: "bosun",
            ENVIRONMENT_LABEL: self.env_name,
            TEAM_LABEL: team,
            **extra,
        }

    def annotations(self, source: catalog.Source, **extra: str) -> dict[str, str]:
        found = {SOURCE_FILE: self.source_file(source.file), SOURCE_COMMIT: self.source.commit}
        if self.source.dirty:
            found[SOURCE_DIRTY] = "true"
        return {**found, **extra}

    def source_file(self, file: str) -> str:
        root = self.options.source_root.rstrip("/")
        if root and root != "." and file.startswith(root + "/"):
            return file[len(root) + 1 :]
        return file

    def metadata(
        self,
        name: str,
        *,
        team: str,
        source: catalog.Source,
        namespace: str | None = None,
        labels: dict[str, str] | None = None,
        annotations: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "name": name,
            "labels": {**self.labels(team), **(labels or {})},
            "annotations": self.annotations(source, **(annotations or {})),
        }
        if namespace is not None:
            meta["namespace"] = namespace
        return meta

    def error(
        self,
        manifest: v1alpha1.Manifest,
        code: str,
        message: str,
        loc: diagnostics.Loc = (),
        hint: str | None = None,
    ) -> RenderError:
        """A RenderError anchored on ``manifest`` at ``loc``."""
        where = self.source_of(manifest)
        return RenderError(
            [
                diagnostics.Diagnostic(
                    code,
                    message,
                    where.file,
                    loc,
                    where.document,
                    hint=hint,
                    kind=manifest.kind,
                    name=manifest.metadata.name,
                )
            ]
        )
