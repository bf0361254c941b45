"""Helpers for the tracking tests: run bosun's system steps and the demo's step scripts as real
subprocesses, with the environment the renderer gives them (docs/internals/execution-contract.md),
against a real sqlite MLflow store in a temporary directory."""

from __future__ import annotations

import dataclasses
import os
import pathlib
import subprocess
import sys
from collections.abc import Mapping, Sequence

REPO = pathlib.Path(__file__).resolve().parents[2]
EXPERIMENT = "quality/wine-rf"
LOCKED = "database is locked"


@dataclasses.dataclass(frozen=True)
class Store:
    root: pathlib.Path

    @property
    def uri(self) -> str:
        return f"sqlite:///{self.root / 'mlflow.db'}"

    def env(self, workflow: str, outputs: pathlib.Path, **extra: str) -> dict[str, str]:
        """A step's environment: only what the runtime passes (no pytest or MLflow variables of
        the test process leak in)."""
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/tmp"),
            "MLFLOW_TRACKING_URI": self.uri,
            "MLFLOW_EXPERIMENT_NAME": EXPERIMENT,
            "BOSUN_WORKFLOW": workflow,
            "BOSUN_GIT_COMMIT": "0123456789abcdef0123456789abcdef01234567",
            "BOSUN_GIT_BRANCH": "main",
            "BOSUN_ENVIRONMENT": "dev",
            "BOSUN_TEAM": "quality",
            "BOSUN_EXPERIMENT": "wine-rf",
            "BOSUN_OUTPUTS": str(outputs),
            **extra,
        }


def start(argv: Sequence[str], env: Mapping[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        list(argv),
        env=dict(env),
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def system(verb: str, *flags: str) -> list[str]:
    """The argv of a system step, as the renderer writes it (bosun's own interpreter)."""
    return [sys.executable, "-m", "bosun.tracking.steps", verb, *flags]


def script(path: str, *args: str) -> list[str]:
    return [sys.executable, path, *args]


@dataclasses.dataclass(frozen=True)
class Done:
    argv: list[str]
    code: int
    stdout: str
    stderr: str


def finish(*procs: subprocess.Popen[str], expect: int = 0) -> list[Done]:
    """Wait for every process; fail with its output unless it exited ``expect``. Any "database is
    locked" in any output fails the test whatever the exit status."""
    done = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        done.append(Done([str(a) for a in proc.args], proc.returncode, out, err))
    for result in done:
        assert LOCKED not in result.stderr + result.stdout, f"{result.argv}:\n{result.stderr}"
        assert result.code == expect, (
            f"{' '.join(result.argv)} exited {result.code}, expected {expect}\n"
            f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
        )
    return done


def run(argv: Sequence[str], env: Mapping[str, str], *, expect: int = 0) -> Done:
    return finish(start(argv, env), expect=expect)[0]


def output(directory: pathlib.Path, name: str) -> str:
    return (directory / name).read_text(encoding="utf-8").strip()
