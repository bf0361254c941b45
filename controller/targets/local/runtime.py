"""Run one rendered workflow on this machine: check the subset, resolve secrets, take the
workflow's semaphores, lay out the run directory, execute, and return the outcome.

This is the local runtime's public entry point (``bosun run`` and the reconciler call it).
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import json
import os
import shutil
import signal
import sys
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from bosun.targets.local import (
    bundle,
    cache,
    errors,
    interrupts,
    process,
    progress,
    records,
    resolve,
    scheduler,
    secrets,
    semaphores,
    step,
    subset,
    warm,
)

INHERITED_ENV = frozenset(
    {"HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "TZ", "TMPDIR"}
    | {"SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"}
    | {"HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy"}
)
"""Besides PATH and ``LC_*``, what a step inherits from the ``bosun`` process. Nothing else
leaks in (no PYTHONPATH, VIRTUAL_ENV, MLFLOW_*): a step sees what a pod would, plus a home."""


@dataclasses.dataclass(frozen=True)
class Options:
    state_dir: Path
    repo_root: Path
    run_name: str
    """``{{workflow.name}}`` and the run directory's name."""
    parameters: Mapping[str, str] = dataclasses.field(default_factory=dict)
    """Workflow argument values overriding the rendered ones (``argo submit -p``)."""
    resume: bool = False
    """Continue the failed run ``run_name`` in place, reusing its succeeded steps."""
    display: progress.Display | None = None
    environ: Mapping[str, str] = dataclasses.field(default_factory=lambda: dict(os.environ))
    record: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    """Extra fields for status.json (source commit, experiment, ...)."""
    warm_system_steps: bool = True
    """Fork bosun's system steps from a warm interpreter (``warm``) instead of a fresh one."""
    interrupts: interrupts.Interrupts | None = None
    """The caller's SIGINT/SIGTERM handler, installed already (``bosun run`` has one for the
    whole command); without it, ``run`` installs one for the call (main thread only)."""


@dataclasses.dataclass(frozen=True)
class Result:
    run: str
    phase: str
    run_dir: Path
    status: Mapping[str, Any]
    signal: int | None = None
    """The signal that stopped the run, if one did."""

    @property
    def succeeded(self) -> bool:
        return self.phase == "Succeeded"

    def nodes(self, how: str) -> list[str]:
        """Container nodes that were ``cached`` or ``reused``."""
        return [n for n, r in self.status["nodes"].items() if r.get(how)]


def default_parallelism() -> int:
    """Step processes at once when the workflow sets no ``parallelism``."""
    return max(4, 2 * (os.cpu_count() or 1))


def run(objects: Iterable[Mapping[str, Any]], *, options: Options) -> Result:
    """Execute the Workflow among ``objects``; raises LocalRuntimeError before starting if it
    cannot run here (unsupported features, missing secrets, a busy or unknown run), and
    StoppedError when SIGINT/SIGTERM came before any step started."""
    objects = list(objects)
    wf = bundle.from_objects(objects)
    problems = subset.check(wf)
    if problems:
        raise errors.UnsupportedError(problems)
    parameters = _parameters(wf, options.parameters)
    secret_values = secrets.resolve(wf, state_dir=options.state_dir, environ=options.environ)
    previous = (
        _previous(records.run_dir(options.state_dir, options.run_name)) if options.resume else None
    )
    display = options.display or progress.for_stream()
    handler = options.interrupts
    with contextlib.ExitStack() as outer:
        if handler is None:  # the caller has no handler of its own: one for this call
            handler = outer.enter_context(interrupts.Interrupts().installed())
        outer.callback(display.close)
        return _execute(
            objects,
            wf=wf,
            options=options,
            parameters=parameters,
            secret_values=secret_values,
            previous=previous,
            handler=handler,
            display=display,
        )


def _execute(
    objects: list[Mapping[str, Any]],
    *,
    wf: bundle.Bundle,
    options: Options,
    parameters: dict[str, str],
    secret_values: Mapping[tuple[str, str], str],
    previous: Mapping[str, Any] | None,
    handler: interrupts.Interrupts,
    display: progress.Display,
) -> Result:
    run_dir = records.run_dir(options.state_dir, options.run_name)
    created = False
    with contextlib.ExitStack() as stack:
        try:
            acquired = semaphores.acquire(
                wf,
                stack,
                state_dir=options.state_dir,
                on_wait=display.note,
                stopped=lambda: bool(handler.received),
            )
            if not acquired or handler.received:
                raise _StoppedError
            if not options.resume:
                try:
                    run_dir.mkdir(parents=True)
                except FileExistsError:
                    raise errors.LocalRuntimeError(
                        f"run {options.run_name} exists already"
                    ) from None
                created = True
            stack.enter_context(_exclusive(run_dir))
            records.write_json(run_dir / records.OBJECTS, _objects_document(objects))
            uid = str((previous or {}).get("uid") or uuid.uuid4())
            workflow = resolve.Workflow(
                options.run_name, wf.namespace, uid, parameters, time.time()
            )
            header = _header(wf, workflow, options, previous)
            status = records.Status(run_dir / records.STATUS, header)
            if created:  # from now on the run directory is a run that --resume can continue
                status.flush(force=True)
            starter = _warm_starter(objects, options, handler)
            if starter is not None:
                stack.callback(starter.close)
            context = step.Context(
                repo_root=options.repo_root,
                base_env=base_env(options.environ),
                secrets=secret_values,
                registry=process.Registry(warm_starter=starter),
                store=cache.Store(options.state_dir / "cache"),
                previous=_results(previous or {}, run_dir),
                run_name=options.run_name,
            )
            settings = scheduler.Settings(
                run_dir=run_dir,
                limit=int(wf.spec.get("parallelism") or default_parallelism()),
                deadline=float(wf.spec["activeDeadlineSeconds"])
                if "activeDeadlineSeconds" in wf.spec
                else None,
            )
            engine = scheduler.Scheduler(
                wf,
                workflow=workflow,
                context=context,
                status=status,
                display=display,
                settings=settings,
            )
            with handler.delivering(engine.interrupt):
                if handler.received:  # came before the scheduler could take it
                    raise _StoppedError
                phase = engine.run()
        except _StoppedError:
            signum = handler.first or signal.SIGINT
            if created:
                shutil.rmtree(run_dir, ignore_errors=True)
            raise errors.StoppedError(signum, options.run_name, kept=options.resume) from None
    return Result(options.run_name, phase, run_dir, status.document, handler.first)


