"""A commit → what it wants in one environment: which environments its branch binds, its
manifests validated under the environment's policy, rendered and split into objects to apply
and experiment runs to start (with their identities)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from bosun import diagnostics, render
from bosun.gitops import source
from bosun.load import sources
from bosun.plan import actions, runs
from bosun.spec import v1alpha1
from bosun.validate import engine

RUN_OBJECT_KINDS = ("ConfigMap", "ClusterWorkflowTemplate", "WorkflowTemplate")


@dataclasses.dataclass(frozen=True)
class Binding:
    env: str
    branch: str
    commit: str


@dataclasses.dataclass(frozen=True)
class Rejected:
    """The commit cannot be applied: its diagnostics (file:line, code, message)."""

    commit: str
    diagnostics: Sequence[diagnostics.Diagnostic]

    def documents(self) -> list[dict[str, Any]]:
        return [_diagnostic(d) for d in self.diagnostics]

    def summary(self) -> str:
        errors = [d for d in self.diagnostics if d.severity == "error"] or list(self.diagnostics)
        first = errors[0]
        where = f"{first.file}:{first.line}: " if first.file else ""
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        found = f"{where}{first.code} {first.message}{more}"
        return f"commit {self.commit[:12]} does not validate: {found}"


@dataclasses.dataclass(frozen=True)
class Validated:
    commit: str
    env: str
    result: engine.Result

    @property
    def environment(self) -> v1alpha1.Environment:
        return self.result.catalog.environments()[self.env]


def bindings(mirror: source.Mirror) -> dict[str, Binding]:
    """env → the branch that reconciles it: a branch binds the environments whose file *on
    that branch* names it (``spec.branch``), so changing production's policy takes a merge."""
    found: dict[str, Binding] = {}
    for branch, commit in sorted(mirror.branches().items()):
        loaded = sources.load_bytes(mirror.environment_files(commit))
        for document in loaded.documents:
            data = document.data
            if data.get("kind") != "Environment" or not isinstance(data.get("spec"), Mapping):
                continue
            name = str(data.get("metadata", {}).get("name", ""))
            if data["spec"].get("branch") == branch and name:
                found.setdefault(name, Binding(name, branch, commit))
    return found


def validated(mirror: source.Mirror, commit: str, env: str) -> Validated | Rejected:
    loaded = sources.load_bytes(mirror.manifests(commit))
    result = engine.validate_loaded(loaded, engine.Options(environment=env))
    if not result.valid:
        return Rejected(commit, result.diagnostics)
    if env not in result.catalog.environments():
        missing = diagnostics.Diagnostic(
            "BOS314", f"commit has no Environment named '{env}'", "environments/"
        )
        return Rejected(commit, [missing])
    return Validated(commit, env, result)


@dataclasses.dataclass(frozen=True)
class Rendered:
    objects: list[dict[str, Any]]
    """What is applied: everything but Workflows."""
    runs: list[actions.RunSpec]
    warnings: list[diagnostics.Diagnostic]


def rendered(
    checked: Validated,
    *,
    branch: str,
    tree: Mapping[str, str],
    resolver: render.ModelResolver,
    tracking_uri: str,
) -> Rendered | Rejected:
    try:
        result = render.render_result(
            checked.result.catalog,
            checked.env,
            render.Source(checked.commit, branch),
            resolver,
            render.RenderOptions(tracking_uri=tracking_uri),
        )
    except render.RenderError as error:
        return Rejected(checked.commit, error.diagnostics)
    applied = [o for o in result.objects if o["kind"] != "Workflow"]
    specs = [_run_spec(w, applied, tree) for w in result.objects if w["kind"] == "Workflow"]
    return Rendered(applied, specs, result.warnings)


def _run_spec(
    workflow: dict[str, Any], applied: list[dict[str, Any]], tree: Mapping[str, str]
) -> actions.RunSpec:
    meta = workflow["metadata"]
    namespace = meta.get("namespace", "")
    needed = [
        o
        for o in applied
        if o["kind"] in RUN_OBJECT_KINDS and o["metadata"].get("namespace", "") in ("", namespace)
    ]
    referenced = _referenced(workflow)
    documents = [workflow, *(o for o in needed if o["metadata"]["name"] in referenced)]
    labels = meta.get("labels", {})
    return actions.RunSpec(
        name=str(meta["name"]),
        identity=runs.identity(documents, tree),
        experiment=str(labels.get("bosun.dev/experiment", meta["name"])),
        team=str(labels.get("bosun.dev/team", "")),
        objects=[*needed, workflow],
    )


def _referenced(value: Any) -> set[str]:
    """Names of the templates (``templateRef``) and ConfigMaps (``configMapKeyRef``) a
    Workflow uses: what its run identity depends on besides itself."""
    found: set[str] = set()
    if isinstance(value, Mapping):
        for field in ("templateRef", "configMapKeyRef", "workflowTemplateRef"):
            ref = value.get(field)
            if isinstance(ref, Mapping) and isinstance(ref.get("name"), str):
                found.add(ref["name"])
        for child in value.values():
            found |= _referenced(child)
    elif isinstance(value, list):
        for child in value:
            found |= _referenced(child)
    return found


def _diagnostic(d: diagnostics.Diagnostic) -> dict[str, Any]:
    return {
        "file": d.file,
        "line": d.line,
        "column": d.column,
        "code": d.code,
        "message": d.message,
        "severity": d.severity,
    }
