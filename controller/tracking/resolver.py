"""Answers the renderer's registry questions from MLflow: a ServingTarget's version (``latest``
resolved to the highest version number) and the location KServe downloads its files from."""

from __future__ import annotations

from bosun import render
from bosun.tracking import port


class RegistryResolver:
    """``render.ModelResolver`` over a tracker's model registry."""

    def __init__(self, tracker: port.Tracker) -> None:
        self._tracker = tracker

    def resolve(self, model: str, version: str) -> render.ResolvedModel | None:
        """None when the model has no such version yet (render then warns and skips it)."""
        if version == "latest":
            latest = self._tracker.latest_version(model)
            if latest is None:
                return None
            version = latest.version
        elif self._tracker.find_version(model, version) is None:
            return None
        return render.ResolvedModel(version, self._tracker.download_uri(model, version))
