"""Argo container templates: one per pipeline step (and per StepTemplate), with bosun's env, the
outputs directory, resources, retries and timeout. Values reach the process only as whole argv
elements or env vars: there is never a shell or a ``script.source``."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from bosun.render import argo_text, context
from bosun.spec.v1alpha1 import common, reserved, types

GPU = "nvidia.com/gpu"
OUTPUTS_VOLUME = "bosun-outputs"
SOURCE_ARTIFACT = "bosun-source"
RUN_ID_INPUT = "bosun-run-id"
TRIAL_INPUT = "bosun-trial"
CACHE_ANNOTATION = "bosun.dev/cache"

WORKFLOW_PARAMETERS = (
    "bosun-tracking-uri",
    "bosun-experiment-name",
    "bosun-git-commit",
    "bosun-git-branch",
    "bosun-environment",
    "bosun-team",
    "bosun-experiment",
)
"""Workflow-level parameters every step's env reads (``{{workflow.parameters.X}}``)."""

_TAG_ENV = reserved.TAG_ENV
RESERVED_ENV = reserved.RESERVED_ENV


def bosun_env(*, trial: bool) -> list[dict[str, Any]]:
    """The MLflow wiring and run tags of DESIGN §2; ``trial`` adds the trial's run id."""
    env: list[dict[str, Any]] = [
        {"name": "BOSUN_OUTPUTS", "value": argo_text.OUTPUTS_DIR},
        {
            "name": "MLFLOW_TRACKING_URI",
            "value": argo_text.workflow_parameter("bosun-tracking-uri"),
        },
        {
            "name": "MLFLOW_EXPERIMENT_NAME",
            "value": argo_text.workflow_parameter("bosun-experiment-name"),
        },
    ]
    if trial:
        env += [
            {"name": "MLFLOW_RUN_ID", "value": argo_text.input_parameter(RUN_ID_INPUT)},
            {"name": "BOSUN_TRIAL", "value": argo_text.input_parameter(TRIAL_INPUT)},
        ]
    env += [{"name": n, "value": argo_text.workflow_parameter(p)} for n, p in _TAG_ENV]
    env.append({"name": "BOSUN_WORKFLOW", "value": argo_text.argo("workflow.name")})
    return env


def resources(amounts: common.Resources | None) -> dict[str, Any] | None:
    """Requests, and limits equal to them (Guaranteed QoS); ``gpu`` → ``nvidia.com/gpu``."""
    if amounts is None:
        return None
    values: dict[str, str] = {}
    if amounts.cpu is not None:
        values["cpu"] = amounts.cpu
    if amounts.memory is not None:
        values["memory"] = amounts.memory
    if amounts.gpu:
        values[GPU] = str(amounts.gpu)
    if not values:
        return None
    return {"requests": dict(values), "limits": dict(values)}


def retry_strategy(retries: common.Retries | None) -> dict[str, Any] | None:
    """``limit`` retries after any failure (evictions included), with exponential backoff."""
    if retries is None:
        return None
    strategy: dict[str, Any] = {"limit": retries.limit, "retryPolicy": "Always"}
    if retries.backoff is not None:
        backoff: dict[str, Any] = {"duration": retries.backoff, "factor": retries.factor}
        if retries.maxBackoff is not None:
            backoff["cap"] = retries.maxBackoff
        strategy["backoff"] = backoff
    return strategy


def deadline_seconds(timeout: str | None) -> int | None:
    """``activeDeadlineSeconds`` of each attempt, rounded up to whole seconds."""
    if timeout is None:
        return None
    return max(1, math.ceil(types.duration_seconds(timeout)))


def source_artifact(source: context.Source) -> dict[str, Any] | None:
    """The repository at the rendered commit, cloned to ``/workspace`` (when its URL is known)."""
    if source.repo_url is None:
        return None
    return {
        "name": SOURCE_ARTIFACT,
        "path": argo_text.WORKSPACE,
        "git": {
            "repo": argo_text.literal(source.repo_url),
            "revision": argo_text.literal(source.commit),
        },
    }


@dataclasses.dataclass(frozen=True)
class Container:
    """A container template before it becomes Argo YAML; all text already translated."""

    name: str
    image: str
    command: list[str]
    args: list[str]
    env: list[dict[str, Any]]
    parameters: list[dict[str, Any]]
    """Input parameters: ``{"name": ..., "default"?: ...}``."""
    artifacts: list[dict[str, Any]]
    """Input artifacts: ``{"name": ..., "path"?: ..., ...}``; ``path`` defaults to
    ``/tmp/bosun/inputs/<name>``."""
    outputs: common.Outputs
    resources: common.Resources | None = None
    retries: common.Retries | None = None
    timeout: str | None = None
    working_dir: str | None = argo_text.WORKSPACE
    cache: bool = True
    """False: the local runtime never reuses a previous execution's outputs."""


def template(spec: Container) -> dict[str, Any]:
    container: dict[str, Any] = {"image": spec.image, "command": spec.command}
    if spec.args:
        container["args"] = spec.args
    container["env"] = spec.env
    if spec.working_dir is not None:
        container["workingDir"] = spec.working_dir
    limits = resources(spec.resources)
    if limits is not None:
        container["resources"] = limits
    container["volumeMounts"] = [{"name": OUTPUTS_VOLUME, "mountPath": argo_text.OUTPUTS_DIR}]
    out: dict[str, Any] = {"name": spec.name}
    if not spec.cache:
        out["metadata"] = {"annotations": {CACHE_ANNOTATION: "false"}}
    inputs = _inputs(spec)
    if inputs:
        out["inputs"] = inputs
    outputs = _outputs(spec.outputs)
    if outputs:
        out["outputs"] = outputs
    out["container"] = container
    out["volumes"] = [{"name": OUTPUTS_VOLUME, "emptyDir": {}}]
    strategy = retry_strategy(spec.retries)
    if strategy is not None:
        out["retryStrategy"] = strategy
    deadline = deadline_seconds(spec.timeout)
    if deadline is not None:
        out["activeDeadlineSeconds"] = deadline
    return out


def _inputs(spec: Container) -> dict[str, Any]:
    inputs: dict[str, Any] = {}
    if spec.parameters:
        inputs["parameters"] = spec.parameters
    if spec.artifacts:
        inputs["artifacts"] = [
            {"path": argo_text.input_path(a["name"]), **a} for a in spec.artifacts
        ]
    return inputs


def _outputs(outputs: common.Outputs) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if outputs.parameters:
        out["parameters"] = [
            {"name": p.name, "valueFrom": {"path": argo_text.output_path(p.fromFile or p.name)}}
            for p in outputs.parameters
        ]
    if outputs.artifacts:
        out["artifacts"] = [
            {"name": a.name, "path": argo_text.output_path(a.fromFile or a.name)}
            for a in outputs.artifacts
        ]
    return out
