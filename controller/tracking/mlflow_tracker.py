"""The MLflow adapter of the tracking port (``bosun.tracking.port.Tracker``).

Importing this module imports MLflow (about two seconds), so only the tracking steps, ``bosun
run`` and the reconcile loop import it, and only when they talk to a store. Models follow MLflow
3: a trial's model is a *logged model* (``models:/<model_id>``, stored under the experiment's
``models/`` directory) linked to its run as an output, and registry versions point at it."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import pathlib
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Literal, ParamSpec, TypeVar, cast

import mlflow
from bosun.tracking import port, store
from mlflow import entities
from mlflow.exceptions import MlflowException
from mlflow.models import model as mlflow_model
from mlflow.utils import mlflow_tags

P = ParamSpec("P")
R = TypeVar("R")

_PAGE = 1000
_NOT_FOUND = ("RESOURCE_DOES_NOT_EXIST", "NOT_FOUND")
_EXISTS = ("RESOURCE_ALREADY_EXISTS", "ALREADY_EXISTS")
_DATASET_ATTEMPTS = 3
# sqlite, PostgreSQL and MySQL's words for a broken unique key, as MLflow passes them on.
_UNIQUE_VIOLATIONS = ("UNIQUE constraint failed", "duplicate key value", "Duplicate entry")


def _translated(method: Callable[P, R]) -> Callable[P, R]:
    """MLflow's exceptions leave the adapter as ``TrackingError`` (kept as ``__cause__``)."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except MlflowException as exc:
            raise port.TrackingError(f"MLflow: {exc.message}") from exc

    return wrapper


def _lost_insert_race(exc: MlflowException) -> bool:
    """MLflow's stores look a dataset up, then insert it: two trials logging the same dataset at
    once can both miss it, and the slower insert breaks the unique key. Trying again finds the
    row the faster trial wrote and only links it to the run."""
    text = f"{exc.message} {exc.__cause__ or ''}"
    return any(sign in text for sign in _UNIQUE_VIOLATIONS)


def _create_sqlite_whole(tracking_uri: str) -> None:
    """MLflow creates a missing sqlite store by running its schema migrations one by one: a
    Ctrl-C in the middle would leave a half-migrated database that every later run refuses
    ("out-of-date database schema"). So a new store is built under a temporary name and linked
    into place only once complete; a process that loses the race uses the winner's."""
    database = store.sqlite_path(tracking_uri)
    if database is None or database.exists():
        return
    database.parent.mkdir(parents=True, exist_ok=True)
    partial = database.with_name(f".{database.name}.{os.getpid()}.partial")
    partial.unlink(missing_ok=True)
    try:
        built = mlflow.MlflowClient(tracking_uri=f"sqlite:///{partial.resolve()}")
        engine = getattr(built._tracking_client.store, "engine", None)
        if engine is not None:
            engine.dispose()
        with contextlib.suppress(FileExistsError):  # another process's store is complete too
            os.link(partial, database)
    finally:
        partial.unlink(missing_ok=True)


