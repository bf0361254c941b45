"""``bosun demo`` end to end: dev trains and aliases, a promotion merged into production moves
production's alias behind its gates, and a stricter gate is refused with its reason."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_demo_promotes_by_merge_and_refuses_a_failing_gate(tmp_path: pathlib.Path) -> None:
    done = subprocess.run(
        [
            str(pathlib.Path(sys.executable).parent / "bosun"),
            "demo",
            "--dir",
            str(tmp_path / "d"),
            "--source",
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    assert "dev: Synced" in out and "alias wine-classifier@staging (alias moved)" in out
    assert "alias wine-classifier@production (alias moved)" in out
    assert "Degraded wine-classifier v1" in out and "gate failed: accuracy" in out
    assert "1 refused" in out
    assert "the production endpoint answers a real prediction" in out
    assert '{"predictions": [0, 0, 0]}   (served by version' in out
    assert "production   http://127.0.0.1:" in out and "stopped 4 serving process(es)" in out
