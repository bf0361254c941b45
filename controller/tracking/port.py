"""The tracking port: what bosun needs from an experiment tracker and model registry, as a
``typing.Protocol`` plus the plain values that cross it, so that callers never touch MLflow types.

The one real adapter is ``bosun.tracking.mlflow_tracker.MlflowTracker``. Callers talk about runs
by id and find them again by tags; every write here is safe to repeat with the same arguments."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Literal, Protocol

RunStatus = Literal["RUNNING", "FINISHED", "FAILED", "KILLED"]


class TrackingError(Exception):
    """An operational failure of the tracker (store unreachable, missing run or model); the message
    is meant for the person reading the step's log."""


@dataclasses.dataclass(frozen=True)
class Run:
    run_id: str
    experiment_id: str
    name: str
    status: RunStatus
    start_time: int | None
    """Milliseconds since the epoch, as MLflow records them."""
    end_time: int | None
    tags: Mapping[str, str]
    params: Mapping[str, str]
    metrics: Mapping[str, float]
    """The latest value of each metric."""
    artifact_uri: str


@dataclasses.dataclass(frozen=True)
class DatasetInput:
    """A dataset a run consumed, identified by a digest of its bytes (``bosun.tracking.digest``)."""

    name: str
    digest: str
    source: str
    """Where the bytes were read from (a local path or URI), for people; not part of identity."""
    profile: Mapping[str, int]
    context: str = "training"


@dataclasses.dataclass(frozen=True)
class LoggedModel:
    model_id: str
    name: str
    source_run_id: str | None
    status: Literal["PENDING", "READY", "FAILED"]
    uri: str
    """``models:/<model_id>``: what a registry version points at."""


@dataclasses.dataclass(frozen=True)
class ModelVersion:
    name: str
    version: str
    status: Literal["PENDING_REGISTRATION", "READY", "FAILED_REGISTRATION"]
    source: str
    run_id: str | None
    tags: Mapping[str, str]
    aliases: Sequence[str]


class Tracker(Protocol):
    """Experiments, runs, logged models and registry versions of one tracking store."""

    @property
    def tracking_uri(self) -> str: ...

    def experiment_id(self, name: str, *, create: bool, artifact_location: str | None) -> str:
        """The experiment's id; created (race-safe) when missing and ``create`` is true, else
        ``TrackingError``."""
        ...

    def find_runs(
        self, experiment_id: str, *, tags: Mapping[str, str], parent_run_id: str | None = None
    ) -> list[Run]:
        """Active runs carrying every tag in ``tags`` (and that parent), oldest first."""
        ...

    def get_run(self, run_id: str) -> Run: ...

    def create_run(self, experiment_id: str, *, name: str, tags: Mapping[str, str]) -> Run: ...

    def set_status(self, run_id: str, status: RunStatus) -> None:
        """RUNNING reopens a run (a resumed workflow); any other status terminates it now."""
        ...

    def set_tags(self, run_id: str, tags: Mapping[str, str]) -> None: ...

    def log_params(self, run_id: str, params: Mapping[str, str]) -> None:
        """Re-logging a parameter with the same value is a no-op; another value is an error."""
        ...

    def log_metrics(
        self, run_id: str, metrics: Mapping[str, float], *, model_id: str | None = None
    ) -> None: ...

    def log_dataset(self, run_id: str, dataset: DatasetInput) -> None:
        """Idempotent: one input per (name, digest) and run."""
        ...

    def find_logged_model(self, run_id: str, name: str) -> LoggedModel | None: ...

    def log_model(
        self, run_id: str, *, name: str, path: str, tags: Mapping[str, str]
    ) -> LoggedModel:
        """Upload the MLflow model directory at ``path`` as the run's logged model ``name`` and
        finalize it READY; a READY model of that name and run is returned as it is."""
        ...

    def find_versions(self, model: str, *, run_id: str) -> list[ModelVersion]: ...

    def register(
        self, model: str, *, logged: LoggedModel, tags: Mapping[str, str], timeout_s: float
    ) -> ModelVersion:
        """A new version of ``model`` (created when missing) from ``logged``, once READY."""
        ...

    def wait_ready(self, model: str, version: str, *, timeout_s: float) -> ModelVersion:
        """The version once READY; ``TrackingError`` if registration failed or timed out."""
        ...

    def get_version(self, model: str, version: str) -> ModelVersion: ...

    def set_alias(self, model: str, alias: str, version: str) -> None: ...

    def version_by_alias(self, model: str, alias: str) -> ModelVersion | None: ...

    def find_version(self, model: str, version: str) -> ModelVersion | None:
        """The version, or None when the model or the version does not exist."""
        ...

    def latest_version(self, model: str) -> ModelVersion | None:
        """The highest version number of ``model``; None when it has none (or does not exist)."""
        ...

    def download_uri(self, model: str, version: str) -> str:
        """Where the version's files are stored (s3://, gs://, file://...), for a server that
        downloads them without MLflow, such as KServe's storage initializer."""
        ...
