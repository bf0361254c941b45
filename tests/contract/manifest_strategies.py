"""Hypothesis strategies for whole repositories of valid manifests: a team, its quota, step
templates, a pipeline whose steps reference parameters and ancestors' outputs, experiments (with
and without sweeps, schedules, registration) and serving targets with per-environment overrides."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import strategies as st

API = "bosun.dev/v1alpha1"
RESERVED = {"main", "bosun"}

dns = st.from_regex(r"[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,5}){0,2}", fullmatch=True).filter(
    lambda n: n not in RESERVED
)
ident = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
value = st.one_of(
    st.from_regex(r"[A-Za-z0-9 ._:/=;,'\"#$-]{0,20}", fullmatch=True),
    st.sampled_from(['"; rm -rf / #', "$(whoami)", "`id`", "a}b", "{x}", "100", "yes", "0.25"]),
)
cpu = st.sampled_from(["100m", "250m", "500m", "1"])
memory = st.sampled_from(["128Mi", "256Mi", "1Gi"])
duration = st.sampled_from(["5s", "30s", "1m", "1h30m", "1.5s"])


def _resources(draw: st.DrawFn) -> dict[str, Any] | None:
    if not draw(st.booleans()):
        return None
    out: dict[str, Any] = {}
    if draw(st.booleans()):
        out["cpu"] = draw(cpu)
    if draw(st.booleans()):
        out["memory"] = draw(memory)
    if draw(st.booleans()):
        out["gpu"] = draw(st.integers(0, 2))
    return out


def _retries(draw: st.DrawFn) -> dict[str, Any] | None:
    if not draw(st.booleans()):
        return None
    out: dict[str, Any] = {"limit": draw(st.integers(0, 3))}
    if draw(st.booleans()):
        out["backoff"] = draw(duration)
        out["factor"] = draw(st.integers(1, 3))
        if draw(st.booleans()):
            out["maxBackoff"] = "2m"
    return out


@st.composite
def step_templates(draw: st.DrawFn) -> dict[str, Any]:
    params = draw(st.lists(ident, max_size=3, unique=True))
    artifacts = draw(st.lists(ident.filter(lambda n: n not in params), max_size=2, unique=True))
    out_params = draw(st.lists(ident, max_size=2, unique=True))
    out_artifacts = draw(
        st.lists(ident.filter(lambda n: n not in out_params), max_size=2, unique=True)
    )
    args: list[str] = []
    for name in params + artifacts:
        args += [f"--{name}", f"${{{{ inputs.{name} }}}}"]
    for name in out_artifacts:
        args += [f"--out-{name}", f"${{{{ outputs.{name} }}}}"]
    spec: dict[str, Any] = {
        "image": "ghcr.io/acme/steps:1.0",
        "command": ["python", "templates/steps/run.py"],
        "args": args,
        "inputs": {
            "parameters": [
                {"name": p, **({"default": draw(value)} if draw(st.booleans()) else {})}
                for p in params
            ],
            "artifacts": [{"name": a} for a in artifacts],
        },
        "outputs": {
            "parameters": [
                {"name": p, **({"fromFile": f"metrics/{p}"} if draw(st.booleans()) else {})}
                for p in out_params
            ],
            "artifacts": [{"name": a} for a in out_artifacts],
        },
    }
    if draw(st.booleans()):
        spec["env"] = [{"name": "MODE", "value": draw(value)}]
    for key, drawn in (("resources", _resources(draw)), ("retries", _retries(draw))):
        if drawn is not None:
            spec[key] = drawn
    if draw(st.booleans()):
        spec["timeout"] = draw(duration)
    return spec


def _outputs_of(step: dict[str, Any], templates: dict[str, Any]) -> tuple[list[str], list[str]]:
    outputs = (
        templates[step["template"]]["outputs"] if "template" in step else step.get("outputs", {})
    )
    return (
        [p["name"] for p in outputs.get("parameters", [])],
        [a["name"] for a in outputs.get("artifacts", [])],
    )


@st.composite
def pipelines(draw: st.DrawFn, templates: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """(pipeline spec, its parameter names)."""
    params = draw(st.lists(ident, min_size=1, max_size=3, unique=True))
    names = draw(st.lists(dns, min_size=1, max_size=4, unique=True))
    steps: list[dict[str, Any]] = []
    for i, name in enumerate(names):
        earlier = steps[:i]
        deps = (
            draw(st.lists(st.sampled_from([s["name"] for s in earlier]), unique=True))
            if earlier
            else []
        )
        ancestors = _ancestors(deps, steps)
        step: dict[str, Any] = {"name": name}
        if templates and draw(st.booleans()):
            step.update(_template_step(draw, templates, params, ancestors, steps))
        else:
            step.update(_inline_step(draw, params, ancestors, steps, templates))
        if deps:
            step["dependsOn"] = deps
        for key, drawn in (("resources", _resources(draw)), ("retries", _retries(draw))):
            if drawn is not None:
                step[key] = drawn
        if draw(st.booleans()):
            step["timeout"] = draw(duration)
        if draw(st.booleans()):
            step["cache"] = False
        steps.append(step)
    spec = {
        "parameters": [
            {"name": p, **({"default": draw(value)} if draw(st.booleans()) else {})} for p in params
        ],
        "steps": steps,
    }
    return spec, params


def _ancestors(deps: list[str], steps: list[dict[str, Any]]) -> list[str]:
    by_name = {s["name"]: s for s in steps}
    found: list[str] = []
    todo = list(deps)
    while todo:
        name = todo.pop()
        if name not in found:
            found.append(name)
            todo += by_name[name].get("dependsOn", [])
    return sorted(found)


def _inline_step(
    draw: st.DrawFn,
    params: list[str],
    ancestors: list[str],
    steps: list[dict[str, Any]],
    templates: dict[str, Any],
) -> dict[str, Any]:
    by_name = {s["name"]: s for s in steps}
    args = ["--p", f"${{{{ params.{draw(st.sampled_from(params))} }}}}"]
    for ancestor in ancestors:
        out_params, out_artifacts = _outputs_of(by_name[ancestor], templates)
        for name in (out_params + out_artifacts)[:1]:
            args += [f"--{ancestor}", f"${{{{ steps.{ancestor}.outputs.{name} }}}}"]
    outputs = {
        "parameters": [{"name": "score"}] if draw(st.booleans()) else [],
        "artifacts": [{"name": "result"}] if draw(st.booleans()) else [],
    }
    if outputs["artifacts"]:
        args += ["--out", "${{ outputs.result }}"]
    step: dict[str, Any] = {
        "image": "ghcr.io/acme/tools:1.0",
        "command": ["python", "teams/t/steps/step.py"],
        "args": args,
        "outputs": outputs,
    }
    if draw(st.booleans()):
        step["env"] = [{"name": "LEVEL", "value": f"${{{{ params.{params[0]} }}}}"}]
    return step


def _template_step(
    draw: st.DrawFn,
    templates: dict[str, Any],
    params: list[str],
    ancestors: list[str],
    steps: list[dict[str, Any]],
) -> dict[str, Any]:
    by_name = {s["name"]: s for s in steps}
    artifacts_available = [(a, n) for a in ancestors for n in _outputs_of(by_name[a], templates)[1]]
    usable = [
        name for name, t in templates.items() if not t["inputs"]["artifacts"] or artifacts_available
    ]
    name = draw(st.sampled_from(usable or sorted(templates)))
    template = templates[name]
    if template["inputs"]["artifacts"] and not artifacts_available:
        return {}
    with_: dict[str, str] = {}
    for p in template["inputs"]["parameters"]:
        if "default" not in p or draw(st.booleans()):
            with_[p["name"]] = draw(
                st.one_of(st.just(f"${{{{ params.{draw(st.sampled_from(params))} }}}}"), value)
            )
    for a in template["inputs"]["artifacts"]:
        step, output = draw(st.sampled_from(artifacts_available))
        with_[a["name"]] = f"${{{{ steps.{step}.outputs.{output} }}}}"
    return {"template": name, "with": with_}


@st.composite
def repositories(draw: st.DrawFn) -> dict[str, str]:
    """path → YAML text of a whole repository (environments and team ``t`` included)."""
    template_names = draw(st.lists(dns, min_size=1, max_size=2, unique=True))
    templates = {n: draw(step_templates()) for n in template_names}
    pipe, params = draw(pipelines(templates))
    if any(not s.get("template") and "image" not in s for s in pipe["steps"]):
        pipe["steps"] = [
            s if ("template" in s or "image" in s) else {**s, **_fallback(s)} for s in pipe["steps"]
        ]
    docs: dict[str, Any] = {
        f"templates/{n}.yaml": _doc("StepTemplate", {"name": n}, t) for n, t in templates.items()
    }
    docs["teams/t/team.yaml"] = [
        _doc("Team", {"name": "t"}, {"owners": ["@acme/t"]}),
        _doc("Quota", {"name": "default", "team": "t"}, _quota(draw)),
    ]
    docs["teams/t/pipeline.yaml"] = _doc("Pipeline", {"name": "p", "team": "t"}, pipe)
    docs["teams/t/experiment.yaml"] = _doc(
        "Experiment", {"name": draw(dns), "team": "t"}, _experiment(draw, pipe, params, templates)
    )
    docs["teams/t/serving.yaml"] = _doc(
        "ServingTarget", {"name": "api", "team": "t"}, _serving(draw)
    )
    return {path: _dump(doc) for path, doc in docs.items()}


def _fallback(step: dict[str, Any]) -> dict[str, Any]:
    return {"image": "ghcr.io/acme/tools:1.0", "command": ["python", "x.py"]}


def _quota(draw: st.DrawFn) -> dict[str, Any]:
    spec: dict[str, Any] = {"hard": {"cpu": "64", "memory": "256Gi", "gpu": 8}}
    if draw(st.booleans()):
        spec["maxConcurrentWorkflows"] = draw(st.integers(1, 5))
    if draw(st.booleans()):
        spec["maxParallelSteps"] = draw(st.integers(4, 16))
    if draw(st.booleans()):
        spec["defaultStepResources"] = {"cpu": draw(cpu), "memory": draw(memory)}
    return spec


def _experiment(
    draw: st.DrawFn, pipe: dict[str, Any], params: list[str], templates: dict[str, Any]
) -> dict[str, Any]:
    sweeping = draw(st.booleans())
    swept = draw(st.lists(st.sampled_from(params), min_size=1, unique=True)) if sweeping else []
    fixed = [p for p in params if p not in swept]
    spec: dict[str, Any] = {"pipeline": "p", "parameters": {p: draw(value) for p in fixed}}
    if swept:
        spec["sweep"] = {
            "strategy": draw(st.sampled_from(["grid", "random"])),
            "maxTrials": draw(st.integers(1, 6)),
            "parallelism": draw(st.integers(1, 4)),
            "seed": draw(st.integers(0, 1000)),
            "parameters": {p: draw(st.lists(value, min_size=1, max_size=3)) for p in swept},
        }
    artifacts = [(s["name"], a) for s in pipe["steps"] for a in _outputs_of(s, templates)[1]]
    metrics = [p for s in pipe["steps"] for p in _outputs_of(s, templates)[0]]
    if swept or draw(st.booleans()):
        metric = draw(st.sampled_from(metrics)) if metrics and draw(st.booleans()) else "accuracy"
        spec["objective"] = {
            "metric": metric,
            "goal": draw(st.sampled_from(["maximize", "minimize"])),
        }
    if artifacts and draw(st.booleans()):
        step, artifact = draw(st.sampled_from(artifacts))
        spec["register"] = {"model": "model-a", "artifact": artifact, "step": step}
    if artifacts and draw(st.booleans()):
        step, artifact = draw(st.sampled_from(artifacts))
        spec["dataset"] = {"step": step, "artifact": artifact}
    if draw(st.booleans()):
        spec["schedule"] = draw(st.sampled_from(["0 3 * * *", "*/15 * * * 1-5", "@daily"]))
    return spec


def _serving(draw: st.DrawFn) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "model": "model-a",
        "external": True,
        "version": draw(st.sampled_from(["latest", "3"])),
        "replicas": _replicas(draw),
    }
    if draw(st.booleans()):
        spec["resources"] = _serving_resources(draw)
    if draw(st.booleans()):
        spec["canary"] = _canary(draw)
    overrides = {env: _override(draw) for env in ("dev", "production") if draw(st.booleans())}
    if overrides:
        spec["overrides"] = overrides
    return spec


def _replicas(draw: st.DrawFn) -> dict[str, int]:
    low = draw(st.integers(0, 3))
    return {"min": low, "max": draw(st.integers(max(low, 1), 6))}


def _serving_resources(draw: st.DrawFn) -> dict[str, Any]:
    out: dict[str, Any] = {"cpu": draw(cpu), "memory": draw(memory)}
    if draw(st.booleans()):
        out["gpu"] = draw(st.integers(0, 2))
    return out


def _canary(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "version": draw(st.sampled_from(["4", "5"])),
        "trafficPercent": draw(st.integers(0, 100)),
    }


def _override(draw: st.DrawFn) -> dict[str, Any]:
    """Any subset of the fields an environment may override (possibly none)."""
    fields = {
        "version": lambda: draw(st.sampled_from(["1", "2", "latest"])),
        "replicas": lambda: _replicas(draw),
        "resources": lambda: _serving_resources(draw),
        "canary": lambda: _canary(draw),
    }
    chosen = draw(st.lists(st.sampled_from(sorted(fields)), unique=True))
    return {name: fields[name]() for name in sorted(chosen)}


def _doc(kind: str, metadata: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": API, "kind": kind, "metadata": metadata, "spec": spec}


def _dump(doc: dict[str, Any] | list[dict[str, Any]]) -> str:
    docs = doc if isinstance(doc, list) else [doc]
    return yaml.safe_dump_all(docs, sort_keys=False)
