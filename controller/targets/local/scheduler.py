"""The event loop of one run: starts DAG units and container steps as the workflow's and each
DAG template's ``parallelism`` allow, retries with backoff, enforces deadlines, reacts to
signals, runs the exit handler, and records every node in status.json.

It runs on the calling (main) thread; step attempts run on a bounded thread pool whose size is
the workflow's parallelism, and report back through a queue. Only this thread touches state.
"""

from __future__ import annotations

import collections
import concurrent.futures
import dataclasses
import heapq
import itertools
import os
import queue
import signal
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bosun.targets.local import bundle, dag, expressions, process, progress, records, resolve, step

MAIN, EXIT = "main", "exit"
EXIT_NODE = "onExit"


@dataclasses.dataclass(eq=False)
class Node:
    id: str
    tag: str
    record: dict[str, Any]
    unit: dag.Unit | None = None
    step: step.Step | None = None
    retry: resolve.Retry | None = None
    graph: dag.Dag | None = None
    attempts: int = 0
    first_start: float = 0.0
    outputs: dag.Outputs = dataclasses.field(default_factory=dag.Outputs)
    done: bool = False


@dataclasses.dataclass(frozen=True)
class Settings:
    run_dir: Path
    limit: int
    """Step processes at once: the workflow's parallelism, or the local default."""
    deadline: float | None
    """The workflow's activeDeadlineSeconds."""


