"""The state of one running DAG template: its tasks, their fan-out into units (one per
``withItems`` item), which units are ready, and the DAG's own outputs once it is done.

Semantics follow Argo: a task runs when every task it depends on succeeded; a failed task makes
its dependants Omitted; with ``failFast`` (the default) a failure stops new tasks of the DAG from
starting while the running ones finish; the DAG fails when any task failed.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from typing import Any

from bosun.targets.local import bundle, expressions, resolve, step

NO_ITEM = object()


@dataclasses.dataclass
class Outputs:
    parameters: dict[str, str] = dataclasses.field(default_factory=dict)
    artifacts: dict[str, step.Artifact] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(eq=False)
class Unit:
    """One schedulable child of a DAG: a task, or one item of a fanned-out task."""

    dag: Dag
    task: Task
    node_id: str
    item: Any = NO_ITEM
    phase: str = "Pending"
    outputs: Outputs = dataclasses.field(default_factory=Outputs)

    @property
    def done(self) -> bool:
        return self.phase in ("Succeeded", "Failed", "Error", "Omitted")


@dataclasses.dataclass(eq=False)
class Task:
    name: str
    spec: Mapping[str, Any]
    depends: list[str]
    units: list[Unit] = dataclasses.field(default_factory=list)
    phase: str = "Pending"

    @property
    def fanned_out(self) -> bool:
        return "withItems" in self.spec


class Dag:
    def __init__(
        self,
        node_id: str,
        template: bundle.Template,
        inputs: resolve.Inputs,
        workflow: resolve.Workflow,
    ) -> None:
        self.node_id = node_id
        self.template = template
        self.inputs = inputs
        self.workflow = workflow
        body = template.body
        self.parallelism = int(body["parallelism"]) if "parallelism" in body else None
        self.fail_fast = bool(body["dag"].get("failFast", True))
        self.tasks: dict[str, Task] = {}
        for spec in body["dag"].get("tasks") or []:
            depends = [str(d) for d in spec.get("dependencies") or []]
            if "depends" in spec:
                depends += expressions.parse_depends(str(spec["depends"])) or []
            self.tasks[str(spec["name"])] = Task(str(spec["name"]), spec, depends)
        self.active = 0
        self.failed = False
        self.halted = False

    def child_id(self, task: str) -> str:
        return f"{self.node_id}.{task}" if self.node_id else task

    def advance(self) -> tuple[list[Unit], list[Task]]:
        """Expand tasks whose dependencies all succeeded (new ready units) and omit those with a
        failed dependency; repeats until stable. Returns (ready units, newly omitted tasks)."""
        ready: list[Unit] = []
        omitted: list[Task] = []
        changed = True
        while changed:
            changed = False
            for task in self.tasks.values():
                if task.phase != "Pending":
                    continue
                phases = [self.tasks[d].phase for d in task.depends]
                if any(p in ("Failed", "Error", "Omitted") for p in phases) or self.halted:
                    task.phase = "Omitted"
                    omitted.append(task)
                    changed = True
                elif all(p == "Succeeded" for p in phases):
                    ready += self._expand(task)
                    changed = True
        return ready, omitted

    def _expand(self, task: Task) -> list[Unit]:
        task.phase = "Running"
        base = self.child_id(task.name)
        if not task.fanned_out:
            task.units = [Unit(self, task, base)]
        else:
            items = task.spec["withItems"]
            task.units = [Unit(self, task, f"{base}.{i}", item) for i, item in enumerate(items)]
            if not task.units:
                task.phase = "Succeeded"
        return list(task.units)

    def unit_done(self, unit: Unit) -> None:
        self.active -= 1
        if unit.phase != "Succeeded":
            self.failed = True
            self.halted = self.halted or self.fail_fast
        task = unit.task
        if all(u.done for u in task.units):
            ok = all(u.phase == "Succeeded" for u in task.units)
            task.phase = "Succeeded" if ok else "Failed"

    def omit(self, unit: Unit) -> None:
        """A ready unit that will not start (fail-fast or a stop)."""
        unit.phase = "Omitted"
        self.halted = True
        task = unit.task
        if all(u.done for u in task.units):
            ok = all(u.phase == "Succeeded" for u in task.units)
            task.phase = "Succeeded" if ok else "Failed"

    def finished(self) -> bool:
        terminal = ("Succeeded", "Failed", "Omitted")
        return self.active == 0 and all(t.phase in terminal for t in self.tasks.values())

    def has_room(self) -> bool:
        return self.parallelism is None or self.active < self.parallelism

    # -- variables -------------------------------------------------------------------------

    def arguments(
        self, unit: Unit
    ) -> tuple[dict[str, str], dict[str, step.Artifact], dict[str, str]]:
        """The unit's argument parameters, artifacts (``from``) and raw artifacts."""
        spec = unit.task.spec.get("arguments") or {}
        sub = self._substituter(unit)
        parameters = {
            str(p["name"]): sub(resolve.text(p.get("value", "")))
            for p in spec.get("parameters") or []
        }
        artifacts: dict[str, step.Artifact] = {}
        raw: dict[str, str] = {}
        for a in spec.get("artifacts") or []:
            if "raw" in a:
                raw[str(a["name"])] = sub(str(a["raw"].get("data", "")))
            else:
                artifacts[str(a["name"])] = self.artifact(str(a["from"]), unit)
        return parameters, artifacts, raw

    def outputs(self) -> Outputs:
        """The DAG template's outputs (``valueFrom.parameter``, artifact ``from``)."""
        declared = self.template.body.get("outputs") or {}
        sub = self._substituter(None)
        out = Outputs()
        for p in declared.get("parameters") or []:
            out.parameters[str(p["name"])] = sub(str(p["valueFrom"]["parameter"]))
        for a in declared.get("artifacts") or []:
            try:
                out.artifacts[str(a["name"])] = self.artifact(str(a["from"]), None)
            except expressions.UnresolvedError:
                if not a.get("optional"):
                    raise
        return out

    def artifact(self, reference: str, unit: Unit | None) -> step.Artifact:
        names = expressions.variables(reference)
        ref = expressions.classify(names[0]) if len(names) == 1 else None
        if ref is None or reference.strip() != "{{" + names[0] + "}}":
            raise expressions.UnresolvedError(
                reference, "an artifact 'from' is one {{...}} reference"
            )
        if ref.kind == "inputs.artifacts" and ref.first in self.inputs.artifacts:
            return self.inputs.artifacts[ref.first]
        if ref.kind == "tasks.artifacts":
            task = self.tasks.get(ref.first)
            if task is not None and len(task.units) == 1 and not task.fanned_out:
                found = task.units[0].outputs.artifacts.get(ref.second)
                if found is not None:
                    return found
        raise expressions.UnresolvedError(names[0], "no such artifact (yet)")

    def _substituter(self, unit: Unit | None) -> Callable[[str], str]:
        answer = resolve.lookup(self.workflow, lambda ref: self._value(ref, unit))
        return lambda text: expressions.substitute(text, answer)

    def _value(self, ref: expressions.Ref, unit: Unit | None) -> str | None:
        if ref.kind == "inputs.parameters":
            return self.inputs.parameters.get(ref.first)
        if ref.kind == "tasks.parameters":
            task = self.tasks.get(ref.first)
            if task is None or task.phase != "Succeeded":
                return None
            values = [u.outputs.parameters.get(ref.second) for u in task.units]
            if not task.fanned_out:
                return values[0]
            return None if None in values else json.dumps(values, separators=(",", ":"))
        if unit is not None and unit.item is not NO_ITEM:
            if ref.kind == "item":
                return self._item_text(unit.item)
            if ref.kind == "item.key" and isinstance(unit.item, Mapping):
                value = unit.item.get(ref.first)
                return None if value is None else self._item_text(value)
        return None

    def _item_text(self, value: Any) -> str:
        """An item's text; variables in a string item resolve in the DAG's scope (not ``item``
        itself), as Argo resolves ``withItems`` before expanding."""
        if isinstance(value, str):
            return self._substituter(None)(value)
        return resolve.text(value)