class _StoppedError(Exception):
    """A signal came before any step started."""


def base_env(environ: Mapping[str, str]) -> dict[str, str]:
    """The inherited part of every step's env: bosun's interpreter directory first on PATH, so
    that ``python`` is the interpreter that has bosun, mlflow and scikit-learn."""
    interpreter_bin = str(Path(sys.executable).parent)
    path = [interpreter_bin] + [p for p in environ.get("PATH", os.defpath).split(os.pathsep) if p]
    env = {k: v for k, v in environ.items() if k in INHERITED_ENV or k.startswith("LC_")}
    env["PATH"] = os.pathsep.join(dict.fromkeys(path))
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _parameters(wf: bundle.Bundle, overrides: Mapping[str, str]) -> dict[str, str]:
    values = {
        str(p["name"]): resolve.text(p.get("value", ""))
        for p in wf.spec.get("arguments", {}).get("parameters") or []
    }
    unknown = sorted(set(overrides) - set(values))
    if unknown:
        known = ", ".join(sorted(values))
        raise errors.LocalRuntimeError(
            f"unknown workflow parameter(s) {', '.join(unknown)}; known: {known}"
        )
    return {**values, **overrides}


def _previous(run_dir: Path) -> dict[str, Any]:
    try:
        previous = records.load(run_dir / records.STATUS)
    except (OSError, ValueError):
        raise errors.LocalRuntimeError(f"no run to resume at {run_dir}") from None
    if previous.get("phase") == "Succeeded":
        raise errors.LocalRuntimeError(f"run {run_dir.name} succeeded; there is nothing to resume")
    return previous


def _results(previous: Mapping[str, Any], run_dir: Path) -> dict[str, step.Result]:
    """Succeeded container nodes of the resumed run (never its exit handler, which reruns)."""
    out: dict[str, step.Result] = {}
    for node_id, record in (previous.get("nodes") or {}).items():
        if record.get("type") != "Container" or record.get("phase") != "Succeeded":
            continue
        if node_id == scheduler.EXIT_NODE or node_id.startswith(scheduler.EXIT_NODE + "."):
            continue
        outputs = record.get("outputs") or {}
        artifacts = {
            name: step.Artifact(run_dir / a["path"], str(a["digest"]))
            for name, a in (outputs.get("artifacts") or {}).items()
        }
        out[node_id] = step.Result(
            "Succeeded",
            0.0,
            0.0,
            exit_code=record.get("exitCode"),
            parameters=dict(outputs.get("parameters") or {}),
            artifacts=artifacts,
            key=str(record.get("key") or ""),
            cached_from=record.get("cachedFrom"),
            attempts=int(record["attempts"]) if "attempts" in record else None,
        )
    return out


def _header(
    wf: bundle.Bundle,
    workflow: resolve.Workflow,
    options: Options,
    previous: Mapping[str, Any] | None,
) -> dict[str, Any]:
    return {
        "run": options.run_name,
        "workflow": wf.name,
        "namespace": wf.namespace,
        "uid": workflow.uid,
        "phase": "Running",
        "startedAt": records.iso(workflow.started),
        "finishedAt": None,
        "message": "",
        "resumes": int((previous or {}).get("resumes", -1)) + 1 if previous else 0,
        "parameters": dict(workflow.parameters),
        **options.record,
    }


def _objects_document(objects: list[Mapping[str, Any]]) -> list[Any]:
    document: list[Any] = json.loads(json.dumps(objects, default=str))
    return document


@contextlib.contextmanager
def _exclusive(run_dir: Path) -> Iterator[None]:
    fd = os.open(run_dir / "lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise errors.RunBusyError(
                f"run {run_dir.name} is being executed by another bosun"
            ) from None
        yield
    finally:
        os.close(fd)


def _warm_starter(
    objects: Sequence[Mapping[str, Any]], options: Options, handler: interrupts.Interrupts
) -> warm.Starter | None:
    """A started fork server when the run has system steps to fork from it."""
    if not options.warm_system_steps or not any(
        warm.warm_module(container.get("command", [])) is not None
        for container in _containers(objects)
    ):
        return None
    if handler.received:
        raise _StoppedError
    starter = warm.Starter()
    starter.prepare()
    return starter


def _containers(objects: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    found: list[Mapping[str, Any]] = []
    for obj in objects:
        spec = obj.get("spec", {})
        spec = spec.get("workflowSpec", spec)
        found.extend(t["container"] for t in spec.get("templates", []) if "container" in t)
    return found
