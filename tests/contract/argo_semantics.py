"""What the Argo controller checks beyond the CRD schema (workflow/validate/validate.go), for the
subset bosun emits: template and task names, entrypoints, ``depends`` on existing tasks without
cycles, ``templateRef`` to a rendered template, arguments that match the callee's inputs, and every
``{{...}}`` reference resolvable in the scope where it is read."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

_FIELD_NAME = re.compile(r"^[a-zA-Z0-9][-a-zA-Z0-9]*$")
_PARAM_NAME = re.compile(r"^[-a-zA-Z0-9_]+$")
_REF = re.compile(r"\{\{([^{}]*)\}\}")
_DEPENDS_TOKEN = re.compile(r"[A-Za-z0-9][-A-Za-z0-9]*(?:\.[A-Za-z]+)?|&&|\|\||\(|\)|!")

Obj = dict[str, Any]


def errors(objects: list[Obj]) -> list[str]:
    """Problems of every Argo object in ``objects`` (templateRefs resolve among them)."""
    found: list[str] = []
    for obj in objects:
        spec = _workflow_spec(obj)
        if spec is None:
            continue
        where = f"{obj['kind']} {obj['metadata']['name']}"
        found += [f"{where}: {e}" for e in _spec_errors(obj, spec, objects)]
    return found


def _workflow_spec(obj: Obj) -> Obj | None:
    if obj["kind"] in ("Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate"):
        return dict(obj["spec"])
    if obj["kind"] == "CronWorkflow":
        return dict(obj["spec"]["workflowSpec"])
    return None


def _spec_errors(obj: Obj, spec: Obj, objects: list[Obj]) -> Iterator[str]:
    templates = {t["name"]: t for t in spec["templates"]}
    if len(templates) != len(spec["templates"]):
        yield "template names are not unique"
    for name in templates:
        if not _FIELD_NAME.match(name) or len(name) > 128:
            yield f"template name {name!r} is invalid"
    for field in ("entrypoint", "onExit"):
        if field in spec and spec[field] not in templates:
            yield f"spec.{field} {spec[field]!r} is not a template"
    globals_ = {p["name"] for p in spec.get("arguments", {}).get("parameters", [])}
    for p in spec.get("arguments", {}).get("parameters", []):
        if not _PARAM_NAME.match(p["name"]):
            yield f"argument name {p['name']!r} is invalid"
    for template in spec["templates"]:
        exit_handler = template["name"] == spec.get("onExit")
        for problem in _template_errors(
            obj,
            template,
            templates=templates,
            globals_=globals_,
            objects=objects,
            exit_handler=exit_handler,
        ):
            yield f"template {template['name']}: {problem}"


def _callee(
    task: Obj, templates: dict[str, Obj], namespace: str | None, objects: list[Obj]
) -> Obj | None:
    if "template" in task:
        return templates.get(task["template"])
    ref = task["templateRef"]
    for obj in objects:
        kind = "ClusterWorkflowTemplate" if ref.get("clusterScope") else "WorkflowTemplate"
        same_scope = (
            kind == "ClusterWorkflowTemplate" or obj["metadata"].get("namespace") == namespace
        )
        if obj["kind"] == kind and obj["metadata"]["name"] == ref["name"] and same_scope:
            return next((t for t in obj["spec"]["templates"] if t["name"] == ref["template"]), None)
    return None


def _template_errors(
    obj: Obj,
    template: Obj,
    *,
    templates: dict[str, Obj],
    globals_: set[str],
    objects: list[Obj],
    exit_handler: bool,
) -> Iterator[str]:
    inputs = template.get("inputs", {})
    in_params = {p["name"] for p in inputs.get("parameters", [])}
    for name in in_params | {a["name"] for a in inputs.get("artifacts", [])}:
        if not _PARAM_NAME.match(name):
            yield f"input name {name!r} is invalid"
    scope = {
        **{f"inputs.parameters.{p}": True for p in in_params},
        **{f"workflow.parameters.{g}": True for g in globals_},
        "workflow.name": True,
    }
    if exit_handler:
        scope["workflow.status"] = True
    if "dag" not in template:
        yield from _unresolved(template, scope, False)
        return
    tasks = {t["name"]: t for t in template["dag"]["tasks"]}
    namespace = obj["metadata"].get("namespace")
    callees: dict[str, Obj] = {}
    for name, task in tasks.items():
        if not _FIELD_NAME.match(name) or name[0].isdigit():
            yield f"task name {name!r} is invalid"
        callee = _callee(task, templates, namespace, objects)
        if callee is None:
            called = task.get("template") or task.get("templateRef")
            yield f"task {name}: template {called} not found"
            continue
        callees[name] = callee
        yield from (f"task {name}: {e}" for e in _argument_errors(task, callee))
    ancestors = yield from _dependencies(tasks)
    for name, task in tasks.items():
        task_scope = dict(scope)
        for ancestor in ancestors.get(name, set()):
            task_scope.update(_outputs_scope(ancestor, callees.get(ancestor, {})))
        for key in _item_keys(task):
            task_scope[f"item.{key}"] = True
        yield from (f"task {name}: {e}" for e in _unresolved(task, task_scope, False))
    all_tasks = dict(scope)
    for name in tasks:
        all_tasks.update(_outputs_scope(name, callees.get(name, {})))
    yield from _unresolved(template.get("outputs", {}), all_tasks, False)


def _argument_errors(task: Obj, callee: Obj) -> Iterator[str]:
    arguments = task.get("arguments", {})
    passed = {p["name"] for p in arguments.get("parameters", [])}
    passed_artifacts = {a["name"] for a in arguments.get("artifacts", [])}
    declared = {p["name"]: p for p in callee.get("inputs", {}).get("parameters", [])}
    declared_artifacts = {a["name"]: a for a in callee.get("inputs", {}).get("artifacts", [])}
    for name in passed - set(declared):
        yield f"passes parameter {name!r} that the template does not declare"
    for name in passed_artifacts - set(declared_artifacts):
        yield f"passes artifact {name!r} that the template does not declare"
    for name, p in declared.items():
        if name not in passed and "default" not in p and "value" not in p:
            yield f"does not pass required parameter {name!r}"
    for name, a in declared_artifacts.items():
        sourced = any(k in a for k in ("git", "raw", "http", "s3", "from"))
        if name not in passed_artifacts and not sourced and not a.get("optional"):
            yield f"does not pass required artifact {name!r}"


def _dependencies(tasks: dict[str, Obj]) -> Iterator[str]:
    """Yields problems of ``depends``; returns each task's ancestors."""
    parents: dict[str, set[str]] = {}
    for name, task in tasks.items():
        expression = task.get("depends", "")
        tokens = _DEPENDS_TOKEN.findall(expression)
        if "".join(tokens) != expression.replace(" ", ""):
            yield f"task {name}: depends {expression!r} does not parse"
        deps = {t.split(".")[0] for t in tokens if t not in ("&&", "||", "(", ")", "!")}
        for dep in deps - set(tasks):
            yield f"task {name}: depends on unknown task {dep!r}"
        parents[name] = deps & set(tasks)
    ancestors: dict[str, set[str]] = {}

    def walk(name: str, path: tuple[str, ...]) -> set[str]:
        if name in path:
            raise ValueError(" -> ".join((*path, name)))
        if name not in ancestors:
            found: set[str] = set()
            for parent in parents[name]:
                found |= {parent} | walk(parent, (*path, name))
            ancestors[name] = found
        return ancestors[name]

    for name in tasks:
        try:
            walk(name, ())
        except ValueError as cycle:
            yield f"dependency cycle {cycle}"
            return {}
    return ancestors


def _outputs_scope(task: str, callee: Obj) -> dict[str, bool]:
    outputs = callee.get("outputs", {})
    scope = {
        f"tasks.{task}.outputs.parameters.{p['name']}": True for p in outputs.get("parameters", [])
    }
    scope.update(
        {f"tasks.{task}.outputs.artifacts.{a['name']}": True for a in outputs.get("artifacts", [])}
    )
    return scope


def _item_keys(task: Obj) -> set[str]:
    items = task.get("withItems")
    if not items:
        return set()
    keys = set(items[0])
    for item in items[1:]:
        keys &= set(item)
    return keys


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key != "withItems":
                yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _unresolved(value: Any, scope: dict[str, bool], lenient_workflow: bool) -> Iterator[str]:
    """References that do not resolve. A WorkflowTemplate alone may read workflow parameters
    that the Workflow calling it defines (Argo's own lint allows this)."""
    for text in _strings(value):
        for match in _REF.finditer(text):
            ref = match.group(1).strip()
            if ref in scope:
                continue
            if lenient_workflow and ref.startswith("workflow.parameters."):
                continue
            yield f"{{{{{ref}}}}} does not resolve"
