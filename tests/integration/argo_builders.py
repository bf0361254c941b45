"""Hand-written Argo objects in the shape the renderer emits (docs/internals/execution-contract.md),
with tiny Python one-liners as steps, and a helper that runs them on the local runtime."""

from __future__ import annotations

import datetime
import io
import pathlib
from collections.abc import Mapping, Sequence
from typing import Any

from bosun.targets.local import progress, runtime

Obj = dict[str, Any]
OUT = "/tmp/bosun/outputs"


def container(
    name: str,
    code: str,
    *args: str,
    inputs: Mapping[str, Any] | None = None,
    outputs: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    **extra: Any,
) -> Obj:
    """A container template running ``python -c CODE ARGS...`` (no shell)."""
    body: Obj = {
        "name": name,
        "container": {
            "image": "python:3.11",
            "command": ["python", "-c", code],
            "args": list(args),
            "env": [{"name": k, "value": v} for k, v in (env or {}).items()],
            "workingDir": "/workspace",
            "volumeMounts": [{"name": "bosun-outputs", "mountPath": OUT}],
        },
        "volumes": [{"name": "bosun-outputs", "emptyDir": {}}],
    }
    if inputs:
        body["inputs"] = dict(inputs)
    if outputs:
        body["outputs"] = dict(outputs)
    body.update(extra)
    return body


def params(*names: str, **defaults: str) -> Obj:
    declared = [{"name": n} for n in names]
    return {"parameters": declared + [{"name": k, "default": v} for k, v in defaults.items()]}


def out_param(name: str, path: str | None = None) -> Obj:
    return {"name": name, "valueFrom": {"path": path or f"{OUT}/{name}"}}


def out_artifact(name: str, path: str | None = None) -> Obj:
    return {"name": name, "path": path or f"{OUT}/{name}"}


def task(
    name: str,
    template: str,
    depends: str | None = None,
    *,
    parameters: Mapping[str, str] | None = None,
    artifacts: Mapping[str, str] | None = None,
    **extra: Any,
) -> Obj:
    body: Obj = {"name": name, "template": template}
    if depends:
        body["depends"] = depends
    arguments: Obj = {}
    if parameters:
        arguments["parameters"] = [{"name": k, "value": v} for k, v in parameters.items()]
    if artifacts:
        arguments["artifacts"] = [{"name": k, "from": v} for k, v in artifacts.items()]
    if arguments:
        body["arguments"] = arguments
    body.update(extra)
    return body


def dag(name: str, tasks: Sequence[Obj], **extra: Any) -> Obj:
    return {"name": name, "dag": {"tasks": list(tasks)}, **extra}


def workflow(
    templates: Sequence[Obj],
    *,
    name: str = "wf",
    entrypoint: str = "main",
    arguments: Mapping[str, str] | None = None,
    **spec: Any,
) -> Obj:
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": {"name": name, "namespace": "ml-test"},
        "spec": {
            "entrypoint": entrypoint,
            "arguments": {
                "parameters": [{"name": k, "value": v} for k, v in (arguments or {}).items()]
            },
            "templates": list(templates),
            **spec,
        },
    }


def workflow_template(name: str, templates: Sequence[Obj]) -> Obj:
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "WorkflowTemplate",
        "metadata": {"name": name, "namespace": "ml-test"},
        "spec": {"entrypoint": "main", "templates": list(templates)},
    }


def run(
    state: pathlib.Path,
    objects: Sequence[Obj],
    run_name: str = "wf-run",
    **options: Any,
) -> runtime.Result:
    """Run on the local runtime with the repository root at ``state``'s parent; the progress
    lines are kept in LOGS[run_name]."""
    stream = io.StringIO()
    result = runtime.run(
        list(objects),
        options=runtime.Options(
            state_dir=state,
            repo_root=state.parent,
            run_name=run_name,
            display=progress.Plain(stream),
            **options,
        ),
    )
    LOGS[run_name] = stream.getvalue()
    return result


LOGS: dict[str, str] = {}
"""Progress output of each run, by run name."""


def node(result: runtime.Result, node_id: str) -> dict[str, Any]:
    record: dict[str, Any] = result.status["nodes"][node_id]
    return record


def times(record: Mapping[str, Any]) -> tuple[float, float]:
    def parse(text: str) -> float:
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()

    return parse(record["startedAt"]), parse(record["finishedAt"])


def max_overlap(intervals: Sequence[tuple[float, float]]) -> int:
    """Most intervals open at one instant (an end and a start at the same instant do not
    overlap: the slot is freed before it is reused)."""
    events = sorted([(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals])
    current = peak = 0
    for _, delta in events:
        current += delta
        peak = max(peak, current)
    return peak


def log_of(result: runtime.Result, node_id: str) -> str:
    return (result.run_dir / node(result, node_id)["log"]).read_text()
