"""Variables to values: a template's inputs from its task's arguments, and a container template
turned into a fully resolved ``step.Step`` (argv, env, artifacts, deadline, retry policy)."""

from __future__ import annotations

import dataclasses
import json
import re
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from bosun.targets.local import bundle, cache, expressions, paths, step

Lookup = Callable[[str], str]


class InputError(Exception):
    """A template input without a value, or an argument that cannot be resolved."""


@dataclasses.dataclass
class Workflow:
    """The ``{{workflow.*}}`` variables of one run."""

    name: str
    namespace: str
    uid: str
    parameters: Mapping[str, str]
    started: float
    status: str = "Running"

    def value(self, ref: expressions.Ref) -> str | None:
        if ref.kind == "workflow.parameters":
            return self.parameters.get(ref.first)
        if ref.kind != "workflow":
            return None
        if ref.first == "duration":
            return f"{time.time() - self.started:.3f}"
        return str(getattr(self, ref.first))


@dataclasses.dataclass(frozen=True)
class Inputs:
    parameters: Mapping[str, str]
    artifacts: Mapping[str, step.Artifact]


@dataclasses.dataclass(frozen=True)
class Retry:
    limit: int
    policy: str
    backoff: float
    factor: float
    max_duration: float | None
    cap: float | None = None

    def delay(self, attempts: int) -> float:
        """Wait before attempt ``attempts + 1``: duration * factor^(attempts-1), at most cap."""
        wait = self.backoff * self.factor ** max(0, attempts - 1)
        return wait if self.cap is None else min(wait, self.cap)

    def allows(self, phase: str, attempts: int, first_start: float) -> bool:
        if attempts > self.limit:
            return False
        if self.policy == "OnFailure" and phase != "Failed":
            return False
        if self.policy == "OnError" and phase != "Error":
            return False
        elapsed = time.time() - first_start + self.delay(attempts)
        return self.max_duration is None or elapsed <= self.max_duration


def lookup(workflow: Workflow, resolver: Callable[[expressions.Ref], str | None]) -> Lookup:
    """A substitution lookup: ``resolver`` answers the context's own variables."""

    def answer(variable: str) -> str:
        ref = expressions.classify(variable)
        if ref is None:
            raise expressions.UnresolvedError(variable, "not a supported variable")
        value = workflow.value(ref) if ref.kind.startswith("workflow") else resolver(ref)
        if value is None:
            raise expressions.UnresolvedError(variable)
        return value

    return answer


def template_inputs(
    template: bundle.Template,
    parameters: Mapping[str, str],
    artifacts: Mapping[str, step.Artifact],
    raw: Mapping[str, str] | None = None,
) -> tuple[Inputs, dict[str, str]]:
    """The template's input values (argument, else ``value``, else ``default``) and its raw
    artifacts (literal contents)."""
    declared = template.body.get("inputs") or {}
    values: dict[str, str] = {}
    for p in declared.get("parameters") or []:
        name = str(p["name"])
        for source in (parameters, p.get("value"), p.get("default")):
            value = source.get(name) if isinstance(source, Mapping) else source
            if value is not None:
                values[name] = text(value)
                break
        else:
            raise InputError(f"input parameter '{name}' of {template.label()} has no value")
    given: dict[str, step.Artifact] = {}
    literal: dict[str, str] = dict(raw or {})
    for a in declared.get("artifacts") or []:
        name = str(a["name"])
        if name in artifacts:
            given[name] = artifacts[name]
        elif name not in literal and "raw" in a:
            literal[name] = str(a["raw"].get("data", ""))
        elif name not in literal and not a.get("optional") and "git" not in a:
            raise InputError(f"input artifact '{name}' of {template.label()} has no value")
    return Inputs(values, given), literal


