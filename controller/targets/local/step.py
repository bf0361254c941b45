"""One attempt of one container node: reuse (resume), restore (cache), or run the process and
collect its outputs. Runs on a worker thread; everything it needs is resolved beforehand."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bosun.targets.local import cache, paths, process, records


@dataclasses.dataclass(frozen=True, slots=True)
class Artifact:
    """An artifact's local location (in its producer's node directory) and content digest."""

    path: Path
    digest: str


@dataclasses.dataclass(frozen=True, slots=True)
class InputArtifact:
    name: str
    path: str
    source: Artifact | None = None
    raw: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Step:
    """A container node with every variable resolved; paths are still in container form."""

    node_id: str
    node_dir: Path
    log: Path
    image: str
    argv: tuple[str, ...]
    env: tuple[tuple[str, str], ...]
    secret_env: tuple[tuple[str, str, str], ...]
    """(variable, secret name, key)."""
    input_artifacts: tuple[InputArtifact, ...]
    output_parameters: tuple[tuple[str, str, str | None], ...]
    """(name, container path, default)."""
    output_artifacts: tuple[tuple[str, str, bool], ...]
    """(name, container path, optional)."""
    deadline_seconds: float | None
    cacheable: bool
    directories: tuple[str, ...]
    """Container paths that exist before the process starts (``$BOSUN_OUTPUTS``, emptyDir
    mounts)."""
    tag: str
    """Process registry tag: ``main`` or ``exit``."""

    def key_material(self, secrets: Mapping[tuple[str, str], str]) -> dict[str, Any]:
        """What decides this step's result (cache.py adds code and interpreter). Secret values
        count through a digest: a rotated secret is a changed input, and never lands on disk."""
        return {
            "image": self.image,
            "argv": list(self.argv),
            "env": {n: v for n, v in self.env if n not in cache.PER_RUN_ENV},
            "secrets": {
                n: [s, k, cache.secret_digest(secrets.get((s, k)))] for n, s, k in self.secret_env
            },
            "inputs": {
                a.name: [a.path, a.source.digest if a.source else None, a.raw]
                for a in self.input_artifacts
            },
            "outputs": [list(p[:2]) for p in self.output_parameters]
            + [list(a[:2]) for a in self.output_artifacts],
        }


@dataclasses.dataclass(frozen=True)
class Result:
    phase: str
    """Succeeded, Failed or Error (Argo: Error is bosun's fault or the environment's)."""
    started: float
    finished: float
    exit_code: int | None = None
    message: str = ""
    parameters: Mapping[str, str] = dataclasses.field(default_factory=dict)
    artifacts: Mapping[str, Artifact] = dataclasses.field(default_factory=dict)
    key: str = ""
    cached: bool = False
    reused: bool = False
    stopped: bool = False
    cached_from: Mapping[str, str] | None = None
    """For a cache hit: the run and node whose execution it restored."""
    attempts: int | None = None
    """Processes started for the node, when not the scheduler's own count: 0 for a cache hit,
    the earlier invocation's count for a reused node."""


@dataclasses.dataclass(frozen=True)
class Context:
    """What every attempt of every step shares."""

    repo_root: Path
    base_env: Mapping[str, str]
    secrets: Mapping[tuple[str, str], str]
    registry: process.Registry
    store: cache.Store
    previous: Mapping[str, Result]
    """Succeeded nodes of the run being resumed, by node id."""
    run_name: str = ""
    """Recorded in cache entries as where an output came from."""


def attempt(step: Step, number: int, ctx: Context) -> Result:
    started = time.time()
    key = ctx.store.key(step.key_material(ctx.secrets), repo_root=ctx.repo_root)
    if number == 1:
        earlier = _earlier(step, key, ctx)
        if earlier is not None:
            return dataclasses.replace(earlier, started=started, finished=time.time())
    mapping = paths.Mapping(step.node_dir, ctx.repo_root)
    paths.reset(step.node_dir)
    for directory in step.directories:
        mapping.local(directory).mkdir(parents=True, exist_ok=True)
    for artifact in step.input_artifacts:
        _place(artifact, mapping)
    argv = [mapping.value(a) for a in step.argv]
    env = dict(ctx.base_env)
    env.update((n, mapping.value(v)) for n, v in step.env)
    env.update((n, ctx.secrets[(s, k)]) for n, s, k in step.secret_env if (s, k) in ctx.secrets)
    step.log.parent.mkdir(parents=True, exist_ok=True)
    with step.log.open("ab") as log:
        log.write(f"==> bosun: attempt {number} at {records.iso(started)}: {argv}\n".encode())
        log.flush()
        outcome = process.run(
            ctx.registry,
            step.tag,
            argv,
            env=env,
            cwd=str(ctx.repo_root),
            log=log,
            deadline_seconds=step.deadline_seconds,
        )
        ended = "could not start" if outcome.error else f"exit code {outcome.exit_code}"
        log.write(
            f"==> bosun: attempt {number} ended at {records.iso(time.time())}: {ended}\n".encode()
        )
    return _finish(step, key=key, mapping=mapping, outcome=outcome, started=started, ctx=ctx)