class Scheduler:
    def __init__(
        self,
        objects: bundle.Bundle,
        *,
        workflow: resolve.Workflow,
        context: step.Context,
        status: records.Status,
        display: progress.Display,
        settings: Settings,
    ) -> None:
        self.objects = objects
        self.workflow = workflow
        self.context = context
        self.status = status
        self.display = display
        self.settings = settings
        self.events: queue.SimpleQueue[tuple[Any, ...]] = queue.SimpleQueue()
        self.ready: list[dag.Unit] = []
        self.waiting: collections.deque[Node] = collections.deque()
        self.backing_off: set[Node] = set()
        self.owners: dict[dag.Dag, Node] = {}
        self.timers: list[tuple[float, int, Callable[[], None]]] = []
        self.sequence = itertools.count()
        self.running = 0
        self.halts: dict[str, str] = {}
        self.signals = 0
        self.main_phase: str | None = None
        self.phase: str | None = None
        self.message = ""

    # -- public ------------------------------------------------------------------------------

    def interrupt(self, signum: int) -> None:
        """Safe from a signal handler: SimpleQueue.put is reentrant."""
        self.events.put(("signal", signum))

    def run(self) -> str:
        """Execute to the end; returns the workflow phase."""
        pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=self.settings.limit, thread_name_prefix="bosun-step"
        )
        self.pool = pool
        try:
            if self.settings.deadline is not None:
                reason = f"workflow exceeded its deadline ({self.settings.deadline:g}s)"
                self._timer(self.settings.deadline, lambda: self._halt(MAIN, reason))
            self._start_root(MAIN, str(self.objects.spec["entrypoint"]))
            while self.phase is None:
                self._pump()
                self.status.flush()
                if self.phase is None:
                    self._wait()
        finally:
            if self.running:
                for tag in (MAIN, EXIT):
                    self.context.registry.stop(tag)
                if not process.wait_quiet(self.context.registry, process.KILL_GRACE_SECONDS):
                    for tag in (MAIN, EXIT):
                        self.context.registry.kill(tag)
            pool.shutdown(wait=True)
            self.status.flush(force=True)
        return self.phase

    # -- the loop ----------------------------------------------------------------------------

    def _wait(self) -> None:
        timeout = None
        if self.timers:
            timeout = max(0.0, self.timers[0][0] - time.monotonic())
        if self.status.dirty:
            timeout = min(timeout if timeout is not None else 1.0, records.FLUSH_INTERVAL)
        try:
            event = self.events.get(timeout=timeout)
        except queue.Empty:
            event = None
        while event is not None:
            self._handle(event)
            try:
                event = self.events.get_nowait()
            except queue.Empty:
                event = None
        now = time.monotonic()
        while self.timers and self.timers[0][0] <= now:
            _, _, action = heapq.heappop(self.timers)
            action()

    def _handle(self, event: tuple[Any, ...]) -> None:
        if event[0] == "done":
            self.running -= 1
            self._attempt_done(event[1], event[2])
        elif event[0] == "signal":
            self._on_signal(int(event[1]))

    def _timer(self, delay: float, action: Callable[[], None]) -> None:
        heapq.heappush(self.timers, (time.monotonic() + delay, next(self.sequence), action))

    def _pump(self) -> None:
        """Start what the limits allow, until nothing more can start."""
        progressed = True
        while progressed:
            progressed = False
            pending, self.ready = self.ready, []
            kept: list[dag.Unit] = []
            for unit in pending:
                owner = self.owners[unit.dag]
                if owner.tag in self.halts or unit.dag.halted:
                    unit.dag.omit(unit)
                    self._note_omitted(unit.node_id)
                    self._advance(owner)
                    progressed = True
                elif unit.dag.has_room():
                    unit.dag.active += 1
                    self._start_unit(unit, owner)
                    progressed = True
                else:
                    kept.append(unit)
            self.ready = kept + self.ready
            while self.waiting and self.running < self.settings.limit:
                self._submit(self.waiting.popleft())
                progressed = True

    # -- starting nodes ---------------------------------------------------------------------

    def _new_node(self, node_id: str, tag: str, template: bundle.Template) -> Node:
        record = self.status.node(node_id)
        record.clear()
        record.update(
            type="DAG" if template.is_dag else "Container",
            template=template.label(),
            phase="Pending",
            startedAt=records.iso(time.time()),
        )
        return Node(node_id, tag, record)

    def _start_root(self, tag: str, name: str) -> None:
        template = self.objects.template(self.objects.scope, name)
        node_id = self.objects.name if tag == MAIN else EXIT_NODE
        node = self._new_node(node_id, tag, template)
        self._start(node, template, dict(self.workflow.parameters), {}, {})

    def _start_unit(self, unit: dag.Unit, owner: Node) -> None:
        try:
            template = self.objects.task_template(unit.dag.template.scope, unit.task.spec)
            node = self._new_node(unit.node_id, owner.tag, template)
            node.unit = unit
            parameters, artifacts, raw = unit.dag.arguments(unit)
        except (LookupError, expressions.UnresolvedError) as e:
            failed = Node(unit.node_id, owner.tag, self.status.node(unit.node_id), unit=unit)
            self._finish(failed, "Error", str(e))
            return
        self._start(node, template, parameters, artifacts, raw)

    def _start(
        self,
        node: Node,
        template: bundle.Template,
        parameters: dict[str, str],
        artifacts: dict[str, step.Artifact],
        raw: dict[str, str],
    ) -> None:
        try:
            inputs, literal = resolve.template_inputs(template, parameters, artifacts, raw)
            node.record["inputs"] = {"parameters": dict(inputs.parameters)}
            if template.is_dag:
                prefix = "" if node.tag == MAIN and node.unit is None else node.id
                node.graph = dag.Dag(prefix, template, inputs, self.workflow)
                self.owners[node.graph] = node
                node.record["phase"] = "Running"
                self._advance(node)
                return
            run_dir = self.settings.run_dir
            placement = resolve.Placement(
                node.id,
                records.node_dir(run_dir, node.id),
                records.log_path(run_dir, node.id),
                node.tag,
            )
            node.step, node.retry = resolve.container_step(
                template, inputs, literal, self.workflow, placement
            )
        except (resolve.InputError, expressions.UnresolvedError, ValueError) as e:
            self._finish(node, "Error", str(e))
            return
        node.record["log"] = os.path.relpath(node.step.log, run_dir)
        self.waiting.append(node)

    def _submit(self, node: Node) -> None:
        if node.tag in self.halts:
            self._finish(node, "Failed", self.halts[node.tag])
            return
        self.running += 1
        node.attempts += 1
        if node.attempts == 1:
            node.first_start = time.time()
            node.record["startedAt"] = records.iso(node.first_start)
        node.record.update(phase="Running", attempts=node.attempts)
        self.status.node(node.id)  # mark dirty
        self.display.started(node.id, node.attempts)
        self.pool.submit(self._work, node, node.attempts)

    def _work(self, node: Node, number: int) -> None:
        """On a worker thread: one attempt; never raises."""
        assert node.step is not None
        try:
            result = step.attempt(node.step, number, self.context)
        except Exception as e:  # a bosun bug or an I/O failure: the node errors, the run goes on
            with node.step.log.open("a", encoding="utf-8") as log:
                log.write(traceback.format_exc())
            now = time.time()
            result = step.Result("Error", now, now, message=f"bosun: {type(e).__name__}: {e}")
        self.events.put(("done", node, result))

    # -- completion ------------------------------------------------------------------------

    def _attempt_done(self, node: Node, result: step.Result) -> None:
        node.record.update(
            exitCode=result.exit_code, key=result.key, cached=result.cached, reused=result.reused
        )
        if result.attempts is not None:  # no process ran now: what the records say is theirs
            node.record["attempts"] = result.attempts
        if result.cached_from is not None:
            node.record["cachedFrom"] = dict(result.cached_from)
        if result.phase == "Succeeded":
            node.outputs = dag.Outputs(dict(result.parameters), dict(result.artifacts))
            how = "cached" if result.cached else "reused" if result.reused else "ran"
            self._finish(node, "Succeeded", "", how=how)
            return
        halted = self.halts.get(node.tag)
        retry = node.retry
        if halted is None and retry and retry.allows(result.phase, node.attempts, node.first_start):
            delay = retry.delay(node.attempts)
            node.record["message"] = f"attempt {node.attempts}: {result.message}; retrying"
            self.display.retrying(node.id, node.attempts, delay, result.message)
            self.backing_off.add(node)
            self._timer(delay, lambda: self._retry_due(node))
            return
        self._finish(node, result.phase, halted or result.message)

    def _retry_due(self, node: Node) -> None:
        if node in self.backing_off:
            self.backing_off.discard(node)
            self.waiting.append(node)

    def _finish(self, node: Node, phase: str, message: str, how: str = "ran") -> None:
        if node.done:
            return
        node.done = True
        finished = time.time()
        node.record.update(phase=phase, finishedAt=records.iso(finished), message=message)
        node.record["outputs"] = self._outputs_record(node.outputs)
        self.status.node(node.id)
        if node.graph is None and (node.step is not None or phase != "Succeeded"):
            seconds = finished - (node.first_start or finished)
            log = str(node.step.log) if node.step is not None else "none: it never started"
            self.display.finished(
                node.id, phase, seconds=seconds, how=how, message=message, log=log
            )
        if node.unit is not None:
            node.unit.phase = phase
            node.unit.outputs = node.outputs
            node.unit.dag.unit_done(node.unit)
            self._note_group(node.unit)
            self._advance(self.owners[node.unit.dag])
        elif node.tag == MAIN:
            self._main_done(phase, message)
        else:
            self._exit_done(phase, message)

    def _outputs_record(self, outputs: dag.Outputs) -> dict[str, Any]:
        run_dir = self.settings.run_dir
        return {
            "parameters": dict(outputs.parameters),
            "artifacts": {
                name: {"path": os.path.relpath(a.path, run_dir), "digest": a.digest}
                for name, a in outputs.artifacts.items()
            },
        }

    def _advance(self, owner: Node) -> None:
        """After a change inside ``owner``'s DAG: queue newly ready units, record omitted
        tasks, and finish the DAG when nothing is left."""
        graph = owner.graph
        if graph is None or owner.done:
            return
        ready, omitted = graph.advance()
        for task in omitted:
            self._note_omitted(graph.child_id(task.name))
        for unit in ready:
            if unit.task.fanned_out:
                group = self.status.node(graph.child_id(unit.task.name))
                if not group:
                    group.update(
                        type="TaskGroup", phase="Running", startedAt=records.iso(time.time())
                    )
        self.ready.extend(ready)
        if graph.finished():
            self._dag_done(owner)

    def _dag_done(self, owner: Node) -> None:
        graph = owner.graph
        assert graph is not None
        failed = [t.name for t in graph.tasks.values() if t.phase == "Failed"]
        if failed:
            self._finish(owner, "Failed", "failed: " + ", ".join(failed))
            return
        try:
            owner.outputs = graph.outputs()
        except expressions.UnresolvedError as e:
            self._finish(owner, "Error", str(e))
            return
        self._finish(owner, "Succeeded", "")

    def _note_omitted(self, node_id: str) -> None:
        record = self.status.node(node_id)
        if record.get("phase") in (None, "Pending"):
            record.update(phase="Omitted", type=record.get("type", "Skipped"))

    def _note_group(self, unit: dag.Unit) -> None:
        task = unit.task
        if task.fanned_out and task.phase in ("Succeeded", "Failed"):
            group = self.status.node(unit.dag.child_id(task.name))
            group.update(phase=task.phase, finishedAt=records.iso(time.time()))

    def _main_done(self, phase: str, message: str) -> None:
        self.main_phase = phase
        self.message = self.halts.get(MAIN, message)
        self.workflow.status = phase
        self.status.update(phase="Running" if "onExit" in self.objects.spec else phase)
        if "onExit" in self.objects.spec and EXIT not in self.halts:
            self._start_root(EXIT, str(self.objects.spec["onExit"]))
        else:
            self._complete(phase)

    def _exit_done(self, phase: str, message: str) -> None:
        if phase != "Succeeded" and self.main_phase == "Succeeded":
            self.message = f"exit handler: {message or phase}"
            self._complete("Failed")
        else:
            self._complete(self.main_phase or phase)

    def _complete(self, phase: str) -> None:
        self.phase = phase
        self.status.update(phase=phase, finishedAt=records.iso(time.time()), message=self.message)

    # -- stopping -----------------------------------------------------------------------------

    def _on_signal(self, signum: int) -> None:
        self.signals += 1
        name = signal.Signals(signum).name
        if self.signals == 1 and self.main_phase is None:
            self.display.note(f"{name}: stopping; the exit handler still runs (again to skip it)")
            self._halt(MAIN, f"stopped by {name}")
        else:
            self._halt(MAIN, f"stopped by {name}")
            self._halt(EXIT, f"terminated by {name}")

    def _halt(self, tag: str, reason: str) -> None:
        """Stop every step of ``tag``: no new start, SIGTERM now, SIGKILL after the grace."""
        if tag in self.halts or (tag == MAIN and self.main_phase is not None):
            return
        self.halts[tag] = reason
        self.context.registry.stop(tag)
        self._timer(process.KILL_GRACE_SECONDS, lambda: self.context.registry.kill(tag))
        for node in [n for n in self.waiting if n.tag == tag]:
            self.waiting.remove(node)
            self._finish(node, "Failed", reason)
        for node in [n for n in self.backing_off if n.tag == tag]:
            self.backing_off.discard(node)
            self._finish(node, "Failed", reason)