def quote(value: str) -> str:
    """A string literal of MLflow's search grammar."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class MlflowTracker:
    """``Tracker`` over one MLflow tracking URI, which is also the registry URI."""

    def __init__(self, tracking_uri: str) -> None:
        self._uri = tracking_uri
        _create_sqlite_whole(tracking_uri)
        self._client = mlflow.MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)
        # MLflow's database registry resolves a version's ``models:/<id>`` source through the
        # process-wide tracking URI, not this client's: keep the two the same.
        mlflow.set_tracking_uri(tracking_uri)

    @property
    def tracking_uri(self) -> str:
        return self._uri

    @_translated
    def experiment_id(self, name: str, *, create: bool, artifact_location: str | None) -> str:
        found = self._client.get_experiment_by_name(name)
        if found is not None:
            return str(found.experiment_id)
        if not create:
            raise port.TrackingError(f"no MLflow experiment named {name!r} in {self._uri}")
        try:
            return self._client.create_experiment(name, artifact_location=artifact_location)
        except MlflowException as exc:  # another process created it first
            if exc.error_code not in _EXISTS:
                raise
        again = self._client.get_experiment_by_name(name)
        assert again is not None
        return str(again.experiment_id)

    @_translated
    def find_runs(
        self, experiment_id: str, *, tags: Mapping[str, str], parent_run_id: str | None = None
    ) -> list[port.Run]:
        wanted = dict(tags)
        if parent_run_id is not None:
            wanted[mlflow_tags.MLFLOW_PARENT_RUN_ID] = parent_run_id
        clauses = [f"tags.`{key}` = {quote(value)}" for key, value in sorted(wanted.items())]
        return [
            _run(found)
            for found in self._search_runs(experiment_id, " AND ".join(clauses))
            if all(found.data.tags.get(key) == value for key, value in wanted.items())
        ]

    def _search_runs(self, experiment_id: str, filter_string: str) -> Iterator[Any]:
        token: str | None = None
        while True:
            page = self._client.search_runs(
                [experiment_id],
                filter_string,
                max_results=_PAGE,
                order_by=["attributes.start_time ASC", "attributes.run_id ASC"],
                page_token=token,
            )
            yield from page
            token = page.token
            if not token:
                return

    @_translated
    def get_run(self, run_id: str) -> port.Run:
        return _run(self._client.get_run(run_id))

    @_translated
    def create_run(self, experiment_id: str, *, name: str, tags: Mapping[str, str]) -> port.Run:
        return _run(self._client.create_run(experiment_id, tags=dict(tags), run_name=name))

    @_translated
    def set_status(self, run_id: str, status: port.RunStatus) -> None:
        if status == "RUNNING":
            self._client.update_run(run_id, status=status)
        else:
            self._client.set_terminated(run_id, status=status)

    @_translated
    def set_tags(self, run_id: str, tags: Mapping[str, str]) -> None:
        batch = [entities.RunTag(key, value) for key, value in sorted(tags.items())]
        self._client.log_batch(run_id, tags=batch, synchronous=True)

    @_translated
    def log_params(self, run_id: str, params: Mapping[str, str]) -> None:
        logged = self._client.get_run(run_id).data.params
        batch = [
            entities.Param(key, value)
            for key, value in sorted(params.items())
            if logged.get(key) != value
        ]
        if batch:
            self._client.log_batch(run_id, params=batch, synchronous=True)

    @_translated
    def log_metrics(
        self, run_id: str, metrics: Mapping[str, float], *, model_id: str | None = None
    ) -> None:
        now = int(time.time() * 1000)
        batch = [
            entities.Metric(key, value, now, 0, model_id=model_id)
            for key, value in sorted(metrics.items())
        ]
        if batch:
            self._client.log_batch(run_id, metrics=batch, synchronous=True)

    @_translated
    def log_dataset(self, run_id: str, dataset: port.DatasetInput) -> None:
        inputs = self._client.get_run(run_id).inputs
        for logged in inputs.dataset_inputs if inputs else []:
            if (logged.dataset.name, logged.dataset.digest) == (dataset.name, dataset.digest):
                return
        record = entities.Dataset(
            name=dataset.name,
            digest=dataset.digest,
            source_type="local",
            source=json.dumps({"uri": dataset.source}),
            profile=json.dumps(dict(dataset.profile), sort_keys=True),
        )
        context = entities.InputTag(mlflow_tags.MLFLOW_DATASET_CONTEXT, dataset.context)
        for attempt in range(_DATASET_ATTEMPTS):
            try:
                self._client.log_inputs(run_id, [entities.DatasetInput(record, tags=[context])])
                return
            except MlflowException as exc:
                if attempt + 1 == _DATASET_ATTEMPTS or not _lost_insert_race(exc):
                    raise

    @_translated
    def find_logged_model(self, run_id: str, name: str) -> port.LoggedModel | None:
        experiment_id = self._client.get_run(run_id).info.experiment_id
        found = self._client.search_logged_models(
            [experiment_id],
            filter_string=f"source_run_id = {quote(run_id)} AND name = {quote(name)}",
            order_by=[{"field_name": "creation_timestamp", "ascending": True}],
        )
        models = [_logged(model) for model in found]
        ready = [model for model in models if model.status == "READY"]
        candidates = ready or models
        return candidates[-1] if candidates else None

    @_translated
    def log_model(
        self, run_id: str, *, name: str, path: str, tags: Mapping[str, str]
    ) -> port.LoggedModel:
        existing = self.find_logged_model(run_id, name)
        if existing is not None and existing.status == "READY":
            return existing
        run = self._client.get_run(run_id)
        if existing is None:
            created = self._client.create_logged_model(
                run.info.experiment_id,
                name=name,
                source_run_id=run_id,
                tags=dict(tags),
                params=dict(run.data.params),
            )
            model_id = created.model_id
        else:  # a previous attempt died while uploading: finish that one
            model_id = existing.model_id
        outputs = run.outputs.model_outputs if run.outputs else []
        if all(output.model_id != model_id for output in outputs):
            self._client.log_outputs(run_id, [entities.LoggedModelOutput(model_id, step=0)])
        self._upload(model_id, run_id=run_id, path=pathlib.Path(path))
        self._client.finalize_logged_model(model_id, entities.LoggedModelStatus.READY)
        if run.data.metrics:  # shown beside the model in MLflow's Models tab
            self.log_metrics(run_id, run.data.metrics, model_id=model_id)
        return _logged(self._client.get_logged_model(model_id))

    def _upload(self, model_id: str, *, run_id: str, path: pathlib.Path) -> None:
        """Copy the saved model, stamp its MLmodel with the run and model ids (what
        ``mlflow.<flavor>.log_model`` would have written), and upload it."""
        logged = self._client.get_logged_model(model_id)
        with tempfile.TemporaryDirectory(prefix="bosun-model-") as tmp:
            staged = pathlib.Path(tmp, "model")
            shutil.copytree(path, staged, symlinks=False)
            meta_path = staged / mlflow_model.MLMODEL_FILE_NAME
            meta = mlflow_model.Model.load(str(meta_path))
            meta.run_id = run_id
            meta.model_id = model_id
            meta.model_uuid = model_id
            meta.artifact_path = logged.artifact_location
            meta.save(str(meta_path))
            self._client.log_model_artifacts(model_id, str(staged))

    @_translated
    def find_versions(self, model: str, *, run_id: str) -> list[port.ModelVersion]:
        found = self._client.search_model_versions(
            f"name = {quote(model)} AND run_id = {quote(run_id)}"
        )
        return sorted((_version(v) for v in found), key=lambda v: int(v.version))

    @_translated
    def register(
        self,
        model: str,
        *,
        logged: port.LoggedModel,
        tags: Mapping[str, str],
        timeout_s: float,
    ) -> port.ModelVersion:
        try:
            self._client.create_registered_model(model)
        except MlflowException as exc:
            if exc.error_code not in _EXISTS:
                raise
        created = self._client.create_model_version(
            model,
            source=logged.uri,
            run_id=logged.source_run_id,
            tags=dict(tags),
            model_id=logged.model_id,
            await_creation_for=0,
        )
        version = self.wait_ready(model, str(created.version), timeout_s=timeout_s)
        self._link_version(logged.model_id, model, version.version)
        return version

    def wait_ready(self, model: str, version: str, *, timeout_s: float) -> port.ModelVersion:
        deadline = time.monotonic() + timeout_s
        delay = 0.2
        while True:
            current = self.get_version(model, version)
            if current.status == "READY":
                return current
            if current.status == "FAILED_REGISTRATION":
                raise port.TrackingError(f"registering {model} version {version} failed")
            if time.monotonic() > deadline:
                raise port.TrackingError(
                    f"{model} version {version} is still {current.status} after {timeout_s:.0f}s"
                )
            time.sleep(delay)
            delay = min(delay * 2, 5.0)

    def _link_version(self, model_id: str, model: str, version: str) -> None:
        """Record the version on the logged model, as ``mlflow.register_model`` does, so that
        MLflow's UI links the two."""
        current = self._client.get_logged_model(model_id).tags.get(
            mlflow_tags.MLFLOW_MODEL_VERSIONS
        )
        links = cast(list[dict[str, str]], json.loads(current)) if current else []
        entry = {"name": model, "version": version}
        if entry not in links:
            links.append(entry)
            self._client.set_logged_model_tags(
                model_id, {mlflow_tags.MLFLOW_MODEL_VERSIONS: json.dumps(links)}
            )

    @_translated
    def get_version(self, model: str, version: str) -> port.ModelVersion:
        return _version(self._client.get_model_version(model, version))

    @_translated
    def set_alias(self, model: str, alias: str, version: str) -> None:
        self._client.set_registered_model_alias(model, alias, version)

    @_translated
    def find_version(self, model: str, version: str) -> port.ModelVersion | None:
        try:
            return _version(self._client.get_model_version(model, version))
        except MlflowException as exc:
            if exc.error_code in _NOT_FOUND or "not found" in exc.message.lower():
                return None
            raise

    @_translated
    def latest_version(self, model: str) -> port.ModelVersion | None:
        found = self._client.search_model_versions(f"name = {quote(model)}")
        if not found:
            return None
        return _version(max(found, key=lambda v: int(v.version)))

    @_translated
    def download_uri(self, model: str, version: str) -> str:
        return str(self._client.get_model_version_download_uri(model, version))

    @_translated
    def version_by_alias(self, model: str, alias: str) -> port.ModelVersion | None:
        try:
            return _version(self._client.get_model_version_by_alias(model, alias))
        except MlflowException as exc:
            if exc.error_code in _NOT_FOUND or "not found" in exc.message.lower():
                return None
            raise


def _run(found: Any) -> port.Run:
    info, data = found.info, found.data
    return port.Run(
        run_id=info.run_id,
        experiment_id=str(info.experiment_id),
        name=info.run_name or "",
        status=info.status,
        start_time=info.start_time,
        end_time=info.end_time,
        tags=dict(data.tags),
        params=dict(data.params),
        metrics=dict(data.metrics),
        artifact_uri=info.artifact_uri or "",
    )


def _logged(model: Any) -> port.LoggedModel:
    return port.LoggedModel(
        model_id=model.model_id,
        name=model.name,
        source_run_id=model.source_run_id,
        status=cast(Literal["PENDING", "READY", "FAILED"], str(model.status)),
        uri=f"models:/{model.model_id}",
    )


def _version(found: Any) -> port.ModelVersion:
    return port.ModelVersion(
        name=found.name,
        version=str(found.version),
        status=found.status,
        source=found.source,
        run_id=found.run_id,
        tags=dict(found.tags),
        aliases=tuple(found.aliases),
    )
