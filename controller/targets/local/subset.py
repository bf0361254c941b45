"""Before anything starts: is every reachable part of the workflow inside the subset of Argo that
the local runtime executes? ``check`` returns every problem found, each naming object, template
and field, so that nothing runs half-way and then meets an unknown feature.

Fields fall in three sets: executed, ignored (meaningful on a cluster only: scheduling, pod
garbage collection, resources), and refused (everything else). docs/local-runtime.md lists them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from bosun.targets.local import bundle, expressions
from bosun.targets.local import paths as paths_

SPEC_RUN = {"entrypoint", "arguments", "templates", "onExit", "parallelism"}
SPEC_RUN |= {"activeDeadlineSeconds", "synchronization"}
SPEC_IGNORED = {"podGC", "ttlStrategy", "serviceAccountName", "podMetadata", "archiveLogs"}
SPEC_IGNORED |= {"artifactRepositoryRef", "securityContext", "nodeSelector", "tolerations"}
SPEC_IGNORED |= {"affinity", "priority", "podPriorityClassName", "imagePullSecrets", "metrics"}
SPEC_IGNORED |= {"workflowMetadata", "schedulerName", "podDisruptionBudget", "artifactGC"}
SPEC_IGNORED |= {"automountServiceAccountToken", "executor", "dnsPolicy", "dnsConfig"}
TEMPLATE_RUN = {"name", "inputs", "outputs", "metadata", "container", "dag", "parallelism"}
TEMPLATE_RUN |= {"activeDeadlineSeconds", "retryStrategy", "volumes"}
TEMPLATE_IGNORED = {"nodeSelector", "tolerations", "affinity", "serviceAccountName", "metrics"}
TEMPLATE_IGNORED |= {"securityContext", "priorityClassName", "schedulerName", "archiveLocation"}
TEMPLATE_IGNORED |= {"automountServiceAccountToken", "executor", "podSpecPatch"}
CONTAINER_RUN = {"image", "command", "args", "env", "workingDir", "volumeMounts"}
CONTAINER_IGNORED = {"name", "resources", "imagePullPolicy", "securityContext"}
CONTAINER_IGNORED |= {"terminationMessagePath", "terminationMessagePolicy"}
TASK_RUN = {"name", "template", "templateRef", "arguments", "depends", "dependencies", "withItems"}
RETRY_RUN = {"limit", "backoff", "retryPolicy"}
RETRY_POLICIES = {"Always", "OnFailure", "OnError"}
LOCAL_WORKDIRS = ("/workspace",)


def check(objects: bundle.Bundle) -> list[str]:
    """Every problem that keeps the local runtime from executing ``objects`` faithfully."""
    checker = _Checker(objects)
    checker.workflow()
    return checker.problems


def _keys(where: str, obj: Mapping[str, Any], run: set[str], ignored: set[str]) -> list[str]:
    return [
        f"{where}: '{key}' is not supported locally" for key in sorted(set(obj) - run - ignored)
    ]


def _int_like(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, str) and (value.strip().isdigit() or "{{" in value)


class _Checker:
    def __init__(self, objects: bundle.Bundle) -> None:
        self.objects = objects
        self.problems: list[str] = []
        self.seen: set[tuple[str, str]] = set()
        self.parameters = {
            str(p.get("name")) for p in objects.spec.get("arguments", {}).get("parameters") or []
        }

    def workflow(self) -> None:
        spec = self.objects.spec
        where = f"Workflow/{self.objects.name} spec"
        self.problems += _keys(where, spec, SPEC_RUN, SPEC_IGNORED)
        for key in set(spec.get("arguments") or {}) - {"parameters"}:
            self.problems.append(f"{where}.arguments: '{key}' is not supported locally")
        for p in spec.get("arguments", {}).get("parameters") or []:
            if "value" not in p:
                self.problems.append(
                    f"{where}.arguments: parameter '{p.get('name')}' needs a value"
                )
        for key in ("parallelism", "activeDeadlineSeconds"):
            if key in spec and not _int_like(spec[key]):
                self.problems.append(f"{where}.{key}: expected an integer, got {spec[key]!r}")
        self._synchronization(where, spec.get("synchronization"))
        for key in ("entrypoint", "onExit"):
            if key in spec:
                self.visit(self.objects.scope, str(spec[key]), f"{where}.{key}")
        if "entrypoint" not in spec:
            self.problems.append(f"{where}: no entrypoint")

    def _synchronization(self, where: str, sync: Mapping[str, Any] | None) -> None:
        if not sync:
            return
        locks = list(sync.get("semaphores") or []) + (
            [sync["semaphore"]] if "semaphore" in sync else []
        )
        for lock in locks:
            if set(lock) != {"configMapKeyRef"}:
                self.problems.append(
                    f"{where}.synchronization: only configMapKeyRef semaphores run locally"
                )
        for key in set(sync) - {"semaphores", "semaphore", "mutexes", "mutex"}:
            self.problems.append(f"{where}.synchronization: '{key}' is not supported locally")

    def visit(self, scope: bundle.Scope, name: str, where: str) -> None:
        try:
            template = self.objects.template(scope, name)
        except LookupError as e:
            self.problems.append(f"{where}: {e}")
            return
        key = (scope.label(), name)
        if key in self.seen:
            return
        self.seen.add(key)
        self.template(template)

    def template(self, template: bundle.Template) -> None:
        where = template.label()
        body = template.body
        self.problems += _keys(where, body, TEMPLATE_RUN, TEMPLATE_IGNORED)
        if template.is_dag == template.is_container:
            kinds = sorted(set(body) - TEMPLATE_RUN - TEMPLATE_IGNORED) or ["none"]
            self.problems.append(
                f"{where}: only 'container' and 'dag' templates run locally (found: "
                f"{', '.join(kinds)})"
            )
            return
        self._inputs(where, body.get("inputs") or {}, template.is_dag)
        if template.is_container:
            self._container(template)
        else:
            self._dag(template)

    def _inputs(self, where: str, inputs: Mapping[str, Any], dag: bool) -> None:
        for p in inputs.get("parameters") or []:
            self.problems += _keys(
                f"{where} input parameter '{p.get('name')}'",
                p,
                {"name", "value", "default", "description", "enum"},
                set(),
            )
        for a in inputs.get("artifacts") or []:
            label = f"{where} input artifact '{a.get('name')}'"
            self.problems += _keys(
                label, a, {"name", "path", "from", "optional", "raw", "git"}, {"archive"}
            )
            if "git" in a and a.get("path") not in LOCAL_WORKDIRS:
                self.problems.append(f"{label}: a git artifact runs locally only at /workspace")
            if not dag and "path" not in a:
                self.problems.append(f"{label}: no path")

    def _container(self, template: bundle.Template) -> None:
        where = template.label()
        body = template.body
        container = body["container"]
        self.problems += _keys(f"{where} container", container, CONTAINER_RUN, CONTAINER_IGNORED)
        if not container.get("command"):
            self.problems.append(
                f"{where}: the container has no command; images are not pulled locally, so "
                "their entrypoint is unknown"
            )
        workdir = container.get("workingDir")
        if workdir is not None and workdir not in LOCAL_WORKDIRS:
            self.problems.append(f"{where}: workingDir {workdir!r} has no local mapping")
        for env in container.get("env") or []:
            self._env(where, env)
        self._volumes(where, body.get("volumes") or [], container.get("volumeMounts") or [])
        self._retry(where, body.get("retryStrategy"))
        if "activeDeadlineSeconds" in body and not _int_like(body["activeDeadlineSeconds"]):
            self.problems.append(f"{where}: activeDeadlineSeconds must be an integer")
        if "parallelism" in body:
            self.problems.append(f"{where}: 'parallelism' applies to DAG templates only")
        outputs = body.get("outputs") or {}
        for p in outputs.get("parameters") or []:
            source = p.get("valueFrom") or {}
            if set(source) - {"path", "default"} or "path" not in source:
                self.problems.append(
                    f"{where} output parameter '{p.get('name')}': only valueFrom.path "
                    "(and default) is supported locally"
                )
        for a in outputs.get("artifacts") or []:
            self.problems += _keys(
                f"{where} output artifact '{a.get('name')}'",
                a,
                {"name", "path", "optional"},
                {"archive"},
            )
        self._sandbox_paths(where, body.get("inputs") or {}, outputs)
        texts = _strings(container, body.get("inputs"), outputs, body.get("retryStrategy"))
        texts += _strings(body.get("activeDeadlineSeconds"))
        self._references(template, texts, dag=None)

    def _sandbox_paths(
        self, where: str, inputs: Mapping[str, Any], outputs: Mapping[str, Any]
    ) -> None:
        paths = [
            (f"input artifact '{a.get('name')}'", a.get("path"), a)
            for a in inputs.get("artifacts") or []
        ]
        paths += [
            (f"output artifact '{a.get('name')}'", a.get("path"), a)
            for a in outputs.get("artifacts") or []
        ]
        paths += [
            (f"output parameter '{p.get('name')}'", (p.get("valueFrom") or {}).get("path"), p)
            for p in outputs.get("parameters") or []
        ]
        for label, path, item in paths:
            if "git" in item or path is None:
                continue
            if not str(path).startswith(paths_.SANDBOX + "/"):
                self.problems.append(
                    f"{where} {label}: path {path!r} is outside {paths_.SANDBOX}/, the only "
                    "directory the local runtime maps"
                )

    def _volumes(
        self, where: str, volumes: list[Mapping[str, Any]], mounts: list[Mapping[str, Any]]
    ) -> None:
        """emptyDir volumes mounted under /tmp/bosun/ are parts of the node directory."""
        scratch = {str(v.get("name")) for v in volumes if set(v) == {"name", "emptyDir"}}
        for v in volumes:
            if str(v.get("name")) not in scratch:
                self.problems.append(
                    f"{where} volume '{v.get('name')}': only emptyDir volumes run locally"
                )
        for m in mounts:
            path = str(m.get("mountPath", ""))
            inside = path == paths_.SANDBOX or path.startswith(paths_.SANDBOX + "/")
            if m.get("name") not in scratch or not inside or set(m) - {"name", "mountPath"}:
                self.problems.append(
                    f"{where} volumeMount {path!r}: only emptyDir volumes mounted under "
                    f"{paths_.SANDBOX}/ run locally"
                )

    def _env(self, where: str, env: Mapping[str, Any]) -> None:
        source = env.get("valueFrom")
        if source is None:
            if "value" not in env:
                self.problems.append(f"{where} env '{env.get('name')}': no value")
            return
        if set(source) != {"secretKeyRef"}:
            self.problems.append(
                f"{where} env '{env.get('name')}': only valueFrom.secretKeyRef is supported locally"
            )

    def _retry(self, where: str, retry: Mapping[str, Any] | None) -> None:
        if retry is None:
            return
        self.problems += _keys(f"{where} retryStrategy", retry, RETRY_RUN, {"affinity"})
        policy = retry.get("retryPolicy", "OnFailure")
        if policy not in RETRY_POLICIES:
            self.problems.append(f"{where} retryStrategy: retryPolicy {policy!r} is not supported")
        backoff = retry.get("backoff") or {}
        self.problems += _keys(
            f"{where} retryStrategy.backoff",
            backoff,
            {"duration", "factor", "maxDuration", "cap"},
            set(),
        )

    def _dag(self, template: bundle.Template) -> None:
        where = template.label()
        body = template.body
        dag = body["dag"]
        self.problems += _keys(f"{where} dag", dag, {"tasks", "failFast"}, set())
        for key in ("retryStrategy", "activeDeadlineSeconds"):
            if key in body:
                self.problems.append(f"{where}: '{key}' on a DAG template is not supported locally")
        if "parallelism" in body and not _int_like(body["parallelism"]):
            self.problems.append(f"{where}: parallelism must be an integer")
        tasks = {str(t.get("name")): t for t in dag.get("tasks") or []}
        upstream = _upstream(tasks)
        cyclic = sorted(name for name, deps in upstream.items() if name in deps)
        if cyclic:
            self.problems.append(f"{where}: tasks {', '.join(cyclic)} depend on each other (cycle)")
        for name, task in tasks.items():
            self._task(template, name, task, tasks, upstream)
        for p in (body.get("outputs") or {}).get("parameters") or []:
            if set(p.get("valueFrom") or {}) != {"parameter"}:
                self.problems.append(
                    f"{where} output parameter '{p.get('name')}': a DAG output needs "
                    "valueFrom.parameter"
                )
        outputs = body.get("outputs") or {}
        self._references(template, _strings(outputs), dag=(tasks, set(tasks), False))

    def _task(
        self,
        template: bundle.Template,
        name: str,
        task: Mapping[str, Any],
        tasks: Mapping[str, Any],
        upstream: Mapping[str, set[str]],
    ) -> None:
        where = f"{template.label()} task '{name}'"
        if not expressions.NAME.fullmatch(name):
            self.problems.append(f"{where}: a task name is letters, digits, '-' and '_'")
        self.problems += _keys(where, task, TASK_RUN, set())
        if "depends" in task and expressions.parse_depends(str(task["depends"])) is None:
            self.problems.append(
                f"{where}: depends {task['depends']!r} is outside the local subset: only task "
                "names joined by '&&' (each optionally '.Succeeded')"
            )
        for dep in _depends(task):
            if dep not in tasks:
                self.problems.append(f"{where}: depends on unknown task '{dep}'")
        if "withItems" in task and not isinstance(task["withItems"], list):
            self.problems.append(f"{where}: withItems must be a list")
        arguments = task.get("arguments") or {}
        for p in arguments.get("parameters") or []:
            if "value" not in p:
                self.problems.append(f"{where}: argument '{p.get('name')}' needs a value")
        for a in arguments.get("artifacts") or []:
            if not ({"from", "raw"} & set(a)) or set(a) - {"name", "from", "raw"}:
                self.problems.append(
                    f"{where}: artifact argument '{a.get('name')}' needs 'from' or 'raw' only"
                )
        try:
            target = self.objects.task_template(template.scope, task)
        except LookupError as e:
            self.problems.append(f"{where}: {e}")
            return
        self._arguments_cover(where, arguments, target)
        self.visit(target.scope, target.name, where)
        context = (tasks, upstream.get(name, set()), "withItems" in task)
        self._references(template, _strings(arguments, task.get("withItems")), dag=context)

    def _arguments_cover(
        self, where: str, arguments: Mapping[str, Any], target: bundle.Template
    ) -> None:
        given = {str(p.get("name")) for p in arguments.get("parameters") or []}
        given_artifacts = {str(a.get("name")) for a in arguments.get("artifacts") or []}
        inputs = target.body.get("inputs") or {}
        for p in inputs.get("parameters") or []:
            if p.get("name") not in given and "value" not in p and "default" not in p:
                self.problems.append(
                    f"{where}: input parameter '{p.get('name')}' of {target.label()} gets no value"
                )
        for a in inputs.get("artifacts") or []:
            if a.get("name") in given_artifacts or {"raw", "git", "from"} & set(a):
                continue
            if not a.get("optional"):
                self.problems.append(
                    f"{where}: input artifact '{a.get('name')}' of {target.label()} gets no value"
                )

    def _references(
        self,
        template: bundle.Template,
        texts: Iterable[str],
        dag: tuple[Mapping[str, Any], set[str], bool] | None,
    ) -> None:
        inputs = template.body.get("inputs") or {}
        declared = {str(p.get("name")) for p in inputs.get("parameters") or []}
        artifacts = {str(a.get("name")) for a in inputs.get("artifacts") or []}
        for text in texts:
            for variable in expressions.variables(text):
                problem = self._reference(template, variable, (declared, artifacts), dag)
                if problem:
                    self.problems.append(f"{template.label()}: {{{{{variable}}}}} {problem}")

    def _reference(
        self,
        template: bundle.Template,
        variable: str,
        inputs: tuple[set[str], set[str]],
        dag: tuple[Mapping[str, Any], set[str], bool] | None,
    ) -> str | None:
        declared, artifacts = inputs
        ref = expressions.classify(variable)
        if ref is None:
            return "is not a variable the local runtime knows (see docs/local-runtime.md)"
        if ref.kind == "workflow.parameters" and ref.first not in self.parameters:
            return "names no workflow argument"
        if ref.kind == "inputs.parameters" and ref.first not in declared:
            return "names no input parameter of the template"
        if ref.kind in ("inputs.artifacts", "inputs.artifacts.path") and ref.first not in artifacts:
            return "names no input artifact of the template"
        in_dag = ref.kind.startswith("tasks.") or ref.kind.startswith("item")
        if in_dag and dag is None:
            return "is only meaningful in a DAG task"
        if dag is not None and ref.kind.startswith("tasks."):
            tasks, upstream, _ = dag
            if ref.first not in tasks:
                return "names no task of this DAG"
            if ref.first not in upstream:
                return "names a task that is not upstream of this one (add it to depends)"
            return self._task_output(template, tasks[ref.first], ref)
        if dag is not None and ref.kind.startswith("item") and not dag[2]:
            return "is used in a task without withItems"
        return None

    def _task_output(
        self, template: bundle.Template, task: Mapping[str, Any], ref: expressions.Ref
    ) -> str | None:
        """None when the referenced task's template declares the output."""
        try:
            target = self.objects.task_template(template.scope, task)
        except LookupError:
            return None  # reported at the task itself
        kind = "parameters" if ref.kind == "tasks.parameters" else "artifacts"
        names = {str(o.get("name")) for o in (target.body.get("outputs") or {}).get(kind) or []}
        if ref.second not in names:
            return f"names no output {kind[:-1]} of {target.label()}"
        return None


def _depends(task: Mapping[str, Any]) -> list[str]:
    names = list(task.get("dependencies") or [])
    if "depends" in task:
        names += expressions.parse_depends(str(task["depends"])) or []
    return [str(n) for n in names]


def _upstream(tasks: Mapping[str, Mapping[str, Any]]) -> dict[str, set[str]]:
    """Transitive dependencies of each task (cycles simply stop growing)."""
    direct = {name: set(_depends(task)) & set(tasks) for name, task in tasks.items()}
    closure = {name: set(deps) for name, deps in direct.items()}
    changed = True
    while changed:
        changed = False
        for deps in closure.values():
            grown: set[str] = set().union(*(closure[d] for d in deps))
            if grown - deps:
                deps.update(grown)
                changed = True
    return closure


def _strings(*values: Any) -> list[str]:
    """Every string inside nested dicts and lists."""
    out: list[str] = []
    stack = list(values)
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, Mapping):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return out