def _earlier(step: Step, key: str, ctx: Context) -> Result | None:
    """The resumed run's result for this node, else a cache hit, when the key matches."""
    previous = ctx.previous.get(step.node_id)
    if previous is not None and previous.key == key and _present(previous):
        return dataclasses.replace(previous, reused=True, cached=False)
    if not step.cacheable:
        return None
    hit = ctx.store.restore(key, step.node_dir, [(n, p) for n, p, _ in step.output_artifacts])
    if hit is None:
        return None
    restored = {n: Artifact(p, d) for n, (p, d) in hit.artifacts.items()}
    origin = hit.origin or {}
    where = f"run {origin['run']} node {origin['node']}" if origin else "an earlier execution"
    step.log.parent.mkdir(parents=True, exist_ok=True)
    with step.log.open("a", encoding="utf-8") as log:
        log.write(
            f"==> bosun: cached at {records.iso(time.time())}: not run; outputs restored from "
            f"the step cache (key {key}), produced by {where}\n"
        )
    return Result(
        "Succeeded",
        0,
        0,
        None,
        "",
        hit.parameters,
        restored,
        key,
        cached=True,
        cached_from=hit.origin,
        attempts=0,
    )


def _present(result: Result) -> bool:
    return all(a.path.exists() for a in result.artifacts.values())


def _place(artifact: InputArtifact, mapping: paths.Mapping) -> None:
    target = mapping.local(artifact.path)
    if artifact.raw is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(artifact.raw, encoding="utf-8")
    elif artifact.source is not None:
        paths.copy(artifact.source.path, target)


def _finish(
    step: Step,
    *,
    key: str,
    mapping: paths.Mapping,
    outcome: process.Outcome,
    started: float,
    ctx: Context,
) -> Result:
    code = outcome.exit_code
    finished = time.time()

    def result(phase: str, message: str = "", **extra: Any) -> Result:
        return Result(phase, started, finished, code, message, key=key, **extra)

    if outcome.error is not None:
        return result("Error", outcome.error)
    if outcome.stopped:
        return result("Failed", "stopped", stopped=True)
    if outcome.timed_out:
        limit = f"{step.deadline_seconds:g}s"
        return result("Failed", f"exceeded activeDeadlineSeconds ({limit}); process group killed")
    if code != 0:
        return result("Failed", f"exit code {code}")
    try:
        parameters, artifacts = _collect(step, mapping)
    except FileNotFoundError as e:
        return result("Error", str(e))
    if step.cacheable:
        ctx.store.save(
            key,
            parameters,
            {n: (a.path, a.digest) for n, a in artifacts.items()},
            origin={"run": ctx.run_name, "node": step.node_id},
        )
    return result("Succeeded", parameters=parameters, artifacts=artifacts)


def _collect(step: Step, mapping: paths.Mapping) -> tuple[dict[str, str], dict[str, Artifact]]:
    parameters: dict[str, str] = {}
    for name, path, default in step.output_parameters:
        local = mapping.local(path)
        if local.is_file():
            parameters[name] = local.read_text(encoding="utf-8").strip()
        elif default is not None:
            parameters[name] = default
        else:
            raise FileNotFoundError(f"output parameter '{name}': the step wrote no file {path}")
    artifacts: dict[str, Artifact] = {}
    for name, path, optional in step.output_artifacts:
        local = mapping.local(path)
        if local.exists():
            artifacts[name] = Artifact(local, paths.digest(local))
        elif not optional:
            raise FileNotFoundError(f"output artifact '{name}': the step wrote nothing at {path}")
    return parameters, artifacts
