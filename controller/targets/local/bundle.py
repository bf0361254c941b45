"""The objects of one run: a Workflow and the (Cluster)WorkflowTemplates and ConfigMaps it uses,
as plain dicts, with template lookup that follows Argo's scoping rules."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from bosun.targets.local import errors

Obj = dict[str, Any]

WORKFLOW_KINDS = ("Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate")


@dataclasses.dataclass(frozen=True)
class Scope:
    """The object a template belongs to. A task's ``template:`` names a template of the same
    object; ``templateRef`` moves to another object's scope (Argo semantics)."""

    kind: str
    name: str
    templates: Mapping[str, Obj]

    def label(self) -> str:
        return f"{self.kind}/{self.name}"


@dataclasses.dataclass(frozen=True)
class Template:
    scope: Scope
    name: str
    body: Obj

    @property
    def is_dag(self) -> bool:
        return "dag" in self.body

    @property
    def is_container(self) -> bool:
        return "container" in self.body

    def label(self) -> str:
        return f"{self.scope.label()} template '{self.name}'"


@dataclasses.dataclass(frozen=True)
class Bundle:
    workflow: Obj
    scope: Scope
    workflow_templates: Mapping[str, Scope]
    cluster_templates: Mapping[str, Scope]
    config_maps: Mapping[str, Obj]

    @property
    def name(self) -> str:
        return str(self.workflow.get("metadata", {}).get("name", ""))

    @property
    def namespace(self) -> str:
        return str(self.workflow.get("metadata", {}).get("namespace", "default"))

    @property
    def spec(self) -> Obj:
        spec: Obj = self.workflow.get("spec") or {}
        return spec

    def template(self, scope: Scope, name: str) -> Template:
        body = scope.templates.get(name)
        if body is None:
            raise LookupError(f"{scope.label()} has no template '{name}'")
        return Template(scope, name, body)

    def task_template(self, scope: Scope, task: Mapping[str, Any]) -> Template:
        """The template a DAG task calls, through ``template`` or ``templateRef``."""
        ref = task.get("templateRef")
        if ref is None:
            return self.template(scope, str(task.get("template")))
        table = self.cluster_templates if ref.get("clusterScope") else self.workflow_templates
        kind = "ClusterWorkflowTemplate" if ref.get("clusterScope") else "WorkflowTemplate"
        target = table.get(str(ref.get("name")))
        if target is None:
            raise LookupError(f"{kind} '{ref.get('name')}' is not among the objects of this run")
        return self.template(target, str(ref.get("template")))


def _scope(obj: Obj) -> Scope:
    templates = {str(t.get("name")): t for t in (obj.get("spec") or {}).get("templates") or []}
    return Scope(str(obj["kind"]), str(obj.get("metadata", {}).get("name", "")), templates)


def from_objects(objects: Iterable[Mapping[str, Any]]) -> Bundle:
    """Index rendered objects; exactly one Workflow must be among them. Other kinds (Namespace,
    ResourceQuota, ...) are ignored: they only matter on a cluster."""
    workflows: list[Obj] = []
    templates: dict[str, Scope] = {}
    cluster: dict[str, Scope] = {}
    config_maps: dict[str, Obj] = {}
    for raw in objects:
        obj = dict(raw)
        kind = obj.get("kind")
        name = str(obj.get("metadata", {}).get("name", ""))
        if kind == "Workflow":
            workflows.append(obj)
        elif kind == "WorkflowTemplate":
            templates[name] = _scope(obj)
        elif kind == "ClusterWorkflowTemplate":
            cluster[name] = _scope(obj)
        elif kind == "ConfigMap":
            config_maps[name] = obj
    if len(workflows) != 1:
        raise errors.LocalRuntimeError(
            f"expected exactly one Workflow among the objects to run, found {len(workflows)}"
        )
    return Bundle(workflows[0], _scope(workflows[0]), templates, cluster, config_maps)


def reachable(objects: Bundle) -> list[Template]:
    """The templates the entrypoint and the exit handler can reach, each once."""
    found: dict[tuple[str, str], Template] = {}
    roots = [str(objects.spec[k]) for k in ("entrypoint", "onExit") if k in objects.spec]
    stack = [(objects.scope, name) for name in roots]
    while stack:
        scope, name = stack.pop()
        if (scope.label(), name) in found or name not in scope.templates:
            continue
        template = objects.template(scope, name)
        found[(scope.label(), name)] = template
        for task in (template.body.get("dag") or {}).get("tasks") or []:
            try:
                target = objects.task_template(scope, task)
            except LookupError:
                continue
            stack.append((target.scope, target.name))
    return list(found.values())
