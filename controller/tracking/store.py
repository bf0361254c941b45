"""Where the embedded MLflow store lives under bosun's state directory, and how its artifacts are
laid out (DESIGN §4: one sqlite store with the artifacts beside it, shared by all environments).

    <state-dir>/mlflow.db                                   tracking and registry (sqlite)
    <state-dir>/mlartifacts/<team>/<experiment>/<run_id>/artifacts/      run artifacts
    <state-dir>/mlartifacts/<team>/<experiment>/models/<model_id>/artifacts/  logged models

Experiments get their artifact location from their name when ``start-workflow`` creates them, so
that a step never falls back to MLflow's default ``./mlruns`` in its working directory (the
repository). Other tracking URIs (an ``mlflow server``, a database) keep the server's own default.
"""

from __future__ import annotations

import pathlib
import re

DB_FILE = "mlflow.db"
ARTIFACTS_DIR = "mlartifacts"

_SQLITE = "sqlite:///"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def tracking_uri(state_dir: pathlib.Path) -> str:
    """The default tracking URI of a state directory: an absolute sqlite URI, valid from any cwd."""
    return _SQLITE + str(state_dir.resolve() / DB_FILE)


def sqlite_path(uri: str) -> pathlib.Path | None:
    """The database file of a ``sqlite:///`` URI (relative paths resolved against the cwd), or
    None for any other URI and for in-memory sqlite."""
    if not uri.startswith(_SQLITE):
        return None
    path = uri[len(_SQLITE) :].split("?", 1)[0]
    if not path or path == ":memory:":
        return None
    return pathlib.Path(path).resolve()


def artifact_root(uri: str) -> pathlib.Path | None:
    """``mlartifacts/`` beside the sqlite database, or None when the store is not a local file."""
    db = sqlite_path(uri)
    return None if db is None else db.parent / ARTIFACTS_DIR


def artifact_location(uri: str, experiment_name: str) -> str | None:
    """The ``file://`` artifact location of a new experiment, one directory per name segment
    (``quality/wine-rf`` → ``mlartifacts/quality/wine-rf``)."""
    root = artifact_root(uri)
    if root is None:
        return None
    parts = [_UNSAFE.sub("_", part) for part in experiment_name.split("/")]
    parts = [part for part in parts if part.strip(".")] or ["default"]
    return root.joinpath(*parts).as_uri()
