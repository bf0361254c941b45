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
    states = {p.parents[3] for p in tmp_path.glob("**/local/*/serving/*.json")}
    if not states:
        return
    from bosun.targets.local import serving

    for state_dir in states:
        serving.stop_everything(state_dir)
