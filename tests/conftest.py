"""Suite-wide: no test leaves a serving process behind. Reconciles and the demo start detached
routers and MLflow scoring servers (as the controller does); after each test, every one
recorded under its tmp_path is stopped."""

from __future__ import annotations

import pathlib
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _stop_local_serving(tmp_path: pathlib.Path) -> Iterator[None]:
    yield
    envs = {p.parent.parent for p in tmp_path.glob("**/local/*/serving/*.json")}
    if not envs:
        return
    from bosun.targets.local import serving

    for env_dir in envs:
        manager = serving.ServingManager(
            state_dir=env_dir.parent.parent, env=env_dir.name, tracking_uri=""
        )
        manager.stop_all()
