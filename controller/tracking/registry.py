"""``plan.ports.Registry`` over MLflow's model registry, plus copying a registered version to
another tracking server (an environment whose ``tracking.uri`` names its own ``mlflow server``)."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from typing import Any

import mlflow
from bosun.plan import ports
from mlflow.exceptions import MlflowException

_NOT_FOUND = {"RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE"}
COPY_EXPERIMENT = "bosun-promoted"
"""Experiment that holds the runs made on the receiving server by ``copy_version``."""


def _missing(exc: MlflowException) -> bool:
    return exc.error_code in _NOT_FOUND or "not found" in exc.message.lower()


class MlflowRegistry:
    """Aliases and versions of one tracking server's registry."""

    def __init__(self, tracking_uri: str) -> None:
        self.writes = 0
        self.tracking_uri = tracking_uri
        self._client = mlflow.MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)

    def version(self, model: str, version: str) -> ports.VersionInfo | None:
        """The version ("latest": the highest number), or None when it does not exist."""
        found = self._latest(model) if version == "latest" else self._get(model, version)
        if found is None:
            return None
        number = str(found.version)
        return ports.VersionInfo(
            model=model,
            version=number,
            run_id=found.run_id or None,
            metrics=self._metrics(found.run_id),
            storage_uri=str(self._client.get_model_version_download_uri(model, number)),
            tags=dict(found.tags or {}),
        )

    def alias(self, model: str, alias: str) -> str | None:
        try:
            return str(self._client.get_model_version_by_alias(model, alias).version)
        except MlflowException as exc:
            if _missing(exc):
                return None
            raise

    def set_alias(self, model: str, alias: str, version: str) -> None:
        self.writes += 1
        self._client.set_registered_model_alias(model, alias, version)

    def tag_version(self, model: str, version: str, tags: Mapping[str, str]) -> None:
        for key, value in tags.items():
            self.writes += 1
            self._client.set_model_version_tag(model, version, key, value)

    def copy_version(self, model: str, version: str, *, to_uri: str) -> str:
        """Register the version's files and its source run's metrics on the server at ``to_uri``
        as a new version of the same model there; returns that version's number."""
        info = self.version(model, version)
        if info is None:
            raise LookupError(f"model {model!r} has no version {version!r}")
        target = mlflow.MlflowClient(tracking_uri=to_uri, registry_uri=to_uri)
        with tempfile.TemporaryDirectory(prefix="bosun-copy-") as scratch:
            local = mlflow.artifacts.download_artifacts(
                artifact_uri=info.storage_uri, dst_path=scratch, tracking_uri=self.tracking_uri
            )
            run = target.create_run(
                _experiment_id(target),
                tags={"bosun.dev/copied-from": f"{self.tracking_uri}#{model}/{info.version}"},
            )
            for key, value in info.metrics.items():
                target.log_metric(run.info.run_id, key, value)
            target.log_artifacts(run.info.run_id, local, "model")
            target.set_terminated(run.info.run_id)
        _ensure_model(target, model)
        copied = target.create_model_version(
            model,
            f"{run.info.artifact_uri}/model",
            run_id=run.info.run_id,
            tags={**info.tags, SOURCE_VERSION_TAG: info.version},
        )
        self.writes += 1
        return str(copied.version)

    def versions(self, model: str) -> list[Any]:
        """Every version of ``model`` (none when the model is not registered)."""
        return list(self._client.search_model_versions(f"name = '{model}'"))

    def _get(self, model: str, version: str) -> Any:
        try:
            return self._client.get_model_version(model, version)
        except MlflowException as exc:
            if _missing(exc):
                return None
            raise

    def _latest(self, model: str) -> Any:
        found = self._client.search_model_versions(f"name = '{model}'")
        return max(found, key=lambda v: int(v.version)) if found else None

    def _metrics(self, run_id: str | None) -> dict[str, float]:
        if not run_id:
            return {}
        try:
            return dict(self._client.get_run(run_id).data.metrics)
        except MlflowException as exc:
            if _missing(exc):
                return {}
            raise


SOURCE_VERSION_TAG = "bosun.dev/source-version"


class MirroredRegistry:
    """The registry of an environment whose ``tracking.uri`` names its own MLflow server.
    Versions are read, numbered and gated where they were trained and registered (the embedded
    store); an alias is set on the environment's server, on a copy of the version made there the
    first time it is promoted (``copy_version``), and read back as the source version's number."""

    def __init__(self, source_uri: str, target_uri: str) -> None:
        self.source = MlflowRegistry(source_uri)
        self.target = MlflowRegistry(target_uri)

    @property
    def writes(self) -> int:
        return self.source.writes + self.target.writes

    def version(self, model: str, version: str) -> ports.VersionInfo | None:
        return self.source.version(model, version)

    def alias(self, model: str, alias: str) -> str | None:
        number = self.target.alias(model, alias)
        if number is None:
            return None
        copied = self.target.version(model, number)
        source = copied.tags.get(SOURCE_VERSION_TAG) if copied else None
        # an alias moved by hand to a version bosun did not copy: it names no source version
        return source or f"{number} on {self.target.tracking_uri}"

    def set_alias(self, model: str, alias: str, version: str) -> None:
        self.target.set_alias(model, alias, self.copy_of(model, version))

    def tag_version(self, model: str, version: str, tags: Mapping[str, str]) -> None:
        self.target.tag_version(model, self.copy_of(model, version), tags)

    def copy_of(self, model: str, version: str) -> str:
        """The target server's number of source ``version``, copying it there when absent."""
        for found in self.target.versions(model):
            if (found.tags or {}).get(SOURCE_VERSION_TAG) == version:
                return str(found.version)
        return self.source.copy_version(model, version, to_uri=self.target.tracking_uri)


def _experiment_id(client: Any) -> str:
    found = client.get_experiment_by_name(COPY_EXPERIMENT)
    return str(found.experiment_id if found else client.create_experiment(COPY_EXPERIMENT))


def _ensure_model(client: Any, model: str) -> None:
    try:
        client.get_registered_model(model)
    except MlflowException as exc:
        if not _missing(exc):
            raise
        client.create_registered_model(model)