def text(value: Any) -> str:
    """How Argo renders a value into a string: strings as they are, the rest as compact JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"))


@dataclasses.dataclass(frozen=True)
class Placement:
    node_id: str
    node_dir: Path
    log: Path
    tag: str


def container_step(
    template: bundle.Template,
    inputs: Inputs,
    raw: Mapping[str, str],
    workflow: Workflow,
    where: Placement,
) -> tuple[step.Step, Retry | None]:
    """Every ``{{ }}`` of the container template resolved; raises UnresolvedError."""
    body = template.body
    sub = _container_substituter(body, inputs, workflow)
    container = body["container"]
    declared = body.get("inputs") or {}
    outputs = body.get("outputs") or {}
    env, secret_env = _env(container.get("env") or [], sub)
    deadline = body.get("activeDeadlineSeconds")
    resolved = step.Step(
        node_id=where.node_id,
        node_dir=where.node_dir,
        log=where.log,
        image=str(container.get("image", "")),
        argv=tuple(
            sub(a) for a in [*(container.get("command") or []), *(container.get("args") or [])]
        ),
        env=env,
        secret_env=secret_env,
        input_artifacts=tuple(
            step.InputArtifact(
                str(a["name"]), sub(a["path"]), inputs.artifacts.get(a["name"]), raw.get(a["name"])
            )
            for a in declared.get("artifacts") or []
            if "git" not in a
        ),
        output_parameters=tuple(
            (str(p["name"]), sub(p["valueFrom"]["path"]), p["valueFrom"].get("default"))
            for p in outputs.get("parameters") or []
        ),
        output_artifacts=tuple(
            (str(a["name"]), sub(a["path"]), bool(a.get("optional")))
            for a in outputs.get("artifacts") or []
        ),
        deadline_seconds=float(sub(deadline)) if deadline is not None else None,
        cacheable=cache.cacheable(body),
        directories=(
            paths.SANDBOX + "/outputs",
            *(sub(m["mountPath"]) for m in container.get("volumeMounts") or []),
        ),
        tag=where.tag,
    )
    return resolved, _retry(body.get("retryStrategy"), sub)


def _container_substituter(
    body: Mapping[str, Any], inputs: Inputs, workflow: Workflow
) -> Callable[[Any], str]:
    """Substitution inside a container template: workflow variables, its input parameters, and
    the container paths of its artifacts and outputs (``{{inputs.artifacts.X.path}}``)."""
    declared = body.get("inputs") or {}
    outputs = body.get("outputs") or {}
    known = {
        f"inputs.artifacts.{a['name']}.path": str(a.get("path", ""))
        for a in declared.get("artifacts") or []
    }
    for p in outputs.get("parameters") or []:
        known[f"outputs.parameters.{p['name']}.path"] = str((p.get("valueFrom") or {}).get("path"))
    for a in outputs.get("artifacts") or []:
        known[f"outputs.artifacts.{a['name']}.path"] = str(a.get("path"))

    def own(ref: expressions.Ref) -> str | None:
        return inputs.parameters.get(ref.first) if ref.kind == "inputs.parameters" else None

    answer = lookup(workflow, own)
    return lambda text: expressions.substitute(
        str(text), lambda v: known[v] if v in known else answer(v)
    )


def _env(
    entries: list[Mapping[str, Any]], sub: Callable[[Any], str]
) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str, str], ...]]:
    """Literal env (substituted) and secret env (variable, secret, key)."""
    env: list[tuple[str, str]] = []
    secret_env: list[tuple[str, str, str]] = []
    for e in entries:
        ref = (e.get("valueFrom") or {}).get("secretKeyRef")
        if ref is not None:
            secret_env.append((str(e["name"]), str(ref["name"]), str(ref["key"])))
        else:
            env.append((str(e["name"]), sub(e.get("value", ""))))
    return tuple(env), tuple(secret_env)


def _retry(strategy: Mapping[str, Any] | None, sub: Callable[[Any], str]) -> Retry | None:
    if strategy is None:
        return None
    backoff = strategy.get("backoff") or {}
    limit = strategy.get("limit")
    max_duration = backoff.get("maxDuration")
    return Retry(
        limit=int(sub(limit)) if limit is not None else 0,
        policy=str(strategy.get("retryPolicy", "OnFailure")),
        backoff=parse_duration(sub(backoff["duration"])) if "duration" in backoff else 0.0,
        factor=float(sub(backoff["factor"])) if "factor" in backoff else 1.0,
        max_duration=parse_duration(sub(max_duration)) if max_duration is not None else None,
        cap=parse_duration(sub(backoff["cap"])) if "cap" in backoff else None,
    )


_DURATION = re.compile(r"(\d+(?:\.\d*)?)(ns|us|µs|ms|s|m|h)")
_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(text: str) -> float:
    """Seconds of an Argo duration: a bare number (seconds) or Go syntax (``1m30s``)."""
    text = text.strip()
    try:
        return float(text)
    except ValueError:
        pass
    parts = _DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError(f"not a duration: {text!r}")
    return sum(float(n) * _UNITS[u] for n, u in parts)
